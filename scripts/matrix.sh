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
#
# Each writes build/logs/matrix-<name>.log and build/logs/matrix-<name>.ktap,
# the KUnit KTAP of the run with the suites renamed <name>:SUITE followed by
# the markers of a finished run, and build/logs/matrix-<name>.status with
# kunit.py's exit status; check.sh hands both to results.py.
# Usage: matrix.sh [uml|arm64-64k]...   (default: both)
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

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(uml arm64-64k)
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
	*)
		die "matrix" "" "unknown target '$t' (uml, arm64-64k)"
		;;
	esac
done
