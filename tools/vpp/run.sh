#!/usr/bin/env bash
# Starts a real VPP with its own runtime directory and waits until its API answers.
#
# Usage: run.sh RUNDIR [SETUP.cli]
#   RUNDIR gets api.sock (binary API), cli.sock (vppctl -s RUNDIR/cli.sock), vpp.pid, vpp.log.
#   SETUP.cli (optional): VPP CLI commands, run once VPP is up (create loopback interface ...).
# Environment:
#   VPP_BIN         the vpp binary (default: FIBPUSH_VPP_BIN, `vpp` on PATH, else what build.sh built)
#   VPP_HEAP        main heap (default 2G: ~270 B of heap per route, so 2G holds a few million routes)
#   VPP_POLL_SLEEP  microseconds VPP's main loop sleeps between polls (default 0: VPP polls a full
#                   core, as in production; the tests set it so that VPP idles between calls)
# Stop it with: kill "$(cat RUNDIR/vpp.pid)". Runs as root (it maps its heap and stats segment).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
run=${1:?usage: run.sh RUNDIR [SETUP.cli]}; setup=${2:-}
bin=${VPP_BIN:-${FIBPUSH_VPP_BIN:-$(command -v vpp || bash "$here/build.sh" | tail -1)}}
vppctl=$(dirname "$bin")/vppctl
# A source build keeps its plugins beside bin/; FD.io's packages in the system's plugin path.
plugins=$(dirname "$(dirname "$bin")")/lib/x86_64-linux-gnu/vpp_plugins
[ -d "$plugins" ] || plugins=/usr/lib/x86_64-linux-gnu/vpp_plugins
mkdir -p "$run"; rm -f "$run/api.sock" "$run/cli.sock"
conf=$run/startup.conf
sleep_cfg=""
[ "${VPP_POLL_SLEEP:-0}" != 0 ] && sleep_cfg="poll-sleep-usec $VPP_POLL_SLEEP"
{
  echo "unix { nodaemon cli-listen $run/cli.sock runtime-dir $run log $run/vpp.log $sleep_cfg }"
  echo "socksvr { socket-name $run/api.sock }"
  echo "memory { main-heap-size ${VPP_HEAP:-2G} main-heap-page-size 4k }"
  echo "statseg { size 256M page-size 4k }"
  echo "buffers { buffers-per-numa 4096 page-size 4k }"
  echo "plugins { path $plugins plugin default { disable } plugin ping_plugin.so { enable } plugin vxlan_plugin.so { enable } }"
} >"$conf"
"$bin" -c "$conf" >"$run/stdout.log" 2>&1 &
echo $! >"$run/vpp.pid"
for _ in $(seq 200); do
  if [ -S "$run/api.sock" ] && [ -S "$run/cli.sock" ]; then
    # the setup runs through the CLI socket, so it is done when this script returns
    [ -z "$setup" ] || "$vppctl" -s "$run/cli.sock" exec "$(realpath "$setup")" >/dev/null
    exit 0
  fi
  kill -0 "$(cat "$run/vpp.pid")" 2>/dev/null || { echo "run.sh: VPP exited: $(tail -3 "$run/stdout.log")" >&2; exit 1; }
  sleep 0.1
done
echo "run.sh: VPP did not open its sockets in 20 s" >&2; exit 1
