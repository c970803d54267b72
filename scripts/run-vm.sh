#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel variant in the test VM, run suites, read the results.
#
#   run-vm.sh --suites a,b [--kunit off|all|GLOB] [--timeout SEC] [--name N]
#             [--cmdline ARGS] [--live | --show] [--no-report]
#             [--layout test|bench] [--icount] [--gdb PORT] [--kernel FILE]
#
# The VM is QEMU q35 under TCG with an emulated VT-d IOMMU (interrupt
# remapping, caching mode), 2 vCPUs, and four devices for DMA tests:
#   edu            QEMU's DMA engine (1234:11e8), on the root bus
#   ivshmem-plain  (1af4:1110) behind a PCIe root port, BAR2 backed by a
#                  fresh host file, build/vm/<name>-ivshmem.bin
#   ivshmem-plain  a second one behind its own root port, with a 1 GiB BAR2
#                  backed by a sparse host file (the many-ranges test)
#   nvme           with a 16 MiB controller memory buffer (P2P memory)
# The bench layout (make bench) has instead one ivshmem-plain per size in
# BENCH_SIZES (default "16M 1G 16G 64G"), each behind its own root port with
# BAR2 backed by a sparse host file, a 256 GiB 64-bit PCI hole for them, and
# dmabufbench (build/bench/tools) among the test binaries.
# The console goes to build/logs/vm-<name>.log; scripts/results.py turns it
# into a per-suite table and the closing line.  Every run is bounded by
# --timeout and ends with the guest powering off.  By default only suite
# start and end lines are shown while it runs; --show prints what the
# guest's userspace prints (no kernel messages), --live the whole console.
# --no-report skips the table: the caller reads the log (exit status: QEMU's).
# --icount runs the guest in QEMU's instruction counting mode (both vCPUs
# on one host thread, -icount shift=0,sleep=off): guest time advances by
# 1 ns per instruction either vCPU executes, so an interval on the guest's
# clocks counts the instructions executed in it (the other vCPU's, and
# interrupts', included; device emulation counts nothing), largely
# whatever the host is doing. When both vCPUs are idle the clock jumps to
# the next timer, so an interval that sleeps includes the sleep.
# --gdb PORT gives the guest one vCPU and QEMU's gdbstub on 127.0.0.1:PORT,
# and holds the guest until a debugger attaches there and continues it
# (make profile single-steps the guest kernel through it).
# --kernel FILE boots FILE instead of the variant's image (make bench boots
# the variant built with its code moved, see scripts/bench.sh); the test
# binaries still come from the variant.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suites=unset kunit=off timeout=600 name= live=0 extra= report=1 layout=test
cpus=2 gdb=() kernel=
accel=(-accel tcg,thread=multi)
while [ $# -gt 0 ]; do
	case $1 in
	--suites) suites=$2; shift 2 ;;
	--kunit) kunit=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--live) live=1; shift ;;
	--show) live=2; shift ;;
	--cmdline) extra=$2; shift 2 ;;
	--no-report) report=0; shift ;;
	--layout) layout=$2; shift 2 ;;
	--icount) accel=(-accel tcg,thread=single -icount shift=0,sleep=off); shift ;;
	--gdb) cpus=1 gdb=(-gdb "tcp:127.0.0.1:$2" -S); shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	*) die "run-vm" "" "unknown argument '$1'" ;;
	esac
done
[ "$suites" != unset ] || die "run-vm" "" "--suites is required (it may be empty)"
case $layout in
test|bench) ;;
*) die "run-vm" "" "--layout is test or bench, not '$layout'" ;;
esac
variant=$(variant_name)
dest=$(variant_dir)
name=${name:-$variant}
kernel=${kernel:-$dest/bzImage}
[ -f "$kernel" ] || die "run-vm" "" "no kernel image at $kernel; build it first"

vmdir=$BUILD/vm
log=$LOGS/vm-$name.log
mkdir -p "$vmdir"

# The initramfs: static busybox, /init, the test binaries.
stage=$vmdir/$name-root
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/tests"
cp /bin/busybox "$stage/bin/busybox"
cp "$ROOT/vm/init" "$stage/init"
if [ -d "$dest/tests" ]; then
	cp -r "$dest/tests/." "$stage/tests/"
elif [ $layout = test ]; then
	die "run-vm" "" "no test binaries in ${dest#$ROOT/}/tests; build them first"
fi
if [ $layout = bench ]; then
	bench=$BUILD/bench/tools/dmabufbench
	[ -x "$bench" ] || die "run-vm" "" "no $bench; make bench builds it"
	mkdir -p "$stage/tests/tools"
	cp "$bench" "$stage/tests/tools/"
fi
find "$stage/tests" -name '*.o' -o -name '*.d' | xargs -r rm -f
initrd=$vmdir/$name-initramfs.cpio.gz
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"

# Fresh backing files: ivshmem BAR2 (the host checks what lands there) and
# the NVMe namespace.
shm=$vmdir/$name-ivshmem.bin
bigshm=$vmdir/$name-ivshmem-1g.bin
rm -f "$shm" "$bigshm" "$vmdir/$name-nvme.img"
truncate -s 16M "$shm"
truncate -s 1G "$bigshm"
truncate -s 64M "$vmdir/$name-nvme.img"

case $kunit in
off) kparam="kunit.enable=0" ;;
all) kparam="" ;;
*) kparam="kunit.filter_glob=$kunit" ;;
esac
# The lockup and hang detectors of the debug kernel, tuned for TCG so that a
# healthy run never reports and a stall still does, well inside the VM's
# timeout. A soft lockup is reported after 2 x watchdog_thresh = 60 s without
# a schedule (the default 20 s is within reach of KASAN'd fault-injection
# loops under TCG); a task blocked for 600 s is hung (the longest legitimate
# wait, the dma-fence-chain KUnit case, takes about 140 s here); a workqueue
# stalled for 120 s is reported. A report fails the run like any splat.
detectors="watchdog_thresh=30 sysctl.kernel.hung_task_timeout_secs=600"
detectors+=" workqueue.watchdog_thresh=120"
# With -cpu max the guest runs 5-level paging, and an interrupt that lands
# while the boot CPU runs identify_cpu() in arch_cpu_finalize_init() has been
# seen to make KASAN report a wild access in rcu_is_watching() to the
# per-CPU area (once in several boots). The tests need no 5-level paging;
# no5lvl is read by the decompressor, so the kernel itself calls it unknown.
detectors+=" no5lvl"
npatches=$(series_patches | wc -l)
[ "${SERIES:-series}" = none ] && npatches=0

qemu=(qemu-system-x86_64 -machine q35,kernel-irqchip=split "${accel[@]}"
	-cpu max -smp "$cpus" -m 4G -no-reboot -display none -monitor none -serial stdio
	"${gdb[@]}"
	-device intel-iommu,intremap=on,caching-mode=on)
if [ $layout = test ]; then
	qemu+=(-device edu
	-object "memory-backend-file,id=shm0,mem-path=$shm,size=16M,share=on"
	-device pcie-root-port,id=rp0,chassis=1,slot=1,bus=pcie.0
	-device ivshmem-plain,memdev=shm0,bus=rp0
	-object "memory-backend-file,id=shm1,mem-path=$bigshm,size=1G,share=on"
	-device pcie-root-port,id=rp1,chassis=2,slot=2,bus=pcie.0
	-device ivshmem-plain,memdev=shm1,bus=rp1
	-drive "if=none,id=nvm0,file=$vmdir/$name-nvme.img,format=raw"
	-device nvme,serial=dmabufic0,drive=nvm0,cmb_size_mb=16)
else
	qemu+=(-global q35-pcihost.pci-hole64-size=256G)
	i=0
	for size in ${BENCH_SIZES:-16M 1G 16G 64G}; do
		file=$vmdir/$name-bar$i.bin
		rm -f "$file"
		truncate -s "$size" "$file"
		qemu+=(-object "memory-backend-file,id=bshm$i,mem-path=$file,size=$size,share=on"
		-device "pcie-root-port,id=brp$i,chassis=$((10 + i)),slot=$((10 + i)),bus=pcie.0"
		-device "ivshmem-plain,memdev=bshm$i,bus=brp$i")
		i=$((i + 1))
	done
fi
qemu+=(-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 kasan.fault=report $detectors $kparam dmabuf.suites=$suites dmabuf.patches=$npatches $extra")

say "vm ($name): booting ${kernel#$ROOT/} for suites ${suites:-(none)} (timeout ${timeout}s, log ${log#$ROOT/})"
set +e
if [ $live = 1 ]; then
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
elif [ $live = 2 ]; then
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$log" |
		sed -u -n '/^dmabuf-ic: begin/,$ { s/\r$//; /^\[ *[0-9]*\.[0-9]*\]/d; /^dmabuf-ic: \(begin\|done\)$/d; /^dmabuf-ic: suite .* exit=/d; s/^dmabuf-ic: suite \(.*\) start$/\n--- \1/; p }'
else
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$log" |
		grep --line-buffered -E '^dmabuf-ic: suite .* (start|exit=)' |
		sed -u 's/^dmabuf-ic: /    /'
fi
status=${PIPESTATUS[0]}
set -e
[ $status = 124 ] && say "vm ($name): timed out after ${timeout}s"
[ $report = 1 ] || exit "$status"
exec python3 "$ROOT/scripts/results.py" --run "$log" "$status" \
	--known "$ROOT/tests/known-failures" \
	--expected-skips "$ROOT/tests/expected-skips" \
	--allowed-splats "$ROOT/tests/allowed-splats" \
	--expect-suites "$suites"
