#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make build/linux a git repository: one base commit of the pristine
# upstream source, tagged "base", then kernel/series applied with 3-way
# git am.  Re-running is cheap: nothing happens while the series is
# unchanged.  A changed series is re-applied on the base, unless the tree
# holds commits that were never exported (then it refuses; FORCE=1 discards
# them).  Also keeps build/upstream/linux, a worktree of the base, for
# SERIES=none builds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
series=$ROOT/kernel/series
log=$LOGS/tree.log
stamp=$tree/.git/dmabuf-series
: >"$log"

"$ROOT/scripts/fetch-source.sh"
version=$(cat "$BUILD/src/VERSION")

# The identity that commits in build/linux carry.
ident_name=$(git -C "$ROOT" config user.name || echo "dmabuf-interconnect")
ident_email=$(git -C "$ROOT" config user.email || echo "dmabuf-interconnect@localhost")
gitt() { git -C "$tree" "$@"; }

make_base() {
	say "tree: unpacking linux-source-$LINUX_SERIES $version into $tree"
	rm -rf "$tree" "$BUILD/upstream/linux"
	mkdir -p "$tree"
	run_logged "make tree (unpack)" "$log" \
		tar -xf "$BUILD/src/linux-source-$LINUX_SERIES.tar.xz" -C "$tree" --strip-components=1
	run_logged "make tree (git init)" "$log" git -C "$tree" init -q -b master
	gitt config user.name "$ident_name"
	gitt config user.email "$ident_email"
	gitt config core.autocrlf false
	gitt config gc.auto 0
	run_logged "make tree (git add)" "$log" git -C "$tree" add -A -f .
	run_logged "make tree (base commit)" "$log" git -C "$tree" commit -q \
		-m "base: linux-source-$LINUX_SERIES $version (Debian)" \
		-m "Pristine source of Debian's linux-source-$LINUX_SERIES package, version $version."
	gitt tag -f base >/dev/null
	printf '%s\n' "$version" >"$tree/.git/dmabuf-base-version"
}

apply_series() {
	local p n=0
	rm -f "$stamp"
	gitt reset -q --hard base
	while read -r p; do
		n=$((n + 1))
		if ! git -C "$tree" am -q -3 --keep-cr "$ROOT/kernel/patches/$p" >>"$log" 2>&1; then
			git -C "$tree" am --abort >>"$log" 2>&1 || true
			gitt reset -q --hard base
			die "make tree (git am)" "$log" "patch $n, kernel/patches/$p, does not apply"
		fi
	done < <(series_patches)
	printf '%s %s\n' "$(series_hash "$version")" "$(gitt rev-parse HEAD)" >"$stamp"
	say "tree: $n patches applied on linux-source-$LINUX_SERIES $version"
}

if [ ! -d "$tree/.git" ] || ! gitt rev-parse -q --verify base >/dev/null ||
   [ "$(cat "$tree/.git/dmabuf-base-version" 2>/dev/null)" != "$version" ]; then
	make_base
	apply_series
else
	want=$(series_hash "$version")
	read -r have head <"$stamp" 2>/dev/null || { have=; head=; }
	if [ "$want" != "$have" ]; then
		if [ "${FORCE:-0}" != 1 ]; then
			if [ -n "$(gitt status --porcelain --untracked-files=no)" ]; then
				die "make tree" "" "build/linux has uncommitted edits; commit and 'make export', or FORCE=1 to discard them"
			fi
			if [ -n "$head" ] && [ "$(gitt rev-parse HEAD)" != "$head" ]; then
				die "make tree" "" "build/linux has commits that are not in kernel/series; 'make export' first, or FORCE=1 to discard them"
			fi
		fi
		apply_series
	fi
fi

# The pristine tree for SERIES=none builds shares the repository.
if [ ! -d "$BUILD/upstream/linux" ]; then
	mkdir -p "$BUILD/upstream"
	git -C "$tree" worktree prune
	run_logged "make tree (upstream worktree)" "$log" \
		git -C "$tree" worktree add -f --detach "$BUILD/upstream/linux" base
fi
