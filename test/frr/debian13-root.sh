#!/usr/bin/env bash
# Makes (once) and caches a Debian 13 (trixie) root with Debian's FRR 10.3, for running zebra 10.3
# next to the host's 8.4.4: its binaries need trixie's libc, so the tests and capture scripts run
# them with `chroot ROOT` inside their own network and mount namespaces (ts/frr-lab/harness.ts,
# test/fixtures/frr-10.3/tools/). Nothing here touches the machine's apt configuration.
#
# Usage: bash test/frr/debian13-root.sh        prints the root's path as its last line
# Environment:
#   FIBPUSH_CACHE   cache directory (default ~/.cache/fibpush); the root is $FIBPUSH_CACHE/debian13-frr10/root
#   FIBPUSH_MIRROR  Debian mirror URI (default: the first non-security URI of the machine's apt sources)
#
# Idempotent: a root whose stamp matches this script's package set is reused as is (a few ms).
# The root holds Debian's frr (zebra with dplane_fpm_nl, mgmtd, staticd, bgpd, isisd, ospfd, ...
# and vtysh; Debian builds no sharpd) and iproute2. Its daemons are started as root and drop to
# the root's own frr user; this script starts none of them. A fresh build takes about a minute.
set -euo pipefail

suite=trixie
packages=(frr iproute2 procps)
# Bump when the set or the post-install steps change: a cached root with another stamp is rebuilt.
stamp_text="debian13-frr10 v1 $suite ${packages[*]}"

cache=${FIBPUSH_CACHE:-$HOME/.cache/fibpush}
base=$cache/debian13-frr10
root=$base/root
stamp=$base/stamp
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'debian13-root.sh: %s\n' "$*" >&2; exit 1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] && [ -x "$root/usr/lib/frr/zebra" ]; then
	printf '%s\n' "$root"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "need root for debootstrap (and for chroot later)"

# The mirror: the machine's own apt configuration (deb822 .sources first, then sources.list).
mirror=${FIBPUSH_MIRROR:-}
if [ -z "$mirror" ]; then
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		mirror=$(awk '/^URIs:/{for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' "$f")
		[ -n "$mirror" ] && break
	done
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (set FIBPUSH_MIRROR)"

export DEBIAN_FRONTEND=noninteractive
need=()
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v gpgv >/dev/null 2>&1 || need+=(gpgv)
# trixie's release keys came to bookworm's debian-archive-keyring in 2023.3+deb12u2; an older
# keyring is upgraded from the registry rather than skipping the signature check.
if ! gpg --no-default-keyring --keyring "$keyring" --list-keys 2>/dev/null | grep -q '13/trixie'; then
	need+=(debian-archive-keyring)
fi
if ((${#need[@]})); then
	log "installing ${need[*]}"
	apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
gpg --no-default-keyring --keyring "$keyring" --list-keys 2>/dev/null | grep -q '13/trixie' ||
	die "$keyring has no Debian 13 (trixie) key; cannot verify the $suite Release file"

mkdir -p "$base/debs"
tmp=$base/root.new
rm -rf "$tmp"
start=$SECONDS
# Two steps: a plain minbase, then the packages with the root's own apt. bookworm's debootstrap
# cannot order trixie's systemd pre-dependencies when --include pulls them in (frr -> logrotate
# -> cron-daemon-common -> systemd-sysusers); trixie's apt can.
log "debootstrap $suite (minbase) from $mirror into $tmp"
debootstrap --variant=minbase --keyring="$keyring" --cache-dir="$base/debs" \
	"$suite" "$tmp" "$mirror" >"$base/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$base/debootstrap.log" >&2; die "debootstrap failed (log: $base/debootstrap.log)"; }
# No service is started by maintainer scripts in the root (invoke-rc.d asks policy-rc.d).
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 0755 "$tmp/usr/sbin/policy-rc.d"
log "apt-get install ${packages[*]} in the root"
# /proc and /dev for the maintainer scripts, in a private mount namespace (nothing leaks out).
unshare -m --propagation private -- sh -c '
	r=$0
	mount --rbind /proc "$r/proc" && mount --rbind /dev "$r/dev" &&
	chroot "$r" apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get install -y -qq --no-install-recommends "$@"' \
	"$tmp" "${packages[@]}" >"$base/apt.log" 2>&1 ||
	{ tail -n 30 "$base/apt.log" >&2; die "apt-get install in the root failed (log: $base/apt.log)"; }

# Keep the root small and inert: no package caches, no daemons started by maintainer scripts.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages* "$tmp"/var/cache/apt/*.bin
[ -x "$tmp/usr/lib/frr/zebra" ] || die "no /usr/lib/frr/zebra in the new root"
[ -f "$tmp/usr/lib/$(uname -m)-linux-gnu/frr/modules/dplane_fpm_nl.so" ] ||
	[ -f "$tmp/usr/lib/frr/modules/dplane_fpm_nl.so" ] ||
	ls "$tmp"/usr/lib/*/frr/modules/dplane_fpm_nl.so >/dev/null 2>&1 || die "no dplane_fpm_nl.so in the new root"
ver=$(chroot "$tmp" dpkg-query -W -f='${Version}' frr)
log "frr $ver; daemons: $(cd "$tmp/usr/lib/frr" && ls -1 | grep -v -e '\.sh$' -e '^frr-reload$' | tr '\n' ' ')"

rm -rf "$root"
mv "$tmp" "$root"
printf '%s\n' "$ver" >"$base/frr-version"
printf '%s\n' "$stamp_text" >"$stamp"
log "done in $((SECONDS - start)) s"
printf '%s\n' "$root"
