// A small blocking HTTP/1.1 client for API tests (one connection per request).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <map>
#include <utility>
#include <vector>
#include <string>

namespace hark::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  ///< names lower-cased
  boost::json::value json() const {
    boost::json::error_code ec;
    auto v = boost::json::parse(body, ec);
    return ec ? boost::json::value() : v;
  }
  /// error.code / error.field of a JSON error body ("" when absent).
  std::string error_code() const {
    auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) return {};
    return std::string(v.at("error").at("code").as_string());
  }
  std::string error_field() const {
    auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) return {};
    auto* f = v.at("error").as_object().if_contains("field");
    return f ? std::string(f->as_string()) : std::string();
  }
};

/// A request from the loopback address `source` (127.0.0.2, ... : a client address of its own).
inline HttpResult http_request_from(const std::string& source, int port, const std::string& method,
                                    const std::string& target, const std::string& token = {},
                                    const std::string& body = {},
                                    const std::string& content_type = "application/json",
                                    const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  sock.open(boost::asio::ip::tcp::v4());
  sock.bind({boost::asio::ip::make_address(source), 0});
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, content_type);
  for (const auto& [name, value] : extra_headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  beast::error_code wec;
  http::write(sock, req, wec);  // a server refusing a big body (413) may stop reading it: read the answer anyway
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(512 << 20);
  beast::error_code ec;
  http::read(sock, buf, parser, ec);
  HttpResult r;
  if (ec) return r;  // status 0: the server closed without an answer
  r.status = parser.get().result_int();
  r.body = parser.get().body();
  r.content_type = std::string(parser.get()[http::field::content_type]);
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  return r;
}

inline HttpResult http_request(int port, const std::string& method, const std::string& target,
                               const std::string& token = {}, const std::string& body = {},
                               const std::string& content_type = "application/json",
                               const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
  return http_request_from("127.0.0.1", port, method, target, token, body, content_type, extra_headers);
}

}  // namespace hark::test
