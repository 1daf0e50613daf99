// hark's configuration: embedded defaults, overridden by environment variables.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "signaling/trunk.h"

namespace hark::control {

struct Config {
  std::string database_url;          ///< DATABASE_URL; empty: none configured
  std::string http_listen = "127.0.0.1:8080";  ///< HARK_HTTP_LISTEN
  std::string sip_listen = "127.0.0.1:5060";   ///< HARK_SIP_LISTEN
  int rtp_port_min = 20000;          ///< HARK_RTP_PORTS=min-max
  int rtp_port_max = 29999;
  int media_workers = 0;             ///< HARK_MEDIA_WORKERS; 0: one per core
  std::string media_io = "auto";     ///< HARK_MEDIA_IO: auto, uring or epoll (socket I/O path)
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
  int stale_after_s = 10;            ///< HARK_STALE_AFTER_S: another hark process silent this long is dead
  bool runner = true;                ///< HARK_RUNNER=off: REST API only, no dialing
  std::string metrics_token;         ///< HARK_METRICS_TOKEN: set, GET /metrics wants it as a bearer token
  /// Inbound callbacks ([inbound]): where unknown and internal callers go (a number or sip:
  /// URI; empty: 404), HARK_INBOUND_DEFAULT_ROUTE; callers' region and internal-number length.
  std::string inbound_default_route;
  std::string inbound_default_region = "US";  ///< HARK_INBOUND_REGION
  int inbound_internal_length = 4;             ///< HARK_INBOUND_INTERNAL_LENGTH (0..15)

  // From the configuration file only ([sip], [log], [[trunk]], [trunk_groups]):
  std::string config_file;           ///< the file read; empty: built-in defaults and environment
  std::string sip_advertised;        ///< NAT: the address put in Via/Contact instead of the bound one
  std::string media_address;         ///< NAT: the address in our SDP; empty: the SIP listen host
  std::string music_on_hold;         ///< [media] music_on_hold: 8 kHz WAV played to held calls; empty: built-in
  std::string sip_tls_listen;        ///< SIP over TLS on this host:port; empty: no TLS
  std::string sip_tls_cert, sip_tls_key, sip_tls_ca;  ///< PEM files
  bool sip_tls_verify = true;        ///< check the trunk's certificate against sip_tls_ca
  std::string log_file;              ///< also log to this rotating file (GET /api/v1/logs serves it)
  int log_file_max_mb = 10, log_file_count = 5;
  /// The trunks; without a [[trunk]] in the file, one named "default" at HARK_SIP_TRUNK.
  std::vector<signaling::Trunk> trunks;
  /// Named groups of trunks, in failover order; without [trunk_groups], "default" holds every trunk.
  std::vector<std::pair<std::string, std::vector<std::string>>> trunk_groups;

  /// Defaults overridden by the environment. Returns errors for values it could not use.
  static Config from_env(std::vector<std::string>* errors);
  /// Defaults, then the file `path` (when not empty), then the environment. Errors name the
  /// file, the line and the key ("hark.toml:12: sip.listen: ...").
  static Config load(const std::string& path, std::vector<std::string>* errors);

  /// Human-readable "key = value" lines for the start-up log; secrets are masked.
  std::vector<std::string> describe() const;
};

/// The configuration file `hark run` reads without --config: /etc/hark/hark.toml when it exists.
std::string default_config_file();

/// Reads the TOML file `path` over `c`; every problem is one line "FILE:LINE: KEY: why".
void read_config_file(const std::string& path, Config& c, std::vector<std::string>& errors);

/// A connection URL with any password replaced by "***".
std::string mask_password(const std::string& url);

}  // namespace hark::control
