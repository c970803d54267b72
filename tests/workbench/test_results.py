#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/results.py on small console logs: what it counts, what
it calls a failure, and its closing line."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "..", "..", "scripts", "results.py")

KUNIT = """\
[    1.000000] KTAP version 1
[    1.000001] 1..2
[    1.000002]     KTAP version 1
[    1.000003]     # Subtest: alpha
[    1.000004]     1..2
[    1.000005]     ok 1 a_one
[    1.000006]         KTAP version 1
[    1.000007]         # Subtest: a_param
[    1.000008]         ok 1 p0
[    1.000009]         not ok 2 p1
[    1.000010]     not ok 2 a_param
[    1.000011] not ok 1 alpha
[    1.000012]     KTAP version 1
[    1.000013]     # Subtest: beta
[    1.000014]     1..1
[    1.000015]     ok 1 b_one # SKIP no hardware
[    1.000016] ok 2 beta
"""

SUITE_OK = """\
dmabuf-ic: begin
dmabuf-ic: suite s1 start
TAP version 13
1..3
ok 1 f.v.one
[    5.000000] some kernel message
ok 2 f.v.two # SKIP not here
ok 3 f.v.three
dmabuf-ic: suite s1 exit=0
dmabuf-ic: done
"""


def run(logs, known=None):
    """Run results.py on (text, status) pairs; return (exit code, lines)."""
    with tempfile.TemporaryDirectory() as d:
        args = [sys.executable, RESULTS]
        for i, (text, status) in enumerate(logs):
            path = os.path.join(d, "log%d" % i)
            with open(path, "w") as f:
                f.write(text)
            args += ["--run", path, str(status)]
        if known is not None:
            path = os.path.join(d, "known")
            with open(path, "w") as f:
                f.write(known)
            args += ["--known", path]
        p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout.splitlines()


class ResultsTest(unittest.TestCase):
    def test_clean_run(self):
        rc, out = run([(SUITE_OK, 0)])
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "2 passed, 0 failed, 1 skipped")
        self.assertIn("skipped: s1/f.v.two (not here)", out)

    def test_kunit_cases_and_parameters(self):
        rc, out = run([(KUNIT + SUITE_OK, 0)])
        self.assertEqual(rc, 1)
        # a_one passes, a_param fails as one case, b_one skips.
        self.assertIn("FAILED: kunit:alpha/a_param", out)
        self.assertEqual(out[-1], "3 passed, 1 failed, 2 skipped")

    def test_nonzero_exit_without_failed_case(self):
        rc, out = run([(SUITE_OK.replace("exit=0", "exit=2"), 0)])
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: s1: exit status 2", out)

    def test_suite_without_results(self):
        log = "dmabuf-ic: begin\ndmabuf-ic: suite s2 start\n" \
              "dmabuf-ic: suite s2 exit=0\ndmabuf-ic: done\n"
        rc, out = run([(log, 0)])
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: s2: reported no test results", out)

    def test_splat_fails_the_run(self):
        for splat in ("[    9.1] WARNING: CPU: 1 PID: 42 at mm/x.c:1 f+0x1/0x2",
                      "[    9.1] BUG: KASAN: slab-use-after-free in f+0x1/0x2",
                      "[    9.1] WARNING: possible circular locking dependency detected",
                      "unreferenced object 0xffff888001234000 (size 64):",
                      "[    9.1] Kernel panic - not syncing: Fatal exception"):
            log = SUITE_OK.replace("some kernel message", splat)
            rc, out = run([(log, 0)])
            self.assertEqual(rc, 1, splat)
            self.assertTrue(any(l.startswith("SPLAT") for l in out), splat)

    def test_missing_done_marker_and_vm_status(self):
        rc, out = run([(SUITE_OK.replace("dmabuf-ic: done\n", ""), 0)])
        self.assertEqual(rc, 1)
        self.assertTrue(any("done' marker" in l for l in out))
        rc, out = run([(SUITE_OK, 124)])
        self.assertEqual(rc, 1)
        self.assertTrue(any("timed out" in l for l in out))

    def test_unfinished_suite(self):
        log = SUITE_OK.split("dmabuf-ic: suite s1 exit")[0]
        rc, out = run([(log, 0)])
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: s1: did not finish (no exit marker)", out)

    def test_known_failures(self):
        log = SUITE_OK.replace("ok 3 f.v.three", "not ok 3 f.v.three")
        rc, out = run([(log, 0)], known="s1/f.v.three reason\n")
        self.assertEqual(rc, 0)
        self.assertIn("known failure: s1/f.v.three", out)
        self.assertEqual(out[-1], "1 passed, 0 failed, 2 skipped")
        # A listed test that passes must be removed from the list.
        rc, out = run([(SUITE_OK, 0)], known="s1/f.v.three reason\n")
        self.assertEqual(rc, 1)

    def test_several_runs_add_up(self):
        rc, out = run([(SUITE_OK, 0), (SUITE_OK.replace("s1", "s3"), 0)])
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "4 passed, 0 failed, 2 skipped")


if __name__ == "__main__":
    unittest.main()
