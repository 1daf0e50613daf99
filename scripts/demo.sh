#!/usr/bin/env bash
# The main job on its embedded defaults: a progressive campaign end to end.
#  1. installs what is missing, builds, starts the private PostgreSQL;
#  2. starts the embedded carrier (hark simulate-callee, fixtures/callee-map.txt: people,
#     machines with beeps, busy, rejecting, not answering, unavailable, invalid, fax, SIT);
#  3. starts hark (REST API + campaign runner + media + SIP) on 127.0.0.1:8080;
#  4. through the REST API: a group, a campaign administrator and a supervisor, a do-not-call
#     list, a campaign of 300 leads with retry rules, started;
#  5. shows a live progress line, then the summary per status; the REST API stays up for curl
#     (Ctrl-C stops everything). `--exit` ends after the summary instead.
# Retry "minutes" last one second here (HARK_RETRY_UNIT_MS=1000) so retries show within the demo.
#
# `--predictive` (or HARK_DEMO_AGENTS=N): the same leads as a predictive campaign with a
# simulated contact center instead: the carrier's agent pool (hark simulate-callee --agents,
# 10 agents at extensions 7001-7010, talk 8 s lognormal, wrap-up 3 s; HARK_DEMO_TALK and
# HARK_DEMO_WRAPUP change them) takes the people hark transfers and reports each agent's state
# through the REST API; people no agent can take hear an identification message and end
# ABANDONED; the abandon cap is 3 %. A few minutes (under two with HARK_DEMO_TALK=2
# HARK_DEMO_WRAPUP=1): watch the wallboard on the dashboard.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
EXIT_AFTER=0
AGENTS=${HARK_DEMO_AGENTS:-0}
for arg in "$@"; do
  case $arg in
    --exit) EXIT_AFTER=1 ;;
    --predictive) [ "$AGENTS" -gt 0 ] || AGENTS=10 ;;
    *) echo "usage: bash scripts/demo.sh [--exit] [--predictive]" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build --preset default >/dev/null

if [ -z "${DATABASE_URL:-}" ]; then
  # A fresh database per demo run in the private cluster, so every run starts the same way.
  base=$(bash scripts/pg.sh start)
  psql -q "$base" -c 'DROP DATABASE IF EXISTS hark_demo WITH (FORCE)' -c 'CREATE DATABASE hark_demo' 2>/dev/null
  DATABASE_URL=$(sed "s|:///hark?|:///hark_demo?|" <<<"$base")
  export DATABASE_URL
fi
HTTP=${HARK_DEMO_HTTP:-127.0.0.1:8080}
API=http://$HTTP
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start_carrier() {
  echo "== embedded carrier: hark simulate-callee on 127.0.0.1:25270 (fixtures/callee-map.txt)${*:+ $*}"
  build/cli/hark simulate-callee --listen sip:127.0.0.1:25270 --rtp-ports 15000-15999 "$@" >build/demo-callee.log 2>&1 &
  pids+=($!)
}
# With agents the carrier starts once the campaign exists (its pool reports to that campaign).
[ "$AGENTS" -gt 0 ] || start_carrier

echo "== hark run: REST API on $API, SIP 127.0.0.1:25280 -> 127.0.0.1:25270 (log: build/demo-hark.log)"
HARK_HTTP_LISTEN=$HTTP HARK_SIP_LISTEN=127.0.0.1:25280 HARK_SIP_TRUNK=127.0.0.1:25270 HARK_RTP_PORTS=16000-16999 \
  HARK_ADMIN_USER=admin HARK_ADMIN_PASSWORD=hark-demo-admin HARK_CPS=50 HARK_MAX_CALLS=300 HARK_RING_TIMEOUT=15 \
  HARK_RETRY_UNIT_MS=1000 build/cli/hark run >build/demo-hark.log 2>&1 &
pids+=($!)
source scripts/lib/rest.sh
wait_healthy build/demo-hark.log

echo "== setting up through the REST API"
MASTER=$(login admin hark-demo-admin)
GROUP=$(call GET /api/v1/groups "$MASTER" | jq -r '.groups[] | select(.name=="demo") | .id')
[ -n "$GROUP" ] || GROUP=$(call POST /api/v1/groups "$MASTER" '{"name":"demo","description":"the demo campaigns"}' | jq .id)
for u in demo-admin:campaign_admin demo-supervisor:campaign_supervisor; do
  name=${u%%:*} role=${u##*:}
  call GET /api/v1/users "$MASTER" | jq -e ".users[] | select(.username==\"$name\")" >/dev/null ||
    call POST /api/v1/users "$MASTER" "{\"username\":\"$name\",\"password\":\"$name-pw\",\"role\":\"$role\",\"groups\":[$GROUP]}" >/dev/null
done
ADMIN=$(login demo-admin demo-admin-pw)
SUPERVISOR=$(login demo-supervisor demo-supervisor-pw)

STAMP=$(date +%Y%m%d-%H%M%S)
# The embedded carrier's numbers are 7 digits, a private plan: internalLength 7 keeps them as
# extensions (real numbers are parsed to E.164 with defaultRegion; see "Numbers" in the README).
DNC=$(call POST /api/v1/dnc/lists "$ADMIN" "{\"name\":\"demo-dnc-$STAMP\", \"internalLength\": 7}" | jq .id)
# Ten of the people are on the do-not-call list.
seq -f '1000%03g' 1 10 | call POST "/api/v1/dnc/lists/$DNC/numbers" "$ADMIN" @- text/csv | jq -c '{added}'

TODAY=$(date -u +%F)
# The default: agentless, 60 channels. Predictive: paced on the agents, an identification
# message for the people no agent can take (a stand-in recording from the fixtures).
PACING='"fixedChannels": 60'
if [ "$AGENTS" -gt 0 ]; then
  PROMPT=$(call POST "/api/v1/prompts?name=demo-identification-$STAMP&groupId=$GROUP" "$ADMIN" \
           @fixtures/samples/human-short-001.ul audio/basic | jq .id)
  PACING="\"dialingMode\": \"predictive\", \"abandonCap\": 0.03, \"identificationPrompt\": $PROMPT"
fi
CAMPAIGN=$(call POST /api/v1/campaigns "$ADMIN" "{
  \"name\": \"demo-$STAMP\", \"groupId\": $GROUP, \"description\": \"300 leads through the embedded carrier\",
  \"startDate\": \"$TODAY\", \"endDate\": \"$TODAY\", \"startTime\": \"00:00\", \"endTime\": \"23:59\",
  \"weekdays\": [\"sun\",\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"], \"timeZone\": \"UTC\",
  \"pilotNumber\": \"5000\", \"type\": \"agent_queue\", \"queue\": \"sales\",
  \"maxAttempts\": 3, \"retryMinutes\": 2,
  \"retryRules\": {\"BUSY\": {\"retryMinutes\": 1, \"maxAttempts\": 2}, \"NO_ANSWER\": {\"maxAttempts\": 1},
                   \"AMD\": {\"maxAttempts\": 1}, \"FAILURE\": {\"maxAttempts\": 1},
                   \"ABANDONED\": {\"maxAttempts\": 1}},
  \"amdEnabled\": true, \"dncListId\": $DNC, $PACING, \"maxConcurrent\": 60,
  \"defaultRegion\": \"US\", \"internalLength\": 7}" | jq .id)

# 300 leads: the number prefix picks the carrier's behaviour (fixtures/callee-map.txt).
leads=build/demo-leads.csv
{
  echo "name,phone,external_id,segment"
  i=0
  for spec in 1000:100:person 2000:70:machine 3000:30:busy 4000:20:rejects 5000:20:no-answer \
              6000:20:unavailable 7000:10:invalid 8000:15:fax 9000:15:sit-tones; do
    IFS=: read -r prefix count segment <<<"$spec"
    for n in $(seq 1 "$count"); do
      i=$((i + 1))
      printf 'Lead %d,%s%03d,demo-%d,%s\n' "$i" "$prefix" "$n" "$i" "$segment"
    done
  done
} >"$leads"
if [ "$AGENTS" -gt 0 ]; then
  # Predictive: the kinds mixed through the list, as in a real one (the same order every run),
  # so the people the pacer expects come all along and not in one block first.
  { head -1 "$leads"; tail -n +2 "$leads" | shuf --random-source=<(yes); } >"$leads.mixed" && mv "$leads.mixed" "$leads"
fi
call POST "/api/v1/campaigns/$CAMPAIGN/leads" "$ADMIN" "@$leads" text/csv | jq -c '{imported, rejected: (.rejected | length)}'
if [ "$AGENTS" -gt 0 ]; then
  # The pool reports as the campaign administrator (the token through the environment, not argv).
  HARK_API_TOKEN=$ADMIN start_carrier --agents "$AGENTS" --talk-mean "${HARK_DEMO_TALK:-8}" \
    --wrapup "${HARK_DEMO_WRAPUP:-3}" --pilot 5000 --api "$API" --campaign "$CAMPAIGN"
  for _ in $(seq 50); do
    [ "$(call GET "/api/v1/campaigns/$CAMPAIGN/agents" "$SUPERVISOR" | jq .ready)" -ge "$AGENTS" ] && break
    sleep 0.2
  done
  call GET "/api/v1/campaigns/$CAMPAIGN/agents" "$SUPERVISOR" | jq -c '{counting, ready}'
fi
call POST "/api/v1/campaigns/$CAMPAIGN/start" "$ADMIN" | jq -c '{id, name, state}'

echo "== campaign $CAMPAIGN running (live figures from GET /api/v1/campaigns/$CAMPAIGN/live)"
start=$(date +%s)
while :; do
  live=$(call GET "/api/v1/campaigns/$CAMPAIGN/live" "$SUPERVISOR")
  summary=$(call GET "/api/v1/campaigns/$CAMPAIGN/summary" "$SUPERVISOR")
  pending=$(jq .leads.pending <<<"$summary")
  printf '\r%3ss  placed %-4s dialing %-3s ringing %-3s connected %-3s | agents %-3s machines %-3s fax/SIT %-3s failed %-3s DNC %-3s | %4.1f calls/s | pending leads %-4s' \
    $(( $(date +%s) - start )) $(jq -r '.placed, .dialing, .ringing, .connected, .transferredToAgents, .machines, .faxOrSit, .failed, .doNotCall, .callsPerSecond' <<<"$live") "$pending"
  if [ "$AGENTS" -gt 0 ]; then
    printf '| agents ready %-2s talking %-2s wrap-up %-2s | abandoned %-3s ' \
      $(call GET "/api/v1/campaigns/$CAMPAIGN/agents" "$SUPERVISOR" |
        jq -r '[.agents[] | if .heldByAttempt != null then "talking" else .state end] as $s |
               ($s | map(select(. == "ready")) | length), ($s | map(select(. == "talking")) | length),
               ($s | map(select(. == "wrapup")) | length)') "$(jq .abandoned <<<"$live")"
  fi
  up=$(jq '.dialing + .ringing + .connected' <<<"$live")
  if [ "$pending" -eq 0 ] && [ "$up" -eq 0 ]; then break; fi
  if [ $(( $(date +%s) - start )) -gt 600 ]; then echo; echo "demo: still not done after 10 minutes" >&2; break; fi
  sleep 1
done
echo
echo "== summary of campaign $CAMPAIGN (leads by final status)"
call GET "/api/v1/campaigns/$CAMPAIGN/summary" "$SUPERVISOR" |
  jq -r '"total \(.leads.total), attempts \(.attempts)", (.leads.byStatus | to_entries[] | "  \(.key): \(.value)")'
if [ "$AGENTS" -gt 0 ]; then
  call GET "/api/v1/campaigns/$CAMPAIGN/summary" "$SUPERVISOR" |
    jq -r '.abandoned | "abandon rate \(.rate30d * 10000 | round / 100) % (\(.abandoned30d) of \(.people30d) people; cap 3 %)"'
fi

cat <<EOT
== the dashboard: $API/ (log in as demo-admin / demo-admin-pw, or demo-supervisor / demo-supervisor-pw)
== the REST API stays up on $API. As the supervisor, for example:
  TOKEN=\$(curl -s -X POST $API/api/v1/login -d '{"username":"demo-supervisor","password":"demo-supervisor-pw"}' | jq -r .token)
  curl -s $API/api/v1/campaigns/$CAMPAIGN/summary -H "Authorization: Bearer \$TOKEN" | jq .leads
  curl -s "$API/api/v1/campaigns/$CAMPAIGN/calls?pageSize=5" -H "Authorization: Bearer \$TOKEN" | jq .calls
  curl -s $API/api/v1/campaigns/$CAMPAIGN/calls.csv -H "Authorization: Bearer \$TOKEN" | head
  curl -sN $API/api/v1/campaigns/$CAMPAIGN/events -H "Authorization: Bearer \$TOKEN"   # live call events
  curl -s $API/metrics | grep hark_calls_total
EOT
[ "$EXIT_AFTER" = 1 ] && exit 0
echo "Ctrl-C stops hark, the carrier (and leaves PostgreSQL running: bash scripts/pg.sh stop)."
wait
