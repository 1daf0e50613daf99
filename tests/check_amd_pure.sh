#!/usr/bin/env bash
# The purity check of amd/: fails (exit 1) when a file under amd/ reads the environment, prints,
# opens files, or uses threads, sockets or clocks. amd/ is pure DSP (frames in, events out):
# the same input must give the same verdict in a call, in `hark amd` and in the tests, and
# nothing there may block a media worker. It also catches a debug print left in by mistake
# (a getenv-gated fprintf was committed to amd/ twice, in 356ffbc and 4c5db0f).
# Formatting into a buffer (snprintf, from <cstdio>) is allowed: causes are written that way.
# FFTW's one shared plan is made under std::call_once (amd/tone_tracker.cpp): its
# #include <mutex> is allowed.
#   check_amd_pure.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_amd_pure.sh SOURCE_ROOT}
[ -d "$root/amd" ] || { echo "check_amd_pure: $root/amd is missing" >&2; exit 2; }

# One extended regex per kind of impurity; comments are not exempt (write "get env" there).
forbidden='getenv|secure_getenv|[^a-z_]environ[^a-z_]|[^n]printf[[:space:]]*\(|^printf|fputs|(^|[^a-z_])puts[[:space:]]*\(|putchar|perror|fwrite|std::w?(cout|cerr|clog)|std::print|fopen|fstream|<iostream>|<thread>|<future>|<condition_variable>|<shared_mutex>|<chrono>|<ctime>|<time\.h>|<sys/socket\.h>|<netinet/|<unistd\.h>|std::chrono|std::j?thread|std::time[[:space:]]*\(|clock_gettime|gettimeofday|std::this_thread|sleep_for|usleep|lock_guard|unique_lock|scoped_lock|shared_mutex'
files=("$root"/amd/*.h "$root"/amd/*.cpp)
[ -e "${files[0]}" ] || { echo "check_amd_pure: no sources under $root/amd" >&2; exit 2; }
status=0
while IFS= read -r hit; do
  echo "$hit"
  status=1
done < <(grep -HnE "$forbidden" "${files[@]}" || true)
# <mutex> only where the FFT plan is shared (std::call_once), and no mutex or atomic anywhere.
while IFS= read -r hit; do
  case $hit in "$root/amd/tone_tracker.cpp:"*:"#include <mutex>") continue ;; esac
  echo "$hit"
  status=1
done < <(grep -HnE '<mutex>|std::mutex|std::recursive_mutex|<atomic>|std::atomic' "${files[@]}" || true)
if [ $status = 0 ]; then echo "check_amd_pure: amd/ reads no environment, prints nothing, uses no threads, sockets or clocks"
else echo "check_amd_pure: the lines above make amd/ impure (see the head of this script)"; fi
exit $status
