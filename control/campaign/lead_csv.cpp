#include "control/campaign/lead_csv.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
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
bool read_record(std::string_view t, size_t& pos, int& line, std::vector<std::string>& fields, std::string& error) {
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
    if (c == ',') {
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
}  // namespace

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

LeadCsvReader::LeadCsvReader(std::string_view text, const LeadCsvOptions& o) : text_(text), o_(o) {
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // BOM
  // Column roles, from the header when there is one.
  roles_ = {Role::name, Role::phone};
  names_ = {"name", "phone"};
  size_t p = pos_;
  int l = line_;
  std::vector<std::string> f;
  std::string err;
  if (!read_record(text_, p, l, f, err)) return;
  bool header = false;
  for (auto& h : f) header = header || lower_trim(h) == "phone";
  if (!header) return;
  had_header_ = true;
  roles_.clear();
  names_.clear();
  bool have_phone = false;
  for (auto& h : f) {
    const std::string k = lower_trim(h);
    names_.push_back(trim(h));
    if (k == "name") roles_.push_back(Role::name);
    else if (k == "phone" && !have_phone) roles_.push_back(Role::phone), have_phone = true;
    else if (k.rfind("phone", 0) == 0 || k == "mobile") roles_.push_back(Role::extra_phone);
    else if (k == "description") roles_.push_back(Role::description);
    else if (k == "external id" || k == "external_id" || k == "externalid") roles_.push_back(Role::external_id);
    else roles_.push_back(Role::other);
  }
  pos_ = p;
  line_ = l;
}

bool LeadCsvReader::next(LeadCsvResult& r, size_t max_leads) {
  r.had_header = had_header_;
  std::vector<std::string> f;
  std::string err;
  for (size_t taken = 0; taken < max_leads && pos_ < text_.size();) {
    const int start = line_;
    if (!read_record(text_, pos_, line_, f, err)) {
      r.add_error(start, "unterminated_quote", err);
      pos_ = text_.size();  // an unterminated quote swallows the rest: nothing more to read
      break;
    }
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    auto reject = [&](std::string why, std::string_view kind) { r.add_error(start, kind, std::move(why)); };
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
    Lead lead;
    lead.line = start;
    std::string raw_phone;
    std::string extra;  // the other columns, as a JSON object's members
    for (size_t i = 0; i < f.size(); ++i) {
      switch (roles_[i]) {
        case Role::name: lead.name = std::move(f[i]); break;
        case Role::phone: raw_phone = std::move(f[i]); break;
        case Role::extra_phone:
          if (auto p = parse_lead_phone(f[i], o_); p.ok()) lead.extra_phones.push_back(std::move(p.number));
          break;
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
    lead.phone_raw = trim(raw_phone);
    if (lead.phone_raw.empty()) {
      if (o_.skip_rows_without_phone) { ++r.skipped_without_phone; continue; }
      reject("no phone number", "no_phone");
      continue;
    }
    if (auto p = parse_lead_phone(lead.phone_raw, o_); p.ok()) {
      lead.phone = std::move(p.number);
    } else {
      std::string why = "phone ";
      why += quoted_for_report(lead.phone_raw);
      why += ' ';
      why += signaling::problem_text(p.problem, o_.default_region);
      reject(std::move(why), signaling::problem_key(p.problem));
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
    lead.fields_json = "{" + extra + "}";
    r.leads.push_back(std::move(lead));
    ++taken;
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
