#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the static test binaries the VM runs, from the variant's own source
# tree and against its installed uAPI headers, into <variant dir>/tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=$(variant_name)
tree=$(source_tree)
dest=$(variant_dir)
out=$dest/tests
log=$LOGS/tests-$variant.log
hdrs=$dest/headers/include

[ -d "$hdrs/linux" ] || die "test build ($variant)" "" "no uAPI headers at $hdrs; build the kernel first"
mkdir -p "$out"
: >"$log"

# kselftest_build DIR: one selftest directory, linked statically.
kselftest_build() {
	local dir=$1
	mkdir -p "$out/$dir"
	run_logged "test build ($variant, selftests/$dir)" "$log" \
		make -C "$tree/tools/testing/selftests/$dir" -j"$(nproc)" \
		OUTPUT="$out/$dir" KHDR_INCLUDES="-isystem $hdrs" \
		USERCFLAGS="-static" USERLDFLAGS="-static"
}

kselftest_build iommu
kselftest_build vfio
# dmabufctl is built on the series' libvfio (its DMA-buf helpers)
if [ "${SERIES:-series}" != none ]; then
	run_logged "tool build ($variant, dmabufctl)" "$log" \
		make -C "$ROOT/tools/dmabufctl" KSRC="$tree" KHDR="$hdrs" \
		OUTPUT="$out/tools"
fi
say "tests ($variant): built into ${out#$ROOT/}"
