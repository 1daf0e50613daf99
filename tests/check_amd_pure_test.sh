#!/usr/bin/env bash
# Proves the purity check can fail: on a copy of amd/, each impurity added to one file (a
# getenv-gated debug print, a clock, a thread, a mutex outside the FFT plan) must make
# check_amd_pure.sh fail and name the file; the untouched copy must pass.
#   check_amd_pure_test.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_amd_pure_test.sh SOURCE_ROOT}
check=$root/tests/check_amd_pure.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

copy() { rm -rf "$tmp/src"; mkdir -p "$tmp/src"; cp -r "$root/amd" "$tmp/src/amd"; }

copy
bash "$check" "$tmp/src" >/dev/null || { echo "FAIL: the untouched copy does not pass"; exit 1; }

try_impure() {  # file line
  copy
  printf '%s\n' "$2" >>"$tmp/src/$1"
  if out=$(bash "$check" "$tmp/src"); then
    echo "FAIL: $1 with '$2' was not caught"; exit 1
  fi
  grep -q "$1" <<<"$out" || { echo "FAIL: the report does not name $1: $out"; exit 1; }
  echo "caught: $2"
}
try_impure amd/classifier.cpp 'static const bool dbg = std::getenv("HARK_BDBG") != nullptr;'
try_impure amd/beep_rules.cpp '  if (dbg) fprintf(stderr, "seg %d\n", n);'
try_impure amd/call_features.cpp '  std::printf("%d\n", n);'
try_impure amd/vad.h '#include <chrono>'
try_impure amd/vad.cpp '#include <thread>'
try_impure amd/music_detector.cpp '#include <iostream>'
try_impure amd/classifier.h '#include <mutex>'
echo "PASS"
