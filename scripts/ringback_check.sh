#!/usr/bin/env bash
# The AMD on calls answered by an exchange that then plays the ringing tone in band
# (forwarding, hunt groups) before the person or the machine comes on: scenes of the by-voice
# corpus's TEST voices after 1-3 rings of five countries' cadences, rings with no answer, and
# beep-only answering machines (scripts/lib/ringback_scenes.py says what each holds).
#   scripts/ringback_check.sh [BUILD_DIR]      (HARK_BIN=... plays them to another build)
# Writes BUILD_DIR/ringback-check/ and prints, for each set, the verdicts and causes.
# Deterministic (fixed seed): reruns write the same files. Not part of CI (a measurement).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${1:-$HERE/build}")
OUT=$BUILD/ringback-check
HARK=$(realpath -m "${HARK_BIN:-$BUILD/cli/hark}")
SOURCES=$BUILD/voice-corpus/sources
[ -x "$HARK" ] || { echo "ringback_check: $HARK is missing: cmake --build $BUILD --target hark" >&2; exit 1; }
[ -d "$SOURCES" ] || { echo "ringback_check: $SOURCES is missing: fixtures/make_voice_corpus.sh renders the voices" >&2; exit 1; }
[ -f "$OUT/beep-only/manifest.tsv" ] ||
  python3 -W ignore::DeprecationWarning "$HERE/scripts/lib/ringback_scenes.py" "$OUT" "$SOURCES" "$HERE/fixtures/voice_corpus/voices.tsv"
for set in person machine no-answer beep-only; do
  printf '%-10s ' "$set:"
  (cd "$OUT/$set" && "$HARK" amd --labels manifest.tsv | grep -v '^#' |
     sed -E 's/.*"verdict":"([a-z]+)","cause":"([a-z-]+[a-z])[^"]*".*/\1 (\2)/' | sort | uniq -c | sort -rn |
     awk '{printf "%s%s", (NR > 1 ? ", " : ""), $0} END {print ""}')
done
