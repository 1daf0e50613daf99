#!/usr/bin/env python3
"""The mixed scenes of scripts/music_check.sh, from its excerpts and the corpus's voices.

  music_scenes.py hello|greeting OUT SOURCES VOICES_TSV

hello:    OUT/hello/, 120 "hello?" lines of the train and dev voices (never a test voice) over
          the 10 s and 30 s excerpts of OUT/alone/: the voice's loud half (its louder 20 ms
          frames) 6-20 dB over the music's, starting 1-2 s in; both halved so the sum rarely
          clips. Label: human.
greeting: OUT/greeting-after-music/, 120 machine greetings of those voices after 2-5 s of the
          20 s and 40 s excerpts (faded out over 300 ms), as a voicemail or an IVR that plays
          some music first: 0.2-1 s of quiet, a short first phrase, a 0.3-1.2 s pause and two
          more phrases. Label: machine.
Deterministic (fixed seeds); standard library only.
"""
import array, glob, math, os, random, sys, wave

HEADER = 'file\tlabel\tbeep_ms\tspeech_end_ms\tscenario\tsplit\tspeakers\tdetail\trendering\n'


def read(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2, path
        return array.array('h', w.readframes(w.getnframes()))


def write(path, samples):
    with wave.open(path, 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
        w.writeframes(array.array('h', (max(-32768, min(32767, int(x))) for x in samples)).tobytes())


def loud_rms(a):
    frames = sorted(sum(x * x for x in a[i:i + 160]) / 160 for i in range(0, len(a) - 160, 160))
    top = frames[len(frames) // 2:] or frames
    return math.sqrt(sum(top) / len(top)) + 1e-9


def non_test_voices(voices_tsv):
    rows = [l.split('\t') for l in open(voices_tsv) if l.strip() and not l.startswith('#')]
    return [r[0] for r in rows if r[2] != 'test']


def hellos(out, sources, voices):
    random.seed(7)
    clips = sorted(c for v in voices for c in glob.glob(f'{sources}/{v}--hello-*.wav'))
    music = sorted(glob.glob(f'{out}/alone/music--*-10.wav') + glob.glob(f'{out}/alone/music--*-30.wav'))
    os.makedirs(f'{out}/hello', exist_ok=True)
    with open(f'{out}/hello/manifest.tsv', 'w') as man:
        man.write(HEADER)
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
                write(f'{out}/hello/{name}', mix)
                man.write(f'{name}\thuman\t-\t{(at + len(voice)) // 8}\thello-over-music\t-\t-\t'
                          f'{os.path.basename(clip)} over {os.path.basename(track)}\tsnr={snr}dB\n')


def greetings(out, sources, voices):
    random.seed(11)
    music = sorted(glob.glob(f'{out}/alone/music--*-20.wav') + glob.glob(f'{out}/alone/music--*-40.wav'))
    os.makedirs(f'{out}/greeting-after-music', exist_ok=True)
    with open(f'{out}/greeting-after-music/manifest.tsv', 'w') as man:
        man.write(HEADER)
        k = 0
        while k < 120:
            v = random.choice(voices)
            first = sorted(glob.glob(f'{sources}/{v}--mfirst-*.wav'))
            nxt = sorted(glob.glob(f'{sources}/{v}--mnext-*.wav'))
            if not first or len(nxt) < 2: continue
            track = random.choice(music)
            s = [float(x) for x in read(track)[:int(random.uniform(2, 5) * 8000)]]
            fade = min(len(s), 2400)
            for i in range(fade): s[len(s) - fade + i] *= 1 - i / fade
            s += [0.0] * int(random.uniform(0.2, 1.0) * 8000)
            s += list(read(random.choice(first)))
            s += [0.0] * int(random.uniform(0.3, 1.2) * 8000)
            for c in random.sample(nxt, 2): s += list(read(c)) + [0.0] * 2400
            s += [0.0] * 8000
            name = f'greeting-after-music-{k:03d}.wav'
            write(f'{out}/greeting-after-music/{name}', s)
            man.write(f'{name}\tmachine\t-\t-\tgreeting-after-music\t-\t{v}\t{os.path.basename(track)}\t-\n')
            k += 1


if __name__ == '__main__':
    if len(sys.argv) != 5 or sys.argv[1] not in ('hello', 'greeting'):
        sys.exit(__doc__)
    kind, out, sources, voices_tsv = sys.argv[1:]
    (hellos if kind == 'hello' else greetings)(out, sources, non_test_voices(voices_tsv))
