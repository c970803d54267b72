#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/results.py on small hand-made console logs (what it
counts, what it calls a failure, and its closing line) and of the host
check tests/host/ivshmem_check.py."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
RESULTS = os.path.join(ROOT, "scripts", "results.py")
IVSHMEM_CHECK = os.path.join(ROOT, "tests", "host", "ivshmem_check.py")

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

KUNIT_OK = """\
[    1.000000] KTAP version 1
[    1.000001] 1..1
[    1.000002]     KTAP version 1
[    1.000003]     # Subtest: gamma
[    1.000004]     1..2
[    1.000005]     ok 1 g_one
[    1.000006]     ok 2 g_two
[    1.000007] # gamma: pass:2 fail:0 skip:0 total:2
[    1.000008] ok 1 gamma
"""

SUITE_OK = """\
dmabuf-ic: begin
dmabuf-ic: suite s1 start
TAP version 13
1..3
#  RUN           f.v.one ...
#            OK  f.v.one
ok 1 f.v.one
ok 2 f.v.two # SKIP not here
#  RUN           f.v.three ...
[    5.000000] some kernel message
#            OK  f.v.three
ok 3 f.v.three
dmabuf-ic: suite s1 exit=0
dmabuf-ic: done
"""

# The skip of SUITE_OK, allowed
SKIPS = "s1/f.v.two only on hardware\n"


def run(logs, known=None, skips=SKIPS, splats=None, args=(), hosts=()):
    """Run results.py on (text, status) console logs and (text or None,
    status) host logs; return (exit code, output lines)."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, RESULTS]
        for i, (text, status) in enumerate(logs):
            path = os.path.join(d, "log%d" % i)
            with open(path, "w") as f:
                f.write(text)
            cmd += ["--run", path, str(status)]
        for i, (text, status) in enumerate(hosts):
            path = os.path.join(d, "host%d" % i)
            if text is not None:
                with open(path, "w") as f:
                    f.write(text)
            cmd += ["--host", path, str(status)]
        for opt, content in (("--known", known), ("--expected-skips", skips),
                             ("--allowed-splats", splats)):
            if content is not None:
                path = os.path.join(d, opt.strip("-"))
                with open(path, "w") as f:
                    f.write(content)
                cmd += [opt, path]
        p = subprocess.run(cmd + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout.splitlines()


def with_kernel_line(line, log=SUITE_OK):
    return log.replace("[    5.000000] some kernel message", line)


def failed(out, text):
    return any(l.startswith("FAILED") and text in l for l in out)


class Base(unittest.TestCase):
    def assertFails(self, rc, out, text):
        """results.py failed the run and said @text in a FAILED line."""
        self.assertEqual(rc, 1, "\n".join(out))
        self.assertTrue(failed(out, text), "no FAILED line with %r in:\n%s" %
                        (text, "\n".join(out)))


class ResultsTest(Base):

    def test_clean_run(self):
        rc, out = run([(SUITE_OK, 0)])
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertEqual(out[-1], "2 passed, 0 failed, 1 skipped")
        self.assertIn("skipped: s1/f.v.two (not here)", out)

    def test_kunit_cases_and_parameters(self):
        rc, out = run([(KUNIT + SUITE_OK, 0)],
                      skips=SKIPS + "kunit:beta/b_one no hardware\n")
        self.assertEqual(rc, 1)
        # a_one passes, a_param fails as one case, b_one skips.
        self.assertIn("FAILED: kunit:alpha/a_param", out)
        self.assertEqual(out[-1], "3 passed, 1 failed, 2 skipped")

    def test_nonzero_exit_without_failed_case(self):
        rc, out = run([(SUITE_OK.replace("exit=0", "exit=2"), 0)])
        self.assertFails(rc, out, "s1: exit status 2")

    def test_suite_without_results(self):
        log = "dmabuf-ic: begin\ndmabuf-ic: suite s2 start\n" \
              "dmabuf-ic: suite s2 exit=0\ndmabuf-ic: done\n"
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "s2: reported no test results")

    def test_missing_done_marker_and_vm_status(self):
        rc, out = run([(SUITE_OK.replace("dmabuf-ic: done\n", ""), 0)])
        self.assertFails(rc, out, "done' marker")
        rc, out = run([(SUITE_OK, 124)])
        self.assertFails(rc, out, "timed out")

    def test_unfinished_suite(self):
        log = SUITE_OK.split("dmabuf-ic: suite s1 exit")[0]
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "s1: did not finish (no exit marker)")

    def test_known_failures(self):
        log = SUITE_OK.replace("ok 3 f.v.three", "not ok 3 f.v.three")
        rc, out = run([(log, 0)], known="s1/f.v.three reason\n")
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertIn("known failure: s1/f.v.three", out)
        self.assertEqual(out[-1], "1 passed, 0 failed, 2 skipped")
        # A listed test that passes must be removed from the list.
        rc, out = run([(SUITE_OK, 0)], known="s1/f.v.three reason\n")
        self.assertFails(rc, out, "f.v.three passes: drop it")
        # So must one its suite no longer has.
        rc, out = run([(SUITE_OK, 0)], known="s1/f.v.gone reason\n")
        self.assertFails(rc, out, "s1/f.v.gone did not run: drop it")

    def test_several_runs_add_up(self):
        rc, out = run([(SUITE_OK, 0), (SUITE_OK.replace("s1", "s3"), 0)],
                      skips=SKIPS + "s3/f.v.two the same\n")
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertEqual(out[-1], "4 passed, 0 failed, 2 skipped")


# Finding 1: every marker the kernel prints for a splat fails the run, in
# every wording, whether or not the tests noticed.  One test per wording.
SPLAT_WORDINGS = {
    "warn_old": "WARNING: CPU: 1 PID: 42 at mm/x.c:1 f+0x1/0x2",
    "warn_new": "WARNING: drivers/dma-buf/dma-buf.c:1234 at f+0x1/0x2, CPU#0: iommufd/88",
    "warn_bare": "WARNING: at f+0x1/0x2, CPU#1: kworker/1:2/33",
    "cut_here": "------------[ cut here ]------------",
    "bug_kasan": "BUG: KASAN: slab-use-after-free in f+0x1/0x2",
    "kasan_range": "KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]",
    "bug_kfence": "BUG: KFENCE: use-after-free read in f+0x1/0x2",
    "kfence": "KFENCE: use-after-free read in f+0x1/0x2",
    "bug_sleeping": "BUG: sleeping function called from invalid context at mm/slub.c:1",
    "bug_null": "BUG: kernel NULL pointer dereference, address: 0000000000000008",
    "bug_page_state": "BUG: Bad page state in process iommufd  pfn:10e4a",
    "kernel_bug_at": "kernel BUG at drivers/iommu/iommufd/pages.c:42!",
    "oops": "Oops: 0000 [#1] SMP KASAN",
    "oops_gpf": "Oops: general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] SMP KASAN NOPTI",
    "gpf": "general protection fault, probably for non-canonical address 0xdead: 0000 [#1]",
    "unable_to_handle": "Unable to handle kernel paging request at virtual address dead",
    "panic": "Kernel panic - not syncing: Fatal exception",
    "ubsan": "UBSAN: array-index-out-of-bounds in drivers/dma-buf/dma-buf-iommu.c:99:7",
    "refcount": "refcount_t: underflow; use-after-free.",
    "refcount_saturated": "refcount_t: saturated; leaking memory.",
    "list_add": "list_add corruption. prev->next should be next (ffff888), but was 0000. (prev=ffff888).",
    "list_del": "list_del corruption, ffff888001234000->next is LIST_POISON1 (dead000000000100)",
    "kmemleak_object": "unreferenced object 0xffff888001234000 (size 64):",
    "kmemleak_count": "kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
    "kmemleak_one": "kmemleak: 1 new suspected memory leak (see /sys/kernel/debug/kmemleak)",
    "kmemleak_disabled": "kmemleak: Kernel memory leak detector disabled",
    "hung_task": "INFO: task iommufd:88 blocked for more than 122 seconds.",
    "hung_task_io": "INFO: task iommufd:88 blocked in I/O wait for more than 122 seconds.",
    "rcu_stall": "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
    "rcu_expedited": "rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21002 jiffies s: 173 root: 0x2/.",
    "rcu_self": "rcu: INFO: rcu_sched self-detected stall on CPU",
    "rcu_starved": "rcu: rcu_preempt kthread starved for 10502 jiffies! g8101 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1",
    "soft_lockup": "watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [iommufd:88]",
    "hard_lockup": "watchdog: CPU1: Watchdog detected hard LOCKUP on cpu 1",
    "workqueue_lockup": "BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!",
    "lockdep_circular": "WARNING: possible circular locking dependency detected",
    "lockdep_recursive": "WARNING: possible recursive locking detected",
    "lockdep_inconsistent": "WARNING: inconsistent lock state",
    "lockdep_rcu": "WARNING: suspicious RCU usage",
    "lockdep_unlock": "WARNING: bad unlock balance detected!",
    "lockdep_unlock_old": "[ BUG: bad unlock balance detected! ]",
    "lockdep_freed": "WARNING: held lock freed!",
    "lockdep_freed_bare": "held lock freed!",
    "lockdep_user_return": "WARNING: lock held when returning to user space!",
    "lockdep_irq_order": "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
    "lockdep_softirq_order": "WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected",
    "lockdep_irq_inversion": "WARNING: possible irq lock inversion dependency detected",
    "lockdep_irq_inversion_old": "INFO: possible irq lock inversion dependency detected",
    "lockdep_locks_held": "WARNING: iommufd/88 still has locks held!",
    "lockdep_nested": "WARNING: Nested lock was not taken",
    "lockdep_non_static": "INFO: trying to register non-static key.",
    "lockdep_off": "turning off the locking correctness validator.",
    "lockdep_max": "BUG: MAX_LOCKDEP_ENTRIES too low!",
    "debug_locks_warn": "DEBUG_LOCKS_WARN_ON(!irqs_disabled())",
}


def make_splat_test(line):
    def test(self):
        for log in (with_kernel_line("[    9.100000] " + line),
                    # interleaved: the splat cuts into a userspace line
                    SUITE_OK.replace("ok 3 f.v.three",
                                     "ok 3 f.v[    9.100000] %s\n.three" % line)):
            rc, out = run([(log, 0)])
            self.assertFails(rc, out, "kernel splat")
            self.assertTrue(any(l.startswith("SPLAT") for l in out), line)
            self.assertTrue(any("during s1/f.v.three" in l for l in out), out)
    return test


for _name, _line in SPLAT_WORDINGS.items():
    setattr(ResultsTest, "test_splat_" + _name, make_splat_test(_line))


class SplatTest(Base):
    def test_kmemleak_report_read_from_debugfs(self):
        # /init cats the kmemleak file: userspace output, no timestamp
        log = SUITE_OK.replace(
            "dmabuf-ic: done",
            "unreferenced object 0xffff888001234000 (size 64):\n"
            "  comm \"iommufd\", pid 88, jiffies 4294937296\n"
            "dmabuf-ic: done")
        rc, out = run([(log, 0)])
        self.assertEqual(rc, 1)
        self.assertTrue(any("during init" in l for l in out), out)

    def test_benign_boot_messages(self):
        boot = "".join("[    0.%06d] %s\n" % (n, l) for n, l in enumerate((
            "Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar",
            "... MAX_LOCKDEP_SUBCLASSES:  8",
            "... MAX_LOCK_DEPTH:          48",
            "kasan: KernelAddressSanitizer initialized",
            "kmemleak: Kernel memory leak detector initialized (mem pool available: 15864)",
            "kmemleak: Automatic memory scanning thread started",
            "rcu: RCU lockdep checking is enabled.",
            "Running RCU synchronous self tests",
            "DMAR: IOMMU enabled",
            "DMAR-IR: Enabled IRQ remapping in x2apic mode",
            "Kernel command line: console=ttyS0 panic=-1 kasan.fault=report",
            "workqueue: round-robin CPU selection forced, expect performance impact",
            "stackdepot: allocating hash table via alloc_large_system_hash",
            "DMAR: [DMA Write NO_PASID] Request device [00:03.0] fault addr 0x1010000 [fault reason 0x05] PTE Write access is not set",
            "FAULT_INJECTION: forcing a failure.",
            "iommufd_fail_nt: page allocation failure: order:0, mode:0x400dc0(GFP_KERNEL_ACCOUNT|__GFP_ZERO), nodemask=(null)",
        ), 1))
        rc, out = run([(boot + SUITE_OK, 0)])
        self.assertEqual(rc, 0, "\n".join(out))

    def test_test_output_that_names_splats(self):
        # KTAP lines and diagnostics that print the words are not splats.
        log = SUITE_OK.replace(
            "#            OK  f.v.one",
            "# f.c:12:one:Expected no 'WARNING:' or 'BUG:' in dmesg\n"
            "#            OK  f.v.one").replace(
            "ok 3 f.v.three", "ok 3 f.v.three_no_kernel_BUG: at all")
        rc, out = run([(log, 0)], skips=SKIPS)
        self.assertEqual(rc, 0, "\n".join(out))

    def test_kernel_line_inside_userspace_line(self):
        # The userspace result is joined again and still counts.
        log = SUITE_OK.replace(
            "ok 3 f.v.three",
            "ok 3 f.v[    9.100000] DMAR: DRHD: handling fault status reg 2\n.three")
        rc, out = run([(log, 0)])
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertEqual(out[-1], "2 passed, 0 failed, 1 skipped")

    def test_allowed_splat_names_test_and_message(self):
        warn = ("[    9.100000] ------------[ cut here ]------------\n"
                "[    9.100001] mock exporter revoked twice\n"
                "[    9.100002] WARNING: drivers/x.c:12 at f+0x1/0x2, CPU#0: t/8\n")
        log = with_kernel_line(warn.rstrip("\n"))
        allow = "s1/f.v.three WARNING: drivers/x.c:12 at f+0x1/0x2\n"
        rc, out = run([(log, 0)], splats=allow)
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertTrue(any(l.startswith("allowed splat: s1/f.v.three") for l in out))
        # The same message during another test is not allowed.
        rc, out = run([(log, 0)], splats=allow.replace("f.v.three", "f.v.one"))
        self.assertFails(rc, out, "kernel splat")
        # Nor another message during that test.
        rc, out = run([(log, 0)], splats=allow.replace("x.c:12", "x.c:13"))
        self.assertFails(rc, out, "kernel splat")
        # An allowed splat that no longer happens must be dropped.
        rc, out = run([(SUITE_OK, 0)], splats=allow)
        self.assertFails(rc, out, "did not happen: drop it")

    def test_splat_at_boot_and_in_kunit(self):
        log = KUNIT_OK.replace(
            "[    1.000006]     ok 2 g_two",
            "[    1.000005] WARNING: lib/y.c:1 at g+0x1/0x2, CPU#0: kunit/1\n"
            "[    1.000006]     ok 2 g_two")
        rc, out = run([(log + SUITE_OK, 0)])
        self.assertFails(rc, out, "kernel splat")
        self.assertTrue(any("during kunit:gamma/g_two" in l for l in out), out)
        rc, out = run([(log + SUITE_OK, 0)],
                      splats="kunit:gamma/g_two WARNING: lib/y.c:1 at g\n")
        self.assertEqual(rc, 0, "\n".join(out))
        boot = "[    0.500000] WARNING: kernel/z.c:1 at h+0x1/0x2, CPU#0: swapper/0\n"
        rc, out = run([(boot + SUITE_OK, 0)])
        self.assertTrue(any("during boot" in l for l in out), out)
        rc, out = run([(boot + SUITE_OK, 0)], splats="boot WARNING: kernel/z.c:1\n")
        self.assertEqual(rc, 0, "\n".join(out))


class CompletenessTest(Base):
    # Finding 2: a lost exit marker does not hide a suite.
    def test_suite_starting_while_another_is_open(self):
        log = SUITE_OK.replace(
            "dmabuf-ic: suite s1 exit=0\n",
            "dmabuf-ic: suite s2 start\nTAP version 13\n1..1\nok 1 x\n"
            "dmabuf-ic: suite s2 exit=0\n")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "s1: did not finish: suite s2 started while it was open")
        self.assertFails(rc, out, "s2: started while suite s1 was still open")

    def test_exit_marker_of_another_suite(self):
        rc, out = run([(SUITE_OK.replace("s1 exit", "s9 exit"), 0)])
        self.assertFails(rc, out, "s1: did not finish: exit marker of suite s9")

    # Finding 3: what ran is compared with what was expected.
    def test_plan_larger_than_results(self):
        rc, out = run([(SUITE_OK.replace("1..3", "1..5"), 0)])
        self.assertFails(rc, out, "s1: KTAP plan 1..5 but 3 result(s)")

    def test_plan_smaller_than_results(self):
        rc, out = run([(SUITE_OK.replace("1..3", "1..2"), 0)])
        self.assertFails(rc, out, "s1: KTAP plan 1..2 but 3 result(s)")

    def test_results_without_plan(self):
        rc, out = run([(SUITE_OK.replace("1..3\n", ""), 0)])
        self.assertFails(rc, out, "s1: results without a KTAP plan")

    def test_result_numbers(self):
        log = SUITE_OK.replace("ok 2 f.v.two", "ok 5 f.v.two")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "numbered 5 where 2 was due")

    def test_bail_out(self):
        log = SUITE_OK.replace("ok 3 f.v.three", "Bail out! no device")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "s1: bailed out")

    def test_log_without_suites(self):
        rc, out = run([("dmabuf-ic: begin\ndmabuf-ic: done\n", 0)])
        self.assertFails(rc, out, "no suite ran")
        rc, out = run([("", 0)])
        self.assertFails(rc, out, "no suite ran")

    def test_missing_console_log(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([sys.executable, RESULTS, "--run",
                                os.path.join(d, "none.log"), "1"],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no console log", p.stdout)

    def test_kunit_plans(self):
        rc, out = run([(KUNIT_OK + SUITE_OK, 0)])
        self.assertEqual(rc, 0, "\n".join(out))
        rc, out = run([(KUNIT_OK.replace("    1..2", "    1..3") + SUITE_OK, 0)])
        self.assertFails(rc, out, "kunit:gamma: KTAP plan 1..3 but 2 result(s)")
        rc, out = run([(KUNIT_OK.replace("] 1..1", "] 1..2") + SUITE_OK, 0)])
        self.assertFails(rc, out, "KUnit planned 2 suite(s) but closed 1")

    def test_kunit_suite_without_closing_line(self):
        log = KUNIT_OK.replace("[    1.000008] ok 1 gamma\n", "")
        rc, out = run([(log + SUITE_OK, 0)])
        self.assertFails(rc, out, "kunit:gamma: did not finish (no closing result line)")
        # Nor does the next suite's header close it.
        log = KUNIT_OK.replace("] 1..1", "] 1..2").replace(
            "[    1.000008] ok 1 gamma\n",
            "[    1.000009]     # Subtest: delta\n[    1.000010]     1..1\n"
            "[    1.000011]     ok 1 d_one\n[    1.000012] ok 2 delta\n")
        rc, out = run([(log + SUITE_OK, 0)])
        self.assertFails(rc, out, "kunit:gamma: did not finish (no closing result line)")

    def test_expected_suites(self):
        rc, out = run([(SUITE_OK, 0)], args=["--expect-suites", "s1"])
        self.assertEqual(rc, 0, "\n".join(out))
        rc, out = run([(SUITE_OK, 0)], args=["--expect-suites", "s1,s2"])
        self.assertFails(rc, out, "suite s2 was asked for but did not run")

    def test_expected_kunit_suites(self):
        rc, out = run([(KUNIT_OK + SUITE_OK, 0)], args=["--expect-kunit", "gamma"])
        self.assertEqual(rc, 0, "\n".join(out))
        rc, out = run([(KUNIT_OK + SUITE_OK, 0)],
                      args=["--expect-kunit", "gamma,dma-buf-iommu"])
        self.assertFails(rc, out, "KUnit suite dma-buf-iommu is enabled but did not run")

    # Finding 4: skips never pass silently.
    def test_unexpected_skip(self):
        rc, out = run([(SUITE_OK, 0)], skips="")
        self.assertFails(rc, out, "s1: f.v.two skipped (not here) and")
        rc, out = run([(SUITE_OK, 0)], skips=None)
        self.assertFails(rc, out, "s1: f.v.two skipped (not here) and")

    def test_xfail_is_a_skip(self):
        log = SUITE_OK.replace("ok 3 f.v.three", "ok 3 f.v.three # XFAIL flaky")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "f.v.three skipped (XFAIL flaky)")

    def test_expected_skip_that_passes(self):
        log = SUITE_OK.replace("ok 2 f.v.two # SKIP not here", "ok 2 f.v.two")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "f.v.two passes: drop it from")

    def test_expected_skip_that_did_not_run(self):
        rc, out = run([(SUITE_OK, 0)], skips=SKIPS + "s1/f.v.gone reason\n")
        self.assertFails(rc, out, "s1/f.v.gone did not run: drop it from")
        # An entry of a suite that did not run at all is fine.
        rc, out = run([(SUITE_OK, 0)], skips=SKIPS + "s7/f.v.gone reason\n")
        self.assertEqual(rc, 0, "\n".join(out))

    def test_whole_suite_skipped(self):
        log = ("dmabuf-ic: begin\ndmabuf-ic: suite s4 start\nTAP version 13\n"
               "1..0 # SKIP no fault injection\ndmabuf-ic: suite s4 exit=4\n"
               "dmabuf-ic: done\n")
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "s4: * skipped (no fault injection)")
        rc, out = run([(log, 0)], skips="s4/* allowed here\n")
        self.assertEqual(rc, 0, "\n".join(out))

    def test_guest_setup_failure(self):
        log = "dmabuf-ic: setup failed: mount -t debugfs debugfs /sys/kernel/debug\n" + SUITE_OK
        rc, out = run([(log, 0)])
        self.assertFails(rc, out, "the guest's setup failed: mount -t debugfs")


HOST_OK = """\
dmabuf-ic: begin
dmabuf-ic: suite host_x start
TAP version 13
1..1
ok 1 landed
dmabuf-ic: suite host_x exit=0
dmabuf-ic: done
"""


class HostTest(Base):
    # Finding 5: a host check's log must exist, be fresh, and agree with
    # the check's exit status.
    def test_host_log_counts(self):
        rc, out = run([(SUITE_OK, 0)], hosts=[(HOST_OK, 0)])
        self.assertEqual(rc, 0, "\n".join(out))
        self.assertEqual(out[-1], "3 passed, 0 failed, 1 skipped")

    def test_missing_host_log(self):
        rc, out = run([(SUITE_OK, 0)], hosts=[(None, 1)])
        self.assertFails(rc, out, "the host check wrote no log")

    def test_host_status_without_failure(self):
        rc, out = run([(SUITE_OK, 0)], hosts=[(HOST_OK, 1)])
        self.assertFails(rc, out, "exited with status 1 but reported no failure")
        rc, out = run([(SUITE_OK, 0)],
                      hosts=[(HOST_OK.replace("ok 1", "not ok 1"), 1)])
        self.assertEqual(out[-1], "2 passed, 1 failed, 1 skipped")

    def test_stale_host_log(self):
        with tempfile.TemporaryDirectory() as d:
            host = os.path.join(d, "host.log")
            vm = os.path.join(d, "vm.log")
            with open(host, "w") as f:
                f.write(HOST_OK)
            with open(vm, "w") as f:
                f.write(SUITE_OK)
            old = time.time() - 3600
            os.utime(host, (old, old))
            skips = os.path.join(d, "skips")
            with open(skips, "w") as f:
                f.write(SKIPS)
            p = subprocess.run([sys.executable, RESULTS, "--run", vm, "0",
                                "--host", host, "0", "--expected-skips", skips],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("stale host check log", p.stdout)


class IvshmemCheckTest(unittest.TestCase):
    def check(self, data, layout="test"):
        with tempfile.TemporaryDirectory() as d:
            backing = os.path.join(d, "shm.bin")
            log = os.path.join(d, "host.log")
            if data is not None:
                with open(backing, "wb") as f:
                    f.write(data)
            p = subprocess.run([sys.executable, IVSHMEM_CHECK, "--layout", layout,
                                "--backing", backing, "--log", log],
                               capture_output=True, text=True)
            text = None
            if os.path.exists(log):
                with open(log) as f:
                    text = f.read()
        return p.returncode, text

    def test_missing_backing_file_is_one_failure(self):
        rc, text = self.check(None)
        self.assertEqual(rc, 1)
        self.assertIsNotNone(text)
        rc2, out = run([(SUITE_OK, 0)], hosts=[(text, rc)])
        self.assertEqual(rc2, 1)
        self.assertEqual(out[-1], "2 passed, 1 failed, 1 skipped")
        self.assertTrue(any("backing_file" in l for l in out if l.startswith("FAILED")), out)

    def test_empty_backing_file_fails_and_says_so(self):
        rc, text = self.check(bytes(16 * 1024 * 1024))
        self.assertEqual(rc, 1)
        self.assertIn("not ok", text)
        rc2, out = run([(SUITE_OK, 0)], hosts=[(text, rc)])
        self.assertEqual(rc2, 1)
        self.assertFalse(any("reported no failure" in l for l in out))

    def test_short_backing_file(self):
        rc, text = self.check(b"\0" * 4096, layout="demo")
        self.assertEqual(rc, 1)
        self.assertIn("not ok 1 backing_file", text)


if __name__ == "__main__":
    unittest.main()
