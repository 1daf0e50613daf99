// HttpServer alone, with a trivial handler (no database): event streams served on the I/O
// threads with a cap, the connection cap, idle and half-sent-header timeouts (issue 13).
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/api/http_server.h"
#include "test_socket.h"

namespace hark::control {
namespace {

using namespace test;

/// One GET on a fresh connection; the response head and body, empty when it failed.
std::string get(int port, const std::string& path) {
  const int fd = connect_to(port);
  if (fd < 0) return {};
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto r = read_until(fd, "");  // to the close
  ::close(fd);
  return r.data;
}

/// A server whose /events opens an event stream and whose other paths answer "ok".
struct TestServer {
  std::mutex mu;
  std::vector<std::shared_ptr<EventStream>> streams;
  std::function<bool()> recheck;  ///< given to every stream when set
  std::unique_ptr<HttpServer> server;

  explicit TestServer(HttpServerOptions o) {
    o.listen = "127.0.0.1:0";
    server = std::make_unique<HttpServer>(o, [this](const HttpRequest& req) {
      HttpResponse r;
      if (req.path == "/events") {
        r.content_type = "text/event-stream";
        r.events = std::make_shared<EventStream>();
        std::lock_guard lk(mu);
        streams.push_back(r.events);
        r.events_recheck = recheck;
      } else {
        r.body = "ok";
      }
      return r;
    });
    EXPECT_EQ(server->start(), "");
  }
  int port() const { return server->port(); }
  void push_all(const std::string& data) {
    std::lock_guard lk(mu);
    for (auto& s : streams) s->push("tick", data);
  }
};

TEST(HttpServerEvents, StreamsBeyondTheCapGet503AndTheServerKeepsAnswering) {
  HttpServerOptions o;
  o.threads = 2;
  o.max_event_streams = 250;
  TestServer ts(o);
  std::vector<int> fds;
  for (int i = 0; i < 300; ++i) {
    const int fd = connect_to(ts.port());
    ASSERT_GE(fd, 0);
    send_all(fd, "GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
    fds.push_back(fd);
  }
  int streaming = 0, refused = 0;
  std::vector<int> open_streams;
  for (int fd : fds) {
    const auto r = read_until(fd, "\r\n\r\n");
    if (r.data.rfind("HTTP/1.1 200", 0) == 0 && r.data.find("text/event-stream") != std::string::npos) {
      ++streaming;
      open_streams.push_back(fd);
    } else if (r.data.rfind("HTTP/1.1 503", 0) == 0) {
      ++refused;
    }
  }
  EXPECT_EQ(streaming, 250);
  EXPECT_EQ(refused, 50);
  EXPECT_NE(get(ts.port(), "/healthz").find("\r\n\r\nok"), std::string::npos);

  // The streams that were accepted carry events, written by the two I/O threads.
  ts.push_all("hello");
  ASSERT_FALSE(open_streams.empty());
  for (int fd : {open_streams.front(), open_streams.back()}) {
    const auto r = read_until(fd, "data: hello\n\n");
    EXPECT_NE(r.data.find("event: tick\ndata: hello\n\n"), std::string::npos) << r.data;
  }
  // Clients that go away free their streams (and their connections).
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(eventually([&] { return ts.server->connections() == 0; })) << ts.server->connections();
  ts.server->stop();
}

TEST(HttpServerEvents, AStreamEndsWhenItsRecheckFails) {
  HttpServerOptions o;
  o.threads = 2;
  o.stream_recheck_s = 1;
  TestServer ts(o);
  std::atomic<bool> allowed{true};
  ts.recheck = [&] { return allowed.load(); };
  const int fd = connect_to(ts.port());
  send_all(fd, "GET /events HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_EQ(read_until(fd, "\r\n\r\n").data.rfind("HTTP/1.1 200", 0), 0u);
  allowed = false;
  EXPECT_TRUE(read_until(fd, "").eof);
  ::close(fd);
  ts.server->stop();
}

TEST(HttpServerConnections, OverTheCapAreRefusedAndIdleOnesTimeOut) {
  HttpServerOptions o;
  o.threads = 2;
  o.max_connections = 20;
  o.idle_timeout_s = 2;
  TestServer ts(o);
  // Twenty idle clients: half send nothing, half half a request header.
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {
    const int fd = connect_to(ts.port());
    ASSERT_GE(fd, 0);
    if (i % 2) send_all(fd, "GET /x HTTP/1.1\r\nHost:");
    idle.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] { return ts.server->connections() == 20; })) << ts.server->connections();
  // Ten more are over the cap: refused with 503 and closed.
  for (int i = 0; i < 10; ++i) {
    const int fd = connect_to(ts.port());
    if (fd < 0) continue;  // refused outright is fine too
    const auto r = read_until(fd, "");
    EXPECT_EQ(r.data.rfind("HTTP/1.1 503", 0), 0u) << r.data;
    EXPECT_TRUE(r.eof);
    ::close(fd);
  }
  // The idle ones time out, so a new client is served.
  for (int fd : idle) EXPECT_TRUE(read_until(fd, "").eof);
  for (int fd : idle) ::close(fd);
  // The server counts a connection until its session is destroyed, a moment after the
  // close: wait for that, or the next clients race the last of the old ones for a slot.
  ASSERT_TRUE(eventually([&] { return ts.server->connections() == 0; })) << ts.server->connections();
  EXPECT_NE(get(ts.port(), "/x").find("\r\n\r\nok"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return ts.server->connections() == 0; })) << ts.server->connections();

  // At the cap again: a request gets through once the idle ones have timed out.
  idle.clear();
  for (int i = 0; i < 20; ++i) idle.push_back(connect_to(ts.port()));
  ASSERT_TRUE(eventually([&] { return ts.server->connections() == 20; })) << ts.server->connections();
  EXPECT_TRUE(eventually([&] { return get(ts.port(), "/x").find("\r\n\r\nok") != std::string::npos; }));
  for (int fd : idle) ::close(fd);
  ts.server->stop();
}

}  // namespace
}  // namespace hark::control
