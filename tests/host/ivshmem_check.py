#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side half of vfio_dmabuf_access_test: read the file that backs the
guest's ivshmem BAR2 after the VM powered off and check what device DMA
left there.  Writes a console-style log (KTAP between dmabuf-ic markers)
that scripts/results.py counts like any VM's.

The offsets and the pattern are the test's (see the header comment of
tools/testing/selftests/vfio/vfio_dmabuf_access_test.c)."""

import argparse

XFER = 2048
WRITE_OK_OFF = 0x0000
WRITE_RO_OFF = 0x1000
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
    return [
        ("rw_export_dma_write_landed_in_host_file", landed == pattern(XFER, 1)),
        ("ro_export_dma_write_absent_from_host_file", blocked == bytes(XFER)),
        ("two_ranges_first_range_dma_landed_in_host_file",
         range0 == pattern(XFER, 4)),
        ("two_ranges_second_range_dma_landed_in_host_file",
         range1 == pattern(XFER, 5)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backing", required=True, help="the ivshmem backing file")
    ap.add_argument("--log", required=True, help="the log to write")
    args = ap.parse_args()
    with open(args.backing, "rb") as f:
        data = f.read(RANGE0_LANDED + XFER)
    results = checks(data)
    failed = sum(1 for _, ok in results if not ok)
    with open(args.log, "w") as log:
        log.write("dmabuf-ic: begin\ndmabuf-ic: suite host_ivshmem start\n")
        log.write("TAP version 13\n1..%d\n" % len(results))
        for n, (name, ok) in enumerate(results, 1):
            log.write("%s %d %s\n" % ("ok" if ok else "not ok", n, name))
        log.write("dmabuf-ic: suite host_ivshmem exit=%d\n" % (1 if failed else 0))
        log.write("dmabuf-ic: done\n")
    return 0


if __name__ == "__main__":
    main()
