#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: map, unmap, revoke and restore a DMA-buf of a whole BAR
# through iommufd, on the series and on the upstream kernel, side by side.
#
# Builds the fast (non-debug) flavour of both kernels and dmabufbench, then
# boots them alternately (BENCH_ROUNDS rounds, default 5) in the bench VM
# layout (run-vm.sh --layout bench: one ivshmem per BAR size in BENCH_SIZES,
# default 16M 1G 16G 64G, each backed by a sparse host file), where the
# bench suite runs dmabufbench BENCH_REPEAT times per operation (default
# 100; a single map of a BAR takes tens of microseconds under TCG, where
# the host's noise moves a median of 20 by a third), and each RAM map and
# unmap of the --ram experiment BENCH_RAM_REPEAT times (default 10, as each
# takes about 0.1 s). Then each kernel boots once more in QEMU's
# instruction counting mode (run-vm.sh --icount), where the same suite
# times each operation BENCH_ICOUNT_REPEAT times (default 20; each RAM map
# once) in guest instructions: the counts vary only with what else the
# guest ran meanwhile (an interrupt, the other vCPU).
#
# Each round boots both kernels with their code at another place: round R
# of N links (R - 1) * 4096 / N bytes (rounded down to 64) of padding at
# the head of kernel/sys.o's text, which moves everything linked after it
# (the rest of kernel/, mm/, fs/, drivers/) by that much; beyond 64 rounds
# the amounts repeat. Under TCG the same instructions take a time that
# depends on where the code lies (likely through QEMU's caches of
# translated blocks, indexed by the guest's addresses): moving the code by
# 1088 or 3200 bytes, far from the path measured, took a quarter off the
# series kernel's time for the same memfd unmap at the same instruction
# count (docs/platform.md). Unmoved, the two kernels' layouts, which
# differ wherever the series adds code, would favour one of them in every
# round; moved differently in each round, they average out in the median.
# The first round, the counted boots and make profile boot the kernels as
# built, unmoved.
# scripts/bench_report.py writes build/bench/results.md, results.tsv and
# the plot time-vs-size.{png,svg}. Any kernel that does not build or boot,
# or any measurement that fails, fails make bench with its reason; no number
# is compared with a threshold.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-5}
repeat=${BENCH_REPEAT:-100}
ram_repeat=${BENCH_RAM_REPEAT:-10}
icount_repeat=${BENCH_ICOUNT_REPEAT:-20}
out=$BUILD/bench
mkdir -p "$out"
# At least one round; dmabufbench buffers a batch's lines and takes at
# most 4000 repeats
for v in "BENCH_ROUNDS=$rounds" "BENCH_REPEAT=$repeat" \
	"BENCH_RAM_REPEAT=$ram_repeat" "BENCH_ICOUNT_REPEAT=$icount_repeat"; do
	n=${v#*=}
	case $n in
	*[!0-9]* | ????? | ??????*)
		die "bench" "" "${v%%=*} must be a number from 1 to 4000, not '$n'" ;;
	esac
	[ "$n" -ge 1 ] && [ "$n" -le 4000 ] ||
		die "bench" "" "${v%%=*} must be a number from 1 to 4000, not $n"
done

build_bench "$out"

# bench_boot KERNEL NAME CMDLINE [run-vm.sh option...]: one boot of KERNEL
# (series or upstream) running the bench suite, its log build/logs/vm-NAME.log;
# fails make bench unless the suite ran to its end.
bench_boot() {
	local kernel=$1 name=$2 series=series status
	[ "$kernel" = upstream ] && series=none
	set +e
	FLAVOR=fast SERIES=$series "$ROOT/scripts/run-vm.sh" --layout bench \
		--name "$name" --suites bench --timeout 1200 --no-report \
		--cmdline "$3" "${@:4}"
	status=$?
	set -e
	[ $status = 0 ] || die "bench ($name)" "$LOGS/vm-$name.log" \
		"the VM exited with status $status"
	grep -q "suite bench exit=0" "$LOGS/vm-$name.log" ||
		die "bench ($name)" "$LOGS/vm-$name.log" "the bench suite failed"
}

# layout_pad ROUND: the bytes of padding that round ROUND moves the code by
layout_pad() {
	echo $((($1 - 1) * 4096 / rounds / 64 * 64))
}

# layout_image KERNEL PAD: build the fast kernel KERNEL (series or
# upstream) with PAD bytes of int3 at the head of kernel/sys.o's text and
# keep its image as $out/kernels/KERNEL-PAD.bzImage. The padding comes in
# through a header forced into the compile of every object named sys.o
# (kbuild's CFLAGS_sys.o; the bench configuration builds kernel/sys.o
# alone, which is checked), so the source trees stay as they are; the next
# plain build of the variant sees sys.o's command change and rebuilds it
# without the padding.
layout_image() {
	local kernel=$1 pad=$2 series=series hdr obj others
	[ "$kernel" = upstream ] && series=none
	[ -e "$out/kernels/$kernel-$pad.bzImage" ] && return
	hdr=$out/kernels/pad-$pad.h
	obj=$(FLAVOR=fast SERIES=$series out_dir)
	printf 'asm(".pushsection .text\\n.skip %d, 0xcc\\n.popsection");\n' \
		"$pad" >"$hdr"
	run_logged "bench (kernel $kernel, code moved by $pad bytes)" \
		"$LOGS/bench-layout-$kernel-$pad.log" \
		kmake_in "$(SERIES=$series source_tree)" "$obj" \
		CFLAGS_sys.o="-include $hdr" bzImage
	others=$(find "$obj" -name .sys.o.cmd ! -path "$obj/kernel/.sys.o.cmd" \
		-exec grep -l -F "$hdr" {} + || true)
	[ -z "$others" ] || die "bench (kernel $kernel)" "" \
		"the padding reached other objects than kernel/sys.o: $others"
	cp "$obj/arch/x86/boot/bzImage" "$out/kernels/$kernel-$pad.bzImage"
}

# plain_builds: the fast kernels as built, which also leaves their object
# directories so (make profile and gdb read their vmlinux); this only
# recompiles sys.o and relinks.
plain_builds() {
	FLAVOR=fast "$ROOT/scripts/build-kernel.sh"
	FLAVOR=fast SERIES=none "$ROOT/scripts/build-kernel.sh"
}

mkdir -p "$out/kernels"
rm -f "$out"/kernels/*
pads=
# A padded build that fails must not leave its directory padded either
trap 'status=$?; trap - EXIT; plain_builds || true; exit $status' EXIT
for r in $(seq 1 "$rounds"); do
	pads="$pads${pads:+ }$(layout_pad "$r")"
	[ "$(layout_pad "$r")" = 0 ] && continue
	for kernel in series upstream; do
		layout_image "$kernel" "$(layout_pad "$r")"
	done
done
trap - EXIT
[ "$pads" = 0 ] || plain_builds

logs=()
for r in $(seq 1 "$rounds"); do
	pad=$(layout_pad "$r")
	for kernel in series upstream; do
		name=bench-$kernel-$r
		image=()
		[ "$pad" = 0 ] || image=(--kernel "$out/kernels/$kernel-$pad.bzImage")
		bench_boot "$kernel" "$name" \
			"dmabuf.repeat=$repeat dmabuf.ram_repeat=$ram_repeat" \
			"${image[@]}"
		logs+=("$kernel:$LOGS/vm-$name.log")
	done
done
for kernel in series upstream; do
	name=bench-$kernel-icount
	bench_boot "$kernel" "$name" \
		"dmabuf.repeat=$icount_repeat dmabuf.ram_repeat=1" --icount
	logs+=("$kernel-icount:$LOGS/vm-$name.log")
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
qemu=$(qemu-system-x86_64 --version | head -1)
python3 "$ROOT/scripts/bench_report.py" --out "$out" \
	--env "host CPU=$cpu ($(nproc) CPUs)" --env "QEMU=$qemu" \
	--env "code moved by (bytes, round by round, both kernels)=$pads" \
	--env "rounds=$rounds, repeats per operation and round=$repeat (RAM maps: $ram_repeat); under icount: one boot of each kernel, $icount_repeat repeats (RAM maps: 1)" \
	--env "command=make bench BENCH_ROUNDS=$rounds BENCH_REPEAT=$repeat BENCH_RAM_REPEAT=$ram_repeat BENCH_ICOUNT_REPEAT=$icount_repeat" \
	"${logs[@]}"
