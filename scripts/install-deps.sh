#!/usr/bin/env bash
# Installs every Debian 12 package hark needs to build, test and run its demo.
# Idempotent and quiet: when nothing is missing it prints nothing and returns at once.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build git ccache
  libsrtp2-dev libspandsp-dev libortp-dev libpqxx-dev
  libboost1.81-dev libboost-json1.81-dev libfftw3-dev libspdlog-dev
  libsofia-sip-ua-dev libsodium-dev libpcap-dev
  # numbers -> E.164 (signaling/phone_number.*): the library and what its headers include; the
  # headers themselves come from libphonenumber-dev, unpacked below (not installed: see there)
  libphonenumber8 libprotobuf-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql sip-tester sox espeak-ng asterisk-core-sounds-en-wav
  # voices of the by-voice AMD corpus (fixtures/make_voice_corpus.sh): flite (kal, awb, rms,
  # slt), festival with three voices, the Italian Asterisk prompts (Menardi); ~55 MB installed.
  # No French or Spanish speech and no asterisk-moh-opsound-wav: they belong to the held-out judge.
  flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts asterisk-prompt-it-menardi-wav
  iproute2 procps curl jq wrk libssl-dev openssl
  gdb  # tests print every thread's stack when one hangs (tests/hang_guard.cpp)
  clang-14 libfuzzer-14-dev  # the fuzz harnesses (scripts/fuzz.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# libphonenumber's headers: libphonenumber-dev cannot be installed here. It depends on
# libboost-thread-dev, i.e. Boost 1.74, which conflicts with libboost1.81-dev (boost::json):
# apt removes one to install the other. The library (libphonenumber8) uses no Boost, so the
# headers alone are unpacked from the -dev package into /usr/local/include (CMake looks there).
phonenumber_headers=/usr/local/include/phonenumbers
need_headers=0
[ -e /usr/include/phonenumbers/phonenumberutil.h ] || [ -e $phonenumber_headers/phonenumberutil.h ] || need_headers=1
[ ${#missing[@]} -eq 0 ] && [ $need_headers = 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]})$([ $need_headers = 1 ] && echo ' and libphonenumber headers'); run as root or install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ $need_headers = 1 ]; then
  echo "install-deps: unpacking libphonenumber-dev's headers into $phonenumber_headers"
  tmp=$(mktemp -d)
  chmod a+rwx "$tmp"  # apt downloads as its own user
  (cd "$tmp" && { apt-get download -qq libphonenumber-dev 2>/dev/null || { apt-get update -qq && apt-get download -qq libphonenumber-dev; }; })
  dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb "$tmp/x"
  mkdir -p /usr/local/include
  cp -r "$tmp/x/usr/include/phonenumbers" "$phonenumber_headers"
  rm -rf "$tmp"
fi
