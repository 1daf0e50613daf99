// `hark run`: the dialer. Logs its configuration, connects to PostgreSQL, applies the schema
// migrations, serves the REST API and runs STARTED campaigns (media engine + SIP agent +
// campaign runner) until SIGINT/SIGTERM (or --duration seconds).
#include <sodium.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/option_values.h"
#include "cli/stop_signal.h"
#include "cli/config.h"
#include "control/campaign/call_command_listener.h"
#include "control/campaign/campaign_runner.h"
#include "control/campaign/inbound_router.h"
#include "control/api/control_server.h"
#include "control/webhooks/webhook_delivery.h"
#include "media/media_engine.h"
#include "signaling/sip_agent.h"
#include "sql/migrate.h"

namespace hark::cli {

namespace {
// Every variable control::Config::from_env reads, as the README lists them.
const char* kUsage =
    "usage: hark run [--config FILE] [--duration SECONDS]\n"
    "The dialer: REST API and campaign runner until SIGINT/SIGTERM (or --duration).\n"
    "  --config FILE           the TOML configuration (default /etc/hark/hark.toml when it exists;\n"
    "                          without one, built-in defaults); see the README's config reference\n"
    "  --check-config          read the configuration, print it (no passwords) and exit\n"
    "Environment, over the file (defaults in brackets):\n"
    "  DATABASE_URL            PostgreSQL (required)\n"
    "  HARK_HTTP_LISTEN        REST API address [127.0.0.1:8080]\n"
    "  HARK_HTTP_THREADS       REST I/O threads [4]\n"
    "  HARK_HTTP_MAX_CONNECTIONS  open REST connections at most [4000, at most half the fd limit]\n"
    "  HARK_TLS_CERT           PEM certificate: serve HTTPS instead of HTTP\n"
    "  HARK_TLS_KEY            PEM private key of HARK_TLS_CERT\n"
    "  HARK_SIP_LISTEN         our SIP address; RTP binds to its host [127.0.0.1:5060]\n"
    "  HARK_SIP_TRUNK          without [[trunk]] in the file: calls go to sip:NUMBER@this [127.0.0.1:5070]\n"
    "  HARK_CPS                INVITE pacing, calls per second [50]\n"
    "  HARK_MAX_CALLS          concurrent calls of this process [300]\n"
    "  HARK_RING_TIMEOUT       seconds before CANCEL, 15..120 [25]\n"
    "  HARK_RTP_PORTS          RTP port range [20000-29999]\n"
    "  HARK_MEDIA_WORKERS      media threads [one per core]\n"
    "  HARK_MEDIA_IO           media socket I/O: auto (io_uring, else epoll), uring, epoll [auto]\n"
    "  HARK_DNC_CA_FILE        extra CA (PEM) for external do-not-call services\n"
    "  HARK_METRICS_TOKEN      set: GET /metrics wants Authorization: Bearer <it> (16+ characters) [open]\n"
    "  HARK_PROMPTS_DIR        uploaded voicemail prompts (POST /api/v1/prompts) [/var/lib/hark/prompts]\n"
    "  HARK_RECORDINGS_DIR     call recordings, <attempt id>.wav (campaign setting recording) [/var/lib/hark/recordings]\n"
    "  HARK_RETRY_UNIT_MS      length of one retry \"minute\" [60000]\n"
    "  HARK_STALE_AFTER_S      another hark process silent this long is dead: its open calls\n"
    "                          close and their leads are dialed again, 3..3600 [10]\n"
    "  HARK_RUNNER             off: REST API only, no dialing [on]\n"
    "  HARK_INBOUND_DEFAULT_ROUTE  inbound calls from unknown or internal callers go here (a number\n"
    "                          or sip: URI) [none: 404]\n"
    "  HARK_INBOUND_REGION     callers' numbers without a country code are read as from here [US]\n"
    "  HARK_INBOUND_INTERNAL_LENGTH  callers with at most this many digits are internal [4]\n"
    "  HARK_LOG_LEVEL          trace, debug, info, warn, error, critical or off [info]\n"
    "  HARK_ADMIN_USER         the first master user, made when there is no user [admin]\n"
    "  HARK_ADMIN_PASSWORD     its password, 8..128 bytes [random, logged]\n";
}  // namespace

/// The SipAgent as call control: what the owner of a call runs for commands sent through the
/// database (control/campaign/call_command_listener.h). The agent's methods are asynchronous:
/// their effect comes back as call events.
class SipCallControl : public control::CallControl {
 public:
  explicit SipCallControl(signaling::SipAgent& a) : a_(a) {}
  control::ControlOutcome hangup(uint64_t id) override { return a_.hangup(id), control::ControlOutcome{}; }
  control::ControlOutcome transfer(uint64_t id, const std::string& target) override {
    return a_.transfer(id, target), control::ControlOutcome{};
  }
  control::ControlOutcome hold(uint64_t id) override { return a_.hold(id), control::ControlOutcome{}; }
  control::ControlOutcome resume(uint64_t id) override { return a_.resume(id), control::ControlOutcome{}; }
  control::ControlOutcome consult(uint64_t id, const std::string& target) override {
    return a_.consult(id, target), control::ControlOutcome{};
  }
  control::ControlOutcome complete_consult(uint64_t id) override {
    return a_.complete_consult(id), control::ControlOutcome{};
  }
  control::ControlOutcome cancel_consult(uint64_t id) override { return a_.cancel_consult(id), control::ControlOutcome{}; }

 private:
  signaling::SipAgent& a_;
};

int run_command(int argc, char** argv) {
  double duration_s = -1;
  std::string config_file = control::default_config_file();
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config") {
      if (i + 1 >= argc || !*argv[i + 1]) {
        spdlog::error("hark run: --config needs a file");
        return 2;
      }
      config_file = argv[++i];
    } else if (a == "--check-config") {
      check_only = true;
    } else if (a == "--duration") {
      const std::string v = i + 1 < argc ? argv[++i] : "";
      if (!parse_decimal(v, duration_s) || duration_s < 0 || duration_s > 31'536'000) {
        spdlog::error("hark run: --duration needs seconds from 0 to 31536000, got '{}'", v);
        return 2;
      }
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      spdlog::error("hark run: unknown option '{}'", a);
      return 2;
    }
  }

  std::vector<std::string> errors;
  const auto cfg = control::Config::load(config_file, &errors);
  // A bad file is one line per problem and nothing else: no start-up banner to hide it in.
  for (const auto& e : errors) spdlog::error("config: {}", e);
  if (!errors.empty()) return 2;
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  if (!cfg.log_file.empty()) {
    // Also a rotating file (what GET /api/v1/logs serves); stdout stays, for journald.
    try {
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          cfg.log_file, size_t(cfg.log_file_max_mb) << 20, size_t(cfg.log_file_count));
      spdlog::default_logger()->sinks().push_back(sink);
      spdlog::flush_every(std::chrono::seconds(2));
    } catch (const std::exception& e) {
      spdlog::error("config: log.file: cannot write {}: {}", cfg.log_file, e.what());
      return 2;
    }
  }
  spdlog::info("hark {} starting", HARK_VERSION);
  for (const auto& line : cfg.describe()) spdlog::info("config: {}", line);
  if (check_only) return 0;
  if (cfg.database_url.empty()) {
    spdlog::error("DATABASE_URL is not set (scripts/pg.sh start prints one for a private cluster)");
    return 2;
  }

  // The database may still be starting: retry for a few seconds before giving up.
  std::unique_ptr<pqxx::connection> db;
  for (int attempt = 1;; ++attempt) {
    try {
      db = std::make_unique<pqxx::connection>(cfg.database_url);
      break;
    } catch (const std::exception& e) {
      if (attempt >= 20) {
        spdlog::error("database: cannot connect to {}: {}", control::mask_password(cfg.database_url), e.what());
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  try {
    pqxx::work tx(*db);
    const auto version = tx.exec1("SELECT current_setting('server_version')")[0].as<std::string>();
    const auto name = tx.exec1("SELECT current_database()")[0].as<std::string>();
    tx.commit();
    spdlog::info("database: PostgreSQL {} database '{}' at {}", version, name,
                 control::mask_password(cfg.database_url));
    const int applied = sql::apply_migrations(*db, sql::builtin_migrations());
    spdlog::info("database: schema version {} ({} migration(s) applied now)", sql::schema_version(*db),
                 applied);
  } catch (const std::exception& e) {
    spdlog::error("database: {}", e.what());
    return 1;
  }

  control::ControlServerOptions copt;
  copt.http.listen = cfg.http_listen;
  copt.http.threads = cfg.http_threads;
  copt.http.max_connections = cfg.http_max_connections;
  copt.http.tls_cert_file = cfg.tls_cert;
  copt.http.tls_key_file = cfg.tls_key;
  copt.dnc_ca_file = cfg.dnc_ca_file;
  copt.metrics_token = cfg.metrics_token;
  copt.prompts_dir = cfg.prompts_dir;
  for (const auto& [name, members] : cfg.trunk_groups) copt.trunk_groups.push_back(name);
  copt.log_file = cfg.log_file;
  copt.log_file_count = cfg.log_file_count;
  copt.recordings_dir = cfg.recordings_dir;
  copt.db_connections = cfg.http_threads + copt.auth.hash_threads + 2;
  control::ControlServer control(cfg.database_url, copt);
  {
    if (sodium_init() < 0) return 1;
    std::string password = cfg.admin_password;
    const bool generated = password.empty();
    if (generated) {
      unsigned char raw[12];
      randombytes_buf(raw, sizeof raw);
      for (auto b : raw) password += "abcdefghijkmnpqrstuvwxyz23456789"[b % 32];
    }
    if (control.auth().bootstrap_master(cfg.admin_user, password))
      spdlog::warn("created the first master user '{}'{}", cfg.admin_user,
                   generated ? " with password " + password + " (change it)" : " (password from HARK_ADMIN_PASSWORD)");
  }

  // Dialing: media engine, SIP agent and the campaign runner, wired one way.
  std::unique_ptr<media::MediaEngine> engine;
  std::unique_ptr<signaling::SipAgent> agent;
  std::unique_ptr<control::CampaignRunner> runner;
  std::unique_ptr<SipCallControl> call_control;
  std::unique_ptr<control::CallCommandListener> commands;
  std::unique_ptr<control::InboundRouter> inbound;  // inbound callbacks: decided off the SIP thread
  if (cfg.runner) {
    media::raise_fd_limit();
    media::MediaEngineOptions mo;
    mo.workers = cfg.media_workers;
    mo.port_min = uint16_t(cfg.rtp_port_min);
    mo.port_max = uint16_t(cfg.rtp_port_max);
    mo.max_streams = size_t(cfg.max_calls) + 64;
    // RTP on the SIP address's host, which our SDP then names.
    const std::string sip_host = cfg.sip_listen.substr(0, cfg.sip_listen.rfind(':'));
    mo.bind_ip = sip_host;
    mo.io = cfg.media_io == "epoll" ? media::IoMode::epoll
            : cfg.media_io == "uring" ? media::IoMode::uring
                                      : media::IoMode::automatic;
    mo.record_dir = cfg.recordings_dir;  // only campaigns that record send audio there
    engine = std::make_unique<media::MediaEngine>(mo);
    // Which socket I/O path the media workers took, and why not io_uring when they could not.
    if (const auto why = engine->io_fallback_reason(); !why.empty()) {
      if (mo.io == media::IoMode::uring) spdlog::warn("media: io_uring refused ({}), workers on epoll", why);
      else spdlog::info("media: {} workers on epoll (io_uring refused: {})", engine->workers(), why);
    } else {
      spdlog::info("media: {} workers on {}", engine->workers(), engine->io_path());
    }
    signaling::TrunkSettings t;
    t.bind_url = "sip:" + cfg.sip_listen;
    if (!cfg.sip_tls_listen.empty()) t.tls_bind_url = "sips:" + cfg.sip_tls_listen;
    t.tls_cert = cfg.sip_tls_cert;
    t.tls_key = cfg.sip_tls_key;
    t.tls_ca = cfg.sip_tls_ca;
    t.tls_verify = cfg.sip_tls_verify;
    t.advertised_host = cfg.sip_advertised;
    t.trunks = cfg.trunks;
    t.calls_per_second = cfg.calls_per_second;
    t.max_concurrent = cfg.max_calls;
    t.ring_timeout_s = cfg.ring_timeout_s;
    t.media_ip = cfg.media_address.empty() ? sip_host : cfg.media_address;
    t.music_on_hold = cfg.music_on_hold;
    control::RunnerOptions ro;
    ro.retry_unit_ms = cfg.retry_unit_ms;
    ro.stale_after_s = cfg.stale_after_s;
    ro.max_concurrent = cfg.max_calls;
    ro.dnc_ca_file = cfg.dnc_ca_file;
    ro.prompts_dir = cfg.prompts_dir;
    ro.trunk_groups = cfg.trunk_groups;
    ro.recordings_dir = cfg.recordings_dir;
    agent = std::make_unique<signaling::SipAgent>(t, *engine, [r = &runner, in = &inbound](const signaling::CallEvent& e) {
      if (e.state == signaling::CallState::inbound) {
        if (*in) (*in)->on_call_event(e);  // none yet: the agent answers 480 in 5 s
        return;
      }
      if (*r) (*r)->on_call_event(e);  // `runner` outlives the agent's thread (stopped first)
    });
    control::InboundSettings is;
    is.default_route = cfg.inbound_default_route;
    is.default_region = cfg.inbound_default_region;
    is.internal_length = cfg.inbound_internal_length;
    inbound = std::make_unique<control::InboundRouter>(
        cfg.database_url, is, ro.instance_id,
        [&a = *agent](uint64_t id, const std::string& target) { a.route_inbound(id, target); }, t.inbound_decision_ms);
    inbound->start();
    runner = std::make_unique<control::CampaignRunner>(cfg.database_url, control.dnc(), control.metrics(), ro,
                                                       [&a = *agent](signaling::CallRequest r) { return a.originate(std::move(r)); });
    if (auto err = agent->start(); !err.empty()) {
      spdlog::error("sip: {}", err);
      return 1;
    }
    control.set_runner(runner.get());  // before the API serves anyone
    runner->start();
    // Commands for this process's calls, sent through the database by any hark process.
    call_control = std::make_unique<SipCallControl>(*agent);
    commands = std::make_unique<control::CallCommandListener>(
        cfg.database_url, runner->instance_id(), [r = runner.get()](long long id) { return r->owned_call(id); },
        *call_control);
    // Click-to-dial asked of an API-only process reaches this runner through the database.
    commands->on_dial([r = runner.get()](control::ClickToDial req, control::ClickPlaced done) {
      r->place_call(std::move(req), std::move(done));
    });
    commands->start();
    control.set_trunk_status([&a = *agent] { return a.trunk_status(); });
    spdlog::info("dialing: SIP on {}{}, {} trunk(s) in {} group(s)", cfg.sip_listen,
                 cfg.sip_tls_listen.empty() ? "" : " and TLS " + cfg.sip_tls_listen, cfg.trunks.size(), cfg.trunk_groups.size());
  }

  if (auto err = control.start(); !err.empty()) {
    spdlog::error("http: {}", err);
    return 1;
  }
  spdlog::info("REST API on {}://{} (OpenAPI at /openapi.json)", cfg.tls_cert.empty() ? "http" : "https",
               cfg.http_listen);

  // Webhooks: every process with a database delivers the outbox (sql/webhook_store.h), on
  // threads of their own, so a slow receiver never holds up dialing or the API.
  control::WebhookDelivery webhooks(cfg.database_url);
  webhooks.start();

  spdlog::info("hark is up{}", duration_s >= 0 ? fmt::format(" for {} s", duration_s) : "; Ctrl-C stops it");
  wait_for_stop(duration_s);
  // No new calls; calls up are hung up and their ends written; then the API goes.
  if (runner) runner->pause();
  if (commands) commands->stop();  // before the agent it drives
  if (agent) agent->stop();
  if (inbound) inbound->stop();
  if (runner) runner->stop();
  control.set_runner(nullptr);
  control.stop();
  webhooks.stop();
  spdlog::info("hark stopped");
  return 0;
}

}  // namespace hark::cli
