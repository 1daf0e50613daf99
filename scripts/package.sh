#!/usr/bin/env bash
# Builds hark's Debian package (cpack -G DEB in the build tree) and checks it:
#   - dpkg-deb -c lists /usr/bin/hark, /etc/hark/hark.toml, the systemd unit and the man page;
#   - /etc/hark/hark.toml is a conffile;
#   - systemd-analyze verify accepts the unit (with the packaged binary in place);
#   - `hark run --check-config` accepts the packaged example config with only the trunk and the
#     database filled in, and with DATABASE_URL set, `hark run` starts from it and serves /healthz.
# Usage: bash scripts/package.sh [BUILD_DIR]   (default build/; the tree must be configured)
# Prints the .deb's path last. Exits non-zero on the first failed check.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cmake --build "$build" --target hark -j2 >/dev/null
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/hark_*_amd64.deb | head -1)
echo "package: $deb"

listing=$(dpkg-deb -c "$deb")
for f in ./usr/bin/hark ./etc/hark/hark.toml ./usr/lib/systemd/system/hark.service ./usr/share/man/man1/hark.1; do
  grep -q " $f\$" <<<"$listing" || { echo "package: $f missing from $deb" >&2; exit 1; }
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/hark/hark.toml || { echo "package: hark.toml is not a conffile" >&2; exit 1; }
echo "package: files and conffile ok"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
# The unit names /usr/bin/hark: verify it against the packaged binary, put in a private root.
unit="$work/root/usr/lib/systemd/system/hark.service"
sed "s#/usr/bin/hark#$work/root/usr/bin/hark#" "$unit" > "$work/hark.service"
if ! systemd-analyze verify --man=no "$work/hark.service" 2>"$work/verify.err"; then
  cat "$work/verify.err" >&2
  echo "package: systemd-analyze verify refused the unit" >&2
  exit 1
fi
if grep -q . "$work/verify.err"; then cat "$work/verify.err" >&2; fi  # warnings, if any, are shown
echo "package: systemd-analyze verify ok"

# The example config with the trunk and the database filled in, nothing else.
cfg="$work/hark.toml"
db=${DATABASE_URL:-postgresql:///hark}
db=${db//&/\\&}  # '&' means "the match" to sed
sed -e 's#^url = .*#url = "'"$db"'"#' \
    -e 's#^host = "sip.example.net".*#host = "127.0.0.99"#' \
    -e 's#^listen = "0.0.0.0:5060"#listen = "127.0.0.99:5060"#' \
    -e 's#^listen = "127.0.0.1:8080"#listen = "127.0.0.1:18999"#' \
    "$work/root/etc/hark/hark.toml" > "$cfg"
"$work/root/usr/bin/hark" run --config "$cfg" --check-config >"$work/check.out" 2>&1 || {
  cat "$work/check.out" >&2; echo "package: the example config is refused" >&2; exit 1; }
echo "package: the example config is accepted"
if [ -n "${DATABASE_URL:-}" ]; then
  HARK_RTP_PORTS=38000-38999 HARK_ADMIN_PASSWORD=package-test-pw \
    "$work/root/usr/bin/hark" run --config "$cfg" --duration 30 >"$work/run.out" 2>&1 &
  pid=$!
  ok=""
  for _ in $(seq 1 150); do
    if curl -fsS http://127.0.0.1:18999/healthz >"$work/health.json" 2>/dev/null; then ok=1; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
  done
  kill -TERM $pid 2>/dev/null || true
  wait $pid || true
  [ -n "$ok" ] || { cat "$work/run.out" >&2; echo "package: hark run did not start from the example config" >&2; exit 1; }
  grep -q '"name":"carrier"' "$work/health.json" || { cat "$work/health.json" >&2; exit 1; }
  echo "package: hark run started from the example config and served /healthz"
fi
echo "$deb"
