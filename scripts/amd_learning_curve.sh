#!/usr/bin/env bash
# Would more training voices, a bigger greeting model or an earlier person verdict help the
# AMD? Renders the
# renderings scripts/train_amd_model.sh trains and chooses on (the train speakers 4 times, the
# dev speakers 5 times; the same seeds, so the same files), dumps their features and runs
# scripts/amd_learning_curve.py: dev accuracy of models fitted on 25-100 % of the train
# speakers, of bigger models on all of them, and of the committed model at lower human
# thresholds (--part picks some). The test split is never read.
#   scripts/amd_learning_curve.sh [BUILD_DIR] [--part voices|capacity|threshold ...]
# Deterministic; a few minutes (most of it fitting). Needs python3-sklearn.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$HERE/build
if [[ $# -gt 0 && $1 != --* ]]; then BUILD=$1; shift; fi
OUT=$BUILD/voice-corpus
FEAT=$BUILD/amd-features
. "$HERE/scripts/lib/renderings.sh"
nice -n 10 "$HERE/fixtures/make_voice_corpus.sh" "$OUT" "$BUILD/fixtures/hark-voice-corpus" >/dev/null
mkdir -p "$FEAT"
trains=() devs=()
dump() {  # dump SPLIT_NAME MANIFEST
  "$BUILD/cli/hark" amd --labels "$2" --dump-features "$FEAT/$1.tsv"
}
dump train "$OUT/train/manifest.tsv"
trains+=(--train "$FEAT/train.tsv=$OUT/train/manifest.tsv")
for k in 1 2 3; do  # as scripts/train_amd_model.sh
  render "$BUILD" "$OUT" "extra$k" $((20261201 + k)) train
  dump "extra$k" "$OUT/extra$k/train/manifest.tsv"
  trains+=(--train "$FEAT/extra$k.tsv=$OUT/extra$k/train/manifest.tsv")
done
dump dev "$OUT/dev/manifest.tsv"
devs+=(--dev "$FEAT/dev.tsv")
for k in 1 2 3 4; do
  render "$BUILD" "$OUT" "devx$k" $((20261300 + k)) dev
  dump "devx$k" "$OUT/devx$k/dev/manifest.tsv"
  devs+=(--dev "$FEAT/devx$k.tsv")
done
/usr/bin/python3 "$HERE/scripts/amd_learning_curve.py" "${trains[@]}" "${devs[@]}" \
  --header "$HERE/amd/greeting_model_data.h" "$@"
