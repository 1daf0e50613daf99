#!/usr/bin/env bash
# Retrains hark's greeting model (amd/greeting_model_data.h) from the by-voice corpus:
#   scripts/train_amd_model.sh [BUILD_DIR]
# 1. the by-voice corpus (fixtures/make_voice_corpus.sh) and EXTRA more renderings of the
#    train split's voices (other seeds, `hark-voice-corpus --only train`: new scenes and lines
#    from the same speakers, never a dev or test speaker);
# 2. the model's features at every decision point (`hark amd --dump-features`);
# 3. scripts/train_amd_model.py on train + extras, thresholds chosen on dev.
# Deterministic: re-running rewrites the header and tests/amd/greeting_model_sample.tsv byte
# for byte. Needs scikit-learn for /usr/bin/python3 (python3-sklearn).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$HERE/build}
EXTRA=${HARK_AMD_EXTRA_RENDERINGS:-3}
OUT=$BUILD/voice-corpus
FEAT=$BUILD/amd-features
nice -n 10 "$HERE/fixtures/make_voice_corpus.sh" "$OUT" "$BUILD/fixtures/hark-voice-corpus" >/dev/null
mkdir -p "$FEAT"
trains=()
for k in $(seq 1 "$EXTRA"); do
  nice -n 10 "$BUILD/fixtures/hark-voice-corpus" --clips "$OUT/sources" --out "$OUT/extra$k" \
    --seed $((20261201 + k)) --only train
done
for split in train dev $(seq -f 'extra%g' 1 "$EXTRA"); do
  manifest=$OUT/$split/manifest.tsv
  [[ $split == extra* ]] && manifest=$OUT/$split/train/manifest.tsv
  "$BUILD/cli/hark" amd --labels "$manifest" --dump-features "$FEAT/$split.tsv"
  [[ $split == dev ]] || trains+=(--train "$FEAT/$split.tsv")
done
cd "$HERE"
/usr/bin/python3 scripts/train_amd_model.py "${trains[@]}" --dev "$FEAT/dev.tsv"
