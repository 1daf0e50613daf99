// The control plane's HTTP/1.1 transport (boost-beast): keep-alive, TLS when a certificate is
// configured, a body limit (413), and server-sent-event streams. It knows nothing about the
// API: every request goes to one handler, which runs on one of a few I/O threads and may block
// (on PostgreSQL) — the control plane is not the media path.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "control/campaign/event_stream.h"

namespace hark::control {

struct HttpRequest {
  std::string method;                          ///< "GET", "POST", ...
  std::string target;                          ///< as sent, with the query
  std::string path;                            ///< percent-decoded, without the query
  std::map<std::string, std::string> query;    ///< percent-decoded query parameters
  std::map<std::string, std::string> headers;  ///< names lower-cased
  std::string body;
  std::string remote;                          ///< peer address

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse;

/// A response computed later on another thread (a login's password check): the handler
/// returns an HttpResponse whose `later` is set, and the thread doing the work calls finish()
/// once. The I/O thread is free meanwhile. Whichever of finish() and on_finish() comes second
/// delivers the response.
class LaterResponse {
 public:
  /// The answer (from any thread; only the first call counts).
  void finish(HttpResponse r);
  /// Where the answer goes (the server sets it once; runs at once if finish() came first).
  void on_finish(std::function<void(HttpResponse)> deliver);

 private:
  std::mutex mu_;
  std::shared_ptr<HttpResponse> done_;
  std::function<void(HttpResponse)> deliver_;
  bool delivered_ = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set for `text/event-stream`: the connection stays open and carries these events.
  std::shared_ptr<EventStream> events;
  /// For event streams: run every HttpServerOptions::stream_recheck_s on an I/O thread; the
  /// stream ends when it returns false (the token ended, the user lost access).
  std::function<bool()> events_recheck;
  /// Set when the answer comes later (the other fields are then ignored).
  std::shared_ptr<LaterResponse> later;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  ///< host:port; port 0 picks a free one
  int threads = 4;                        ///< I/O threads (handlers block on the database)
  size_t body_limit = 64 << 20;           ///< larger bodies get 413
  std::string tls_cert_file;              ///< PEM chain; TLS only when both files are set
  std::string tls_key_file;
  int idle_timeout_s = 60;                ///< connections idle (or sending a header) this long are closed
  /// Open connections at most (event streams included); more are refused with 503 and closed.
  /// Clamped at start to half the process's file-descriptor limit, leaving room for RTP.
  int max_connections = 4000;
  int max_event_streams = 1000;           ///< open event streams at most; more get 503
  int stream_recheck_s = 5;               ///< how often an event stream's recheck runs
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions o, HttpHandler handler);
  ~HttpServer();
  /// Binds and starts the I/O threads; returns an error message, empty on success.
  std::string start();
  /// The bound port (useful with port 0).
  int port() const;
  bool tls() const;
  /// Connections open now (event streams included).
  int connections() const;
  /// Stops accepting, closes connections and event streams, joins the threads.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Percent-decodes `s` ('+' is a space in queries when `plus_is_space`); false on bad escapes.
bool percent_decode(std::string_view s, std::string& out, bool plus_is_space);

}  // namespace hark::control
