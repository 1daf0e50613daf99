#!/usr/bin/env python3
"""Asks whether more training voices, a bigger greeting model or an earlier person verdict
would help the AMD.

    scripts/amd_learning_curve.py --train DUMP=MANIFEST [--train ...] --dev DUMP [--dev ...] \
        [--header amd/greeting_model_data.h] [--part voices|capacity|threshold]

DUMP is a feature dump (`hark amd --labels MANIFEST --dump-features DUMP`; scripts/
train_amd_model.sh writes them to build/amd-features/) and MANIFEST the manifest it was made
from, whose `speakers` column names each file's speaker (its first). The dev dumps need none.

Two curves, each point a model fitted as scripts/train_amd_model.py fits it (its sample
weights, its settings unless varied) and scored on the dev dumps by the same simulation of the
sequential policy, at the best pair of thresholds on its grid (the script's own choice takes
the most cautious pair within 0.5 % of that, so these are upper bounds):
- voices: models fitted on 25, 50, 75 and 100 % of the train speakers (two random draws each
  below 100 %): does accuracy on unheard speakers still grow with more of them?
- capacity: more and deeper trees on all of them: does the model underfit its features?
- threshold: the committed model (the header's trees, read here) at lower human thresholds:
  what an earlier person verdict costs; and, at the first decision point 400-500 ms into a
  pause of each dev file, the shares of people and machines the model gives 0.7 or more.
Uses scikit-learn (python3-sklearn). Takes a few minutes; the test split is never read.
"""
import argparse
import csv
import os
import re
import sys

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_amd_model as T  # noqa: E402


def speakers(pairs):
    """The first speaker of each dump row's file, as load() names the files."""
    spk = {}
    for dump, manifest in pairs:
        with open(manifest, newline="") as f:
            r = csv.reader(f, delimiter="\t")
            header = next(r)
            col = header.index("speakers")
            for row in r:
                spk[dump + ":" + row[0]] = row[col].split(",")[0]
    return spk


def fit(x, y, files, trees=120, depth=3, min_leaf=100):
    w = np.zeros(len(files))
    for idx in T.per_file(files).values():
        w[idx] = 1.0 / len(idx)
    model = GradientBoostingClassifier(n_estimators=trees, max_depth=depth, learning_rate=0.1,
                                       min_samples_leaf=min_leaf, subsample=0.7, random_state=0)
    model.fit(x, y, sample_weight=w)
    return model


def best_on_dev(dev, p):
    dnames, dfiles, dx, dy, dmeta = dev
    groups = T.per_file(dfiles)
    scores = [T.simulate(groups, dy, dmeta, dx, dnames, p, th, tm, T.DEFAULT_CAP_MS)
              for th in [0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99]
              for tm in [0.01, 0.02, 0.03, 0.05, 0.08]]
    return max(scores, key=lambda s: (s["accuracy"], -s["humans_as_machine"]))


def header_model(path):
    """The committed model's trees (amd/greeting_model_data.h), as a probability function."""
    text = open(path).read()
    bias = float(re.search(r"kBias = ([^;]+);", text).group(1))
    roots = [int(v) for v in re.search(r"kRoots\[kTrees\] = \{([^}]*)\}", text).group(1).split(",")]
    nodes = np.array([[float(v) for v in m.groups()] for m in
                      re.finditer(r"\{(-?\d+), ([^,]+), (-?\d+), (-?\d+), ([^}]+)\},", text)])
    feat, thr = nodes[:, 0].astype(int), nodes[:, 1]
    left, right, value = nodes[:, 2].astype(int), nodes[:, 3].astype(int), nodes[:, 4]

    def probability(x):
        z = np.full(len(x), bias)
        rows = np.arange(len(x))
        for root in roots:
            at = np.full(len(x), root)
            while (feat[at] >= 0).any():
                inner = feat[at] >= 0
                go_left = x[rows, np.where(inner, feat[at], 0)] <= thr[at]
                at = np.where(inner, np.where(go_left, left[at], right[at]), at)
            z += value[at]
        return 1.0 / (1.0 + np.exp(-z))
    return probability


def show(label, s):
    print(f"{label:28s} human vs machine {100 * s['accuracy']:.2f} %, humans->machine "
          f"{100 * s['humans_as_machine']:.2f} %, machines->human {100 * s['machines_as_human']:.2f} %, "
          f"median person {s['median_latency']:.0f} ms", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="append", required=True, metavar="DUMP=MANIFEST")
    ap.add_argument("--dev", action="append", required=True, metavar="DUMP")
    ap.add_argument("--header", default="amd/greeting_model_data.h")
    ap.add_argument("--part", choices=["voices", "capacity", "threshold"], action="append",
                    help="only these parts (default: all)")
    a = ap.parse_args()
    parts = a.part or ["voices", "capacity", "threshold"]
    pairs = [t.split("=", 1) for t in a.train]
    if any(len(p) != 2 for p in pairs):
        sys.exit("--train takes DUMP=MANIFEST")
    names, files, x, y, _ = T.load([p[0] for p in pairs])
    dev = T.load(a.dev)
    if dev[0] != names:
        sys.exit("dev and train feature columns differ")
    spk = speakers(pairs)
    missing = sorted({f for f in files if f not in spk})
    if missing:
        sys.exit(f"{missing[0]}: not in its manifest")
    voice = np.array([spk[f] for f in files])
    voices = sorted(set(voice))
    print(f"{len(voices)} train speakers, {len(T.per_file(files))} train files, "
          f"{len(T.per_file(dev[1]))} dev files")
    if "threshold" in parts:
        dnames, dfiles, dx, dy, dmeta = dev
        p = header_model(a.header)(dx)
        groups = T.per_file(dfiles)
        for th in [0.95, 0.9, 0.85, 0.8]:
            show(f"committed, human >= {th}", T.simulate(groups, dy, dmeta, dx, dnames, p, th,
                                                           0.03, T.DEFAULT_CAP_MS))
        pause = dnames.index("pause_ms")
        first = [next((i for i in idx if 400 <= dx[i, pause] < 500), None) for idx in groups.values()]
        first = np.array([i for i in first if i is not None])
        people, machines = first[dy[first]], first[~dy[first]]
        print(f"at 400-500 ms of pause: p >= 0.7 for {100 * np.mean(p[people] >= 0.7):.0f} % of "
              f"{len(people)} people, {100 * np.mean(p[machines] >= 0.7):.0f} % of {len(machines)} machines")
    rng = np.random.default_rng(1)
    for share in ([0.25, 0.5, 0.75, 1.0] if "voices" in parts else []):
        for draw in range(2 if share < 1 else 1):
            keep = rng.choice(voices, int(round(share * len(voices))), replace=False)
            m = np.isin(voice, keep)
            kept_files = [f for f, k in zip(files, m) if k]
            model = fit(x[m], y[m], kept_files)
            show(f"voices {len(keep)} (draw {draw + 1})", best_on_dev(dev, model.predict_proba(dev[2])[:, 1]))
    for trees, depth, min_leaf in ([(240, 3, 100), (200, 4, 100), (300, 5, 200)] if "capacity" in parts else []):
        model = fit(x, y, files, trees, depth, min_leaf)
        show(f"{trees} trees of depth {depth}", best_on_dev(dev, model.predict_proba(dev[2])[:, 1]))


if __name__ == "__main__":
    main()
