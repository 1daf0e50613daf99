#!/usr/bin/env python3
"""The scenes of scripts/ringback_check.sh: calls answered by an exchange that then plays the
ringing tone in band (forwarding, a hunt group, a mobile network's "please hold") before the
person or the machine comes on.

  ringback_scenes.py OUT SOURCES VOICES_TSV

Writes OUT/{person,machine,no-answer,beep-only}/ with a manifest.tsv each (the format of
`hark amd --labels`), from the by-voice corpus's TEST voices (SOURCES: its rendered clips):
  person     120: 1-3 rings of one country's cadence, then "hello?" 0.3-3.5 s after the last
             ring ended (or as the ring is cut off, 0.1-0.4 s after it): human;
  machine    120: the same rings, then a voicemail greeting (a short first phrase, a 0.3-1.2 s
             pause, two more phrases): machine;
  no-answer  24: rings of each cadence until the audio ends at 70 s: silence (no answer);
  beep-only  24: an answering machine that plays no greeting, only its beep (single tones of
             400-1000 Hz, 0.3-1 s, some in the ringing band), then records: machine.
Cadences: North America 440+480 Hz 2 s on / 4 s off; Europe (DE, IT, NL...) 425 Hz 1 s / 4 s;
France 440 Hz 1.5 s / 3.5 s; Spain 425 Hz 1.5 s / 3 s; UK and Ireland 400+450 Hz 0.4 / 0.2 /
0.4 / 2 s. Each scene gets a level of -24..-12 dBFS for the ring, -18..-6 dB of gain for the
voice, white line noise 25-40 dB under the voice, and a mu-law round trip.
Deterministic (fixed seed); standard library only (audioop: Python 3.11).
"""
import array, audioop, glob, math, os, random, sys, wave

HEADER = 'file\tlabel\tbeep_ms\tspeech_end_ms\tscenario\tsplit\tspeakers\tdetail\trendering\n'
CADENCES = {  # name: (frequencies, [(on s, off s), ...] per ring)
    'north-america': ((440, 480), [(2.0, 4.0)]),
    'europe': ((425,), [(1.0, 4.0)]),
    'france': ((440,), [(1.5, 3.5)]),
    'spain': ((425,), [(1.5, 3.0)]),
    'uk': ((400, 450), [(0.4, 0.2), (0.4, 2.0)]),
}


def read(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2, path
        return [float(x) for x in array.array('h', w.readframes(w.getnframes()))]


def write(path, samples):
    pcm = array.array('h', (max(-32768, min(32767, int(round(x)))) for x in samples)).tobytes()
    pcm = audioop.ulaw2lin(audioop.lin2ulaw(pcm, 2), 2)  # the line's mu-law round trip
    with wave.open(path, 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
        w.writeframes(pcm)


def tone(freqs, seconds, dbfs):
    a = 32768 * 10 ** (dbfs / 20) * math.sqrt(2)
    n = int(seconds * 8000)
    return [a * sum(math.sin(2 * math.pi * f * i / 8000) for f in freqs) for i in range(n)]


def ring(cadence, dbfs, cut_last_off=None):
    """One ring: its on and off parts; `cut_last_off` shortens the final off part (seconds)."""
    freqs, parts = CADENCES[cadence]
    s = []
    for i, (on, off) in enumerate(parts):
        s += tone(freqs, on, dbfs)
        if i == len(parts) - 1 and cut_last_off is not None: off = cut_last_off
        s += [0.0] * int(off * 8000)
    return s


def rms(a):
    return math.sqrt(sum(x * x for x in a) / max(1, len(a))) + 1e-9


def finish(s, voice_rms, snr_db):
    """White line noise `snr_db` under the voice's level."""
    sd = voice_rms / 10 ** (snr_db / 20)
    return [x + random.gauss(0, sd) for x in s]


def test_voices(voices_tsv):
    rows = [l.split('\t') for l in open(voices_tsv) if l.strip() and not l.startswith('#')]
    return [r[0] for r in rows if r[2] == 'test']


def rings_before(cadence):
    """1-3 rings; the last one's pause cut where someone answers (or kept whole)."""
    n = random.randint(1, 3)
    level = random.uniform(-24, -12)
    s = []
    for i in range(n - 1): s += ring(cadence, level)
    if random.random() < 0.25:
        answer_after = random.uniform(0.1, 0.4)   # the ring cut off by the answer
    else:
        answer_after = random.uniform(0.3, 3.5)
    s += ring(cadence, level, cut_last_off=answer_after)
    return s, n, level, answer_after


def main(out, sources, voices_tsv):
    random.seed(20261204)
    voices = test_voices(voices_tsv)
    clips = lambda v, kind: sorted(glob.glob(f'{sources}/{v}--{kind}-*.wav'))
    for d in ('person', 'machine', 'no-answer', 'beep-only'):
        os.makedirs(f'{out}/{d}', exist_ok=True)
    names = sorted(CADENCES)
    with open(f'{out}/person/manifest.tsv', 'w') as man:
        man.write(HEADER)
        for k in range(120):
            cadence, v = names[k % len(names)], random.choice([v for v in voices if clips(v, 'hello')])
            s, n, level, after = rings_before(cadence)
            gain = 10 ** (random.uniform(-18, -6) / 20)
            voice = [x * gain for x in read(random.choice(clips(v, 'hello')))]
            end = len(s) + len(voice)
            s += voice + [0.0] * 8000 * 4
            name = f'ringback-person-{k:03d}.wav'
            write(f'{out}/person/{name}', finish(s, rms(voice), random.uniform(25, 40)))
            man.write(f'{name}\thuman\t-\t{end // 8}\tringback-person\ttest\t{v}\t{cadence} x{n} '
                      f'answered {after:.1f}s after\tring={level:.0f}dBFS\n')
    with open(f'{out}/machine/manifest.tsv', 'w') as man:
        man.write(HEADER)
        k = 0
        while k < 120:
            cadence, v = names[k % len(names)], random.choice(voices)
            first, nxt = clips(v, 'mfirst'), clips(v, 'mnext')
            if not first or len(nxt) < 2: continue
            s, n, level, after = rings_before(cadence)
            gain = 10 ** (random.uniform(-18, -6) / 20)
            g = read(random.choice(first)) + [0.0] * int(random.uniform(0.3, 1.2) * 8000)
            for c in random.sample(nxt, 2): g += read(c) + [0.0] * 2400
            g = [x * gain for x in g]
            s += g + [0.0] * 8000
            name = f'ringback-machine-{k:03d}.wav'
            write(f'{out}/machine/{name}', finish(s, rms([x for x in g if x]), random.uniform(25, 40)))
            man.write(f'{name}\tmachine\t-\t-\tringback-machine\ttest\t{v}\t{cadence} x{n} '
                      f'answered {after:.1f}s after\tring={level:.0f}dBFS\n')
            k += 1
    with open(f'{out}/no-answer/manifest.tsv', 'w') as man:
        man.write(HEADER)
        for k in range(24):
            cadence = names[k % len(names)]
            level = random.uniform(-24, -12)
            s = []
            while len(s) < 70 * 8000: s += ring(cadence, level)
            s = s[:70 * 8000]
            name = f'ringback-no-answer-{k:03d}.wav'
            write(f'{out}/no-answer/{name}', finish(s, 32768 * 10 ** (level / 20), random.uniform(25, 40)))
            man.write(f'{name}\tsilence\t-\t-\tringback-no-answer\ttest\t-\t{cadence}\tring={level:.0f}dBFS\n')
    with open(f'{out}/beep-only/manifest.tsv', 'w') as man:
        man.write(HEADER)
        for k in range(24):
            hz = (400, 425, 440, 450, 600, 1000)[k % 6]
            at = random.uniform(0.2, 1.0)
            level = random.uniform(-24, -12)
            s = [0.0] * int(at * 8000) + tone((hz,), random.uniform(0.3, 1.0), level) + [0.0] * 10 * 8000
            name = f'beep-only-{k:03d}.wav'
            write(f'{out}/beep-only/{name}', finish(s, 32768 * 10 ** (level / 20), random.uniform(25, 40)))
            man.write(f'{name}\tmachine\t{int(at * 1000)}\t-\tbeep-only\ttest\t-\t{hz} Hz\tbeep={level:.0f}dBFS\n')


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
