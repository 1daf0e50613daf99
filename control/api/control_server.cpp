#include "control/api/control_server.h"

#include <algorithm>
#include <chrono>

namespace hark::control {

ControlServer::ControlServer(std::string database_url, ControlServerOptions o)
    : opt_(std::move(o)),
      db_(std::move(database_url), opt_.db_connections),
      auth_(db_, opt_.auth),
      services_{db_, auth_, dnc_, metrics_, nullptr, opt_.dnc_ca_file, opt_.metrics_token, opt_.prompts_dir} {
  // Service checks hold a request thread each: leave at least half of them to everything else.
  services_.max_dnc_checks = std::max(1, opt_.http.threads / 2);
  services_.dnc_check_timeout_ms = opt_.dnc_check_timeout_ms;
  services_.trunk_groups = opt_.trunk_groups;
  services_.log_file = opt_.log_file;
  services_.log_file_count = opt_.log_file_count;
  services_.recordings_dir = opt_.recordings_dir;
  replies_ = std::make_unique<CallReplies>(db_.url());
  services_.call_replies = replies_.get();
  services_.command_timeout_ms = opt_.command_timeout_ms;
}

ControlServer::~ControlServer() { stop(); }

std::string ControlServer::start() {
  try {
    db_.with([&](pqxx::connection& c) { dnc_.refresh(c); });
  } catch (const std::exception& e) {
    return std::string("loading do-not-call lists: ") + e.what();
  }
  metrics_.describe("hark_http_requests_total", "counter", "HTTP requests by method and status");
  metrics_.describe("hark_http_request_seconds", "histogram", "HTTP request handling time");
  router_ = make_router(services_);
  replies_->start();
  http_ = std::make_unique<HttpServer>(opt_.http, [this](const HttpRequest& req) {
    const auto t0 = std::chrono::steady_clock::now();
    auto res = router_->handle(req);
    auto count = [this, t0, method = req.method](int status) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      metrics_.inc("hark_http_requests_total{method=\"" + method + "\",code=\"" + std::to_string(status) + "\"}");
      metrics_.observe("hark_http_request_seconds", "", s, {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
    };
    if (!res.later) {
      count(res.status);
      return res;
    }
    // Answered later (a login): counted when the answer is there.
    auto outer = std::make_shared<LaterResponse>();
    res.later->on_finish([outer, count](HttpResponse r) {
      count(r.status);
      outer->finish(std::move(r));
    });
    res.later = outer;
    return res;
  });
  return http_->start();
}

void ControlServer::stop() {
  if (http_) http_->stop();
  if (replies_) replies_->stop();
  // Logins still waiting for a password check hold their connections: drop them while the
  // HTTP server they belong to still exists.
  auth_.stop();
}

}  // namespace hark::control
