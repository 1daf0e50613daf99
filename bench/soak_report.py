#!/usr/bin/env python3
"""Judges and plots a soak's samples (bench/soak.sh writes them).

Every resource series must stay within +-5% of its reference, the median of its samples after
the warm-up (the first 5 minutes, or the first third of a shorter run). The fds judged are
those other than RTP/RTCP sockets, which follow the calls in flight; those must stay under
two per call hark may have up (--calls), +5% for ports that close a moment after their call. Prints one line per
series (reference, min, max, worst deviation) and exits 1 when a series leaves the band.
--svg FILE draws each series as a percentage of its reference, with the band: plain SVG,
so it needs nothing beyond Python's standard library.
"""
import argparse
import csv
import statistics
import sys

SERIES = [  # column, label, colour
    ("hark_rss_kib", "hark RSS", "#1f77b4"),
    ("hark_other_fds", "hark fds but RTP", "#ff7f0e"),
    ("hark_threads", "hark threads", "#2ca02c"),
    ("db_connections", "database connections", "#d62728"),
    ("simulator_rss_kib", "simulator RSS", "#9467bd"),
]
BAND = 5.0


def warmup_minutes(last_minute):
    return min(5, last_minute // 3)


def judge(rows):
    """Per series: (label, reference, lowest, highest, worst deviation in %) after the warm-up."""
    warm = warmup_minutes(int(rows[-1]["minute"]))
    after = [r for r in rows if int(r["minute"]) >= warm]
    out = []
    for col, label, colour in SERIES:
        values = [float(r[col]) for r in after]
        ref = statistics.median(values)
        worst = max(abs(v - ref) / ref * 100 if ref else 0.0 for v in values)
        out.append((col, label, colour, ref, min(values), max(values), worst))
    return warm, after, out


def svg(rows, warm, judged, path):
    w, h, left, right, top, bottom = 760, 360, 60, 200, 20, 40
    minutes = [int(r["minute"]) for r in rows]
    span = max(1, minutes[-1])
    lo, hi = -10.0, 10.0
    x = lambda m: left + (w - left - right) * m / span
    y = lambda pct: top + (h - top - bottom) * (hi - max(lo, min(hi, pct))) / (hi - lo)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<rect x="{left}" y="{y(BAND)}" width="{w - left - right}" height="{y(-BAND) - y(BAND)}" fill="#eeeeee"/>',
             f'<line x1="{x(warm)}" y1="{top}" x2="{x(warm)}" y2="{h - bottom}" stroke="#999" stroke-dasharray="4"/>',
             f'<text x="{x(warm) + 4}" y="{top + 12}" fill="#666">warm-up ends</text>']
    for pct in (-10, -5, 0, 5, 10):
        parts.append(f'<text x="{left - 8}" y="{y(pct) + 4}" text-anchor="end">{pct:+d}%</text>')
        parts.append(f'<line x1="{left}" y1="{y(pct)}" x2="{w - right}" y2="{y(pct)}" stroke="#ddd"/>')
    for m in range(0, span + 1, max(1, span // 6)):
        parts.append(f'<text x="{x(m)}" y="{h - bottom + 16}" text-anchor="middle">{m}</text>')
    parts.append(f'<text x="{left + (w - left - right) / 2}" y="{h - 6}" text-anchor="middle">minutes</text>')
    for i, (col, label, colour, ref, lo_v, hi_v, worst) in enumerate(judged):
        pts = " ".join(f"{x(int(r['minute'])):.1f},{y((float(r[col]) - ref) / ref * 100 if ref else 0):.1f}" for r in rows)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        parts.append(f'<text x="{w - right + 10}" y="{top + 16 + 18 * i}" fill="{colour}">{label} ({worst:.1f}%)</text>')
    parts.append(f'<text x="{w - right + 10}" y="{top + 16 + 18 * len(judged)}" fill="#666">grey: ±{BAND:g}% of the median</text>')
    parts.append(f'<text x="{w - right + 10}" y="{top + 30 + 18 * len(judged)}" fill="#666">after the warm-up</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("--svg")
    ap.add_argument("--calls", type=int, default=300, help="the calls hark may have up (two RTP sockets each)")
    a = ap.parse_args()
    with open(a.csv) as f:
        rows = list(csv.DictReader(f))
    if len(rows) < 2:
        print("soak: fewer than two samples", file=sys.stderr)
        return 1
    warm, after, judged = judge(rows)
    placed = int(rows[-1]["calls_placed"]) - int(after[0]["calls_placed"])
    up = [int(r["calls_up"]) for r in after]
    minutes = int(rows[-1]["minute"]) - warm
    print(f"soak: {rows[-1]['minute']} min, warm-up {warm} min; after it: {placed} calls placed "
          f"({placed / max(1, minutes * 60):.1f}/s), calls up {min(up)}-{max(up)}")
    ok = True
    rtp = [int(r["hark_rtp_sockets"]) for r in after]
    # A call's ports close a moment after its end, when the next call may already have its own:
    # the ceiling is two a call plus the band.
    ceiling = int(2 * a.calls * (1 + BAND / 100))
    over = [n for n in rtp if n > ceiling]
    print(f"  {'hark RTP sockets':22s} {min(rtp)}-{max(rtp)} for {min(up)}-{max(up)} calls up; "
          f"{f'ok: never above {ceiling}' if not over else f'ABOVE {ceiling} in {len(over)} samples'} "
          f"(two a call of {a.calls}, +{BAND:g}%)")
    ok &= not over
    for col, label, colour, ref, lo_v, hi_v, worst in judged:
        within = worst <= BAND
        ok &= within
        print(f"  {label:22s} reference {ref:>10g}  min {lo_v:>10g}  max {hi_v:>10g}  worst {worst:5.1f}%  "
              f"{'ok' if within else 'OUTSIDE ±5%'}")
    if a.svg:
        svg(rows, warm, judged, a.svg)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
