#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine (as root) or a developer's:
#  1. installs missing packages (quiet when none are missing);
#  2. builds the optimised tree (build/), incrementally;
#  3. starts the private PostgreSQL unless DATABASE_URL is already set;
#  4. runs ctest in the optimised tree while, at the lowest CPU priority (SCHED_IDLE), the
#     AddressSanitizer + UBSan tree (build-asan/) builds;
#  5. as soon as the ASan tree is built, runs ctest in it BESIDE the optimised tests, each run in
#     a network namespace of its own (its own loopback, 127.0.0.0/8): the tests' fixed loopback
#     addresses and ports then never meet, and each run's "realtime" lock still keeps its own
#     real-time tests one at a time. Meanwhile the libFuzzer harnesses (build-fuzz/) build and
#     each runs HARK_CI_FUZZ_SECONDS (40) on its committed corpus, two at a time, under
#     SCHED_IDLE: they only take the CPU the tests leave idle (most of the tests' time is spent
#     waiting on SIP timers and 20 ms media ticks) and never starve the real-time tests.
#     Where no network namespace can be made (not root, no CAP_SYS_ADMIN), the ASan tests run
#     after the optimised ones, as before.
# Each phase's line starts with the time since the start ([m:ss]).
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
# stamp TEXT: one line "== [m:ss] TEXT", the time since the script started.
stamp() { printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
bash scripts/install-deps.sh
stamp "packages installed"

# Disk. A clean clone's three trees take 8.0 GiB (build/ 2.3, build-asan/ 5.5, build-fuzz/ 0.15;
# measured in the README's "Layout and contributing"); PostgreSQL's data, the tests' files in
# /tmp and a cold compiler cache's growth take more. A disk that fills up midway fails far from
# its cause: on the CI machine at 8782671, "No space left on device" from sox and mktemp, the
# linker killed by SIGBUS, SIP tests reading truncated files. So say it before building, and
# stop. --quick builds build/ alone. Trees already there count as room (they are rebuilt in
# place).
need_gib=10
[ $quick = 1 ] && need_gib=4
have_kib=$({ du -sk build build-asan build-fuzz 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}')
free_kib=$(df -Pk "$ROOT" | awk 'NR == 2 {print $4}')
if [ $((free_kib + have_kib)) -lt $((need_gib * 1024 * 1024)) ]; then
  echo "scripts/test.sh: building and testing need about $need_gib GiB in $ROOT;" \
       "$((free_kib / 1024)) MiB are free and the build trees already there take $((have_kib / 1024)) MiB" >&2
  exit 1
fi

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

stamp "optimised tree built"

# Background jobs, stopped on exit: the ASan build, the optimised tests, the fuzzing. Each
# runs in a session of its own (setsid), so that one kill of its process group stops it with
# its children; a background job does not get the terminal's Ctrl-C, hence the INT trap.
asan_build= tests_job= asan_tests= fuzz_job=
own_pg=0
cleanup() {
  local job
  for job in $asan_build $tests_job $asan_tests $fuzz_job; do kill -- -"$job" 2>/dev/null; done
  [ $own_pg = 1 ] && bash scripts/pg.sh stop
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/pg.sh start)
  export DATABASE_URL
  own_pg=1
fi
stamp "PostgreSQL ready"

if [ $quick = 1 ]; then
  echo "== tests not labelled slow (optimised build)"
  ctest --preset default -j"$(nproc)" -LE slow
  exit
fi

configure asan
configure fuzz
asan_log=build-asan/build.log fuzz_log=build-fuzz/build.log fuzz_out=build-fuzz/fuzz.out
# ctest orders a run by the costs it recorded in earlier runs, or by the tests' COST property
# when it has none (a clean clone): tests/CMakeLists.txt gives the realtime-locked tests, the
# critical path, a high COST. Dropping the recorded costs makes every run use that order.
rm -f build/Testing/Temporary/CTestCostData.txt build-asan/Testing/Temporary/CTestCostData.txt

# The background work, at nice 19 and under SCHED_IDLE: the ASan build, then the fuzzing.
# SCHED_IDLE, not nice alone: a test thread waking for its 20 ms tick preempts an idle-policy
# task at once, while a nice-19 one still ran out its slice (at f781584 a fuzzer and clang at
# nice 19 beside the ASan tests made the 100-stream media test lose packets). A harness's time is
# wall-clock time, and at nice 19 beside the tests it gets less CPU than alone: hence 40 s each
# instead of the 20 s they had when they ran alone after the tests (two at a time either way).
: "${HARK_CI_FUZZ_SECONDS:=40}"
chrt --idle 0 nice -n 19 setsid cmake --build --preset asan >"$asan_log" 2>&1 &
asan_build=$!

# own_netns: the words that run a command in a new network namespace whose loopback is up,
# when this machine lets us make one (root, CAP_SYS_ADMIN); else none, and netns=0.
netns=0 own_netns=()
if unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
  netns=1 own_netns=(unshare -n sh -c 'ip link set lo up && exec "$@"' _)
fi
status=0 asan_status=0 asan_tests=
asan_env=(env ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp)
start_fuzzing() {
  stamp "the fuzzing harnesses build and run under SCHED_IDLE (log in $fuzz_log, results in $fuzz_out)"
  chrt --idle 0 nice -n 19 setsid bash -c 'cmake --build build-fuzz --target fuzz_all >"$1" 2>&1 || { cat "$1"; exit 1; }
                             bash scripts/fuzz.sh --seconds "$2"' _ "$fuzz_log" "$HARK_CI_FUZZ_SECONDS" >"$fuzz_out" 2>&1 &
  fuzz_job=$!
}
if [ $netns = 1 ]; then
  stamp "tests (optimised build, own network namespace; the ASan tree builds meanwhile, log in $asan_log)"
else
  stamp "tests (optimised build; no network namespace here, so the ASan tests run after them; the ASan tree builds meanwhile, log in $asan_log)"
fi
setsid "${own_netns[@]}" ctest --preset default -j"$(nproc)" &
tests_job=$!
wait $asan_build || asan_status=$?
asan_build=
if [ $asan_status != 0 ]; then
  stamp "the ASan build failed (exit $asan_status); its log follows the optimised tests"
elif [ $netns = 1 ]; then
  stamp "ASan tree built: its tests start beside the optimised ones (own network namespace)"
  setsid "${asan_env[@]}" "${own_netns[@]}" ctest --preset asan -j"$(nproc)" >build-asan/ctest.log 2>&1 &
  asan_tests=$!
  start_fuzzing
else
  start_fuzzing
fi
wait $tests_job || status=1
tests_job=
stamp "optimised tests done (exit $status)"
if [ $asan_status != 0 ]; then
  cat "$asan_log"
  exit 1
fi
if [ -n "$asan_tests" ]; then
  wait $asan_tests || status=1
  asan_tests=
  stamp "ASan tests done (exit $status); their output:"
  cat build-asan/ctest.log
else
  stamp "tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
  "${asan_env[@]}" ctest --preset asan -j"$(nproc)" || status=1
  stamp "ASan tests done (exit $status)"
fi
fuzz_status=0
wait $fuzz_job || fuzz_status=$?
fuzz_job=
stamp "fuzzing: every harness ${HARK_CI_FUZZ_SECONDS} s on its committed corpus (ASan + UBSan), exit $fuzz_status"
cat "$fuzz_out"
[ $fuzz_status = 0 ] || status=1
stamp "done (exit $status)"
exit $status
