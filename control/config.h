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
  int http_threads = 4;              ///< HARK_HTTP_THREADS

  /// Defaults overridden by the environment. Returns errors for values it could not use.
  static Config from_env(std::vector<std::string>* errors);

  /// Human-readable "key = value" lines for the start-up log; secrets are masked.
  std::vector<std::string> describe() const;
};

/// A connection URL with any password replaced by "***".
std::string mask_password(const std::string& url);

}  // namespace hark::control
