#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine (as root) or a developer's:
#  1. installs missing packages (quiet when none are missing);
#  2. builds the optimised tree (build/), incrementally;
#  3. starts the private PostgreSQL unless DATABASE_URL is already set;
#  4. runs ctest in the optimised tree while the AddressSanitizer + UBSan tree (build-asan/)
#     builds at the lowest CPU priority (nice 19), so the compiler only takes the CPU the
#     tests leave idle (most of their time is spent waiting on SIP timers and 20 ms media
#     ticks) and never starves the real-time tests;
#  5. runs ctest in the ASan tree while the libFuzzer harnesses (build-fuzz/) build, again at
#     nice 19;
#  6. runs every fuzzing harness for 20 s on its committed corpus (HARK_CI_FUZZ_SECONDS).
#
#   scripts/test.sh --quick   day-to-day: the optimised tree only, and only the tests not
#                             labelled "slow" (no real-time calls, corpus or end-to-end runs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh

# ccache (installed by install-deps.sh) makes a rebuild of unchanged sources, and a fresh clone
# on a machine that built the project before, a matter of seconds. CCACHE_BASEDIR makes its
# keys relative to the checkout and CCACHE_NOHASHDIR leaves the folder out of them (debug info
# then names the folder of the first build), so clones in other folders share one cache.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=true
configure() {  # configure a preset's tree once
  local dir=build
  [ "$1" = default ] || dir=build-$1
  [ -f "$dir/CMakeCache.txt" ] ||
    cmake --preset "$1" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache >/dev/null
}
configure default
cmake --build --preset default

background_build=
own_pg=0
cleanup() {
  [ -n "$background_build" ] && kill "$background_build" 2>/dev/null
  [ $own_pg = 1 ] && bash scripts/pg.sh stop
  return 0
}
trap cleanup EXIT
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/pg.sh start)
  export DATABASE_URL
  own_pg=1
fi

if [ $quick = 1 ]; then
  echo "== tests not labelled slow (optimised build)"
  ctest --preset default -j"$(nproc)" -LE slow
  exit
fi

configure asan
configure fuzz
asan_log=build-asan/build.log fuzz_log=build-fuzz/build.log
nice -n 19 cmake --build --preset asan >"$asan_log" 2>&1 &
background_build=$!

# wait_build LOG: waits for the background build ($background_build); prints LOG and fails if it failed.
wait_build() {
  local build_status=0
  wait $background_build || build_status=$?
  background_build=
  if [ $build_status != 0 ]; then
    cat "$1"
    exit 1
  fi
}

status=0
echo "== tests (optimised build; the ASan tree builds meanwhile at nice 19, log in $asan_log)"
ctest --preset default -j"$(nproc)" || status=1
echo "== building the ASan tree"
wait_build "$asan_log"
# The fuzzing harnesses (clang-14) build at nice 19 while the ASan tests run.
nice -n 19 cmake --build build-fuzz --target fuzz_all >"$fuzz_log" 2>&1 &
background_build=$!
echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp ctest --preset asan -j"$(nproc)" || status=1
echo "== fuzzing: every harness ${HARK_CI_FUZZ_SECONDS:=20} s on its committed corpus (ASan + UBSan)"
wait_build "$fuzz_log"
bash scripts/fuzz.sh --seconds "$HARK_CI_FUZZ_SECONDS" || status=1
exit $status
