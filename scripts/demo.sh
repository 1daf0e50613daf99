#!/usr/bin/env bash
# The main job on its embedded defaults: installs what is missing, builds, starts the private
# PostgreSQL, starts hark (which logs its configuration and applies the schema), then replays
# the labelled AMD corpus through hark's classifier and Asterisk's side by side.
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
