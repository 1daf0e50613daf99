#include "cli/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace hark::control;

TEST(Config, EnvironmentOverridesDefaults) {
  ::setenv("DATABASE_URL", "postgresql://hark:s3cret@db.example/hark", 1);
  ::setenv("HARK_RTP_PORTS", "30000-30999", 1);
  ::setenv("HARK_MEDIA_WORKERS", "3", 1);
  std::vector<std::string> errors;
  const auto c = Config::from_env(&errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.rtp_port_min, 30000);
  EXPECT_EQ(c.rtp_port_max, 30999);
  EXPECT_EQ(c.media_workers, 3);
  bool masked = false;
  for (const auto& l : c.describe()) {
    EXPECT_EQ(l.find("s3cret"), std::string::npos) << l;
    masked |= l.find("hark:***@db.example") != std::string::npos;
  }
  EXPECT_TRUE(masked);
  ::unsetenv("DATABASE_URL");
  ::unsetenv("HARK_RTP_PORTS");
  ::unsetenv("HARK_MEDIA_WORKERS");
}

TEST(Config, BadValuesAreReported) {
  ::setenv("HARK_RTP_PORTS", "9000", 1);
  ::setenv("HARK_MEDIA_WORKERS", "many", 1);
  std::vector<std::string> errors;
  Config::from_env(&errors);
  EXPECT_EQ(errors.size(), 2u);
  ::unsetenv("HARK_RTP_PORTS");
  ::unsetenv("HARK_MEDIA_WORKERS");
}

TEST(Config, MasksKeyValuePasswords) {
  EXPECT_EQ(mask_password("host=x password=abc user=y"), "host=x password=*** user=y");
  EXPECT_EQ(mask_password("postgresql:///hark?host=/tmp&password=abc"), "postgresql:///hark?host=/tmp&password=***");
}

TEST(Config, MetricsTokenIsTakenButNeverLogged) {
  ::setenv("HARK_METRICS_TOKEN", "a-long-enough-metrics-token", 1);
  std::vector<std::string> errors;
  auto c = Config::from_env(&errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.metrics_token, "a-long-enough-metrics-token");
  for (const auto& l : c.describe()) EXPECT_EQ(l.find("a-long-enough"), std::string::npos) << l;
  for (const char* bad : {"short", "has a space in the middle of it"}) {
    ::setenv("HARK_METRICS_TOKEN", bad, 1);
    errors.clear();
    c = Config::from_env(&errors);
    EXPECT_EQ(errors.size(), 1u) << bad;
    EXPECT_TRUE(c.metrics_token.empty()) << bad;
  }
  ::unsetenv("HARK_METRICS_TOKEN");
}

TEST(Config, StaleAfterIsTakenWithinItsRange) {
  std::vector<std::string> errors;
  EXPECT_EQ(Config::from_env(&errors).stale_after_s, 10);
  ::setenv("HARK_STALE_AFTER_S", "3", 1);
  EXPECT_EQ(Config::from_env(&errors).stale_after_s, 3);
  EXPECT_TRUE(errors.empty());
  for (const char* bad : {"2", "3601", "soon"}) {  // below one heartbeat's margin, too long, no number
    ::setenv("HARK_STALE_AFTER_S", bad, 1);
    errors.clear();
    EXPECT_EQ(Config::from_env(&errors).stale_after_s, 10) << bad;
    EXPECT_EQ(errors.size(), 1u) << bad;
  }
  ::unsetenv("HARK_STALE_AFTER_S");
}

// ---- the configuration file (hark.toml) ----

namespace {
std::string write_toml(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("hark-config-" + std::to_string(::getpid()) + "-" + name + ".toml");
  std::ofstream(p) << text;
  return p.string();
}

std::vector<std::string> load_errors(const std::string& text, Config* out = nullptr) {
  const auto path = write_toml("t", text);
  std::vector<std::string> errors;
  auto c = Config::load(path, &errors);
  std::filesystem::remove(path);  // (it was left in /tmp, one per run)
  if (out) *out = c;
  return errors;
}
}  // namespace

TEST(ConfigFile, ReadsEveryTrunkSettingAndGroupsInOrder) {
  const std::string text = R"(
[database]
url = "postgresql:///hark"
[sip]
listen = "127.0.0.1:5090"
max_calls = 120
[media]
rtp_ports = "30000-30999"
[[trunk]]
name = "alpha"
host = "sip.alpha.example"
port = 5080
transport = "tcp"
outbound_proxy = "sip:proxy.alpha.example:5060"
caller_id = "5551000"
dial_prefix = "9"
codecs = ["PCMA", "PCMU"]
max_channels = 30
calls_per_second = 5
options_interval = 20
[trunk.registrar]
user = "hark"
password = "Sup3r-secret-pw"
realm = "alpha.example"
expiry = 300
[[trunk]]
name = "beta"
host = "10.0.0.2"
[trunk_groups]
main = ["beta", "alpha"]
)";
  Config c;
  const auto errors = load_errors(text, &c);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_EQ(c.sip_listen, "127.0.0.1:5090");
  EXPECT_EQ(c.max_calls, 120);
  EXPECT_EQ(c.rtp_port_min, 30000);
  ASSERT_EQ(c.trunks.size(), 2u);
  const auto& a = c.trunks[0];
  EXPECT_EQ(a.name, "alpha");
  EXPECT_EQ(a.hostport(), "sip.alpha.example:5080");
  EXPECT_EQ(a.transport, hark::signaling::Transport::tcp);
  EXPECT_EQ(a.uri("123"), "sip:123@sip.alpha.example:5080;transport=tcp");
  EXPECT_EQ(a.proxy, "sip:proxy.alpha.example:5060");
  EXPECT_EQ(a.registrar, "sip:sip.alpha.example:5080;transport=tcp");  // the trunk itself when no uri
  EXPECT_EQ(a.username, "hark");
  EXPECT_EQ(a.password, "Sup3r-secret-pw");
  EXPECT_EQ(a.realm, "alpha.example");
  EXPECT_EQ(a.register_expires_s, 300);
  EXPECT_EQ(a.caller_id, "5551000");
  EXPECT_EQ(a.dial_prefix, "9");
  EXPECT_EQ(a.codecs, (std::vector<std::string>{"PCMA", "PCMU"}));
  EXPECT_EQ(a.max_channels, 30);
  EXPECT_EQ(a.calls_per_second, 5);
  EXPECT_EQ(a.options_interval_s, 20);
  EXPECT_TRUE(c.trunks[1].registrar.empty());
  ASSERT_EQ(c.trunk_groups.size(), 1u);
  EXPECT_EQ(c.trunk_groups[0].first, "main");
  EXPECT_EQ(c.trunk_groups[0].second, (std::vector<std::string>{"beta", "alpha"}));
  for (const auto& l : c.describe()) EXPECT_EQ(l.find("Sup3r-secret-pw"), std::string::npos) << l;
}

TEST(ConfigFile, WithoutTrunksTheBuiltInOneIsHarkSipTrunk) {
  ::setenv("HARK_SIP_TRUNK", "127.0.0.1:5999", 1);
  Config c;
  EXPECT_TRUE(load_errors("[sip]\nlisten = \"127.0.0.1:5091\"\n", &c).empty());
  ::unsetenv("HARK_SIP_TRUNK");
  ASSERT_EQ(c.trunks.size(), 1u);
  EXPECT_EQ(c.trunks[0].name, "default");
  EXPECT_EQ(c.trunks[0].hostport(), "127.0.0.1:5999");
  ASSERT_EQ(c.trunk_groups.size(), 1u);
  EXPECT_EQ(c.trunk_groups[0].first, "default");
}

TEST(ConfigFile, EnvironmentOverridesTheFile) {
  ::setenv("HARK_HTTP_LISTEN", "127.0.0.1:9999", 1);
  Config c;
  EXPECT_TRUE(load_errors("[http]\nlisten = \"127.0.0.1:8081\"\nthreads = 3\n", &c).empty());
  ::unsetenv("HARK_HTTP_LISTEN");
  EXPECT_EQ(c.http_listen, "127.0.0.1:9999");
  EXPECT_EQ(c.http_threads, 3);
}

// Each mistake is exactly one error naming the file, its line and the key.
TEST(ConfigFile, MistakesNameFileLineAndKey) {
  struct Case {
    std::string text, line_and_key, why;
  };
  const std::vector<Case> cases = {
      {"[sip]\nlisten = \"127.0.0.1:5060\"\nlisen = \"x\"\n", ":3: sip.lisen", "unknown key"},
      {"[htpp]\nlisten = \"127.0.0.1:1\"\n", ":1: htpp", "unknown key"},
      {"[http]\n\nthreads = \"four\"\n", ":3: http.threads", "expected an integer, got a string"},
      {"[http]\nthreads = 65\n", ":2: http.threads", "must be 1 to 64"},
      {"[[trunk]]\nname = \"a\"\nhost = \"h\"\ntransport = \"sctp\"\n", ":4: trunk.transport", "must be udp, tcp or tls"},
      {"[[trunk]]\nname = \"a\"\nhost = \"h\"\ncodecs = [\"G729\"]\n", ":4: trunk.codecs", "codecs are PCMA and PCMU"},
      {"[[trunk]]\nname = \"a\"\nhost = \"h\"\nport = 5060.5\n", ":4: trunk.port", "expected an integer, got a number"},
      {"[[trunk]]\nname = \"a\"\nhost = \"h\"\n[trunk.registrar]\nuser = \"u\"\npasword = \"p\"\n", ":6: trunk.registrar.pasword",
       "unknown key"},
      {"[[trunk]]\nname = \"a\"\nhost = \"h\"\n[trunk_groups]\nmain = [\"a\",\n  \"b\"]\n", ":6: trunk_groups.main", "unknown trunk 'b'"},
      {"[[trunk]]\nname = \"a\"\n", ":1: trunk", "trunk a needs a host"},
      {"[sip]\ntls_key = \"/nonexistent/hark.key\"\n", ":2: sip.tls_key", "cannot read /nonexistent/hark.key"},
      {"[log]\nlevel = \"loud\"\n", ":2: log.level", "must be trace"},
      {"[sip]\nlisten = \n", ":2", "value"},  // not TOML at all: the parser's own words
  };
  for (const auto& k : cases) {
    const auto errors = load_errors(k.text);
    ASSERT_EQ(errors.size(), 1u) << k.text << (errors.empty() ? "" : "\n" + errors[0]);
    EXPECT_NE(errors[0].find(".toml" + k.line_and_key), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(k.why), std::string::npos) << errors[0];
  }
}

TEST(ConfigFile, DuplicateTrunkNamesAreRefused) {
  const auto errors = load_errors("[[trunk]]\nname = \"a\"\nhost = \"h\"\n[[trunk]]\nname = \"a\"\nhost = \"h\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("a second trunk named 'a'"), std::string::npos) << errors[0];
}

// Inbound callbacks (issue 16): [inbound] and its environment variables.
TEST(ConfigFile, InboundSectionAndItsEnvironment) {
  Config c;
  EXPECT_TRUE(load_errors("[inbound]\ndefault_route = \"sip:reception@pbx.example\"\ndefault_region = \"GB\"\n"
                          "internal_length = 5\n", &c).empty());
  EXPECT_EQ(c.inbound_default_route, "sip:reception@pbx.example");
  EXPECT_EQ(c.inbound_default_region, "GB");
  EXPECT_EQ(c.inbound_internal_length, 5);
  EXPECT_EQ(load_errors("[inbound]\ndefault_region = \"XX\"\n").size(), 1u);
  EXPECT_EQ(load_errors("[inbound]\ninternal_length = 16\n").size(), 1u);
  EXPECT_EQ(load_errors("[inbound]\ndefault_route = \"<sip:x@y>\"\n").size(), 1u);
  EXPECT_EQ(load_errors("[inbound]\ndefault_rout = \"9000\"\n").size(), 1u);  // unknown key
  Config d;
  EXPECT_TRUE(load_errors("", &d).empty());
  EXPECT_TRUE(d.inbound_default_route.empty());  // unknown callers get 404
  EXPECT_EQ(d.inbound_default_region, "US");
  ::setenv("HARK_INBOUND_DEFAULT_ROUTE", "9000", 1);
  ::setenv("HARK_INBOUND_REGION", "de", 1);
  std::vector<std::string> errors;
  auto e = Config::from_env(&errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(e.inbound_default_route, "9000");
  EXPECT_EQ(e.inbound_default_region, "DE");
  ::setenv("HARK_INBOUND_REGION", "nowhere", 1);
  errors.clear();
  Config::from_env(&errors);
  EXPECT_EQ(errors.size(), 1u);
  ::unsetenv("HARK_INBOUND_DEFAULT_ROUTE");
  ::unsetenv("HARK_INBOUND_REGION");
}
