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
mkdir -p "$OUT/hello"

# Hellos over the 10 s and 30 s excerpts: the voice's loud half (its louder 20 ms frames) at
# SNR dB over the music's, starting 1-2 s in; both halved so the sum rarely clips.
python3 - "$OUT" "$SOURCES" "$HERE/fixtures/voice_corpus/voices.tsv" <<'EOF'
import array, glob, math, os, random, sys, wave
out, sources, voices_tsv = sys.argv[1:4]
random.seed(7)
def read(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2
        return array.array('h', w.readframes(w.getnframes()))
def loud_rms(a):
    frames = sorted(sum(x * x for x in a[i:i + 160]) / 160 for i in range(0, len(a) - 160, 160))
    top = frames[len(frames) // 2:] or frames
    return math.sqrt(sum(top) / len(top)) + 1e-9
voices = [l.split('\t') for l in open(voices_tsv) if l.strip() and not l.startswith('#')]
clips = sorted(c for v in voices if v[2] != 'test' for c in glob.glob(f'{sources}/{v[0]}--hello-*.wav'))
music = sorted(glob.glob(f'{out}/alone/music--*-10.wav') + glob.glob(f'{out}/alone/music--*-30.wav'))
with open(f'{out}/hello/manifest.tsv', 'w') as man:
    man.write('file\tlabel\tbeep_ms\tspeech_end_ms\tscenario\tsplit\tspeakers\tdetail\trendering\n')
    for snr in (6, 9, 12, 15, 20):
        for k in range(24):
            clip, track = random.choice(clips), random.choice(music)
            voice, mus = read(clip), read(track)[:8000 * 8]
            gain = loud_rms(voice) / loud_rms(mus) / 10 ** (snr / 20)
            mix = [x * gain * 0.5 for x in mus]
            at = 8000 + random.randrange(0, 8000)
            for i, x in enumerate(voice):
                if at + i < len(mix): mix[at + i] += x * 0.5
            name = f'hello-over-music-{snr:02d}dB-{k:02d}.wav'
            with wave.open(f'{out}/hello/{name}', 'wb') as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
                w.writeframes(array.array('h', (max(-32768, min(32767, int(x))) for x in mix)).tobytes())
            man.write(f'{name}\thuman\t-\t{(at + len(voice)) // 8}\thello-over-music\t-\t-\t'
                      f'{os.path.basename(clip)} over {os.path.basename(track)}\tsnr={snr}dB\n')
EOF

# Machine greetings after music, as a voicemail or an IVR that plays some first: 2-5 s of the
# 20 s and 40 s excerpts (faded out over 300 ms), 0.2-1 s of quiet, then a short first phrase,
# a 0.3-1.2 s pause and two more phrases of one non-test voice.
python3 - "$OUT" "$SOURCES" "$HERE/fixtures/voice_corpus/voices.tsv" <<'EOF2'
import array, glob, os, random, sys, wave
out, sources, voices_tsv = sys.argv[1:4]
random.seed(11)
def read(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2
        return array.array('h', w.readframes(w.getnframes()))
voices = [l.split('\t') for l in open(voices_tsv) if l.strip() and not l.startswith('#')]
nontest = [v[0] for v in voices if v[2] != 'test']
music = sorted(glob.glob(f'{out}/alone/music--*-20.wav') + glob.glob(f'{out}/alone/music--*-40.wav'))
os.makedirs(f'{out}/greeting-after-music', exist_ok=True)
with open(f'{out}/greeting-after-music/manifest.tsv', 'w') as man:
    man.write('file\tlabel\tbeep_ms\tspeech_end_ms\tscenario\tsplit\tspeakers\tdetail\trendering\n')
    k = 0
    while k < 120:
        v = random.choice(nontest)
        first = sorted(glob.glob(f'{sources}/{v}--mfirst-*.wav'))
        nxt = sorted(glob.glob(f'{sources}/{v}--mnext-*.wav'))
        if not first or len(nxt) < 2: continue
        track = random.choice(music)
        mus = read(track)[:int(random.uniform(2, 5) * 8000)]
        fade = min(len(mus), 2400)
        s = [float(x) for x in mus]
        for i in range(fade): s[len(s) - fade + i] *= 1 - i / fade
        s += [0.0] * int(random.uniform(0.2, 1.0) * 8000)
        s += list(read(random.choice(first)))
        s += [0.0] * int(random.uniform(0.3, 1.2) * 8000)
        for c in random.sample(nxt, 2): s += list(read(c)) + [0.0] * 2400
        s += [0.0] * 8000
        name = f'greeting-after-music-{k:03d}.wav'
        with wave.open(f'{out}/greeting-after-music/{name}', 'wb') as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
            w.writeframes(array.array('h', (max(-32768, min(32767, int(x))) for x in s)).tobytes())
        man.write(f'{name}\tmachine\t-\t-\tgreeting-after-music\t-\t{v}\t{os.path.basename(track)}\t-\n')
        k += 1
EOF2

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
