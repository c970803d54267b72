#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a test VM's console log into a per-suite table and a closing line.

The log holds KUnit's KTAP (printed by the kernel at boot) and, between
"dmabuf-ic: suite NAME start" and "dmabuf-ic: suite NAME exit=RC" markers,
the KTAP of each userspace suite.  A suite fails on any failed case, on a
non-zero exit status, or on reporting no case at all.  The run fails on a
kernel splat anywhere in the log, a missing "dmabuf-ic: done" marker, or a
VM that did not exit cleanly.  Failures listed in the known-failures file
count as skipped; a listed test that passes is a failure (drop it from the
file).  The last line printed is "N passed, N failed, N skipped".
"""

import argparse
import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
RESULT = re.compile(r"^(not ok|ok)\s+\d+\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
SUITE_START = re.compile(r"^dmabuf-ic: suite (\S+) start$")
SUITE_END = re.compile(r"^dmabuf-ic: suite (\S+) exit=(\d+)$")

# Kernel messages that mean something went wrong in the kernel, whatever
# the tests said.
SPLATS = [
    re.compile(p) for p in (
        r"WARNING: .* at ",
        r"WARNING: CPU: \d+ PID: \d+",
        r"\bBUG: ",
        r"\bBUG at ",
        r"KASAN: ",
        r"UBSAN: ",
        r"kernel BUG at",
        r"Kernel panic",
        r"Oops: ",
        r"general protection fault",
        r"WARNING: possible (circular|recursive) locking",
        r"WARNING: (suspicious RCU usage|inconsistent lock state)",
        r"INFO: possible irq lock inversion",
        r"INFO: task .* blocked for more than",
        r"rcu: INFO: rcu_.* detected stalls",
        r"unreferenced object 0x",
        r"kmemleak: \d+ new suspected memory leaks",
        r"Unable to handle kernel",
        r"watchdog: BUG: soft lockup",
    )
]


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed = []
        self.failed = []
        self.skipped = []  # (test, reason)
        self.known = []
        self.problems = []

    def add(self, ok, test, directive):
        directive = (directive or "").strip()
        if directive.upper().startswith("SKIP"):
            self.skipped.append((test, directive[4:].strip()))
        elif ok:
            self.passed.append(test)
        else:
            self.failed.append(test)


def strip(line):
    line = line.rstrip("\r\n").replace("\r", "")
    return TIMESTAMP.sub("", line)


def parse_kunit(lines):
    """KUnit prints one KTAP document at boot: each suite opens with
    "# Subtest: NAME" at indent 4, its cases report at indent 4 (the cases
    of a parameterised test at 8, summed up by the case's own line), and
    the suite's own result at indent 0 closes it."""
    suites = []
    current = None
    for raw in lines:
        m = re.match(r"^( *)# Subtest: (\S+)", raw)
        if m and len(m.group(1)) == 4:
            current = Suite("kunit:" + m.group(2))
            suites.append(current)
            continue
        r = RESULT.match(raw.strip())
        if not r or current is None:
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent == 4:
            current.add(r.group(1) == "ok", r.group(2), r.group(3))
        elif indent == 0:
            if r.group(1) != "ok" and not current.failed:
                current.problems.append("suite reported not ok")
            current = None
    return suites


def parse(lines):
    suites = []
    kunit_lines = []
    current = None
    begun = done = False
    for line in lines:
        if line == "dmabuf-ic: begin":
            begun = True
            continue
        if line == "dmabuf-ic: done":
            done = True
            continue
        if not begun:
            kunit_lines.append(line)
            continue
        m = SUITE_START.match(line)
        if m:
            current = Suite(m.group(1))
            suites.append(current)
            continue
        m = SUITE_END.match(line)
        if m and current is not None:
            rc = int(m.group(2))
            if rc != 0 and not current.failed:
                current.problems.append("exit status %d" % rc)
            if not (current.passed or current.failed or current.skipped):
                if current.name != "info":
                    current.problems.append("reported no test results")
            current = None
            continue
        if current is None:
            continue
        r = RESULT.match(line)
        if r and not line.startswith(" "):
            current.add(r.group(1) == "ok", r.group(2), r.group(3))
    if current is not None:
        current.problems.append("did not finish (no exit marker)")
    return parse_kunit(kunit_lines) + suites, done


def find_splats(lines):
    found = []
    for i, line in enumerate(lines):
        if any(p.search(line) for p in SPLATS):
            found.append(i)
    return found


def load_known(path):
    known = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                key, _, reason = line.partition(" ")
                known[key] = reason.strip()
    except FileNotFoundError:
        pass
    return known


def apply_known(suites, known):
    for s in suites:
        for t in list(s.failed):
            if "%s/%s" % (s.name, t) in known:
                s.failed.remove(t)
                s.known.append(t)
        for t in s.passed:
            if "%s/%s" % (s.name, t) in known:
                s.problems.append("%s passes: drop it from tests/known-failures" % t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", nargs=2, action="append", required=True,
                    metavar=("LOG", "VM_STATUS"),
                    help="a VM's console log and QEMU's exit status")
    ap.add_argument("--known", default="")
    args = ap.parse_args()

    suites = []
    run_problems = []
    splat_context = []
    for log, status in args.run:
        with open(log, errors="replace") as f:
            lines = [strip(l) for l in f]
        found, done = parse(lines)
        suites += found
        status = int(status)
        if status == 124:
            run_problems.append("the VM timed out (log: %s)" % log)
        elif status != 0:
            run_problems.append("QEMU exited with status %d (log: %s)" % (status, log))
        if not done:
            run_problems.append("no 'dmabuf-ic: done' marker, the guest did not finish (log: %s)" % log)
        splats = find_splats(lines)
        if splats:
            run_problems.append("%d kernel splat line(s) (log: %s)" % (len(splats), log))
        for i in splats[:5]:
            splat_context.append(["SPLAT (%s line %d):" % (log, i + 1)] +
                                 ["    " + l for l in lines[max(0, i - 2):i + 12]])
    apply_known(suites, load_known(args.known) if args.known else {})

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
