// The fixture of the REST API tests: a control server on a schema of its own, a master, two
// groups (g1, g2) and a user of every role (admin2: an admin of g2 only; agent: "agt" of g1), with request helpers;
// and a stand-in for the campaign runner.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "control/api/control_server.h"
#include "media/audio_file.h"
#include "test_audio.h"
#include "test_db.h"
#include "test_http.h"

namespace hark::test {

namespace json = boost::json;

struct Api : ::testing::Test {
  static inline std::unique_ptr<test::TestDb> db;
  static inline std::unique_ptr<control::ControlServer> server;
  static inline std::map<std::string, std::string> tok;  // role -> token
  static inline long long g1 = 0, g2 = 0;

  /// Where this process's server keeps uploaded prompts.
  static std::string prompts_dir() {
    return (std::filesystem::temp_directory_path() / ("hark-api-prompts-" + std::to_string(::getpid()))).string();
  }

  /// Where this process's server finds call recordings (<attempt id>.wav).
  static std::string recordings_dir() {
    return (std::filesystem::temp_directory_path() / ("hark-api-recordings-" + std::to_string(::getpid()))).string();
  }

  static void SetUpTestSuite() {
    db = std::make_unique<test::TestDb>("api_test");
    control::ControlServerOptions o;
    o.prompts_dir = prompts_dir();
    o.recordings_dir = recordings_dir();
    o.http.listen = "127.0.0.1:0";
    o.http.threads = 2;
    o.http.body_limit = 1 << 20;
    // Every request here comes from 127.0.0.1: room for the suite's few failed logins (the
    // throttle has its own tests, login_throttle_test.cpp).
    o.auth.throttle.address_burst = 100;
    o.db_connections = 4;
    // Cheap password hashes: each test process creates and logs in six users (12 argon2id
    // hashes, ~1.5 s at the interactive cost, ten of these processes on the realtime chain).
    // auth_test's tests keep the default cost.
    o.auth.hash_cost = control::PasswordHashCost::test_minimum;
    o.trunk_groups = {"main", "backup"};  // a campaign's trunkGroup must name one (api_trunks_test.cpp)
    server = std::make_unique<control::ControlServer>(db->url(), o);
    server->set_trunk_status([] {
      signaling::TrunkStatus a;
      a.name = "carrier-a";
      a.watched = true;
      a.reachable = false;
      a.registering = true;
      a.registered = true;
      a.calls_up = 2;
      a.calls_placed = 7;
      a.failovers = 1;
      return std::vector<signaling::TrunkStatus>{a};
    });
    ASSERT_TRUE(server->auth().bootstrap_master("root", "root-pass-1"));
    ASSERT_FALSE(server->auth().bootstrap_master("other", "root-pass-2"));  // only when no user exists
    ASSERT_EQ(server->start(), "");
    tok["master"] = login("root", "root-pass-1");
    g1 = post("/api/v1/groups", "master", R"({"name":"g1"})").json().at("id").as_int64();
    g2 = post("/api/v1/groups", "master", R"({"name":"g2"})").json().at("id").as_int64();
    for (auto [name, role, group] : {std::tuple{"mgr", "group_manager", g1}, std::tuple{"adm", "campaign_admin", g1},
                                     std::tuple{"sup", "campaign_supervisor", g1}, std::tuple{"adm2", "campaign_admin", g2},
                                     std::tuple{"agt", "agent", g1}}) {
      auto r = post("/api/v1/users", "master",
                    json::serialize(json::object{{"username", name}, {"password", std::string(name) + "-password"},
                                                 {"role", role}, {"groups", json::array{group}}}));
      ASSERT_EQ(r.status, 201) << r.body;
    }
    tok["group_manager"] = login("mgr", "mgr-password");
    tok["campaign_admin"] = login("adm", "adm-password");
    tok["campaign_supervisor"] = login("sup", "sup-password");
    tok["admin2"] = login("adm2", "adm2-password");
    tok["agent"] = login("agt", "agt-password");
  }
  // A suite whose set-up failed (no database: DATABASE_URL unset or unreachable) fails each
  // test here, with the set-up's error above it, rather than crash on the missing server.
  void SetUp() override { ASSERT_TRUE(db && server) << "the suite's set-up failed: see its error above"; }
  static void TearDownTestSuite() {
    server.reset();
    db.reset();
    std::filesystem::remove_all(prompts_dir());
    std::filesystem::remove_all(recordings_dir());
  }

  static std::string login(const std::string& u, const std::string& p) {
    auto r = test::http_request(server->port(), "POST", "/api/v1/login", "",
                                json::serialize(json::object{{"username", u}, {"password", p}}));
    EXPECT_EQ(r.status, 200) << u << ": " << r.body;
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : "";
  }
  static test::HttpResult req(const std::string& m, const std::string& path, const std::string& who,
                              const std::string& body = {}, const std::string& type = "application/json") {
    return test::http_request(server->port(), m, path, who.empty() ? "" : tok.at(who), body, type);
  }
  static test::HttpResult get(const std::string& path, const std::string& who) { return req("GET", path, who); }
  static test::HttpResult post(const std::string& path, const std::string& who, const std::string& body = "{}") {
    return req("POST", path, who, body);
  }
  static test::HttpResult patch(const std::string& path, const std::string& who, const std::string& body) {
    return req("PATCH", path, who, body);
  }

  /// A WAV file's bytes: `ms` of a 440 Hz tone at `rate` Hz, 16-bit mono.
  static std::string wav(int ms, int rate = 8000) {
    std::vector<int16_t> pcm;
    test::add_tone(pcm, {440}, ms, -12);
    if (rate != 8000) pcm.resize(size_t(ms) * size_t(rate) / 1000);
    const auto path = prompts_dir() + ".wav";
    EXPECT_EQ(media::write_wav(path, pcm, rate), "");
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), {});
    std::filesystem::remove(path);
    return bytes;
  }
  /// POST /prompts?name=NAME[&groupId=] with `body` as `type`.
  static test::HttpResult upload_prompt(const std::string& name, const std::string& who, const std::string& body,
                                        const std::string& type = "audio/wav", long long group = 0) {
    return req("POST", "/api/v1/prompts?name=" + name + (group ? "&groupId=" + std::to_string(group) : ""), who, body,
               type);
  }

  static std::string today() {
    auto r = db->exec("SELECT (now() AT TIME ZONE 'UTC')::date::text");
    return r[0][0].as<std::string>();
  }
  /// A time zone whose local time is now 12:xx, for a test whose campaign calls all day
  /// (00:00-24:00): its day then never ends mid-test, whatever the hour CI runs at.
  static std::string midday_zone() {
    const int utc_hour = db->exec("SELECT extract(hour FROM now() AT TIME ZONE 'UTC')::int")[0][0].as<int>();
    const int ahead = 12 - utc_hour;  // -11 .. +12 hours
    // POSIX names count the other way: Etc/GMT-3 is three hours ahead of UTC.
    return ahead == 0 ? "Etc/GMT" : std::string(ahead > 0 ? "Etc/GMT-" : "Etc/GMT+") + std::to_string(std::abs(ahead));
  }
  /// The date now in `zone`.
  static std::string today_in(const std::string& zone) {
    return db->exec("SELECT (now() AT TIME ZONE '" + zone + "')::date::text")[0][0].as<std::string>();
  }
  /// campaign_body calling 00:00-24:00 in midday_zone(), from its local today.
  static json::object all_day_campaign_body(const std::string& name, long long group) {
    auto b = campaign_body(name, group);
    const auto zone = midday_zone();
    b["timeZone"] = zone, b["startDate"] = today_in(zone), b["startTime"] = "00:00", b["endTime"] = "24:00";
    return b;
  }
  static json::object campaign_body(const std::string& name, long long group) {
    const auto end = db->exec("SELECT ((now() AT TIME ZONE 'UTC') + interval '300 days')::date::text")[0][0].as<std::string>();
    return {{"name", name},          {"groupId", group},        {"startDate", today()}, {"endDate", end},
            {"startTime", "08:00"},  {"endTime", "20:00"},      {"pilotNumber", "5000"},
            {"weekdays", json::array{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
            // The tests' leads are the callee simulator's 7-digit numbers: extensions of its plan.
            {"internalLength", 7}};
  }
  static long long make_campaign(const std::string& name, long long group = 0, const std::string& who = "campaign_admin") {
    auto b = campaign_body(name, group ? group : g1);
    b["endDate"] = today();
    auto r = post("/api/v1/campaigns", who, json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().at("id").as_int64() : 0;
  }
};

/// A stand-in for the campaign runner: fixed live figures and one event stream for every campaign.
struct FakeRunner : control::RunnerView {
  std::shared_ptr<control::EventStream> stream = std::make_shared<control::EventStream>();
  json::object live(long long id) override { return {{"campaignId", id}, {"dialing", 3}}; }
  std::shared_ptr<control::EventStream> subscribe(long long) override { return stream; }
  void wake() override {}
};

}  // namespace hark::test
