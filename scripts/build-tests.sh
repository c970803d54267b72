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

# The VFIO selftests, libvfio and dmabufctl must also build for arm64, where
# upstream builds the VFIO selftests too (and pages may be 64 KiB, which the
# tests read at run time). Objects only: Debian has no arm64 libuuid to link
# against. ARM64_CHECK=0 leaves this out.
if [ "${ARM64_CHECK:-1}" != 0 ] && [ "${SERIES:-series}" != none ]; then
	a64=$dest/arm64
	rm -rf "$a64"
	mkdir -p "$a64/vfio" "$a64/tools"
	run_logged "arm64 uAPI headers ($variant)" "$log" \
		make -C "$tree" ARCH=arm64 O="$a64/hdr-build" headers_install \
		INSTALL_HDR_PATH="$a64/headers"
	printf 'arm64-objs: $(TEST_GEN_PROGS_O) $(LIBVFIO_O)\n' >"$a64/objs.mk"
	run_logged "arm64 compile ($variant, selftests/vfio)" "$log" \
		make -C "$tree/tools/testing/selftests/vfio" -f Makefile \
		-f "$a64/objs.mk" -j"$(nproc)" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- OUTPUT="$a64/vfio" \
		KHDR_INCLUDES="-isystem $a64/headers/include" arm64-objs
	run_logged "arm64 compile ($variant, dmabufctl)" "$log" \
		aarch64-linux-gnu-gcc -c -std=c11 -Wpedantic -Dtypeof=__typeof__ \
		-D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
		-Wno-missing-field-initializers -Wno-sign-compare \
		-isystem "$tree/tools/include" -isystem "$a64/headers/include" \
		-isystem "$tree/tools/testing/selftests" \
		-isystem "$tree/tools/testing/selftests/vfio/lib/include" \
		-o "$a64/tools/dmabufctl.o" "$ROOT/tools/dmabufctl/dmabufctl.c"
	say "tests ($variant): VFIO selftests, libvfio and dmabufctl compile for arm64"
fi
say "tests ($variant): built into ${out#$ROOT/}"
