#!/usr/bin/env bash
# Runs the benchmarks whose figures the README quotes. Builds first; needs no database.
#   scripts/bench.sh            all of them
#   scripts/bench.sh amd        AMD detectors, classifier and replay speed, corpus accuracy
#   scripts/bench.sh media      media engine vs a bare epoll+recvmmsg loop, 300/1000/3000 streams
#   scripts/bench.sh sip        calls per second, CPU and memory per call at 300 and 3000 calls
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-deps.sh
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
what=${1:-all}

if [ "$what" = all ] || [ "$what" = amd ]; then
  manifest=$(fixtures/make_corpus.sh "$ROOT/build/corpus" "$ROOT/build/fixtures/hark-corpus")
  echo "== AMD accuracy on the labelled corpus (hark amd --compare --labels)"
  build/cli/hark amd --compare --labels "$manifest" | grep '^#'
  echo "== AMD speed (bench/amd_bench)"
  HARK_CORPUS="$ROOT/build/corpus" build/bench/amd_bench --benchmark_min_time=0.5
fi

if [ "$what" = all ] || [ "$what" = media ]; then
  fixtures/make_corpus.sh "$ROOT/build/corpus" "$ROOT/build/fixtures/hark-corpus" >/dev/null
  echo "== media engine (bench/media_bench)"
  build/bench/media_bench --streams 300,1000,3000 --seconds 8 --corpus "$ROOT/build/corpus"
fi

if [ "$what" = all ] || [ "$what" = sip ]; then
  echo "== SIP calls against hark simulate-callee (bench/sip_bench)"
  build/bench/sip_bench --hark build/cli/hark --concurrent 300,3000
fi
