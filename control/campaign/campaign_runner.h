// The campaign runner: progressive dialing of STARTED campaigns.
//
// One thread. Each tick it heart-beats, closes attempts left DIALING by dead hark processes,
// moves schedules along the clock (campaign time zone), and for every campaign whose today's
// schedule is RUNNING claims as many due leads as it has free capacity for (FOR UPDATE SKIP
// LOCKED, so processes sharing a database never dial one lead twice at once), checks each
// number against the campaign's do-not-call source (fail closed), writes the attempt row
// (DIALING) and only then places the call. An external do-not-call service is asked before the
// claim, on a few threads of its own (DncCheckPool), within a per-campaign time budget: the
// campaign's row is never locked while a service thinks, and a slow service delays only its
// own campaign's leads (those not answered in time wait for a later tick, uncharged). Call ends come back as events and become the
// attempt's result and the lead's status, with the retry time; a database that is down only
// delays that write.
//
// The store is an interface (RunnerStore: PostgreSQL, or a fake in unit tests); the decisions
// are pure functions (runner_rules.h). campaign_runner.cpp: the tick and the claim;
// runner_calls.cpp: call events, live figures, event streams, writing the ends.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/campaign/abandon_rules.h"
#include "control/campaign/agent_board.h"
#include "control/campaign/call_commands.h"
#include "control/campaign/dnc_check_pool.h"
#include "control/campaign/dnc_index.h"
#include "control/campaign/metrics.h"
#include "control/campaign/runner_rules.h"
#include "control/campaign/runner_view.h"
#include "control/campaign/runner_store.h"
#include "control/campaign/dnc_client.h"
#include "control/campaign/trunk_backoff.h"
#include "media/media_types.h"
#include "signaling/sip_agent.h"

namespace hark::control {

struct RunnerOptions {
  std::string instance_id;   ///< unique per process; empty: random
  int tick_ms = 200;
  int retry_unit_ms = 60000; ///< how long one "minute" of retry time lasts (tests shorten it)
  int max_concurrent = 300;  ///< calls this process places at once, all campaigns together
  int stale_after_s = 10;    ///< another process silent this long is dead: its DIALING attempts close
  int claim_batch = 50;      ///< leads claimed per campaign per tick at most
  std::string dnc_ca_file;
  int dnc_threads = 16;      ///< external do-not-call lookups at once (one campaign: half of them)
  int dnc_budget_ms = 500;   ///< the runner waits this long per campaign per tick for lookups
  int dnc_probe_ms = 2000;   ///< a down do-not-call service is probed (one lead) this often (tests shorten it)
  std::string prompts_dir;   ///< the prompts folder (HARK_PROMPTS_DIR): voicemail prompts by id
  std::string recordings_dir;  ///< recordings past their campaign's retention are deleted here
  int retention_sweep_s = 600; ///< how often the recordings folder is swept
  TrunkBackoffOptions trunk_backoff;  ///< when a failing trunk pauses dialing (trunk_backoff.h)
  /// The configured trunk groups (name, trunks in failover order). Empty: the agent's trunks
  /// are one back-off, and calls name no trunk.
  std::vector<std::pair<std::string, std::vector<std::string>>> trunk_groups;
};

class CampaignRunner : public RunnerView {
 public:
  using Dialer = std::function<uint64_t(signaling::CallRequest)>;
  /// Asks a do-not-call service about a number (check_dnc; tests give a fake).
  using DncCheck = std::function<DncAnswer(const DncService&, const std::string& number, std::string* error)>;
  /// The runner on PostgreSQL at `database_url`.
  CampaignRunner(std::string database_url, DncIndex& dnc, Metrics& metrics, RunnerOptions o, Dialer dial);
  /// The runner on any store.
  CampaignRunner(std::unique_ptr<RunnerStore> store, DncIndex& dnc, Metrics& metrics, RunnerOptions o, Dialer dial,
                 DncCheck dnc_check = check_dnc);
  ~CampaignRunner() override;

  /// Feed every SipAgent event here (any thread).
  void on_call_event(const signaling::CallEvent& e);
  void start();
  /// One tick on the calling thread, as the runner's thread does it (tests; not with `start`).
  void run_once();
  /// No new calls from now on (shutdown: then stop the SipAgent, then `stop`).
  void pause() { paused_ = true; }
  /// Stops the thread after writing the ends of the calls already over.
  void stop();
  /// Calls placed by this runner and not yet written back.
  size_t calls_in_flight() const;
  /// Completions waiting for the database (it is down).
  size_t unwritten() const;

  /// This process's id in runner_instances (owner of its calls in live_calls).
  const std::string& instance_id() const { return opt_.instance_id; }
  /// A call of this runner that is up, for call control: the SipAgent's id and the state as
  /// live_calls names it. nullopt: not ours, or over. Any thread.
  std::optional<OwnedCall> owned_call(long long attempt_id) const;

  boost::json::object live(long long campaign_id) override;
  std::shared_ptr<EventStream> subscribe(long long campaign_id) override;
  void wake() override;
  /// Click-to-dial: queued here, placed by the next tick (runner_click.cpp).
  void place_call(ClickToDial req, ClickPlaced done) override;

  struct Campaign;
  struct Call;
  struct Pacer;  ///< a campaign's pacing state (runner_pacing.cpp)
  struct Live {
    int dialing = 0, ringing = 0, connected = 0;
    uint64_t placed = 0, answered = 0, transferred = 0, machines = 0, fax_sit = 0, failed = 0, dropped = 0,
             dnc = 0, ended = 0, abandoned = 0;
    std::deque<std::chrono::steady_clock::time_point> recent;  ///< dials of the last 10 s
  };

 private:
  void loop();
  void tick();
  void move_schedules();
  /// The campaign's plan, decoded again only when its row changed.
  std::shared_ptr<const CampaignPlan> plan_for(const sql::CampaignRecord& r);
  void dial_campaign(const sql::RunnableCampaign& rc);
  /// The due leads of a campaign with an external service, asked about on the pool: those
  /// answered within the budget, by lead id. nullopt: the service failed (fail closed).
  std::optional<std::vector<std::pair<long long, DncAnswer>>> service_answers(const sql::RunnableCampaign& rc, int want);
  void handle_events();
  /// Places the queued click-to-dial calls (runner_click.cpp).
  void place_clicks();
  /// Answers every queued click-to-dial with `why` (stop, pause).
  void refuse_clicks(const std::string& why);
  void write_completion(const Call& call, const signaling::CallEvent& e, bool charged);
  /// Feeds a call's end to the back-off of each trunk it tried; true when a trunk failed it
  /// (not charged).
  bool note_trunk_end(const Call& call, const signaling::CallEvent& e);
  /// Feeds one trunk's part in a call to its back-off; true when it failed the call and the
  /// breaker is not closed.
  bool note_trunk(const std::string& trunk, bool failed, int code, const std::string& cause);
  /// The back-off of a trunk (by name; "" when no groups are configured).
  TrunkBackoff& backoff(const std::string& trunk);
  /// A call's route now: the group's trunks whose back-off lets a call through, in failover
  /// order (each counts the dial); the whole group when none does (a probe was taken meanwhile);
  /// empty without trunk groups (the agent's one trunk).
  std::vector<std::string> route_now(const std::vector<std::string>& members);
  /// A call ready to go: its attempt is written, its INVITE not yet sent.
  struct ToDial {
    std::shared_ptr<Call> call;
    signaling::CallRequest req;
  };
  /// After the claim's commit: counts the campaign's do-not-call hits, adds the calls to the
  /// call table and live figures, and sends their INVITEs (the SIP ids kept for call control).
  void send_dials(long long campaign_id, std::vector<ToDial>& to_dial, int dnc_hits);
  /// The trunks of a campaign's group, in failover order ({""} when no groups are configured).
  const std::vector<std::string>& group_trunks(const std::string& group) const;
  void publish(const Call& call, const signaling::CallEvent& e);
  /// Queues the calls' webhook events (all but `ended`, which goes with the attempt's end) in
  /// the store's outbox, one transaction a tick; kept while the store is away
  /// (control/webhooks/README.md).
  void flush_webhooks();
  /// Prompt `id` from the prompts folder, loaded once; throws PromptUnusable.
  const media::Prompt* prompt(long long id);
  // Pacing (issue 18; runner_pacing.cpp).
  /// The campaign's pacing state (created on first use).
  Pacer& pacer(long long campaign_id);
  /// Seconds on the runner's clock (PacingEstimate's time).
  double now_s() const;
  /// Whether the campaign's calls go through its AgentBoard (a person takes a free agent or is
  /// abandoned): any mode but progressive, and progressive once agents report their states.
  /// Agentless campaigns (fixedChannels) never do.
  bool gated(const sql::CampaignRecord& r);
  /// The campaign's capacity under its dialing mode: the agents and rates read from the store,
  /// the figures of its calls in flight, pace(). `cap` is the progressive capacity.
  Capacity paced_capacity(const sql::RunnableCampaign& rc, Capacity cap, int mine);
  /// Preview: dials the leads agents accepted, each transferred to its agent (no gate: the
  /// agent waits for it). Checked against the campaign's do-not-call list.
  void dial_previews(const sql::RunnableCampaign& rc, int mine);
  /// A call's event, for its campaign's estimate and agent board (under mu_).
  void pacing_event(Call& call, const signaling::CallEvent& e);
  /// Pauses a campaign that cannot be served, with the reason (logged, and kept as its lastError).
  void pause_campaign(long long id, const std::string& reason);

  std::unique_ptr<RunnerStore> store_;
  DncIndex& dnc_;
  Metrics& metrics_;
  RunnerOptions opt_;
  Dialer dial_;
  DncCheck dnc_check_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  mutable std::mutex mu_;  // events_, calls_, live_, subscribers_
  std::condition_variable cv_;
  bool woken_ = false;
  std::deque<signaling::CallEvent> events_;
  std::deque<std::pair<ClickToDial, ClickPlaced>> clicks_;  ///< asked, not placed yet
  std::map<uint64_t, std::shared_ptr<Call>> calls_;  ///< by attempt id (the call's tag)
  std::deque<std::pair<std::shared_ptr<Call>, signaling::CallEvent>> unwritten_;
  /// Ends taken from unwritten_ that handle_events() is writing again (off the lock): counted
  /// by unwritten(), which otherwise read 0 during each retry while the database was down.
  size_t unwritten_retrying_ = 0;
  std::map<long long, Live> live_;
  std::vector<std::pair<long long, std::weak_ptr<EventStream>>> subscribers_;
  std::map<long long, std::unique_ptr<media::Prompt>> prompts_;  ///< by prompt id; never freed (calls hold them)
  std::map<long long, std::string> failing_;  ///< campaigns whose last dial failed, with why (logged once)
  std::map<long long, std::shared_ptr<const CampaignPlan>> plans_;  ///< by campaign (runner thread)
  std::map<long long, std::chrono::steady_clock::time_point> dnc_probe_at_;
  struct DncLookup {
    std::string phone;
    std::shared_ptr<const DncCheckPool::Lookup> lookup;
    std::chrono::steady_clock::time_point asked;
  };
  std::map<long long, std::map<long long, DncLookup>> dnc_lookups_;  ///< by campaign, then lead (runner thread)
  std::chrono::steady_clock::time_point last_heartbeat_{}, last_recovery_{}, last_retention_sweep_{};
  bool db_down_logged_ = false;
  std::vector<QueuedWebhook> webhook_backlog_;  ///< not yet in the outbox; runner thread only
  std::map<std::string, TrunkBackoff> backoffs_;  ///< by trunk name; runner thread only
  std::map<long long, std::unique_ptr<Pacer>> pacers_;  ///< by campaign; runner thread (events under mu_)
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();  ///< now_s() counts from here
  // Last: destroyed first, so no lookup finishes into a runner being torn down.
  std::unique_ptr<DncCheckPool> dnc_pool_;
};

}  // namespace hark::control
