#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/patchmail.py on hand-made patches: where the changelog
and the recipients go, that a patch without a changelog entry or an entry
without a patch fails the export, and how a cover letter is rewritten."""

import importlib.util
import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "patchmail.py")

spec = importlib.util.spec_from_file_location("patchmail", SCRIPT)
patchmail = importlib.util.module_from_spec(spec)
spec.loader.exec_module(patchmail)

PATCH = """\
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: A U Thor <author@example.org>
Date: Mon, 23 Nov 2026 21:33:39 +0000
Subject: [PATCH] iommufd: map files for devices only as mmap() would map them
 for the CPU

Why and what.

Signed-off-by: A U Thor <author@example.org>
---
 drivers/iommu/iommufd/pages.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/drivers/iommu/iommufd/pages.c b/drivers/iommu/iommufd/pages.c
--- a/drivers/iommu/iommufd/pages.c
+++ b/drivers/iommu/iommufd/pages.c
@@ -1 +1,2 @@
 a
+b
--
2.39.5
"""

SUBJECT = ("iommufd: map files for devices only as mmap() would map them "
           "for the CPU")

CHANGELOG = f"""\
# comment
== {SUBJECT} ==
v2:
- Also refuse files not open for reading.
"""

GET_MAINTAINER = r"""
Jason Gunthorpe <jgg@ziepe.ca> (maintainer:IOMMUFD)
"Joerg Roedel (AMD)" <joro@8bytes.org> (maintainer:IOMMU SUBSYSTEM)
Robin Murphy <robin.murphy@arm.com> (reviewer:IOMMU SUBSYSTEM)
Hugh Dickins <hughd@google.com> (reviewer:X,maintainer:TMPFS (SHMEM FILESYSTEM))
Sumit Semwal <sumit.semwal@linaro.org> (maintainer:DMA BUFFER SHARING FRAMEWORK:Keyword:\bdma_(?:buf|fence|resv)\b)
iommu@lists.linux.dev (open list:IOMMUFD)
linux-mm@kvack.org (open list:TMPFS (SHMEM FILESYSTEM))
dri-devel@lists.freedesktop.org (open list:DMA BUFFER SHARING FRAMEWORK:Keyword:\bdma_(?:buf|fence|resv)\b)
"""


class FakeRun:
    """subprocess.run for get_maintainer.pl, with a fixed answer."""

    def __init__(self, stdout):
        self.stdout = stdout

    def __call__(self, *args, **kwargs):
        return subprocess.CompletedProcess(args, 0, self.stdout, "")


class PatchmailTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.patch = os.path.join(self.dir.name, "0001.patch")
        with open(self.patch, "w", encoding="utf-8") as f:
            f.write(PATCH)
        self.changelog = os.path.join(self.dir.name, "changelog")
        with open(self.changelog, "w", encoding="utf-8") as f:
            f.write(CHANGELOG)
        real_run = patchmail.subprocess.run
        patchmail.subprocess.run = FakeRun(GET_MAINTAINER)
        self.addCleanup(setattr, patchmail.subprocess, "run", real_run)

    def mail(self):
        patchmail.cmd_patches(self.dir.name, self.changelog, [self.patch])
        with open(self.patch, encoding="utf-8") as f:
            return f.read()

    def test_changelog_between_dashes_and_diffstat(self):
        out = self.mail()
        self.assertIn("---\nv2:\n- Also refuse files not open for reading.\n"
                      "\n drivers/iommu/iommufd/pages.c | 1 +\n", out)
        # The commit message and the diff are untouched
        self.assertIn("\n\nWhy and what.\n\nSigned-off-by:", out)
        self.assertTrue(out.endswith(PATCH[PATCH.index("diff --git"):]))

    def test_maintainers_to_others_cc(self):
        out = self.mail()
        headers = out.split("\n\n", 1)[0]
        # Roles with parentheses (keywords, entry names) are read too, and
        # a person who maintains any of it goes To:
        self.assertIn(" for the CPU\nTo: Jason Gunthorpe <jgg@ziepe.ca>,\n"
                      '    "Joerg Roedel (AMD)" <joro@8bytes.org>,\n'
                      "    Hugh Dickins <hughd@google.com>,\n"
                      "    Sumit Semwal <sumit.semwal@linaro.org>\n"
                      "Cc: Robin Murphy <robin.murphy@arm.com>,\n"
                      "    iommu@lists.linux.dev,\n"
                      "    linux-mm@kvack.org,\n"
                      "    dri-devel@lists.freedesktop.org\n", headers + "\n")

    def test_unreadable_line_fails(self):
        patchmail.subprocess.run = FakeRun("Someone without an address\n")
        with self.assertRaises(SystemExit):
            self.mail()

    def test_mailed_twice_fails(self):
        self.mail()
        with self.assertRaises(SystemExit):
            self.mail()

    def test_subject_unfolded_and_prefix_dropped(self):
        headers, _ = patchmail.split_headers(PATCH)
        self.assertEqual(SUBJECT, patchmail.subject_of(headers))

    def test_missing_entry_fails(self):
        with open(self.changelog, "w", encoding="utf-8") as f:
            f.write("== some other patch ==\nv2:\n- x\n")
        with self.assertRaises(SystemExit):
            self.mail()

    def test_entry_without_patch_fails(self):
        with open(self.changelog, "a", encoding="utf-8") as f:
            f.write("\n== a patch that is gone ==\nv2:\n- x\n")
        with self.assertRaises(SystemExit):
            self.mail()

    def test_duplicate_entry_fails(self):
        with open(self.changelog, "a", encoding="utf-8") as f:
            f.write(CHANGELOG)
        with self.assertRaises(SystemExit):
            self.mail()

    def test_cover_keeps_text_and_collects_recipients(self):
        self.mail()
        cover = os.path.join(self.dir.name, "cover")
        with open(cover, "w", encoding="utf-8") as f:
            f.write("From: A U Thor <author@example.org>\n"
                    "Subject: [PATCH v2 00/9] old subject\n"
                    "To: someone@old\n\n"
                    "Hand-written text.\n\nA U Thor (9):\n  stale\n")
        real_git = patchmail.git
        patchmail.git = lambda tree, *args: (
            "A U Thor (1):\n  " + SUBJECT + "\n" if args[0] == "shortlog"
            else " pages.c | 1 +\n")
        self.addCleanup(setattr, patchmail, "git", real_git)
        patchmail.cmd_cover(self.dir.name, cover, [self.patch])
        with open(cover, encoding="utf-8") as f:
            out = f.read()
        self.assertIn("Subject: [PATCH v2 00/1] old subject\n", out)
        self.assertIn("To: Jason Gunthorpe <jgg@ziepe.ca>,\n", out)
        self.assertNotIn("someone@old", out)
        self.assertIn('Cc: Robin Murphy <robin.murphy@arm.com>,\n', out)
        self.assertIn("\n\nHand-written text.\n\nA U Thor (1):\n  " + SUBJECT,
                      out)
        self.assertNotIn("stale", out)


if __name__ == "__main__":
    unittest.main()
