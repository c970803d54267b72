#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The portability matrix: the DMA-buf KUnit suites the way upstream runs them,
# on configurations the test VM never sees.
#
#   uml        tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf
#              on UML, where there is no IOMMU API: the IOMMU interconnect
#              and its suite are left out and everything else must build and
#              pass (the config a build robot tries first).
#   arm64-64k  the same suites on arm64 with 64 KiB pages under QEMU, with
#              the IOMMU API (through IOMMUFD) so that the IOMMU interconnect
#              suite runs: nothing may assume 4 KiB pages.
#   modular    a build, not a run: x86_64 minimal.config with iommufd, VFIO,
#              vfio-pci, DRM and vgem as modules
#              (kernel/config/matrix-modular.config), vmlinux and modules,
#              so that modpost checks what each module imports.
#   nodmabuf   a build: iommufd built in without CONFIG_DMA_SHARED_BUFFER
#              (kernel/config/matrix-nodmabuf.config); vmlinux must link.
#
# Each writes build/logs/matrix-<name>.log and build/logs/matrix-<name>.ktap,
# the KUnit KTAP of the run with the suites renamed <name>:SUITE (for a
# build, one suite <name>:build with one case, the build) followed by the
# markers of a finished run, and build/logs/matrix-<name>.status with the
# exit status; check.sh hands both to results.py.
# Usage: matrix.sh [uml|arm64-64k|modular|nodmabuf]...
#        (default: all four; make check runs uml and arm64-64k)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$(SERIES=${SERIES:-series} source_tree)
[ -f "$tree/Makefile" ] || die "matrix" "" "no source tree at $tree; run 'make tree'"

# run_matrix NAME KUNIT_ARGS...: one kunit.py run, its KTAP kept for results.py
run_matrix() {
	local name=$1 log=$LOGS/matrix-$1.log rc=0
	shift
	say "matrix ($name): kunit.py run --kunitconfig=drivers/dma-buf (log: ${log#$ROOT/})"
	rm -f "$LOGS/matrix-$name.ktap" "$LOGS/matrix-$name.status"
	mkdir -p "$BUILD/matrix"
	(cd "$tree" && python3 tools/testing/kunit/kunit.py run \
		--kunitconfig=drivers/dma-buf --build_dir="$BUILD/matrix/$name" \
		--jobs="$(nproc)" --timeout=900 --raw_output=kunit \
		--make_options CC="ccache ${CROSS_COMPILE:-}gcc" "$@") \
		>"$log" 2>&1 || rc=$?
	# As a console log results.py reads: kernel lines carry a timestamp
	{
		sed -n '/KTAP version/,$p' "$log" |
			sed "s/^\( *# Subtest: \)/\1$name:/" |
			sed "s/^\(\(not \)\{0,1\}ok [0-9][0-9]* \)/\1$name:/" |
			sed "s/^/[    0.000000] /"
		echo "dmabuf-ic: begin"
		echo "dmabuf-ic: done"
	} >"$LOGS/matrix-$name.ktap"
	echo "$rc" >"$LOGS/matrix-$name.status"
	[ "$rc" = 0 ] || say "matrix ($name): kunit.py exited with $rc"
}

# build_config NAME OUT: OUT/.config from tinyconfig plus minimal.config
# with kernel/config/matrix-NAME.config in place of minimal's settings of
# the same options; fails if Kconfig dropped any of them.
build_config() {
	local name=$1 out=$2 over=$ROOT/kernel/config/matrix-$1.config
	local frag=$out.fragment names want bad=

	names=$(sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[ =].*/\2/p' "$over")
	[ -n "$names" ] || { echo "$over names no option"; return 1; }
	{
		grep -v -w -F "$names" "$ROOT/kernel/config/minimal.config"
		cat "$over"
	} >"$frag"
	kmake_in "$tree" "$out" tinyconfig &&
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" \
			"$out/.config" "$frag" &&
		kmake_in "$tree" "$out" olddefconfig || return 1
	while read -r want; do
		case $want in
		CONFIG_*) grep -qxF "$want" "$out/.config" || bad+=" $want" ;;
		"# CONFIG_"*)
			want=${want#\# }; want=${want%% *}
			grep -q "^$want=" "$out/.config" && bad+=" $want" ;;
		esac
	done <"$frag"
	[ -z "$bad" ] || { echo "Kconfig did not keep:$bad"; return 1; }
}

# run_build NAME TARGET...: configure and build, the result as one KUnit
# case for results.py
run_build() {
	local name=$1 log=$LOGS/matrix-$1.log out=$BUILD/matrix/$1 rc=0 res=ok
	shift
	local targets=$*
	say "matrix ($name): kernel build of ${*} (log: ${log#$ROOT/})"
	rm -f "$LOGS/matrix-$name.ktap" "$LOGS/matrix-$name.status"
	mkdir -p "$out"
	{ build_config "$name" "$out" && kmake_in "$tree" "$out" "$@"; } \
		>"$log" 2>&1 || rc=$?
	[ "$rc" = 0 ] || res="not ok"
	{
		printf '%s\n' "KTAP version 1" "1..1" "    KTAP version 1" \
			"    # Subtest: $name:build" "    1..1" \
			"    $res 1 ${targets// /_}" "$res 1 $name:build" |
			sed "s/^/[    0.000000] /"
		echo "dmabuf-ic: begin"
		echo "dmabuf-ic: done"
	} >"$LOGS/matrix-$name.ktap"
	echo "$rc" >"$LOGS/matrix-$name.status"
	[ "$rc" = 0 ] || say "matrix ($name): the build failed with $rc"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(uml arm64-64k modular nodmabuf)
for t in "${targets[@]}"; do
	case $t in
	uml)
		run_matrix uml --arch=um
		;;
	arm64-64k)
		CROSS_COMPILE=aarch64-linux-gnu- run_matrix arm64-64k \
			--arch=arm64 --cross_compile=aarch64-linux-gnu- \
			--kconfig_add CONFIG_ARM64_64K_PAGES=y \
			--kconfig_add CONFIG_IOMMU_SUPPORT=y \
			--kconfig_add CONFIG_IOMMUFD=y \
			'dma-buf-i*'
		;;
	modular)
		run_build modular vmlinux modules
		;;
	nodmabuf)
		run_build nodmabuf vmlinux
		;;
	*)
		die "matrix" "" "unknown target '$t' (uml, arm64-64k, modular, nodmabuf)"
		;;
	esac
done
