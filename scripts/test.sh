#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine (as root) or a developer's:
#  1. installs missing packages (quiet when none are missing);
#  2. builds the optimised tree (build/) and the AddressSanitizer + UBSan tree (build-asan/),
#     incrementally;
#  3. starts the private PostgreSQL unless DATABASE_URL is already set;
#  4. runs ctest in both trees.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/install-deps.sh

for preset in default asan; do
  [ -f "build$([ $preset = asan ] && echo -asan)/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
done

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/pg.sh start)
  export DATABASE_URL
  trap 'bash scripts/pg.sh stop' EXIT
fi

status=0
echo "== tests (optimised build)"
ctest --preset default -j"$(nproc)" || status=1
echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp ctest --preset asan -j"$(nproc)" || status=1
exit $status
