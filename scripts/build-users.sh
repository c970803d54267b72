#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile the in-tree DMA-buf users this configuration can enable (udmabuf,
# the DMA-buf heaps, VFIO, iommufd, the DRM PRIME helpers through vgem) in the
# pristine upstream tree and in the series, and compare compiler warnings
# (W=1). The series must build every one of them and add no warning: the
# legacy attach and map path compiles unchanged. Compile only; nothing is
# booted. Run with 'make users'.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dirs=(drivers/dma-buf/ drivers/vfio/ drivers/iommu/iommufd/ drivers/gpu/drm/)
fragments=(minimal selftests users)

# warnings LOG: the compiler's warnings, without line numbers, sorted.
warnings() {
	grep -E '(warning|error):' "$1" | sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u || true
}

compile_users() {
	local series=$1 name tree out log
	name=users-$([ "$series" = none ] && echo upstream || echo series)
	tree=$(SERIES=$series source_tree)
	out=$(dirname "$(SERIES=$series out_dir)")/users
	log=$LOGS/$name.log
	[ -f "$tree/Makefile" ] || die "$name" "" "no source tree at $tree; run 'make tree'"
	: >"$log"
	configure_kernel "$name" "$tree" "$out" "$log" "${fragments[@]}"
	say "$name: compiling ${dirs[*]} (log: ${log#$ROOT/})"
	run_logged "$name compile" "$log" kmake_in "$tree" "$out" W=1 "${dirs[@]}"
	warnings "$log" >"$LOGS/$name.warnings"
	printf '%s: %s objects, %s distinct warnings\n' "$name" \
		"$(find "${dirs[@]/#/$out/}" -name '*.o' 2>/dev/null | wc -l)" \
		"$(wc -l <"$LOGS/$name.warnings")"
}

compile_users none
compile_users series

added=$(comm -13 "$LOGS/users-upstream.warnings" "$LOGS/users-series.warnings")
[ -z "$added" ] || die "make users" "" "the series adds warnings: $added"
say "make users: every DMA-buf user compiles with the series, no new warning"
