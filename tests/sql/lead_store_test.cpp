// Lead import into a real PostgreSQL (DATABASE_URL), in a schema of its own.
#include "sql/lead_store.h"

#include <gtest/gtest.h>

#include "control/campaign/lead_csv.h"
#include "sql/db_pool.h"
#include "test_db.h"

using namespace hark;

namespace {
/// One group and one campaign in the test schema; returns the campaign's id.
long long seed_campaign(test::TestDb& db) {
  db.exec("INSERT INTO dialer_groups (name) VALUES ('g')");
  db.exec("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number)"
          " SELECT 'c', id, '2026-01-01', '2026-12-31', '09:00', '17:00', '100' FROM dialer_groups");
  return test::count(db.url(), "SELECT id FROM campaigns");
}
}  // namespace

TEST(LeadStore, CopyImportKeepsValidRowsAndStoresTextVerbatim) {
  test::TestDb db("lead_store_test");
  auto conn = sql::open_prepared(db.url());  // import_leads uses the named statements
  pqxx::connection& c = *conn;
  const long long campaign = seed_campaign(db);
  db.exec("INSERT INTO leads (campaign_id, phone, external_id) VALUES (" + std::to_string(campaign) + ", '2015550000', 'taken')");
  const auto parsed = control::parse_lead_csv(
      "name,phone,external_id,phone2,notes\n"
      "\"Robert'); DROP TABLE leads;--\",2015550001,e1,2015559999,\"{\"\"json\"\": 1}\"\n"
      "broken,,e2,,\n"
      "Tab\tand \\backslash \"\"quote\"\",2015550003,e3,,\n"
      "already there,2015550004,taken,,\n");
  ASSERT_EQ(parsed.leads.size(), 3u);
  ASSERT_EQ(parsed.errors.size(), 1u);
  const auto r = sql::import_leads(c, campaign, parsed.leads);
  EXPECT_EQ(r.imported, 2);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].line, 5);
  pqxx::work tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM leads")[0].as<int>(), 3);  // the table survived
  EXPECT_EQ(tx.exec1("SELECT name FROM leads WHERE external_id = 'e1'")[0].as<std::string>(),
            "Robert'); DROP TABLE leads;--");
  EXPECT_EQ(tx.exec1("SELECT extra_phones[1] FROM leads WHERE external_id = 'e1'")[0].as<std::string>(), "+12015559999");
  // Stored as E.164, with the text as written beside it (migration 0009).
  EXPECT_EQ(tx.exec1("SELECT phone || ' ' || phone_raw FROM leads WHERE external_id = 'e1'")[0].as<std::string>(),
            "+12015550001 2015550001");
  EXPECT_EQ(tx.exec1("SELECT fields->>'notes' FROM leads WHERE external_id = 'e1'")[0].as<std::string>(), "{\"json\": 1}");
  // Tab, backslash and quotes survive COPY's text format (in an unquoted CSV field "" is literal).
  EXPECT_EQ(tx.exec1("SELECT name FROM leads WHERE external_id = 'e3'")[0].as<std::string>(),
            "Tab\tand \\backslash \"\"quote\"\"");
}

// leads.campaign_id is checked per statement (migration 0003), with the foreign key's guarantees.
TEST(LeadStore, LeadsBelongToAnExistingCampaignForGood) {
  test::TestDb db("lead_campaign_test");
  auto conn = sql::open_prepared(db.url());
  pqxx::connection& c = *conn;
  const long long campaign = seed_campaign(db);
  const auto one = control::parse_lead_csv("a,2015550001\nb,2015550002\n").leads;
  // COPY into a campaign that does not exist: nothing is stored.
  EXPECT_THROW(sql::import_leads(c, campaign + 1000, one), pqxx::foreign_key_violation);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads"), 0);
  // A plain INSERT naming no campaign, one of several rows: the statement fails whole.
  {
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec_params0("INSERT INTO leads (campaign_id, phone) VALUES ($1, '1'), ($2, '2')", campaign, campaign + 1),
                 pqxx::foreign_key_violation);
  }
  EXPECT_EQ(sql::import_leads(c, campaign, one).imported, 2);
  // A lead never moves to another campaign; other updates pass.
  {
    pqxx::work tx(c);
    EXPECT_THROW(tx.exec0("UPDATE leads SET campaign_id = campaign_id + 1"), pqxx::foreign_key_violation);
  }
  db.exec("UPDATE leads SET status = 'BUSY', campaign_id = campaign_id");
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads WHERE status = 'BUSY'"), 2);
  // Deleting the campaign deletes its leads and their attempts.
  db.exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state) SELECT campaign_id, id, phone, 'DONE' FROM leads");
  db.exec("DELETE FROM campaigns WHERE id = " + std::to_string(campaign));
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads"), 0);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM call_attempts"), 0);
}

// Batches made on another thread while COPY runs: all stored in order; a failing producer
// fails the import and stores nothing.
TEST(LeadStore, StreamedImportStoresEveryBatchOrNothing) {
  test::TestDb db("lead_stream_test");
  auto conn = sql::open_prepared(db.url());
  pqxx::connection& c = *conn;
  const long long campaign = seed_campaign(db);
  auto batches = [](int n, bool fail) {
    return [n, fail, k = 0](std::vector<sql::Lead>& batch) mutable {
      if (fail && k == n / 2) throw std::runtime_error("parser gave up");
      for (int i = 0; i < 1000; ++i) {
        sql::Lead l;
        l.phone = std::to_string(2015550000 + k * 1000 + i);
        l.line = k * 1000 + i + 1;
        batch.push_back(l);
      }
      return ++k < n;
    };
  };
  {
    pqxx::work tx(c);
    EXPECT_THROW(sql::import_leads(tx, campaign, batches(10, true)), std::runtime_error);
  }
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads"), 0);
  pqxx::work tx(c);
  EXPECT_EQ(sql::import_leads(tx, campaign, batches(10, false)).imported, 10000);
  tx.commit();
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM leads"), 10000);
  EXPECT_EQ(test::count(db.url(), "SELECT count(*) FROM (SELECT phone::bigint - 2015550000 - (row_number() OVER (ORDER BY id) - 1) AS d FROM leads) x WHERE d <> 0"), 0);
}
