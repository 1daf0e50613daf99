#include "control/api/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

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

void LaterResponse::finish(HttpResponse r) {
  std::function<void(HttpResponse)> deliver;
  {
    std::lock_guard lk(mu_);
    if (done_ || delivered_) return;
    if (!deliver_) {
      done_ = std::make_shared<HttpResponse>(std::move(r));
      return;
    }
    deliver = std::move(deliver_);
    delivered_ = true;
  }
  deliver(std::move(r));
}

void LaterResponse::on_finish(std::function<void(HttpResponse)> deliver) {
  std::shared_ptr<HttpResponse> r;
  {
    std::lock_guard lk(mu_);
    if (!done_) {
      deliver_ = std::move(deliver);
      return;
    }
    r = std::move(done_);
    delivered_ = true;
  }
  deliver(std::move(*r));
}

// ---- server ---------------------------------------------------------------------------------

struct HttpServer::Impl {
  std::atomic<int> connections{0};  // before ioc: sessions count down as ioc destroys them
  HttpServerOptions opt;
  HttpHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<asio::ssl::context> ssl;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int> event_streams{0};
  std::mutex streams_mu;
  std::vector<std::weak_ptr<EventStream>> streams;
  int bound_port = 0;
  asio::steady_timer accept_backoff{ioc};
  bool accept_failing = false;  // only the accept handler touches these (one accept at a time)
  bool refusing = false;

  /// Remembers an open stream so stop() can close it (and forgets the ones that ended).
  void track(const std::shared_ptr<EventStream>& ev) {
    std::lock_guard lk(streams_mu);
    std::erase_if(streams, [](auto& w) { auto p = w.lock(); return !p || p->closed(); });
    streams.push_back(ev);
  }

  void accept();
  void refuse(tcp::socket sock);
  HttpResponse dispatch(http::request<http::string_body>& req, const std::string& remote);
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& srv, Stream&& s) : srv_(srv), stream_(std::move(s)) { ++srv_.connections; }
  ~Session() { --srv_.connections; }

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
    if (r.later) {
      // Nothing is read on this connection until the answer is sent (no pipelining), and the
      // idle timer stays off meanwhile: the work has its own bounds.
      beast::get_lowest_layer(stream_).expires_never();
      return r.later->on_finish([self = this->shared_from_this()](HttpResponse res) {
        asio::post(self->stream_.get_executor(),
                   [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
      });
    }
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

  // An event stream is written by the I/O threads like any response: a timer on the
  // connection's strand polls the EventStream without blocking, batches what is queued into one
  // async write, and runs the stream's recheck every few seconds. A thread per stream ran out of
  // threads (and aborted hark) past about a thousand streams.
  void start_events(HttpResponse r) {
    if (srv_.event_streams.fetch_add(1) >= srv_.opt.max_event_streams) {
      --srv_.event_streams;
      r.events->close();
      spdlog::warn("http: event stream refused: {} open, the limit", srv_.opt.max_event_streams);
      return reply_error(503, "too_many_streams", "too many open event streams; try again later");
    }
    counted_stream_ = true;
    beast::get_lowest_layer(stream_).expires_never();
    srv_.track(r.events);
    ev_ = std::move(r.events);
    recheck_ = std::move(r.events_recheck);
    timer_.emplace(stream_.get_executor());
    last_write_ = last_recheck_ = std::chrono::steady_clock::now();
    out_ = "HTTP/1.1 200 OK\r\nServer: hark\r\nContent-Type: text/event-stream\r\n"
           "Cache-Control: no-cache\r\nConnection: close\r\n";
    for (auto& [k, v] : r.headers) out_ += k + ": " + v + "\r\n";
    out_ += "\r\n";
    watch_peer();
    write_events();
  }

  // The client sends nothing on an event stream: a completed read means it closed or reset.
  void watch_peer() {
    stream_.async_read_some(asio::buffer(peer_byte_), [self = this->shared_from_this()](beast::error_code, size_t) {
      self->end_events();
    });
  }

  void write_events() {
    asio::async_write(stream_, asio::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->end_events();
      self->out_.clear();
      self->last_write_ = std::chrono::steady_clock::now();
      self->pump_events();
    });
  }

  void pump_events() {
    if (events_done_) return;
    if (srv_.stopping || ev_->closed()) return end_events();
    const auto now = std::chrono::steady_clock::now();
    if (recheck_ && now - last_recheck_ >= std::chrono::seconds(srv_.opt.stream_recheck_s)) {
      last_recheck_ = now;
      bool ok = false;
      try {
        ok = recheck_();
      } catch (const std::exception& e) {
        spdlog::warn("http: event stream recheck: {}", e.what());
      }
      if (!ok) return end_events();
    }
    std::string chunk;
    while (out_.size() < 64 * 1024 && ev_->pop(chunk, std::chrono::milliseconds(0))) out_ += chunk;
    if (out_.empty() && now - last_write_ >= std::chrono::seconds(15)) out_ = ": keep-alive\n\n";  // finds dead peers
    if (!out_.empty()) return write_events();
    timer_->expires_after(std::chrono::milliseconds(200));
    timer_->async_wait([self = this->shared_from_this()](beast::error_code) { self->pump_events(); });
  }

  void end_events() {
    if (events_done_) return;
    events_done_ = true;
    ev_->close();
    if (timer_) timer_->cancel();
    if (counted_stream_) --srv_.event_streams;
    counted_stream_ = false;
    close();
    beast::get_lowest_layer(stream_).cancel();  // the peer watch, so the connection is freed now
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
  // event streams
  std::shared_ptr<EventStream> ev_;
  std::function<bool()> recheck_;
  std::optional<asio::steady_timer> timer_;
  std::string out_;
  char peer_byte_[1];
  std::chrono::steady_clock::time_point last_write_, last_recheck_;
  bool counted_stream_ = false, events_done_ = false;
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
    if (ec) {
      // Out of file descriptors (EMFILE/ENFILE) or the like: accepting again at once would spin
      // on the same error with the connection still queued, so wait a little first.
      if (!accept_failing) spdlog::warn("http: accept: {}; retrying every 100 ms", ec.message());
      accept_failing = true;
      accept_backoff.expires_after(std::chrono::milliseconds(100));
      accept_backoff.async_wait([this](beast::error_code) {
        if (!stopping) accept();
      });
      return;
    }
    accept_failing = false;
    if (connections < opt.max_connections) refusing = false;
    if (connections >= opt.max_connections) {
      refuse(std::move(sock));
    } else {
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

void HttpServer::Impl::refuse(tcp::socket sock) {
  // Accepted only to be closed: left in the backlog it would look like a hung server. A plain
  // HTTP client is told why (one non-blocking write into an empty socket buffer); TLS is not.
  beast::error_code ec;
  if (!ssl) {
    static const std::string body = json_error("too_many_connections", "too many open connections; try again later");
    const std::string res = "HTTP/1.1 503 Service Unavailable\r\nServer: hark\r\nContent-Type: application/json\r\n"
                            "Connection: close\r\nRetry-After: 5\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    sock.non_blocking(true, ec);
    sock.write_some(asio::buffer(res), ec);
  }
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
  if (!refusing) spdlog::warn("http: {} connections open, the limit: refusing more", opt.max_connections);
  refusing = true;
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
  // Every connection costs a file descriptor; RTP sockets need theirs too.
  if (rlimit rl{}; getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      rlim_t(s.opt.max_connections) > rl.rlim_cur / 2) {
    s.opt.max_connections = std::max(1, int(rl.rlim_cur / 2));
    spdlog::info("http: at most {} connections (half the file-descriptor limit {})", s.opt.max_connections,
                 rl.rlim_cur);
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
int HttpServer::connections() const { return impl_->connections; }

void HttpServer::stop() {
  auto& s = *impl_;
  if (s.threads.empty()) return;
  s.stopping = true;
  {
    std::lock_guard lk(s.streams_mu);
    for (auto& w : s.streams)
      if (auto ev = w.lock()) ev->close();
  }
  asio::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
    s.accept_backoff.cancel();
  });
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

}  // namespace hark::control
