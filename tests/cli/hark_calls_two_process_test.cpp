// Calls across processes (issue 16), end to end: two `hark run` processes on one database, one
// API-only (HARK_RUNNER=off), one dialing against the callee simulator. The API-only process
// lists the other's calls and hangs one up through the database bus: the call ends in the
// dialing process (its attempt closes "hung up by request") and the simulator receives the BYE
// (sofia-sip's TPORT_LOG shows the messages it gets, at HARK_LOG_LEVEL=debug). Loopback 127.0.0.160-163 only.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test_db.h"
#include "test_process.h"
#include "test_paths.h"

using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using hark::test::Child;
using hark::test::count;

struct Reply {
  int status = 0;
  std::string body;
  json::value json() const { return json::parse(body); }
};

/// One HTTP request to `host`:`port` (the helpers in test_http.h talk to 127.0.0.1 only).
Reply request(const std::string& host, int port, const std::string& method, const std::string& target,
              const std::string& token = {}, const std::string& body = {}) {
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  boost::system::error_code ec;
  sock.connect({boost::asio::ip::make_address(host), static_cast<unsigned short>(port)}, ec);
  if (ec) return {};
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(sock, req, ec);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res, ec);
  if (ec) return {};
  return {int(res.result_int()), res.body()};
}

/// Waits for `pred` up to `seconds`, looking every 100 ms (a generous deadline, not a fixed wait).
template <class Pred>
bool eventually(Pred pred, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

TEST(HarkCallsTwoProcesses, ListAndHangUpThroughTheApiOnlyProcess) {
  hark::test::TestDb db("calls_two_process");
  const std::string url = db.url();
  // A callee that answers with silence and stays: 30 s of initial silence before the AMD's
  // verdict keep each call connected long enough.
  const auto dir = std::filesystem::temp_directory_path() / ("hark-calls-2p-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream silence(dir / "silence.ul", std::ios::binary);
    const std::string bytes(8000, char(0xFF));  // one second of mu-law silence
    silence << bytes;
    std::ofstream map(dir / "map.txt");
    map << "16* answer " << (dir / "silence.ul").string() << " hold=120000\n";
    map << "55* no-answer\n";  // the click-to-dial agent's extension: rings until cancelled
  }
  Child sim({hark::test::kHarkBinary, "simulate-callee", "--listen", "sip:127.0.0.160:5070", "--media-ip", "127.0.0.160",
             "--rtp-ports", "24000-24499", "--map", (dir / "map.txt").string(), "--duration", "240"},
            {"TPORT_LOG=1", "HARK_LOG_LEVEL=debug"});
  ASSERT_TRUE(sim.started());
  db.exec("INSERT INTO dialer_groups (name) VALUES ('calls')");
  const auto id = db.exec("INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, "
                          "pilot_number, max_attempts, retry_minutes, fixed_channels, amd_params) SELECT 'calls', id, 'STARTED', "
                          "(now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, '00:00', '24:00', 127, "
                          "'5000', 1, 1, 3, '{\"initialSilenceMs\":30000,\"totalAnalysisMs\":60000}' FROM dialer_groups RETURNING id")[0][0]
                      .as<long long>();
  const auto cid = std::to_string(id);
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + cid +
          ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  db.exec("INSERT INTO leads (campaign_id, name, phone) SELECT " + cid + ", 'L' || g, '1600' || lpad(g::text, 3, '0') "
          "FROM generate_series(1, 3) g");

  const std::vector<std::string> common = {"DATABASE_URL=" + url, "HARK_ADMIN_PASSWORD=calls-test-pw",
                                           "HARK_RING_TIMEOUT=60", "HARK_HTTP_THREADS=2"};
  auto env = [&](std::vector<std::string> more) {
    more.insert(more.end(), common.begin(), common.end());
    return more;
  };
  // The API-only process first (it makes the master), then the dialing one.
  Child api({hark::test::kHarkBinary, "run", "--duration", "200"}, env({"HARK_RUNNER=off", "HARK_HTTP_LISTEN=127.0.0.162:18162"}));
  ASSERT_TRUE(api.started());
  ASSERT_TRUE(api.wait_for_output([](const std::string& o) { return o.find("hark is up") != std::string::npos; }, 60))
      << api.err();
  Child dialer({hark::test::kHarkBinary, "run", "--duration", "200"},
               env({"HARK_HTTP_LISTEN=127.0.0.161:18161", "HARK_SIP_LISTEN=127.0.0.161:5060",
                    "HARK_SIP_TRUNK=127.0.0.160:5070", "HARK_RTP_PORTS=24500-24999"}));
  ASSERT_TRUE(dialer.started());

  const std::string host = "127.0.0.162";
  const int port = 18162;
  auto login = [&](const std::string& user, const std::string& pw) {
    auto r = request(host, port, "POST", "/api/v1/login", "", json::serialize(json::object{{"username", user}, {"password", pw}}));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : std::string();
  };
  const auto master = login("admin", "calls-test-pw");
  const auto group = count(url, "SELECT id FROM dialer_groups");
  ASSERT_EQ(request(host, port, "POST", "/api/v1/users", master,
                    json::serialize(json::object{{"username", "adm"}, {"password", "adm-password"}, {"role", "campaign_admin"},
                                                 {"groups", json::array{group}}})).status, 201);
  ASSERT_EQ(request(host, port, "POST", "/api/v1/users", master,
                    json::serialize(json::object{{"username", "agt"}, {"password", "agt-password"}, {"role", "agent"},
                                                 {"groups", json::array{group}}})).status, 201);
  const auto admin = login("adm", "adm-password");
  const auto agent = login("agt", "agt-password");

  // The API-only process sees the other process's three calls, connected.
  json::array calls;
  ASSERT_TRUE(eventually([&] {
    auto r = request(host, port, "GET", "/api/v1/calls?campaign=" + cid + "&state=connected", admin);
    if (r.status != 200) return false;
    calls = r.json().at("calls").as_array();
    return calls.size() == 3;
  }, 60)) << "calls up: " << json::serialize(calls) << "\n" << dialer.err();
  const auto call = calls[0].at("id").as_int64();
  const auto other = calls[1].at("id").as_int64();
  EXPECT_NE(calls[0].at("process").as_string(), "");
  // Its figures, from the database: no 503 without a runner.
  auto live = request(host, port, "GET", "/api/v1/campaigns/" + cid + "/live", admin);
  ASSERT_EQ(live.status, 200) << live.body;
  EXPECT_EQ(live.json().at("connected").as_int64(), 3);

  // Bad input first: a malformed target is 422, hold while the AMD still listens (these calls
  // are silent: no verdict yet) is 409 from the owner, the agent who did not place the call
  // gets 404.
  EXPECT_EQ(request(host, port, "POST", "/api/v1/calls/" + std::to_string(call) + "/transfer", admin, R"({"target":"x y"})").status, 422);
  const auto hold = request(host, port, "POST", "/api/v1/calls/" + std::to_string(call) + "/hold", admin);
  EXPECT_EQ(hold.status, 409) << hold.body;
  EXPECT_NE(hold.body.find("AMD is still listening"), std::string::npos) << hold.body;
  EXPECT_EQ(request(host, port, "POST", "/api/v1/calls/" + std::to_string(call) + "/hangup", agent).status, 404);

  // Hang one up through the API-only process.
  auto r = request(host, port, "POST", "/api/v1/calls/" + std::to_string(call) + "/hangup", admin);
  ASSERT_EQ(r.status, 202) << r.body;
  // It ends in the dialing process: the attempt closes, hung up by request, the BYE reaches the callee.
  ASSERT_TRUE(eventually([&] {
    return count(url, "SELECT count(*) FROM call_attempts WHERE id = " + std::to_string(call) + " AND state = 'DONE'") == 1;
  }, 30));
  EXPECT_EQ(count(url, "SELECT count(*) FROM call_attempts WHERE id = " + std::to_string(call) +
                       " AND cause = 'hung up by request'"), 1);
  // The other calls are still up, and the ended one answers 409 now.
  EXPECT_EQ(count(url, "SELECT count(*) FROM call_attempts WHERE id = " + std::to_string(other) + " AND state = 'DIALING'"), 1);
  EXPECT_EQ(request(host, port, "GET", "/api/v1/calls/" + std::to_string(call), admin).json().at("state"), "ended");
  EXPECT_EQ(request(host, port, "POST", "/api/v1/calls/" + std::to_string(call) + "/hangup", admin).status, 409);

  // Click-to-dial through the API-only process: the request crosses the database to the dialing
  // process, which places it (agent first; the agent's extension, 55*, rings on). The agent who
  // placed it sees it and hangs it up (a CANCEL, not a BYE) through the API-only process.
  auto click = request(host, port, "POST", "/api/v1/calls", agent, R"({"number":"+1 201 555 0124","agent":"5500123"})");
  ASSERT_EQ(click.status, 201) << click.body << "\n" << dialer.err();
  const auto clicked = std::to_string(click.json().at("id").as_int64());
  EXPECT_EQ(count(url, "SELECT count(*) FROM live_calls l JOIN users u ON u.id = l.placed_by WHERE l.id = " + clicked +
                       " AND u.username = 'agt' AND l.number = '+12015550124' AND l.instance_id <> ''"), 1);
  auto seen = request(host, port, "GET", "/api/v1/calls/" + clicked, agent);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.json().at("number"), "+12015550124");
  auto cut = request(host, port, "POST", "/api/v1/calls/" + clicked + "/hangup", agent);
  ASSERT_EQ(cut.status, 202) << cut.body;
  ASSERT_TRUE(eventually([&] {
    return count(url, "SELECT count(*) FROM call_attempts WHERE id = " + clicked + " AND state = 'DONE'") == 1;
  }, 30));

  // The simulator stops first (its log is written at exit): every BYE it received by then is
  // the hang-up's, since the other calls were still up; those it sends itself at its stop are
  // "send" in its log.
  sim.signal(SIGTERM);
  sim.wait(30);
  const auto log = sim.out() + sim.err();
  int byes_received = 0;
  for (auto at = log.find("BYE sip:"); at != std::string::npos; at = log.find("BYE sip:", at + 1)) {
    const auto recv = log.rfind("recv ", at), send = log.rfind("send ", at);
    if (recv != std::string::npos && (send == std::string::npos || recv > send)) ++byes_received;
  }
  EXPECT_EQ(byes_received, 1) << log.substr(0, 4000);
  dialer.signal(SIGTERM);
  api.signal(SIGTERM);
  EXPECT_EQ(dialer.wait(60), 0) << dialer.err();
  EXPECT_EQ(api.wait(60), 0) << api.err();
  // The dialing process hung up its calls at its stop: none is left up.
  EXPECT_EQ(count(url, "SELECT count(*) FROM live_calls WHERE state <> 'ended'"), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
