#!/usr/bin/env bash
# Runs the benchmarks whose figures the README quotes. Builds first; needs no database.
#   scripts/bench.sh            all of them
#   scripts/bench.sh amd        AMD detectors, classifier and replay speed, corpus accuracy
#   scripts/bench.sh media      media engine vs a bare epoll+recvmmsg loop, 300/1000/3000 streams
#   scripts/bench.sh sip        calls per second, CPU and memory per call at 300 and 3000 calls
#   scripts/bench.sh loadtest   hark loadtest vs sipp as UAC, 300 and 3000 concurrent calls
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

if [ "$what" = all ] || [ "$what" = loadtest ]; then
  # hark loadtest against the simulator (AMD on every call), then sipp as UAC with RTP at the
  # same rate and concurrency against the same simulator, as the reference. CPU is user+sys of
  # each load generator's process (bash's `time`), the simulator runs apart.
  map=$(mktemp /tmp/hark-bench-map.XXXX)
  echo "* answer $ROOT/fixtures/samples/human-short-001.ul" > "$map"
  TIMEFORMAT='   process CPU user+sys: %U s + %S s, wall %R s'
  for spec in "300 100 600 5" "3000 300 3000 12"; do
    set -- $spec  # concurrency, calls/s, calls, hold seconds
    build/cli/hark simulate-callee --listen sip:127.0.0.1:25170 --map "$map" --rtp-ports 2000-14999 \
      --duration $(( $3 / $2 + $4 + 40 )) >/dev/null 2>&1 &
    sim=$!
    sleep 1
    echo "== hark loadtest: $1 concurrent, $2 calls/s, $3 calls, hold $4 s, AMD on every call"
    time build/cli/hark loadtest --target sip:1000XXXX@127.0.0.1:25170 --bind sip:127.0.0.1:25180 \
      --calls "$3" --concurrency "$1" --cps "$2" --hold "$4" --rtp-ports 20000-29999 | tail -13
    echo "== sipp -sn uac_pcap (RTP from g711a.pcap): same rate, concurrency and calls"
    # uac_pcap reads pcap/g711a.pcap and pcap/dtmf_2833_1.pcap from its working directory.
    pdir=$(mktemp -d /tmp/hark-bench-pcap.XXXX); mkdir -p "$pdir/pcap"
    for f in /usr/share/sip-tester/*.pcap; do ln -sf "$f" "$pdir/pcap/"; done
    time (cd "$pdir" && sipp -sn uac_pcap 127.0.0.1:25170 -s 10001000 -i 127.0.0.1 -p 25190 -mp 26000 \
      -r "$2" -l "$1" -m "$3" -d $(( $4 * 1000 )) -nostdin -timeout 300s \
      -trace_stat -stf /tmp/hark-bench-sipp.csv -fd 60 >/dev/null 2>&1 || true)
    rm -rf "$pdir"
    awk -F';' 'NR==1{for(i=1;i<=NF;i++)h[i]=$i} END{for(i=1;i<=NF;i++) if(h[i]=="SuccessfulCall(C)"||h[i]=="FailedCall(C)"||h[i]=="CallRate(C)") printf "   sipp %s = %s\n", h[i], $i}' /tmp/hark-bench-sipp.csv
    kill $sim 2>/dev/null; wait $sim 2>/dev/null || true
  done
  rm -f "$map" /tmp/hark-bench-sipp.csv
fi
