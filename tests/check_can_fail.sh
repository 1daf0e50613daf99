# Sourced by the source checks' own tests (check_layers_test.sh, check_amd_pure_test.sh): a check
# must pass on an untouched copy of the folders it reads, and fail, naming the file, once a line
# is added to one of them.
#   source check_can_fail.sh
#   can_fail_setup SOURCE_ROOT CHECK_SCRIPT FOLDER...   (exits when the untouched copy fails)
#   expect_caught FILE LINE                             (exits when the check misses LINE in FILE)

can_fail_setup() {
  cf_root=$1 cf_check=$2
  shift 2
  cf_folders=("$@")
  cf_tmp=$(mktemp -d)
  trap 'rm -rf "$cf_tmp"' EXIT
  cf_copy
  bash "$cf_check" "$cf_tmp/src" >/dev/null || { echo "FAIL: the untouched copy does not pass"; exit 1; }
}

cf_copy() {
  rm -rf "$cf_tmp/src"
  local f
  for f in "${cf_folders[@]}"; do
    mkdir -p "$cf_tmp/src/$(dirname "$f")"
    cp -r "$cf_root/$f" "$cf_tmp/src/$f"
  done
}

expect_caught() {
  local out
  cf_copy
  [ -f "$cf_tmp/src/$1" ] || { echo "FAIL: $1 is not a file of the copy (a typo proves nothing)"; exit 1; }
  printf '%s\n' "$2" >>"$cf_tmp/src/$1"
  if out=$(bash "$cf_check" "$cf_tmp/src"); then
    echo "FAIL: $1 with '$2' was not caught"
    exit 1
  fi
  grep -q "$1" <<<"$out" || { echo "FAIL: the report does not name $1: $out"; exit 1; }
  echo "caught: $1: $2"
}
