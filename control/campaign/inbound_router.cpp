#include "control/campaign/inbound_router.h"

#include <spdlog/spdlog.h>

#include "sql/db_pool.h"
#include "sql/inbound_store.h"

namespace hark::control {

InboundRouter::InboundRouter(std::string database_url, InboundSettings settings, std::string instance_id, Route route,
                             int decision_ms)
    : url_(std::move(database_url)), settings_(std::move(settings)), instance_(std::move(instance_id)),
      route_(std::move(route)), decision_ms_(decision_ms) {}

InboundRouter::~InboundRouter() { stop(); }

void InboundRouter::on_call_event(const signaling::CallEvent& e) {
  if (e.state != signaling::CallState::inbound) return;
  std::lock_guard lk(mu_);
  queue_.emplace_back(e, std::chrono::steady_clock::now());
  cv_.notify_one();
}

void InboundRouter::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void InboundRouter::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void InboundRouter::loop() {
  for (;;) {
    signaling::CallEvent e;
    std::chrono::steady_clock::time_point at;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      e = std::move(queue_.front().first);
      at = queue_.front().second;
      queue_.pop_front();
    }
    if (std::chrono::steady_clock::now() - at >= std::chrono::milliseconds(decision_ms_)) too_late(e);
    else handle(e);
  }
}

void InboundRouter::too_late(const signaling::CallEvent& e) {
  spdlog::warn("inbound call {} from '{}': waited {} ms for the router; the caller got 480", e.call_id, e.number,
               decision_ms_);
}

void InboundRouter::handle(const signaling::CallEvent& e) {
  const CallerNumber caller = parse_caller(e.number, settings_);
  std::vector<LeadMatch> matches;
  if (!caller.internal && !caller.number.empty()) {
    try {
      if (!db_) db_ = sql::open_prepared(url_);
      for (auto& r : sql::inbound_leads(*db_, caller.number))
        matches.push_back({r.lead_id, r.campaign_id, std::move(r.pilot), r.last_attempt_us});
    } catch (const std::exception& ex) {
      db_.reset();  // reopened for the next caller
      spdlog::warn("inbound call {} from '{}': cannot look up leads ({}){}", e.call_id, e.number, ex.what(),
                   settings_.default_route.empty() ? "; the caller gets 480" : "; default route");
      if (!settings_.default_route.empty()) {
        route_(e.call_id, settings_.default_route);
        ++decided_;
      }
      return;
    }
  }
  const InboundDecision d = decide_inbound(caller, matches, settings_);
  route_(e.call_id, d.target);  // first: the caller waits, the log does not
  ++decided_;
  std::string leads;
  for (const auto& [campaign, ids] : d.leads_by_campaign)
    for (long long id : ids) {
      if (!leads.empty()) leads += ',';
      leads += std::to_string(id);
    }
  spdlog::info("inbound call {} from '{}' ({}{}{}): {}", e.call_id, e.number, to_string(d.kind),
               caller.number.empty() ? "" : " " + caller.number, leads.empty() ? "" : ", leads " + leads,
               d.target.empty() ? "no route (404)" : "to " + d.target);
  sql::InboundLog log;
  log.caller_raw = e.number;
  log.caller = caller.number;
  log.called = e.called;
  log.kind = std::string(to_string(d.kind));
  log.target = d.target;
  log.trunk = e.trunk;
  log.instance_id = instance_;
  log.campaign_id = d.campaign_id;
  log.leads_by_campaign = d.leads_by_campaign;
  try {
    if (!db_) db_ = sql::open_prepared(url_);
    sql::log_inbound(*db_, log);
  } catch (const std::exception& ex) {
    db_.reset();
    spdlog::warn("inbound call {}: not written to the call log ({})", e.call_id, ex.what());
  }
}

}  // namespace hark::control
