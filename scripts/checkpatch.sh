#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every patch in the series must pass checkpatch.pl --strict.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cp_pl=$BUILD/linux/scripts/checkpatch.pl
[ -f "$cp_pl" ] || die "checkpatch" "" "no build/linux; run 'make tree' first"
log=$LOGS/checkpatch.log
: >"$log"
n=0 bad=0
while read -r p; do
	n=$((n + 1))
	if ! (cd "$BUILD/linux" && perl scripts/checkpatch.pl --strict -q "$ROOT/kernel/patches/$p") >>"$log" 2>&1; then
		bad=$((bad + 1))
		say "checkpatch: $p has findings"
	fi
done < <(series_patches)
[ $bad = 0 ] || die "checkpatch" "$log" "$bad of $n patches have checkpatch.pl --strict findings"
say "checkpatch: $n patches clean (--strict)"
