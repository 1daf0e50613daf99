#!/usr/bin/env bash
# Installs every Debian 12 package hark needs to build, test and run its demo.
# Idempotent and quiet: when nothing is missing it prints nothing and returns at once.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build git ccache
  libsrtp2-dev libspandsp-dev libortp-dev libpqxx-dev
  libboost1.81-dev libboost-json1.81-dev libfftw3-dev libspdlog-dev
  libsofia-sip-ua-dev libsodium-dev libpcap-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql sip-tester sox espeak-ng asterisk-core-sounds-en-wav
  # voices of the by-voice AMD corpus (fixtures/make_voice_corpus.sh): flite (kal, awb, rms,
  # slt), festival with three voices, the Italian Asterisk prompts (Menardi); ~55 MB installed.
  # No French or Spanish speech and no asterisk-moh-opsound-wav: they belong to the held-out judge.
  flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts asterisk-prompt-it-menardi-wav
  iproute2 procps curl jq wrk libssl-dev openssl
  gdb  # tests print every thread's stack when one hangs (tests/hang_guard.cpp)
  clang-14 libfuzzer-14-dev  # the fuzz harnesses (scripts/fuzz.sh)
  chromium  # renders hark loadtest --html headless in the tests (tests/cli/loadtest_output_test.cpp)
)

missing=()
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
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
