// The hark executable's option and environment parsing as a user meets it: bad input gets a
// clear message and the usage-error status 2, never a crash or a silent default; the help
// texts name what the code reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "media/audio_file.h"
#include "test_audio.h"
#include "test_process.h"
#include "test_paths.h"
#include "test_temp.h"

using hark::test::Child;

namespace {
struct Outcome {
  int status;
  std::string out, err;
};

Outcome run_hark(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), hark::test::kHarkBinary);
  Child c(args, env);
  const int status = c.wait(60);
  return {status, c.out(), c.err()};
}

std::string human_wav() {
  static const std::string path = [] {
    const auto p = std::filesystem::temp_directory_path() / ("hark-opt-" + std::to_string(::getpid()) + ".wav");
    static const hark::test::RemoveAtExit remove_at_exit{p};
    std::vector<int16_t> pcm;
    hark::test::add_silence(pcm, 400);
    hark::test::add_babble(pcm, 600, -20);
    hark::test::add_silence(pcm, 3000);
    hark::media::write_wav(p.string(), pcm);
    return p.string();
  }();
  return path;
}

std::filesystem::path source_dir() { return std::filesystem::path(hark::test::kSourceDir); }

std::set<std::string> matches(const std::string& text, const std::string& re) {
  std::set<std::string> out;
  const std::regex r(re);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), r); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

// Expects a usage error: status 2, a message naming the command, no result on stdout.
void expect_usage_error(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::string shown;
  for (auto& a : args) shown += "'" + a + "' ";
  const auto r = run_hark(args, env);
  EXPECT_EQ(r.status, 2) << shown << "\nstdout: " << r.out << "\nstderr: " << r.err;
  EXPECT_NE(r.err + r.out, "") << shown << ": no message";
}
}  // namespace

TEST(HarkCliOptions, AsteriskArgsWithEmptyFieldsKeepAppAmdsDefaults) {
  // Was a heap-buffer-overflow: an empty field shifted the later ones past the end.
  auto r = run_hark({"amd", "--algorithm", "asterisk", "--asterisk-args", "2000,,1000", human_wav()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"cause\":\"HUMAN-1000-1000\""), std::string::npos) << r.out;
  // Every field empty: app_amd's defaults (after-greeting silence 800 ms).
  r = run_hark({"amd", "--algorithm", "asterisk", "--asterisk-args", ",,,,,,,,", human_wav()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"cause\":\"HUMAN-800-800\""), std::string::npos) << r.out;
  // --set overrides the positional list wherever it stands.
  r = run_hark({"amd", "--algorithm", "asterisk", "--set", "after_greeting_silence=1200", "--asterisk-args", ",,1000", human_wav()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"cause\":\"HUMAN-1200-1200\""), std::string::npos) << r.out;
}

TEST(HarkCliOptions, AmdRefusesBadOptions) {
  const std::string f = human_wav();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"amd", "--asterisk-args", "2000,abc", f},
           {"amd", "--asterisk-args", "1,2,3,4,5,6,7,8,9,10", f},
           {"amd", "--asterisk-args", "99999999999999999999999", f},
           {"amd", "--asterisk-args", "-5", f},
           {"amd", "--set", "greeting=", f},
           {"amd", "--set", "=5", f},
           {"amd", "--set", "greeting", f},
           {"amd", "--set", "no_such_parameter=1", f},
           {"amd", "--set", "greeting=99999999999999999999999", f},
           {"amd", "--set", "greeting=1e3", f},
           {"amd", "--jobs", "", f},
           {"amd", "--jobs", "0", f},
           {"amd", "--jobs", "2x", f},
           {"amd", "--jobs", "99999999999999999999999", f},
           {"amd", "--algorithm", "", f},
           {"amd", "--algorithm", "nonsense", f},
           {"amd", "--no-such-option", f},
           {"amd", f, "--labels"},
           {"amd"},
       })
    expect_usage_error(args);
}

TEST(HarkCliOptions, LoadtestRefusesBadOptionsBeforeDialing) {
  const std::string t = "sip:1000@127.0.0.1:9";  // discard port: nothing may be sent there
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"loadtest"},
           {"loadtest", "--target", ""},
           {"loadtest", "--target", "sip:@"},
           {"loadtest", "--target", "1000@127.0.0.1"},
           {"loadtest", "--target", t, "--calls", "abc"},
           {"loadtest", "--target", t, "--calls", ""},
           {"loadtest", "--target", t, "--calls", "0"},
           {"loadtest", "--target", t, "--calls", "99999999999999999999999"},
           {"loadtest", "--target", t, "--calls", "-1"},
           {"loadtest", "--target", t, "--concurrency", "99999999999"},
           {"loadtest", "--target", t, "--concurrency", "4.5"},
           {"loadtest", "--target", t, "--cps", "nan"},
           {"loadtest", "--target", t, "--cps", "inf"},
           {"loadtest", "--target", t, "--cps", "10/s"},
           {"loadtest", "--target", t, "--duration", "abc"},
           {"loadtest", "--target", t, "--duration", "1e300"},
           {"loadtest", "--target", t, "--hold", "-1"},
           {"loadtest", "--target", t, "--max-fail-rate", "2"},
           {"loadtest", "--target", t, "--max-fail-rate", ""},
           {"loadtest", "--target", t, "--ring-timeout", "x"},
           {"loadtest", "--target", t, "--ring-timeout", "0"},
           {"loadtest", "--target", t, "--rtp-ports", "20000-"},
           {"loadtest", "--target", t, "--rtp-ports", "20000-99999999999"},
           {"loadtest", "--target", t, "--rtp-ports", "20000-20100junk"},
           {"loadtest", "--target", t, "--numbers", "/nonexistent/numbers.txt"},
           {"loadtest", "--target", t, "--no-such-option"},
           {"loadtest", "--target", t, "--calls"},
       })
    expect_usage_error(args);
}

TEST(HarkCliOptions, SimulateCalleeRefusesBadOptions) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"simulate-callee", "--duration", "abc"},
           {"simulate-callee", "--duration", ""},
           {"simulate-callee", "--duration", "-3"},
           {"simulate-callee", "--rtp-ports", "x"},
           {"simulate-callee", "--rtp-ports", "14999-10000"},
           {"simulate-callee", "--rtp-ports", "10000-99999999999"},
           {"simulate-callee", "--map", "/nonexistent/map.txt"},
           {"simulate-callee", "--no-such-option"},
           {"simulate-callee", "--listen"},
           // The agent pool (issue 18 part 6): bad values, and agents with nowhere to report.
           {"simulate-callee", "--agents", "x"},
           {"simulate-callee", "--agents", "-1"},
           {"simulate-callee", "--talk-mean", "0"},
           {"simulate-callee", "--talk-sigma", "9"},
           {"simulate-callee", "--wrapup", "soon"},
           {"simulate-callee", "--campaign", "0"},
           {"simulate-callee", "--token"},
           {"simulate-callee", "--agents", "10"},
           {"simulate-callee", "--agents", "10", "--api", "https://127.0.0.1:1", "--campaign", "1", "--token", "t"},
       })
    expect_usage_error(args);
}

TEST(HarkCliOptions, RunRefusesBadOptionsAndEnvironment) {
  expect_usage_error({"run", "--duration", "abc"});
  expect_usage_error({"run", "--duration"});
  expect_usage_error({"run", "--no-such-option"});
  // DATABASE_URL unset: the configuration is checked before any connection.
  auto config_error = [](const std::vector<std::string>& env, const std::string& names) {
    std::vector<std::string> e = env;
    e.push_back("DATABASE_URL=");
    const auto r = run_hark({"run"}, e);
    EXPECT_EQ(r.status, 2) << env[0];
    EXPECT_NE((r.out + r.err).find(names), std::string::npos) << env[0] << "\n" << r.out << r.err;
  };
  // An unknown level used to turn the log off without a word.
  config_error({"HARK_LOG_LEVEL=verbose"}, "HARK_LOG_LEVEL must be");
  config_error({"HARK_LOG_LEVEL=INFO"}, "HARK_LOG_LEVEL must be");
  // The first master's password follows the API's rule: 8..128 bytes.
  config_error({"HARK_ADMIN_PASSWORD=short"}, "HARK_ADMIN_PASSWORD");
  config_error({"HARK_ADMIN_PASSWORD=" + std::string(129, 'p')}, "HARK_ADMIN_PASSWORD");
  // Good values pass: the only complaint left is the missing database.
  for (const std::string& good : {"HARK_ADMIN_PASSWORD=" + std::string(128, 'p'), std::string("HARK_ADMIN_PASSWORD=8bytes!!"),
                                 std::string("HARK_LOG_LEVEL=debug"), std::string("HARK_LOG_LEVEL=off")}) {
    const auto r = run_hark({"run"}, {good, "DATABASE_URL="});
    EXPECT_EQ(r.status, 2) << good;
    const std::string all = r.out + r.err;
    EXPECT_EQ(all.find("HARK_ADMIN_PASSWORD:"), std::string::npos) << good << "\n" << all;
    EXPECT_EQ(all.find("HARK_LOG_LEVEL must"), std::string::npos) << good << "\n" << all;
    if (good != "HARK_LOG_LEVEL=off") {
      EXPECT_NE(all.find("DATABASE_URL is not set"), std::string::npos) << good << "\n" << all;
    }
  }
}

TEST(HarkCliOptions, RunHelpNamesEveryVariableTheCodeAndTheReadmeName) {
  const auto help = run_hark({"run", "--help"});
  ASSERT_EQ(help.status, 0);
  // What the code reads: every "HARK_..." name literal in the configuration loader (wherever
  // it lives): env("NAME") and int_setting("NAME", ...).
  std::set<std::string> code;
  for (const char* folder : {"cli", "control"})
  for (const auto& e : std::filesystem::recursive_directory_iterator(source_dir() / folder)) {
    if (e.path().filename() != "config.cpp") continue;
    const auto found = matches(hark::test::read_text(e.path().string()), R"re("((?:HARK|DATABASE)_[A-Z_]*[A-Z])")re");
    code.insert(found.begin(), found.end());
  }
  ASSERT_GE(code.size(), 15u) << "the configuration loader was not found under " << source_dir();
  const auto in_help = matches(help.out, R"(\b((?:HARK|DATABASE)_[A-Z_]*[A-Z]))");
  for (const auto& name : code) EXPECT_TRUE(in_help.count(name)) << name << " is read but not in `hark run --help`";
  for (const auto& name : in_help) EXPECT_TRUE(code.count(name)) << name << " is in the help but never read";
  // The README's `hark run` section names the same ones.
  const std::string readme = hark::test::read_text((source_dir() / "README.md").string());
  const auto from = readme.find("hark run [--config FILE]"), to = readme.find("hark amd [options] FILE...");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  for (const auto& name : matches(readme.substr(from, to - from), R"(\b((?:HARK|DATABASE)_[A-Z_]*[A-Z]))"))
    EXPECT_TRUE(in_help.count(name)) << name << " is in the README but not in `hark run --help`";
}

TEST(HarkCliOptions, AmdHelpNamesEveryParameter) {
  const auto help = run_hark({"amd", "--help"});
  ASSERT_EQ(help.status, 0);
  const auto names = matches(hark::test::read_text((source_dir() / "amd/params.cpp").string()), R"re(\{"([a-z_]+)", &)re");
  ASSERT_GE(names.size(), 11u);
  for (const auto& n : names) EXPECT_NE(help.out.find(n), std::string::npos) << n << " is missing from `hark amd --help`";
}

// hark.toml as `hark run` meets it: one line per mistake naming file, line and key, status 2,
// nothing started; a good file is printed without its passwords.
TEST(HarkCliOptions, RunRefusesABadConfigFileWithOneLineNamingFileLineAndKey) {
  const auto dir = std::filesystem::temp_directory_path() / ("hark-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto bad = (dir / "bad.toml").string();
  std::ofstream(bad) << "[sip]\nlisen = \"127.0.0.1:5060\"\n";
  auto r = run_hark({"run", "--config", bad});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find(bad + ":2: sip.lisen: unknown key"), std::string::npos) << all;
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1) << all;  // that line and nothing else

  const auto unknown_group = (dir / "group.toml").string();
  std::ofstream(unknown_group) << "[[trunk]]\nname = \"a\"\nhost = \"h\"\n[trunk_groups]\nmain = [\"b\"]\n";
  r = run_hark({"run", "--config", unknown_group});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE((r.out + r.err).find(":5: trunk_groups.main: unknown trunk 'b'"), std::string::npos) << r.out << r.err;

  const auto key = (dir / "tls.toml").string();
  std::ofstream(key) << "[sip]\ntls_listen = \"127.0.0.1:5061\"\ntls_cert = \"" << bad << "\"\ntls_key = \"" << (dir / "none.key").string() << "\"\n";
  r = run_hark({"run", "--config", key});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE((r.out + r.err).find(":4: sip.tls_key: cannot read"), std::string::npos) << r.out << r.err;

  EXPECT_EQ(run_hark({"run", "--config", (dir / "missing.toml").string()}).status, 2);

  const auto good = (dir / "good.toml").string();
  std::ofstream(good) << "[[trunk]]\nname = \"carrier\"\nhost = \"127.0.0.99\"\n[trunk.registrar]\nuser = \"hark\"\n"
                         "password = \"Never-Shown-Pw-42\"\n";
  r = run_hark({"run", "--config", good, "--check-config"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("trunk carrier = sip:127.0.0.99:5060"), std::string::npos) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("Never-Shown-Pw-42"), std::string::npos) << r.out << r.err;
  std::filesystem::remove_all(dir);
}
