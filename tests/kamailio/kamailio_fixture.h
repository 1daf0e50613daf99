// Kamailio for the trunk acceptance tests: Debian's kamailio started in a temp folder of its own
// with tests/kamailio/kamailio.cfg.in (db_text users, auth_db digest: 401 on REGISTER, 407 on
// INVITE, then relayed to the callee simulator at 127.0.0.98:5070), a test CA and certificates
// for Kamailio (127.0.0.97) and hark (127.0.0.90) made with openssl. Stopped (SIGTERM) by the
// destructor. Used by signaling/kamailio_test.cpp and control/runner_trunks_test.cpp.
#pragma once

#include <gtest/gtest.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "test_process.h"
#include "test_paths.h"

namespace hark::test::kam {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// hark's digest password at Kamailio (user "hark", realm "hark.test").
inline const char* kPassword = "Kam-Pass-123";

inline bool sh(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

/// Kamailio with its configuration, users and TLS files in a temp folder of its own.
struct Kamailio {
  fs::path dir = fs::temp_directory_path() / ("hark-kamailio-" + std::to_string(::getpid()));
  std::unique_ptr<test::Child> proc;

  Kamailio() {
    stop_stale();
    fs::remove_all(dir);
    fs::create_directories(dir / "db");
    const std::string d = dir.string();
    // A test CA, and a certificate from it for Kamailio (127.0.0.97) and for hark (127.0.0.90).
    const std::string q = " >/dev/null 2>&1";
    EXPECT_TRUE(sh("cd " + d + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj /CN=hark-test-ca -days 2" + q));
    for (const auto& [name, ip] : {std::pair{"kam", "127.0.0.97"}, std::pair{"hark", "127.0.0.90"}}) {
      const std::string n = name;
      EXPECT_TRUE(sh("cd " + d + " && openssl req -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n +
                     ".csr -subj /CN=" + ip + q + " && printf 'subjectAltName=IP:" + ip + "\\n' > " + n +
                     ".ext && openssl x509 -req -in " + n + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + n +
                     ".crt -days 2 -extfile " + n + ".ext" + q));
    }
    std::ofstream(dir / "tls.cfg") << "[server:default]\nmethod = TLSv1.2+\ncertificate = " << d
                                   << "/kam.crt\nprivate_key = " << d
                                   << "/kam.key\nverify_certificate = no\nrequire_certificate = no\n\n"
                                      "[client:default]\nverify_certificate = no\nrequire_certificate = no\n";
    std::ofstream(dir / "db" / "version") << "table_name(str) table_version(int)\nsubscriber:7\nlocation:9\n";
    std::ofstream(dir / "db" / "subscriber")
        << "id(int,auto) username(str) domain(str) password(str) ha1(str,null) ha1b(str,null)\n1:hark:hark.test:"
        << kPassword << "::\n";
    std::string cfg = slurp(hark::test::source_file("tests/kamailio/kamailio.cfg.in"));
    cfg = std::regex_replace(cfg, std::regex("@DIR@"), d);
    cfg = std::regex_replace(cfg, std::regex("@IP@"), "127.0.0.97");
    cfg = std::regex_replace(cfg, std::regex("@CALLEE@"), "sip:127.0.0.98:5070");
    std::ofstream(dir / "kamailio.cfg") << cfg;
    proc = std::make_unique<test::Child>(std::vector<std::string>{"/usr/sbin/kamailio", "-f", d + "/kamailio.cfg", "-DD",
                                                                  "-E", "-Y", d, "-P", d + "/kamailio.pid"});
    // Up once its control socket answers.
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until && kamcmd("core.version").find("kamailio") == std::string::npos)
      std::this_thread::sleep_for(100ms);
    EXPECT_NE(kamcmd("core.version").find("kamailio"), std::string::npos) << proc->err();
  }
  ~Kamailio() {
    proc->signal(SIGTERM);  // Kamailio stops its children itself
    proc->wait(30);
    fs::remove_all(dir);
  }
  /// A test process that died (a crash, a timeout's SIGKILL) never ran its destructor, so its
  /// Kamailio still holds 127.0.0.97's ports and would fail every later test: stop the Kamailio
  /// of each hark-kamailio-PID folder whose PID is gone, then remove the folder.
  /// True while PID runs (a zombie, dead but not yet reaped, does not count).
  static bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
  }
  static void stop_stale() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path(), ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("hark-kamailio-", 0) != 0) continue;
      const pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + 14));
      if (owner <= 0 || owner == ::getpid() || alive(owner)) continue;
      const pid_t kam = static_cast<pid_t>(std::atol(slurp(e.path() / "kamailio.pid").c_str()));
      if (kam > 0 && ::kill(kam, SIGTERM) == 0) {
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (alive(kam) && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
        if (alive(kam)) ::kill(kam, SIGKILL);
      }
      fs::remove_all(e.path(), ec);
    }
  }
  std::string kamcmd(const std::string& cmd) {
    test::Child c({"/usr/sbin/kamcmd", "-s", "unix:" + (dir / "kamailio_ctl").string(), cmd});
    c.wait(10);
    return c.out();
  }
  std::string log() const { return proc->err(); }
  /// Waits (bounded) until Kamailio's log holds `text`.
  bool wait_log(const std::string& text) const {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

}  // namespace hark::test::kam
