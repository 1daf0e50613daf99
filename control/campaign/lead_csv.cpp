#include "control/campaign/lead_csv.h"

#include "signaling/number_time_zones.h"
#include "control/campaign/number_batch.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace hark::control {

namespace {
constexpr size_t kMaxName = 200, kMaxDescription = 2000, kMaxExternalId = 200;

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string r(s);
  for (auto& c : r) c = char(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Reads one RFC 4180 record starting at `pos`; advances `pos` and `line` past it. Returns false
// when the record is malformed (an unterminated quote), with the rest of the text consumed.
bool read_record(std::string_view t, size_t& pos, int& line, std::vector<std::string>& fields, std::string& error,
                 char delim) {
  fields.clear();
  std::string cur;
  bool quoted = false, in_quotes = false, field_started = false;
  while (pos < t.size()) {
    const char c = t[pos];
    if (in_quotes) {
      if (c == '"') {
        if (pos + 1 < t.size() && t[pos + 1] == '"') { cur += '"'; pos += 2; continue; }
        in_quotes = false;
        ++pos;
        continue;
      }
      if (c == '\n') ++line;
      cur += c;
      ++pos;
      continue;
    }
    if (c == '"' && !field_started) { in_quotes = quoted = field_started = true; ++pos; continue; }
    if (c == delim) {
      fields.push_back(quoted ? cur : trim(cur));
      cur.clear();
      quoted = field_started = false;
      ++pos;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && pos + 1 < t.size() && t[pos + 1] == '\n') ++pos;
      ++pos;
      ++line;
      fields.push_back(quoted ? cur : trim(cur));
      return true;
    }
    if (quoted) {  // text after a closing quote: keep it, as spreadsheets do
      cur += c;
      ++pos;
      continue;
    }
    cur += c;
    field_started = !std::isspace(static_cast<unsigned char>(c)) || field_started;
    ++pos;
  }
  if (in_quotes) {
    error = "unterminated quoted field";
    return false;
  }
  fields.push_back(quoted ? cur : trim(cur));
  return true;
}

/// The delimiter the first line (outside quotes) holds most of: `,` (also when none), `;` or tab.
char detect_delimiter(std::string_view t) {
  size_t comma = 0, semi = 0, tab = 0;
  bool in_quotes = false;
  for (char c : t) {
    if (c == '"') in_quotes = !in_quotes;
    else if (in_quotes) continue;
    else if (c == '\n' || c == '\r') break;
    else comma += c == ',', semi += c == ';', tab += c == '\t';
  }
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_name_header(std::string_view k) {
  return k == "name" || k == "nombre" || k == "full name" || k == "full_name" || k == "nombre completo" ||
         k == "nome";
}
bool is_external_id_header(std::string_view k) {
  return k == "id" || k == "external id" || k == "external_id" || k == "externalid" || k == "id_externo" ||
         k == "id externo" || k == "lead_id" || k == "vendor_lead_code";
}
}  // namespace

bool is_phone_header(std::string_view k) {
  // OMniLeads: telefono, tel1, tel2...; VICIdial: phone_number, alt_phone; Spanish and Portuguese
  // spreadsheets: celular, movil, número. A word and then nothing, digits or a separator
  // ("phone2", "tel_casa", "mobile number"), so a name like "Telma" is not a header.
  if (k.find("code") != std::string_view::npos) return false;  // VICIdial's phone_code: a country code
  auto word = [&](std::string_view w) {
    if (!starts_with(k, w)) return false;
    const auto rest = k.substr(w.size());
    if (rest.empty() || rest == "s") return true;
    const char c = rest[0];
    return std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == '-' || c == '.';
  };
  for (std::string_view w : {"phone", "telephone", "tel", "telefono", "tel\xc3\xa9" "fono", "mobile", "celular", "movil",
                             "m\xc3\xb3vil", "cell", "cellphone", "fone", "numero", "n\xc3\xbamero", "alt_phone"})
    if (word(w)) return true;
  return false;
}

size_t first_invalid_utf8(std::string_view s) {
  // Whole lines at a time keep it quick; the bad line is then searched byte by byte.
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    end = end == std::string_view::npos ? s.size() : end + 1;
    if (!valid_utf8(s.substr(start, end - start))) {
      for (size_t i = start; i < end; ++i) {
        // the first byte from which a valid sequence cannot be read
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (len == 0 || i + len > end || !valid_utf8(s.substr(i, len))) return i;
        i += len - 1;
      }
      return start;
    }
    start = end;
  }
  return std::string_view::npos;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) out += ch;
    else out += char(0xc0 | (c >> 6)), out += char(0x80 | (c & 0x3f));
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c >> 5) == 0x6) len = 2, cp = c & 0x1f;
    else if ((c >> 4) == 0xe) len = 3, cp = c & 0x0f;
    else if ((c >> 3) == 0x1e) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    // No overlong forms, no surrogates, nothing past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

std::string quoted_for_report(std::string_view raw) {
  size_t cut = raw.size();
  if (cut > 40) {
    cut = 40;
    while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
  }
  // Appended, not `"'" + s + "'"`: GCC 12 at -O3 warns (-Wrestrict, a false positive, GCC bug
  // 105329) on the inlined insert-at-front of a temporary.
  std::string out = "'";
  out.append(raw.substr(0, cut));
  if (cut < raw.size()) out += "...";
  out += '\'';
  return out;
}

signaling::ParsedNumber parse_lead_phone(std::string_view raw, const LeadCsvOptions& o) {
  return signaling::parse_number(raw, o.default_region, o.internal_length);
}

signaling::ParsedNumber set_lead_numbers(Lead& lead, const std::vector<std::string>& raw, const LeadCsvOptions& o) {
  std::vector<signaling::ParsedNumber> parsed;
  for (size_t k = 0; k < raw.size(); ++k) parsed.push_back(parse_lead_phone(k == 0 ? trim(raw[0]) : raw[k], o));
  return set_lead_numbers(lead, raw, parsed);
}

signaling::ParsedNumber set_lead_numbers(Lead& lead, const std::vector<std::string>& raw,
                                         const std::vector<signaling::ParsedNumber>& parsed) {
  lead.phone.clear();
  lead.extra_phones.clear();
  lead.phone_raw = raw.empty() ? std::string() : trim(raw[0]);
  signaling::ParsedNumber main;
  main.problem = signaling::NumberProblem::empty;
  if (!lead.phone_raw.empty()) main = parsed[0];
  if (main.ok()) lead.phone = main.number;
  for (size_t k = 1; k < raw.size(); ++k)
    if (parsed[k].ok()) lead.extra_phones.push_back(parsed[k].number);
  lead.time_zones = signaling::numbers_time_zones(lead.phone, lead.extra_phones);  // calling hours (cached by prefix)
  return main;
}

std::string phone_problem(std::string_view raw, const signaling::ParsedNumber& p, const LeadCsvOptions& o) {
  if (trim(std::string(raw)).empty()) return "no phone number";
  std::string why = "phone ";
  why += quoted_for_report(trim(std::string(raw)));
  why += ' ';
  why += signaling::problem_text(p.problem, o.default_region);
  return why;
}

LeadCsvReader::LeadCsvReader(std::string_view text, const LeadCsvOptions& o) : text_(text), o_(o) {
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // BOM
  delim_ = detect_delimiter(text_);
  // Column roles, from the header when there is one.
  roles_ = {Role::name, Role::phone};
  names_ = {"name", "phone"};
  phone_order_ = {1};
  size_t p = pos_;
  int l = line_;
  std::vector<std::string> f;
  std::string err;
  if (!read_record(text_, p, l, f, err, delim_)) return;
  // A header names a phone column and holds no number (3 or more digits); given a mapping, the
  // first line is the header.
  bool header = false, number = false;
  for (auto& h : f) {
    header = header || is_phone_header(lower_trim(h));
    number = number || std::count_if(h.begin(), h.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) >= 3;
  }
  header = !o_.mapping.empty() || (header && !number);
  if (!header) return;
  had_header_ = true;
  pos_ = p;
  line_ = l;
  map_header(f);  // a mapping error ends the reading here
}

void LeadCsvReader::map_header(const std::vector<std::string>& header) {
  roles_.assign(header.size(), Role::other);
  names_.clear();
  phone_order_.clear();
  std::vector<std::string> keys;
  for (auto& h : header) names_.push_back(trim(h)), keys.push_back(lower_trim(h));
  auto find = [&](const std::string& want) -> std::optional<size_t> {
    const auto k = lower_trim(want);
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == k) return i;
    return std::nullopt;
  };
  const auto& m = o_.mapping;
  std::string missing;
  auto take = [&](const std::string& want, Role role) {
    if (auto i = find(want)) {
      roles_[*i] = role;
      if (role == Role::phone || role == Role::extra_phone) phone_order_.push_back(*i);
    } else {
      missing += (missing.empty() ? "" : ", ") + want;
    }
  };
  for (size_t k = 0; k < m.phone_columns.size(); ++k) take(m.phone_columns[k], k == 0 ? Role::phone : Role::extra_phone);
  if (!m.name_column.empty()) take(m.name_column, Role::name);
  if (!m.external_id_column.empty()) take(m.external_id_column, Role::external_id);
  std::string have;
  for (auto& n : names_) have += (have.empty() ? "" : ", ") + n;
  if (!missing.empty()) {
    mapping_error_ = "the header has no column " + missing + " (its columns: " + have + ")";
    pos_ = text_.size();
    return;
  }
  bool have_name = !m.name_column.empty(), have_id = !m.external_id_column.empty();
  bool have_description = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (roles_[i] != Role::other) continue;
    const auto& k = keys[i];
    if (m.phone_columns.empty() && is_phone_header(k)) {
      roles_[i] = phone_order_.empty() ? Role::phone : Role::extra_phone;
      phone_order_.push_back(i);
    } else if (!have_name && is_name_header(k)) {
      roles_[i] = Role::name, have_name = true;
    } else if (!have_id && is_external_id_header(k)) {
      roles_[i] = Role::external_id, have_id = true;
    } else if (!have_description && (k == "description" || k == "descripcion" || k == "descripci\xc3\xb3n")) {
      roles_[i] = Role::description, have_description = true;
    }
  }
  if (phone_order_.empty()) {
    mapping_error_ = "no column holds phone numbers: name them with phoneColumns (the header's columns: " + have + ")";
    pos_ = text_.size();
  }
}

boost::json::object LeadCsvReader::mapping_json() const {
  auto column = [&](Role r) -> boost::json::value {
    for (size_t i = 0; i < roles_.size(); ++i)
      if (roles_[i] == r) return boost::json::value(names_[i]);
    return nullptr;
  };
  boost::json::array phones;
  for (auto i : phone_order_) phones.push_back(boost::json::string(names_[i]));
  return {{"delimiter", delim_ == '\t' ? "tab" : std::string(1, delim_)},
          {"header", had_header_},
          {"phoneColumns", std::move(phones)},
          {"nameColumn", column(Role::name)},
          {"externalIdColumn", column(Role::external_id)},
          {"descriptionColumn", column(Role::description)}};
}

bool LeadCsvReader::next(LeadCsvResult& r, size_t max_leads) {
  r.had_header = had_header_;
  // A batch in three steps: read the rows (refusing malformed ones), parse every number of the
  // batch at once on a few threads (libphonenumber is most of an import's time), then finish
  // the rows in file order, so reports and duplicate checks are as if read one by one.
  struct Row {
    Lead lead;
    std::string kind, why;  ///< a refusal found while reading
    size_t first = 0, count = 0;  ///< its numbers in `raws`, main number first
  };
  std::vector<Row> rows;
  std::vector<std::string> raws;
  std::vector<std::string> f;
  std::string err;
  for (size_t taken = 0; taken < max_leads && pos_ < text_.size();) {
    const int start = line_;
    Row row;
    row.lead.line = start;
    auto reject = [&](std::string why, std::string_view kind) {
      row.why = std::move(why), row.kind = kind;
      rows.push_back(std::move(row));
    };
    if (!read_record(text_, pos_, line_, f, err, delim_)) {
      reject(err, "unterminated_quote");
      pos_ = text_.size();  // an unterminated quote swallows the rest: nothing more to read
      break;
    }
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    bool utf8 = true;
    for (auto& x : f) utf8 = utf8 && valid_utf8(x);
    if (!utf8) { reject("invalid UTF-8", "invalid_utf8"); continue; }
    // PostgreSQL text cannot hold NUL: let through, it failed the whole COPY.
    bool nul = false;
    for (auto& x : f) nul = nul || x.find('\0') != std::string::npos;
    if (nul) { reject("contains a NUL byte", "nul_byte"); continue; }
    if (f.size() > roles_.size()) {
      reject("has " + std::to_string(f.size()) + " fields, the header names " + std::to_string(roles_.size()),
             "too_many_fields");
      continue;
    }
    Lead& lead = row.lead;
    std::string extra;  // the other columns, as a JSON object's members
    for (size_t i = 0; i < f.size(); ++i) {
      switch (roles_[i]) {
        case Role::name: lead.name = std::move(f[i]); break;
        case Role::phone:
        case Role::extra_phone: break;  // below, in the mapping's order
        case Role::description: lead.description = std::move(f[i]); break;
        case Role::external_id: lead.external_id = std::move(f[i]); break;
        case Role::other:
          if (!extra.empty()) extra += ',';
          extra += boost::json::serialize(boost::json::string_view(names_[i]));
          extra += ':';
          extra += boost::json::serialize(boost::json::string_view(f[i]));
          break;
      }
    }
    if (lead.name.size() > kMaxName) { reject("name longer than 200 characters", "name_too_long"); continue; }
    if (lead.description.size() > kMaxDescription) { reject("description longer than 2000 characters", "description_too_long"); continue; }
    if (lead.external_id.size() > kMaxExternalId) { reject("external id longer than 200 characters", "external_id_too_long"); continue; }
    lead.fields_json = "{" + extra + "}";
    row.first = raws.size();
    for (auto i : phone_order_) raws.push_back(i < f.size() ? std::move(f[i]) : std::string());  // main number first
    row.count = raws.size() - row.first;
    if (row.count > 0) raws[row.first] = trim(raws[row.first]);  // as set_lead_numbers reads it
    rows.push_back(std::move(row));
    ++taken;
  }
  const auto parsed = parse_numbers(raws, o_.default_region, o_.internal_length, o_.parse_threads);
  std::vector<std::string> raw_phones;
  std::vector<signaling::ParsedNumber> numbers;
  for (auto& row : rows) {
    Lead& lead = row.lead;
    if (!row.kind.empty()) {
      r.add_error(lead.line, row.kind, std::move(row.why));
      continue;
    }
    auto reject = [&](std::string why, std::string_view kind) { r.add_error(lead.line, kind, std::move(why)); };
    raw_phones.assign(std::make_move_iterator(raws.begin() + long(row.first)),
                      std::make_move_iterator(raws.begin() + long(row.first + row.count)));
    numbers.assign(parsed.begin() + long(row.first), parsed.begin() + long(row.first + row.count));
    if (const auto p = set_lead_numbers(lead, raw_phones, numbers); !p.ok()) {
      if (lead.phone_raw.empty() && o_.skip_rows_without_phone) { ++r.skipped_without_phone; continue; }
      reject(phone_problem(lead.phone_raw, p, o_), lead.phone_raw.empty() ? "no_phone" : signaling::problem_key(p.problem));
      continue;
    }
    if (!lead.external_id.empty() && !external_ids_.insert(lead.external_id).second) {
      reject("external id '" + lead.external_id + "' repeats an earlier row", "duplicate_external_id");
      continue;
    }
    // Phones are remembered only when duplicates are to be skipped: 1M set inserts cost ~0.5 s.
    if (o_.skip_duplicate_phones && !phones_.insert(lead.phone).second) {
      ++r.skipped_duplicates;
      continue;
    }
    r.leads.push_back(std::move(lead));
  }
  return pos_ < text_.size();
}

void LeadCsvResult::add_error(int line, std::string_view kind, std::string reason) {
  ++error_count;
  ++errors_by_reason[std::string(kind)];
  if (errors.size() < max_reported_errors) errors.push_back({line, std::move(reason)});
}

void add_reject_report(boost::json::object& out, std::vector<RowError> first, size_t total,
                       const std::map<std::string, size_t>& by_reason, size_t limit) {
  std::sort(first.begin(), first.end(), [](auto& a, auto& b) { return a.line < b.line; });
  if (first.size() > limit) first.resize(limit);
  boost::json::array rejected;
  for (const auto& e : first) rejected.push_back(boost::json::object{{"line", e.line}, {"reason", e.reason}});
  boost::json::object counts;
  for (const auto& [k, n] : by_reason) counts[k] = n;
  out["rejected"] = std::move(rejected);
  out["rejectedCount"] = total;
  out["rejectedByReason"] = std::move(counts);
}

LeadCsvResult parse_lead_csv(std::string_view text, const LeadCsvOptions& o) {
  LeadCsvReader reader(text, o);
  LeadCsvResult r;
  while (reader.next(r, SIZE_MAX)) {
  }
  return r;
}

}  // namespace hark::control
