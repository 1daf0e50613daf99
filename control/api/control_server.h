// The control plane assembled: connection pool, auth, do-not-call index, metrics, routes and
// the HTTP server. `hark run` and the API tests build exactly this.
#pragma once

#include <memory>
#include <string>

#include "control/api/auth.h"
#include "control/api/call_replies.h"
#include "control/api/control_api.h"
#include "control/api/http_server.h"

namespace hark::control {

struct ControlServerOptions {
  HttpServerOptions http;
  AuthOptions auth;
  int db_connections = 8;
  std::string dnc_ca_file;
  std::string metrics_token;  ///< set: GET /metrics asks for it as a bearer token
  /// A `POST /dnc/services/{id}/check` waits at most this long (or the service's own timeout,
  /// when shorter): it holds a request thread meanwhile.
  int dnc_check_timeout_ms = 3000;
  std::string prompts_dir;  ///< uploaded voicemail prompts (HARK_PROMPTS_DIR)
  std::vector<std::string> trunk_groups;  ///< names a campaign's trunkGroup may take (empty: any)
  std::string log_file;                   ///< the rotating log file GET /api/v1/logs serves (empty: none)
  int log_file_count = 0;                 ///< rotated files kept beside it (hark.1.log, ...)
  std::string recordings_dir;  ///< call recordings, <attempt id>.wav (HARK_RECORDINGS_DIR)
  int command_timeout_ms = 5000;  ///< a call command's owner must answer within this (else 504)
};

class ControlServer {
 public:
  ControlServer(std::string database_url, ControlServerOptions o);
  ~ControlServer();
  /// Loads the do-not-call index and starts serving; returns an error, empty on success.
  std::string start();
  void stop();
  int port() const { return http_ ? http_->port() : 0; }
  bool http_tls() const { return http_ && http_->tls(); }
  /// Lets the API show the runner's live figures (call before start, or never).
  void set_runner(RunnerView* r) { services_.runner = r; }
  /// Lets /healthz and /metrics show each trunk's state (call before start).
  void set_trunk_status(std::function<std::vector<signaling::TrunkStatus>()> f) { services_.trunk_status = std::move(f); }

  sql::DbPool& db() { return db_; }
  Auth& auth() { return auth_; }
  DncIndex& dnc() { return dnc_; }
  Metrics& metrics() { return metrics_; }
  ApiServices& services() { return services_; }
  /// The routes (after start): tests check every one of them is covered.
  const Router* router() const { return router_.get(); }

 private:
  ControlServerOptions opt_;
  sql::DbPool db_;
  Auth auth_;
  DncIndex dnc_;
  Metrics metrics_;
  ApiServices services_;
  std::unique_ptr<CallReplies> replies_;  ///< the reply end of the call-command bus
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace hark::control
