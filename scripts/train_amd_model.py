#!/usr/bin/env python3
"""Trains hark's greeting model and writes it as plain C++ (amd/greeting_model_data.h).

    scripts/train_amd_model.py --train TRAIN.tsv [--train MORE.tsv] --dev DEV.tsv [--dev MORE.tsv] \
        [--header amd/greeting_model_data.h] [--sample tests/amd/greeting_model_sample.tsv]

The TSV files come from `hark amd --labels MANIFEST --dump-features OUT.tsv`: the call
features (amd/call_features.cpp) at every 100 ms decision point of each human or machine file.
scripts/train_amd_model.sh runs the whole pipeline on the by-voice corpus.

- The model: gradient-boosted trees (scikit-learn, fixed seeds: the same data gives the same
  trees; five are fitted and the dev split picks one, with the thresholds), fitted on the train split only (the by-voice corpus's train split and further
  renderings of the same speakers, scripts/train_amd_model.sh). Each file's points together
  weigh as much as any other file's, so long greetings do not drown short answers. Regularised
  (leaves of at least 100 points, each tree on 70 % of them): fitted to the train voices alone
  it scored 96 % on train and 90 % on dev.
- The thresholds: the sequential policy of amd/greeting_decision.cpp is simulated on the dev
  split and its further renderings (the dev speakers only; 163 files alone put a choice within
  a file or two of noise) for a grid of human and machine thresholds at the default latency
  cap; of the pairs within one dev file of the best human-vs-machine accuracy, the one kept
  calls the fewest people machine, then has the lowest median latency. The cap, a campaign
  setting, then trades latency for accuracy.
- The sample: rows of the first dev file with scikit-learn's probabilities, which the C++
  model must reproduce (tests/amd/greeting_model_test.cpp).
The test split is never read here.
"""
import argparse
import csv
import hashlib
import math
import sys

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

# Must match amd/greeting_decision.cpp and the hark defaults in amd/params.cpp.
MIN_PAUSE_MS = 200
MIN_MACHINE_SPAN_MS = 1000
LONE_WORD_MS = 300
LONGEST_GREETING_PAUSE_MS = 1300
LONGEST_WAIT_WHILE_TALKING_MS = 2000
LONGEST_HUMAN_GREETING_MS = 5000
TOTAL_ANALYSIS_MS = 7000
DEFAULT_CAP_MS = 1300
PAST_LONGEST_LEANS_TO_A_PERSON = 0.6
MAX_WORD_LENGTH_MS = 5000
DECISION_STEP_MS = 100  # GreetingDecision::kDecisionStepMs: the dump's points are this far apart


def load(paths):
    rows, names = [], None
    for path in paths:
        with open(path, newline="") as f:
            r = csv.reader(f, delimiter="\t")
            header = next(r)
            if names is None:
                names = header[5:]
            elif names != header[5:]:
                sys.exit(f"{path}: feature columns differ from the first file's")
            for row in r:
                rows.append((path + ":" + row[0], row[1] == "human", int(row[2]), int(row[3]),
                             int(row[4]), [float(v) for v in row[5:]]))
    x = np.array([r[5] for r in rows], dtype=np.float32)
    y = np.array([r[1] for r in rows], dtype=bool)
    files = [r[0] for r in rows]
    meta = [(r[2], r[3], r[4]) for r in rows]
    return names, files, x, y, meta


def per_file(files):
    groups = {}
    for i, f in enumerate(files):
        groups.setdefault(f, []).append(i)
    return groups


def simulate(groups, y, meta, x, names, p, th, tm, cap):
    """The policy of GreetingDecision on each file's points; returns the scores."""
    ip, ispan, irun = names.index("pause_ms"), names.index("span_ms"), names.index("run_ms")
    hm = hh = mm = mh = 0
    lat, mlat = [], []
    for f, idx in groups.items():
        human = bool(y[idx[0]])
        verdict, at = None, None
        for i in idx:
            pause, span, now = x[i, ip], x[i, ispan], meta[i][2]
            if span > LONGEST_HUMAN_GREETING_MS:
                verdict = "human" if p[i] >= PAST_LONGEST_LEANS_TO_A_PERSON else "machine"
            elif x[i, irun] >= MAX_WORD_LENGTH_MS:
                verdict = "machine"
            elif pause >= MIN_PAUSE_MS and p[i] >= th:
                verdict = "human"
            elif pause >= cap and not (x[i, irun] > 0 and pause + DECISION_STEP_MS <= LONGEST_WAIT_WHILE_TALKING_MS):
                # (The C++ also asks that the pause be quiet, a level the dump does not carry,
                # counts as talking a burst whose last voiced frame is within three frames and
                # two frames of talk among the last eight, where run_ms is 0 on an unvoiced
                # one, a count the dump does not carry, and gives no person verdict to a
                # greeting with half a second of music in it, which the dump does not carry.)
                lone_word = span < LONE_WORD_MS and pause >= LONGEST_GREETING_PAUSE_MS
                verdict = "human" if p[i] >= 0.5 or lone_word else "machine"
            elif span >= MIN_MACHINE_SPAN_MS and p[i] <= tm:
                verdict = "machine"
            elif now >= TOTAL_ANALYSIS_MS:
                verdict = "human" if p[i] >= 0.5 else "machine"
            if verdict:
                at = now
                break
        if verdict is None:  # a machine's beep ends its points: the beep decides
            verdict = "machine" if meta[idx[0]][1] >= 0 else "unknown"
        if human:
            hh += verdict == "human"
            hm += verdict == "machine"
            if verdict == "human" and meta[idx[0]][0] >= 0:
                lat.append(at - meta[idx[0]][0])
        else:
            mm += verdict == "machine"
            mh += verdict == "human"
            if verdict == "machine" and at is not None:
                mlat.append(at)
    humans = sum(1 for idx in groups.values() if y[idx[0]])
    machines = len(groups) - humans
    return {
        "accuracy": (hh + mm) / max(1, len(groups)),
        "humans_as_machine": hm / max(1, humans),
        "machines_as_human": mh / max(1, machines),
        "median_latency": float(np.median(lat)) if lat else 1e9,
        "median_machine_ms": float(np.median(mlat)) if mlat else 1e9,
    }


def export(model, names, th, tm, path, digest, seed):
    nodes, roots = [], []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        base = len(nodes)
        roots.append(base)
        for k in range(t.node_count):
            leaf = t.children_left[k] < 0
            nodes.append((
                -1 if leaf else int(t.feature[k]),
                0.0 if leaf else float(t.threshold[k]),
                -1 if leaf else base + int(t.children_left[k]),
                -1 if leaf else base + int(t.children_right[k]),
                float(t.value[k][0][0]) * model.learning_rate if leaf else 0.0,
            ))
    prior = model.init_.class_prior_[1]
    bias = math.log(prior / (1 - prior))
    with open(path, "w") as f:
        f.write("// GENERATED by scripts/train_amd_model.py: do not edit, re-run the script.\n")
        f.write(f"// Training data digest (sha256 of the train and dev feature files): {digest}\n")
        f.write(f"// {len(roots)} trees of depth <= {model.max_depth} (seed {seed}); features: {', '.join(names)}\n")
        f.write("#pragma once\n\nnamespace hark::amd::greeting_model {\n\n")
        f.write("struct Node {\n  int feature;  // -1: a leaf\n  double threshold;  // go left when x <= threshold\n"
                "  int left, right;\n  double value;  // a leaf's contribution to the log-odds\n};\n\n")
        f.write(f"inline constexpr int kFeatures = {len(names)};\n")
        f.write("inline constexpr const char* kFeatureNames[kFeatures] = {" +
                ", ".join(f'"{n}"' for n in names) + "};\n")
        f.write(f"inline constexpr int kTrees = {len(roots)};\n")
        f.write(f"inline constexpr double kBias = {bias!r};\n")
        f.write(f"/// In a pause, a probability at or above this is a person (chosen on the dev split).\n")
        f.write(f"inline constexpr double kHumanThreshold = {th!r};\n")
        f.write(f"/// After a second of greeting, a probability at or below this is a machine.\n")
        f.write(f"inline constexpr double kMachineThreshold = {tm!r};\n")
        f.write("inline constexpr int kRoots[kTrees] = {" + ", ".join(map(str, roots)) + "};\n")
        f.write("inline constexpr Node kNodes[] = {\n")
        for n in nodes:
            f.write(f"    {{{n[0]}, {n[1]!r}, {n[2]}, {n[3]}, {n[4]!r}}},\n")
        f.write("};\n\n}  // namespace hark::amd::greeting_model\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="append", required=True)
    ap.add_argument("--dev", action="append", required=True)
    ap.add_argument("--header", default="amd/greeting_model_data.h")
    ap.add_argument("--sample", default="tests/amd/greeting_model_sample.tsv")
    ap.add_argument("--trees", type=int, default=120)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--min-leaf", type=int, default=100)
    ap.add_argument("--subsample", type=float, default=0.7)
    ap.add_argument("--seeds", type=int, default=5, help="models to fit, one per seed; dev picks one")
    ap.add_argument("--placeholder", metavar="NAMES",
                    help="write a header that always answers 0.5 for these comma-separated feature "
                         "names (to build the dump tool after the features changed) and stop")
    a = ap.parse_args()
    if a.placeholder:
        names = a.placeholder.split(",")
        with open(a.header, "w") as f:
            f.write("// PLACEHOLDER written by scripts/train_amd_model.py --placeholder: re-run it to train.\n")
            f.write("#pragma once\n\nnamespace hark::amd::greeting_model {\n")
            f.write("struct Node { int feature; double threshold; int left, right; double value; };\n")
            f.write(f"inline constexpr int kFeatures = {len(names)};\n")
            f.write("inline constexpr const char* kFeatureNames[kFeatures] = {" + ", ".join(f'"{n}"' for n in names) + "};\n")
            f.write("inline constexpr int kTrees = 1;\ninline constexpr double kBias = 0.0;\n")
            f.write("inline constexpr double kHumanThreshold = 0.9;\ninline constexpr double kMachineThreshold = 0.05;\n")
            f.write("inline constexpr int kRoots[kTrees] = {0};\ninline constexpr Node kNodes[] = {{-1, 0.0, -1, -1, 0.0}};\n")
            f.write("}  // namespace hark::amd::greeting_model\n")
        return

    names, files, x, y, meta = load(a.train)
    dnames, dfiles, dx, dy, dmeta = load(a.dev)
    if dnames != names:
        sys.exit("dev and train feature columns differ")
    digest = hashlib.sha256()
    for p in a.train + a.dev:
        digest.update(open(p, "rb").read())

    groups = per_file(files)
    w = np.zeros(len(files))
    for idx in groups.values():
        w[idx] = 1.0 / len(idx)
    # One model per seed: which points each tree sees (70 %) moves a few dev files either way,
    # and on 2026-12-03 a front-end change too small to move a verdict by itself moved the
    # retrained model's people called machine from 7 to 13 of the 420 dev people. The seed is
    # chosen on dev with the thresholds, by the same rule.
    dgroups = per_file(dfiles)
    models, tried = [], []
    for seed in range(a.seeds):
        model = GradientBoostingClassifier(n_estimators=a.trees, max_depth=a.depth, learning_rate=0.1,
                                           min_samples_leaf=a.min_leaf, subsample=a.subsample,
                                           random_state=seed)
        model.fit(x, y, sample_weight=w)
        dp = model.predict_proba(dx)[:, 1]
        models.append((model, dp))
        for th in [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99]:
            for tm in [0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2]:
                tried.append((simulate(dgroups, dy, dmeta, dx, names, dp, th, tm, DEFAULT_CAP_MS), th, tm, seed))
    # Accuracy first (the cap bounds the latency; `hark amd --labels` prints the curve), but
    # a few dev files are noise: among the pairs within 0.5 % of the best (4 of 815 files),
    # fewer people called machine, then faster, then more accurate, then machines called
    # sooner, then the more cautious thresholds. Within one file, as before 2026-12-03, a
    # one-file edge took 0.97 over 0.93: 166 ms more median latency and more people called
    # machine, for 2 files of 815. Without the machines' time, equal pairs fell to the lower
    # machine threshold: 0.01 for 0.03 made the median machine verdict 0.9 s later (4.4 ->
    # 5.3 s on the non-test files) for one file.
    top = max(t[0]["accuracy"] for t in tried)
    slack = max(1, round(0.005 * len(dgroups))) / len(dgroups)
    near = [t for t in tried if t[0]["accuracy"] >= top - slack - 1e-9]
    s, th, tm, seed = max(near, key=lambda t: (-t[0]["humans_as_machine"], -t[0]["median_latency"],
                                                t[0]["accuracy"], -t[0]["median_machine_ms"], t[1], -t[2], -t[3]))
    model, dp = models[seed]
    tp = model.predict_proba(x)[:, 1]
    st = simulate(groups, y, meta, x, names, tp, th, tm, DEFAULT_CAP_MS)
    print(f"seed {seed} of {a.seeds}; thresholds: human {th}, machine {tm}")
    print(f"dev ({len(dgroups)} files, policy, cap {DEFAULT_CAP_MS} ms): {s}")
    print(f"train (policy, cap {DEFAULT_CAP_MS} ms): {st}")
    imp = sorted(zip(model.feature_importances_, names), reverse=True)
    print("importance: " + ", ".join(f"{n} {v:.3f}" for v, n in imp[:10]))

    export(model, names, th, tm, a.header, digest.hexdigest(), seed)
    # About 1000 evenly spaced rows of the first dev file, covering all kinds of points.
    first = [i for i, f in enumerate(dfiles) if f.startswith(a.dev[0] + ":")]
    with open(a.sample, "w") as f:
        f.write("probability\t" + "\t".join(names) + "\n")
        for i in first[::max(1, len(first) // 1000)]:
            f.write(repr(float(dp[i])) + "\t" + "\t".join("%.9g" % v for v in dx[i]) + "\n")


if __name__ == "__main__":
    main()
