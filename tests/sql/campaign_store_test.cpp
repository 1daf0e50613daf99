// The runner's writes in a real PostgreSQL (DATABASE_URL): a lead's attempts counter and its
// call rows agree, whatever closed the rows (issue 13: 470 attempts against 410 rows after a
// recovery).
#include "sql/campaign_store.h"

#include <gtest/gtest.h>

#include "sql/db_pool.h"
#include "test_db.h"

using namespace hark;

namespace {

struct Seeded {
  long long campaign = 0;
  std::vector<sql::ClaimedLead> leads;
};

/// One campaign with `n` leads, all claimed.
Seeded seed(test::TestDb& db, pqxx::connection& c, int n) {
  db.exec("INSERT INTO dialer_groups (name) VALUES ('g')");
  db.exec("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number)"
          " SELECT 'c', id, '2026-01-01', '2026-12-31', '09:00', '17:00', '100' FROM dialer_groups");
  Seeded s;
  s.campaign = test::count(db.url(), "SELECT id FROM campaigns");
  for (int i = 0; i < n; ++i)
    db.exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(s.campaign) + ", '55500" +
            std::to_string(i) + "')");
  pqxx::work tx(c);
  s.leads = sql::claim_leads(tx, s.campaign, n);
  tx.commit();
  return s;
}

long long start(pqxx::connection& c, const Seeded& s, int i, const std::string& instance) {
  pqxx::work tx(c);
  const auto id = sql::start_attempt(tx, s.campaign, s.leads[size_t(i)], instance);
  tx.commit();
  return id;
}

}  // namespace

TEST(CampaignStore, TheAttemptsCounterIsTheChargedRows) {
  test::TestDb db("campaign_store_test");
  auto conn = sql::open_prepared(db.url());
  pqxx::connection& c = *conn;
  const auto s = seed(db, c, 3);
  // Lead 0: its process died mid-call; recovery closes the row, not charged.
  start(c, s, 0, "dead-process");
  EXPECT_EQ(sql::runner_recover(c, "me", 10), 1);
  // Lead 1: busy, charged. Lead 2: our trunk failed it, not charged and due again.
  const auto busy = start(c, s, 1, "me"), trunk = start(c, s, 2, "me");
  sql::AttemptEnd e;
  e.attempt_id = busy, e.result = "BUSY", e.cause = "486", e.sip_code = 486;
  EXPECT_TRUE(sql::finish_attempt(c, e, {s.leads[1].id, "BUSY", false, 60, true}));
  e.attempt_id = trunk, e.result = "SERVICE_TEMPORARILY_UNAVAILABLE", e.sip_code = 503, e.charged = false;
  EXPECT_TRUE(sql::finish_attempt(c, e, {s.leads[2].id, "SERVICE_TEMPORARILY_UNAVAILABLE", false, 2, false}));

  const auto url = db.url();
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM call_attempts WHERE state = 'DONE'"), 3);
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM call_attempts WHERE charged"), 1);
  EXPECT_EQ(test::count(url, "SELECT sum(attempts) FROM leads"),
            test::count(url, "SELECT count(*) FROM call_attempts WHERE state = 'DONE' AND charged"));
  EXPECT_EQ(test::count(url, "SELECT attempts FROM leads WHERE id = " + std::to_string(s.leads[2].id)), 0);
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM leads WHERE NOT done AND NOT in_progress"), 3);
}
