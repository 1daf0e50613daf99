// Call recordings and the QA loop: the recording of an attempt (WAV, with HTTP Range so players
// seek), QA's label for it, the live AMD's confusion matrix against those labels, and a tar of
// labelled recordings with a manifest `hark amd --labels` reads as it is. The rules are the call
// log's: Campaign Administrators and Supervisors of the attempt's group; another group's
// attempt is a 404, as if it did not exist.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "control/api/control_api.h"
#include "control/api/report_filters.h"
#include "control/api/tar_archive.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});
const char* const kLabels[] = {"human", "machine", "fax", "sit", "silence"};
// An export holds at most this many recordings (one request, one body in memory).
constexpr long long kMaxExport = 2000;

/// The attempt's campaign, after the group check: 404 for an unknown attempt or another group's.
long long authorize_attempt(pqxx::transaction_base& tx, const ApiContext& ctx, long long attempt, bool write) {
  auto rows = tx.exec_prepared("attempt_owner", attempt);
  if (rows.empty()) fail(404, "not_found", "no such call");
  const auto campaign = rows[0][0].as<long long>();
  try {
    authorize_campaign(tx, ctx, campaign, write);
  } catch (const ApiError&) {
    fail(404, "not_found", "no such call");
  }
  return campaign;
}

std::string read_slice(const std::string& path, uint64_t from, uint64_t n) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(404, "not_found", "no recording for this call");
  std::string out(n, '\0');
  f.seekg(std::streamoff(from));
  f.read(out.data(), std::streamsize(n));
  out.resize(size_t(f.gcount()));
  return out;
}

/// Parses a single `bytes=` range against `size`: [first, last]; nullopt when there is none to
/// honour (absent, or several ranges: the whole file then); 416 when unsatisfiable.
std::optional<std::pair<uint64_t, uint64_t>> byte_range(const std::string& h, uint64_t size) {
  if (h.rfind("bytes=", 0) != 0 || h.find(',') != std::string::npos) return std::nullopt;
  const auto spec = h.substr(6);
  const auto dash = spec.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const auto a = spec.substr(0, dash), b = spec.substr(dash + 1);
  auto number = [](const std::string& s) -> std::optional<uint64_t> {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(s);
  };
  uint64_t first, last;
  if (a.empty()) {  // the last N bytes
    const auto n = number(b);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) fail(416, "range_not_satisfiable", "the range asks for no byte of the recording");
    first = *n >= size ? 0 : size - *n;
    last = size - 1;
  } else {
    const auto f = number(a);
    if (!f) return std::nullopt;
    first = *f;
    if (b.empty()) {
      last = size ? size - 1 : 0;
    } else {
      const auto l = number(b);
      if (!l || *l < first) return std::nullopt;
      last = std::min(*l, size ? size - 1 : 0);
    }
    if (first >= size) fail(416, "range_not_satisfiable", "the range starts past the end of the recording");
  }
  return std::make_pair(first, last);
}

/// GET /recordings/{attemptId}: the WAV; a Range request gets 206 and those bytes.
HttpResponse get_recording(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("attemptId");
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    authorize_attempt(tx, ctx, id, false);
    return 0;
  });
  const auto path = s.recordings_dir + "/" + std::to_string(id) + ".wav";
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (s.recordings_dir.empty() || ec) fail(404, "not_found", "no recording for this call");
  HttpResponse res;
  res.content_type = "audio/wav";
  res.headers.push_back({"Accept-Ranges", "bytes"});
  std::optional<std::pair<uint64_t, uint64_t>> range;
  try {
    range = byte_range(ctx.req.header("range"), size);
  } catch (const ApiError&) {
    HttpResponse bad = error_response(416, "range_not_satisfiable", "the range is outside the recording");
    bad.headers.push_back({"Content-Range", "bytes */" + std::to_string(size)});
    return bad;
  }
  if (range) {
    res.status = 206;
    res.body = read_slice(path, range->first, range->second - range->first + 1);
    res.headers.push_back({"Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                                std::to_string(range->second) + "/" + std::to_string(size)});
  } else {
    res.body = read_slice(path, 0, size);
  }
  return res;
}

/// PUT /calls/{attemptId}/label {"label": "human|machine|fax|sit|silence", "beepMs": N?}
HttpResponse put_label(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("attemptId");
  const auto body = ctx.json();
  reject_unknown(body, {"label", "beepMs"});
  const auto label = get_string(body, "label", true, 10);
  bool known = false;
  for (auto l : kLabels) known = known || *label == l;
  if (!known) invalid("label", "label must be one of human, machine, fax, sit, silence");
  std::optional<long long> beep;
  if (auto it = body.find("beepMs"); it != body.end() && !it->value().is_null())
    beep = get_int(body, "beepMs", true, 0, 600000);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    authorize_attempt(tx, ctx, id, false);  // QA (a Supervisor) labels what they may read
    tx.exec_prepared0("attempt_label", id, *label, beep, ctx.me().user_id);
    s.audit(tx, ctx, "label", "call/" + std::to_string(id), {{"label", *label}});
    tx.commit();
    return no_content();
  });
}

/// The live verdict as the dialer acted on it: an unsure verdict is treated as a person.
std::string acted_as(const std::string& verdict) { return verdict == "unknown" ? "human" : verdict; }

/// GET /qa/amd?campaign=&from=&to=: the live AMD against QA's labels.
HttpResponse qa_matrix(ApiServices& s, ApiContext& ctx) {
  const auto campaign = id_param(ctx, "campaign");
  const auto from = when_param(ctx, "from"), to = when_param(ctx, "to");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::object matrix;
    long long total = 0, correct = 0, humans = 0, machines = 0, human_as_machine = 0, machine_as_human = 0;
    long long beeps = 0, beep_missed = 0;
    for (auto row : tx.exec_prepared("qa_matrix", group_array(ctx.me()), campaign, from, to)) {
      const auto label = row["qa_label"].as<std::string>(), verdict = row["verdict"].as<std::string>();
      const auto n = row["n"].as<long long>();
      auto& line = matrix[label];
      if (!line.is_object()) line = json::object();
      line.as_object()[verdict] = n;
      total += n;
      if (acted_as(verdict) == label) correct += n;
      if (label == "human") {
        humans += n;
        if (verdict == "machine") human_as_machine += n;
      }
      if (label == "machine") {
        machines += n;
        if (acted_as(verdict) == "human") machine_as_human += n;
        beeps += row["beeps"].as<long long>();
        beep_missed += row["beep_missed"].as<long long>();
      }
    }
    auto share = [](long long a, long long b) { return b ? json::value(double(a) / double(b)) : json::value(nullptr); };
    return json_response(json::object{
        {"labelled", total},
        {"accuracy", share(correct, total)},
        {"humansCalledMachine", human_as_machine},
        {"humansCalledMachineRate", share(human_as_machine, humans)},
        {"machinesCalledHuman", machine_as_human},
        {"machinesCalledHumanRate", share(machine_as_human, machines)},
        {"beepsLabelled", beeps},
        {"beepMisses", beep_missed},
        {"matrix", std::move(matrix)},
        {"note", "rows: QA's label; columns: the live verdict (none: no verdict); an unknown verdict counts as a "
                 "person, as the dialer treats it; a beep miss is a machine labelled with a beep whose message "
                 "was not left after the beep"}});
  });
}

/// GET /qa/export?campaign=&from=&to=: a tar of the labelled calls' recordings and manifest.tsv
/// (file, label, beep_ms, speech_end_ms: `hark amd --labels manifest.tsv` after unpacking).
HttpResponse qa_export(ApiServices& s, ApiContext& ctx) {
  const auto campaign = id_param(ctx, "campaign");
  const auto from = when_param(ctx, "from"), to = when_param(ctx, "to");
  TarArchive tar;
  std::string manifest = "file\tlabel\tbeep_ms\tspeech_end_ms\n";
  int files = 0;
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (auto row : tx.exec_prepared("qa_labelled", group_array(ctx.me()), campaign, from, to, kMaxExport)) {
      const auto id = row["id"].as<long long>();
      const auto path = s.recordings_dir + "/" + std::to_string(id) + ".wav";
      std::ifstream f(path, std::ios::binary);
      if (s.recordings_dir.empty() || !f) continue;  // labelled, but its recording is gone
      const std::string audio((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      const auto name = "recordings/" + std::to_string(id) + ".wav";
      tar.add(name, audio);
      manifest += name + "\t" + row["qa_label"].as<std::string>() + "\t" +
                  (row["qa_beep_ms"].is_null() ? std::string("-") : row["qa_beep_ms"].as<std::string>()) + "\t-\n";
      ++files;
    }
    return 0;
  });
  tar.add("manifest.tsv", manifest);
  HttpResponse res;
  res.content_type = "application/x-tar";
  res.headers.push_back({"Content-Disposition", "attachment; filename=\"hark-qa-export.tar\""});
  res.headers.push_back({"X-Hark-Recordings", std::to_string(files)});
  res.body = tar.finish();
  return res;
}

}  // namespace

void add_recording_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/recordings/{attemptId}", "a call's recording (WAV; Range requests get 206)", kReaders, "", get_recording},
      {"PUT", "/api/v1/calls/{attemptId}/label", "QA's label for a call (human, machine, fax, sit, silence; beepMs)", kReaders, "json", put_label},
      {"GET", "/api/v1/qa/amd", "the live AMD's confusion matrix against QA labels (campaign, from, to)", kReaders, "", qa_matrix},
      {"GET", "/api/v1/qa/export", "a tar of labelled recordings and a manifest for hark amd --labels", kReaders, "", qa_export},
  });
}

}  // namespace hark::control
