#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series is ready to post as kernel/ holds it:
#   - kernel/bisect-result is 'make bisect's verdict on exactly this code
#     (every prefix builds), and it found every patch building;
#   - kernel/patches and kernel/cover-letter are what 'make export' writes
#     from build/linux now: the code, the To:/Cc: get_maintainer.pl gives
#     today, each patch's kernel/changelog entry below '---', the cover's
#     recipients, shortlog and diffstat;
#   - every patch has a changelog, and the cover letter's subject counts
#     the patches.
# 'make export' writes the last two; 'make bisect' the first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
[ -d "$tree/.git" ] || die "check-posting" "" "no build/linux; run 'make tree' first"
log=$LOGS/check-posting.log
: >"$log"
bad=0
fail() {
	echo "$1" >>"$log"
	say "check-posting: $1"
	bad=$((bad + 1))
}

n=$(series_patches | wc -l)
result=$ROOT/kernel/bisect-result
if [ ! -f "$result" ]; then
	fail "no kernel/bisect-result: run 'make bisect'"
elif [ "$(sed -n 's/^trees //p' "$result")" != "$(series_trees "$tree")" ]; then
	fail "kernel/bisect-result is for other code than the series: run 'make bisect'"
elif [ "$(grep -c '^ok ' "$result")" != "$n" ]; then
	fail "kernel/bisect-result does not find all $n patches building"
fi

# What 'make export' would write now, from build/linux, kernel/changelog and
# the hand-written cover letter: kernel/ must hold exactly that.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/patches"
cp "$ROOT/kernel/cover-letter" "$tmp/cover-letter"
if ! mail_series "$tree" "$tmp/patches" "$tmp/cover-letter" >>"$log" 2>&1; then
	fail "the series cannot be exported (changelog or cover letter; see the log)"
else
	diff -u <(series_patches) <(cd "$tmp/patches" && ls) >>"$log" ||
		fail "kernel/series is not build/linux's series: run 'make export'"
	for f in "$tmp"/patches/*.patch; do
		p=$(basename "$f")
		[ -f "$ROOT/kernel/patches/$p" ] || continue
		diff -u "$ROOT/kernel/patches/$p" "$f" >>"$log" ||
			fail "$p is stale (recipients, changelog or code): run 'make export'"
	done
	diff -u "$ROOT/kernel/cover-letter" "$tmp/cover-letter" >>"$log" ||
		fail "kernel/cover-letter's recipients, shortlog or diffstat are stale: run 'make export'"
fi

while read -r p; do
	f=$ROOT/kernel/patches/$p
	# The changelog sits between the first '---' and the diffstat
	awk '/^---$/ { on = 1; next } on && /^ / { exit } on' "$f" |
		grep -q '^v[0-9][0-9]*:' || fail "$p has no changelog below ---"
	grep -q '^- TODO$' "$f" && fail "$p has a TODO changelog"
done < <(series_patches)

cover=$ROOT/kernel/cover-letter
grep -q "^Subject: \[PATCH v[0-9]* 00/$n\] " "$cover" ||
	fail "kernel/cover-letter's subject does not count $n patches"
grep -qw TODO "$cover" && fail "kernel/cover-letter has a TODO"
[ $bad = 0 ] || die "check-posting" "$log" "$bad problems in the series as posted"
say "check-posting: $n patches with recipients and changelogs, cover letter current, every prefix builds"
