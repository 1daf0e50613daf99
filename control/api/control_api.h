// The control plane's REST API: what each route group needs, and where the routes live.
//   api_system.cpp     login/logout/me, /healthz, /metrics, /openapi.json
//   api_users.cpp      users
//   api_groups.cpp     groups and the audit log
//   api_campaigns.cpp  campaigns, start/stop, summary, capacity, live view and event stream
//   api_schedules.cpp  a campaign's schedule days
//   api_leads.cpp      leads
//   api_calls.cpp      the call log
//   api_live_calls.cpp the calls that are up in every process, call commands, all live figures
//   api_dnc.cpp        do-not-call lists, services and POST /donotcall
//   api_prompts.cpp    voicemail prompts (uploaded audio in the prompts folder)
//   api_recordings.cpp call recordings (HTTP Range), QA labels, the AMD confusion matrix, QA export
//   api_reports.cpp    reports: the filtered call log, per-day figures, lead results (JSON or CSV)
//   api_webhooks.cpp   webhooks for CRMs and their delivery logs (control/webhooks/)
//   campaign_scope.cpp the preamble of every /campaigns/{id}/... handler, and the campaign rows
//                      the campaign and schedule routes share
// Each endpoint is a named function HttpResponse f(ApiServices&, ApiContext&); each add_*_routes
// is a table of them (add_routes).
#pragma once

#include <functional>
#include <vector>

#include "signaling/sip_agent.h"

#include <boost/json.hpp>

#include <atomic>
#include <functional>
#include <initializer_list>
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
  std::string metrics_token;  ///< set: GET /metrics wants `Authorization: Bearer <it>`
  std::string prompts_dir;  ///< where uploaded prompts are kept (HARK_PROMPTS_DIR)
  /// External-service checks running now (`POST /dnc/services/{id}/check`): each holds a request
  /// thread, so at most max_dnc_checks run at once and the rest are refused with 503.
  std::shared_ptr<std::atomic<int>> dnc_checks_running = std::make_shared<std::atomic<int>>(0);
  int max_dnc_checks = 1;
  int dnc_check_timeout_ms = 3000;  ///< a check waits at most this long (or the service's timeout)
  /// The configured trunk groups: a campaign's trunkGroup must be one of them (empty: any).
  std::vector<std::string> trunk_groups{};
  /// The rotating log file (empty: none), and how many rotated files sit beside it.
  std::string log_file{};
  int log_file_count = 0;
  /// Each trunk's state for /healthz and /metrics (unset: no dialing in this process).
  std::function<std::vector<signaling::TrunkStatus>()> trunk_status{};
  std::string recordings_dir = {};  ///< call recordings, <attempt id>.wav (HARK_RECORDINGS_DIR)
  /// Where call commands wait for their owner's answer (null: no call control here).
  class CallReplies* call_replies = nullptr;
  int command_timeout_ms = 5000;  ///< a command's owner must answer within this (else 504)

  /// Writes who changed what into the audit log (inside the caller's transaction).
  void audit(pqxx::transaction_base& tx, const ApiContext& ctx, const std::string& action, const std::string& object,
             const boost::json::object& detail = {}) const;
};

/// One endpoint: a named function of the services and the request.
using ApiHandler = HttpResponse (*)(ApiServices& s, ApiContext& ctx);

/// One row of a route table: what Route holds, with a named handler instead of a closure.
struct RouteEntry {
  const char* method;
  const char* pattern;
  const char* summary;
  Access access;
  const char* body;  ///< "json", "csv", "audio" or "" (no body)
  ApiHandler handler;
};

/// Adds every row of `table` to `r`, in order (the order is the OpenAPI document's).
void add_routes(Router& r, ApiServices& s, std::initializer_list<RouteEntry> table);

void add_system_routes(Router& r, ApiServices& s);
void add_user_routes(Router& r, ApiServices& s);
void add_group_routes(Router& r, ApiServices& s);
void add_campaign_routes(Router& r, ApiServices& s);
void add_schedule_routes(Router& r, ApiServices& s);
void add_lead_routes(Router& r, ApiServices& s);
void add_lead_lifecycle_routes(Router& r, ApiServices& s);
void add_call_routes(Router& r, ApiServices& s);
/// api_live_calls.cpp: the calls that are up (every process), commands to them, GET /live.
void add_live_call_routes(Router& r, ApiServices& s);
/// POST /calls: click-to-dial, agent first or customer first (api_click_to_dial.cpp).
HttpResponse click_to_dial(ApiServices& s, ApiContext& ctx);
/// Today's figures of one campaign from PostgreSQL (calls up across processes, placed, answered,
/// ...), as GET /campaigns/{id}/live answers them.
boost::json::object campaign_live_figures(pqxx::transaction_base& tx, long long campaign_id, long long group_id);
void add_dnc_routes(Router& r, ApiServices& s);
void add_prompt_routes(Router& r, ApiServices& s);
/// The dashboard: GET / (the page) and GET /ui/{file} (its scripts and styles), no login needed
/// (the page logs in through the API like any client).
void add_web_routes(Router& r);
void add_recording_routes(Router& r, ApiServices& s);  // api_recordings.cpp: recordings, QA labels
void add_report_routes(Router& r, ApiServices& s);     // api_reports.cpp: call log, per day, leads
void add_webhook_routes(Router& r, ApiServices& s);    // api_webhooks.cpp: webhooks, delivery logs
void add_agent_routes(Router& r, ApiServices& s);      // api_agents.cpp: agent states (issue 18)

/// A Router with every route above.
std::unique_ptr<Router> make_router(ApiServices& s);

/// Checks that the campaign exists and `ctx`'s user may see it (write: change it). Returns its
/// group id. 404 when it does not exist or is in a group the user is not in (not 403: the
/// user should not learn it exists).
long long authorize_campaign(pqxx::transaction_base& tx, const ApiContext& ctx, long long campaign_id, bool write);

/// Whether a campaign handler only reads the campaign or changes it.
enum class CampaignUse { read, write };

/// What a /campaigns/{id}/... handler works in: the open transaction and the authorised campaign.
struct CampaignScope {
  pqxx::transaction_base& tx;
  long long id;     ///< the {id} path parameter
  long long group;  ///< the campaign's group
};

/// The preamble of every /campaigns/{id}/... handler: reads {id} (404 when not a positive
/// number), borrows a connection, opens a transaction (read-only for `read`), runs
/// authorize_campaign (404 for a campaign of another group), then `fn`; a write transaction is
/// committed when `fn` returns, and rolled back when it throws.
HttpResponse with_campaign(ApiServices& s, ApiContext& ctx, CampaignUse use,
                           const std::function<HttpResponse(CampaignScope&)>& fn);

/// For an event stream of `campaign_id` opened by `ctx`: true while the request's token is
/// still valid and its user may still see the campaign (stream_access.cpp).
std::function<bool()> stream_recheck(ApiServices& s, const ApiContext& ctx, long long campaign_id);

}  // namespace hark::control
