#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every patch in the series must pass checkpatch.pl --strict.
#
# One checkpatch warning is replaced by a stricter check of our own:
# FILE_PATH_CHANGES ("added, moved or deleted file(s), does MAINTAINERS
# need updating?") fires for every new file, even inside a directory that
# MAINTAINERS already covers.  Instead, every file a patch adds must have a
# maintainer or reviewer according to get_maintainer.pl.
#
# The other, UNKNOWN_COMMIT_ID, cannot pass here: the base tree comes from
# a source tarball without upstream history.  Instead, every Fixes: tag must
# be listed, id and subject exactly, in kernel/upstream-commits, where each
# was recorded after checking it against the public history.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
[ -f "$tree/scripts/checkpatch.pl" ] || die "checkpatch" "" "no build/linux; run 'make tree' first"
log=$LOGS/checkpatch.log
: >"$log"
# checkpatch's SPDX check runs python3 scripts; use Debian's, which has ply.
export PATH=/usr/bin:$PATH

# new_files PATCH: the paths a patch creates.
new_files() {
	awk '/^--- \/dev\/null$/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$1"
}

n=0 bad=0
while read -r p; do
	n=$((n + 1))
	patch=$ROOT/kernel/patches/$p
	if ! (cd "$tree" && perl scripts/checkpatch.pl --strict -q \
		--ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$patch") \
		>>"$log" 2>&1; then
		bad=$((bad + 1))
		say "checkpatch: $p has findings"
		continue
	fi
	while read -r tag; do
		if ! grep -qxF "${tag#Fixes: }" "$ROOT/kernel/upstream-commits"; then
			echo "$p: '$tag' is not in kernel/upstream-commits" >>"$log"
			bad=$((bad + 1))
			say "checkpatch: $p has an unrecorded Fixes: tag"
		fi
	done < <(grep '^Fixes: ' "$patch" || true)
	while read -r f; do
		if ! (cd "$tree" && perl scripts/get_maintainer.pl --no-git -f "$f") 2>/dev/null |
			grep -q '(maintainer:\|(reviewer:'; then
			echo "$p: $f has no maintainer in MAINTAINERS" >>"$log"
			say "checkpatch: $p adds $f, which no MAINTAINERS entry covers"
			bad=$((bad + 1))
		fi
	done < <(new_files "$patch")
done < <(series_patches)
[ $bad = 0 ] || die "checkpatch" "$log" "$bad findings in $n patches (checkpatch.pl --strict)"
say "checkpatch: $n patches clean (--strict)"
