// Issue 18 end to end: the runner, a real SIP agent, the callee simulator and PostgreSQL. A
// power campaign with two agents reported ready places six calls to people; two are transferred
// to the agents' extensions (who stay held, talking, in the store), the four others hear the
// identification prompt and end ABANDONED.
#include <gtest/gtest.h>

#include <filesystem>

#include "control/campaign/campaign_runner.h"
#include "control/campaign/prompt_files.h"
#include "media/audio_file.h"
#include "media/media_engine.h"
#include "test_media.h"
#include "signaling/callee_simulator.h"
#include "test_audio.h"
#include "test_db.h"
#include "test_paths.h"

using namespace hark;
using namespace std::chrono_literals;

namespace {

using test::engine_on;

}  // namespace

TEST(RunnerPacingSip, TwoAgentsSixPeopleTwoTransferredFourHearTheMessageAndEndAbandoned) {
  test::TestDb db("runner_pacing");
  const std::string carrier_ip = "127.0.0.190", hark_ip = "127.0.0.191";
  // The carrier: the demo's callee map (1000*: a person).
  auto carrier_media = engine_on(carrier_ip, 20000, 20999, 200);
  std::vector<signaling::CalleeRule> rules;
  ASSERT_TRUE(signaling::read_callee_rules(hark::test::source_file("fixtures/callee-map.txt"), rules).empty());
  signaling::CalleeSimulator sim("sip:" + carrier_ip + ":5070", carrier_ip, rules, *carrier_media);
  ASSERT_EQ(sim.start(), "");

  // The identification prompt, as an upload leaves it in the prompts folder.
  const auto prompts = std::filesystem::temp_directory_path() / ("hark-pacing-prompts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(prompts);
  db.exec("INSERT INTO dialer_groups (name) VALUES ('pacing')");
  const auto prompt = db.exec("INSERT INTO prompts (group_id, name, size_bytes, duration_ms, file_name) "
                              "SELECT id, 'ident', 1, 600, 'ident' FROM dialer_groups RETURNING id")[0][0].as<long long>();
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {600}, 600, -20);
  ASSERT_EQ(media::write_wav((prompts / control::prompt_file_name(prompt)).string(), pcm), "");

  const auto id = db.exec(
      "INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, pilot_number, "
      "max_attempts, retry_minutes, max_concurrent, dialing_mode, power_lines, identification_prompt_id) "
      "SELECT 'power', id, 'STARTED', (now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, "
      "'00:00', '24:00', 127, '5000', 1, 1, 50, 'power', 3, " + std::to_string(prompt) +
      " FROM dialer_groups RETURNING id")[0][0].as<long long>();
  const auto c = std::to_string(id);
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + c +
          ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  db.exec("INSERT INTO campaign_agents (campaign_id, agent_id, state, extension) VALUES (" + c + ", 'a1', 'ready', '7001'), (" +
          c + ", 'a2', 'ready', '7002')");
  db.exec("INSERT INTO leads (campaign_id, name, phone) SELECT " + c + ", 'L' || g, '1000' || lpad(g::text, 3, '0') "
          "FROM generate_series(1, 6) g");

  auto media = engine_on(hark_ip, 21000, 21999, 200);
  control::DncIndex dnc;
  control::Metrics metrics;
  control::RunnerOptions ro;
  ro.tick_ms = 100;
  ro.retry_unit_ms = 100;
  ro.prompts_dir = prompts.string();
  std::unique_ptr<control::CampaignRunner> runner;
  signaling::TrunkSettings t;
  t.bind_url = "sip:" + hark_ip + ":5060";
  t.domain = carrier_ip + ":5070";
  t.media_ip = hark_ip;
  t.calls_per_second = 100;
  t.ring_timeout_s = 15;
  signaling::SipAgent agent(t, *media, [&](const signaling::CallEvent& e) {
    if (runner) runner->on_call_event(e);
  });
  runner = std::make_unique<control::CampaignRunner>(db.url(), dnc, metrics, ro,
                                                     [&](signaling::CallRequest r) { return agent.originate(std::move(r)); });
  ASSERT_EQ(agent.start(), "");
  runner->start();

  // Every lead done: two people transferred, four abandoned (one attempt each: maxAttempts 1).
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until &&
         test::count(db.url(), "SELECT count(*) FROM leads WHERE campaign_id = " + c + " AND NOT done") > 0)
    std::this_thread::sleep_for(200ms);
  runner->pause();
  agent.stop();
  runner->stop();
  sim.stop();
  std::filesystem::remove_all(prompts);

  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads WHERE campaign_id = " + c + " AND status = 'SUCCESS'"), 2);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads WHERE campaign_id = " + c + " AND status = 'ABANDONED'"), 4);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM call_attempts WHERE campaign_id = " + c +
                                      " AND result = 'ABANDONED' AND cause LIKE '%identification message played%'"), 4);
  // The transferred people went to the agents' extensions; the agents stay held by those calls.
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM call_attempts WHERE campaign_id = " + c +
                                      " AND result = 'SUCCESS' AND (cause LIKE '%7001%' OR cause LIKE '%7002%')"), 2);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM campaign_agents ag JOIN call_attempts a ON a.id = ag.held_attempt "
                                      "WHERE ag.campaign_id = " + c + " AND ag.state = 'talking' AND a.result = 'SUCCESS'"), 2);
  // Six calls in all: with both agents held, power places nothing more.
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM call_attempts WHERE campaign_id = " + c), 6);
}
