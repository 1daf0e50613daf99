// Runs a program as a child process for the CLI tests: its stdout and stderr go to files, its
// end is waited for with a deadline, and a death by signal is reported as such (a shell's
// WEXITSTATUS would read a segfault as exit status 0).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace hark::test {

inline std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// One child process. `env` entries NAME=VALUE are added to (or replace) this process's
/// environment; NAME= with nothing after it removes NAME.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    static int n = 0;
    const auto base = std::filesystem::temp_directory_path() /
                      ("hark-child-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    out_path_ = base.string() + ".out";
    err_path_ = base.string() + ".err";
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      bool replaced = false;
      for (const auto& x : env) replaced |= kv.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0;
      if (!replaced) envs.push_back(kv);
    }
    for (const auto& x : env) if (x.back() != '=') envs.push_back(x);
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::remove(out_path_.c_str());
    std::remove(err_path_.c_str());
  }

  bool started() const { return pid_ > 0; }
  void signal(int sig) const { if (pid_ > 0 && status_ < 0) ::kill(pid_, sig); }

  /// Waits for the end: the exit status, 128 + the signal's number when a signal killed it,
  /// -1 when it is still running at the deadline.
  int wait(double seconds = 120) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (pid_ > 0 && status_ < 0) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) status_ = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
      else if (std::chrono::steady_clock::now() >= until) return -1;
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
  }
  /// Waits until `pred(stdout so far)` holds or the deadline passes (or the child ends).
  template <class Pred>
  bool wait_for_output(Pred pred, double seconds = 60) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (pred(out())) return true;
      int st = 0;
      if (status_ < 0 && ::waitpid(pid_, &st, WNOHANG) == pid_)
        status_ = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
      if (status_ >= 0) return pred(out());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string out() const { return read_text(out_path_); }
  std::string err() const { return read_text(err_path_); }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_, err_path_;
};

}  // namespace hark::test
