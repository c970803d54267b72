#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test on the debug kernel and print one closing line: one boot
# runs the KUnit suites at boot, then the userspace suites (the iommufd
# selftests and the project's tests) from /init.  After the guest powered
# off, the host checks what device DMA left in the ivshmem backing file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suites=${CHECK_SUITES:-iommufd,iommufd_fail_nth,vfio_dmabuf}
set +e
"$ROOT/scripts/run-vm.sh" --name check --suites "$suites" --kunit all \
	--timeout 2400 --no-report
status=$?
runs=(--run "$LOGS/vm-check.log" "$status")
case ,$suites, in
*,vfio_dmabuf,*)
	python3 "$ROOT/tests/host/ivshmem_check.py" \
		--backing "$BUILD/vm/check-ivshmem.bin" --log "$LOGS/host-ivshmem.log"
	runs+=(--run "$LOGS/host-ivshmem.log" "$?")
	;;
esac
set -e
exec python3 "$ROOT/scripts/results.py" "${runs[@]}" \
	--known "$ROOT/tests/known-failures"
