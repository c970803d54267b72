#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series is ready to post as kernel/ holds it:
#   - kernel/bisect-result is 'make bisect's verdict on exactly this code
#     (every prefix builds), and it found every patch building;
#   - every patch carries its To:/Cc: and, below '---', its changelog;
#   - kernel/cover-letter names this series: its subject counts the patches
#     and its shortlog lists their subjects in order.
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

while read -r p; do
	f=$ROOT/kernel/patches/$p
	sed -n '1,/^$/p' "$f" | grep -q '^To: ' || fail "$p has no To: header"
	# The changelog sits between the first '---' and the diffstat
	awk '/^---$/ { on = 1; next } on && /^ / { exit } on' "$f" |
		grep -q '^v[0-9]*:' || fail "$p has no changelog below ---"
	grep -q '^- TODO$' "$f" && fail "$p has a TODO changelog"
done < <(series_patches)

cover=$ROOT/kernel/cover-letter
if [ ! -f "$cover" ]; then
	fail "no kernel/cover-letter"
else
	grep -q "^Subject: \[PATCH v[0-9]* 00/$n\] " "$cover" ||
		fail "kernel/cover-letter's subject does not count $n patches"
	# The shortlog as format-patch --cover-letter writes it
	git -C "$tree" shortlog -w72,2,4 base..HEAD >"$log.shortlog"
	python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
		"$log.shortlog" "$cover" ||
		fail "kernel/cover-letter's shortlog is not the series: run 'make export'"
	grep -qw TODO "$cover" && fail "kernel/cover-letter has a TODO"
fi
[ $bad = 0 ] || die "check-posting" "$log" "$bad problems in the series as posted"
say "check-posting: $n patches with recipients and changelogs, cover letter current, every prefix builds"
