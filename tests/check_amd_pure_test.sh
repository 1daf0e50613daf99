#!/usr/bin/env bash
# Proves the purity check can fail: on a copy of amd/, each impurity added to one file (a
# getenv-gated debug print, a clock, a thread, a mutex outside the FFT plan) must make
# check_amd_pure.sh fail and name the file; the untouched copy must pass.
#   check_amd_pure_test.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_amd_pure_test.sh SOURCE_ROOT}
source "$root/tests/check_can_fail.sh"
can_fail_setup "$root" "$root/tests/check_amd_pure.sh" amd
expect_caught amd/classifier.cpp 'static const bool dbg = std::getenv("HARK_BDBG") != nullptr;'
expect_caught amd/beep_rules.cpp '  if (dbg) fprintf(stderr, "seg %d\n", n);'
expect_caught amd/call_features.cpp '  std::printf("%d\n", n);'
expect_caught amd/vad.h '#include <chrono>'
expect_caught amd/vad.cpp '#include <thread>'
expect_caught amd/music_detector.cpp '#include <iostream>'
expect_caught amd/classifier.h '#include <mutex>'
expect_caught amd/tone_tracker.cpp 'static std::mutex plan_lock;'
expect_caught amd/call_features.cpp '  const auto t0 = std::chrono::steady_clock::now();'
expect_caught amd/replay.cpp '  std::jthread worker([] {});'
expect_caught amd/evaluation.cpp '  std::lock_guard<std::mutex> hold(m);'
expect_caught amd/vad.cpp '  fwrite(buf, 1, n, stderr);'
echo "PASS"
