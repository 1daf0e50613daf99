#include "control/campaign/dnc_client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <openssl/ssl.h>

#include <optional>

namespace hark::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {
struct Url {
  bool tls = false;
  std::string host, port, path;
};

std::optional<Url> parse_url(const std::string& url, std::string* why) {
  Url u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) u.tls = true, rest = url.substr(8);
  else if (url.rfind("http://", 0) == 0) rest = url.substr(7);
  else { if (why) *why = "URL must start with https:// (or http://)"; return std::nullopt; }
  const auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/donotcall" : rest.substr(slash);
  const auto colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  } else {
    u.host = hostport;
    u.port = u.tls ? "443" : "80";
  }
  if (u.host.empty() || u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos) {
    if (why) *why = "URL needs a host and a numeric port";
    return std::nullopt;
  }
  return u;
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, const Url& u, const std::string& body, const std::string& token,
                               http::response<http::string_body>& res) {
  http::request<http::string_body> req{http::verb::post, u.path, 11};
  req.set(http::field::host, u.host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "hark");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.body() = body;
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buf;
  co_await http::async_read(stream, buf, res, asio::use_awaitable);
}
}  // namespace

std::string dnc_url_problem(const std::string& url) {
  std::string why;
  if (!parse_url(url, &why)) return why;
  return {};
}

DncAnswer check_dnc(const DncService& s, const std::string& number, std::string* error) {
  auto set_error = [&](std::string e) { if (error) *error = std::move(e); };
  std::string why;
  const auto u = parse_url(s.url, &why);
  if (!u) { set_error(why); return DncAnswer::unreachable; }
  const std::string body = json::serialize(json::object{{"number", number}});
  http::response<http::string_body> res;
  std::string failure;
  bool done = false;

  asio::ssl::context ssl(asio::ssl::context::tls_client);
  if (u->tls) {
    ssl.set_default_verify_paths();
    if (!s.ca_file.empty()) {
      beast::error_code ec;
      ssl.load_verify_file(s.ca_file, ec);
      if (ec) { set_error("cannot read CA file " + s.ca_file + ": " + ec.message()); return DncAnswer::unreachable; }
    }
    ssl.set_verify_mode(asio::ssl::verify_peer);
  }

  // Declared after everything the coroutine refers to: an unfinished coroutine (a timeout) is
  // destroyed with the io_context, before those.
  asio::io_context ioc;
  auto run = [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(ioc);
    auto endpoints = co_await resolver.async_resolve(u->host, u->port, asio::use_awaitable);
    if (u->tls) {
      beast::ssl_stream<beast::tcp_stream> stream(ioc, ssl);
      SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str());
      stream.set_verify_callback(asio::ssl::host_name_verification(u->host));
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
      co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
      co_await exchange(stream, *u, body, s.bearer_token, res);
    } else {
      beast::tcp_stream stream(ioc);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      co_await exchange(stream, *u, body, s.bearer_token, res);
    }
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
  ioc.run_for(std::chrono::milliseconds(std::max(1, s.timeout_ms)));
  if (!done) { set_error("no answer within " + std::to_string(s.timeout_ms) + " ms"); return DncAnswer::unreachable; }
  if (!failure.empty()) { set_error(failure); return DncAnswer::unreachable; }
  if (res.result_int() != 200) { set_error("answered HTTP " + std::to_string(res.result_int())); return DncAnswer::unreachable; }
  json::error_code ec;
  auto v = json::parse(res.body(), ec);
  if (ec || !v.is_object()) { set_error("answer is not a JSON object"); return DncAnswer::unreachable; }
  const auto* flag = v.as_object().if_contains("doNotCall");
  if (!flag || !flag->is_bool()) { set_error("answer has no boolean doNotCall"); return DncAnswer::unreachable; }
  return flag->as_bool() ? DncAnswer::listed : DncAnswer::clear;
}

}  // namespace hark::control
