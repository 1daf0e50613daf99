#include "cli/agent_reporter.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>

#include "control/webhooks/webhook_http.h"

namespace hark::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::optional<AgentReporter> AgentReporter::make(const std::string& api, long long campaign, std::string token,
                                                 std::string* why) {
  auto u = control::parse_webhook_url(api, why);
  if (!u) return std::nullopt;
  if (u->tls) {
    if (why) *why = "the agent pool reports over http:// only";
    return std::nullopt;
  }
  AgentReporter r;
  r.host_ = u->host;
  r.port_ = u->port;
  r.base_ = u->target.substr(0, u->target.find('?'));
  while (!r.base_.empty() && r.base_.back() == '/') r.base_.pop_back();
  r.campaign_ = campaign;
  r.token_ = std::move(token);
  return r;
}

std::string AgentReporter::put(const PoolAgent& a, int timeout_ms) const {
  http::request<http::string_body> req{http::verb::put,
                                       base_ + "/api/v1/campaigns/" + std::to_string(campaign_) + "/agents/" + a.id, 11};
  req.set(http::field::host, host_ + ":" + port_);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "hark-agent-pool");
  req.set(http::field::connection, "close");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  req.body() = boost::json::serialize(boost::json::object{{"state", a.state}, {"extension", a.extension}});
  req.prepare_payload();
  http::response<http::string_body> res;
  bool done = false;
  std::string failure;
  // Declared after everything the coroutine refers to: an unfinished coroutine (a timeout) is
  // destroyed with the io_context, before those.
  asio::io_context ioc;
  auto run = [&]() -> asio::awaitable<void> {
    asio::ip::tcp::resolver resolver(ioc);
    auto endpoints = co_await resolver.async_resolve(host_, port_, asio::use_awaitable);
    beast::tcp_stream stream(ioc);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    co_await http::async_read(stream, buf, parser, asio::use_awaitable);
    res = parser.release();
  };
  asio::co_spawn(ioc, run(), [&](std::exception_ptr e) {
    done = true;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      failure = x.what();
    }
  });
  ioc.run_for(std::chrono::milliseconds(std::max(1, timeout_ms)));
  if (!done) return "no answer within " + std::to_string(timeout_ms) + " ms";
  if (!failure.empty()) return failure;
  if (res.result_int() / 100 != 2) return "HTTP " + std::to_string(res.result_int()) + " " + res.body().substr(0, 200);
  return "";
}

}  // namespace hark::cli
