#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the commits after "base" in build/linux back to kernel/patches and
# kernel/series.  File names come from git format-patch without numbering
# in the subject, so an unchanged commit exports to an unchanged file.
# Each patch gets the To:/Cc: that get_maintainer.pl computes and, below its
# '---', its entry of kernel/changelog; kernel/cover-letter gets the
# recipients of them all and the series' shortlog and diffstat
# (scripts/patchmail.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
[ -d "$tree/.git" ] || die "make export" "" "no build/linux; run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "make export" "" "build/linux has uncommitted edits; commit them first"

out=$ROOT/kernel/patches
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Patches and cover letter are made in $tmp first: a missing changelog
# entry leaves kernel/ as it was.
cp "$ROOT/kernel/cover-letter" "$tmp/cover-letter"
mkdir "$tmp/patches"
mail_series "$tree" "$tmp/patches" "$tmp/cover-letter" ||
	die "make export" "" "kernel/changelog needs one entry per patch subject and none for others; kernel/cover-letter needs From: and Subject:"
mkdir -p "$out"
rm -f "$out"/*.patch
{
	echo "# The patch series, in the order 'make tree' applies it on the base."
	echo "# Written by 'make export' from build/linux; edit there, not here."
	for f in "$tmp"/patches/*.patch; do
		[ -e "$f" ] || continue
		mv "$f" "$out/"
		basename "$f"
	done
} >"$ROOT/kernel/series"
mv "$tmp/cover-letter" "$ROOT/kernel/cover-letter"
n=$(git -C "$tree" rev-list --count base..HEAD)
version=$(cat "$tree/.git/dmabuf-base-version")
# The tree now matches the series: record that, so 'make tree' keeps it.
printf '%s %s\n' "$(series_hash "$version")" "$(git -C "$tree" rev-parse HEAD)" \
	>"$tree/.git/dmabuf-series"
say "export: $n patches written to kernel/patches and kernel/series"
