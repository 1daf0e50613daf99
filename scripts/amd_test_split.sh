#!/usr/bin/env bash
# The AMD's README figure: `hark amd --compare` on the by-voice corpus's test speakers, the
# test split and RENDERINGS more renderings of it (other seeds of `hark-voice-corpus --only
# test`: new scenes and lines of the same test speakers, never a train or dev one), scored as
# one list (build/voice-corpus/test-all.tsv). One rendering alone is 320 human/machine files
# where a file is 0.3 %, and two renderings differ by up to five points.
#   scripts/amd_test_split.sh [BUILD_DIR]
#   HARK_BIN: another hark (an older build); HARK_AMD_TEST_RENDERINGS: how many more (4)
# Deterministic: the same build gives the same files and figures.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$HERE/build}
RENDERINGS=${HARK_AMD_TEST_RENDERINGS:-4}
HARK=${HARK_BIN:-$BUILD/cli/hark}
OUT=$BUILD/voice-corpus
. "$HERE/scripts/lib/renderings.sh"
nice -n 10 "$HERE/fixtures/make_voice_corpus.sh" "$OUT" "$BUILD/fixtures/hark-voice-corpus" >/dev/null
dirs=(test)
for k in $(seq 1 "$RENDERINGS"); do
  render "$BUILD" "$OUT" "testx$k" $((20261400 + k)) test
  dirs+=("testx$k/test")
done
join_manifests "$OUT" test-all.tsv "${dirs[@]}"
"$HARK" amd --compare --labels "$OUT/test-all.tsv" | grep '^#'
