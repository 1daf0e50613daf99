// The control plane's REST API: what each route group needs, and where the routes live.
//   api_system.cpp    login/logout/me, /healthz, /metrics, /openapi.json
//   api_users.cpp     users, groups, audit log
//   api_campaigns.cpp campaigns, schedules, start/stop, summary, capacity, live view
//   api_leads.cpp     leads and the call log
//   api_dnc.cpp       do-not-call lists, services and POST /donotcall
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <memory>

#include "control/api/api.h"
#include "control/campaign/runner_view.h"
#include "control/api/auth.h"
#include "control/campaign/dnc_index.h"
#include "control/campaign/metrics.h"
#include "sql/db_pool.h"

namespace hark::control {

struct ApiServices {
  sql::DbPool& db;
  Auth& auth;
  DncIndex& dnc;
  Metrics& metrics;
  RunnerView* runner = nullptr;
  std::string dnc_ca_file;  ///< extra CA for external do-not-call services

  /// Writes who changed what into the audit log (inside the caller's transaction).
  void audit(pqxx::transaction_base& tx, const ApiContext& ctx, const std::string& action, const std::string& object,
             const boost::json::object& detail = {}) const;
};

void add_system_routes(Router& r, ApiServices& s);
void add_user_routes(Router& r, ApiServices& s);
void add_campaign_routes(Router& r, ApiServices& s);
void add_lead_routes(Router& r, ApiServices& s);
void add_dnc_routes(Router& r, ApiServices& s);

/// A Router with every route above.
std::unique_ptr<Router> make_router(ApiServices& s);

/// Checks that the campaign exists and `ctx`'s user may see it (write: change it). Returns its
/// group id. 404 when it does not exist or is in a group the user is not in (not 403: the
/// user should not learn it exists).
long long authorize_campaign(pqxx::transaction_base& tx, const ApiContext& ctx, long long campaign_id, bool write);

/// For an event stream of `campaign_id` opened by `ctx`: true while the request's token is
/// still valid and its user may still see the campaign (stream_access.cpp).
std::function<bool()> stream_recheck(ApiServices& s, const ApiContext& ctx, long long campaign_id);

}  // namespace hark::control
