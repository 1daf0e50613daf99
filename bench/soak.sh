#!/usr/bin/env bash
# The hour-long soak (issue 13): `hark run` keeps 300 calls up against `hark simulate-callee`,
# the AMD on every call, and every minute we sample hark's RSS, open fds, threads and database
# connections, and the simulator's RSS. After the warm-up, every series must stay within ±5%
# of its median (bench/soak_report.py); the script exits 1 when one does not.
#   bench/soak.sh [--minutes 60] [--calls 300] [--out build/soak] [--ips SIM_IP,HARK_IP]
# Writes OUT/soak.csv (one row a minute), OUT/soak.svg (the series as % of their reference),
# OUT/summary.txt, and the logs of both processes. Starts the private PostgreSQL unless
# DATABASE_URL is set; uses a fresh database hark_soak and its own loopback addresses
# (--ips, default 127.0.0.81 the simulator, 127.0.0.82 hark) so it runs beside the demo and
# the tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MINUTES=60 CALLS=300 OUT=build/soak SIM_IP=127.0.0.81 HARK_IP=127.0.0.82
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --ips) SIM_IP=${2%,*} HARK_IP=${2#*,}; shift 2 ;;
    *) echo "usage: bench/soak.sh [--minutes N] [--calls N] [--out DIR] [--ips SIM_IP,HARK_IP]" >&2; exit 2 ;;
  esac
done
[[ $MINUTES =~ ^[1-9][0-9]*$ && $CALLS =~ ^[1-9][0-9]*$ ]] || { echo "soak: --minutes and --calls take whole numbers > 0" >&2; exit 2; }
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build --preset default --target hark >/dev/null
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "${DATABASE_URL:-}" ]; then
  base=$(bash scripts/pg.sh start)
  psql -q "$base" -c 'DROP DATABASE IF EXISTS hark_soak WITH (FORCE)' -c 'CREATE DATABASE hark_soak' 2>/dev/null
  DATABASE_URL=$(sed "s|:///hark?|:///hark_soak?|" <<<"$base")
  export DATABASE_URL
fi
DB_NAME=$(psql -tAq "$DATABASE_URL" -c 'SELECT current_database()')

# Calls ring 4 s, then people say hello (hark transfers them) and machines play a greeting and
# a beep (hark hangs up): about 8-10 s a call, so 300 calls up take about 35 calls/s.
cat >"$OUT/callee-map.txt" <<EOM
1*   answer   $ROOT/fixtures/samples/human-short-001.ul   ring=4000
2*   answer   $ROOT/fixtures/samples/machine-beep-001.ul  ring=4000
EOM
CPS=50
LEADS=$(( MINUTES * 60 * CPS * 6 / 5 + CALLS ))   # more than the run can use: it never runs dry

HTTP=$HARK_IP:8090
API=http://$HTTP
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
build/cli/hark simulate-callee --listen sip:$SIM_IP:5070 --media-ip $SIM_IP --rtp-ports 10000-14999 \
  --map "$OUT/callee-map.txt" >"$OUT/callee.log" 2>&1 &
SIM=$!; pids+=($SIM)
HARK_HTTP_LISTEN=$HTTP HARK_SIP_LISTEN=$HARK_IP:5060 HARK_SIP_TRUNK=$SIM_IP:5070 HARK_RTP_PORTS=20000-29999 \
  HARK_ADMIN_USER=admin HARK_ADMIN_PASSWORD=hark-soak-admin HARK_CPS=$CPS HARK_MAX_CALLS=$CALLS \
  HARK_RING_TIMEOUT=15 HARK_LOG_LEVEL=warn build/cli/hark run >"$OUT/hark.log" 2>&1 &
HARK=$!; pids+=($HARK)
source scripts/lib/rest.sh
wait_healthy "$OUT/hark.log"

MASTER=$(login admin hark-soak-admin)
GROUP=$(call POST /api/v1/groups "$MASTER" '{"name":"soak","description":"the soak campaign"}' | jq .id)
call POST /api/v1/users "$MASTER" "{\"username\":\"soak-admin\",\"password\":\"soak-admin-pw\",\"role\":\"campaign_admin\",\"groups\":[$GROUP]}" >/dev/null
ADMIN=$(login soak-admin soak-admin-pw)
TODAY=$(date -u +%F) TOMORROW=$(date -u -d tomorrow +%F)
CAMPAIGN=$(call POST /api/v1/campaigns "$ADMIN" "{
  \"name\": \"soak\", \"groupId\": $GROUP, \"startDate\": \"$TODAY\", \"endDate\": \"$TOMORROW\",
  \"startTime\": \"00:00\", \"endTime\": \"23:59\", \"weekdays\": [\"sun\",\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"],
  \"timeZone\": \"UTC\", \"pilotNumber\": \"5000\", \"type\": \"agent_queue\", \"queue\": \"soak\",
  \"maxAttempts\": 1, \"amdEnabled\": true, \"fixedChannels\": $CALLS, \"maxConcurrent\": $CALLS,
  \"internalLength\": 8}" | jq .id)
# Two people for every machine; numbers 1NNNNNNN and 2NNNNNNN (the simulator's private plan:
# extensions of internalLength 8, not parsed as public numbers).
awk -v n="$LEADS" 'BEGIN { print "name,phone"; for (i = 1; i <= n; i++) printf "L%d,%d%07d\n", i, (i % 3 == 0) ? 2 : 1, i }' >"$OUT/leads.csv"
call POST "/api/v1/campaigns/$CAMPAIGN/leads" "$ADMIN" "@$OUT/leads.csv" text/csv | jq -c '{imported, rejectedCount}'
call POST "/api/v1/campaigns/$CAMPAIGN/start" "$ADMIN" >/dev/null

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$1/status"; }
# fds, hark's RTP/RTCP sockets (UDP in HARK_RTP_PORTS) and the rest, in one pass
# (bench/soak_fds.py): the RTP sockets follow the calls in flight, so the rest is what is judged.
fd_counts() { python3 bench/soak_fds.py "$1" 20000 29999; }
# hark's own connections: all but this query's.
db_conns() { psql -tAq "$DATABASE_URL" -c "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = '$DB_NAME'"; }

echo "minute,hark_rss_kib,hark_fds,hark_rtp_sockets,hark_other_fds,hark_threads,db_connections,simulator_rss_kib,calls_up,calls_placed" >"$OUT/soak.csv"
echo "== soak: $MINUTES min, $CALLS calls, campaign $CAMPAIGN; samples in $OUT/soak.csv"
t0=$(date +%s)
for m in $(seq 0 "$MINUTES"); do
  # Sleep until minute m (the samples stay on the minute however long a sample takes).
  now=$(date +%s); wait_s=$(( t0 + m * 60 - now )); [ "$wait_s" -gt 0 ] && sleep "$wait_s"
  kill -0 "$HARK" 2>/dev/null || { echo "soak: hark exited; see $OUT/hark.log" >&2; exit 1; }
  kill -0 "$SIM" 2>/dev/null || { echo "soak: the simulator exited; see $OUT/callee.log" >&2; exit 1; }
  live=$(call GET "/api/v1/campaigns/$CAMPAIGN/live" "$ADMIN")
  up=$(jq '.dialing + .ringing + .connected' <<<"$live")
  read -r n_fds n_rtp n_rest < <(fd_counts $HARK)
  row="$m,$(rss_kib $HARK),$n_fds,$n_rtp,$n_rest,$(threads $HARK),$(db_conns),$(rss_kib $SIM),$up,$(jq .placed <<<"$live")"
  echo "$row" >>"$OUT/soak.csv"
  echo "  $row"
done
# What the calls ended as, so a soak of failing calls does not pass for a quiet one.
call GET "/api/v1/campaigns/$CAMPAIGN/summary" "$ADMIN" |
  jq -r '"leads by status: " + ([.leads.byStatus | to_entries[] | "\(.key) \(.value)"] | join(", "))' >"$OUT/summary.txt"
status=0
python3 bench/soak_report.py "$OUT/soak.csv" --calls "$CALLS" --svg "$OUT/soak.svg" >>"$OUT/summary.txt" || status=$?
cat "$OUT/summary.txt"
exit $status
