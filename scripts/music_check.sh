#!/usr/bin/env bash
# The AMD on recorded music it was never tuned on: tracks from three Debian packages that no
# scene of the by-voice corpus uses (the corpus's music is extremetuxracer-data's and
# frozen-bubble-data's; asterisk-moh-opsound-wav is the held-out judge's).
#   scripts/music_check.sh [BUILD_DIR]
# Needs `scripts/install-deps.sh --music-check` (drascula-music, singularity-music,
# hyperrogue-music: about 150 MB, so not in the default set). Writes BUILD_DIR/music-check/:
#   alone/  72 ten-second excerpts (12 tracks, from 0, 10, ... 50 s), music alone on the line
#           from its first frame: anything but a person or fax is right (a machine, or dead
#           air); alone-between/ the same tracks from 5, 15, ... 45 s (60), and
#           corpus-tracks-between/ the corpus's own train and dev tracks from there (50);
#   hello/  120 "hello?" lines of the corpus's train and dev voices (never a test voice) over
#           the 10 s and 30 s excerpts, 6-20 dB over the music, 1-2 s after the line opened:
#           a person;
#   greeting-after-music/  120 machine greetings of those voices (a short first phrase, a
#           pause, two more phrases) after 2-5 s of the 20 s and 40 s excerpts: a machine.
# Prints, for each, the verdicts and how many were a person, fax or held a beep.
# Deterministic (fixed seed): reruns write the same files.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${1:-$HERE/build}")
OUT=$BUILD/music-check
HARK=${HARK_BIN:-$BUILD/cli/hark}
[[ $HARK == */* ]] || HARK=$(command -v "$HARK" || echo "$HARK")  # a bare command name: from PATH
HARK=$(realpath -m "$HARK")
SOURCES=$BUILD/voice-corpus/sources
[ -x "$HARK" ] || { echo "music_check: $HARK is missing: cmake --build $BUILD --target hark" >&2; exit 1; }
[ -d "$SOURCES" ] || { echo "music_check: $SOURCES is missing: fixtures/make_voice_corpus.sh renders the voices" >&2; exit 1; }

DRASCULA=/usr/share/scummvm/drascula/audio SINGULARITY=/usr/share/games/singularity/music
HYPERROGUE=/usr/share/hyperrogue/music
tracks=(
  "$DRASCULA/track2.ogg" "$DRASCULA/track5.ogg" "$DRASCULA/track9.ogg" "$DRASCULA/track14.ogg"
  "$DRASCULA/track19.ogg" "$DRASCULA/track24.ogg"
  "$SINGULARITY/A New Journey.ogg" "$SINGULARITY/Coherence.ogg" "$SINGULARITY/Inevitable.ogg"
  "$HYPERROGUE/hr-domina-hunting.ogg" "$HYPERROGUE/hr-domina-mountain.ogg" "$HYPERROGUE/hr-savino-caribbean.ogg"
)
for t in "${tracks[@]}"; do
  [ -f "$t" ] || { echo "music_check: $t is missing: run scripts/install-deps.sh --music-check as root" >&2; exit 1; }
done

ETR=/usr/share/games/etr/music
corpus_tracks=(  # the corpus's own train and dev tracks (never its test ones), other offsets
  "$ETR/options1-jt.ogg" "$ETR/race1-jt.ogg" "$ETR/start1-jt.ogg" "$ETR/wonrace1-jt.ogg"
  "$ETR/credits1-cp.ogg" "$ETR/freezingpoint.ogg" "$ETR/calmrace-ks.ogg" "$ETR/spunkyrace-ks.ogg"
  "$ETR/lostrace-ks.ogg" "$ETR/raceintro-ks.ogg"
)
for t in "${corpus_tracks[@]}"; do
  [ -f "$t" ] || { echo "music_check: $t is missing: run scripts/install-deps.sh as root" >&2; exit 1; }
done
header='file\tlabel\tbeep_ms\tspeech_end_ms\tscenario\tsplit\tspeakers\tdetail\trendering\n'
excerpts() {  # DIR "OFFSETS" TRACK...: ten-second excerpts from each offset (s), and their manifest
  local dir=$1 offsets=$2 t name at f
  shift 2
  mkdir -p "$dir"
  printf "$header" > "$dir/manifest.tsv"
  for t in "$@"; do
    name=$(basename "$t" .ogg)
    name=${name// /_}
    for at in $offsets; do
      f=music--$name-$at.wav
      # -R: no random dither (the same file on every run); written whole, then renamed
      if [ ! -s "$dir/$f" ]; then
        sox -V1 -R "$t" -r 8000 -c 1 -b 16 "$dir/$f.tmp.wav" trim "$at" 10 ||
          { echo "music_check: sox could not read $t" >&2; exit 1; }
        mv "$dir/$f.tmp.wav" "$dir/$f"
      fi
      printf '%s\tmachine\t-\t-\tmusic-alone\t-\t-\t%s from %s s\t-\n' "$f" "$(basename "$t")" "$at" >> "$dir/manifest.tsv"
    done
  done
}
excerpts "$OUT/alone" "0 10 20 30 40 50" "${tracks[@]}"
excerpts "$OUT/alone-between" "5 15 25 35 45" "${tracks[@]}"
excerpts "$OUT/corpus-tracks-between" "5 15 25 35 45" "${corpus_tracks[@]}"

# The mixed scenes (scripts/lib/music_scenes.py): hellos over the 10 s and 30 s excerpts,
# machine greetings after 2-5 s of the 20 s and 40 s ones.
python3 "$HERE/scripts/lib/music_scenes.py" hello "$OUT" "$SOURCES" "$HERE/fixtures/voice_corpus/voices.tsv"
python3 "$HERE/scripts/lib/music_scenes.py" greeting "$OUT" "$SOURCES" "$HERE/fixtures/voice_corpus/voices.tsv"

summary() {  # DIR WHAT: hark's output (a JSON line a file, then its report) in DIR/results.txt
  (cd "$1" && "$HARK" amd --labels manifest.tsv > results.txt 2> errors.txt) ||
    { echo "music_check: hark amd failed in $1: $(head -c 400 "$1/errors.txt")" >&2; exit 1; }
  python3 -c '
import json, sys, collections
what = sys.argv[1]
rows = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
v = collections.Counter(r["verdict"] for r in rows)
beeps = sum(1 for r in rows if r.get("beep_at_ms") is not None)
print(f"{what}: {len(rows)} files, " + ", ".join(f"{k} {n}" for k, n in sorted(v.items())) + f"; holding a beep {beeps}")
' "$2" "$1/results.txt"
}
summary "$OUT/alone" "music alone, from 0, 10 .. 50 s (right: anything but human or fax)"
summary "$OUT/alone-between" "music alone, from 5, 15 .. 45 s"
summary "$OUT/corpus-tracks-between" "the corpus's train and dev tracks alone, from 5, 15 .. 45 s"
summary "$OUT/hello" "hello over music (right: human)"
summary "$OUT/greeting-after-music" "a machine's greeting after music (right: machine)"
