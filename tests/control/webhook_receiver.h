// A webhook receiver for the tests (a CRM): an HTTP server on its own thread that keeps every
// POST with its X-Hark-* headers and answers 204; and the signature a receiver expects,
// computed with OpenSSL here rather than by the code under test.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hark::test {

/// "sha256=" + hex HMAC-SHA256 of `body` under `secret`.
inline std::string expected_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += "0123456789abcdef"[mac[i] >> 4], hex += "0123456789abcdef"[mac[i] & 15];
  return "sha256=" + hex;
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class WebhookReceiver {
 public:
  struct Hit {
    std::string event, delivery, signature, body;
  };
  /// Listens on ip:port (0: a free port, see port()).
  WebhookReceiver(const std::string& ip, unsigned short port) : acceptor_(ioc_, {asio::ip::make_address(ip), port}) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~WebhookReceiver() {
    ioc_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Hit> hits() {
    std::lock_guard lk(mu_);
    return hits_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      serve(s);
      accept();
    });
  }
  void serve(tcp::socket& s) {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) return;
    {
      std::lock_guard lk(mu_);
      hits_.push_back({std::string(req["X-Hark-Event"]), std::string(req["X-Hark-Delivery"]),
                       std::string(req["X-Hark-Signature"]), req.body()});
    }
    http::response<http::empty_body> res{http::status::no_content, 11};
    res.keep_alive(false);
    http::write(s, res, ec);
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Hit> hits_;
};

}  // namespace hark::test
