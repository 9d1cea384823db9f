#!/usr/bin/env bash
# Builds Debian's FRR 8.4.4 with the patches of this directory (the FPM extensions of
# docs/fpm-extensions.md): zebra (with dplane_fpm_nl), staticd, sharpd and vtysh, installed
# under one prefix outside the repository. See frr-patches/README.md.
#
# Usage: bash frr-patches/build.sh
# Environment:
#   FIBPUSH_FRR_WORK  work directory (default: <repo>/../frr-build); holds the apt state, the
#                     downloaded source, the patched tree (src/), the build (build/) and the
#                     install prefix (install/)
#   JOBS              make jobs (default 2)
#   FIBPUSH_DEBIAN_MIRROR  the Debian mirror for the source package (default: the one this
#                     machine's apt configuration uses for bookworm)
#
# Idempotent: a second run with the same patches only runs make (nothing to do) and make install.
# When the patches change, the old ones are reversed and the new ones applied in the same tree,
# so make recompiles only what they touch; the tree is extracted afresh if that fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${FIBPUSH_FRR_WORK:-$(cd "$repo/.." && pwd)/frr-build}
jobs=${JOBS:-2}
prefix=$work/install
src=$work/src
build=$work/build

deps=(bison flex gawk libc-ares-dev libcap-dev libelf-dev libjson-c-dev libpam0g-dev libpcre2-dev
	libreadline-dev libyang2-dev pkg-config python3-dev texinfo autoconf automake libtool
	build-essential dpkg-dev patch)

# Minimal daemon set: zebra (+ dplane_fpm_nl), staticd, sharpd, vtysh.
configure_flags=(
	--prefix="$prefix" --sbindir="$prefix/lib/frr" --sysconfdir="$prefix/etc"
	--localstatedir=/var/run/frr --with-moduledir="$prefix/lib/frr/modules"
	--enable-fpm --enable-sharpd --disable-doc --enable-multipath=256
	--enable-user=frr --enable-group=frr --enable-vty-group=frrvty
	--disable-bgpd --disable-ripd --disable-ripngd --disable-ospfd --disable-ospf6d --disable-ldpd
	--disable-nhrpd --disable-eigrpd --disable-babeld --disable-isisd --disable-pimd --disable-pim6d
	--disable-pbrd --disable-fabricd --disable-vrrpd --disable-pathd --disable-bfdd
	--disable-ospfapi --disable-ospfclient --disable-watchfrr --disable-scripting --disable-rpki
)

log() { printf '== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# The Debian mirror this machine's apt already uses, so no host name lives in the repository:
# FIBPUSH_DEBIAN_MIRROR if set, else the first URI of a deb822 source (/etc/apt/sources.list.d/
# *.sources) whose Suites include bookworm, else of a one-line `deb` entry for bookworm in
# /etc/apt/sources.list.
debian_mirror() {
	if [ -n "${FIBPUSH_DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "$FIBPUSH_DEBIAN_MIRROR"
		return
	fi
	local f uri=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# Paragraph mode: one stanza per record; comment lines dropped first.
		uri=$(sed '/^[[:space:]]*#/d' "$f" | awk 'BEGIN { RS = "" } {
			uri = ""; ok = 0; key = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /:$/ && $i !~ /^[a-z]+:\/\//) { key = $i; continue }
				if (key == "URIs:" && uri == "") uri = $i
				if (key == "Suites:" && $i == "bookworm") ok = 1
			}
			if (ok && uri != "") { print uri; exit }
		}')
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "no Debian bookworm source in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set FIBPUSH_DEBIAN_MIRROR=URI"
	printf '%s\n' "$uri"
}

start=$SECONDS
mkdir -p "$work"

# ---- build dependencies ----
missing=()
for p in "${deps[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
	log "installing build dependencies: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${missing[@]}" ||
		{ apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

# ---- Debian's source package, through a private apt configuration (the machine's is untouched) ----
dl=$work/dl
dsc=$(ls "$dl"/frr_8.4.4-*.dsc 2>/dev/null | head -n1 || true)
if [ -z "$dsc" ]; then
	log "downloading Debian's frr source package"
	apt=$work/apt
	mkdir -p "$apt/lists/partial" "$dl"
	uri=$(debian_mirror)
	log "Debian mirror (from this machine's apt configuration): $uri"
	printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$apt/s.sources"
	aptopts=(-o Dir::Etc::SourceList="$apt/s.sources" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists")
	apt-get "${aptopts[@]}" update >"$apt/update.log" 2>&1 || { cat "$apt/update.log" >&2; die "apt-get update (deb-src) failed"; }
	(cd "$dl" && apt-get "${aptopts[@]}" source --download-only frr)
	dsc=$(ls "$dl"/frr_8.4.4-*.dsc 2>/dev/null | head -n1 || true)
	[ -n "$dsc" ] || die "no frr 8.4.4 .dsc in $dl"
fi

# ---- the tree: Debian's series (dpkg-source applies it), then ours ----
patches=("$here"/[0-9][0-9][0-9][0-9]-*.patch)
[ -e "${patches[0]}" ] || die "no patches in $here"
applied=$src/.fibpush-patches

extract() {
	log "extracting $(basename "$dsc") (with Debian's patch series)"
	rm -rf "$src" "$build"
	dpkg-source -x "$dsc" "$src" >"$work/dpkg-source.log"
	mkdir -p "$applied"
}

apply_ours() {
	local p
	for p in "${patches[@]}"; do
		log "applying $(basename "$p")"
		patch -d "$src" -p1 -s --no-backup-if-mismatch <"$p" || return 1
		cp "$p" "$applied/"
	done
}

reverse_applied() {
	local p
	for p in $(ls "$applied"/*.patch 2>/dev/null | sort -r); do
		log "reversing $(basename "$p")"
		patch -d "$src" -p1 -R -s --no-backup-if-mismatch <"$p" || return 1
		rm -f "$p"
	done
}

same_patches() {
	[ "$(cd "$applied" 2>/dev/null && ls *.patch 2>/dev/null)" = "$(cd "$here" && ls [0-9][0-9][0-9][0-9]-*.patch)" ] || return 1
	local p
	for p in "${patches[@]}"; do cmp -s "$p" "$applied/$(basename "$p")" || return 1; done
}

if [ ! -f "$src/configure.ac" ] || [ ! -d "$applied" ]; then
	extract
	apply_ours || die "a patch does not apply to $(basename "$dsc")"
elif ! same_patches; then
	log "the patches changed"
	if ! { reverse_applied && apply_ours; }; then
		extract
		apply_ours || die "a patch does not apply to $(basename "$dsc")"
	fi
else
	log "tree up to date: $src"
fi

# ---- configure (again when the flags change) ----
flags_file=$build/.fibpush-configure
if [ ! -x "$src/configure" ]; then
	log "bootstrap"
	(cd "$src" && ./bootstrap.sh >"$work/bootstrap.log" 2>&1) || { tail -20 "$work/bootstrap.log" >&2; die "bootstrap failed"; }
fi
# FRR's build wants a relative path to its source (vtysh/extract.pl prefixes include paths with
# "vtysh/"): configure from build/ as ../src/configure.
if [ ! -f "$build/Makefile" ] || [ "$(cat "$flags_file" 2>/dev/null)" != "../src ${configure_flags[*]}" ]; then
	log "configure"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && ../src/configure "${configure_flags[@]}" >"$work/configure.log" 2>&1) ||
		{ tail -30 "$work/configure.log" >&2; die "configure failed (see $work/configure.log)"; }
	printf '%s' "../src ${configure_flags[*]}" >"$flags_file"
fi

# ---- build and install ----
log "make -j$jobs (log: $work/make.log)"
make -C "$build" -j"$jobs" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; die "make failed (see $work/make.log)"; }
make -C "$build" install >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; die "make install failed"; }
# vtysh reads <sysconfdir>/vtysh.conf and complains on every call when there is none.
[ -e "$prefix/etc/vtysh.conf" ] || { mkdir -p "$prefix/etc" && : >"$prefix/etc/vtysh.conf"; }

id frr >/dev/null 2>&1 || echo "note: the daemons run as user frr (group frrvty for vtysh): create them, or install Debian's frr package"

elapsed=$((SECONDS - start))
cat <<EOF
== done in $((elapsed / 60))m$((elapsed % 60))s: FRR $(basename "$dsc" .dsc | sed 's/^frr_//') + $(ls "$applied" | wc -l) fibpush patches
   daemons: $prefix/lib/frr/{zebra,staticd,sharpd}
   module:  $prefix/lib/frr/modules/dplane_fpm_nl.so (zebra -M dplane_fpm_nl)
   vtysh:   $prefix/bin/vtysh
   test:    FIBPUSH_FRR_PATCHED=$prefix npm run test:frr-patched
EOF
