#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A short, narrated run: which kernel and series, the VM's devices and
# IOMMU groups, and the DMA-buf selftests of iommufd running in the guest.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=$(variant_name)
dest=$(variant_dir)

step() { printf '\n== %s\n' "$*"; }

# patch_subject FILE: the patch's subject, its folded header lines joined.
patch_subject() {
	awk '/^Subject: / { s = $0; while ((getline l) > 0 && l ~ /^ /) s = s l; print s; exit }' "$1" |
		sed 's/^Subject: \[PATCH\] //'
}

step "The kernel: Linux $(cat "$BUILD/src/VERSION") (Debian's linux-source-$LINUX_SERIES) plus this project's series"
if [ "${SERIES:-series}" = none ]; then
	say "   SERIES=none: the pristine upstream kernel, no patches"
else
	n=0
	while read -r p; do
		n=$((n + 1))
		say "   $n. $(patch_subject "$ROOT/kernel/patches/$p")"
	done < <(series_patches)
	[ $n -gt 0 ] || say "   (the series is empty)"
fi
say "   image: ${dest#$ROOT/}/bzImage ($variant kernel)"

step "Booting it in QEMU (q35, emulated VT-d IOMMU with interrupt remapping, 2 vCPUs, TCG)"
say "   The guest prints its PCI devices, their BARs and IOMMU groups, then runs:"
say "   - iommufd's DMA-buf selftests: a mock exporter's buffer mapped into an IO"
say "     address space with IOMMU_IOAS_MAP_FILE, then revoked and restored;"
say "   - real device DMA: ivshmem's BAR2 exported as a DMA-buf through VFIO and"
say "     mapped with IOMMU_IOAS_MAP_FILE; the edu device DMAs into it through"
say "     the emulated VT-d. A read-only export refuses a writeable map (EACCES)"
say "     and the IOMMU drops edu's write through a readable one."
echo
set +e
"$ROOT/scripts/run-vm.sh" --suites info,dmabuf,vfio_dmabuf --kunit off --timeout 300 \
	--name demo --show
status=$?
set -e
step "What landed in ivshmem's backing file on the host (build/vm/demo-ivshmem.bin)"
python3 "$ROOT/tests/host/ivshmem_check.py" --backing "$BUILD/vm/demo-ivshmem.bin" \
	--log "$LOGS/host-demo-ivshmem.log"
sed -n 's/^\(not ok\|ok\) [0-9]* /   \1: /p' "$LOGS/host-demo-ivshmem.log"
exit $status
