// Migrations against a real PostgreSQL (DATABASE_URL), each test in a schema of its own.
#include "sql/migrate.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>
#include <unistd.h>

using namespace hark::sql;

namespace {
class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("DATABASE_URL");
    ASSERT_NE(url, nullptr) << "DATABASE_URL must point at a PostgreSQL server (scripts/test.sh starts one)";
    conn_ = std::make_unique<pqxx::connection>(url);
    schema_ = "migrate_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    pqxx::work tx(*conn_);
    tx.exec0("CREATE SCHEMA " + tx.quote_name(schema_));
    tx.commit();
    conn_->set_variable("search_path", conn_->quote_name(schema_));
  }
  void TearDown() override {
    if (!conn_) return;
    pqxx::work tx(*conn_);
    tx.exec0("DROP SCHEMA " + tx.quote_name(schema_) + " CASCADE");
    tx.commit();
  }
  std::unique_ptr<pqxx::connection> conn_;
  std::string schema_;
};
}  // namespace

TEST_F(MigrateTest, AppliesOnceAndRecordsTheVersion) {
  EXPECT_EQ(schema_version(*conn_), 0);
  const int n = apply_migrations(*conn_, builtin_migrations());
  EXPECT_EQ(n, int(builtin_migrations().size()));
  EXPECT_EQ(schema_version(*conn_), builtin_migrations().back().version);
  EXPECT_EQ(apply_migrations(*conn_, builtin_migrations()), 0);  // idempotent
  pqxx::work tx(*conn_);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM campaigns")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM hark_schema_version")[0].as<int>(), n);
}

TEST_F(MigrateTest, AFailingMigrationLeavesNothingBehind) {
  static const Migration bad[] = {
      {1, "0001_ok", "CREATE TABLE t1 (x int)"},
      {2, "0002_broken", "CREATE TABLE t2 (x int); SELECT no_such_function()"},
  };
  EXPECT_THROW(apply_migrations(*conn_, bad), pqxx::sql_error);
  EXPECT_EQ(schema_version(*conn_), 1);
  pqxx::work tx(*conn_);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('t1') IS NOT NULL")[0].as<bool>());
  EXPECT_FALSE(tx.exec1("SELECT to_regclass('t2') IS NOT NULL")[0].as<bool>());
}

TEST_F(MigrateTest, SchemaEnforcesCampaignBounds) {
  apply_migrations(*conn_, builtin_migrations());
  pqxx::work tx(*conn_);
  tx.exec0("INSERT INTO dialer_groups (name) VALUES ('g')");
  EXPECT_THROW(tx.exec0("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number, max_attempts)"
                        " SELECT 'c', id, '2026-01-01', '2026-01-31', '09:00', '17:00', '100', 101 FROM dialer_groups"),
               pqxx::check_violation);
}

TEST_F(MigrateTest, DoNotCallListsAndServicesFromBeforeGroupsBecomeGlobal) {
  // The schema before 0005, with a list, a service and a campaign using the list; then 0005.
  std::vector<Migration> before, after;
  for (const auto& m : builtin_migrations()) (m.version < 5 ? before : after).push_back(m);
  apply_migrations(*conn_, before);
  {
    pqxx::work tx(*conn_);
    tx.exec0("INSERT INTO dialer_groups (name) VALUES ('g')");
    tx.exec0("INSERT INTO dnc_lists (name) VALUES ('old')");
    tx.exec0("INSERT INTO dnc_services (name, url) VALUES ('old', 'https://dnc.example/donotcall')");
    tx.exec0("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, pilot_number, dnc_list_id)"
             " SELECT 'c', g.id, '2026-01-01', '2026-01-31', '09:00', '17:00', '100', l.id FROM dialer_groups g, dnc_lists l");
    tx.commit();
  }
  apply_migrations(*conn_, after);
  pqxx::work tx(*conn_);
  EXPECT_TRUE(tx.exec1("SELECT group_id IS NULL FROM dnc_lists WHERE name = 'old'")[0].as<bool>());
  EXPECT_TRUE(tx.exec1("SELECT group_id IS NULL FROM dnc_services WHERE name = 'old'")[0].as<bool>());
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM campaigns WHERE dnc_list_id IS NOT NULL")[0].as<int>(), 1);
  // Names are unique per group (and among the global ones), no longer across groups.
  tx.exec0("INSERT INTO dnc_lists (name, group_id) SELECT 'old', id FROM dialer_groups");
  EXPECT_THROW(tx.exec0("INSERT INTO dnc_lists (name) VALUES ('old')"), pqxx::unique_violation);
}

TEST_F(MigrateTest, CampaignsThatPlayedAServerPathArePausedWithTheReason) {
  // Before 0004 a campaign named any server file as its voicemail; the runner read it whole.
  apply_migrations(*conn_, builtin_migrations().first(3));
  {
    pqxx::work tx(*conn_);
    tx.exec0("INSERT INTO dialer_groups (id, name) VALUES (1, 'g')");
    tx.exec0("INSERT INTO campaigns (id, name, group_id, state, start_date, end_date, start_time, end_time, "
             "pilot_number, voicemail_message) VALUES "
             "(1, 'running', 1, 'STARTED', '2026-01-01', '2026-12-31', '08:00', '20:00', '5000', '/dev/zero'), "
             "(2, 'stopped', 1, 'STOPPED', '2026-01-01', '2026-12-31', '08:00', '20:00', '5000', 'vm.wav'), "
             "(3, 'plain', 1, 'STARTED', '2026-01-01', '2026-12-31', '08:00', '20:00', '5000', NULL)");
    tx.exec0("INSERT INTO schedules (campaign_id, day, start_time, end_time, state) VALUES "
             "(1, '2026-06-01', '08:00', '20:00', 'RUNNING'), (3, '2026-06-01', '08:00', '20:00', 'RUNNING')");
    tx.commit();
  }
  apply_migrations(*conn_, builtin_migrations());
  pqxx::work tx(*conn_);
  auto r = tx.exec("SELECT id, state, last_error FROM campaigns ORDER BY id");
  EXPECT_EQ(r[0][1].as<std::string>(), "PAUSED");
  EXPECT_NE(r[0][2].as<std::string>().find("/api/v1/prompts"), std::string::npos);
  EXPECT_NE(r[0][2].as<std::string>().find("/dev/zero"), std::string::npos);
  EXPECT_EQ(r[1][1].as<std::string>(), "STOPPED");
  EXPECT_FALSE(r[1][2].is_null());
  EXPECT_EQ(r[2][1].as<std::string>(), "STARTED");
  EXPECT_TRUE(r[2][2].is_null());
  EXPECT_EQ(tx.exec1("SELECT state FROM schedules WHERE campaign_id = 1")[0].as<std::string>(), "NOT_RUNNING");
  EXPECT_EQ(tx.exec1("SELECT state FROM schedules WHERE campaign_id = 3")[0].as<std::string>(), "RUNNING");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM information_schema.columns WHERE table_name = 'campaigns' "
                     "AND column_name = 'voicemail_message' AND table_schema = current_schema()")[0].as<int>(), 0);
}
