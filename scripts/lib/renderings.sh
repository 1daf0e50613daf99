# Sourced by the AMD's corpus checks (amd_test_split.sh, amd_fresh_check.sh).

# render BUILD OUT NAME SEED SPLIT: one more rendering of the by-voice corpus's SPLIT speakers
# (new scenes, lines and line effects) into OUT/NAME/SPLIT.
render() {
  nice -n 10 "$1/fixtures/hark-voice-corpus" --clips "$2/sources" --out "$2/$3" --seed "$4" --only "$5"
}

# join_manifests OUT LIST DIR...: one manifest (OUT/LIST) of the manifests in OUT/DIR..., its
# file names relative to OUT; the header is the first DIR's.
join_manifests() {
  local out=$1 list=$2 d
  shift 2
  {
    head -1 "$out/$1/manifest.tsv"
    for d in "$@"; do tail -n +2 "$out/$d/manifest.tsv" | sed "s|^|$d/|"; done
  } > "$out/$list"
}
