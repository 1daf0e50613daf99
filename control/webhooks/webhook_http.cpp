#include "control/webhooks/webhook_http.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>

namespace hark::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool fail_why(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

bool host_ok(const std::string& h, std::string* why) {
  if (h.empty()) return fail_why(why, "url needs a host");
  if (h.front() == '[') {
    boost::system::error_code ec;
    if (h.size() > 2 && h.back() == ']') asio::ip::make_address_v6(h.substr(1, h.size() - 2), ec);
    if (h.size() <= 2 || h.back() != ']' || ec) return fail_why(why, "url's host is not an IPv6 address in brackets");
    return true;
  }
  if (h.size() > 253) return fail_why(why, "url's host is too long");
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return fail_why(why, "url's host may hold only letters, digits, '-' and '.'");
  if (h.front() == '.' || h.front() == '-' || h.back() == '-' || h.find("..") != std::string::npos)
    return fail_why(why, "url's host is not a host name");
  return true;
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, http::verb method, const WebhookUrl& u,
                               const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                               http::response<http::string_body>& res) {
  http::request<http::string_body> req{method, u.target, 11};
  const bool default_port = u.port == (u.tls ? "443" : "80");
  req.set(http::field::host, default_port ? u.host : u.host + ":" + u.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "hark-webhooks");
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);  // the answer's body is not used: a receiver cannot make us hoard
  co_await http::async_read(stream, buf, parser, asio::use_awaitable);
  res = parser.release();
}

}  // namespace

std::optional<WebhookUrl> parse_webhook_url(const std::string& url, std::string* why) {
  WebhookUrl u;
  if (url.size() > 2048) return fail_why(why, "url is longer than 2048 bytes"), std::nullopt;
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f) return fail_why(why, "url holds spaces, control or non-ASCII characters"), std::nullopt;
  std::string rest;
  if (url.rfind("https://", 0) == 0) u.tls = true, rest = url.substr(8);
  else if (url.rfind("http://", 0) == 0) rest = url.substr(7);
  else return fail_why(why, "url must start with https:// or http://"), std::nullopt;
  const auto slash = rest.find_first_of("/?#");
  const std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target.front() == '#') u.target = "/";
  if (u.target.front() == '?') u.target = "/" + u.target;
  if (const auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (authority.find('@') != std::string::npos) return fail_why(why, "url may not hold a user name or password"), std::nullopt;
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
    if (u.port.empty() || u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
      return fail_why(why, "url's port must be a number from 1 to 65535"), std::nullopt;
  } else {
    u.host = authority;
    u.port = u.tls ? "443" : "80";
  }
  if (!host_ok(u.host, why)) return std::nullopt;
  if (u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  return u;
}

PostResult post_webhook(const WebhookUrl& u, const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, int timeout_ms, const std::string& ca_file) {
  return send_json("POST", u, headers, body, timeout_ms, ca_file);
}

PostResult send_json(const std::string& method_name, const WebhookUrl& u,
                     const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                     int timeout_ms, const std::string& ca_file) {
  const http::verb method = http::string_to_verb(method_name);
  if (method == http::verb::unknown) return {0, "unknown HTTP method " + method_name, {}};
  PostResult out;
  http::response<http::string_body> res;
  asio::ssl::context ssl(asio::ssl::context::tls_client);
  if (u.tls) {
    ssl.set_default_verify_paths();
    if (!ca_file.empty()) {
      beast::error_code ec;
      ssl.load_verify_file(ca_file, ec);
      if (ec) return {0, "cannot read CA file " + ca_file + ": " + ec.message(), {}};
    }
    ssl.set_verify_mode(asio::ssl::verify_peer);
  }
  bool done = false;
  std::string failure;
  // Declared after everything the coroutine refers to: an unfinished coroutine (a timeout) is
  // destroyed with the io_context, before those.
  asio::io_context ioc;
  auto run = [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(ioc);
    auto endpoints = co_await resolver.async_resolve(u.host, u.port, asio::use_awaitable);
    if (u.tls) {
      beast::ssl_stream<beast::tcp_stream> stream(ioc, ssl);
      SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str());
      stream.set_verify_callback(asio::ssl::host_name_verification(u.host));
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
      co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
      co_await exchange(stream, method, u, headers, body, res);
    } else {
      beast::tcp_stream stream(ioc);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      co_await exchange(stream, method, u, headers, body, res);
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
  ioc.run_for(std::chrono::milliseconds(std::max(1, timeout_ms)));
  if (!done) return {0, "no answer within " + std::to_string(timeout_ms) + " ms", {}};
  if (!failure.empty()) return {0, failure, {}};
  out.status = res.result_int();
  out.body = std::move(res.body());
  return out;
}

}  // namespace hark::control
