#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tabulate and plot what dmabufbench printed in the bench VM runs.

  bench_report.py --out DIR [--env KEY=VALUE]... [--allowed-splats FILE]
                  KERNEL:LOG...

KERNEL is "series" or "upstream"; every LOG is the console log of one boot
of that kernel running the bench suite. KERNEL "series-icount" or
"upstream-icount" names the log of a boot in QEMU's instruction counting
mode (run-vm.sh --icount), whose "ns" are guest instructions. Writes
DIR/results.md (a table per BAR size: median, min and max of each operation
on both kernels, the ratio series/upstream, IOTLB invalidations, IOMMU
leaves; the guest instructions of each operation), DIR/results.tsv and,
when gnuplot is there, DIR/time-vs-size.png and .svg. Exits 1 when a log
holds no measurement, dmabufbench failed in it, or the kernel splatted in
it, judged as make check judges its logs (results.py, with
tests/allowed-splats): numbers of a kernel that warned are not results.
"""
import argparse
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from results import Log, judge_splats, load_list

KERNELS = ('series', 'upstream')
# Suffix of the kernel name of a boot under icount, whose times count
# guest instructions
ICOUNT = '-icount'
OPS = ('map', 'unmap', 'revoke', 'restore')
# The config write alone, timed with no DMA-buf of the BAR: what a revoke
# and a restore include on both kernels, whatever they do besides
DECODE = {'revoke': 'decode_off', 'restore': 'decode_on'}
TABLE_OPS = OPS + tuple(DECODE.values())
NAMES = {'decode_off': 'memory decode off, no DMA-buf (the config write)',
         'decode_on': 'memory decode on, no DMA-buf (the config write)'}
LINE = re.compile(r'(?:^|[\s\]])bench: (.*)$')
VERSION = re.compile(r'Linux version (\S+)')
ALLOWED_SPLATS = Path(__file__).resolve().parent.parent / 'tests' / \
    'allowed-splats'


# What results.py finds wrong with a console log that also spoils a bench
# run: the guest's setup failed (too few huge pages, say) or it booted
# twice. Its other complaints are about tests, which the bench suite has
# none of ("reported no test results"), or are caught here already ("no
# suite ran": no measurement).
SPOILERS = ('setup failed', "a second 'dmabuf-ic: begin'")


def kernel_problems(log, lines, allowed):
    """The splats of console log @log that @allowed (tests/allowed-splats,
    read) does not allow, judged as make check judges them, each with its
    line number, and the guest's own complaints that spoil a bench run"""
    parsed = Log(log, lines)
    _, bad = judge_splats(parsed, allowed, set())
    found = [f'kernel splat at line {parsed.lines[i].number}: '
             f'{text.strip()}' for i, text, _, _ in bad]
    return found + [p for p in parsed.problems
                    if any(s in p for s in SPOILERS)]


def parse_fields(text):
    """'bdf=X size=1 op=map ns=5' -> dict; 'leaves 4k=1' -> leaves_4k"""
    fields = {}
    words = text.split()
    prefix = ''
    for w in words:
        if '=' not in w:
            prefix = w + '_'
            continue
        k, v = w.split('=', 1)
        fields[(prefix if k in ('4k', '2m', '1g') else '') + k] = v
    return fields


class Runs:
    def __init__(self, allowed):
        self.ns = defaultdict(list)        # (kernel, size, op) -> [ns]
        # (kernel, size, op) -> {round: [ns]}; a kernel's i-th log is its
        # round i, paired with the other kernel's i-th
        self.rounds = defaultdict(dict)
        self.nlogs = defaultdict(int)      # kernel -> logs read
        self.inv = defaultdict(list)       # (kernel, size, op) -> [count]
        self.leaves = {}                   # (kernel, size) -> (4k, 2m, 1g)
        self.restore = {}                  # kernel -> kernel|user
        self.versions = defaultdict(set)   # kernel -> {release}
        self.ram = defaultdict(list)       # (kernel, kind, pages, op) -> [ns]
        self.ram_err = {}                  # (kernel, kind, pages) -> errno
        self.ram_size = None
        self.areas = defaultdict(list)     # (kernel, n, m, op) -> [ns]
        self.areas_inv = defaultdict(list)  # (kernel, n, m, op) -> [count]
        self.areas_size = None
        self.mock = defaultdict(list)      # (kernel, n, m, op) -> [ns]
        self.dropped = 0
        self.errors = []
        self.allowed = allowed         # tests/allowed-splats, read

    def read(self, kernel, log):
        """One boot of @kernel: its samples join the pooled ones, and are
        kept apart as one round too"""
        found = False
        this_round = defaultdict(list)
        round_no = self.nlogs[kernel]
        self.nlogs[kernel] += 1
        lines = Path(log).read_text(errors='replace').splitlines()
        for raw in lines:
            raw = raw.rstrip('\r')
            m = VERSION.search(raw)
            if m:
                self.versions[kernel].add(m.group(1))
            if 'dmabufbench: ' in raw:
                self.errors.append(f'{log}: {raw.strip()}')
            m = LINE.search(raw)
            if not m:
                continue
            f = parse_fields(m.group(1))
            # A kernel message on the console may cut into a line: the
            # numbers must be whole, else the line is dropped and counted
            if not all(re.fullmatch(r'\d+', f[k]) for k in
                       ('size', 'ns', 'iotlb_inv', 'error', 'areas',
                        'mock_areas', 'domains',
                        'leaves_4k', 'leaves_2m', 'leaves_1g') if k in f):
                self.dropped += 1
                continue
            if 'restore' in f:
                self.restore[kernel] = f['restore']
                continue
            # Every measurement names its size; one without was cut short
            if 'size' not in f:
                self.dropped += 1
                continue
            if 'mock_areas' in f:
                if not all(k in f for k in ('domains', 'op', 'ns')):
                    self.dropped += 1
                    continue
                key = (kernel, int(f['mock_areas']), int(f['domains']),
                       f['op'])
                self.mock[key].append(int(f['ns']))
                continue
            if 'areas' in f:
                if 'op' not in f or ('ns' not in f and
                                     'iotlb_inv' not in f):
                    self.dropped += 1
                    continue
                self.areas_size = int(f['size'])
                key = (kernel, int(f['areas']), int(f.get('domains', 1)),
                       f['op'])
                if 'iotlb_inv' in f:
                    self.areas_inv[key].append(int(f['iotlb_inv']))
                else:
                    self.areas[key].append(int(f['ns']))
                continue
            if 'ram' in f:
                self.ram_size = int(f['size'])
                key = (kernel, f['ram'], f['pages'])
                if 'error' in f:
                    self.ram_err[key] = int(f['error'])
                else:
                    self.ram[key + (f['op'],)].append(int(f['ns']))
                continue
            size = int(f['size'])
            if 'ns' in f:
                self.ns[(kernel, size, f['op'])].append(int(f['ns']))
                this_round[(kernel, size, f['op'])].append(int(f['ns']))
                found = True
            elif 'iotlb_inv' in f:
                self.inv[(kernel, size, f['op'])].append(int(f['iotlb_inv']))
            elif 'leaves_4k' in f:
                self.leaves[(kernel, size)] = (int(f['leaves_4k']),
                                               int(f['leaves_2m']),
                                               int(f['leaves_1g']))
        for key, values in this_round.items():
            self.rounds[key][round_no] = values
        if not found:
            self.errors.append(f'{log}: no measurement')
        self.errors.extend(f'{log}: {problem}' for problem in
                           kernel_problems(log, lines, self.allowed))

    def sizes(self):
        return sorted({s for (_, s, _) in self.ns})


def human(size):
    for unit, shift in (('GiB', 30), ('MiB', 20), ('KiB', 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f'{size >> shift} {unit}'
    return f'{size} B'


def ms(ns):
    return f'{ns / 1e6:.3f}'


def stats(values):
    return statistics.median(values), min(values), max(values)


def net(runs, kernel, size, op):
    """Median of @op less the median of the config write it includes, in
    ns, or None where either was not measured"""
    a, b = (median(runs, kernel, size, op),
            median(runs, kernel, size, DECODE[op]))
    return None if a is None or b is None else a - b


def net_ratio(runs, size, op):
    """series/upstream of the net times; None unless both are positive and
    upstream's is at least a tenth of its config write (a difference of
    medians inside the noise has no meaningful ratio, and a tiny divisor
    would make one up)"""
    s_, u = (net(runs, 'series', size, op), net(runs, 'upstream', size, op))
    if s_ is None or u is None or s_ <= 0 or u <= 0:
        return None
    if u < median(runs, 'upstream', size, DECODE[op]) / 10:
        return None
    return s_ / u


def net_rows(runs, size):
    out = []
    for op in DECODE:
        vals = [net(runs, k, size, op) for k in KERNELS]
        if None in vals:
            continue
        ratio = net_ratio(runs, size, op)
        name = f'{op} less the config write'
        if op == 'restore':
            name += (' (series: the kernel\'s remap; upstream: userspace\'s '
                     'unmap, export, map)')
        cell = (f'{ratio:.2f}{net_round_range(runs, size, op)}' if ratio
                else 'n/a')
        out.append(f'| {name} | {ms(vals[0])} | {ms(vals[1])} | {cell} | | |')
    return out


def op_name(runs, op):
    """How the tables name @op; the restore says who restores on upstream"""
    if op == 'restore':
        return ('restore (series: the kernel; upstream: '
                f'{runs.restore.get("upstream", "?")}space unmap, export, '
                'map)')
    return NAMES.get(op, op)


def kernel_cells(samples, cell):
    """One cell per kernel, cell(median, min, max, n) of its samples (a dict
    kernel -> list) or 'n/a', and the medians by kernel"""
    cells, med = [], {}
    for k in KERNELS:
        v = samples.get(k)
        if not v:
            cells.append('n/a')
            continue
        m, lo, hi = stats(v)
        med[k] = m
        cells.append(cell(m, lo, hi, len(v)))
    return cells, med


def table(runs):
    out = []
    for size in runs.sizes():
        out.append(f'\n### BAR of {human(size)}\n')
        out.append('| operation | series median (min-max) ms | upstream median '
                   '(min-max) ms | series/upstream (per round) | IOTLB inv. series | '
                   'IOTLB inv. upstream |')
        out.append('|---|---|---|---|---|---|')
        for op in TABLE_OPS:
            cells, med = kernel_cells(
                {k: runs.ns.get((k, size, op)) for k in KERNELS},
                lambda m, lo, hi, n: f'{ms(m)} ({ms(lo)}-{ms(hi)}), n={n}')
            if not med and op not in OPS:
                continue
            ratio = (f'{med["series"] / med["upstream"]:.2f}'
                     f'{round_range(runs, size, op)}'
                     if len(med) == 2 and med['upstream'] else 'n/a')
            inv = [','.join(str(x) for x in sorted(set(
                runs.inv.get((k, size, op), [])))) or 'n/a' for k in KERNELS]
            out.append(f'| {op_name(runs, op)} | {cells[0]} | {cells[1]} | {ratio} | '
                       f'{inv[0]} | {inv[1]} |')
        out.extend(net_rows(runs, size))
        for k in KERNELS:
            lv = runs.leaves.get((k, size))
            if lv:
                out.append(f'\n{k}: IOMMU leaves after the map: {lv[0]} of '
                           f'4 KiB, {lv[1]} of 2 MiB, {lv[2]} of 1 GiB.')
    return '\n'.join(out)


def per_unit_cells(samples, units, digits):
    """Median ms and median per unit us of each kernel's samples (a dict
    kernel -> list), then the ratio series/upstream of the medians"""
    cells, med = [], {}
    for k in KERNELS:
        v = samples.get(k)
        if v:
            med[k] = statistics.median(v)
            cells += [ms(med[k]), f'{med[k] / units / 1e3:.{digits}f}']
        else:
            cells += ['n/a', 'n/a']
    ratio = (f'{med["series"] / med["upstream"]:.2f}'
             if len(med) == 2 and med['upstream'] else 'n/a')
    return cells, ratio


def areas_table(runs):
    keys = sorted({(n, m) for (_, n, m, _) in runs.areas})
    if not keys:
        return ''
    out = [f'\n### One DMA-buf ({human(runs.areas_size)} BAR) mapped as N '
           'areas of M VT-d domains\n',
           'Revoke: memory decode off. Restore: on again; on upstream, what '
           'a VMM must do then: unmap, export and map every area. M = 2: a '
           'second device attached to a paging domain of its own in the same '
           'IOAS. Per pair: the median divided by N x M.\n',
           '| N | M | op | series median ms | per (area, domain) us | '
           'upstream median ms | per (area, domain) us | series/upstream | '
           'IOTLB inv. series | IOTLB inv. upstream |',
           '|---|---|---|---|---|---|---|---|---|---|']
    for n, m in keys:
        for op in ('revoke', 'restore'):
            cells, ratio = per_unit_cells(
                {k: runs.areas.get((k, n, m, op)) for k in KERNELS}, n * m, 1)
            inv = [str(max(runs.areas_inv.get((k, n, m, op)) or ['n/a']))
                   for k in KERNELS]
            out.append(f'| {n} | {m} | {op} | {cells[0]} | {cells[1]} | '
                       f'{cells[2]} | {cells[3]} | {ratio} | {inv[0]} | '
                       f'{inv[1]} |')
    return '\n'.join(out)


def mock_table(runs):
    keys = sorted({(n, m) for (_, n, m, _) in runs.mock})
    if not keys:
        return ''
    out = ['\n### A mock DMA-buf mapped as N areas of an IOAS with M mock '
           'domains\n',
           'iommufd\'s selftest mock domains and mock exporter: revoke and '
           'restore are the mock exporter\'s; on upstream the restore is '
           'userspace\'s unmap and map of every area. Per pair: the median '
           'divided by N x M. Mock domains have no IOTLB to count.\n',
           '| N | M | op | series median ms | per (area, domain) us | '
           'upstream median ms | per (area, domain) us | series/upstream |',
           '|---|---|---|---|---|---|---|---|']
    for n, m in keys:
        for op in ('revoke', 'restore'):
            cells, ratio = per_unit_cells(
                {k: runs.mock.get((k, n, m, op)) for k in KERNELS}, n * m, 2)
            out.append(f'| {n} | {m} | {op} | {" | ".join(cells)} | '
                       f'{ratio} |')
    return '\n'.join(out)


def mock_goals(runs):
    """Time per (area, domain) flat between the two largest N, at every M,
    on the series: at small N fixed costs dominate and would hide growth"""
    out = []
    ms_ = sorted({m for (k, _, m, _) in runs.mock if k == 'series'})
    for m in ms_:
        for op in ('revoke', 'restore'):
            ns = sorted(n for (k, n, mm, o) in runs.mock
                        if k == 'series' and mm == m and o == op)[-2:]
            if len(ns) < 2:
                continue
            per = [statistics.median(runs.mock[('series', n, m, op)]) /
                   (n * m) for n in ns]
            res = (f'{per[-1] / per[0]:.2f}x from N={ns[0]} to N={ns[-1]}: '
                   f'{"met" if per[-1] / per[0] <= 1.5 else "NOT met"}')
            out.append(f'| mock {op} time per (area, domain) flat (within '
                       f'1.5x) | {m} mock domain{"s" if m > 1 else ""} | '
                       f'{res} |')
    return out


def areas_goals(runs):
    """Per number of domains M: at most one IOTLB invalidation per domain
    per revoke and per restore, whatever the number of areas, and revoke
    time per area flat from N = 10 on"""
    out = []
    for m in sorted({m for (k, _, m, _) in runs.areas if k == 'series'}):
        ns = sorted({n for (k, n, mm, _) in runs.areas
                     if k == 'series' and mm == m})
        if len(ns) < 2:
            continue
        where = f'{m} domain{"s" if m > 1 else ""}'
        for op in ('revoke', 'restore'):
            inv = [max(runs.areas_inv.get(('series', n, m, op)) or [-1])
                   for n in ns]
            res = ('not measured' if -1 in inv else
                   'met' if max(inv) <= m else f'NOT met ({inv})')
            out.append(f'| at most one IOTLB invalidation per domain per '
                       f'{op}, N = {", ".join(map(str, ns))} | {where} | '
                       f'{res} |')
        # The two largest N, each less the config write every revoke
        # includes (else that fixed cost makes any growth look flat)
        lo = [n for n in ns if runs.areas.get(('series', n, m, 'revoke'))]
        lo = lo[-2:]
        write = median(runs, 'series', runs.areas_size, 'decode_off') or 0
        per = [(statistics.median(runs.areas[('series', n, m, 'revoke')]) -
                write) / n for n in lo]
        if len(lo) == 2 and per[0] > 0:
            res = (f'{per[-1] / per[0]:.2f}x from N={lo[0]} to N={lo[-1]}: '
                   f'{"met" if per[-1] / per[0] <= 1.5 else "NOT met"}')
            out.append(f'| revoke time per area flat (within 1.5x), less the '
                       f'config write | {where} | {res} |')
    return out


def round_ratios(runs, size, op):
    """The ratio series/upstream of the medians of each round, the i-th boot
    of the series against the i-th of upstream"""
    s_, u = (runs.rounds.get(('series', size, op), {}),
             runs.rounds.get(('upstream', size, op), {}))
    return [statistics.median(s_[r]) / statistics.median(u[r])
            for r in sorted(s_.keys() & u.keys())
            if statistics.median(u[r])]


def round_net_ratios(runs, size, op):
    """Per round, the ratio of the net times (@op less its config write),
    where upstream's net is at least a tenth of its config write"""
    out = []
    keys = [(k, size, o) for k in KERNELS for o in (op, DECODE[op])]
    rounds = set.intersection(*(set(runs.rounds.get(key, {}))
                                for key in keys))
    for r in sorted(rounds):
        med = {key: statistics.median(runs.rounds[key][r]) for key in keys}
        s_ = med[('series', size, op)] - med[('series', size, DECODE[op])]
        u = (med[('upstream', size, op)] -
             med[('upstream', size, DECODE[op])])
        if u > med[('upstream', size, DECODE[op])] / 10:
            out.append(s_ / u)
    return out


def net_round_range(runs, size, op):
    """' (rounds lo-hi)' of the net ratios where there were several"""
    r = round_net_ratios(runs, size, op)
    return f' (rounds {min(r):.2f}-{max(r):.2f})' if len(r) > 1 else ''


def round_range(runs, size, op):
    """' (rounds lo-hi)' when there were several rounds, else ''"""
    r = round_ratios(runs, size, op)
    return f' (rounds {min(r):.2f}-{max(r):.2f})' if len(r) > 1 else ''


def median(runs, kernel, size, op):
    v = runs.ns.get((kernel, size, op))
    return statistics.median(v) if v else None


def ratio_goal(runs, size, op, limit):
    s_, u = (median(runs, 'series', size, op),
             median(runs, 'upstream', size, op))
    if s_ is None or not u:
        return 'not measured'
    return (f'{s_ / u:.2f}x{round_range(runs, size, op)}: '
            f'{"met" if s_ / u <= limit else "NOT met"}')


def restore_goal(runs, size):
    """Restore against upstream's userspace unmap, export and map: both
    include the config write that sets memory decode, which is taken out
    where it was measured (the row with it in stays in the table)"""
    if net(runs, 'series', size, 'restore') is None:
        return [f'| restore at most 0.5x upstream | {human(size)} | '
                f'{ratio_goal(runs, size, "restore", 0.5)} |']
    r = net_ratio(runs, size, 'restore')
    res = ('n/a (a net time within the noise)' if r is None else
           f'{r:.2f}x{net_round_range(runs, size, "restore")}: '
           f'{"met" if r <= 0.5 else "NOT met"}')
    return [f'| restore at most 0.5x upstream\'s unmap, export and map (both '
            f'less the config write) | {human(size)} | {res} |',
            f'| restore with the config write, at most 0.5x upstream\'s '
            f'(informative) | {human(size)} | '
            f'{ratio_goal(runs, size, "restore", 0.5)} |']


def goals(runs, ic):
    """The goals of the benchmark, each met or not, per BAR size; those on
    time again in instructions where there were boots under icount"""
    out = ['\n## Goals\n', '| goal | BAR | result |', '|---|---|---|']
    for size in runs.sizes():
        for op in ('map', 'unmap', 'revoke'):
            out.append(f'| {op} at most 1.0x upstream | {human(size)} '
                       f'| {ratio_goal(runs, size, op, 1.0)} |')
        out.extend(restore_goal(runs, size))
        ls, lu = (runs.leaves.get(('series', size)),
                  runs.leaves.get(('upstream', size)))
        res = ('not measured' if not ls or not lu else
               'met' if ls == lu else f'NOT met ({ls} vs {lu})')
        out.append(f'| leaves identical to upstream | {human(size)} | {res} |')
        inv = runs.inv.get(('series', size, 'revoke'))
        res = ('not measured' if not inv else
               'met' if max(inv) <= 1 else f'NOT met ({max(inv)})')
        out.append(f'| at most one IOTLB invalidation per revoke (one '
                   f'domain) | {human(size)} | {res} |')
    out.extend(icount_goals(ic))
    out.extend(areas_goals(runs))
    out.extend(mock_goals(runs))
    return '\n'.join(out)


def count(n):
    return f'{n:,.0f}'


def icount_cells(samples):
    """'median (min-max)' instructions of each kernel's samples (a dict
    kernel -> list) and the ratio series/upstream of the medians"""
    cells, med = kernel_cells(
        samples, lambda m, lo, hi, n: f'{count(m)} ({count(lo)}-{count(hi)})')
    ratio = (f'{med["series"] / med["upstream"]:.2f}'
             if len(med) == 2 and med['upstream'] else 'n/a')
    return cells, ratio


def icount_table(ic):
    """The instructions the guest executed in each operation, from the
    boots under icount"""
    if not ic.ns:
        return ''
    out = ['\n## Guest instructions per operation (TCG icount)\n',
           'One more boot of each kernel, in QEMU\'s instruction counting '
           'mode (-icount shift=0,sleep=off, both vCPUs on one host thread): '
           'guest time advances by 1 ns per instruction either vCPU '
           'executes, so each timing is the number of guest instructions '
           'executed while the operation ran, userspace\'s and the kernel\'s, '
           'the other vCPU\'s and interrupts\' included, largely whatever the '
           'host was doing. It leaves out what the instructions cost in '
           'caches and memory and the emulated devices\' work (an IOTLB '
           'invalidation counts nothing here: see the tables above); an '
           'operation that sleeps would count its sleep, as the guest clock '
           'jumps to the next timer when both vCPUs are idle.\n',
           '| BAR | operation | series median (min-max) | upstream median '
           '(min-max) | series/upstream |',
           '|---|---|---|---|---|']
    for size in ic.sizes():
        for op in TABLE_OPS:
            cells, ratio = icount_cells(
                {k: ic.ns.get((k, size, op)) for k in KERNELS})
            if cells == ['n/a', 'n/a']:
                continue
            out.append(f'| {human(size)} | {op_name(ic, op)} | {cells[0]} '
                       f'| {cells[1]} | {ratio} |')
    if ic.ram_size:
        out.extend(['', f'| {human(ic.ram_size)} of RAM | pages | operation '
                    '| series median (min-max) | upstream median (min-max) | '
                    'series/upstream |', '|---|---|---|---|---|---|'])
        for kind in ('memfd', 'udmabuf'):
            for pages in ('4k', '2m'):
                for op in ('map', 'unmap'):
                    samples = {k: ic.ram.get((k, kind, pages, op))
                               for k in KERNELS}
                    cells, ratio = icount_cells(samples)
                    for i, k in enumerate(KERNELS):
                        err = ic.ram_err.get((k, kind, pages))
                        if not samples[k] and err is not None:
                            cells[i] = f'refused (errno {err})'
                    out.append(f'| {kind} | {pages} | {op} | {cells[0]} | '
                               f'{cells[1]} | {ratio} |')
    for what, data in (('areas', ic.areas), ('mock areas', ic.mock)):
        keys = sorted({(n, m) for (_, n, m, _) in data})
        if not keys:
            continue
        out.extend(['', f'| {what} N x domains M | operation | series '
                    'median (min-max) | upstream median (min-max) | '
                    'series/upstream |', '|---|---|---|---|---|'])
        for n, m in keys:
            for op in ('revoke', 'restore'):
                cells, ratio = icount_cells(
                    {k: data.get((k, n, m, op)) for k in KERNELS})
                out.append(f'| {n} x {m} | {op} | {cells[0]} | {cells[1]} | '
                           f'{ratio} |')
    return '\n'.join(out)


def icount_goals(ic):
    """The goals on time again, in guest instructions, for every BAR size
    either kernel was counted at"""
    out = []
    for size in ic.sizes():
        for op in ('map', 'unmap', 'revoke'):
            s_, u = (median(ic, 'series', size, op),
                     median(ic, 'upstream', size, op))
            res = ('not measured' if s_ is None or not u else
                   f'{s_ / u:.2f}x: {"met" if s_ / u <= 1.0 else "NOT met"}')
            out.append(f'| {op} at most 1.0x upstream, in guest instructions '
                       f'| {human(size)} | {res} |')
        # The config write's own count moves between boots (the zap of
        # userspace's mappings of the BAR): the revoke's part, net of it
        r = net_ratio(ic, size, 'revoke')
        if r is not None:
            out.append(f'| revoke less the config write at most 1.0x '
                       f'upstream\'s, in guest instructions | {human(size)} '
                       f'| {r:.2f}x: {"met" if r <= 1.0 else "NOT met"} |')
        r = net_ratio(ic, size, 'restore')
        res = ('not measured' if net(ic, 'series', size, 'restore') is None
               or net(ic, 'upstream', size, 'restore') is None else
               'n/a (a net count within the noise)' if r is None else
               f'{r:.2f}x: {"met" if r <= 0.5 else "NOT met"}')
        out.append(f'| restore at most 0.5x upstream\'s unmap, export and '
                   f'map, in guest instructions (both less the config '
                   f'write) | {human(size)} | {res} |')
    return out


def ram_table(runs):
    if not runs.ram_size:
        return ''
    out = [f'\n### {human(runs.ram_size)} of RAM: a memfd through '
           'IOMMU_IOAS_MAP_FILE and a udmabuf over it\n',
           '| buffer | pages | operation | series median (min-max) ms | '
           'upstream median (min-max) ms | series/upstream |',
           '|---|---|---|---|---|---|']
    for kind in ('memfd', 'udmabuf'):
        for pages in ('4k', '2m'):
            for op in ('map', 'unmap'):
                cells, med = [], {}
                for k in KERNELS:
                    v = runs.ram.get((k, kind, pages, op))
                    err = runs.ram_err.get((k, kind, pages))
                    if v:
                        m, lo, hi = stats(v)
                        med[k] = m
                        cells.append(f'{ms(m)} ({ms(lo)}-{ms(hi)}), '
                                     f'n={len(v)}')
                    elif err is not None:
                        cells.append(f'refused (errno {err})')
                    else:
                        cells.append('n/a')
                ratio = (f'{med["series"] / med["upstream"]:.2f}'
                         if len(med) == 2 and med['upstream'] else 'n/a')
                out.append(f'| {kind} | {pages} | {op} | {cells[0]} | '
                           f'{cells[1]} | {ratio} |')
    return '\n'.join(out)


def write_tsv(runs, path):
    with open(path, 'w') as f:
        f.write('size\top\tkernel\tmedian_ns\tmin_ns\tmax_ns\n')
        for size in runs.sizes():
            for op in TABLE_OPS:
                for k in KERNELS:
                    v = runs.ns.get((k, size, op))
                    if v:
                        m, lo, hi = stats(v)
                        f.write(f'{size}\t{op}\t{k}\t{m}\t{lo}\t{hi}\n')


def plot(runs, outdir):
    gnuplot = shutil.which('gnuplot')
    if not gnuplot:
        return 'gnuplot not found: no plot'
    data = outdir / 'plot.dat'
    blocks = []
    for op in OPS:
        for k in KERNELS:
            rows = [(s, stats(runs.ns[(k, s, op)])[0] / 1e6)
                    for s in runs.sizes() if runs.ns.get((k, s, op))]
            blocks.append((f'{op} ({k})', rows))
    with open(data, 'w') as f:
        for _, rows in blocks:
            for s, v in rows:
                f.write(f'{s / (1 << 20)} {v}\n')
            f.write('\n\n')
    plots = ', '.join(
        f"'{data}' index {i} with linespoints title '{name}'"
        for i, (name, rows) in enumerate(blocks) if rows)
    for term, ext in (('pngcairo size 1000,700', 'png'),
                      ('svg size 1000,700', 'svg')):
        script = (f'set terminal {term}\n'
                  f"set output '{outdir / ('time-vs-size.' + ext)}'\n"
                  'set logscale xy\nset grid\n'
                  "set xlabel 'BAR size (MiB)'\n"
                  "set ylabel 'median time (ms)'\n"
                  "set key outside right\n"
                  "set title 'DMA-buf of a BAR through iommufd: series vs "
                  "upstream (TCG)'\n"
                  f'plot {plots}\n')
        r = subprocess.run([gnuplot], input=script, text=True,
                           capture_output=True)
        if r.returncode:
            return f'gnuplot failed: {r.stderr.strip()}'
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--env', action='append', default=[])
    ap.add_argument('--allowed-splats', default=str(ALLOWED_SPLATS))
    ap.add_argument('logs', nargs='+')
    a = ap.parse_args()
    outdir = Path(a.out)
    outdir.mkdir(parents=True, exist_ok=True)
    allowed = load_list(a.allowed_splats, 'message')
    runs, ic = Runs(allowed), Runs(allowed)
    for arg in a.logs:
        kernel, log = arg.split(':', 1)
        if kernel.removesuffix(ICOUNT) not in KERNELS:
            sys.exit(f'bench-report: unknown kernel {kernel}')
        if kernel.endswith(ICOUNT):
            ic.read(kernel.removesuffix(ICOUNT), log)
        else:
            runs.read(kernel, log)

    md = ['# make bench: DMA-buf of a BAR through iommufd, series vs upstream',
          '',
          'Each boot of a kernel ran dmabufbench on every ivshmem BAR of the '
          'VM; the kernels alternated, and each round moved the code of '
          'both by the same number of bytes, another in each round, as the '
          'time TCG takes for the same instructions depends on where they '
          'lie. Times are wall clock in the guest '
          'under TCG, with the console quiet (dmabufbench writes its '
          'lines between batches of timed operations): only the ratio '
          'series/upstream in the same run means something. IOTLB '
          'invalidations are the IOTLB and PASID-IOTLB '
          'descriptors the VT-d driver queued (the intel_iommu:qi_submit '
          'tracepoint) during one more run of the operation; leaves are read '
          'from the Intel IOMMU debugfs page table after a map.',
          '']
    for k in KERNELS:
        md.append(f'- {k} kernel: {", ".join(sorted(runs.versions[k])) or "?"}'
                  f', restore by {runs.restore.get(k, "?")}')
        if ic.nlogs[k]:
            md.append(f'- {k} kernel under icount: '
                      f'{", ".join(sorted(ic.versions[k])) or "?"}')
    for e in a.env:
        key, _, value = e.partition('=')
        md.append(f'- {key}: {value}')
    if runs.dropped + ic.dropped:
        md.append(f'- lines cut by kernel messages on the console, dropped: '
                  f'{runs.dropped + ic.dropped}')
    md.append(table(runs))
    md.append(areas_table(runs))
    md.append(mock_table(runs))
    md.append(ram_table(runs))
    md.append(icount_table(ic))
    md.append(goals(runs, ic))
    note = plot(runs, outdir)
    md.append('\n![time vs BAR size](time-vs-size.svg)' if note is None
              else f'\n({note})')
    runs.errors += ic.errors
    if runs.errors:
        md.append('\n## Errors\n')
        md.extend(f'- {e}' for e in runs.errors)
    (outdir / 'results.md').write_text('\n'.join(md) + '\n')
    write_tsv(runs, outdir / 'results.tsv')
    print(f'bench: report in {outdir / "results.md"}')
    if runs.errors:
        for e in runs.errors:
            print(f'bench: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
