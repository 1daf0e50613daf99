#!/usr/bin/env bash
# Installs every Debian 12 package hark needs to build, test and run its demo.
# Idempotent and quiet: when nothing is missing it prints nothing and returns at once.
set -euo pipefail

# --music-check: also the recorded music scripts/music_check.sh plays to the AMD (tracks no
# corpus scene uses; about 150 MB, so not in the default set).
MUSIC_CHECK=0
for arg in "$@"; do
  case $arg in
    --music-check) MUSIC_CHECK=1 ;;
    *) echo "install-deps: unknown option '$arg' (the only one is --music-check)" >&2; exit 1 ;;
  esac
done

PACKAGES=(
  build-essential cmake pkg-config ninja-build git ccache
  lld  # links the ~60 executables of each tree in a quarter of GNU ld's time (CMakeLists.txt)
  libsrtp2-dev libspandsp-dev libortp-dev libpqxx-dev
  libboost1.81-dev libboost-json1.81-dev libfftw3-dev libspdlog-dev
  libsofia-sip-ua-dev libsodium-dev libpcap-dev
  liburing-dev  # the media workers' io_uring path (media/uring_io.cpp)
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev  # hark.toml (cli/config_file.cpp)
  kamailio kamailio-tls-modules  # the trunk acceptance tests (tests/signaling/kamailio_test.cpp)
  systemd dpkg-dev  # scripts/package.sh: systemd-analyze verify, dpkg-deb
  tzdata  # zone1970.tab: each country's time zones, for calling hours (signaling/number_time_zones.cpp)
  postgresql sip-tester sox espeak-ng asterisk-core-sounds-en-wav
  # voices of the by-voice AMD corpus (fixtures/make_voice_corpus.sh): flite (kal, awb, rms,
  # slt), festival with three English voices, four Czech, two Finnish and two Italian ones, the
  # Italian Asterisk prompts (Menardi, Carlo) and the Russian ones; ~160 MB installed.
  # No French or Spanish speech and no asterisk-moh-opsound-wav: they belong to the held-out judge.
  flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts asterisk-prompt-it-menardi-wav asterisk-core-sounds-it-wav asterisk-core-sounds-ru-wav
  festvox-czech-dita festvox-czech-machac festvox-czech-krb festvox-czech-ph festvox-suopuhe-lj festvox-suopuhe-mv festvox-italp16k festvox-itapc16k
  # recorded music for the corpus's music greetings and TVs, split by composer (~65 MB)
  extremetuxracer-data frozen-bubble-data
  iproute2 procps curl jq wrk libssl-dev openssl
  # issue 14-21 round: TOML config, numbers and time zones, io_uring, the AMD model's training,
  # Kamailio as a real registrar/proxy, the dashboard and report tests in headless Chromium
  libtomlplusplus-dev libphonenumber-dev python3-sklearn python3-numpy
  kamailio kamailio-tls-modules kamailio-extra-modules chromium python3-websocket dpkg-dev fakeroot
  gdb  # tests print every thread's stack when one hangs (tests/hang_guard.cpp)
  clang-14 libfuzzer-14-dev  # the fuzz harnesses (scripts/fuzz.sh)
  chromium  # renders hark loadtest --html headless in the tests (tests/cli/loadtest_output_test.cpp)
)
if [ "$MUSIC_CHECK" = 1 ]; then PACKAGES+=(drascula-music singularity-music hyperrogue-music); fi

# libphonenumber-dev and python3-sklearn (through python3-pythran) depend on libboost-dev and
# libboost-thread-dev: Debian 12's default Boost, 1.74, whose headers conflict with the 1.81 ones
# hark builds with (Boost.JSON needs 1.75). A local package of no files says that Boost 1.81 is
# installed as those two; it must be in place before apt resolves them, or apt removes 1.81.
BOOST_ALIAS=hark-boost181-as-default
boost_alias() {
  dpkg-query -W -f='${Status}' "$BOOST_ALIAS" 2>/dev/null | grep -q "install ok installed" && return 0
  apt-get install -y -qq --no-install-recommends libboost1.81-dev libboost-thread1.81-dev >/dev/null
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/pkg/DEBIAN"
  cat >"$dir/pkg/DEBIAN/control" <<EOT
Package: $BOOST_ALIAS
Version: 1.81.0
Architecture: all
Maintainer: hark <hark@localhost>
Depends: libboost1.81-dev, libboost-thread1.81-dev
Provides: libboost-dev, libboost-thread-dev
Description: Boost 1.81 standing in for Debian 12's default Boost headers (hark's build)
EOT
  dpkg-deb --build "$dir/pkg" "$dir/alias.deb" >/dev/null
  dpkg -i "$dir/alias.deb" >/dev/null
  rm -rf "$dir"
}

missing=()
dpkg-query -W -f='${Status}' "$BOOST_ALIAS" 2>/dev/null | grep -q "install ok installed" || missing+=("$BOOST_ALIAS")
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
boost_alias
missing=("${missing[@]/$BOOST_ALIAS}")
apt-get install -y -qq --no-install-recommends ${missing[@]} >/dev/null
