#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test on the debug kernel and print one closing line: one boot
# runs the KUnit suites at boot, then the userspace suites (the iommufd
# selftests and the project's tests) from /init.  After the guest powered
# off, the host checks what device DMA left in the ivshmem backing file.
#
# results.py is told what must have run: the userspace suites asked for,
# the KUnit suites the kernel's .config builds in (kernel/config/kunit-suites
# names them per option), each host check's suite; and what may be excused:
# tests/known-failures, tests/expected-skips, tests/allowed-splats.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suites=${CHECK_SUITES:-iommufd,iommufd_fail_nth,vfio_device_edu,vfio_device_ivshmem,vfio_device_nvme,vfio_mmio,vfio_dmabuf,vfio_dmabuf_prereqs,vfio_dmabuf_ranges,vfio_dmabuf_ram,vfio_driver,p2p_demo,dmabufctl}
# The configuration of the image that boots (build-kernel.sh copies it)
config=$(variant_dir)/config
kunit_map=$ROOT/kernel/config/kunit-suites

# kunit_suites CONFIG: the KUnit suites that run at boot with CONFIG, comma
# separated.  A KUnit test option built in (CONFIG_*KUNIT*_TEST[S]=y) that
# kernel/config/kunit-suites does not list stops the check: its suites
# would go unchecked.
kunit_suites() {
	local opt list=() missing=()
	[ -f "$1" ] || die "check" "" "no kernel config at $1; build the kernel first"
	grep -qx 'CONFIG_KUNIT_ALL_TESTS=y' "$1" &&
		die "check" "" "CONFIG_KUNIT_ALL_TESTS=y: list its suites in $kunit_map instead"
	while read -r opt; do
		local names=()
		read -r -a names < <(awk -v o="$opt" '$1 == o { $1 = ""; print }' "$kunit_map") || true
		if [ ${#names[@]} = 0 ]; then
			missing+=("$opt")
		else
			list+=("${names[@]}")
		fi
	done < <(sed -n 's/^\(CONFIG_[A-Z0-9_]*KUNIT[A-Z0-9_]*_TESTS\{0,1\}\)=y$/\1/p' "$1" |
		grep -vx 'CONFIG_KUNIT_ALL_TESTS' || true)
	[ ${#missing[@]} = 0 ] ||
		die "check" "" "$kunit_map does not name the suites of ${missing[*]}"
	local IFS=,
	printf '%s\n' "${list[*]}"
}
kunit=$(kunit_suites "$config")

# Nothing from an earlier run may be counted: the console log and the host
# check logs go first.
rm -f "$LOGS/vm-check.log" "$LOGS"/host-ivshmem-*.log

# The portability matrix first (CHECK_MATRIX=0 leaves it out): its logs
# must be older than the host checks', which results.py compares with the
# newest console log. UML has no IOMMU API, so no dma-buf-iommu suite.
matrix=()
if [ "${CHECK_MATRIX:-1}" != 0 ]; then
	"$ROOT/scripts/matrix.sh" uml arm64-64k
	for m in uml arm64-64k; do
		matrix+=(--run "$LOGS/matrix-$m.ktap" "$(cat "$LOGS/matrix-$m.status")")
	done
	for s in dma-buf-fence dma-buf-fence-chain dma-buf-fence-unwrap \
		dma-buf-resv dma-buf-interconnect; do
		kunit+=,uml:$s
	done
	kunit+=,arm64-64k:dma-buf-interconnect,arm64-64k:dma-buf-iommu
fi

set +e
"$ROOT/scripts/run-vm.sh" --name check --suites "$suites" --kunit all \
	--timeout 2400 --no-report
status=$?
runs=(--run "$LOGS/vm-check.log" "$status" "${matrix[@]}")
expect=$suites
# host_check SUITE LAYOUT HOST_SUITE: check what SUITE's DMAs left in the
# backing file; the check's log must hold HOST_SUITE.
host_check() {
	case ,$suites, in
	*,$1,*)
		python3 "$ROOT/tests/host/ivshmem_check.py" --layout "$2" \
			--backing "$BUILD/vm/check-ivshmem.bin" \
			--log "$LOGS/host-ivshmem-$2.log"
		runs+=(--host "$LOGS/host-ivshmem-$2.log" "$?")
		expect+=,$3
		;;
	esac
}
host_check vfio_dmabuf test host_ivshmem
host_check p2p_demo demo host_ivshmem_demo
set -e
exec python3 "$ROOT/scripts/results.py" "${runs[@]}" \
	--known "$ROOT/tests/known-failures" \
	--expected-skips "$ROOT/tests/expected-skips" \
	--allowed-splats "$ROOT/tests/allowed-splats" \
	--expect-suites "$expect" \
	--expect-kunit "$kunit"
