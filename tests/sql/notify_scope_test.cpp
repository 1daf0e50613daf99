// The NOTIFY channels of the command bus are scoped by schema (sql::scoped_channel): a process
// working in one schema never hears another schema's click-to-dial requests, commands or
// replies, though NOTIFY channels belong to the whole database. Needs DATABASE_URL.
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sql/live_call_store.h"
#include "test_db.h"

namespace hark {
namespace {

class Heard : public pqxx::notification_receiver {
 public:
  Heard(pqxx::connection& c, const std::string& channel, std::vector<std::string>& got)
      : pqxx::notification_receiver(c, channel), got_(got) {}
  void operator()(const std::string& payload, int) override { got_.push_back(payload); }

 private:
  std::vector<std::string>& got_;
};

void notify(const std::string& url, const char* channel, const std::string& payload) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec_params(sql::kNotifyScopedSql, channel, payload);
  tx.commit();
}

TEST(NotifyScope, AChannelIsHeardOnlyInItsOwnSchema) {
  test::TestDb a("notify_a"), b("notify_b");
  pqxx::connection listener(a.url());
  const auto channel = sql::scoped_channel(listener, sql::kDialChannel);
  EXPECT_EQ(channel, "hark_click_to_dial.notify_a_" + std::to_string(::getpid()));
  std::vector<std::string> got;
  Heard heard(listener, channel, got);

  notify(b.url(), sql::kDialChannel, "from schema b");         // committed first...
  notify(a.url(), sql::kCommandChannel, "other channel of a");  // ...a channel not listened to...
  notify(a.url(), sql::kDialChannel, "from schema a");         // ...and the one that must arrive
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (got.empty() && std::chrono::steady_clock::now() < deadline) listener.await_notification(1, 0);
  // PostgreSQL delivers notifications in commit order: anything of b's would be here by now.
  ASSERT_EQ(got, std::vector<std::string>{"from schema a"});
}

TEST(NotifyScope, ALongSchemaNameIsCutAsPostgresCutsIt) {
  test::TestDb a("notify_scope_with_a_rather_long_schema_name");
  pqxx::connection listener(a.url());
  const auto channel = sql::scoped_channel(listener, sql::kDialChannel);
  EXPECT_EQ(channel.size(), 63u);
  std::vector<std::string> got;
  Heard heard(listener, channel, got);
  notify(a.url(), sql::kDialChannel, "cut the same way");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (got.empty() && std::chrono::steady_clock::now() < deadline) listener.await_notification(1, 0);
  EXPECT_EQ(got, std::vector<std::string>{"cut the same way"});
}

}  // namespace
}  // namespace hark
