#!/usr/bin/env bash
# Builds a real VPP 25.10 (vpp, vppctl, the ping and vxlan plugins; no DPDK) from FD.io's source
# tarball, for the real-VPP suite (test/vpp-real/) and the benches. Users with FD.io's packages do
# not need this: the suite takes FIBPUSH_VPP_BIN, else `vpp` on PATH.
#
# Usage: build.sh [DIR]
#   FIBPUSH_VPP_SRC  the source tarball (vpp-25.10-src.tar.xz: VPP v25.10's src/ tree); needed
#                    only when DIR holds no finished build
#   DIR              default: $FIBPUSH_VPP_DIR or ~/.cache/fibpush/vpp-25.10
# Prints the path of the vpp binary on its last line. Idempotent: a finished build is reused.
# Needs root the first time (apt-get install of the build dependencies). 10-15 minutes on 2 cores.
set -euo pipefail
dir=${1:-${FIBPUSH_VPP_DIR:-$HOME/.cache/fibpush/vpp-25.10}}
vpp=$dir/build/bin/vpp
plugins=ping,vxlan
if [ -x "$vpp" ] && [ "$(cat "$dir/build/.done" 2>/dev/null)" = "$plugins" ]; then echo "$vpp"; exit 0; fi
tarball=${FIBPUSH_VPP_SRC:-}
[ -n "$tarball" ] && [ -f "$tarball" ] || { echo "build.sh: no VPP build in $dir and FIBPUSH_VPP_SRC names no source tarball" >&2; exit 2; }

deps=(clang-14 ninja-build cmake python3-ply libssl-dev uuid-dev libnuma-dev)
missing=()
for p in "${deps[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  [ "$(id -u)" = 0 ] || { echo "build.sh: need root to install ${missing[*]}" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

if [ ! -f "$dir/src/src/scripts/.version" ]; then
  rm -rf "$dir/src" "$dir/build"; mkdir -p "$dir/src"
  tar -xJf "$tarball" -C "$dir/src"
  # VPP takes its version from git; the tarball has none.
  echo "v25.10-0-gcbba0451b" > "$dir/src/src/scripts/.version"
fi
# vppapigen must run with Debian's python3 (python3-ply), whatever else is on PATH.
export PATH=/usr/bin:$PATH
cmake -G Ninja -S "$dir/src/src" -B "$dir/build" -DCMAKE_BUILD_TYPE=release -DVPP_BUILD_NATIVE_ONLY=ON \
  -DVPP_USE_LTO=OFF -DVPP_PLUGINS=$plugins -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >"$dir/cmake.log" 2>&1 ||
  { tail -20 "$dir/cmake.log" >&2; exit 1; }
ninja -C "$dir/build" -j"${JOBS:-2}" vpp vppctl ping_plugin vxlan_plugin >"$dir/ninja.log" 2>&1 || { tail -20 "$dir/ninja.log" >&2; exit 1; }
echo "$plugins" > "$dir/build/.done"
echo "$vpp"
