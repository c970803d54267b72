#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bisect: every prefix of the series builds.
#
# Checks out each commit of build/linux's base..HEAD in turn, in a worktree
# at build/bisect/linux, and builds it incrementally in build/bisect/out with
# the debug kernel's configuration (which builds every file the series
# touches) and ccache:
#   - the kernel (vmlinux), unless the commit changes only tools/: kbuild
#     rebuilds the objects the commit changed and every object that
#     includes a header it changed, and links;
#   - every .c file the commit changes must have been compiled (a file the
#     configuration leaves out is an error, not a silent pass);
#   - the iommu and vfio selftests, against the commit's own uAPI headers,
#     when the commit changes them or a uAPI header;
#   - no compiler warning in any of it.
# Stops at the first commit that breaks and names it.  A commit already seen
# to build (the same tree on the same parent tree) is not built again, so a
# change late in the series costs only the commits from it on.  The result is
# written to kernel/bisect-result, which 'make check' compares with the
# series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
work=$BUILD/bisect
wt=$work/linux
out=$work/out/debug
hdrs=$work/headers
tests=$work/tests
seen=$work/verified
log=$LOGS/bisect.log
result=$ROOT/kernel/bisect-result
config=$BUILD/out/debug/.config

[ -d "$tree/.git" ] || die "make bisect" "" "no build/linux; run 'make tree' first"
[ -f "$config" ] || die "make bisect" "" "no debug kernel configuration; run 'make check' or 'FLAVOR=debug make kernel' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "make bisect" "" "build/linux has uncommitted edits; commit them first"
read -r _ head <"$tree/.git/dmabuf-series" 2>/dev/null || head=
[ "$head" = "$(git -C "$tree" rev-parse HEAD)" ] ||
	die "make bisect" "" "build/linux is not the series in kernel/; 'make export' or 'make tree' first"
: >"$log"
mkdir -p "$work" "$tests"
touch "$seen"

# The worktree: recreated when missing or stale (make tree rebuilds the repo)
if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
   ! git -C "$tree" worktree list --porcelain | grep -qxF "worktree $wt"; then
	rm -rf "$wt"
	git -C "$tree" worktree prune
	run_logged "make bisect (worktree)" "$log" \
		git -C "$tree" worktree add -f --detach "$wt" base
fi

kmake() { kmake_in "$wt" "$out" "$@"; }

# build_kernel: the configuration of the debug kernel, as far as this commit's
# Kconfig knows it, then an incremental vmlinux.
build_kernel() {
	mkdir -p "$out"
	cp "$config" "$out/.config"
	kmake olddefconfig && kmake vmlinux
}

# selftest_dirs COMMIT: the selftest directories COMMIT can affect: those it
# changes, iommu's for the iommufd test header it includes, and both for a
# uAPI header.
selftest_dirs() {
	git -C "$wt" diff --name-only "$1^" "$1" | awk '
		m = match($0, /^tools\/testing\/selftests\/(iommu|vfio)\//) {
			d[substr($0, 25, RLENGTH - 25)] = 1
		}
		/^drivers\/iommu\/iommufd\/iommufd_test\.h$/ { d["iommu"] = 1 }
		/^include\/uapi\// { d["iommu"] = 1; d["vfio"] = 1 }
		END { for (k in d) print k }' | sort
}

# build_selftests DIR...: the uAPI headers of this commit, then each
# selftest directory from scratch (they track no header dependencies).
build_selftests() {
	local dir
	rm -rf "$hdrs"
	kmake headers_install INSTALL_HDR_PATH="$hdrs" || return 1
	for dir in "$@"; do
		rm -rf "${tests:?}/$dir"
		mkdir -p "$tests/$dir"
		make -C "$wt/tools/testing/selftests/$dir" -j"$(nproc)" \
			OUTPUT="$tests/$dir" KHDR_INCLUDES="-isystem $hdrs/include" ||
			return 1
	done
}

# unbuilt COMMIT: the kernel .c files COMMIT changes that this build did not
# compile: their object is missing or older than the source the checkout
# wrote (an object left by an earlier commit does not count).
unbuilt() {
	local f obj
	git -C "$wt" diff --name-only --diff-filter=AM "$1^" "$1" -- '*.c' |
		while read -r f; do
			case $f in tools/*) continue ;; esac
			obj=$out/${f%.c}.o
			[ "$obj" -nt "$wt/$f" ] || echo "$f"
		done
}

commits=$(git -C "$tree" rev-list --reverse base..HEAD)
head=$(git -C "$tree" rev-parse HEAD)
trees=$(series_trees "$tree")
# What a verdict depends on besides the code: the configuration and this
# script.  A change to either builds everything again.
how=$(cat "$config" "$0" | sha256sum | cut -c1-16)
total=$(echo "$commits" | wc -l)
n=0
start=$(date +%s)
report=()
for c in $commits; do
	n=$((n + 1))
	subject=$(git -C "$tree" log -1 --format=%s "$c")
	key="$(git -C "$tree" rev-parse "$c^{tree}" "$c^^{tree}" | tr '\n' ' ')$how"
	if grep -qxF "$key" "$seen"; then
		report+=("$(printf 'ok %2d %s (built before)' "$n" "$subject")")
		continue
	fi
	say "bisect: $n/$total $subject"
	git -C "$wt" checkout -q --detach "$c"
	clog=$work/commit.log
	: >"$clog"
	what=kernel
	ok=1
	# A commit that changes only tools/ leaves the kernel of its parent,
	# which has been seen to build
	changed=$(git -C "$wt" diff --name-only "$c^" "$c")
	if grep -qv '^tools/' <<<"$changed"; then
		build_kernel >>"$clog" 2>&1 || ok=0
	else
		what=
	fi
	dirs=$(selftest_dirs "$c")
	if [ $ok = 1 ] && [ -n "$dirs" ]; then
		what="${what:+$what and }selftests ($(echo $dirs))"
		# shellcheck disable=SC2086
		build_selftests $dirs >>"$clog" 2>&1 || ok=0
	fi
	cat "$clog" >>"$log"
	missing=$(unbuilt "$c")
	warnings=$(grep -E '(warning|error):' "$clog" || true)
	if [ $ok = 0 ] || [ -n "$missing" ] || [ -n "$warnings" ]; then
		{
			echo "FAIL $n $subject"
			[ $ok = 1 ] || echo "  the $what build failed"
			[ -z "$missing" ] || echo "  not compiled by the configuration: $(echo $missing)"
			[ -z "$warnings" ] || echo "$warnings" | sed 's/^/  /' | head -20
		} | tee -a "$log" >&2
		die "make bisect" "$log" "patch $n does not build cleanly: $subject"
	fi
	echo "$key" >>"$seen"
	report+=("$(printf 'ok %2d %s' "$n" "$subject")")
done

[ "$(git -C "$tree" rev-parse HEAD)" = "$head" ] ||
	die "make bisect" "" "build/linux changed while it ran; run it again"
{
	echo "# make bisect: every prefix of the series builds (debug kernel"
	echo "# configuration, vmlinux; iommu and vfio selftests where touched)."
	echo "# The trees line names the code of every patch, not its message."
	echo "trees $trees"
	printf '%s\n' "${report[@]}" | sed 's/ (built before)$//'
} >"$result"
say "bisect: all $total patches build, each on the ones before it ($(($(date +%s) - start))s); result in kernel/bisect-result"
