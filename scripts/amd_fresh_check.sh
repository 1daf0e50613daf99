#!/usr/bin/env bash
# The AMD on fresh renderings of the voices it was trained and tuned on: three more renderings
# of the train speakers and three of the dev speakers (`hark-voice-corpus --only train|dev`,
# seeds no training or tuning run uses: new scenes, lines and line effects), scored as one list
# (build/voice-corpus/fresh-all.tsv). The model was fitted on the train renderings 0-3 and its
# thresholds and the hand rules were chosen on dev 0-4 and train 0-3; these files were never
# looked at for either. A figure far under the tuned renderings' says the tuning fitted those
# renderings' own scenes (2026-12-05: 96.27 % here against 97.18 % on dev and 97.66 % on train).
#   scripts/amd_fresh_check.sh [BUILD_DIR]
#   HARK_BIN: another hark (an older build)
# Deterministic: the same build gives the same files and figures.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$HERE/build}
HARK=${HARK_BIN:-$BUILD/cli/hark}
OUT=$BUILD/voice-corpus
. "$HERE/scripts/lib/renderings.sh"
nice -n 10 "$HERE/fixtures/make_voice_corpus.sh" "$OUT" "$BUILD/fixtures/hark-voice-corpus" >/dev/null
dirs=()
for k in 4 5 6; do  # scripts/train_amd_model.sh uses extra1-3
  render "$BUILD" "$OUT" "extra$k" $((20261201 + k)) train
  dirs+=("extra$k/train")
done
for k in 5 6 7; do  # ... and devx1-4
  render "$BUILD" "$OUT" "devx$k" $((20261300 + k)) dev
  dirs+=("devx$k/dev")
done
join_manifests "$OUT" fresh-all.tsv "${dirs[@]}"
"$HARK" amd --labels "$OUT/fresh-all.tsv" | grep '^#'
