#!/usr/bin/env bash
# Proves the layering check can fail: on a copy of the layered folders, an upward include
# added to a lower layer (sql -> control, media -> signaling) must make check_layers.sh fail
# and name the file; the untouched copy must pass.
#   check_layers_test.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_layers_test.sh SOURCE_ROOT}
check=$root/tests/check_layers.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

copy() {
  rm -rf "$tmp/src"; mkdir -p "$tmp/src/control"
  for f in amd media signaling sql control/campaign control/api control/web control/webhooks; do cp -r "$root/$f" "$tmp/src/$f"; done
}

copy
bash "$check" "$tmp/src" >/dev/null || { echo "FAIL: the untouched copy does not pass"; exit 1; }

try_upward() {  # file header
  copy
  printf '#include "%s"\n' "$2" >>"$tmp/src/$1"
  if out=$(bash "$check" "$tmp/src"); then
    echo "FAIL: $1 including $2 was not caught"; exit 1
  fi
  grep -q "$1" <<<"$out" || { echo "FAIL: the report does not name $1: $out"; exit 1; }
  echo "caught: $out"
}
try_upward sql/lead_store.h control/campaign/lead_csv.h
try_upward media/rtp_stream.cpp signaling/sip_agent.h
try_upward amd/vad.h media/g711.h
try_upward control/campaign/campaign_runner.cpp control/api/api.h
try_upward signaling/sdp.cpp cli/config.h
echo "PASS"
