#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A short, narrated run: which kernel and series, the VM's devices and
# IOMMU groups, then dmabufctl telling the story of peer-to-peer DMA through
# a DMA-buf with revoke and restore, checked on the host afterwards.
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
say "   Two devices take part: edu, QEMU's DMA engine, and ivshmem-plain, whose"
say "   BAR2 is backed by a file on this host. Inside the guest, dmabufctl"
say "   (tools/dmabufctl, built on libvfio) exports two ranges of ivshmem's BAR2"
say "   as one DMA-buf through VFIO, maps it with IOMMU_IOAS_MAP_FILE (the"
say "   DMA-buf core maps it into the IOMMU: no physical address passes through"
say "   iommufd or its uAPI), prints the VT-d leaves from the IOMMU's debugfs,"
say "   and has edu DMA into it."
say "   Then it clears ivshmem's memory enable bit: the leaves go, edu's DMA"
say "   faults. Setting the bit again restores the leaves with no remap, and the"
say "   next DMA lands. A VFIO_DEVICE_RESET does the same inside one ioctl."
echo
set +e
"$ROOT/scripts/run-vm.sh" --suites info,p2p_demo --kunit off --timeout 300 \
	--name demo --show
status=$?
set -e
step "What landed in ivshmem's backing file on the host (build/vm/demo-ivshmem.bin)"
# The host check exits 1 when a check fails: show its results either way
python3 "$ROOT/tests/host/ivshmem_check.py" --layout demo \
	--backing "$BUILD/vm/demo-ivshmem.bin" --log "$LOGS/host-demo-ivshmem.log" ||
	status=1
[ -f "$LOGS/host-demo-ivshmem.log" ] &&
	sed -n 's/^\(not ok\|ok\) [0-9]* /   \1: /p' "$LOGS/host-demo-ivshmem.log"
exit $status
