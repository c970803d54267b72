#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test VM console logs into a per-suite table and a closing line.

A console log holds KUnit's KTAP (printed by the kernel at boot, every line
with a "[   12.345678]" timestamp) and, between "dmabuf-ic: suite NAME start"
and "dmabuf-ic: suite NAME exit=RC" markers, the KTAP of each userspace
suite (no timestamp).  Kernel output that cuts into a line of userspace
output is taken out of it, so the userspace line stays whole.

A suite fails on a failed case, a non-zero exit status, no case at all, a
KTAP plan "1..N" that does not match the number of results, results not
numbered 1, 2, 3..., a KUnit suite without its closing line, a suite that
starts while another one is still open (both fail), or a skip that
tests/expected-skips does not list.

The run fails on a kernel splat anywhere in a log (any "WARNING:" or "BUG:",
"cut here", Oops, UBSAN, KFENCE, refcount_t, list corruption, kmemleak,
hung tasks, RCU stalls, lockups, every lockdep banner, panics; see SPLATS)
that tests/allowed-splats does not allow for the suite and test it happened
in, a "dmabuf-ic: setup failed:" line from the guest's /init, a log with no
suite, a missing "dmabuf-ic: done" marker, a VM that did not exit cleanly,
a suite or KUnit suite asked for that never ran, a missing or stale host
check log.

Lists that excuse something fail the run when their entry is out of date:
a known failure or expected skip that passes (or whose suite ran without
it), an allowed splat that no longer happens.  The last line printed is
"N passed, N failed, N skipped".
"""

import argparse
import bisect
import os
import re
import sys

STAMP_AT_START = re.compile(r"^\[\s*\d+\.\d+\]\s?")
# printk's "[%5lu.%06lu] " inside a line: kernel output that cut into a line
# of userspace output.
STAMP_INSIDE = re.compile(r"\[\s*\d+\.\d{6}\]\s?")
RESULT = re.compile(r"^(not ok|ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
SUBTEST = re.compile(r"^( *)# Subtest: (\S+)")
SUITE_START = re.compile(r"^dmabuf-ic: suite (\S+) start$")
SUITE_END = re.compile(r"^dmabuf-ic: suite (\S+) exit=(\d+)$")
SETUP_FAILED = re.compile(r"^dmabuf-ic: setup failed: (.*)$")
KSFT_SKIP = 4

# Kernel messages that mean something went wrong in the kernel, whatever the
# tests said: the markers the kernel itself prints.  "WARNING:" and "BUG:"
# cover WARN() in both of its wordings ("WARNING: CPU: 0 PID: 1 at f.c:1",
# "WARNING: f.c:1 at func, CPU#0"), every lockdep banner, KASAN and KFENCE
# reports, soft lockups, workqueue lockups, sleeping in atomic context and
# bad page state; the other patterns catch what is printed without them or
# in a line of its own.  A few boot notices of the x86 CPU-vulnerability code
# say "WARNING:" too (for example "RETBleed: WARNING: Spectre v2 mitigation
# leaves CPU vulnerable"); they depend on the emulated CPU, and if QEMU's CPU
# ever triggers one it fails the run until it is listed in
# tests/allowed-splats under "boot".
SPLATS = [re.compile(p) for p in (
    r"\bWARNING:",
    r"\bBUG:",
    r"\bBUG at ",
    r"-+\[ cut here \]-+",
    r"\bOops\b",
    r"\bKernel panic\b",
    r"\bkernel BUG at\b",
    r"\bgeneral protection fault\b",
    r"\bUnable to handle kernel\b",
    r"\bKASAN: ",
    r"\bUBSAN: ",
    r"\bKFENCE: ",
    r"\brefcount_t: ",
    r"\blist_(?:add|del) corruption",
    # kmemleak: the report read from debugfs and the kernel's own count
    r"\bunreferenced object 0x",
    r"\bkmemleak: \d+ new suspected memory leaks?",
    r"\bkmemleak: Kernel memory leak detector disabled",
    # hung tasks, in both wordings
    r"\bblocked (?:in I/O wait )?for more than \d+ seconds",
    # RCU stalls
    r"\bself-detected stall\b",
    r"\bdetected (?:expedited )?stalls? on CPU",
    r"\bkthread starved for\b",
    # lockups
    r"\bsoft lockup\b",
    r"\bhard LOCKUP\b",
    r"\bworkqueue lockup\b",
    # lockdep banners, whatever precedes them
    r"\bpossible circular locking dependency\b",
    r"\bpossible recursive locking\b",
    r"\bpossible irq lock inversion\b",
    r"\binconsistent lock state\b",
    r"\bsuspicious RCU usage\b",
    r"\bbad unlock balance\b",
    r"\bheld lock freed!",
    r"\block held when returning to user space!",
    r"\b\w+-safe -> \w+-unsafe lock order detected",
    r"\bstill has locks held!",
    r"\bNested lock was not taken\b",
    r"\bbad contention detected!",
    r"\bchain_key collision\b",
    r"\btrying to register non-static key\b",
    r"\bturning off the locking correctness validator\b",
    r"\bDEBUG_LOCKS_WARN_ON\b",
)]
CUT_HERE = SPLATS[3]


def is_ktap(text):
    """KTAP lines and diagnostics, which only carry test output."""
    t = text.lstrip()
    return (t.startswith(("ok ", "not ok ", "#", "TAP version", "KTAP version"))
            or bool(PLAN.match(t)))


class Line:
    __slots__ = ("text", "kernel", "number")

    def __init__(self, text, kernel, number):
        self.text = text
        self.kernel = kernel
        self.number = number


def read_console(raw_lines):
    """Split a console log into kernel lines and userspace lines.  Kernel
    output inside a userspace line ("ok 5 fo[   3.100000] msg", then "o.bar"
    on the next line) is taken out and the userspace line joined again."""
    out = []
    pending, pending_no = "", None
    for no, raw in enumerate(raw_lines, 1):
        line = raw.rstrip("\r\n").replace("\r", "")
        m = STAMP_AT_START.match(line)
        if m:
            out.append(Line(line[m.end():], True, no))
            continue
        m = STAMP_INSIDE.search(line)
        if m:
            pending += line[:m.start()]
            pending_no = pending_no or no
            out.append(Line(line[m.end():], True, no))
            continue
        if pending_no is not None:
            out.append(Line(pending + line, False, pending_no))
            pending, pending_no = "", None
        else:
            out.append(Line(line, False, no))
    if pending_no is not None:
        out.append(Line(pending, False, pending_no))
    return out


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = []
        self.failed = []
        self.skipped = []  # (test, reason)
        self.known = []
        self.problems = []
        self.results = []  # (line index, test): where each result was read
        self.doc = None    # [planned or None, results so far]
        self.closed = False

    def problem(self, text):
        if text not in self.problems:
            self.problems.append(text)

    def plan(self, planned, directive):
        """A KTAP plan starts a document: one test binary's results."""
        self.end_doc()
        self.doc = [planned, 0]
        directive = (directive or "").strip()
        if planned == 0 and directive.upper().startswith("SKIP"):
            self.skipped.append(("*", directive[4:].strip()))

    def end_doc(self):
        if self.doc and self.doc[0] is not None and self.doc[0] != self.doc[1]:
            self.problem("KTAP plan 1..%d but %d result(s)" %
                         (self.doc[0], self.doc[1]))
        self.doc = None

    def add(self, index, ok, number, test, directive):
        if self.doc is None:
            self.problem("results without a KTAP plan")
            self.doc = [None, 0]
        self.doc[1] += 1
        if number != self.doc[1]:
            self.problem("result %r numbered %d where %d was due" %
                         (test, number, self.doc[1]))
        self.results.append((index, test))
        directive = (directive or "").strip()
        if directive.upper().startswith("SKIP"):
            self.skipped.append((test, directive[4:].strip()))
        elif ok and directive.upper().startswith("XFAIL"):
            # an expected failure proves no more than a skip
            self.skipped.append((test, directive))
        elif ok:
            self.passed.append(test)
        else:
            self.failed.append(test)

    def reported(self):
        return bool(self.passed or self.failed or self.skipped)

    def test_after(self, index):
        """The test whose result follows line @index: the one running."""
        i = bisect.bisect_left(self.results, (index, ""))
        return self.results[i][1] if i < len(self.results) else None


class Log:
    """One console log, parsed."""

    def __init__(self, path, raw_lines):
        self.path = path
        self.lines = read_console(raw_lines)
        self.kunit = []
        self.suites = []
        self.problems = []
        self.done = False
        self.where = []  # per line: the Suite it belongs to, or a label
        self.parse()

    def parse(self):
        begins = 0
        kunit = user = None
        kunit_planned = None
        kunit_closed = 0
        for i, line in enumerate(self.lines):
            text = line.text
            if line.kernel:
                indent = len(text) - len(text.lstrip(" "))
                m = SUBTEST.match(text)
                if m and len(m.group(1)) == 4:
                    if kunit is not None:
                        kunit.end_doc()
                        kunit.problem("did not finish (no closing result line)")
                    kunit = Suite("kunit:" + m.group(2))
                    self.kunit.append(kunit)
                p = PLAN.match(text.strip())
                r = RESULT.match(text.strip())
                if p and indent == 0:
                    kunit_planned = (kunit_planned or 0) + int(p.group(1))
                elif p and indent == 4 and kunit is not None:
                    kunit.plan(int(p.group(1)), p.group(2))
                elif r and indent == 4 and kunit is not None:
                    kunit.add(i, r.group(1) == "ok", int(r.group(2)),
                              r.group(3), r.group(4))
                elif r and indent == 0:
                    kunit_closed += 1
                    if kunit is not None:
                        kunit.end_doc()
                        kunit.closed = True
                        if r.group(3) != kunit.name[len("kunit:"):]:
                            kunit.problem("closed by a result named %r" % r.group(3))
                        if r.group(1) != "ok" and not kunit.failed:
                            kunit.problem("suite reported not ok")
                        if not kunit.reported():
                            kunit.problem("reported no test results")
                        self.where.append(kunit)
                        kunit = None
                        continue
                if kunit is not None:
                    self.where.append(kunit)
                elif user is not None:
                    self.where.append(user)
                else:
                    self.where.append("init" if begins else "boot")
                continue

            m = SETUP_FAILED.match(text)
            if text == "dmabuf-ic: begin":
                begins += 1
                if begins == 2:
                    self.problems.append("a second 'dmabuf-ic: begin': the guest started twice")
            elif text == "dmabuf-ic: done":
                self.done = True
            elif m:
                self.problems.append("the guest's setup failed: %s" % m.group(1))
            elif begins and SUITE_START.match(text):
                name = SUITE_START.match(text).group(1)
                new = Suite(name)
                if user is not None:
                    user.problem("did not finish: suite %s started while it was open" % name)
                    user.end_doc()
                    new.problem("started while suite %s was still open" % user.name)
                self.suites.append(new)
                user = new
            elif begins and SUITE_END.match(text):
                m = SUITE_END.match(text)
                if user is None:
                    self.problems.append("exit marker of suite %s, which never started" % m.group(1))
                elif user.name != m.group(1):
                    user.problem("did not finish: exit marker of suite %s came instead" % m.group(1))
                    user.end_doc()
                    user = None
                else:
                    self.where.append(user)
                    self.close(user, int(m.group(2)))
                    user = None
                    continue
            elif user is not None and not text.startswith(" "):
                p = PLAN.match(text)
                r = RESULT.match(text)
                if p:
                    user.plan(int(p.group(1)), p.group(2))
                elif r:
                    user.add(i, r.group(1) == "ok", int(r.group(2)),
                             r.group(3), r.group(4))
                elif text.startswith("Bail out!"):
                    user.problem("bailed out: %s" % text)
            if user is not None:
                self.where.append(user)
            else:
                self.where.append("init" if begins else "boot")

        if kunit is not None:
            kunit.end_doc()
            kunit.problem("did not finish (no closing result line)")
        if user is not None:
            user.end_doc()
            user.problem("did not finish (no exit marker)")
        if self.kunit and kunit_planned is None:
            self.problems.append("KUnit printed suites but no KTAP plan")
        elif kunit_planned is not None and kunit_planned != kunit_closed:
            self.problems.append("KUnit planned %d suite(s) but closed %d" %
                                 (kunit_planned, kunit_closed))
        if not self.kunit and not self.suites:
            self.problems.append("no suite ran (log: %s)" % self.path)

    @staticmethod
    def close(suite, rc):
        suite.end_doc()
        suite.closed = True
        whole_skip = (suite.skipped and not suite.passed and not suite.failed)
        if rc != 0 and not suite.failed and not (rc == KSFT_SKIP and whole_skip):
            suite.problem("exit status %d" % rc)
        if not suite.reported() and suite.name != "info":
            suite.problem("reported no test results")

    def all_suites(self):
        return self.kunit + self.suites

    def splats(self):
        """(line index, text, where, test) of every splat line."""
        found = []
        for i, line in enumerate(self.lines):
            if is_ktap(line.text) or not any(p.search(line.text) for p in SPLATS):
                continue
            w = self.where[i]
            if isinstance(w, Suite):
                found.append((i, line.text, w.name, w.test_after(i)))
            else:
                found.append((i, line.text, w, None))
        return found


def load_list(path, what):
    """A "KEY rest of line" file: {KEY: rest}, in file order."""
    entries = {}
    if not path:
        return entries
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, rest = line.partition(" ")
            if not rest.strip():
                sys.exit("%s:%d: %s entry without %s" % (path, n, key, what))
            entries.setdefault(key, []).append(rest.strip())
    return entries


def suite_of(key):
    return key.split("/", 1)[0]


def seen_tests(s):
    return set(s.passed) | set(s.failed) | set(s.known) | {t for t, _ in s.skipped}


def check_stale_entries(suites, listed, fname):
    """An entry of the list @fname names a test that must still misbehave:
    one that passes, or that did not run in a suite that ran, is stale."""
    by_name = {s.name: s for s in suites}
    for s in suites:
        for t in s.passed:
            if "%s/%s" % (s.name, t) in listed:
                s.problem("%s passes: drop it from %s" % (t, fname))
    for key in listed:
        s = by_name.get(suite_of(key))
        if s is not None and key.split("/", 1)[-1] not in seen_tests(s):
            s.problem("%s did not run: drop it from %s" % (key, fname))


def apply_known(suites, known, fname):
    for s in suites:
        for t in list(s.failed):
            if "%s/%s" % (s.name, t) in known:
                s.failed.remove(t)
                s.known.append(t)
    check_stale_entries(suites, known, fname)


def apply_expected_skips(suites, expected, fname):
    for s in suites:
        for t, why in s.skipped:
            key = "%s/%s" % (s.name, t)
            if key not in expected:
                s.problem("%s skipped (%s) and %s does not list it" %
                          (t, why or "no reason given", fname))
    check_stale_entries(suites, expected, fname)


def judge_splats(log, allowed, used):
    """Split @log's splat lines into (allowed, not allowed).  A "cut here"
    line goes with the splat line that follows it."""
    found = log.splats()
    verdict = []
    for i, text, where, test in found:
        key = where if test is None else "%s/%s" % (where, test)
        ok = False
        for message in allowed.get(key, []):
            if message in text:
                used.add((key, message))
                ok = True
        verdict.append(ok)
    for n, (i, text, where, test) in enumerate(found):
        if CUT_HERE.search(text):
            nxt = [v for (j, t, _, _), v in zip(found[n + 1:], verdict[n + 1:])
                   if j - i <= 30 and not CUT_HERE.search(t)][:1]
            verdict[n] = bool(nxt and nxt[0])
    good = [f for f, v in zip(found, verdict) if v]
    bad = [f for f, v in zip(found, verdict) if not v]
    return good, bad


def shown(path):
    """@path as the messages name it: relative to the repository if inside."""
    if not path:
        return ""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    full = os.path.abspath(path)
    return os.path.relpath(full, root) if full.startswith(root + os.sep) else path


def names(value):
    return [n for n in (value or "").split(",") if n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", nargs=2, action="append", default=[],
                    metavar=("LOG", "VM_STATUS"),
                    help="a VM's console log and QEMU's exit status")
    ap.add_argument("--host", nargs=2, action="append", default=[],
                    metavar=("LOG", "STATUS"),
                    help="a host check's log and its exit status; it must "
                    "exist and be newer than every --run log")
    tests = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
    ap.add_argument("--known", default=os.path.join(tests, "known-failures"),
                    help="upstream failures allowed, 'suite/test reason' "
                    "(default: tests/known-failures)")
    ap.add_argument("--expected-skips", default=os.path.join(tests, "expected-skips"),
                    help="skips allowed, 'suite/test reason'; any other skip "
                    "fails (default: tests/expected-skips)")
    ap.add_argument("--allowed-splats", default=os.path.join(tests, "allowed-splats"),
                    help="splats allowed, 'suite/test message' ('boot message' "
                    "for boot); any other splat fails (default: tests/allowed-splats)")
    ap.add_argument("--expect-suites", default="", metavar="A,B",
                    help="userspace suites that must have run")
    ap.add_argument("--expect-kunit", default="", metavar="A,B",
                    help="KUnit suites that must have run")
    args = ap.parse_args()
    if not args.run and not args.host:
        ap.error("nothing to read: give --run or --host")

    known = load_list(args.known, "a reason")
    expected = load_list(args.expected_skips, "a reason")
    allowed = load_list(args.allowed_splats, "a message")
    fnames = {"known": shown(args.known) or "the known failures",
              "skips": shown(args.expected_skips) or "the expected skips",
              "splats": shown(args.allowed_splats) or "the allowed splats"}

    logs = []
    run_problems = []
    for path, status in args.run:
        if not os.path.exists(path):
            run_problems.append("no console log %s (VM status %s)" % (path, status))
            continue
        logs.append((path, int(status), False))
    newest_vm = max([os.path.getmtime(p) for p, _, _ in logs] + [0])
    for path, status in args.host:
        if not os.path.exists(path):
            run_problems.append("the host check wrote no log %s (exit status %s)" %
                                (path, status))
            continue
        if os.path.getmtime(path) < newest_vm:
            run_problems.append("stale host check log %s: older than the VM's console log" % path)
            continue
        logs.append((path, int(status), True))

    suites = []
    splat_context = []
    allowed_seen = []
    used = set()
    wheres = {"boot", "init"}
    for path, status, host in logs:
        with open(path, errors="replace") as f:
            log = Log(path, f.readlines())
        suites += log.all_suites()
        wheres |= {s.name for s in log.all_suites()}
        run_problems += log.problems
        if host:
            if status != 0 and not any(s.failed or s.problems for s in log.all_suites()):
                run_problems.append("the host check exited with status %d but reported no failure (log: %s)" %
                                    (status, path))
        elif status == 124:
            run_problems.append("the VM timed out (log: %s)" % path)
        elif status != 0:
            run_problems.append("QEMU exited with status %d (log: %s)" % (status, path))
        if not log.done:
            run_problems.append("no 'dmabuf-ic: done' marker, the guest did not finish (log: %s)" % path)
        good, bad = judge_splats(log, allowed, used)
        for i, text, where, test in good:
            allowed_seen.append("allowed splat: %s: %s" %
                                (where if test is None else "%s/%s" % (where, test), text))
        if bad:
            run_problems.append("%d kernel splat line(s) (log: %s)" % (len(bad), path))
        for i, text, where, test in bad[:5]:
            lines = log.lines
            at = where if test is None else "%s/%s" % (where, test)
            splat_context.append(
                ["SPLAT (%s line %d, during %s):" % (path, lines[i].number, at)] +
                ["    " + l.text for l in lines[max(0, i - 2):i + 12]])
    for key, messages in allowed.items():
        for message in messages:
            if suite_of(key) in wheres and (key, message) not in used:
                run_problems.append("allowed splat '%s %s' did not happen: drop it from %s" %
                                    (key, message, fnames["splats"]))

    apply_known(suites, known, fnames["known"])
    apply_expected_skips(suites, expected, fnames["skips"])
    ran = {s.name for s in suites}
    for name in names(args.expect_suites):
        if name not in ran:
            run_problems.append("suite %s was asked for but did not run" % name)
    for name in names(args.expect_kunit):
        if "kunit:" + name not in ran:
            run_problems.append("KUnit suite %s is enabled but did not run" % name)

    width = max([len(s.name) for s in suites] + [5])
    print()
    print("%-*s %7s %7s %7s %7s" % (width, "suite", "passed", "failed", "skipped", "known"))
    tp = tf = ts = 0
    for s in suites:
        f = len(s.failed) + len(s.problems)
        sk = len(s.skipped) + len(s.known)
        print("%-*s %7d %7d %7d %7d" % (width, s.name, len(s.passed), f,
                                        len(s.skipped), len(s.known)))
        tp += len(s.passed)
        tf += f
        ts += sk
    for s in suites:
        for t, why in s.skipped:
            print("skipped: %s/%s (%s)" % (s.name, t, why or "no reason given"))
        for t in s.known:
            print("known failure: %s/%s" % (s.name, t))
    for line in allowed_seen:
        print(line)
    for s in suites:
        for t in s.failed:
            print("FAILED: %s/%s" % (s.name, t))
        for p in s.problems:
            print("FAILED: %s: %s" % (s.name, p))
    for block in splat_context:
        print("\n".join(block))
    for p in run_problems:
        print("FAILED: run: %s" % p)
    tf += len(run_problems)
    print("%d passed, %d failed, %d skipped" % (tp, tf, ts))
    return 1 if tf else 0


if __name__ == "__main__":
    sys.exit(main())
