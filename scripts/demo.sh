#!/usr/bin/env bash
# The main job on its embedded defaults: installs what is missing, builds, starts the private
# PostgreSQL, starts hark (which logs its configuration and applies the schema), replays the
# labelled AMD corpus through hark's classifier and Asterisk's side by side, then places calls
# through the embedded carrier (hark simulate-callee): people, machines with beeps, busy,
# rejected, unavailable, invalid, fax and SIT numbers, each ending with its status.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-deps.sh
[ -f build/CMakeCache.txt ] || cmake --preset default >/dev/null
cmake --build --preset default

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/pg.sh start)
  export DATABASE_URL
fi

echo "== hark run (3 s)"
build/cli/hark run --duration 3

echo "== AMD: the labelled corpus through hark and through Asterisk's app_amd logic"
manifest=$(fixtures/make_corpus.sh "$ROOT/build/corpus" "$ROOT/build/fixtures/hark-corpus")
build/cli/hark amd --compare --labels "$manifest" | grep '^#'
echo "== per-file verdicts: build/cli/hark amd --labels $manifest"

echo "== calls through the embedded carrier (hark simulate-callee + hark loadtest, AMD on)"
build/cli/hark simulate-callee --listen sip:127.0.0.1:25270 --rtp-ports 15000-15999 --duration 60 &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
sleep 1
build/cli/hark loadtest --target sip:0@127.0.0.1:25270 --numbers fixtures/demo-numbers.txt \
  --calls 14 --concurrency 14 --cps 10 --bind sip:127.0.0.1:25280 --rtp-ports 16000-16999
