# SPDX-License-Identifier: GPL-2.0
"""gdb script of make profile (scripts/profile.sh): attach to the bench VM's
QEMU gdbstub and single-step the guest kernel through one unmap and one
revoke of a BAR and one revoke of a mock DMA-buf, writing the address of
every instruction executed.

Run as: gdb -batch -x profile_gdb.py VMLINUX, with the environment:
  PROFILE_PORT  the gdbstub's TCP port on 127.0.0.1
  PROFILE_OUT   a directory: unmap.pcs, close.pcs, revoke.pcs and
                mockrevoke.pcs land there

The VM waits for gdb (run-vm.sh --gdb starts QEMU with -S), so every call
is counted from the first instruction of the boot. The guest runs
dmabufbench with --repeat 3 on one BAR (see profile.sh), so the calls it
makes are known in advance, the same on both kernels:
  unmap   the third IOMMU_IOAS_UNMAP (iommufd_ioas_unmap()): the probe's
          comes first, then the one before the second map repeat; the
          third, before the third map repeat, unmaps a mapped DMA-buf
          through the same bench_unmap() as the timed unmaps do
  close   the next __fput() called by close(): the close() of the
          DMA-buf's fd, which the bench's unmap includes, releasing the
          buffer
  revoke  the next vfio_pci_dma_buf_move() with revoked true: the first
          timed revoke (the probe's revoke comes before the unmaps), only
          the call's own subtree, where the two kernels differ; the config
          write around it is the same code on both
  mockrevoke  the first timed revoke of the mock experiment with one area
          in two mock domains (--mock 1: M = 1, then M = 2): the DMA-buf
          core's part of it, dma_buf_revoke() on the series, which the
          mock exporter calls for a revoke only (once for the probe and
          three times for the repeats at M = 1, once for the probe at M =
          2), dma_buf_invalidate_mappings() on upstream, which it calls
          for the revoke and again for the restore (eight calls at M = 1,
          two for the probe at M = 2); only calls for the mock DMA-buf
          (its dma_buf_ops) count
Each file holds one hexadecimal address per line, from the function's
first instruction to the last before it returns to its caller, then a line
"# steps N". Single-stepping through QEMU's gdbstub masks the guest's
interrupts and timers; anything else that would land in a trace (the
kernel scheduling another task in the middle) is refused by
profile_report.py. gdb kills the VM when it is done, and when it fails.
"""

import os
import time

import gdb

MAX_STEPS = 200000


def u64(expr):
    return int(gdb.parse_and_eval(expr)) & (2**64 - 1)


def connect(port):
    for _ in range(120):
        try:
            gdb.execute("target remote 127.0.0.1:%s" % port, to_string=True)
            return
        except gdb.error:
            time.sleep(0.5)
    raise gdb.GdbError("no gdbstub on port %s" % port)


class CalledFrom(gdb.Breakpoint):
    """A breakpoint at a function's entry that stops only when the call
    returns into one of the functions @callers"""

    def __init__(self, location, callers):
        super().__init__(location, internal=True)
        self.callers = callers

    def stop(self):
        ret = u64("*(unsigned long *)$rsp")
        where = gdb.execute("info symbol %#x" % ret, to_string=True)
        return where.split()[0] in self.callers


def stop_at(location, ignore=0, condition=None, callers=None):
    """Run the guest to the (ignore + 1)th call of location"""
    if callers:
        bp = CalledFrom(location, callers)
    else:
        bp = gdb.Breakpoint(location, internal=True)
    bp.ignore_count = ignore
    if condition:
        bp.condition = condition
    gdb.execute("continue", to_string=True)
    bp.delete()


def has_function(name):
    try:
        gdb.parse_and_eval(name)
    except gdb.error:
        return False
    return True


def trace(path):
    """Step from a function's first instruction until it returns"""
    sp = u64("$rsp")
    ret = u64("*(unsigned long *)$rsp")
    steps = 1
    with open(path, "w") as out:
        out.write("%x\n" % u64("$pc"))
        while True:
            gdb.execute("stepi", to_string=True)
            pc = u64("$pc")
            if pc == ret and u64("$rsp") > sp:
                break
            out.write("%x\n" % pc)
            steps += 1
            if steps > MAX_STEPS:
                raise gdb.GdbError("%s: no return after %d steps"
                                   % (path, MAX_STEPS))
        out.write("# steps %d\n" % steps)


def main():
    out = os.environ["PROFILE_OUT"]
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    connect(os.environ["PROFILE_PORT"])
    try:
        stop_at("*iommufd_ioas_unmap", ignore=2)
        trace(os.path.join(out, "unmap.pcs"))
        # close() reaches __fput() through fput_close_sync(), which may
        # tail-call it
        stop_at("*__fput", callers=("fput_close_sync", "__x64_sys_close"))
        trace(os.path.join(out, "close.pcs"))
        stop_at("*vfio_pci_dma_buf_move", condition="($rsi & 0xff) == 1")
        trace(os.path.join(out, "revoke.pcs"))
        if has_function("dma_buf_revoke"):
            revoke, ignore = "dma_buf_revoke", 5
        else:
            revoke, ignore = "dma_buf_invalidate_mappings", 10
        # The DMA-buf is the first argument; its ops sit after its size,
        # file and list of attachments
        stop_at("*" + revoke, ignore=ignore,
                condition="*(unsigned long *)($rdi + 32) == "
                "(unsigned long)&iommufd_test_dmabuf_ops")
        trace(os.path.join(out, "mockrevoke.pcs"))
    finally:
        gdb.execute("kill")


main()
