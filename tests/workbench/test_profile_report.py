#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/profile_report.py: instructions charged to the function
they lie in, the differences it tabulates, and the traces it refuses."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
REPORT = os.path.join(SCRIPTS, "profile_report.py")
sys.path.insert(0, SCRIPTS)

import profile_report  # noqa: E402

# Three functions, and those the report looks for in the traces
SOURCE = """\
int a(int x) { return x + 1; }
int b(int x) { int i, s = 0; for (i = 0; i < x; i++) s += i * x; return s; }
int c(int x) { return x * 2; }
int dma_buf_detach(int x) { return x - 1; }
int dma_buf_release(int x) { return x - 2; }
int iommu_unmap(int x) { return x - 3; }
int __iommu_unmap(int x) { return x - 5; }
int __schedule(int x) { return x - 4; }
"""


def symbols_of(obj):
    out = subprocess.run(["nm", "-n", obj], check=True, capture_output=True,
                         text=True).stdout
    starts, names = profile_report.text_symbols(out)
    return dict(zip(names, starts))


def write_trace(path, addrs, steps=None):
    with open(path, "w") as f:
        for addr in addrs:
            f.write(f"{addr:x}\n")
        f.write(f"# steps {len(addrs) if steps is None else steps}\n")


class ProfileReport(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        src = os.path.join(self.dir, "f.c")
        with open(src, "w") as f:
            f.write(SOURCE)
        self.obj = os.path.join(self.dir, "f.o")
        subprocess.run(["gcc", "-O0", "-c", "-o", self.obj, src], check=True)
        self.sym = symbols_of(self.obj)

    def kernel(self, name, counts):
        """A trace directory: counts[f] instructions in function f for the
        unmap, split across unmap.pcs and close.pcs, each with one more in
        the function it must have run; the revoke, one instruction of
        iommu_unmap(); the mock revoke, one of __iommu_unmap()"""
        d = os.path.join(self.dir, name)
        os.mkdir(d)
        addrs = []
        for fn, n in counts.items():
            addrs += [self.sym[fn] + i % 2 for i in range(n)]
        half = len(addrs) // 2
        write_trace(os.path.join(d, "unmap.pcs"),
                    addrs[:half] + [self.sym["dma_buf_detach"]])
        write_trace(os.path.join(d, "close.pcs"),
                    [self.sym["dma_buf_release"]] + addrs[half:])
        write_trace(os.path.join(d, "revoke.pcs"), [self.sym["iommu_unmap"]])
        write_trace(os.path.join(d, "mockrevoke.pcs"),
                    [self.sym["__iommu_unmap"]])
        return d

    def run_report(self, series, upstream):
        out = os.path.join(self.dir, "profile.md")
        r = subprocess.run([sys.executable, REPORT, "--out", out, "--env",
                            "host: test", self.obj, series, self.obj,
                            upstream], capture_output=True, text=True)
        md = ""
        if r.returncode == 0:
            with open(out) as f:
                md = f.read()
        return r.returncode, md, r.stderr

    def test_attribution(self):
        starts, names = profile_report.text_symbols(
            "0000000000000010 T a\n0000000000000020 t b\n"
            "0000000000000030 D data\n0000000000000040 W c\n")
        self.assertEqual(["a", "b", "c"], names)
        counts = profile_report.per_function(
            [0x10, 0x1f, 0x20, 0x3f, 0x40, 0x99], (starts, names), "t")
        # 0x3f lies in b: the data symbol is not a function
        self.assertEqual({"a": 2, "b": 2, "c": 2}, dict(counts))
        with self.assertRaisesRegex(profile_report.ProfileError,
                                    "below every symbol"):
            profile_report.per_function([0xf], (starts, names), "t")

    def test_differences(self):
        series = self.kernel("s", {"a": 5, "b": 32, "c": 3})
        upstream = self.kernel("u", {"a": 5, "b": 30, "c": 9})
        rc, md, err = self.run_report(series, upstream)
        self.assertEqual(0, rc, err)
        self.assertIn("Instructions: series 42, upstream 46, difference -4 "
                      "(0.913x).", md)
        # the largest difference first; a function with equal counts left out
        self.assertIn("| c | 3 | 9 | -6 |\n| b | 32 | 30 | +2 |\n", md)
        self.assertNotIn("| a |", md.split("## revoke")[0])
        self.assertIn("Instructions: series 1, upstream 1, difference +0 "
                      "(1.000x).", md.split("## revoke")[1])
        self.assertIn("Instructions: series 1, upstream 1, difference +0 "
                      "(1.000x).", md.split("## mock revoke")[1])
        self.assertIn("- host: test", md)

    def test_top(self):
        rows = profile_report.table({"a": 3, "b": 1, "c": 1},
                                    {"a": 0, "b": 0, "c": 0}, 1)
        self.assertEqual(["| a | 3 | 0 | +3 |", "| (2 more) | | | |"],
                         rows[2:])

    def test_refused_traces(self):
        series = self.kernel("s", {"a": 1, "b": 2})
        upstream = self.kernel("u", {"a": 1, "b": 2})
        # a trace gdb did not finish: no step count at its end
        path = os.path.join(upstream, "close.pcs")
        with open(path, "w") as f:
            f.write(f"{self.sym['a']:x}\n")
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("close.pcs: cut short", err)
        # a step count that does not match the addresses
        write_trace(path, [self.sym["a"]], steps=3)
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("1 addresses, but the trace says 3 steps", err)
        # a trace of the wrong call: it never released the DMA-buf
        write_trace(path, [self.sym["a"]])
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("close.pcs: never ran dma_buf_release()", err)
        # a trace that switched tasks on the way
        write_trace(path, [self.sym["dma_buf_release"],
                           self.sym["__schedule"]])
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("close.pcs: ran __schedule()", err)
        # a malformed line
        with open(path, "w") as f:
            f.write("zz\n# steps 1\n")
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("close.pcs: malformed", err)
        # a mock revoke that unmapped nothing: not the call it should be
        write_trace(path, [self.sym["dma_buf_release"]])
        mock = os.path.join(series, "mockrevoke.pcs")
        write_trace(mock, [self.sym["a"]])
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("mockrevoke.pcs: never ran __iommu_unmap()", err)
        write_trace(mock, [self.sym["__iommu_unmap"]])
        # a missing trace
        os.remove(os.path.join(series, "revoke.pcs"))
        rc, _, err = self.run_report(series, upstream)
        self.assertEqual(1, rc)
        self.assertIn("revoke.pcs: No such file or directory", err)


if __name__ == "__main__":
    unittest.main()
