// The runner's lead rules in a real PostgreSQL (DATABASE_URL), issue 20: the claim order
// (callbacks due, then retries due by due time, then never-called leads), the number each
// attempt dials, and a schedule day that never ran staying NOT_RUNNING.
#include <gtest/gtest.h>

#include "control/campaign/runner_rules.h"
#include "sql/campaign_store.h"
#include "sql/db_pool.h"
#include "test_db.h"

using namespace hark;

namespace {

long long make_campaign(test::TestDb& db, const std::string& name, const std::string& state = "STOPPED") {
  db.exec("INSERT INTO dialer_groups (name) VALUES ('g-" + name + "')");
  return db.exec("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number, state)"
                 " SELECT '" + name + "', id, current_date - 7, current_date + 7, '00:00', '24:00', '100', '" + state +
                 "' FROM dialer_groups WHERE name = 'g-" + name + "' RETURNING id")[0][0].as<long long>();
}

long long add_lead(test::TestDb& db, long long campaign, const std::string& phone, const std::string& extra = "") {
  return db.exec("INSERT INTO leads (campaign_id, phone" + std::string(extra.empty() ? "" : ", " + extra.substr(0, extra.find('='))) +
                 ") VALUES (" + std::to_string(campaign) + ", '" + phone + "'" +
                 (extra.empty() ? "" : ", " + extra.substr(extra.find('=') + 1)) + ") RETURNING id")[0][0].as<long long>();
}

std::vector<std::string> phones(const std::vector<sql::ClaimedLead>& leads) {
  std::vector<std::string> out;
  for (auto& l : leads) out.push_back(l.phone);
  return out;
}

}  // namespace

TEST(LeadRulesDb, OverdueRetriesComeBeforeNeverCalledLeadsAndCallbacksBeforeBoth) {
  // The rule: a due callback first (by its time), then due retries (oldest due time first: a
  // retry that fell after yesterday's hours is called as soon as today's start), then leads never
  // called (by id). Future retries and callbacks wait.
  test::TestDb db("lead_rules_claim");
  const auto c = make_campaign(db, "claim");
  add_lead(db, c, "1001"), add_lead(db, c, "1002");  // never called, lowest ids
  add_lead(db, c, "2001", "next_attempt_at=now() - interval '1 hour'");
  add_lead(db, c, "2002", "next_attempt_at=now() - interval '14 hours'");  // yesterday evening's retry
  add_lead(db, c, "2003", "next_attempt_at=now() + interval '1 hour'");   // not yet
  add_lead(db, c, "3001", "next_attempt_at=now() - interval '1 minute'");
  db.exec("UPDATE leads SET callback_at = next_attempt_at WHERE phone = '3001'");
  add_lead(db, c, "3002", "next_attempt_at=now() + interval '1 hour'");
  db.exec("UPDATE leads SET callback_at = next_attempt_at WHERE phone = '3002'");  // a callback to come
  add_lead(db, c, "4001", "done=true");
  auto conn = sql::open_prepared(db.url());
  const std::vector<std::string> order{"3001", "2002", "2001", "1001", "1002"};
  EXPECT_EQ(phones(sql::due_leads(*conn, c, 10)), order);  // the do-not-call peek: the same order
  {
    pqxx::work tx(*conn);
    EXPECT_EQ(phones(sql::claim_leads(tx, c, 2)), (std::vector<std::string>{"3001", "2002"}));
    EXPECT_EQ(phones(sql::claim_leads(tx, c, 10)), (std::vector<std::string>{"2001", "1001", "1002"}));
    EXPECT_TRUE(sql::claim_leads(tx, c, 10).empty());
  }  // rolled back
  db.exec("UPDATE leads SET next_attempt_at = now() - interval '1 second', callback_at = now() - interval '1 second' "
          "WHERE phone = '3002'");
  pqxx::work tx(*conn);
  EXPECT_EQ(phones(sql::claim_leads(tx, c, 1)), (std::vector<std::string>{"3001"}));
  EXPECT_EQ(phones(sql::claim_leads(tx, c, 1)), (std::vector<std::string>{"3002"}));  // then the other callback
}

TEST(LeadRulesDb, EachAttemptDialsAndRecordsTheLeadsCurrentNumber) {
  test::TestDb db("lead_rules_numbers");
  const auto c = make_campaign(db, "numbers");
  const auto l = add_lead(db, c, "1001", "extra_phones='{1002,1003}'");
  auto conn = sql::open_prepared(db.url());
  for (int k = 0; k < 3; ++k) {
    pqxx::work tx(*conn);
    auto claimed = sql::claim_leads(tx, c, 1);
    ASSERT_EQ(claimed.size(), 1u) << k;
    EXPECT_EQ(claimed[0].phone, "100" + std::to_string(k + 1));
    EXPECT_EQ(claimed[0].phone_index, k);
    EXPECT_EQ(claimed[0].numbers, 3);
    sql::AttemptEnd e;
    e.attempt_id = sql::start_attempt(tx, c, claimed[0], "me");
    tx.commit();
    e.result = "BUSY";
    sql::LeadOutcome o{l, "BUSY", false, 0, true, (k + 1) % 3};
    ASSERT_TRUE(sql::finish_attempt(*conn, e, o));
  }
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM call_attempts WHERE number IN ('1001','1002','1003')"), 3);
  EXPECT_EQ(test::count(db.url(), "SELECT count(DISTINCT number) FROM call_attempts"), 3);
}

TEST(LeadRulesDb, ADayThatNeverRanStaysNotRunningWhenAStoppedCampaignStartsAgain) {
  // Two days ago it ran (FINISHED), yesterday it was stopped all day (NOT_RUNNING), today it
  // starts again: yesterday stays NOT_RUNNING, today runs.
  test::TestDb db("lead_rules_days");
  const auto c = make_campaign(db, "days");
  const auto cs = std::to_string(c);
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time, state) VALUES "
          "(" + cs + ", (now() AT TIME ZONE 'UTC')::date - 2, '00:00', '24:00', 'FINISHED'), "
          "(" + cs + ", (now() AT TIME ZONE 'UTC')::date - 1, '00:00', '24:00', 'NOT_RUNNING'), "
          "(" + cs + ", (now() AT TIME ZONE 'UTC')::date, '00:00', '24:00', 'NOT_RUNNING')");
  // A second campaign whose only day left passed while it was stopped.
  const auto gone = make_campaign(db, "gone");
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) VALUES (" + std::to_string(gone) +
          ", (now() AT TIME ZONE 'UTC')::date - 1, '09:00', '17:00')");
  db.exec("UPDATE campaigns SET state = 'STARTED'");
  auto conn = sql::open_prepared(db.url());
  for (int tick = 0; tick < 2; ++tick)  // as the runner does, twice: the second moves nothing
    sql::move_schedules(*conn, control::schedule_moves(sql::open_schedules(*conn)));
  auto state = [&](int days_ago, long long campaign) {
    return db.exec("SELECT state FROM schedules WHERE campaign_id = " + std::to_string(campaign) +
                   " AND day = (now() AT TIME ZONE 'UTC')::date - " + std::to_string(days_ago))[0][0].as<std::string>();
  };
  EXPECT_EQ(state(2, c), "FINISHED");
  EXPECT_EQ(state(1, c), "NOT_RUNNING");  // never ran: not FINISHED
  EXPECT_EQ(state(0, c), "RUNNING");
  EXPECT_EQ(db.exec("SELECT state FROM campaigns WHERE id = " + std::to_string(c))[0][0].as<std::string>(), "STARTED");
  EXPECT_EQ(state(1, gone), "NOT_RUNNING");
  // Nothing left to run: the campaign is over, its day still says it never ran.
  EXPECT_EQ(db.exec("SELECT state FROM campaigns WHERE id = " + std::to_string(gone))[0][0].as<std::string>(), "FINISHED");
}
