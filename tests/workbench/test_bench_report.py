#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/bench_report.py on hand-made bench logs: the medians and
ratios it tabulates, the goals it calls met or not, and its failures."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "scripts", "bench_report.py")

SERIES = """\
[    0.000000] Linux version 7.3.0-series (x) #1
bench: bdf=0000:01:00.0 size=16777216 op=map ns=1000000
bench: bdf=0000:01:00.0 size=16777216 op=map ns=3000000
bench: bdf=0000:01:00.0 size=16777216 op=map ns=2000000
bench: bdf=0000:01:00.0 size=16777216 op=map iotlb_inv=4
bench: bdf=0000:01:00.0 size=16777216 leaves 4k=0 2m=8 1g=0
bench: bdf=0000:01:00.0 size=16777216 op=revoke ns=500000
bench: bdf=0000:01:00.0 size=16777216 op=revoke iotlb_inv=2
bench: bdf=0000:01:00.0 size=16777216 op=restore ns=1000000
bench: restore=kernel
bench: ram=memfd pages=4k size=1073741824 op=map ns=8000000
bench: ram=udmabuf pages=4k size=1073741824 op=map ns=6000000
bench: areas=1 size=16777216 op=revoke ns=1000000
bench: areas=1 size=16777216 op=revoke iotlb_inv=1
bench: areas=10 size=16777216 op=revoke ns=2000000
bench: areas=10 size=16777216 op=revoke iotlb_inv=1
bench: areas=100 size=16777216 op=revoke ns=15000000
bench: areas=100 size=16777216 op=revoke iotlb_inv=1
bench: areas=10 domains=2 size=16777216 op=revoke ns=2000000
bench: areas=10 domains=2 size=16777216 op=revoke iotlb_inv=2
bench: areas=100 domains=2 size=16777216 op=revoke ns=20000000
bench: areas=100 domains=2 size=16777216 op=revoke iotlb_inv=3
bench: mock_areas=10 domains=2 size=16384 op=revoke ns=200000
bench: mock_areas=10 domains=2 size=16384 op=restore ns=400000
bench: mock_areas=100 domains=2 size=16384 op=revoke ns=4000000
bench: mock_areas=100 domains=2 size=16384 op=restore ns=4000000
"""

UPSTREAM = """\
[    0.000000] Linux version 7.3.0 (x) #1
bench: bdf=0000:01:00.0 size=16777216 op=map ns=4000000
bench: bdf=0000:01:00.0 size=16777216 leaves 4k=0 2m=8 1g=0
bench: bdf=0000:01:00.0 size=16777216 op=revoke ns=250000
bench: bdf=0000:01:00.0 size=16777216 op=restore ns=4000000
bench: restore=user
bench: ram=memfd pages=4k size=1073741824 op=map ns=8000000
bench: ram=udmabuf pages=4k size=1073741824 error=95
bench: areas=100 size=16777216 op=revoke ns=30000000
bench: areas=100 size=16777216 op=revoke iotlb_inv=100
bench: areas=100 domains=2 size=16777216 op=revoke ns=40000000
bench: areas=100 domains=2 size=16777216 op=revoke iotlb_inv=200
bench: mock_areas=100 domains=2 size=16384 op=revoke ns=2000000
"""


class BenchReport(unittest.TestCase):
    def run_report(self, series, upstream, *more_rounds, icount=None,
                   allowed=None):
        """Each (series, upstream) pair of logs is one round; @icount, a
        pair of logs of boots under icount; @allowed, the text of an
        allowed-splats file"""
        d = tempfile.mkdtemp()
        logs = []
        if allowed is not None:
            path = os.path.join(d, "allowed-splats")
            with open(path, "w") as f:
                f.write(allowed)
            logs.append(f"--allowed-splats={path}")
        rounds = ((series, upstream),) + more_rounds
        kernels = [("series", "upstream")] * len(rounds)
        if icount:
            rounds += (icount,)
            kernels.append(("series-icount", "upstream-icount"))
        for i, pair in enumerate(rounds):
            for kernel, text in zip(kernels[i], pair):
                path = os.path.join(d, f"{kernel}-{i}.log")
                with open(path, "w") as f:
                    f.write(text)
                logs.append(f"{kernel}:{path}")
        r = subprocess.run([sys.executable, REPORT, "--out", d] + logs,
                           capture_output=True, text=True)
        with open(os.path.join(d, "results.md")) as f:
            return r.returncode, f.read()

    def test_medians_and_ratios(self):
        rc, md = self.run_report(SERIES, UPSTREAM)
        self.assertEqual(0, rc)
        # map: median 2 ms of three runs against 4 ms
        self.assertIn("| map | 2.000 (1.000-3.000), n=3 | 4.000 (4.000-4.000),"
                      " n=1 | 0.50 | 4 | n/a |", md)
        self.assertIn("restore (series: the kernel; upstream: userspace", md)
        self.assertIn("| memfd | 4k | map | 8.000 (8.000-8.000), n=1 | "
                      "8.000 (8.000-8.000), n=1 | 1.00 |", md)
        self.assertIn("refused (errno 95)", md)
        self.assertIn("7.3.0-series", md)

    def test_goals(self):
        _, md = self.run_report(SERIES, UPSTREAM)
        self.assertIn("| map at most 1.0x upstream | 16 MiB | 0.50x: met |", md)
        # revoke took twice upstream's time: reported, not hidden
        self.assertIn("| revoke at most 1.0x upstream | 16 MiB | 2.00x: NOT met |",
                      md)
        self.assertIn("| restore at most 0.5x upstream | 16 MiB | 0.25x: met |",
                      md)
        self.assertIn("| leaves identical to upstream | 16 MiB | met |", md)
        self.assertIn("per revoke (one domain) | 16 MiB | NOT met (2) |", md)
        # one domain: 1 invalidation for 1, 10 and 100 areas; 0.2 then
        # 0.15 ms an area
        self.assertIn("| at most one IOTLB invalidation per domain per "
                      "revoke, N = 1, 10, 100 | 1 domain | met |", md)
        self.assertIn("| revoke time per area flat (within 1.5x), less the "
                      "config write | 1 domain | 0.75x from N=10 to N=100: "
                      "met |", md)
        self.assertIn("| 100 | 1 | revoke | 15.000 | 150.0 | 30.000 | 300.0 | "
                      "0.50 | 1 | 100 |", md)
        # two domains: 2 then 3 invalidations, one more than a domain each;
        # 0.1 ms a pair for 10 areas, 0.1 ms for 100
        self.assertIn("| at most one IOTLB invalidation per domain per "
                      "revoke, N = 10, 100 | 2 domains | NOT met ([2, 3]) |",
                      md)
        self.assertIn("| 100 | 2 | revoke | 20.000 | 100.0 | 40.000 | 200.0 | "
                      "0.50 | 3 | 200 |", md)
        self.assertIn("| revoke time per area flat (within 1.5x), less the "
                      "config write | 2 domains | 1.00x from N=10 to N=100: "
                      "met |", md)
        # the restore was not traced
        self.assertIn("per restore, N = 1, 10, 100 | 1 domain | not measured "
                      "|", md)

    def test_mock_scaling(self):
        _, md = self.run_report(SERIES, UPSTREAM)
        # 10 areas x 2 domains: 0.2 ms, 10 us a pair; 100 x 2: 4 ms, 20 us
        self.assertIn("| 10 | 2 | revoke | 0.200 | 10.00 | n/a | n/a | n/a |",
                      md)
        self.assertIn("| 100 | 2 | revoke | 4.000 | 20.00 | 2.000 | 10.00 | "
                      "2.00 |", md)
        # revoke per pair doubled: not flat; restore stayed at 20 us a pair
        self.assertIn("| mock revoke time per (area, domain) flat (within "
                      "1.5x) | 2 mock domains | 2.00x from N=10 to N=100: "
                      "NOT met |", md)
        self.assertIn("| mock restore time per (area, domain) flat (within "
                      "1.5x) | 2 mock domains | 1.00x from N=10 to N=100: "
                      "met |", md)

    def test_restore_less_the_config_write(self):
        decode = ("bench: bdf=0000:01:00.0 size=16777216 op=decode_off "
                  "ns={}\n"
                  "bench: bdf=0000:01:00.0 size=16777216 op=decode_on "
                  "ns={}\n")
        # series: restore 1.0 ms of which 0.9 the config write; upstream:
        # 4.0 ms of which 0.8, so 0.1 against 3.2 ms of remapping
        rc, md = self.run_report(SERIES + decode.format(400000, 900000),
                                 UPSTREAM + decode.format(200000, 800000))
        self.assertEqual(0, rc)
        self.assertIn("| memory decode on, no DMA-buf (the config write) | "
                      "0.900 (0.900-0.900), n=1 | 0.800 (0.800-0.800), n=1 | "
                      "1.12 |", md)
        self.assertIn("| restore less the config write (series: the "
                      "kernel's remap; upstream: userspace's unmap, export, "
                      "map) | 0.100 | 3.200 | 0.03 | | |", md)
        self.assertIn("| revoke less the config write | 0.100 | 0.050 | "
                      "2.00 | | |", md)
        self.assertIn("(both less the config write) | 16 MiB | 0.03x: met |",
                      md)
        self.assertIn("with the config write, at most 0.5x upstream's "
                      "(informative) | 16 MiB | 0.25x: met |", md)
        # upstream's net revoke, 0.01 ms, is under a tenth of its 0.2 ms
        # config write: no ratio to give
        _, md = self.run_report(SERIES + decode.format(400000, 900000),
                                UPSTREAM.replace("op=revoke ns=250000",
                                                 "op=revoke ns=210000") +
                                decode.format(200000, 800000))
        self.assertIn("| revoke less the config write | 0.100 | 0.010 | "
                      "n/a | | |", md)
        # a config write slower than the whole restore: no ratio to give
        _, md = self.run_report(SERIES + decode.format(400000, 1100000),
                                UPSTREAM + decode.format(200000, 800000))
        self.assertIn("| 16 MiB | n/a (a net time within the noise) |", md)

    def test_ratio_per_round(self):
        # round 2: map 1 ms against 2 ms; pooled: 1.5 ms (1, 1, 2, 3)
        # against 3 ms (2, 4); per round 2/4 = 0.50 and 1/2 = 0.50, where
        # pairing round 1 with round 2 would give 1.00 and 0.25
        second = ("Linux version 7.3.0-series\n"
                  "bench: bdf=0000:01:00.0 size=16777216 op=map ns=1000000\n",
                  "Linux version 7.3.0\n"
                  "bench: bdf=0000:01:00.0 size=16777216 op=map ns=2000000\n")
        rc, md = self.run_report(SERIES, UPSTREAM, second)
        self.assertEqual(0, rc)
        self.assertIn("| map | 1.500 (1.000-3.000), n=4 | 3.000 (2.000-4.000),"
                      " n=2 | 0.50 (rounds 0.50-0.50) |", md)
        self.assertIn("| map at most 1.0x upstream | 16 MiB | 0.50x (rounds "
                      "0.50-0.50): met |", md)
        # one round: no range
        _, md = self.run_report(SERIES, UPSTREAM)
        self.assertIn("n=1 | 0.50 | 4 | n/a |", md)

    def test_areas_every_round(self):
        # a second round traces 3 invalidations for 100 areas of one
        # domain: the goal takes the worst round, not the last
        second = ("Linux version 7.3.0-series\n"
                  "bench: bdf=0000:01:00.0 size=16777216 op=map ns=1000000\n"
                  "bench: areas=100 size=16777216 op=revoke iotlb_inv=3\n",
                  UPSTREAM)
        _, md = self.run_report(SERIES, UPSTREAM, second)
        self.assertIn("revoke, N = 1, 10, 100 | 1 domain | NOT met ([1, 1, "
                      "3]) |", md)
        self.assertIn("| 100 | 1 | revoke | 15.000 | 150.0 | 30.000 | 300.0 | "
                      "0.50 | 3 | 100 |", md)

    def test_areas_flat_less_the_config_write(self):
        # 0.5 ms of config write in every revoke: 10 areas 0.6 ms, 100
        # areas 1.5 ms, that is 10 then 10 us an area once it is taken
        # out (1.00x), where the raw times would say 60 and 15 us (0.25x)
        text = ("Linux version 7.3.0-series\n"
                "bench: bdf=0000:01:00.0 size=16777216 op=map ns=1000000\n"
                "bench: bdf=0000:01:00.0 size=16777216 op=decode_off "
                "ns=500000\n"
                "bench: areas=10 size=16777216 op=revoke ns=600000\n"
                "bench: areas=100 size=16777216 op=revoke ns=1500000\n")
        _, md = self.run_report(text, UPSTREAM)
        self.assertIn("less the config write | 1 domain | 1.00x from N=10 "
                      "to N=100: met |", md)

    def test_a_line_cut_in_an_areas_line_is_dropped(self):
        rc, md = self.run_report(
            SERIES + "bench: areas=10 size=16777216 op=rev[   1.0] x\n",
            UPSTREAM)
        self.assertEqual(0, rc)
        self.assertIn("dropped: 1", md)

    ICOUNT_OP = "bench: bdf=0000:01:00.0 size=16777216 op={} ns={}\n"

    def icount_logs(self):
        """Counted boots: unmap 9,000, 9,001 and 12,000 (median 9,001)
        against 8,500 (1.06x); map 16,500 against 17,000; revoke 6,000
        against 6,000 (1.00x, met); restore 3,000 of which a 1,000 config
        write against upstream's 11,000 of which 1,000 (0.20x net)"""
        op = self.ICOUNT_OP
        ser = ("Linux version 7.3.0-series\n" + op.format("map", 16500) +
               op.format("unmap", 9000) + op.format("unmap", 9001) +
               op.format("unmap", 12000) + op.format("revoke", 6000) +
               op.format("restore", 3000) + op.format("decode_on", 1000) +
               "bench: mock_areas=10 domains=2 size=16384 op=revoke "
               "ns=40000\n"
               "bench: ram=udmabuf pages=2m size=1073741824 op=map "
               "ns=10000000\n")
        ups = ("Linux version 7.3.0\n" + op.format("map", 17000) +
               op.format("unmap", 8500) + op.format("revoke", 6000) +
               op.format("restore", 11000) + op.format("decode_on", 1000) +
               "bench: mock_areas=10 domains=2 size=16384 op=revoke "
               "ns=50000\n"
               "bench: ram=udmabuf pages=2m size=1073741824 error=95\n")
        return ser, ups

    def test_icount(self):
        ser, ups = self.icount_logs()
        rc, md = self.run_report(SERIES, UPSTREAM, icount=(ser, ups))
        self.assertEqual(0, rc)
        self.assertIn("| 16 MiB | unmap | 9,001 (9,000-12,000) | "
                      "8,500 (8,500-8,500) | 1.06 |", md)
        self.assertIn("| 16 MiB | memory decode on, no DMA-buf (the config "
                      "write) | 1,000 (1,000-1,000) | 1,000 (1,000-1,000) | "
                      "1.00 |", md)
        # the mock row is in the mock table, not the VT-d areas one
        mock = md.index("| mock areas N x domains M |")
        self.assertGreater(md.index("| 10 x 2 | revoke | 40,000 (40,000-"
                                    "40,000) | 50,000 (50,000-50,000) | "
                                    "0.80 |"), mock)
        self.assertIn("| unmap at most 1.0x upstream, in guest instructions "
                      "| 16 MiB | 1.06x: NOT met |", md)
        self.assertIn("| map at most 1.0x upstream, in guest instructions "
                      "| 16 MiB | 0.97x: met |", md)
        self.assertIn("| revoke at most 1.0x upstream, in guest instructions "
                      "| 16 MiB | 1.00x: met |", md)
        self.assertIn("in guest instructions (both less the config write) | "
                      "16 MiB | 0.20x: met |", md)
        # revoke 6,000 of which a 2,000 config write against 6,000 of
        # which 3,000: 4,000 against 3,000 net
        _, md = self.run_report(SERIES, UPSTREAM, icount=(
            ser + self.ICOUNT_OP.format("decode_off", 2000),
            ups + self.ICOUNT_OP.format("decode_off", 3000)))
        self.assertIn("| revoke less the config write at most 1.0x "
                      "upstream's, in guest instructions | 16 MiB | 1.33x: "
                      "NOT met |", md)
        self.assertIn("| udmabuf | 2m | map | 10,000,000 (10,000,000-"
                      "10,000,000) | refused (errno 95) | n/a |", md)
        # the timed boots' tables are not mixed with the counted ones
        self.assertIn("| map | 2.000 (1.000-3.000), n=3 | 4.000 (4.000-4.000),"
                      " n=1 | 0.50 | 4 | n/a |", md)

    def test_icount_missing_kernel(self):
        # no counted boot of upstream: every goal in instructions says so
        ser, _ = self.icount_logs()
        rc, md = self.run_report(SERIES, UPSTREAM,
                                 icount=(ser, "Linux version 7.3.0\n"))
        self.assertEqual(1, rc)
        self.assertIn("| unmap at most 1.0x upstream, in guest instructions "
                      "| 16 MiB | not measured |", md)
        self.assertIn("in guest instructions (both less the config write) | "
                      "16 MiB | not measured |", md)

    def test_icount_failures_and_cut_lines(self):
        ser, ups = self.icount_logs()
        rc, md = self.run_report(
            SERIES, UPSTREAM,
            icount=(ser + "dmabufbench: 0000:01:00.0: unmap: Bad address\n",
                    ups + "bench: bdf=0000:01:00.0 size=16777216 op=unmap "
                    "ns=85[   3.1] x\n"))
        self.assertEqual(1, rc)
        self.assertIn("unmap: Bad address", md)
        self.assertIn("dropped: 1", md)

    def test_a_log_without_measurements_fails(self):
        rc, md = self.run_report(SERIES, "Linux version 7.3.0\n")
        self.assertEqual(1, rc)
        self.assertIn("no measurement", md)

    def test_a_line_cut_by_the_kernel_is_dropped(self):
        rc, md = self.run_report(
            SERIES + "bench: bdf=0000:01:00.0 size=16777216 op=map "
            "ns=9000[   12.345678] vfio-pci 0000:01:00.0: resetting\n",
            UPSTREAM)
        self.assertEqual(0, rc)
        # the median of the three whole map lines, not of four
        self.assertIn("| map | 2.000 (1.000-3.000), n=3 |", md)
        self.assertIn("dropped: 1", md)

    def test_a_line_cut_before_its_size_is_dropped(self):
        rc, md = self.run_report(
            SERIES + "bench: mock_area[    6.279177] iommufd_mock "
            "iommufd_mock0: Adding to iommu group 12\n", UPSTREAM)
        self.assertEqual(0, rc)
        self.assertIn("dropped: 1", md)

    WARN = ("[    5.000000] ------------[ cut here ]------------\n"
            "[    5.100000] WARNING: CPU: 1 PID: 90 at "
            "drivers/iommu/iommufd/pages.c:1445 iopt_dmabuf_unmap_area\n")

    def test_a_kernel_splat_fails(self):
        rc, md = self.run_report(SERIES, UPSTREAM + self.WARN)
        self.assertEqual(1, rc)
        lines = len(UPSTREAM.splitlines())
        self.assertIn(f"kernel splat at line {lines + 2}: WARNING: CPU: 1 "
                      "PID: 90 at drivers/iommu/iommufd/pages.c:1445", md)
        self.assertIn(f"kernel splat at line {lines + 1}: ------------"
                      "[ cut here ]", md)
        # the numbers are still tabulated, for whoever reads the report
        self.assertIn("| map | 2.000 (1.000-3.000), n=3 |", md)

    def test_an_allowed_splat_passes(self):
        # Allowed at boot, as in tests/allowed-splats: the cut-here line
        # goes with the WARNING line it announces, as in make check
        rc, md = self.run_report(
            SERIES, UPSTREAM + self.WARN,
            allowed="boot WARNING: CPU: 1 PID: 90 at drivers/iommu\n")
        self.assertEqual(0, rc)
        self.assertNotIn("kernel splat", md)
        # Allowed in another place only: still a failure
        rc, md = self.run_report(
            SERIES, UPSTREAM + self.WARN,
            allowed="bench WARNING: CPU: 1 PID: 90 at drivers/iommu\n")
        self.assertEqual(1, rc)
        self.assertIn(": WARNING: CPU: 1", md)

    def test_a_splat_in_the_bench_suite(self):
        # As the bench suite prints the run's warnings: kernel lines inside
        # its markers, judged under "bench"
        log = ("dmabuf-ic: begin\ndmabuf-ic: suite bench start\n" + UPSTREAM
               + self.WARN + "dmabuf-ic: suite bench exit=0\n"
               "dmabuf-ic: done\n")
        rc, md = self.run_report(SERIES, log)
        self.assertEqual(1, rc)
        self.assertIn(": WARNING: CPU: 1 PID: 90", md)
        rc, md = self.run_report(
            SERIES, log,
            allowed="bench WARNING: CPU: 1 PID: 90 at drivers/iommu\n")
        self.assertEqual(0, rc)
        rc, md = self.run_report(
            SERIES, log,
            allowed="boot WARNING: CPU: 1 PID: 90 at drivers/iommu\n")
        self.assertEqual(1, rc)

    def test_a_failed_guest_setup_fails(self):
        rc, md = self.run_report(
            "dmabuf-ic: begin\ndmabuf-ic: setup failed: only 10 of 192 huge "
            "pages\n" + SERIES, UPSTREAM)
        self.assertEqual(1, rc)
        self.assertIn("the guest's setup failed: only 10 of 192 huge pages",
                      md)

    def test_a_failed_step_fails(self):
        rc, md = self.run_report(
            SERIES + "dmabufbench: 0000:01:00.0: map: No such device\n",
            UPSTREAM)
        self.assertEqual(1, rc)
        self.assertIn("map: No such device", md)


if __name__ == "__main__":
    unittest.main()
