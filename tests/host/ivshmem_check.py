#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side half of vfio_dmabuf_access_test and of make demo: read the file
that backs the guest's ivshmem BAR2 after the VM powered off and check what
device DMA left there.  Writes a console-style log (KTAP between dmabuf-ic
markers) that scripts/results.py counts like any VM's, and exits 0 when every
check passed, 1 when one failed (a missing or short backing file is one
failed check), 2 when it could not write its log.

The offsets and the pattern are the test's (see the header comment of
tools/testing/selftests/vfio/vfio_dmabuf_access_test.c) or, with --layout
demo, those of the p2p_demo suite in vm/init."""

import argparse
import sys

XFER = 2048
WRITE_OK_OFF = 0x0000
WRITE_RO_OFF = 0x1000
# memory_disable_revokes_then_restores, reset_revokes_then_restores
REVOKED_OFF = 0x3000
RESTORED_OFF = 0x4000
RESET_OFF = 0x5000
# map_while_memory_disabled: DMA once decode came on for a BAR mapped while off
ENABLED_OFF = 0x6000
# restore_failure_fails_memory_enable: DMA once the retried restore worked
RETRY_OFF = 0x7000
# two_ranges_map_and_land: one DMA into each range of a two-range export
RANGE0_LANDED = 8 * 1024 * 1024 + 0x0800
RANGE1_LANDED = 4 * 1024 * 1024 + 0x1800


def pattern(length, seed):
    return bytes(((i * 7) ^ (seed * 0x5B)) & 0xFF for i in range(length))


def checks(data):
    landed = data[WRITE_OK_OFF:WRITE_OK_OFF + XFER]
    blocked = data[WRITE_RO_OFF:WRITE_RO_OFF + XFER]
    range0 = data[RANGE0_LANDED:RANGE0_LANDED + XFER]
    range1 = data[RANGE1_LANDED:RANGE1_LANDED + XFER]
    revoked = data[REVOKED_OFF:REVOKED_OFF + XFER]
    restored = data[RESTORED_OFF:RESTORED_OFF + XFER]
    reset = data[RESET_OFF:RESET_OFF + XFER]
    enabled = data[ENABLED_OFF:ENABLED_OFF + XFER]
    retry = data[RETRY_OFF:RETRY_OFF + XFER]
    return [
        ("rw_export_dma_write_landed_in_host_file", landed == pattern(XFER, 1)),
        ("ro_export_dma_write_absent_from_host_file", blocked == bytes(XFER)),
        ("two_ranges_first_range_dma_landed_in_host_file",
         range0 == pattern(XFER, 4)),
        ("two_ranges_second_range_dma_landed_in_host_file",
         range1 == pattern(XFER, 5)),
        ("revoked_dma_write_absent_from_host_file", revoked == bytes(XFER)),
        ("restored_dma_write_landed_in_host_file",
         restored == pattern(XFER, 7)),
        ("dma_write_after_reset_landed_in_host_file",
         reset == pattern(XFER, 8)),
        ("dma_write_after_decode_enabled_landed_in_host_file",
         enabled == pattern(XFER, 10)),
        ("dma_write_after_retried_restore_landed_in_host_file",
         retry == pattern(XFER, 11)),
    ]


# make demo (the p2p_demo suite of vm/init): dmabufctl's DMAs
DEMO_RANGES = 8 * 1024 * 1024 + 0x10000  # --range 8M:4M ... --at 0x10000
DEMO_RESET = 0x20000                     # whole BAR, --at 0x20000


def demo_checks(data):
    def at(off):
        return data[off:off + XFER]
    return [
        ("demo_dma_after_restore_landed_in_host_file",
         at(DEMO_RANGES) == pattern(XFER, 13)),
        ("demo_dma_while_revoked_absent_from_host_file",
         at(DEMO_RANGES + XFER) == bytes(XFER)),
        ("demo_dma_after_reset_landed_in_host_file",
         at(DEMO_RESET) == pattern(XFER, 22)),
    ]


BAR_SIZE = 16 * 1024 * 1024


def backing_checks(path):
    """The checks on the backing file itself: there, and the BAR's size."""
    try:
        with open(path, "rb") as f:
            data = f.read(BAR_SIZE + 1)
    except OSError as e:
        return None, [("backing_file_readable", False,
                       "%s: %s" % (path, e.strerror))]
    if len(data) != BAR_SIZE:
        return None, [("backing_file_size_16_MiB", False,
                       "%s holds %d bytes" % (path, len(data)))]
    return data, []


def write_log(path, suite, results):
    """The log results.py reads: one suite of KTAP between the markers."""
    failed = sum(1 for r in results if not r[1])
    with open(path, "w") as log:
        log.write("dmabuf-ic: begin\ndmabuf-ic: suite %s start\n" % suite)
        log.write("TAP version 13\n1..%d\n" % len(results))
        for n, r in enumerate(results, 1):
            if len(r) > 2:
                log.write("# %s\n" % r[2])
            log.write("%s %d %s\n" % ("ok" if r[1] else "not ok", n, r[0]))
        log.write("dmabuf-ic: suite %s exit=%d\n" % (suite, 1 if failed else 0))
        log.write("dmabuf-ic: done\n")
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backing", required=True, help="the ivshmem backing file")
    ap.add_argument("--log", required=True, help="the log to write")
    ap.add_argument("--layout", choices=("test", "demo"), default="test",
                    help="whose DMAs to check: the test's or make demo's")
    args = ap.parse_args()
    suite = "host_ivshmem" if args.layout == "test" else "host_ivshmem_demo"
    data, results = backing_checks(args.backing)
    if data is not None:
        results = checks(data) if args.layout == "test" else demo_checks(data)
    try:
        failed = write_log(args.log, suite, results)
    except OSError as e:
        print("ivshmem_check: cannot write %s: %s" % (args.log, e.strerror),
              file=sys.stderr)
        return 2
    for r in results:
        if not r[1]:
            print("ivshmem_check: %s failed%s" %
                  (r[0], ": " + r[2] if len(r) > 2 else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
