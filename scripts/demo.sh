#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A short, narrated run: which kernel and series, the VM's devices and
# IOMMU groups, and the DMA-buf selftests of iommufd running in the guest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=$(variant_name)
dest=$(variant_dir)

step() { printf '\n== %s\n' "$*"; }

step "The kernel: Linux $(cat "$BUILD/src/VERSION") (Debian's linux-source-$LINUX_SERIES) plus this project's series"
if [ "${SERIES:-series}" = none ]; then
	say "   SERIES=none: the pristine upstream kernel, no patches"
else
	n=0
	while read -r p; do
		n=$((n + 1))
		say "   $n. $(sed -n 's/^Subject: \[PATCH\] //p' "$ROOT/kernel/patches/$p" | head -n 1)"
	done < <(series_patches)
	[ $n -gt 0 ] || say "   (the series is empty)"
fi
say "   image: ${dest#$ROOT/}/bzImage ($variant kernel)"

step "Booting it in QEMU (q35, emulated VT-d IOMMU with interrupt remapping, 2 vCPUs, TCG)"
say "   The guest prints its PCI devices, their BARs and IOMMU groups, then runs"
say "   iommufd's DMA-buf selftests: a mock exporter's buffer mapped into an IO"
say "   address space with IOMMU_IOAS_MAP_FILE, then revoked and restored."
echo
"$ROOT/scripts/run-vm.sh" --suites info,dmabuf --kunit off --timeout 300 --name demo --show
