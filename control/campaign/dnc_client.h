// The client side of the do-not-call web API: `POST /donotcall {"number": ...}` answered by
// `{"number": ..., "doNotCall": true|false}`. HTTPS verifies the server's certificate and host
// name (system CAs, plus HARK_DNC_CA_FILE when set); every lookup is bounded by a timeout.
#pragma once

#include <string>

namespace hark::control {

struct DncService {
  std::string url;           ///< https://host[:port]/donotcall (http:// only for loopback tests)
  int timeout_ms = 2000;
  std::string bearer_token;  ///< sent as Authorization: Bearer when set
  std::string ca_file;       ///< extra trusted CA (PEM); empty: system CAs only
};

enum class DncAnswer { clear, listed, unreachable };

/// Asks the service about `number`. `unreachable` covers timeouts, refused connections,
/// certificate failures, non-200 answers and answers that are not the expected JSON; `error`
/// then says which.
DncAnswer check_dnc(const DncService& s, const std::string& number, std::string* error = nullptr);

/// Checks a service URL's form: empty when fine, else the complaint.
std::string dnc_url_problem(const std::string& url);

}  // namespace hark::control
