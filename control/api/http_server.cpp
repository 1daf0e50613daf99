#include "control/api/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

namespace hark::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// ---- helpers --------------------------------------------------------------------------------

bool percent_decode(std::string_view s, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      const int h = hex(s[i + 1]), l = hex(s[i + 2]);
      if (h < 0 || l < 0) return false;
      out += char(h * 16 + l);
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return true;
}

namespace {

std::string json_error(std::string_view code, std::string_view message) {
  return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}}";
}

}  // namespace

// ---- server ---------------------------------------------------------------------------------

struct HttpServer::Impl {
  HttpServerOptions opt;
  HttpHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<asio::ssl::context> ssl;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int> event_writers{0};
  std::mutex streams_mu;
  std::vector<std::weak_ptr<EventStream>> streams;
  int bound_port = 0;

  void accept();
  HttpResponse dispatch(http::request<http::string_body>& req, const std::string& remote);
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& srv, Stream&& s) : srv_(srv), stream_(std::move(s)) {}

  void run() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(srv_.opt.body_limit);
    parser_->header_limit(32 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(srv_.opt.idle_timeout_s));
    http::async_read(stream_, buf_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::eof || ec == asio::error::connection_reset)
      return close();
    if (ec == http::error::body_limit) return reply_error(413, "too_large", "request body exceeds the limit");
    if (ec == http::error::header_limit) return reply_error(431, "headers_too_large", "request headers too large");
    if (ec) return reply_error(400, "malformed_http", "malformed HTTP request");
    auto req = parser_->release();
    std::string remote;
    beast::error_code rec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(rec);
    if (!rec) remote = ep.address().to_string();
    keep_alive_ = req.keep_alive();
    HttpResponse r = srv_.dispatch(req, remote);
    if (r.events) return start_events(std::move(r));
    send(std::move(r));
  }

  void reply_error(int status, std::string_view code, std::string_view message) {
    keep_alive_ = false;
    HttpResponse r;
    r.status = status;
    r.body = json_error(code, message);
    send(std::move(r));
  }

  void send(HttpResponse r) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<http::status>(r.status));
    res->set(http::field::server, "hark");
    res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !srv_.stopping);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->close();
      self->read();
    });
  }

  // An event stream gets a thread of its own writing synchronously: few supervisors watch at
  // once, and it keeps the I/O threads free for requests.
  void start_events(HttpResponse r) {
    beast::get_lowest_layer(stream_).expires_never();
    {
      std::lock_guard lk(srv_.streams_mu);
      srv_.streams.push_back(r.events);
    }
    ++srv_.event_writers;
    std::thread([self = this->shared_from_this(), ev = r.events, headers = r.headers]() mutable {
      self->write_events(*ev, headers);
      ev->close();
      --self->srv_.event_writers;
    }).detach();
  }

  void write_events(EventStream& ev, const std::vector<std::pair<std::string, std::string>>& headers) {
    beast::error_code ec;
    std::string head = "HTTP/1.1 200 OK\r\nServer: hark\r\nContent-Type: text/event-stream\r\n"
                       "Cache-Control: no-cache\r\nConnection: close\r\n";
    for (auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    asio::write(stream_, asio::buffer(head), ec);
    std::string chunk;
    while (!ec && !srv_.stopping && !ev.closed()) {
      if (ev.pop(chunk, std::chrono::milliseconds(500))) {
        asio::write(stream_, asio::buffer(chunk), ec);
      } else if (++idle_ticks_ % 30 == 0) {
        asio::write(stream_, asio::buffer(std::string_view(": keep-alive\n\n")), ec);  // finds dead peers
      }
    }
    close();
  }

  void close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  HttpServer::Impl& srv_;
  Stream stream_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned idle_ticks_ = 0;
};

}  // namespace

HttpResponse HttpServer::Impl::dispatch(http::request<http::string_body>& req, const std::string& remote) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.remote = remote;
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(req.body());
  const auto q = r.target.find('?');
  if (!percent_decode(std::string_view(r.target).substr(0, q), r.path, false)) {
    HttpResponse e;
    e.status = 400;
    e.body = json_error("malformed_path", "bad percent-encoding in the path");
    return e;
  }
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(r.target).substr(q + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const auto part = rest.substr(0, amp);
      const auto eq = part.find('=');
      std::string k, v;
      if (!percent_decode(part.substr(0, eq), k, true) ||
          !percent_decode(eq == part.npos ? std::string_view() : part.substr(eq + 1), v, true)) {
        HttpResponse e;
        e.status = 400;
        e.body = json_error("malformed_query", "bad percent-encoding in the query");
        return e;
      }
      if (!k.empty()) r.query[k] = v;
      if (amp == rest.npos) break;
      rest = rest.substr(amp + 1);
    }
  }
  try {
    return handler(r);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: {}", r.method, r.path, e.what());
    HttpResponse err;
    err.status = 500;
    err.body = json_error("internal", "internal error");
    return err;
  }
}

void HttpServer::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
    if (stopping) return;
    if (!ec) {
      sock.set_option(tcp::no_delay(true), ec);
      if (ssl) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *ssl))
            ->run();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(sock)))->run();
      }
    }
    accept();
  });
}

HttpServer::HttpServer(HttpServerOptions o, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(o);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::start() {
  auto& s = *impl_;
  const auto colon = s.opt.listen.rfind(':');
  if (colon == std::string::npos) return "listen address must be host:port, got '" + s.opt.listen + "'";
  std::string host = s.opt.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = std::atoi(s.opt.listen.c_str() + colon + 1);
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return "bad listen address '" + host + "'";
  if (!s.opt.tls_cert_file.empty() || !s.opt.tls_key_file.empty()) {
    try {
      s.ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      s.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      s.ssl->use_certificate_chain_file(s.opt.tls_cert_file);
      s.ssl->use_private_key_file(s.opt.tls_key_file, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      return std::string("TLS certificate/key: ") + e.what();
    }
  }
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + s.opt.listen + ": " + ec.message();
  s.bound_port = s.acceptor.local_endpoint().port();
  s.work.emplace(s.ioc.get_executor());
  s.accept();
  for (int i = 0; i < std::max(1, s.opt.threads); ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  return {};
}

int HttpServer::port() const { return impl_->bound_port; }
bool HttpServer::tls() const { return impl_->ssl != nullptr; }

void HttpServer::stop() {
  auto& s = *impl_;
  if (s.threads.empty()) return;
  s.stopping = true;
  {
    std::lock_guard lk(s.streams_mu);
    for (auto& w : s.streams)
      if (auto ev = w.lock()) ev->close();
  }
  while (s.event_writers > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  asio::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

}  // namespace hark::control
