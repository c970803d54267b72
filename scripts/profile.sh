#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make profile: where the instructions of an unmap and of a revoke of a BAR,
# and of a revoke of a mock DMA-buf in two mock domains, go, per kernel
# function, on the series and on the upstream kernel.
#
# make bench counts each operation's guest instructions as a whole; this
# says which functions account for the difference. It builds what make bench
# builds (where missing), then boots each fast kernel once in the bench VM
# layout with one 16 MiB BAR, one vCPU and QEMU's gdbstub (run-vm.sh --gdb),
# running the bench suite with 3 repeats and the smallest other
# experiments. gdb (scripts/profile_gdb.py) single-steps the guest kernel
# through one unmap (IOMMU_IOAS_UNMAP and the close() of the DMA-buf's fd),
# one revoke (vfio_pci_dma_buf_move() turning memory off) and the DMA-buf
# core's part of one revoke of the mock experiment with one area in two
# mock domains, then kills the VM. scripts/profile_report.py charges every
# instruction to its function and writes build/bench/profile.md. Takes
# about half a minute once the kernels are built. A trace that does not complete fails make
# profile with the gdb log; the numbers are not compared with anything.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$BUILD/bench
build_bench "$out"

cmdline="nokaslr dmabuf.repeat=3 dmabuf.ram=2 dmabuf.ram_repeat=1"
cmdline+=" dmabuf.areas=1 dmabuf.mock=1"
port=$((20000 + $$ % 20000))
# The VM of kernel $1, if it still runs: gdb kills it when it is done or
# fails, but not if gdb itself never started or was killed. run-vm.sh goes
# first, so that it starts no QEMU after this; QEMU runs under timeout(1),
# in a process group of its own, and its command line names the VM's
# initramfs.
vm=
stop_vm() {
	[ -z "$vm" ] || kill "$vm" 2>/dev/null || true
	pkill -f -- "$BUILD/vm/profile-$1-initramfs" 2>/dev/null || true
}
trap 'stop_vm series; stop_vm upstream' EXIT
for kernel in series upstream; do
	series=series
	[ $kernel = upstream ] && series=none
	vmlinux=$(FLAVOR=fast SERIES=$series out_dir)/vmlinux
	traces=$out/profile/$kernel
	glog=$LOGS/profile-gdb-$kernel.log
	rm -rf "$traces"
	mkdir -p "$traces"
	say "profile ($kernel): single-stepping an unmap and two revokes (log: ${glog#$ROOT/})"
	BENCH_SIZES=16M FLAVOR=fast SERIES=$series "$ROOT/scripts/run-vm.sh" \
		--layout bench --name "profile-$kernel" --suites bench \
		--timeout 600 --no-report --gdb "$port" --cmdline "$cmdline" \
		>/dev/null 2>&1 &
	vm=$!
	# gdb's output is a line per step; its errors go to the log
	if ! PROFILE_PORT=$port PROFILE_OUT=$traces timeout -k 10 600 \
		gdb -q -nx -batch -x "$ROOT/scripts/profile_gdb.py" "$vmlinux" \
		>/dev/null 2>"$glog"; then
		stop_vm "$kernel"
		wait "$vm" 2>/dev/null || true
		die "profile ($kernel)" "$glog" "gdb did not complete the traces"
	fi
	# gdb killed QEMU: the VM's status says nothing
	wait "$vm" 2>/dev/null || true
done

version() {
	sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$LOGS/vm-profile-$1.log" | head -1
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
run_logged "profile (report)" "$LOGS/profile-report.log" \
	python3 "$ROOT/scripts/profile_report.py" --out "$out/profile.md" \
	--env "kernels (fast flavour): series $(version series), upstream $(version upstream)" \
	--env "QEMU: $(qemu-system-x86_64 --version | head -1); host CPU: $cpu" \
	"$(FLAVOR=fast out_dir)/vmlinux" "$out/profile/series" \
	"$(FLAVOR=fast SERIES=none out_dir)/vmlinux" "$out/profile/upstream"
say "profile: build/bench/profile.md"
