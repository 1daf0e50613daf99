#include "signaling/call_policy.h"

#include <gtest/gtest.h>

using namespace hark;
using namespace hark::signaling;
using namespace std::chrono_literals;
using K = Action::Kind;

namespace {
const Clock::time_point t0 = Clock::time_point{} + 1h;

// An answered call at t0, in state `answered`, with the AMD's timings.
CallFacts answered(CallPlan plan) {
  CallFacts f;
  f.plan = std::move(plan);
  f.beep_timeout_ms = 30000;
  f.analysis_ms = 5000;
  f.dialed = true;
  f.ring_deadline = t0 + 25s;
  f.answered = true;
  f.answered_at = t0;
  f.state = CallState::answered;
  f.state_at = t0;
  return f;
}

// `f` after verdict `v` at `at`.
CallFacts with_verdict(CallFacts f, amd::Verdict v, Clock::time_point at) {
  f.has_verdict = true;
  f.verdict = v;
  f.state = CallState::verdict;
  f.state_at = at;
  return f;
}

const media::Prompt kMessage = media::Prompt::from_pcm(std::vector<int16_t>(800, 100));
}  // namespace

TEST(CallPolicy, CampaignTransfersAPersonAndAnUnsureVerdict) {
  const CallPolicy p;
  const auto f = answered(CallPlan::campaign("9999", &kMessage));
  for (auto v : {amd::Verdict::human, amd::Verdict::unknown}) {
    const Action a = p.on_verdict(f, v, t0 + 2s);
    EXPECT_EQ(a.kind, K::transfer);
    EXPECT_EQ(a.target, "9999");
  }
}

TEST(CallPolicy, CampaignWithoutPilotHangsUpOnAPersonAsUnknown) {
  const CallPolicy p;
  const Action a = p.on_verdict(answered(CallPlan::campaign("", nullptr)), amd::Verdict::human, t0 + 2s);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::unknown);
  EXPECT_NE(a.cause.find("no transfer target"), std::string::npos) << a.cause;
}

TEST(CallPolicy, MachineWaitsForTheBeepThenTheMessageEndsTheCall) {
  const CallPolicy p;
  auto f = answered(CallPlan::campaign("9999", &kMessage));
  Action a = p.on_verdict(f, amd::Verdict::machine, t0 + 3s);
  ASSERT_EQ(a.kind, K::wait_for_beep);
  EXPECT_EQ(a.prompt, &kMessage);
  EXPECT_EQ(a.deadline, t0 + 3s + 30s);
  f = with_verdict(f, amd::Verdict::machine, t0 + 3s);
  EXPECT_EQ(p.on_beep(f).kind, K::none);  // not (yet) waiting: a beep means nothing
  f.waiting_for_beep = true;
  f.beep_deadline = a.deadline;
  f.message = a.prompt;
  EXPECT_EQ(p.on_timer(f, t0 + 10s).kind, K::none);
  a = p.on_beep(f);
  EXPECT_EQ(a.kind, K::play_message);
  EXPECT_EQ(a.prompt, &kMessage);
  f.waiting_for_beep = false;
  f.state = CallState::playing_message;
  a = p.on_playback_done(f);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::amd);
  EXPECT_NE(a.cause.find("message left"), std::string::npos);
}

TEST(CallPolicy, NoBeepByTheDeadlinePlaysTheMessageAnyway) {
  const CallPolicy p;
  auto f = with_verdict(answered(CallPlan::campaign("9999", &kMessage)), amd::Verdict::machine, t0 + 3s);
  f.waiting_for_beep = true;
  f.beep_deadline = t0 + 33s;
  f.message = &kMessage;
  EXPECT_EQ(p.on_timer(f, t0 + 32s).kind, K::none);
  const Action a = p.on_timer(f, t0 + 33s);
  EXPECT_EQ(a.kind, K::play_message);
  EXPECT_EQ(a.prompt, &kMessage);
}

TEST(CallPolicy, MachineWithoutMessageFaxSitAndDeadAirHangUpWithTheirStatus) {
  const CallPolicy p;
  const auto f = answered(CallPlan::campaign("9999", nullptr));
  struct Case { amd::Verdict v; LeadStatus want; const char* cause; };
  for (const Case& c : {Case{amd::Verdict::machine, LeadStatus::amd, "answering machine"},
                        Case{amd::Verdict::fax, LeadStatus::amd, "fax"},
                        Case{amd::Verdict::sit, LeadStatus::failure, "SIT"},
                        Case{amd::Verdict::silence, LeadStatus::unknown, "dead air"}}) {
    const Action a = p.on_verdict(f, c.v, t0 + 2s);
    EXPECT_EQ(a.kind, K::hang_up) << c.cause;
    EXPECT_EQ(a.outcome, c.want) << c.cause;
    EXPECT_NE(a.cause.find(c.cause), std::string::npos) << a.cause;
  }
}

TEST(CallPolicy, EachVerdictGetsItsOwnReaction) {
  const CallPolicy p;
  CallPlan plan;
  plan.person = Reaction::hold(20000);
  plan.machine = Reaction::transfer("sip:vm@example.net");
  plan.fax = Reaction::voicemail(&kMessage);
  const auto f = answered(plan);
  EXPECT_EQ(p.on_verdict(f, amd::Verdict::human, t0 + 2s).kind, K::hold_until);
  EXPECT_EQ(p.on_verdict(f, amd::Verdict::machine, t0 + 2s).target, "sip:vm@example.net");
  EXPECT_EQ(p.on_verdict(f, amd::Verdict::fax, t0 + 2s).kind, K::wait_for_beep);
  EXPECT_EQ(p.on_verdict(f, amd::Verdict::sit, t0 + 2s).kind, K::hang_up);
  // A mixed plan must wait for the verdict: no hold starts at the answer.
  EXPECT_EQ(p.on_answer(f, t0).kind, K::none);
}

TEST(CallPolicy, TransferSucceedsOnA2xxNotifyAndFailsOnAnError) {
  const CallPolicy p;
  auto f = with_verdict(answered(CallPlan::campaign("9999", nullptr)), amd::Verdict::human, t0 + 2s);
  EXPECT_EQ(p.on_notify(f, 200, "SIP/2.0 200 OK").kind, K::none);  // no REFER out
  f.state = CallState::transferring;
  f.transfer_target = "9999";
  EXPECT_EQ(p.on_notify(f, 100, "SIP/2.0 100 Trying").kind, K::none);
  EXPECT_EQ(p.on_notify(f, 180, "SIP/2.0 180 Ringing").kind, K::none);
  Action a = p.on_notify(f, 200, "SIP/2.0 200 OK");
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::success);
  EXPECT_TRUE(a.transferred);
  EXPECT_EQ(a.cause, "transferred to 9999");
  a = p.on_notify(f, 486, "SIP/2.0 486 Busy Here");
  EXPECT_EQ(a.outcome, LeadStatus::unknown);
  EXPECT_EQ(a.cause, "transfer failed: SIP/2.0 486 Busy Here");
  EXPECT_EQ(p.on_refer_response(f, 202, "Accepted").kind, K::none);
  EXPECT_EQ(p.on_refer_response(f, 403, "Forbidden").kind, K::hang_up);
  EXPECT_EQ(p.on_refer_response(f, 403, "Forbidden").outcome, LeadStatus::unknown);
}

TEST(CallPolicy, AVerdictDuringARequestedTransferChangesNothing) {
  const CallPolicy p;
  auto f = answered(CallPlan::campaign("9999", &kMessage));
  EXPECT_EQ(p.on_transfer_request(f, "7777").target, "7777");
  f.state = CallState::transferring;
  EXPECT_EQ(p.on_transfer_request(f, "7777").kind, K::none);  // one REFER at a time
  EXPECT_EQ(p.on_verdict(f, amd::Verdict::machine, t0 + 2s).kind, K::none);
  CallFacts ringing = answered({});
  ringing.answered = false;
  EXPECT_EQ(p.on_transfer_request(ringing, "7777").kind, K::none);
  CallFacts over = answered({});
  over.dialed = false;  // its SIP handle is gone: nothing to send a REFER on
  EXPECT_EQ(p.on_transfer_request(over, "7777").kind, K::none);
}

TEST(CallPolicy, LoadTestHoldsEveryCallFromTheAnswerVerdictOrNot) {
  const CallPolicy p;
  auto f = answered(CallPlan::load_test(8000));
  Action a = p.on_answer(f, t0);
  ASSERT_EQ(a.kind, K::hold_until);
  EXPECT_EQ(a.deadline, t0 + 8s);
  f.hold_until = a.deadline;
  // The verdict before the end of the hold: keep holding.
  a = p.on_verdict(f, amd::Verdict::machine, t0 + 3s);
  EXPECT_EQ(a.kind, K::hold_until);
  f = with_verdict(f, amd::Verdict::machine, t0 + 3s);
  EXPECT_EQ(p.on_timer(f, t0 + 7900ms).kind, K::none);
  a = p.on_timer(f, t0 + 8s);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::amd);
  EXPECT_NE(a.cause.find("held 8000 ms"), std::string::npos) << a.cause;
}

TEST(CallPolicy, LoadTestHoldShorterThanTheVerdictHangsUpWithoutOne) {
  const CallPolicy p;
  auto f = answered(CallPlan::load_test(1000));
  f.hold_until = t0 + 1s;
  const Action a = p.on_timer(f, t0 + 1s);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::unknown);
  // A verdict arriving after the hold is over hangs up at once.
  const Action late = p.on_verdict(f, amd::Verdict::human, t0 + 2s);
  EXPECT_EQ(late.kind, K::hang_up);
}

TEST(CallPolicy, LoadTestWithoutHoldHangsUpAtTheVerdict) {
  const CallPolicy p;
  const auto f = answered(CallPlan::load_test(0));
  EXPECT_EQ(p.on_answer(f, t0).kind, K::none);
  for (auto v : {amd::Verdict::human, amd::Verdict::machine, amd::Verdict::silence}) {
    const Action a = p.on_verdict(f, v, t0 + 2s);
    EXPECT_EQ(a.kind, K::hang_up);
    EXPECT_EQ(a.outcome, status_for_answered(v, false));
  }
}

TEST(CallPolicy, WithoutAmdTheAnswerIsAPerson) {
  const CallPolicy p;
  auto f = answered(CallPlan::campaign("9999", nullptr));
  f.amd = false;
  EXPECT_EQ(p.on_answer(f, t0).kind, K::transfer);
}

TEST(CallPolicy, EarlyMediaOnlyActsOnSit) {
  const CallPolicy p;
  EXPECT_EQ(p.on_early_verdict(amd::Verdict::human).kind, K::none);
  const Action a = p.on_early_verdict(amd::Verdict::sit);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::failure);
}

TEST(CallPolicy, RingTimeoutCancelsAsNoAnswer) {
  PolicySettings s;
  s.ring_timeout_s = 25;
  const CallPolicy p(s);
  auto f = answered({});
  f.answered = false;
  f.state = CallState::ringing;
  EXPECT_EQ(p.on_timer(f, t0 + 24s).kind, K::none);
  const Action a = p.on_timer(f, t0 + 25s);
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::no_answer);
  EXPECT_TRUE(a.ring_timeout);
  EXPECT_EQ(a.cause, "ring timeout after 25 s");
  f.dialed = false;  // still queued: no timer runs
  EXPECT_EQ(p.on_timer(f, t0 + 60s).kind, K::none);
}

TEST(CallPolicy, WatchdogEndsACallStuckWithoutProgress) {
  const CallPolicy p;  // analysis 5 s + 15 s
  auto f = answered(CallPlan::campaign("9999", nullptr));
  EXPECT_EQ(p.on_timer(f, t0 + 20s).kind, K::none);
  Action a = p.on_timer(f, t0 + 20s + 1ms);  // no verdict ever came
  EXPECT_EQ(a.kind, K::hang_up);
  EXPECT_NE(a.cause.find("state answered"), std::string::npos) << a.cause;
  f.state = CallState::transferring;  // a NOTIFY that never comes
  a = p.on_timer(f, t0 + 21s);
  EXPECT_NE(a.cause.find("state transferring"), std::string::npos) << a.cause;
  f.state = CallState::playing_message;  // the prompt's own end ends it
  EXPECT_EQ(p.on_timer(f, t0 + 60s).kind, K::none);
}

TEST(CallPolicy, WatchdogReleasesAnUnansweredByeAndAMissingEndOfStream) {
  const CallPolicy p;
  auto f = answered({});
  f.ending = true;
  f.ending_at = t0 + 1s;
  EXPECT_EQ(p.on_timer(f, t0 + 41s).kind, K::none);
  EXPECT_EQ(p.on_timer(f, t0 + 41s + 1ms).kind, K::release_sip);
  f.closing = true;  // SIP side over, the media's `ended` lost
  f.closing_at = t0 + 50s;
  f.dialed = false;
  EXPECT_EQ(p.on_timer(f, t0 + 60s).kind, K::none);
  EXPECT_EQ(p.on_timer(f, t0 + 60s + 1ms).kind, K::force_complete);
}

TEST(CallPolicy, PeerEndingsFixTheOutcome) {
  const CallPolicy p;
  auto f = answered({});
  Action a = p.on_callee_bye(f);
  EXPECT_EQ(a.kind, K::peer_ended);
  EXPECT_EQ(a.cause, "callee hung up before a verdict");
  f = with_verdict(f, amd::Verdict::machine, t0 + 2s);
  EXPECT_EQ(p.on_callee_bye(f).outcome, LeadStatus::amd);
  f.state = CallState::playing_message;
  EXPECT_EQ(p.on_callee_bye(f).cause, "machine hung up during the message");
  f.ending = true;
  EXPECT_EQ(p.on_callee_bye(f).kind, K::none);  // we hung up first: our outcome stands

  CallFacts ringing;
  ringing.dialed = true;
  EXPECT_EQ(p.on_invite_failed(ringing, 486, "Busy Here").outcome, LeadStatus::busy);
  EXPECT_EQ(p.on_invite_failed(ringing, 486, "Busy Here").cause, "486 Busy Here");
  EXPECT_EQ(p.on_invite_failed(ringing, 487, "Request Terminated").outcome, LeadStatus::unknown);
  ringing.ending = true;  // our CANCEL (ring timeout) already fixed it
  EXPECT_EQ(p.on_invite_failed(ringing, 487, "Request Terminated").kind, K::none);
}

TEST(CallPolicy, HangupRequestKeepsWhatTheVerdictSaid) {
  const CallPolicy p;
  auto f = with_verdict(answered({}), amd::Verdict::human, t0 + 2s);
  f.transferred = true;
  EXPECT_EQ(p.on_hangup_request(f).outcome, LeadStatus::success);
  f.dialed = false;
  EXPECT_EQ(p.on_hangup_request(f).cause, "hung up before dialing");
}

// ---- Reaction::to_agent (issue 18): a person takes a free agent, or is abandoned ----

namespace {
struct NoAgent : AgentGate {
  std::string take(uint64_t) override { return {}; }
};
}  // namespace

TEST(CallPolicy, PersonWaitsForAnAgentUntilTheDeadline) {
  CallPlan plan;
  plan.person = Reaction::to_agent(std::make_shared<NoAgent>(), 1200, &kMessage);
  auto f = answered(plan);
  const auto a = CallPolicy().on_verdict(f, amd::Verdict::human, t0 + 2s);
  ASSERT_EQ(a.kind, K::await_agent);
  EXPECT_EQ(a.deadline, t0 + 2s + 1200ms);
  EXPECT_EQ(a.prompt, &kMessage);
  // An unsure verdict is a person too.
  EXPECT_EQ(CallPolicy().on_verdict(f, amd::Verdict::unknown, t0 + 2s).kind, K::await_agent);
  // A machine is not: no agent asked for.
  EXPECT_NE(CallPolicy().on_verdict(f, amd::Verdict::machine, t0 + 2s).kind, K::await_agent);

  f = with_verdict(f, amd::Verdict::human, t0 + 2s);
  f.awaiting_agent = true;
  f.agent_deadline = a.deadline;
  f.message = a.prompt;
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 3s).kind, K::none);  // still in time
  const auto late = CallPolicy().on_timer(f, t0 + 3200ms);
  ASSERT_EQ(late.kind, K::abandon);
  EXPECT_EQ(late.prompt, &kMessage);
}

// A machine the AMD called a person, found out (a beep, or talk past the longest greeting)
// while the person still waits for an agent: it gets the machine's reaction, and no agent.
TEST(CallPolicy, ALateMachineWaitingForAnAgentGetsTheMachinesReaction) {
  const media::Prompt voicemail = media::Prompt::from_pcm(std::vector<int16_t>(1600, 50));
  CallPlan plan = CallPlan::campaign("", &voicemail);
  plan.person = Reaction::to_agent(std::make_shared<NoAgent>(), 2000, &kMessage);
  auto f = with_verdict(answered(plan), amd::Verdict::human, t0 + 2s);
  f.awaiting_agent = true;
  f.agent_deadline = t0 + 4s;
  f.message = &kMessage;
  const CallPolicy p;
  // The beep came: the voicemail now, not the identification message.
  const auto beep = p.on_late_machine(f, true, t0 + 2500ms);
  ASSERT_EQ(beep.kind, K::play_message);
  EXPECT_EQ(beep.prompt, &voicemail);
  // Talk went on: the voicemail waits for the beep, up to the beep timeout.
  const auto talk = p.on_late_machine(f, false, t0 + 2500ms);
  ASSERT_EQ(talk.kind, K::wait_for_beep);
  EXPECT_EQ(talk.prompt, &voicemail);
  EXPECT_EQ(talk.deadline, t0 + 2500ms + 30s);
  // A plan that hangs up on machines hangs up, as a machine.
  f.plan.machine = Reaction::hang_up();
  const auto bye = p.on_late_machine(f, true, t0 + 2500ms);
  ASSERT_EQ(bye.kind, K::hang_up);
  EXPECT_EQ(bye.outcome, LeadStatus::amd);
  EXPECT_NE(bye.cause.find("a beep after the person verdict"), std::string::npos) << bye.cause;
  EXPECT_NE(p.on_late_machine(f, false, t0 + 2500ms).cause.find("a monologue"), std::string::npos);
  // A plan that holds machines (a load test) keeps the person's plan.
  f.plan.machine = Reaction::hold(10000);
  EXPECT_EQ(p.on_late_machine(f, true, t0 + 2500ms).kind, K::none);
  f.plan.machine = Reaction::hang_up();

  // Nothing once the call is no longer the gate's to give: an agent has it (transferring),
  // a supervisor (consulting), or the wait ran out and the identification message plays (an
  // abandoned call stays one).
  for (CallState s : {CallState::transferring, CallState::consulting, CallState::playing_message, CallState::on_hold}) {
    CallFacts g = f;
    g.state = s;
    EXPECT_EQ(p.on_late_machine(g, true, t0 + 2500ms).kind, K::none) << to_string(s);
  }
  CallFacts g = f;
  g.awaiting_agent = false;  // a plan that transfers people at once, or the gate gave an agent
  EXPECT_EQ(p.on_late_machine(g, true, t0 + 2500ms).kind, K::none);
}

TEST(CallPolicy, AbandonedCallEndsAbandonedAfterTheMessageOrTheCalleesBye) {
  CallPlan plan;
  plan.person = Reaction::to_agent(std::make_shared<NoAgent>(), 1200, &kMessage);
  auto f = with_verdict(answered(plan), amd::Verdict::human, t0 + 2s);
  f.abandoned = true;
  f.state = CallState::playing_message;
  const auto done = CallPolicy().on_playback_done(f);
  ASSERT_EQ(done.kind, K::hang_up);
  EXPECT_EQ(done.outcome, LeadStatus::abandoned);
  EXPECT_EQ(to_string(done.outcome), "ABANDONED");
  const auto bye = CallPolicy().on_callee_bye(f);
  ASSERT_EQ(bye.kind, K::peer_ended);
  EXPECT_EQ(bye.outcome, LeadStatus::abandoned);
  // Hung up by request (or for a 408 or 481 to our re-INVITE) during the message: still
  // abandoned, not the person the verdict said (nor UNKNOWN without one).
  const auto hung = CallPolicy().on_hangup_request(f);
  ASSERT_EQ(hung.kind, K::hang_up);
  EXPECT_EQ(hung.outcome, LeadStatus::abandoned);
  f.has_verdict = false;
  EXPECT_EQ(CallPolicy().on_hangup_request(f).outcome, LeadStatus::abandoned);
  f.has_verdict = true;
  // Transferred by request during the message, however the transfer ends: still abandoned (it
  // was counted SUCCESS, or UNKNOWN on a failed or refused REFER). A transfer put through
  // still says so (the runner closes the lead as reached).
  f.state = CallState::transferring;
  f.transfer_target = "7001";
  const auto through = CallPolicy().on_notify(f, 200, "SIP/2.0 200 OK");
  ASSERT_EQ(through.kind, K::hang_up);
  EXPECT_EQ(through.outcome, LeadStatus::abandoned);
  EXPECT_TRUE(through.transferred);
  EXPECT_EQ(through.cause, "transferred to 7001; abandoned: no agent was free in time");
  const auto failed = CallPolicy().on_notify(f, 486, "SIP/2.0 486 Busy Here");
  EXPECT_EQ(failed.outcome, LeadStatus::abandoned);
  EXPECT_FALSE(failed.transferred);
  EXPECT_EQ(failed.cause, "transfer failed: SIP/2.0 486 Busy Here; abandoned: no agent was free in time");
  const auto refused = CallPolicy().on_refer_response(f, 403, "Forbidden");
  EXPECT_EQ(refused.outcome, LeadStatus::abandoned);
  EXPECT_EQ(refused.cause, "person answered but the transfer was refused (403 Forbidden); abandoned: no agent was free in time");
  // ... or by the watchdog, a transfer whose NOTIFY never came.
  f.state_at = t0;
  f.analysis_ms = 1000;
  const auto stuck = CallPolicy().on_timer(f, t0 + 10min);
  ASSERT_EQ(stuck.kind, K::hang_up) << stuck.cause;
  EXPECT_EQ(stuck.outcome, LeadStatus::abandoned);
  f.state = CallState::playing_message;
  // A voicemail message played to a machine still ends AMD.
  f.abandoned = false;
  EXPECT_EQ(CallPolicy().on_playback_done(f).outcome, LeadStatus::amd);
}

namespace {
// A person waiting for an agent (none free) until t0 + 1.5 s, the identification message then.
CallFacts person_waiting_for_an_agent() {
  CallPlan plan;
  plan.person = Reaction::to_agent(std::make_shared<NoAgent>(), 1500, &kMessage);
  auto f = with_verdict(answered(plan), amd::Verdict::human, t0);
  f.awaiting_agent = true;
  f.agent_deadline = t0 + 1500ms;
  f.message = &kMessage;
  return f;
}
}  // namespace

TEST(CallPolicy, TheWaitsPauseWhileTheCallIsConsultedForOrTransferred) {
  // A person waits for an agent until t0 + 1.5 s; consulted for from t0 + 0.5 s to t0 + 5 s.
  auto f = person_waiting_for_an_agent();
  enter_state(f, CallState::consulting, t0 + 500ms);
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 3s).kind, K::none) << "no identification message into a consultation";
  enter_state(f, CallState::transferring, t0 + 4s);  // completed, then refused: still in hand
  enter_state(f, CallState::consulting, t0 + 4500ms);
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 4600ms).kind, K::none);
  enter_state(f, CallState::answered, t0 + 5s);  // cancelled: 1 s of the wait was left
  EXPECT_EQ(f.agent_deadline, t0 + 6s);
  EXPECT_EQ(f.state_at, t0 + 5s);
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 5900ms).kind, K::none);
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 6s).kind, K::abandon);

  // A machine waiting for its beep: no voicemail into a consultation, by the beep or by the
  // deadline; after it, the beep wait takes up where it was.
  CallPlan vm;
  vm.machine = Reaction::voicemail(&kMessage);
  auto m = with_verdict(answered(vm), amd::Verdict::machine, t0);
  m.waiting_for_beep = true;
  m.beep_deadline = t0 + 2s;
  m.message = &kMessage;
  enter_state(m, CallState::consulting, t0 + 1s);
  EXPECT_EQ(CallPolicy().on_beep(m).kind, K::none);
  EXPECT_EQ(CallPolicy().on_timer(m, t0 + 3s).kind, K::none);
  enter_state(m, CallState::verdict, t0 + 4s);
  EXPECT_EQ(m.beep_deadline, t0 + 5s);
  EXPECT_EQ(CallPolicy().on_beep(m).kind, K::play_message);
  EXPECT_EQ(CallPolicy().on_timer(m, t0 + 5s).kind, K::play_message);

  // A planned hold's end is put off the same way.
  auto h = answered(CallPlan::load_test(2000));
  h.hold_until = t0 + 2s;
  enter_state(h, CallState::transferring, t0 + 1s);
  EXPECT_EQ(CallPolicy().on_timer(h, t0 + 2500ms).kind, K::none);
  enter_state(h, CallState::answered, t0 + 3s);
  EXPECT_EQ(*h.hold_until, t0 + 4s);
}

TEST(CallPolicy, AUsersHoldDoesNotStopTheAbandonClock) {
  // A person waits for an agent until t0 + 1.5 s; a user holds the call at t0 + 0.5 s. Music
  // on hold is no agent: the wait runs out under the hold, the identification message plays
  // and the call counts ABANDONED (the abandon rate is a legal cap). A held call that
  // paused its waits also had nothing left to end it.
  auto f = person_waiting_for_an_agent();
  enter_state(f, CallState::on_hold, t0 + 500ms);
  EXPECT_FALSE(f.in_hand());
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 1400ms).kind, K::none);
  EXPECT_EQ(CallPolicy().on_timer(f, t0 + 1500ms).kind, K::abandon);
  enter_state(f, CallState::verdict, t0 + 3s);  // resumed: nothing put off
  EXPECT_EQ(f.agent_deadline, t0 + 1500ms);
}

TEST(CallPolicy, AMessageWhoseEndNeverComesEndsTheCallAsItsEndWould) {
  // The line held with a=inactive: the worker sends nothing and the prompt stands still. The
  // call ends stuck_extra past the message's length, as the message's end would have ended it.
  CallPlan plan;
  plan.person = Reaction::to_agent(std::make_shared<NoAgent>(), 1200, &kMessage);
  auto f = with_verdict(answered(plan), amd::Verdict::human, t0);
  f.abandoned = true;
  f.message = &kMessage;  // 100 ms
  enter_state(f, CallState::playing_message, t0 + 2s);
  const CallPolicy p;
  const auto limit = t0 + 2s + 100ms + p.settings().stuck_extra;
  EXPECT_EQ(p.on_timer(f, limit).kind, K::none);
  const auto a = p.on_timer(f, limit + 1ms);
  ASSERT_EQ(a.kind, K::hang_up);
  EXPECT_EQ(a.outcome, LeadStatus::abandoned);
  f.abandoned = false;  // the voicemail
  EXPECT_EQ(p.on_timer(f, limit + 1ms).outcome, LeadStatus::amd);
}
