#!/usr/bin/env bash
# Runs the benchmarks whose figures the README quotes. Builds first.
#   scripts/bench.sh            all of them
#   scripts/bench.sh amd        AMD detectors, classifier and replay speed, corpus accuracy
#   scripts/bench.sh media      media engine vs a bare epoll+recvmmsg loop, 300/1000/3000 streams
#   scripts/bench.sh sip        calls per second, CPU and memory per call at 300 and 3000 calls
#   scripts/bench.sh loadtest   hark loadtest vs sipp as UAC, 300 and 3000 concurrent calls
#   scripts/bench.sh control    lead import (1M rows), recycling (1M leads), DNC lookups (10M list), REST requests/s (wrk)
#                               (starts the private PostgreSQL unless DATABASE_URL is set)
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
  build/bench/media_bench --streams 300,1000,3000,10000 --seconds 8 --corpus "$ROOT/build/corpus"
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

if [ "$what" = all ] || [ "$what" = control ]; then
  if [ -z "${DATABASE_URL:-}" ]; then DATABASE_URL=$(bash scripts/pg.sh start); export DATABASE_URL; fi
  echo "== lead import: 1,000,000 CSV rows, parse + COPY (bench/lead_import_bench)"
  build/bench/lead_import_bench 1000000
  echo "== recycling 1,000,000 leads: same campaign, then a new one (bench/recycle_bench)"
  build/bench/recycle_bench --rows 1000000
  echo "== do-not-call lookups in a 10M-number list (bench/dnc_bench)"
  build/bench/dnc_bench --benchmark_min_time=1
  # REST: hark run (API only) on a fresh database, one campaign with 1000 leads, then wrk with
  # keep-alive on a read endpoint and on the integrated do-not-call service.
  base=$DATABASE_URL
  psql -q "$base" -c 'DROP DATABASE IF EXISTS hark_bench WITH (FORCE)' -c 'CREATE DATABASE hark_bench' 2>/dev/null
  url=$(sed "s|:///hark?|:///hark_bench?|" <<<"$base")
  DATABASE_URL=$url HARK_HTTP_LISTEN=127.0.0.1:18090 HARK_RUNNER=off HARK_ADMIN_PASSWORD=bench-admin-pw \
    HARK_LOG_LEVEL=warn build/cli/hark run --duration 120 >/dev/null 2>&1 &
  hark=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done
  api=http://127.0.0.1:18090
  T=$(curl -s -X POST $api/api/v1/login -d '{"username":"admin","password":"bench-admin-pw"}' | jq -r .token)
  G=$(curl -s -X POST $api/api/v1/groups -H "Authorization: Bearer $T" -d '{"name":"bench"}' | jq .id)
  curl -s -X POST $api/api/v1/users -H "Authorization: Bearer $T" \
    -d "{\"username\":\"sup\",\"password\":\"bench-sup-pw\",\"role\":\"campaign_admin\",\"groups\":[$G]}" >/dev/null
  A=$(curl -s -X POST $api/api/v1/login -d '{"username":"sup","password":"bench-sup-pw"}' | jq -r .token)
  C=$(curl -s -X POST $api/api/v1/campaigns -H "Authorization: Bearer $A" -d "{\"name\":\"bench\",\"groupId\":$G,
    \"startDate\":\"$(date -u +%F)\",\"endDate\":\"$(date -u +%F)\",\"startTime\":\"08:00\",\"endTime\":\"20:00\",\"pilotNumber\":\"1\"}" | jq .id)
  awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "Lead %d,201555%04d\n", i, i }' | curl -s -X POST $api/api/v1/campaigns/$C/leads -H "Authorization: Bearer $A" --data-binary @- >/dev/null
  echo "== wrk: GET /api/v1/campaigns/$C/summary (auth + 3 queries), 2 threads, 32 keep-alive connections, 10 s"
  wrk -t2 -c32 -d10s -H "Authorization: Bearer $A" $api/api/v1/campaigns/$C/summary | grep -E 'Requests/sec|Latency|requests in'
  lua=$(mktemp /tmp/hark-wrk.XXXX.lua)
  printf 'wrk.method = "POST"\nwrk.body = "{\\"number\\": \\"5550001234\\"}"\nwrk.headers["Content-Type"] = "application/json"\n' >"$lua"
  echo "== wrk: POST /donotcall (the integrated service), same load"
  wrk -t2 -c32 -d10s -s "$lua" -H "Authorization: Bearer $A" $api/donotcall | grep -E 'Requests/sec|Latency|requests in|Non-2xx'
  rm -f "$lua"
  kill $hark 2>/dev/null; wait $hark 2>/dev/null || true
fi
