#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make exported patches ready to post, as 'make export' writes them.

  patchmail.py patches TREE CHANGELOG PATCH...
      Give each patch the To: and Cc: that the tree's
      scripts/get_maintainer.pl computes for it (maintainers To:, reviewers
      and lists Cc:), and its entry of CHANGELOG below the '---' line, where
      'git am' drops it.  A patch without an entry is an error.

  patchmail.py cover TREE COVER PATCH...
      Rewrite the cover letter COVER in the form 'git format-patch
      --cover-letter' gives it: its headers (To:/Cc: the union over the
      patches) and, after its hand-written text, the shortlog and diffstat of
      TREE's base..HEAD.  The text between the headers and the shortlog is
      kept as it is.

CHANGELOG holds one block per patch, headed by '== <subject> ==', in which
every line is copied below '---'; lines starting with '#' are comments.
"""

import os
import re
import subprocess
import sys

COVER_FROM = 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001'


def die(msg):
    sys.stderr.write(f'patchmail: {msg}\n')
    sys.exit(1)


def split_headers(text):
    """(header lines, rest) of a mail; headers end at the first blank line."""
    head, sep, body = text.partition('\n\n')
    if not sep:
        die('no blank line after the mail headers')
    return head.split('\n'), body


def header_value(headers, name):
    """The unfolded value of header NAME, or None."""
    for i, line in enumerate(headers):
        if line.lower().startswith(name.lower() + ':'):
            value = line[len(name) + 1:].strip()
            for cont in headers[i + 1:]:
                if not cont[:1].isspace():
                    break
                value += ' ' + cont.strip()
            return value
    return None


def drop_header(headers, name):
    out, skipping = [], False
    for line in headers:
        if line.lower().startswith(name.lower() + ':'):
            skipping = True
            continue
        if skipping and line[:1].isspace():
            continue
        skipping = False
        out.append(line)
    return out


def subject_of(headers):
    subject = header_value(headers, 'Subject')
    if subject is None:
        die('a patch without a Subject: header')
    return re.sub(r'^\[[^]]*\]\s*', '', subject)


def fold(name, addrs):
    """NAME: a,\\n\\tb as format-patch folds an address list."""
    if not addrs:
        return []
    lines = [f'{name}: {addrs[0]}']
    for addr in addrs[1:]:
        lines[-1] += ','
        lines.append(f'    {addr}')
    return lines


def read_changelog(path):
    entries, current = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            m = re.match(r'^== (.*) ==$', line)
            if m:
                current = m.group(1)
                if current in entries:
                    die(f'{path}: two entries for "{current}"')
                entries[current] = []
            elif line.startswith('#'):
                continue
            elif current is not None:
                entries[current].append(line)
    return {k: '\n'.join(v).strip('\n') for k, v in entries.items()}


def maintainers(tree, patch):
    """(to, cc) for PATCH from get_maintainer.pl, in its order."""
    # Perl orders hash keys at random: fix the seed, so that the same
    # patch always gets its recipients in the same order
    env = dict(os.environ, PERL_HASH_SEED='0', PERL_PERTURB_KEYS='0')
    out = subprocess.run(
        ['perl', 'scripts/get_maintainer.pl', '--no-git', '--no-git-fallback',
         '--no-tree', '--rolestats', patch],
        cwd=tree, capture_output=True, text=True, check=False, env=env)
    if out.returncode:
        die(f'get_maintainer.pl failed on {patch}: {out.stderr.strip()}')
    to, cc = [], []
    for line in out.stdout.splitlines():
        if not line.strip():
            continue
        # An address, then its roles; a role may hold parentheses itself
        # (a keyword's regular expression), so split after the address.
        m = re.match(r'^(.*?<[^>]+>|[^\s<>]+@[^\s<>]+) \((.*)\)$',
                     line.strip())
        if not m:
            die(f'get_maintainer.pl on {patch}: cannot read "{line}"')
        addr, roles = m.groups()
        # A person who maintains anything the patch touches goes To:
        if re.search(r'(^|,)maintainer:', roles):
            to.append(addr)
        else:
            cc.append(addr)
    return to, [a for a in cc if a not in to]


def mail_patch(tree, changelog, patch, used):
    with open(patch, encoding='utf-8') as f:
        text = f.read()
    headers, body = split_headers(text)
    subject = subject_of(headers)
    if subject not in changelog:
        die(f'{patch}: no changelog entry "== {subject} ==" in the changelog')
    used.add(subject)
    to, cc = maintainers(tree, patch)
    headers = drop_header(drop_header(headers, 'To'), 'Cc')
    at = next(i for i, h in enumerate(headers) if h.startswith('Subject:'))
    at += 1
    while at < len(headers) and headers[at][:1].isspace():
        at += 1
    headers[at:at] = fold('To', to) + fold('Cc', cc)
    # format-patch output, fresh from the tree: the first '---' ends the
    # commit message, and the diffstat follows it directly
    lines = body.split('\n')
    try:
        cut = lines.index('---')
    except ValueError:
        die(f'{patch}: no --- line after the commit message')
    if not lines[cut + 1].startswith(' '):
        die(f'{patch}: --- is not followed by the diffstat (mailed twice?)')
    lines[cut + 1:cut + 1] = changelog[subject].split('\n') + ['']
    with open(patch, 'w', encoding='utf-8') as f:
        f.write('\n'.join(headers) + '\n\n' + '\n'.join(lines))
    return to, cc


def cmd_patches(tree, changelog_path, patches):
    changelog = read_changelog(changelog_path)
    used = set()
    for p in patches:
        mail_patch(tree, changelog, p, used)
    stale = sorted(set(changelog) - used)
    if stale:
        die('changelog entries for no patch in the series: ' +
            '; '.join(stale))


def git(tree, *args):
    return subprocess.run(['git', '-C', tree, *args], capture_output=True,
                          text=True, check=True).stdout


def cmd_cover(tree, cover, patches):
    to, cc = [], []
    for p in patches:
        with open(p, encoding='utf-8') as f:
            headers, _ = split_headers(f.read())
        for name, acc in (('To', to), ('Cc', cc)):
            value = header_value(headers, name) or ''
            for addr in re.split(r',\s*(?=(?:[^"]*"[^"]*")*[^"]*$)', value):
                if addr and addr not in acc:
                    acc.append(addr)
    cc = [a for a in cc if a not in to]
    with open(cover, encoding='utf-8') as f:
        headers, body = split_headers(f.read())
    subject = header_value(headers, 'Subject')
    sender = header_value(headers, 'From')
    if not subject or not sender:
        die(f'{cover}: needs From: and Subject: headers')
    n = len(patches)
    m = re.search(r'^\[PATCH v(\d+) ', subject)
    subject = re.sub(r'^\[[^]]*\]\s*', '', subject)
    version = f' v{m.group(1)}' if m else ''
    # The hand-written text ends where the shortlog begins
    lines = body.split('\n')
    end = next((i for i, line in enumerate(lines)
                if re.match(r'^\S.* \(\d+\):$', line)), len(lines))
    text = '\n'.join(lines[:end]).rstrip('\n')
    shortlog = git(tree, 'shortlog', '-w72,2,4', 'base..HEAD').rstrip('\n')
    stat = git(tree, 'diff', '--stat=72', '--summary', 'base', 'HEAD')
    out = [COVER_FROM, f'From: {sender}',
           f'Subject: [PATCH{version} 00/{n}] {subject}']
    out += fold('To', to) + fold('Cc', cc)
    with open(cover, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n\n' + text + '\n\n' + shortlog + '\n\n' +
                stat.rstrip('\n') + '\n\n-- \n')


def main(argv):
    if len(argv) >= 4 and argv[1] == 'patches':
        cmd_patches(argv[2], argv[3], argv[4:])
    elif len(argv) >= 4 and argv[1] == 'cover':
        cmd_cover(argv[2], argv[3], argv[4:])
    else:
        die(__doc__.strip().split('\n\n')[1])


if __name__ == '__main__':
    main(sys.argv)
