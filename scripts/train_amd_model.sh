#!/usr/bin/env bash
# Retrains hark's greeting model (amd/greeting_model_data.h) from the by-voice corpus:
#   scripts/train_amd_model.sh [BUILD_DIR]
# 1. the by-voice corpus (fixtures/make_voice_corpus.sh) and EXTRA more renderings of the
#    train split's voices (other seeds, `hark-voice-corpus --only train`: new scenes and lines
#    from the same speakers, never a dev or test speaker);
# 2. the model's features at every decision point (`hark amd --dump-features`);
#    and DEV_EXTRA more renderings of the dev split's voices (the same for the dev speakers:
#    the thresholds are chosen on 5 x 163 files, not on 163, whose noise is a file or two);
# 3. scripts/train_amd_model.py on train + extras, thresholds chosen on dev + its renderings.
# Deterministic: re-running rewrites the header and tests/amd/greeting_model_sample.tsv byte
# for byte. Needs scikit-learn for /usr/bin/python3 (python3-sklearn).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$HERE/build}
EXTRA=${HARK_AMD_EXTRA_RENDERINGS:-3}
DEV_EXTRA=${HARK_AMD_DEV_RENDERINGS:-4}
OUT=$BUILD/voice-corpus
FEAT=$BUILD/amd-features
nice -n 10 "$HERE/fixtures/make_voice_corpus.sh" "$OUT" "$BUILD/fixtures/hark-voice-corpus" >/dev/null
mkdir -p "$FEAT"
trains=() devs=()
for k in $(seq 1 "$EXTRA"); do
  nice -n 10 "$BUILD/fixtures/hark-voice-corpus" --clips "$OUT/sources" --out "$OUT/extra$k" \
    --seed $((20261201 + k)) --only train
done
for k in $(seq 1 "$DEV_EXTRA"); do
  nice -n 10 "$BUILD/fixtures/hark-voice-corpus" --clips "$OUT/sources" --out "$OUT/devx$k" \
    --seed $((20261300 + k)) --only dev
done
for split in train dev $(seq -f 'extra%g' 1 "$EXTRA") $(seq -f 'devx%g' 1 "$DEV_EXTRA"); do
  manifest=$OUT/$split/manifest.tsv
  [[ $split == extra* ]] && manifest=$OUT/$split/train/manifest.tsv
  [[ $split == devx* ]] && manifest=$OUT/$split/dev/manifest.tsv
  "$BUILD/cli/hark" amd --labels "$manifest" --dump-features "$FEAT/$split.tsv"
  if [[ $split == dev* ]]; then devs+=(--dev "$FEAT/$split.tsv"); else trains+=(--train "$FEAT/$split.tsv"); fi
done
cd "$HERE"
/usr/bin/python3 scripts/train_amd_model.py "${trains[@]}" "${devs[@]}"
