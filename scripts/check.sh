#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test on the debug kernel and print one closing line: one boot
# runs the KUnit suites at boot, then the userspace suites (the iommufd
# selftests and the project's tests) from /init.  After the guest powered
# off, the host checks what device DMA left in the ivshmem backing file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suites=${CHECK_SUITES:-iommufd,iommufd_fail_nth,vfio_dmabuf,vfio_driver,p2p_demo}
set +e
"$ROOT/scripts/run-vm.sh" --name check --suites "$suites" --kunit all \
	--timeout 2400 --no-report
status=$?
runs=(--run "$LOGS/vm-check.log" "$status")
# host_check SUITE LAYOUT: check what SUITE's DMAs left in the backing file
host_check() {
	case ,$suites, in
	*,$1,*)
		python3 "$ROOT/tests/host/ivshmem_check.py" --layout "$2" \
			--backing "$BUILD/vm/check-ivshmem.bin" \
			--log "$LOGS/host-ivshmem-$2.log"
		runs+=(--run "$LOGS/host-ivshmem-$2.log" "$?")
		;;
	esac
}
host_check vfio_dmabuf test
host_check p2p_demo demo
set -e
exec python3 "$ROOT/scripts/results.py" "${runs[@]}" \
	--known "$ROOT/tests/known-failures"
