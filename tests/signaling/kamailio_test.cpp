// Acceptance against a real Kamailio (Debian's, started and stopped here): a digest registrar
// (401) and authenticating proxy (407) in front of the callee simulator, over UDP, TCP and TLS
// (a test CA made here with openssl; hark verifies Kamailio's certificate against it). Kamailio's
// own log and `kamcmd ul.dump` are the witnesses. Addresses: hark 127.0.0.90, Kamailio
// 127.0.0.97 (5080 UDP/TCP, 5081 TLS), the simulator 127.0.0.98.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "media/audio_file.h"
#include "signaling/callee_simulator.h"
#include "signaling/sip_agent.h"
#include "test_audio.h"
#include "test_sim_media.h"
#include "test_process.h"
#include "signaling/trunk_dialer.h"
#include "kamailio/kamailio_fixture.h"

using namespace hark;
using namespace hark::signaling;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using test::kam::Kamailio;
using test::kam::kPassword;
using test::kam::sh;

struct Callee {
  fs::path dir = fs::temp_directory_path() / ("hark-kam-callee-" + std::to_string(::getpid()));
  std::unique_ptr<CalleeSimulator> sim;
  Callee() {
    fs::create_directories(dir);
    std::vector<int16_t> human;
    test::add_silence(human, 300);
    test::add_babble(human, 600, -20);
    test::add_silence(human, 3000);
    media::write_wav((dir / "human.wav").string(), human);
    std::ofstream(dir / "map.txt") << "1* answer " << (dir / "human.wav").string() << " ring=100\n";
    std::vector<CalleeRule> rules;
    EXPECT_TRUE(read_callee_rules((dir / "map.txt").string(), rules).empty());
    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.bind_ip = "127.0.0.98";
    mo.port_min = 37000;
    mo.port_max = 37200;
    mo.max_streams = 40;
    sim = std::make_unique<CalleeSimulator>("sip:127.0.0.98:5070", "127.0.0.98", rules, test::sim_media(mo));
    EXPECT_EQ(sim->start(), "");
  }
  ~Callee() {
    sim->stop();
    fs::remove_all(dir);
  }
};

Trunk kamailio_trunk(const std::string& name, Transport tr, bool reg) {
  Trunk t;
  t.name = name;
  t.host = "127.0.0.97";
  t.port = tr == Transport::tls ? 5081 : 5080;
  t.transport = tr;
  t.username = "hark";
  t.password = kPassword;
  t.realm = "hark.test";
  if (reg) t.registrar = t.uri("");
  return t;
}

/// hark with the test CA's files in `certs` (its certificate, key, and the CA that verifies
/// Kamailio's); lifetime_ms: the transactions' 64*T1 (0: sofia's 32 s), which a test whose
/// INVITE is never answered shortens so the call ends at Timer B instead of after 32 s.
std::unique_ptr<test::Dialer> agent(std::vector<Trunk> trunks, const fs::path& certs, unsigned lifetime_ms = 0) {
  return std::make_unique<test::Dialer>(std::move(trunks), [&](TrunkSettings& t) {
    t.tls_bind_url = "sips:127.0.0.90:5061";
    t.tls_cert = (certs / "hark.crt").string();
    t.tls_key = (certs / "hark.key").string();
    t.tls_ca = (certs / "ca.crt").string();
    t.transaction_lifetime_ms = lifetime_ms;
  });
}

}  // namespace

TEST(Kamailio, RegistersWithDigestAndDialsThroughItsProxyAuthOverUdpTcpAndTls) {
  Kamailio kam;
  Callee callee;
  auto a = agent({kamailio_trunk("kam-udp", Transport::udp, true), kamailio_trunk("kam-tcp", Transport::tcp, false),
                  kamailio_trunk("kam-tls", Transport::tls, false)},
                 kam.dir);
  ASSERT_TRUE(a->wait_registered()) << kam.log();
  EXPECT_TRUE(kam.wait_log("HARK-AUTH-OK REGISTER user=hark proto=udp"));
  const auto users = kam.kamcmd("ul.dump");
  EXPECT_NE(users.find("AoR: hark"), std::string::npos) << users;
  EXPECT_NE(users.find("Address: sip:hark@127.0.0.90:5060"), std::string::npos) << users;  // reachable back over UDP
  for (const auto& [trunk, proto] : {std::pair{"kam-udp", "udp"}, std::pair{"kam-tcp", "tcp"}, std::pair{"kam-tls", "tls"}}) {
    const auto e = a->call("1001", {trunk});
    EXPECT_TRUE(e.answered) << trunk << ": " << e.sip_code << " " << e.cause;
    EXPECT_EQ(e.trunk, trunk);
    EXPECT_TRUE(kam.wait_log(std::string("HARK-AUTH-OK INVITE user=hark to=1001 proto=") + proto)) << kam.log();
    std::printf("kamailio: %s call answered through the 407 challenge\n", proto);
  }
}

// Certificate verification: a Kamailio whose certificate the configured CA did not sign is
// never sent the INVITE: the TLS handshake fails. (sofia does not report that failure before
// its transaction timer, so the call ends at Timer B, not as a transport failure at once.)
TEST(Kamailio, ATlsPeerTheCaDidNotSignIsRefused) {
  Kamailio kam;
  Callee callee;
  // A second, unrelated CA in a folder of its own, with hark's key and certificate beside it.
  const fs::path other = kam.dir / "other";
  fs::create_directories(other);
  ASSERT_TRUE(sh("cd " + other.string() + " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt "
                 "-subj /CN=some-other-ca -days 2 >/dev/null 2>&1 && cp ../hark.crt ../hark.key ."));
  // The handshake fails, so the INVITE is never answered: Timer B (64*T1, 4 s here) ends it.
  auto a = agent({kamailio_trunk("kam-tls", Transport::tls, false)}, other, 4000);
  const auto e = a->call("1001", {"kam-tls"});
  EXPECT_FALSE(e.answered) << e.sip_code << " " << e.cause;
  EXPECT_NE(e.outcome, LeadStatus::success);
  EXPECT_EQ(kam.log().find("HARK-AUTH-OK INVITE"), std::string::npos) << "the INVITE crossed an unverified TLS link";
}
