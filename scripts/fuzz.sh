#!/usr/bin/env bash
# Runs the libFuzzer harnesses of fuzz/ (clang-14, ASan + UBSan).
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--merge] [HARNESS...]
# Builds the `fuzz` preset (build-fuzz/, harnesses only), then runs each harness (default: all)
# for N seconds (default 60), J at a time (default: cores), on a scratch copy of its committed
# seed corpus fuzz/corpus/NAME (the committed seeds are never changed, except with --merge,
# which adds the new inputs that reach new coverage, minimised). Prints one line per harness:
# executions, executions/s, coverage (edges), features, corpus size. A crash, leak, timeout or
# sanitizer report fails the run (exit 1); its input is kept in build-fuzz/crashes/NAME/ and
# the report in build-fuzz/fuzz-logs/NAME.log. Every crash found gets fixed and its input
# joins fuzz/corpus/NAME/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
seconds=60; jobs=$(nproc); merge=0; names=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds and --jobs take whole numbers" >&2; exit 2; }

[ -f build-fuzz/CMakeCache.txt ] ||
  cmake --preset fuzz -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build-fuzz --target fuzz_all >/dev/null
[ ${#names[@]} -gt 0 ] || names=($(ls fuzz/corpus))

logs=build-fuzz/fuzz-logs; mkdir -p "$logs"
run_one() {  # name
  local name=$1 bin=build-fuzz/fuzz/$1_fuzz work=build-fuzz/fuzz-work/$1 crashes=build-fuzz/crashes/$1
  [ -x "$bin" ] || { echo "$name: no such harness" >"$logs/$name.summary"; return 1; }
  rm -rf "$work"; mkdir -p "$work" "$crashes"
  local status=0
  # A bound on the whole run: libFuzzer stops at -max_total_time, but a harness that times out
  # on an input can then hang in its own report (sdp_fuzz, 2 GB in, held the CI run until it
  # was killed). Past the time and a minute's grace, it is killed and fails (exit 124 or 137).
  timeout -k 10 $((seconds + 60)) \
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" "$work" "fuzz/corpus/$name" >"$logs/$name.log" 2>&1 || status=$?
  local execs cov ft corp
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$name.log" | tail -1)
  cov=$(grep -ao 'cov: [0-9]*' "$logs/$name.log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -ao 'ft: [0-9]*' "$logs/$name.log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -ao 'corp: [0-9]*' "$logs/$name.log" | tail -1 | cut -d' ' -f2)
  local result=ok
  [ $status -eq 0 ] || result="FAILED (exit $status; input in $crashes/, report in $logs/$name.log)"
  printf '%-18s %12s execs %9s/s  cov %6s  ft %7s  corpus %6s  %s\n' "$name" "${execs:-?}" \
    "$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result" >"$logs/$name.summary"
  if [ $status -eq 0 ] && [ $merge = 1 ]; then
    "$bin" -merge=1 "fuzz/corpus/$name" "$work" >>"$logs/$name.log" 2>&1
  fi
  return $status
}
export -f run_one; export seconds merge logs
status=0
printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} || status=1
for n in "${names[@]}"; do cat "$logs/$n.summary"; done
exit $status
