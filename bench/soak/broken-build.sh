#!/usr/bin/env bash
# Shows that the soak can fail: runs it against a copy of this checkout whose mark-and-sweep is
# disabled (dplane store's sweep() withdraws nothing), and passes only if the soak FAILS and its
# report names the routes that stayed in the dataplane after zebra withdrew them. The copy lives
# in a temp dir; nothing in the shipped daemon changes.
#
#   bash bench/soak/broken-build.sh [soak options]     (default: --minutes 2 --routes 50000 --faults zebra-cut,fibpush-kill)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d /tmp/fibpush-nosweep-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r bin dist build package.json "$tmp"/
ln -s "$root/node_modules" "$tmp/node_modules"
store="$tmp/dist/ts/dplane/store.js"
grep -q '^    sweep(full) {$' "$store" || { echo "broken-build: sweep(full) not found in $store" >&2; exit 2; }
sed -i 's/^    sweep(full) {$/    sweep(full) { return 0;/' "$store"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--minutes 2 --routes 50000 --faults zebra-cut,fibpush-kill --fault-every 20)
set +e
node dist/bench/soak/main.js --fibpush "$tmp/bin/fibpush.js" --json "$tmp/report.json" "${args[@]}"
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
  echo "broken-build: the soak exited $rc against a build without the sweep; expected 1 (failed)" >&2
  exit 1
fi
if ! grep -q 'was withdrawn but is still in the dataplane' "$tmp/report.json"; then
  echo "broken-build: the soak failed, but its report does not name a leaked route" >&2
  exit 1
fi
echo "broken-build: the soak failed as it must, naming the routes the disabled sweep left behind"
