#!/usr/bin/env bash
# Calls as a resource (issue 16): `hark run` keeps CALLS calls up against `hark simulate-callee`
# (silent callees, the AMD waiting 30 s for a voice), then
#   1. GET /api/v1/calls (every call up, from live_calls) under wrk: requests/s and latency;
#   2. HANGUPS hang-ups one after another through the database bus, each timed from the moment
#      the POST is sent to the moment the simulator receives the BYE (its sofia-sip TPORT_LOG
#      line), and the POST's own answer time (202 once the owner ran it).
#   bench/calls_bench.sh [--calls 300] [--hangups 20] [--wrk-seconds 8] [--out build/calls-bench]
# Starts the private PostgreSQL unless DATABASE_URL is set; uses a fresh database
# hark_calls_bench and loopback 127.0.0.163 (simulator) and 127.0.0.164 (hark). Not in ctest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CALLS=300 HANGUPS=20 WRK_S=8 OUT=build/calls-bench SIM_IP=127.0.0.163 HARK_IP=127.0.0.164
while [ $# -gt 0 ]; do
  case $1 in
    --calls) CALLS=$2; shift 2 ;;
    --hangups) HANGUPS=$2; shift 2 ;;
    --wrk-seconds) WRK_S=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: bench/calls_bench.sh [--calls N] [--hangups N] [--wrk-seconds N] [--out DIR]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "calls_bench: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build build --target hark >/dev/null
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "${DATABASE_URL:-}" ]; then
  base=$(bash scripts/pg.sh start)
  psql -q "$base" -c 'DROP DATABASE IF EXISTS hark_calls_bench WITH (FORCE)' -c 'CREATE DATABASE hark_calls_bench' 2>/dev/null
  DATABASE_URL=$(sed "s|:///hark?|:///hark_calls_bench?|" <<<"$base")
  export DATABASE_URL
fi

# Silent callees: answered, then nothing for the AMD to hear until its 30 s initial silence.
head -c 8000 /dev/zero | tr '\0' '\377' >"$OUT/silence.ul"
echo "1*   answer   $OUT/silence.ul   hold=120000" >"$OUT/callee-map.txt"

HTTP=$HARK_IP:8164
API=http://$HTTP
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
TPORT_LOG=1 HARK_LOG_LEVEL=debug build/cli/hark simulate-callee --listen sip:$SIM_IP:5070 --media-ip $SIM_IP \
  --rtp-ports 30000-34999 --map "$OUT/callee-map.txt" >"$OUT/callee.log" 2>&1 &
SIM=$!; pids+=($SIM)
HARK_HTTP_LISTEN=$HTTP HARK_SIP_LISTEN=$HARK_IP:5060 HARK_SIP_TRUNK=$SIM_IP:5070 HARK_RTP_PORTS=25000-29999 \
  HARK_ADMIN_USER=admin HARK_ADMIN_PASSWORD=hark-calls-bench HARK_CPS=100 HARK_MAX_CALLS=$CALLS \
  HARK_RING_TIMEOUT=15 HARK_LOG_LEVEL=warn build/cli/hark run >"$OUT/hark.log" 2>&1 &
HARK=$!; pids+=($HARK)
source scripts/lib/rest.sh
wait_healthy "$OUT/hark.log"

MASTER=$(login admin hark-calls-bench)
GROUP=$(call POST /api/v1/groups "$MASTER" '{"name":"bench"}' | jq .id)
call POST /api/v1/users "$MASTER" "{\"username\":\"bench-admin\",\"password\":\"bench-admin-pw\",\"role\":\"campaign_admin\",\"groups\":[$GROUP]}" >/dev/null
ADMIN=$(login bench-admin bench-admin-pw)
TODAY=$(date -u +%F) TOMORROW=$(date -u -d tomorrow +%F)
CAMPAIGN=$(call POST /api/v1/campaigns "$ADMIN" "{
  \"name\": \"bench\", \"groupId\": $GROUP, \"startDate\": \"$TODAY\", \"endDate\": \"$TOMORROW\",
  \"startTime\": \"00:00\", \"endTime\": \"23:59\", \"weekdays\": [\"sun\",\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"],
  \"timeZone\": \"UTC\", \"pilotNumber\": \"5000\", \"maxAttempts\": 1, \"amdEnabled\": true,
  \"amdParams\": {\"initialSilenceMs\": 30000, \"totalAnalysisMs\": 60000},
  \"fixedChannels\": $CALLS, \"maxConcurrent\": $CALLS, \"internalLength\": 8}" | jq .id)
awk -v n="$CALLS" 'BEGIN { print "name,phone"; for (i = 1; i <= n; i++) printf "L%d,1%07d\n", i, i }' >"$OUT/leads.csv"
call POST "/api/v1/campaigns/$CAMPAIGN/leads" "$ADMIN" "@$OUT/leads.csv" text/csv >/dev/null
call POST "/api/v1/campaigns/$CAMPAIGN/start" "$ADMIN" >/dev/null

up=0
for _ in $(seq 300); do
  up=$(call GET "/api/v1/calls?campaign=$CAMPAIGN&state=connected" "$ADMIN" | jq '.calls | length')
  [ "$up" -ge "$CALLS" ] && break
  sleep 0.1
done
[ "$up" -ge "$CALLS" ] || { echo "calls_bench: only $up of $CALLS calls came up" >&2; exit 1; }
echo "== $up calls connected"

wrk -t2 -c16 -d"${WRK_S}s" --latency -H "Authorization: Bearer $ADMIN" "$API/api/v1/calls" | tee "$OUT/wrk.txt"
still=$(call GET "/api/v1/calls?campaign=$CAMPAIGN&state=connected" "$ADMIN" | jq '.calls | length')
echo "== calls still connected after wrk: $still (of $CALLS)"

# Hang-ups, one at a time; the k-th BYE the simulator receives is the k-th hang-up's (no other
# call ends meanwhile: the callees are silent for 30 s).
ids=$(call GET "/api/v1/calls?campaign=$CAMPAIGN&state=connected" "$ADMIN" | jq -r ".calls[:$HANGUPS][] | .id")
: >"$OUT/hangups.txt"
for id in $ids; do
  t0=$(date +%s.%N)
  rtt=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/api/v1/calls/$id/hangup" -H "Authorization: Bearer $ADMIN")
  echo "$id $t0 $rtt" >>"$OUT/hangups.txt"
done
kill "$SIM"; wait "$SIM" 2>/dev/null || true   # the simulator's log is complete once it exits
python3 - "$OUT/hangups.txt" "$OUT/callee.log" <<'PY' | tee "$OUT/summary.txt"
import re, sys, datetime, statistics
hangs = [l.split() for l in open(sys.argv[1]) if l.strip()]
byes, last = [], None  # the spdlog time of each "recv" block whose request is a BYE
for line in open(sys.argv[2], errors="replace"):
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\].*sofia: (recv|send) ", line)
    if m:
        last = (m.group(2), m.group(1))
    elif "BYE sip:" in line and last and last[0] == "recv":
        t = datetime.datetime.strptime(last[1], "%Y-%m-%d %H:%M:%S.%f").timestamp()
        byes.append(t); last = None
ok = [h for h in hangs if h[2] == "202"]
delays = [(b - float(h[1])) * 1000 for h, b in zip(ok, byes)]
rtts = [float(h[3]) * 1000 for h in ok]
def q(v, p): v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))]
print(f"hang-ups: {len(ok)} of {len(hangs)} answered 202; BYEs received: {len(byes)}")
if delays:
    print(f"hang-up POST sent -> BYE at the callee: median {statistics.median(delays):.1f} ms, p90 {q(delays, .9):.1f} ms, max {max(delays):.1f} ms")
    print(f"hang-up POST answer (202): median {statistics.median(rtts):.1f} ms, p90 {q(rtts, .9):.1f} ms")
PY
grep -E "Requests/sec|Latency  " "$OUT/wrk.txt" | tee -a "$OUT/summary.txt"
