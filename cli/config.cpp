#include "cli/config.h"

#include "signaling/phone_number.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/option_values.h"
#include "control/api/auth.h"

namespace hark::control {

namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

std::string fmt_calls(double cps, int max_calls, int ring_s) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.0f calls/s, at most %d at once, ring %d s", cps, max_calls, ring_s);
  return buf;
}

}  // namespace

namespace {
// The environment over whatever the defaults and the file set.
void apply_env(Config& c, std::vector<std::string>* errors) {
  auto fail = [&](std::string m) { if (errors) errors->push_back(std::move(m)); };
  // A whole number from the environment within [lo, hi]; otherwise the complaint.
  auto int_setting = [&](const char* name, int& field, int lo, int hi, const char* complaint) {
    int n;
    if (auto v = env(name)) {
      if (cli::parse_whole(v, n) && n >= lo && n <= hi) field = n;
      else fail(complaint);
    }
  };
  if (auto v = env("DATABASE_URL")) c.database_url = v;
  if (auto v = env("HARK_HTTP_LISTEN")) c.http_listen = v;
  if (auto v = env("HARK_SIP_LISTEN")) c.sip_listen = v;
  if (auto v = env("HARK_LOG_LEVEL")) {
    // spdlog reads an unknown name as "off": a typo would silence the log without a word.
    const std::string_view s(v);
    if (s == "trace" || s == "debug" || s == "info" || s == "warn" || s == "warning" || s == "error" ||
        s == "err" || s == "critical" || s == "off")
      c.log_level = v;
    else
      fail("HARK_LOG_LEVEL must be trace, debug, info, warn, error, critical or off");
  }
  if (auto v = env("HARK_TLS_CERT")) c.tls_cert = v;
  if (auto v = env("HARK_TLS_KEY")) c.tls_key = v;
  if (c.tls_cert.empty() != c.tls_key.empty()) fail("HARK_TLS_CERT and HARK_TLS_KEY go together");
  if (auto v = env("HARK_ADMIN_USER")) c.admin_user = v;
  if (auto v = env("HARK_ADMIN_PASSWORD")) {
    // The same rule as every password set through the API.
    if (auto problem = password_problem(v); problem.empty()) c.admin_password = v;
    else fail("HARK_ADMIN_PASSWORD: " + problem);
  }
  if (auto v = env("HARK_DNC_CA_FILE")) c.dnc_ca_file = v;
  if (auto v = env("HARK_METRICS_TOKEN")) {
    const std::string t = v;
    // Sent in a header: printable, no spaces; long enough not to be guessed.
    const bool printable = std::all_of(t.begin(), t.end(), [](char ch) { return ch > ' ' && ch < 127; });
    if (t.size() >= 16 && t.size() <= 1024 && printable) c.metrics_token = t;
    else fail("HARK_METRICS_TOKEN must be 16 to 1024 printable characters without spaces");
  }
  if (auto v = env("HARK_PROMPTS_DIR")) c.prompts_dir = v;
  if (auto v = env("HARK_RECORDINGS_DIR")) c.recordings_dir = v;
  if (auto v = env("HARK_SIP_TRUNK")) {
    // The built-in trunk's address; a file's [[trunk]] entries say their own.
    if (!c.config_file.empty() && !c.trunks.empty()) fail("HARK_SIP_TRUNK cannot change the [[trunk]] entries of " + c.config_file);
    else c.sip_trunk = v;
  }
  if (auto v = env("HARK_CPS")) {
    char* end = nullptr;
    const double d = std::strtod(v, &end);
    if (end && *end == 0 && d > 0 && d <= 2000) c.calls_per_second = d;
    else fail("HARK_CPS must be a number of calls per second from 0 to 2000");
  }
  int_setting("HARK_MAX_CALLS", c.max_calls, 1, 10000, "HARK_MAX_CALLS must be a number from 1 to 10000");
  int_setting("HARK_RING_TIMEOUT", c.ring_timeout_s, 15, 120, "HARK_RING_TIMEOUT must be 15 to 120 seconds (never ring less than 15 s)");
  int_setting("HARK_RETRY_UNIT_MS", c.retry_unit_ms, 10, 60000, "HARK_RETRY_UNIT_MS must be 10 to 60000");
  // At least 3 s: a live process heart-beats every second (a tick late at most).
  int_setting("HARK_STALE_AFTER_S", c.stale_after_s, 3, 3600, "HARK_STALE_AFTER_S must be 3 to 3600 seconds");
  if (auto v = env("HARK_INBOUND_DEFAULT_ROUTE")) c.inbound_default_route = v;
  if (auto v = env("HARK_INBOUND_REGION")) {
    if (signaling::known_region(v)) c.inbound_default_region = signaling::region_code(v);
    else fail("HARK_INBOUND_REGION must be a region code such as US or GB");
  }
  int_setting("HARK_INBOUND_INTERNAL_LENGTH", c.inbound_internal_length, 0, 15, "HARK_INBOUND_INTERNAL_LENGTH must be 0 to 15");
  if (auto v = env("HARK_RUNNER")) {
    std::string_view s(v);
    if (s == "off" || s == "0") c.runner = false;
    else if (s == "on" || s == "1") c.runner = true;
    else fail("HARK_RUNNER must be on or off");
  }
  int_setting("HARK_HTTP_THREADS", c.http_threads, 1, 64, "HARK_HTTP_THREADS must be a number from 1 to 64");
  int_setting("HARK_HTTP_MAX_CONNECTIONS", c.http_max_connections, 16, 1000000,
              "HARK_HTTP_MAX_CONNECTIONS must be a number from 16 to 1000000");
  int_setting("HARK_MEDIA_WORKERS", c.media_workers, 0, 256, "HARK_MEDIA_WORKERS must be a number from 0 to 256");
  if (auto v = env("HARK_MEDIA_IO")) {
    std::string_view s(v);
    if (s == "auto" || s == "uring" || s == "epoll") c.media_io = std::string(s);
    else fail("HARK_MEDIA_IO must be auto, uring or epoll");
  }
  if (auto v = env("HARK_RTP_PORTS")) {
    if (!cli::parse_port_range(v, c.rtp_port_min, c.rtp_port_max))
      fail("HARK_RTP_PORTS must look like 20000-29999 (1024..65535)");
  }
}

// What follows from the settings once all are read: the built-in trunk and group, the workers.
void finish(Config& c, std::vector<std::string>* errors) {
  if (c.media_workers == 0) c.media_workers = int(std::max(1u, std::thread::hardware_concurrency()));
  if (c.trunks.empty()) {
    signaling::Trunk t;
    const auto colon = c.sip_trunk.rfind(':');
    int port = 5060;
    if (colon == std::string::npos) {
      t.host = c.sip_trunk;
    } else if (cli::parse_whole(c.sip_trunk.substr(colon + 1), port) && port > 0 && port < 65536) {
      t.host = c.sip_trunk.substr(0, colon);
    } else if (errors) {
      errors->push_back("HARK_SIP_TRUNK must be HOST or HOST:PORT");
    }
    t.port = port;
    t.max_channels = c.max_calls;
    c.trunks.push_back(t);
  }
  if (c.trunk_groups.empty()) {
    std::vector<std::string> all;
    for (const auto& t : c.trunks) all.push_back(t.name);
    c.trunk_groups.emplace_back("default", std::move(all));
  }
}
}  // namespace

Config Config::from_env(std::vector<std::string>* errors) { return load("", errors); }

Config Config::load(const std::string& path, std::vector<std::string>* errors) {
  Config c;
  std::vector<std::string> file_errors;
  if (!path.empty()) read_config_file(path, c, file_errors);
  if (errors) errors->insert(errors->end(), file_errors.begin(), file_errors.end());
  apply_env(c, errors);
  finish(c, errors);
  return c;
}

std::string default_config_file() {
  std::error_code ec;
  return std::filesystem::exists("/etc/hark/hark.toml", ec) ? "/etc/hark/hark.toml" : "";
}

std::vector<std::string> Config::describe() const {
  std::vector<std::string> lines{
      "config file   = " + (config_file.empty() ? std::string("(none: defaults and environment)") : config_file),
      "database      = " + (database_url.empty() ? std::string("(none)") : mask_password(database_url)),
      "http listen   = " + http_listen,
      "sip listen    = " + sip_listen,
      "rtp ports     = " + std::to_string(rtp_port_min) + "-" + std::to_string(rtp_port_max),
      "media workers = " + std::to_string(media_workers),
      "media io      = " + media_io,
      "log level     = " + log_level,
      "http tls      = " + (tls_cert.empty() ? std::string("off") : "on (" + tls_cert + ")"),
      "http threads  = " + std::to_string(http_threads),
      "http max conn = " + std::to_string(http_max_connections),
      "dialing       = " + (runner ? fmt_calls(calls_per_second, max_calls, ring_timeout_s) : std::string("off")),
      "retry unit    = " + std::to_string(retry_unit_ms) + " ms",
      "metrics       = " + std::string(metrics_token.empty() ? "open (no HARK_METRICS_TOKEN)" : "bearer token required"),
      "prompts dir   = " + prompts_dir,
      "sip tls       = " + (sip_tls_listen.empty() ? std::string("off") : sip_tls_listen + (sip_tls_verify ? " (peers verified)" : " (peers NOT verified)")),
      "sip nat       = " + (sip_advertised.empty() ? std::string("-") : "advertise " + sip_advertised) +
          (media_address.empty() ? std::string() : ", media " + media_address),
      "log file      = " + (log_file.empty() ? std::string("(none)") : log_file),
      "recordings    = " + recordings_dir,
      "inbound       = " + (inbound_default_route.empty() ? std::string("unknown callers get 404") : "default route " + inbound_default_route) +
          ", region " + inbound_default_region + ", internal numbers up to " + std::to_string(inbound_internal_length) + " digits",
  };
  // Trunks are described without their passwords: only whether one is set.
  for (const auto& t : trunks)
    lines.push_back("trunk " + t.name + " = " + t.uri("") + (t.proxy.empty() ? "" : " via " + t.proxy) +
                    (t.registrar.empty() ? "" : ", register at " + t.registrar) +
                    (t.username.empty() ? "" : ", user " + t.username + (t.password.empty() ? "" : " (password set)")) +
                    ", srtp " + std::string(signaling::to_string(t.srtp)) +
                    (t.max_channels ? ", " + std::to_string(t.max_channels) + " channels" : "") +
                    (t.options_interval_s ? ", OPTIONS every " + std::to_string(t.options_interval_s) + " s" : ""));
  for (const auto& [name, members] : trunk_groups) {
    std::string m;
    for (const auto& t : members) m += (m.empty() ? "" : ", ") + t;
    lines.push_back("trunk group " + name + " = " + m);
  }
  return lines;
}

std::string mask_password(const std::string& url) {
  std::string out = url;
  // URI form: scheme://user:password@host
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // Query or key=value form: password=...
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t start = p + 9;
    size_t end = out.find_first_of("& ", start);
    if (end == std::string::npos) end = out.size();
    out.replace(start, end - start, "***");
  }
  return out;
}

}  // namespace hark::control
