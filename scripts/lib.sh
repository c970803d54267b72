# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the workbench scripts.  Source it; do not run it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LOGS=$BUILD/logs
mkdir -p "$LOGS"

# Kernel version series this project targets.
LINUX_SERIES=7.3

say() { printf '%s\n' "$*"; }

# die STEP LOG MESSAGE: stop with one clear line naming the step and its log.
die() {
	local step=$1 log=$2
	shift 2
	printf '\n*** %s failed: %s\n' "$step" "$*" >&2
	if [ -n "$log" ] && [ -f "$log" ]; then
		printf '*** log: %s (last lines follow)\n' "$log" >&2
		tail -n 20 "$log" | sed 's/^/    /' >&2
	fi
	exit 1
}

# run_logged STEP LOG CMD...: run CMD with all output in LOG, die on failure.
run_logged() {
	local step=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 || die "$step" "$log" "'$*' exited with status $?"
}

# variant_name: the name of the kernel variant selected by FLAVOR and SERIES.
#   FLAVOR=debug (default): the test kernel with lockdep, KASAN, kmemleak, KUnit
#   FLAVOR=fast: minimal plus selftest and bench config, no debug layer (edit
#   loop, make bench)
#   SERIES=none: the pristine upstream tree instead of the patch series
variant_name() {
	local flavor=${FLAVOR:-debug}
	case $flavor in
	debug|fast) ;;
	*) die "configuration" "" "FLAVOR must be debug or fast, not '$flavor'" ;;
	esac
	case ${SERIES:-series} in
	none) printf 'upstream-%s\n' "$flavor" ;;
	series) printf '%s\n' "$flavor" ;;
	*) die "configuration" "" "SERIES must be unset or 'none'" ;;
	esac
}

# variant_dir: where a variant's bzImage, headers and tests land.  The
# default variant (the patched debug kernel) lands directly in build/.
variant_dir() {
	local flavor=${FLAVOR:-debug}
	if [ "${SERIES:-series}" = none ]; then
		printf '%s/upstream/%s\n' "$BUILD" "$flavor"
	elif [ "$flavor" = debug ]; then
		printf '%s\n' "$BUILD"
	else
		printf '%s/%s\n' "$BUILD" "$flavor"
	fi
}

# source_tree and out_dir: the kernel tree a variant builds from and its
# object directory.  The pristine tree sits at build/upstream/linux with its
# objects in build/upstream/out, so that the path from objects to source is
# the same for both trees and ccache serves every unchanged file to both.
source_tree() {
	if [ "${SERIES:-series}" = none ]; then
		printf '%s/upstream/linux\n' "$BUILD"
	else
		printf '%s/linux\n' "$BUILD"
	fi
}

out_dir() {
	if [ "${SERIES:-series}" = none ]; then
		printf '%s/upstream/out/%s\n' "$BUILD" "${FLAVOR:-debug}"
	else
		printf '%s/out/%s\n' "$BUILD" "${FLAVOR:-debug}"
	fi
}

# series_patches: the patch file names kernel/series lists, in order.
series_patches() {
	grep -v '^[[:space:]]*\(#\|$\)' "$ROOT/kernel/series" | sed 's/[[:space:]]*$//'
}

# series_hash VERSION: a hash over the base version and every patch in the
# series, in order; it names one exact state of build/linux.
series_hash() {
	{
		echo "$1"
		series_patches | while read -r p; do
			[ -f "$ROOT/kernel/patches/$p" ] ||
				die "make tree" "" "kernel/series names $p, which is not in kernel/patches"
			printf '%s ' "$p"
			sha256sum <"$ROOT/kernel/patches/$p"
		done
	} | sha256sum | cut -d' ' -f1
}

# mail_series TREE DIR COVER: the commits of TREE's base..HEAD as patches in
# DIR, in the form 'make export' keeps them: git format-patch without
# numbering, each with its To:/Cc: and its kernel/changelog entry, and the
# cover letter COVER with its headers, shortlog and diffstat rewritten
# (scripts/patchmail.py).
mail_series() {
	local tree=$1 dir=$2 cover=$3 f patches=()

	git -C "$tree" format-patch -q --no-numbered --zero-commit --no-signature \
		-o "$dir" base..HEAD || return 1
	for f in "$dir"/*.patch; do
		[ -e "$f" ] && patches+=("$f")
	done
	python3 "$ROOT/scripts/patchmail.py" patches "$tree" \
		"$ROOT/kernel/changelog" "${patches[@]}" || return 1
	python3 "$ROOT/scripts/patchmail.py" cover "$tree" "$cover" "${patches[@]}"
}

# series_trees TREE: a hash over the source tree of every commit in TREE's
# base..HEAD, in order; it names the code of the series, not its messages.
series_trees() {
	git -C "$1" rev-list --reverse base..HEAD | while read -r c; do
		git -C "$1" rev-parse "$c^{tree}"
	done | sha256sum | cut -d' ' -f1
}

# Kernel builds: ccache shared between trees, and a fixed build identity so
# that ccache hits across clones and images are reproducible.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_USER=dmabuf KBUILD_BUILD_HOST=workbench
export KBUILD_BUILD_TIMESTAMP="2026-01-01"

# kmake_in TREE OUT ARGS...: make in kernel tree TREE with objects in OUT.
kmake_in() {
	local tree=$1 out=$2
	shift 2
	make -C "$tree" O="$out" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" \
		-j"$(nproc)" "$@"
}

# configure_kernel NAME TREE OUT LOG FRAGMENT...: make OUT/.config from
# tinyconfig plus kernel/config/FRAGMENT.config, only when a fragment changed,
# and stop if Kconfig dropped any option a fragment asks for.
configure_kernel() {
	local name=$1 tree=$2 out=$3 log=$4
	shift 4
	local cfgdir=$ROOT/kernel/config frags=() f cfghash bad

	for f in "$@"; do frags+=("$cfgdir/$f.config"); done
	cfghash=$(cd "$cfgdir" && for f in "$@"; do sha256sum "$f.config"; done | sha256sum | cut -d' ' -f1)
	if [ "$(cat "$out/.config-fragments" 2>/dev/null)" = "$cfghash" ] && [ -f "$out/.config" ]; then
		return 0
	fi
	say "kernel ($name): configuring from tinyconfig + $*"
	mkdir -p "$out"
	rm -f "$out/.config-fragments"
	run_logged "kernel config ($name)" "$log" kmake_in "$tree" "$out" tinyconfig
	run_logged "kernel config ($name, merge)" "$log" \
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	run_logged "kernel config ($name, olddefconfig)" "$log" kmake_in "$tree" "$out" olddefconfig
	bad=$(cat "${frags[@]}" | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p;s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/# \1 is not set/p' |
		while read -r want; do grep -qxF "$want" "$out/.config" || echo "$want"; done)
	[ -z "$bad" ] || die "kernel config ($name)" "$log" \
		"options the fragments ask for did not survive Kconfig (missing dependency?): $(echo $bad)"
	echo "$cfghash" >"$out/.config-fragments"
}

# build_bench OUT: what make bench and make profile boot, built where
# missing: their packages, the fast flavour of both kernels, and dmabufbench
# in OUT/tools. dmabufbench is built once, on the series' libvfio; it uses
# only uAPI that upstream has too, so the same binary runs on both kernels.
build_bench() {
	"$ROOT/scripts/deps.sh" --bench
	"$ROOT/scripts/tree.sh"
	FLAVOR=fast "$ROOT/scripts/build-kernel.sh"
	FLAVOR=fast SERIES=none "$ROOT/scripts/build-kernel.sh"
	run_logged "bench (dmabufbench)" "$LOGS/bench-build.log" \
		make -C "$ROOT/tools/dmabufbench" KSRC="$BUILD/linux" \
		KHDR="$BUILD/fast/headers/include" OUTPUT="$1/tools"
}
