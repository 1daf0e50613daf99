// hark's configuration: embedded defaults, overridden by environment variables.
#pragma once

#include <string>
#include <vector>

namespace hark::control {

struct Config {
  std::string database_url;          ///< DATABASE_URL; empty: none configured
  std::string http_listen = "127.0.0.1:8080";  ///< HARK_HTTP_LISTEN
  std::string sip_listen = "127.0.0.1:5060";   ///< HARK_SIP_LISTEN
  int rtp_port_min = 20000;          ///< HARK_RTP_PORTS=min-max
  int rtp_port_max = 29999;
  int media_workers = 0;             ///< HARK_MEDIA_WORKERS; 0: one per core
  std::string log_level = "info";    ///< HARK_LOG_LEVEL
  std::string tls_cert, tls_key;     ///< HARK_TLS_CERT / HARK_TLS_KEY: PEM files; both set: HTTPS
  std::string admin_user = "admin";  ///< HARK_ADMIN_USER: the first master, made when no user exists
  std::string admin_password;        ///< HARK_ADMIN_PASSWORD (empty: a random one is logged)
  std::string dnc_ca_file;           ///< HARK_DNC_CA_FILE: extra CA for external do-not-call services
  std::string prompts_dir = "/var/lib/hark/prompts";  ///< HARK_PROMPTS_DIR: uploaded voicemail prompts
  std::string recordings_dir = "/var/lib/hark/recordings";  ///< HARK_RECORDINGS_DIR: call recordings
  int http_threads = 4;              ///< HARK_HTTP_THREADS
  int http_max_connections = 4000;   ///< HARK_HTTP_MAX_CONNECTIONS (at most half the fd limit)
  std::string sip_trunk = "127.0.0.1:5070";  ///< HARK_SIP_TRUNK: calls go to sip:NUMBER@this
  double calls_per_second = 50;      ///< HARK_CPS: pacing of new INVITEs
  int max_calls = 300;               ///< HARK_MAX_CALLS: concurrent calls of this process
  int ring_timeout_s = 25;           ///< HARK_RING_TIMEOUT (15..120)
  int retry_unit_ms = 60000;         ///< HARK_RETRY_UNIT_MS: one retry "minute" (tests and demos shorten it)
  bool runner = true;                ///< HARK_RUNNER=off: REST API only, no dialing
  std::string metrics_token;         ///< HARK_METRICS_TOKEN: set, GET /metrics wants it as a bearer token

  /// Defaults overridden by the environment. Returns errors for values it could not use.
  static Config from_env(std::vector<std::string>* errors);

  /// Human-readable "key = value" lines for the start-up log; secrets are masked.
  std::vector<std::string> describe() const;
};

/// A connection URL with any password replaced by "***".
std::string mask_password(const std::string& url);

}  // namespace hark::control
