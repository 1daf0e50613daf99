// Call control mid-call (issue 16) against sipp, the races of our re-INVITEs: a hold or resume
// in flight (the callee answers it late) or waiting to go again after a 491 (glare) while the
// call is asked to move on (consult, transfer, complete, cancel, the agent gate's transfer),
// or goes on to a message (the identification message, the voicemail) before it is answered.
// The fixtures and addresses are in sip_control_fixture.h.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "signaling/sip_control_fixture.h"
#include "test_audio.h"

using namespace hark;
using namespace hark::signaling;
using namespace hark::test::sipctl;
using namespace std::chrono_literals;

namespace {
// Consults for the call, the consult target (.173) hanging up 300 ms after it answers, and
// completes the transfer in between, while the callee answers our hold late: the leg is gone
// when the hold's answer comes, and the call is answered again. Then hangs up.
void complete_as_the_leg_goes(Agent& a, Sipp& target, uint64_t& id) {
  id = call_and_consult(a);
  a.agent.complete_consult(id);
  ASSERT_TRUE(a.wait(id, CallState::transferring)) << names(a.states(id));
  ASSERT_TRUE(a.wait(id, CallState::answered, 2)) << names(a.states(id));
  EXPECT_EQ(target.finish(), 0) << "the target hung up";
  a.agent.hangup(id);
  ASSERT_TRUE(a.wait(id, CallState::ended));
}
}  // namespace

TEST(SipControl, AConsultLegGoneWhileTheReferWaitsResumesTheCall) {
  // The hold is answered 800 ms late, the consult target answers at once and hangs up 300 ms
  // later: the transfer, completed in between, has no leg to name when the hold is answered.
  // The call is consulting again, then resumed (answered), as when the leg ends while
  // consulting (the second review: it went from transferring straight to answered, and the
  // campaign counted the answer twice).
  Sipp callee("uas_hold_resume.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 800");
  Sipp target("uas_consult_target_hangs_up.xml", "127.0.0.173", kTargetSip, "");
  Agent a;
  uint64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(complete_as_the_leg_goes(a, target, id));
  EXPECT_EQ(callee.finish(), 0) << "held late, then resumed";
  EXPECT_EQ(names(a.states(id)),
            "queued dialing answered consulting consulting transferring consulting answered ended");
}

TEST(SipControl, AConsultOrTransferWhileTheResumeIsInFlightIsRefused) {
  // The callee answers each re-INVITE 800 ms late. A consult asked for while the resume is in
  // flight was taken: the call went consulting, then the resume's answer made it answered
  // with the consult leg still ringing, and the held callee was not held. A blind transfer
  // went transferring, then answered again, and its NOTIFY was ignored (a review). Both are
  // refused, as hold and resume are then (a re-INVITE in flight): no leg, no REFER (sipp
  // would fail on one).
  Sipp callee("uas_hold_resume.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 800");
  Agent a;
  const uint64_t id = a.call();
  ASSERT_TRUE(a.wait(id, CallState::answered));
  a.agent.hold(id);
  ASSERT_TRUE(a.wait(id, CallState::on_hold)) << names(a.states(id));
  a.agent.resume(id);
  a.agent.consult(id, "sip:7000@127.0.0.173:" + std::to_string(kTargetSip));
  a.agent.transfer(id, "sip:7000@127.0.0.173:" + std::to_string(kTargetSip));
  ASSERT_TRUE(a.wait(id, CallState::answered, 2)) << names(a.states(id));
  a.agent.hangup(id);
  ASSERT_TRUE(a.wait(id, CallState::ended));
  EXPECT_EQ(callee.finish(), 0) << "held, resumed, hung up: no other request";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered on_hold answered ended");
}

TEST(SipControl, AReinviteTheCalleesCrossedGoesAgain) {
  // The callee answers our hold 491, then our resume (its own re-INVITEs crossed ours): RFC
  // 3261 14.1's retry, 2.1-4 s later (we own the Call-ID), holds and resumes the call. The
  // hold was dropped with a warning: the call stayed unheld, and a consultation's callee heard
  // no music on hold (a review). While ours waits to go again it counts as in flight: a consult
  // or a blind transfer then is refused (a second review: the resume's retry made the call
  // answered in the middle of either).
  RtpSink rtp("127.0.0.172", 7000);
  Sipp callee("uas_hold_glare.xml", "127.0.0.171", kCalleeSip, kCalleeMedia);
  Agent a;
  const uint64_t id = a.call();
  ASSERT_TRUE(a.wait(id, CallState::answered));
  const auto asked = Clock::now();
  a.agent.hold(id);
  ASSERT_TRUE(a.wait(id, CallState::on_hold)) << names(a.states(id));
  EXPECT_GE(Clock::now() - asked, 2000ms) << "sent again before RFC 3261's 2.1 s";
  EXPECT_EQ(rtp.wait_for(25, music), 25) << "music on hold reaches the held callee";
  a.agent.resume(id);
  // The resume's 491 sent: ours waits to go again.
  ASSERT_TRUE(callee.wait_trace("SIP/2.0 491", 20s, 2)) << "the resume's 491";
  a.agent.consult(id, "sip:7000@127.0.0.173:" + std::to_string(kTargetSip));
  a.agent.transfer(id, "sip:7000@127.0.0.173:" + std::to_string(kTargetSip));
  ASSERT_TRUE(a.wait(id, CallState::answered, 2)) << names(a.states(id));
  a.agent.hangup(id);
  ASSERT_TRUE(a.wait(id, CallState::ended));
  EXPECT_EQ(callee.finish(), 0) << "491 and again for the hold and the resume, then the BYE: no REFER";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered on_hold answered ended");
}

TEST(SipControl, AConsultationCancelledWhileItsHoldWaitsResumesTheCallee) {
  // The consult's hold is answered 491; the callee's own re-INVITE then comes while ours waits
  // to go again, and is answered sendonly (the hold still wanted); the consultation is
  // cancelled. At the retry the resume goes, not the hold: the call was made answered with no
  // re-INVITE, and the callee, answered sendonly last, stayed held and silent (a review).
  Sipp callee("uas_hold_glare_crossed.xml", "127.0.0.171", kCalleeSip, kCalleeMedia);
  Sipp target("uas_consult_target.xml", "127.0.0.173", kTargetSip, "");
  Agent a;
  const uint64_t id = call_and_consult(a);
  ASSERT_TRUE(callee.wait_trace("X-Answer")) << "the callee's re-INVITE, answered while ours waits";
  ASSERT_NO_FATAL_FAILURE(cancel_then_hang_up(a, id, target));
  EXPECT_EQ(callee.finish(), 0) << "491, the callee's re-INVITE answered sendonly, then our resume";
}

TEST(SipControl, AConsultationCancelledBeforeItsHoldIsRefusedSendsNoResume) {
  // The consult's hold is answered 491 800 ms late; the consultation is cancelled before. The
  // callee was never held: the call is answered again with no re-INVITE. A resume went at once,
  // one more re-INVITE to cross the callee's own retry (a review; sipp fails on it).
  Sipp callee("uas_hold_refused_late.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 800");
  Sipp target("uas_consult_target.xml", "127.0.0.173", kTargetSip, "");
  Agent a;
  const uint64_t id = call_and_consult(a);
  ASSERT_NO_FATAL_FAILURE(cancel_then_hang_up(a, id, target));
  EXPECT_EQ(callee.finish(), 0) << "the hold refused, then the BYE: no resume";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered consulting consulting answered ended");
}

TEST(SipControl, AnAgentFreedWhileTheResumeIsInFlightTakesTheCallOnceItIsAnswered) {
  // A person waits for an agent (the agent gate, none free); the call is held, then resumed,
  // and the callee answers each re-INVITE 800 ms late. An agent frees up while the resume is
  // in flight. The gate's transfer went at once: transferring, then the resume's answer made
  // the call answered again, its REFER crossing the resume (a review). The agent is taken
  // once the resume is answered, and the REFER goes then.
  auto gate = std::make_shared<OneAgentGate>();
  Sipp callee("uas_hold_resume_refer.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 800");
  Agent a;
  const uint64_t id = a.agent.originate(to_the_gate(gate, 60000, nullptr));
  ASSERT_TRUE(a.wait(id, CallState::answered));
  a.agent.hold(id);
  ASSERT_TRUE(a.wait(id, CallState::on_hold)) << names(a.states(id));
  a.agent.resume(id);
  // The resume at the callee, its answer 800 ms away (a=sendrecv: our offer, the callee's
  // answer, now our resume).
  ASSERT_TRUE(callee.wait_trace("a=sendrecv", 20s, 3)) << "the resume";
  gate->free = true;
  // (Freed while the resume was still in flight: its answer not yet sent. Else the test
  // proves nothing: a review.)
  EXPECT_EQ(slurp(callee.messages).find("X-Resumed"), std::string::npos)
      << "timing: the agent was freed after the resume was answered";
  auto ended = a.wait(id, CallState::ended);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "SUCCESS") << ended->cause;
  EXPECT_EQ(callee.finish(), 0) << "held, resumed, then the REFER";
  EXPECT_EQ(gate->taken.load(), 1) << "the agent, taken once";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered on_hold answered transferring ended");
}

TEST(SipControl, AConsultLegGoneWhileTheReferWaitsForARefusedHoldSendsNoResume) {
  // The consult's hold is answered 491 800 ms late; the consult target answers at once and
  // hangs up 300 ms later; the transfer is completed in between. When the hold is refused the
  // REFER has no leg to name: the call is consulting again, then answered, with no re-INVITE
  // (the callee was never held, as when a consultation is cancelled before its hold is
  // refused). A resume went, one more re-INVITE to cross the callee's own retry (sipp fails
  // on it).
  Sipp callee("uas_hold_refused_late.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 800");
  Sipp target("uas_consult_target_hangs_up.xml", "127.0.0.173", kTargetSip, "");
  Agent a;
  uint64_t id = 0;
  ASSERT_NO_FATAL_FAILURE(complete_as_the_leg_goes(a, target, id));
  EXPECT_EQ(callee.finish(), 0) << "the hold refused, then the BYE: no resume";
  EXPECT_EQ(names(a.states(id)),
            "queued dialing answered consulting consulting transferring consulting answered ended");
}

namespace {
// A gate with no agent free, ever.
struct NoAgent : AgentGate {
  std::string take(uint64_t) override { return {}; }
};

// A message of `ms`: a 600 Hz tone.
media::Prompt tone_message(int ms) {
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {600}, ms, -20);
  return media::Prompt::from_pcm(pcm);
}

// The agent, its watchdog 3 s past the AMD's analysis (a call left answered is hung up soon).
TrunkSettings quick_watchdog() {
  TrunkSettings t = Agent::trunk();
  t.watchdog_extra_ms = 3000;
  return t;
}
}  // namespace

TEST(SipControl, TheIdentificationMessageBegunWhileTheResumeIsInFlightPlaysToItsEnd) {
  // A person waits for an agent (none free, 3 s at most); the call is held, then resumed, and
  // the callee answers each re-INVITE 2 s late: the wait runs out while the resume is in
  // flight, and the identification message begins. The resume's answer stopped it and made
  // the call answered: the watchdog hung it up as UNKNOWN, the regulatory message cut (a
  // review). The message plays to its end and the call ends ABANDONED.
  Sipp callee("uas_hold_resume.xml", "127.0.0.171", kCalleeSip, kCalleeMedia + " -d 2000");
  Agent a(quick_watchdog());
  const media::Prompt identification = tone_message(3000);
  const uint64_t id = a.agent.originate(to_the_gate(std::make_shared<NoAgent>(), 3000, &identification));
  ASSERT_TRUE(a.wait(id, CallState::answered));
  a.agent.hold(id);
  ASSERT_TRUE(a.wait(id, CallState::on_hold)) << names(a.states(id));
  a.agent.resume(id);
  ASSERT_TRUE(a.wait(id, CallState::playing_message)) << names(a.states(id));
  // The resume at the callee (a=sendrecv: our offer, the callee's answer, the resume), its
  // answer not yet sent.
  EXPECT_TRUE(callee.wait_trace("a=sendrecv", 1s, 3)) << "timing: the wait ran out before the resume";
  EXPECT_EQ(slurp(callee.messages).find("X-Resumed"), std::string::npos)
      << "timing: the wait ran out after the resume was answered";
  auto ended = a.wait(id, CallState::ended);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "ABANDONED") << ended->cause;
  EXPECT_EQ(ended->cause, "no agent free in time: identification message played");
  EXPECT_EQ(callee.finish(), 0) << "held, resumed, then the BYE";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered on_hold playing_message ended");
}

TEST(SipControl, TheVoicemailBegunWhileTheHoldIsInFlightPlaysToItsEnd) {
  // A machine (sipp's g711a.pcap, a long greeting) gets the voicemail after its beep, 500 ms
  // after the verdict at most; the call is held at the verdict, and the callee answers the
  // hold 2 s late: the voicemail begins while the hold is in flight. The hold's answer put
  // music on hold in its place and the call on_hold, the message's end ignored, and a held
  // call stays up (a review). The voicemail plays to its end and the call ends AMD, the
  // callee never resumed.
  Sipp callee("uas_pcap_held.xml", "127.0.0.171", kCalleeSip, "-d 2000");
  Agent a;
  const media::Prompt voicemail = tone_message(3000);
  CallRequest r;
  r.number = "5551234";
  r.amd_params.beep_timeout_ms = 500;
  r.plan.machine = Reaction::voicemail(&voicemail);
  const uint64_t id = a.agent.originate(r);
  auto verdict = a.wait(id, CallState::verdict);
  ASSERT_TRUE(verdict) << names(a.states(id));
  ASSERT_EQ(verdict->verdict, amd::Verdict::machine) << verdict->amd_cause;
  a.agent.hold(id);
  ASSERT_TRUE(a.wait(id, CallState::playing_message)) << names(a.states(id));
  EXPECT_TRUE(callee.wait_trace("a=sendonly", 1s)) << "timing: the voicemail began before the hold";
  EXPECT_EQ(slurp(callee.messages).find("X-Held"), std::string::npos)
      << "timing: the voicemail began after the hold was answered";
  auto ended = a.wait(id, CallState::ended, 1, 20s);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "AMD") << ended->cause;
  EXPECT_EQ(ended->cause, "machine: message left after the beep");
  EXPECT_EQ(callee.finish(), 0) << "held, then the BYE";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered verdict playing_message ended");
}

TEST(SipControl, APersonTransferredWhileWaitingForAnAgentWaitsNoMore) {
  // A person waits for an agent (none free, 1 s at most) and is transferred by request at
  // once; the callee's NOTIFY comes 2 s later. The wait went on through the transfer: it ran
  // out, the identification message played in the middle of it, the NOTIFY's success was
  // ignored and the call ended ABANDONED (and a gate freeing an agent meanwhile sent a second
  // REFER). A transfer ends the wait, as the gate's own does.
  Sipp callee("uas_refer_late_notify.xml", "127.0.0.171", kCalleeSip, "-d 2000");
  Agent a;
  const media::Prompt identification = tone_message(3000);
  const uint64_t id = a.agent.originate(to_the_gate(std::make_shared<NoAgent>(), 1000, &identification));
  ASSERT_TRUE(a.wait(id, CallState::answered));
  a.agent.transfer(id, "9999");
  auto ended = a.wait(id, CallState::ended);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "SUCCESS") << ended->cause;
  EXPECT_EQ(callee.finish(), 0) << "the REFER, its NOTIFY late, then the BYE";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered transferring ended");
}

TEST(SipControl, AFreeAgentTakesAPersonWhoseHoldWaitsAfterA491) {
  // A person waits for an agent (none free yet, 2 s at most); a user holds the call, and the
  // callee answers the hold 491 (its own re-INVITE crossed ours): ours goes again 2.1-4 s
  // later. An agent frees up meanwhile. The gate kept it until the re-INVITE was done, and
  // the 2 s ran out first: the identification message, ABANDONED, the agent free all along.
  // A hold only waiting to go again gives way: the REFER goes, the hold never does.
  auto gate = std::make_shared<OneAgentGate>();
  Sipp callee("uas_hold_glare_then_refer.xml", "127.0.0.171", kCalleeSip, kCalleeMedia);
  Agent a;
  const media::Prompt identification = tone_message(3000);
  const uint64_t id = a.agent.originate(to_the_gate(gate, 2000, &identification));
  ASSERT_TRUE(a.wait(id, CallState::answered));
  const auto answered = Clock::now();
  a.agent.hold(id);
  ASSERT_TRUE(callee.wait_trace("SIP/2.0 491")) << "the hold's 491";
  ASSERT_LT(Clock::now() - answered, 1500ms) << "timing: the 491 came too late to free an agent within the wait";
  gate->free = true;
  auto ended = a.wait(id, CallState::ended);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "SUCCESS") << ended->cause;
  EXPECT_EQ(gate->taken.load(), 1);
  EXPECT_EQ(callee.finish(), 0) << "the hold's 491, then the REFER (no hold again), then the BYE";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered transferring ended");
}

TEST(SipControl, AUsersTransferWhileTheirHoldWaitsAfterA491GoesAtOnce) {
  // A user holds the call and the callee answers 491 (its own re-INVITE crossed ours): ours
  // goes again 2.1-4 s later. A transfer asked for meanwhile was refused ("a re-INVITE is in
  // flight"), though the callee was never held; the agent gate's own transfer went. It goes
  // now too: the REFER, and the hold never goes again (sipp fails on a second hold).
  Sipp callee("uas_hold_glare_then_refer.xml", "127.0.0.171", kCalleeSip, kCalleeMedia);
  Agent a;
  const uint64_t id = a.call();
  ASSERT_TRUE(a.wait(id, CallState::answered));
  a.agent.hold(id);
  // The 491's ACK, not the 491 sipp logs as sent: sofia-sip ACKs it in the loop step that
  // hands us the 491, so the transfer cannot reach the SIP thread before it (and be refused,
  // the hold still in flight: the gate asks again every tick, a user's transfer once).
  ASSERT_TRUE(callee.wait_trace("ACK sip:", 20s, 2)) << "the hold's 491 and its ACK";
  a.agent.transfer(id, "7001");
  auto ended = a.wait(id, CallState::ended);
  ASSERT_TRUE(ended) << names(a.states(id));
  EXPECT_EQ(to_string(ended->outcome), "SUCCESS") << ended->cause;
  EXPECT_EQ(callee.finish(), 0) << "the hold's 491, then the REFER (no hold again), then the BYE";
  EXPECT_EQ(names(a.states(id)), "queued dialing answered transferring ended");
}

TEST(SipControl, AConsultationOverAfterItsHoldWasRefusedSendsNoResume) {
  // The consult's hold is answered 488: the consultation goes on, the callee unheld. Once it
  // is cancelled, or its leg hangs up, the call is answered again with no re-INVITE. A resume
  // went to the callee never held; refused in turn, it left the call marked held (a review;
  // sipp fails on the resume).
  for (const char* leg : {"uas_consult_target.xml", "uas_consult_target_hangs_up.xml"}) {
    SCOPED_TRACE(leg);
    Sipp callee("uas_hold_refused.xml", "127.0.0.171", kCalleeSip, kCalleeMedia);
    Sipp target(leg, "127.0.0.173", kTargetSip, "");
    Agent a;
    const uint64_t id = call_and_consult(a);
    ASSERT_TRUE(callee.wait_trace("SIP/2.0 488")) << "the hold refused";
    if (std::string(leg) == "uas_consult_target.xml") {
      ASSERT_NO_FATAL_FAILURE(cancel_then_hang_up(a, id, target));
    } else {
      ASSERT_TRUE(a.wait(id, CallState::answered, 2)) << names(a.states(id));
      EXPECT_EQ(target.finish(), 0) << "the consult leg hung up";
      a.agent.hangup(id);
      ASSERT_TRUE(a.wait(id, CallState::ended));
    }
    EXPECT_EQ(callee.finish(), 0) << "the hold refused, then the BYE: no resume";
    EXPECT_EQ(names(a.states(id)), "queued dialing answered consulting consulting answered ended");
  }
}
