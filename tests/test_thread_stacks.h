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

/// Prints each thread's name, state and CPU time (from /proc), then its stack (gdb, when
/// installed), to stderr.
inline void print_thread_stacks() {
  std::fprintf(stderr, "*** the threads of pid %d: name, state, user and system ticks\n", int(::getpid()));
  const std::string cmd_proc =
      "for t in /proc/" + std::to_string(::getpid()) +
      "/task/*; do printf '%s %s ' \"${t##*/}\" \"$(cat $t/comm)\"; cut -d' ' -f3,14,15 $t/stat; done 1>&2";
  if (std::system(cmd_proc.c_str()) != 0) std::fprintf(stderr, "(no /proc listing)\n");
  std::fflush(stderr);
  ::prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);  // let gdb attach where Yama is on
  const std::string cmd = "gdb -p " + std::to_string(::getpid()) +
                          " -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 20' 1>&2 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "(gdb is not available: no stacks)\n");
}

}  // namespace hark::test
