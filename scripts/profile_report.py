#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tabulate where the guest instructions of an operation go, per kernel
function, on the series and on the upstream kernel (make profile).

  profile_report.py --out FILE [--top N] [--env KEY=VALUE]...
                    SERIES_VMLINUX SERIES_DIR UPSTREAM_VMLINUX UPSTREAM_DIR

Each DIR holds the traces scripts/profile_gdb.py wrote for one kernel
(unmap.pcs, close.pcs, revoke.pcs, mockrevoke.pcs: one instruction address
per line, then "# steps N"). Every address is charged to the function of
VMLINUX's symbol table it falls in (nm -n: the nearest text symbol at or
below it). FILE gets a markdown table per operation: the instructions of
each kernel, their difference, and the functions whose counts differ,
largest difference first. Exits 1 when a trace is missing, cut short or
malformed, holds an address below every text symbol, misses the function
that shows it traced the right call (the DMA-buf's detach, release, or an
IOMMU unmap), or switched tasks on the way (__schedule): another task's
work would be counted as the operation's.
"""
import argparse
import bisect
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Operation: (trace files, each with a function it must have run), what it is
OPS = (
    ('unmap', (('unmap.pcs', 'dma_buf_detach'),
               ('close.pcs', 'dma_buf_release')),
     'IOMMU_IOAS_UNMAP of a mapped DMA-buf of a 16 MiB BAR, then the '
     'close() of its fd (the bench\'s unmap): iommufd_ioas_unmap() and the '
     '__fput() that releases the buffer'),
    ('revoke', (('revoke.pcs', 'iommu_unmap'),),
     'memory decode off with the BAR mapped: vfio_pci_dma_buf_move() and '
     'all it calls (the config write around it is the same code on both '
     'kernels)'),
    ('mock revoke', (('mockrevoke.pcs', '__iommu_unmap'),),
     'a revoke of iommufd\'s mock DMA-buf mapped once in each of two mock '
     'domains (the bench\'s mock experiment, one area, two domains): '
     'dma_buf_revoke() on the series, dma_buf_invalidate_mappings() on '
     'upstream, and all they call. The mock domains are test code that '
     'the series extends: mock_unmap_range() and mock_iotlb_sync() keep '
     'what its selftests check, which pages are MMIO and what each unmap '
     'leaves to sync'),
)
# A trace that ran this switched tasks: it counts another task's work
SWITCH = '__schedule'


class ProfileError(Exception):
    pass


def text_symbols(nm_output):
    """(addresses, names) of the text symbols in @nm_output (nm -n), sorted"""
    addrs, names = [], []
    for line in nm_output.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in 'tTwW':
            addrs.append(int(fields[0], 16))
            names.append(fields[2])
    return addrs, names


def load_symbols(vmlinux):
    out = subprocess.run(['nm', '-n', str(vmlinux)], check=True,
                         capture_output=True, text=True).stdout
    symbols = text_symbols(out)
    if not symbols[0]:
        raise ProfileError(f'{vmlinux}: no text symbols')
    return symbols


def read_trace(path):
    """The addresses of trace @path; it must end with its step count"""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise ProfileError(f'{path}: {err.strerror}') from err
    if not lines or not lines[-1].startswith('# steps '):
        raise ProfileError(f'{path}: cut short (no step count at its end)')
    try:
        addrs = [int(line, 16) for line in lines[:-1]]
        steps = int(lines[-1].split()[2])
    except (ValueError, IndexError) as err:
        raise ProfileError(f'{path}: malformed ({err})') from err
    if not addrs or len(addrs) != steps:
        raise ProfileError(f'{path}: {len(addrs)} addresses, but the trace '
                           f'says {steps} steps')
    return addrs


def per_function(addrs, symbols, where):
    """Instructions of @addrs per function of @symbols"""
    starts, names = symbols
    counts = Counter()
    for addr in addrs:
        i = bisect.bisect_right(starts, addr) - 1
        if i < 0:
            raise ProfileError(f'{where}: address {addr:#x} below every '
                               f'symbol')
        counts[names[i]] += 1
    return counts


def profile(symbols, tracedir, files):
    """Instructions per function over the traces @files of @tracedir, each
    checked for the function it must have run and for a task switch"""
    counts = Counter()
    for name, marker in files:
        path = Path(tracedir) / name
        trace = per_function(read_trace(path), symbols, path)
        if not trace[marker]:
            raise ProfileError(f'{path}: never ran {marker}(), so it is not '
                               f'the call it should be')
        if trace[SWITCH]:
            raise ProfileError(f'{path}: ran {SWITCH}(), so other tasks\' '
                               f'work is in it')
        counts.update(trace)
    return counts


def table(series, upstream, top):
    """Markdown rows: the functions whose counts differ, largest first"""
    names = sorted(set(series) | set(upstream),
                   key=lambda n: (-abs(series[n] - upstream[n]), n))
    rows = ['| function | series | upstream | difference |',
            '|---|---:|---:|---:|']
    shown = 0
    for name in names:
        diff = series[name] - upstream[name]
        if not diff:
            continue
        if shown == top:
            rest = [n for n in names if series[n] != upstream[n]]
            rows.append(f'| ({len(rest) - top} more) | | | |')
            break
        rows.append(f'| {name} | {series[name]} | {upstream[name]} | '
                    f'{diff:+d} |')
        shown += 1
    return rows


def report(series_syms, series_dir, upstream_syms, upstream_dir, top, env):
    lines = ['# Where the instructions go: series and upstream, per function',
             '',
             'Counted by single-stepping the guest kernel through QEMU\'s '
             'gdbstub (make profile): every instruction the vCPU executed '
             'in the operation, charged to the kernel function it lies in '
             '(a rep-prefixed string instruction counts once per '
             'iteration). Functions with the same count on both kernels '
             'are left out. The system call entry and exit are not '
             'traced, so the totals are below make bench\'s counts of the '
             'same operations; their differences compare.', '']
    lines += [f'- {item}' for item in env]
    for op, files, what in OPS:
        s = profile(series_syms, series_dir, files)
        u = profile(upstream_syms, upstream_dir, files)
        ts, tu = sum(s.values()), sum(u.values())
        lines += ['', f'## {op}', '', what + '.', '',
                  f'Instructions: series {ts}, upstream {tu}, difference '
                  f'{ts - tu:+d} ({ts / tu:.3f}x).', '']
        lines += table(s, u, top)
    return '\n'.join(lines) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--env', action='append', default=[])
    ap.add_argument('series_vmlinux')
    ap.add_argument('series_dir')
    ap.add_argument('upstream_vmlinux')
    ap.add_argument('upstream_dir')
    args = ap.parse_args()
    try:
        text = report(load_symbols(args.series_vmlinux), args.series_dir,
                      load_symbols(args.upstream_vmlinux), args.upstream_dir,
                      args.top, args.env)
    except ProfileError as err:
        print(f'profile_report: {err}', file=sys.stderr)
        return 1
    Path(args.out).write_text(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
