#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Download Debian's linux-source-7.3 package through a private apt state
# directory and keep its tarball in build/src.  The system's apt sources are
# never edited: the archive's address is read from them and used with a
# separate list and cache directory.
#
# Environment:
#   LINUX_SOURCE_VERSION  pin one Debian version (default: newest published)
#   LINUX_SOURCE_SUITES   suites to search (default: see below)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$BUILD/src
tarball=$src/linux-source-$LINUX_SERIES.tar.xz
if [ -s "$tarball" ] && [ -s "$src/VERSION" ]; then
	if [ -z "${LINUX_SOURCE_VERSION:-}" ] ||
	   [ "$(cat "$src/VERSION")" = "$LINUX_SOURCE_VERSION" ]; then
		exit 0
	fi
fi

# 7.3 reaches Debian stable through backports; search those and the
# releases that carry it, newest version wins.
suites=${LINUX_SOURCE_SUITES:-"trixie-backports bookworm-backports trixie forky sid"}
log=$LOGS/fetch-source.log
: >"$log"

# The archive's address, as the machine's own apt configuration names it
# (deb822 .sources files first, then one-line sources.list entries).  The
# security archive carries no kernel source packages; skip it.
archive_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f"
	done
}
uri=$(archive_uri | grep -v -- '-security' | head -n 1 || true)
[ -n "$uri" ] || die "fetch source" "$log" "no Debian package archive found in /etc/apt"

apt=$BUILD/apt
rm -rf "$apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc" "$src"
: >"$apt/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for s in $suites; do
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$s"
done >"$apt/etc/sources.list"

aptopts=(-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	 -o "Dir::Etc::SourceList=$apt/etc/sources.list"
	 -o "Dir::Etc::SourceParts=/nonexistent" -o "Dir::State::status=$apt/status"
	 -o "APT::Sandbox::User=root" -o "Acquire::Retries=3")

say "fetch: looking for linux-source-$LINUX_SERIES in: $suites"
run_logged "fetch source (apt-get update)" "$log" apt-get "${aptopts[@]}" update
pkg=linux-source-$LINUX_SERIES
ver=${LINUX_SOURCE_VERSION:-$(apt-cache "${aptopts[@]}" policy "$pkg" 2>>"$log" |
	awk '/Candidate:/ { print $2 }')}
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	die "fetch source" "$log" "no $pkg package is published in: $suites"
fi

say "fetch: downloading $pkg $ver"
(cd "$apt" && apt-get "${aptopts[@]}" download "$pkg=$ver") >>"$log" 2>&1 ||
	die "fetch source (download)" "$log" "could not download $pkg $ver"
deb=$(ls "$apt"/"${pkg}"_*.deb)
rm -rf "$apt/x"
run_logged "fetch source (unpack .deb)" "$log" dpkg-deb -x "$deb" "$apt/x"
[ -s "$apt/x/usr/src/$pkg.tar.xz" ] ||
	die "fetch source" "$log" "$deb holds no usr/src/$pkg.tar.xz"
mv "$apt/x/usr/src/$pkg.tar.xz" "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
printf '%s\n' "$ver" >"$src/VERSION"
rm -rf "$apt/x" "$deb"
say "fetch: $pkg $ver cached in $tarball"
