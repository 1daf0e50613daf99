// Every thread's stack and state, printed when a test finds a stall it cannot explain.
//
// A wait that times out says only that something did not happen. For a stall that comes once
// in several loaded CI runs (the oRTP simulator's streams in SipCalls.ThreeHundred…, see
// sip_call_test.cpp), the stacks at that moment are what tells a blocked thread from one that
// runs but never gets its input. Thread names (pthread_setname_np) make them readable.
#pragma once

#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace hark::test {

/// Prints each thread's name, state and CPU time so far (from /proc: a blocked thread's ticks do
/// not move between two calls), then its stack, `frames` deep (gdb, when installed), to stderr.
inline void print_thread_stacks(int frames = 25) {
  std::fprintf(stderr, "*** the threads of pid %d: id, name, state, user and system ticks\n", int(::getpid()));
  std::fflush(stderr);
  // The name (field 2, in parentheses) may hold spaces: the fields after its last ") " are
  // counted from the state on.
  const std::string cmd_proc = "for t in /proc/" + std::to_string(::getpid()) +
                               "/task/*; do printf '%s %s ' \"${t##*/}\" \"$(cat $t/comm)\";"
                               " sed 's/.*) //' $t/stat | cut -d' ' -f1,12,13; done 1>&2 2>/dev/null";
  [[maybe_unused]] const int listed = std::system(cmd_proc.c_str());  // a thread may end meanwhile
  ::prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);  // let gdb attach where Yama is on
  const std::string cmd = "gdb -p " + std::to_string(::getpid()) + " -batch -nx -ex 'set pagination off' -ex " +
                          "'thread apply all bt " + std::to_string(frames) + "' 1>&2 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "(gdb is missing or could not attach: no stacks)\n");
}

}  // namespace hark::test
