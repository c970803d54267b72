#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the series removed must stay removed: the private VFIO-to-iommufd
# interconnect (vfio_pci_dma_buf_iommufd_map), iommufd's symbol_get() of it,
# its include of the VFIO PCI header and the dummy device it attached with.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$BUILD/linux
[ -d "$tree/.git" ] || die "check-tree" "" "no build/linux; run 'make tree' first"
log=$LOGS/check-tree.log
: >"$log"

bad=0
# forbid WHAT PATTERN [PATH...]: no line of the tree may match PATTERN.
forbid() {
	local what=$1 pattern=$2
	shift 2
	if git -C "$tree" grep -n -e "$pattern" -- "$@" >>"$log"; then
		say "check-tree: $what is back (see $log)"
		bad=$((bad + 1))
	fi
}

forbid "the private interconnect" vfio_pci_dma_buf_iommufd_map .
forbid "symbol_get() in iommufd" 'symbol_get\|symbol_put' drivers/iommu/iommufd
forbid "the VFIO PCI header in iommufd" 'linux/vfio_pci_core.h' drivers/iommu/iommufd
forbid "the dummy attach device" iommufd_global_device .
[ $bad = 0 ] || die "check-tree" "$log" "$bad removed interfaces found in build/linux"
say "check-tree: no private interconnect, symbol_get or dummy device in the tree"
