// Waiting for a peer process (sipp, hark simulate-callee) to listen, without touching its port:
// probing by binding it ourselves could make the peer's own bind fail.
#pragma once

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace hark::test {

/// True when some UDP socket of this machine is bound to `port` (from /proc/net/udp{,6}).
inline bool udp_port_bound(int port) {
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (const char* f : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      // "  sl  local_address rem_address ...": the local address is the second column.
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      const auto local = line.find_first_not_of(' ', colon + 1);
      const auto end = line.find(' ', local);
      if (local != std::string::npos && line.compare(end - 5, 5, hex) == 0) return true;
    }
  }
  return false;
}

/// Waits up to `timeout_ms` for `port` to be bound; returns whether it is.
inline bool wait_udp_bound(int port, int timeout_ms = 10000) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (udp_port_bound(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return udp_port_bound(port);
}

}  // namespace hark::test
