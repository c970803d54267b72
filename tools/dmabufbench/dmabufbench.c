// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabufbench: how long a VMM waits to map, unmap, revoke and restore a
 * DMA-buf of a whole BAR through iommufd, and what it costs the IOMMU.
 *
 *   dmabufbench [--repeat N] [--ram SIZE_MIB] [--ram-repeat N]
 *               [--areas N,N...] [--mock N,N...] BDF...
 *
 * For each BDF (a device bound to vfio-pci whose BAR 2 is memory nothing
 * else uses, such as QEMU's ivshmem), in an IOAS the device itself is
 * attached to:
 *   map      export all of BAR 2 as a DMA-buf and IOMMU_IOAS_MAP_FILE it
 *   unmap    IOMMU_IOAS_UNMAP it
 *   revoke   clear the device's memory decode with the BAR mapped
 *   restore  set it again; on a kernel whose revoke is permanent
 *            (upstream), what the VMM must do instead: set the bit, unmap,
 *            export again and map (restore_user)
 *   decode_off, decode_on
 *            clear and set memory decode with no DMA-buf of the BAR: the
 *            config write alone, which a revoke and a restore include
 * Each is timed N times (CLOCK_MONOTONIC), then once more with the
 * intel_iommu:qi_submit tracepoint on, counting the IOTLB invalidation
 * descriptors the VT-d driver submitted during it. After a map the leaves
 * of the device's domain are counted by size (Intel IOMMU debugfs).
 *
 * With --areas, one DMA-buf of the first BDF's BAR 2 is mapped at N IOVAs
 * of its domain, for each N given, and the revoke and the restore (on
 * upstream: unmap, export and map every area) are timed and traced. Where
 * a second BDF was given, the same again with M = 2 VT-d domains in the
 * IOAS: the second device is bound to the same iommufd and attached to a
 * paging domain of its own (IOMMU_HWPT_ALLOC), which the IOAS maps every
 * area into too.
 *
 * With --mock, the same without a device, on iommufd's selftest mock
 * domains and mock exporter (CONFIG_IOMMUFD_TEST): one mock DMA-buf mapped
 * at N IOVAs of an IOAS with M mock domains, for each N given and M = 1, 2
 * and 4 (one mock device, its domain and M - 1 more from IOMMU_HWPT_ALLOC);
 * revoke and restore are the mock exporter's, and on a kernel whose
 * revoke is permanent the restore is again userspace's unmap and map of
 * every area. Mock domains have no IOTLB to count.
 *
 * With --ram, in the IOAS of the first BDF, map and unmap SIZE_MIB MiB of
 * RAM four ways, each N times: a memfd through IOMMU_IOAS_MAP_FILE (iommufd
 * pins its pages), a udmabuf over the same memfd (through the DMA-buf
 * core's IOMMU interconnect, where the kernel has it), and both again over
 * 2 MiB hugetlbfs pages where the kernel has free ones; --ram-repeat times
 * each (0, the default: the --repeat count), as a RAM map takes far longer
 * than one of a BAR.
 *
 * Output, one line each, for the host to tabulate:
 *   bench: bdf=B size=S op=OP ns=N            (one per repeat)
 *   bench: bdf=B size=S op=OP iotlb_inv=N     (the traced run)
 *   bench: bdf=B size=S leaves 4k=N 2m=N 1g=N
 *   bench: restore=kernel|user                 (what this kernel does)
 *   bench: ram=memfd|udmabuf pages=4k|2m size=S op=map|unmap ns=N
 *   bench: ram=KIND pages=P size=S error=ERRNO (the kernel refused it)
 *   bench: areas=N domains=M size=S op=revoke|restore ns=N|iotlb_inv=N
 *   bench: mock_areas=N domains=M size=S op=revoke|restore ns=N
 * stdout is fully buffered (--repeat and --ram-repeat are at most 4000, so
 * that a batch's lines fit in the buffer) and written out, and a terminal
 * on it drained (tcdrain()), before each batch of timed operations, so
 * that nothing printed is still being sent while an operation is timed
 * (see quiet_console()).
 * Exit status: 0 when every step worked, 1 otherwise, 2 on bad usage.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include <vfio/vfio_dmabuf_util.h>

#include "iommufd_test.h"

#define BAR		2
#define TRACEFS		"/sys/kernel/tracing"
#define RW		(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/* Invalidation descriptor types of VT-d's queued invalidation (qw0[3:0]) */
#define QI_IOTLB	0x2
#define QI_PIOTLB	0x6

/* One device under test: its DMA-buf mapped at @iova, or not (@fd < 0) */
struct bench {
	struct iommu *iommu;
	struct vfio_pci_device *device;
	const char *bdf;
	u64 size;
	iova_t iova;
	int fd;
	bool by_user;	/* the kernel leaves the restore to userspace */
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * stdout's buffer: room for the lines of the largest batch between two
 * quiet_console(): two lines of at most 128 bytes for each of at most
 * MAX_REPEAT repeats and the traced run after them. Static, as glibc's
 * setvbuf() ignores the size it is given without a buffer, and stdout is
 * flushed after main() returns.
 */
#define MAX_REPEAT	4000
static char stdout_buffer[1 << 20];
static_assert(sizeof(stdout_buffer) >= (MAX_REPEAT + 1) * 2 * 128,
	      "a batch of lines must fit in stdout's buffer");

/*
 * Write out what the last batch printed and wait until the console has sent
 * it. In the test VM stdout is the serial console, whose driver goes on
 * sending a line from its interrupts after printf() returns; a line printed
 * after each repeat landed in the next timed operation, the more of it the
 * faster the operations before it were (the median unmap of a BAR in a boot
 * ranged from 31 to 71 us, and from 22 to 36 us, most near 23, with the
 * console quiet). Called before each batch, so that nothing timed shares the
 * machine with console output.
 */
static void quiet_console(void)
{
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

static int tracefs_write(const char *file, const char *val)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* Start counting qi_submit events: an empty buffer, the event on */
static int trace_start(void)
{
	int ret = tracefs_write("trace", "");

	if (!ret)
		ret = tracefs_write("events/intel_iommu/qi_submit/enable", "1");
	return ret;
}

/* Stop, and count the IOTLB invalidation descriptors in the buffer */
static long trace_count(void)
{
	char line[512];
	long n = 0;
	FILE *f;

	tracefs_write("events/intel_iommu/qi_submit/enable", "0");
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long qw0;
		char *p = strstr(line, "qi_submit: ");

		/* "qi_submit: dmar0: 0x... 0x... 0x... 0x..." */
		if (!p || !(p = strstr(p, ": 0x")) ||
		    sscanf(p, ": 0x%llx", &qw0) != 1)
			continue;
		if ((qw0 & 0xf) == QI_IOTLB || (qw0 & 0xf) == QI_PIOTLB)
			n++;
	}
	fclose(f);
	return n;
}

static int bench_map(struct bench *b)
{
	struct vfio_region_dma_range range = { .length = b->size };
	int ret;

	b->fd = __vfio_pci_dma_buf_export(b->device, BAR, O_RDWR | O_CLOEXEC,
					  &range, 1);
	if (b->fd < 0)
		return b->fd;
	ret = __iommu_map_file(b->iommu, b->fd, 0, b->size, b->iova, RW);
	if (ret) {
		close(b->fd);
		b->fd = -1;
	}
	return ret;
}

static int bench_unmap(struct bench *b)
{
	int ret = __iommu_unmap_range(b->iommu, b->iova, b->size, NULL);

	close(b->fd);
	b->fd = -1;
	return ret;
}

static int bench_revoke(struct bench *b)
{
	vfio_pci_cmd_clear(b->device, PCI_COMMAND_MEMORY);
	return 0;
}

/* The leaves of the domain of @bdf in [@lo, @hi), or -errno */
static long count_leaves(const char *bdf, iova_t lo, iova_t hi)
{
	char path[PATH_MAX], line[256];
	struct iommu_leaf leaf;
	long n = 0;
	FILE *f;

	intel_iommu_table_path(path, sizeof(path), bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		n += intel_iommu_parse_leaf(line, &leaf) && leaf.iova >= lo &&
		     leaf.iova < hi;
	fclose(f);
	return n;
}

/*
 * After memory decode came back on: 1 if the kernel mapped [@iova, @iova +
 * @size) again, 0 if it is still unmapped, or -errno.
 */
static int kernel_restored(const char *bdf, iova_t iova, u64 size)
{
	long n = count_leaves(bdf, iova, iova + size);

	return n < 0 ? n : n > 0;
}

/*
 * Memory decode back on; where the kernel does not map the BAR again itself,
 * what a VMM does: unmap, export, map. Which of the two this kernel does is
 * found once, before anything is timed.
 */
static int bench_restore(struct bench *b)
{
	int ret;

	vfio_pci_cmd_set(b->device, PCI_COMMAND_MEMORY);
	if (!b->by_user)
		return 0;
	ret = bench_unmap(b);
	return ret ? ret : bench_map(b);
}

/* Whether this kernel restores a revoked mapping itself; leaves it unmapped */
static int probe_restore(struct bench *b)
{
	int ret = bench_map(b), err;

	if (ret)
		return ret;
	bench_revoke(b);
	vfio_pci_cmd_set(b->device, PCI_COMMAND_MEMORY);
	ret = kernel_restored(b->bdf, b->iova, b->size);
	b->by_user = !ret;
	err = bench_unmap(b);
	if (err)
		return err;
	return ret < 0 ? ret : 0;
}

/* Count the leaves that map the BAR by size */
static int print_leaves(struct bench *b)
{
	u64 max = b->size / SZ_4K + 1, n4k = 0, n2m = 0, n1g = 0;
	struct iommu_leaf *leaves = calloc(max, sizeof(*leaves));
	int n, i;

	if (!leaves)
		return -ENOMEM;
	n = intel_iommu_leaves(b->bdf, b->iova, b->size, leaves, max);
	for (i = 0; i < n; i++) {
		n4k += leaves[i].size == SZ_4K;
		n2m += leaves[i].size == SZ_2M;
		n1g += leaves[i].size == SZ_1G;
	}
	free(leaves);
	if (n < 0)
		return n;
	printf("bench: bdf=%s size=%llu leaves 4k=%llu 2m=%llu 1g=%llu\n",
	       b->bdf, (unsigned long long)b->size, (unsigned long long)n4k,
	       (unsigned long long)n2m, (unsigned long long)n1g);
	return 0;
}

/*
 * The decode toggles time what clearing and setting memory decode costs with
 * no DMA-buf of the BAR: the part of a revoke or a restore that is the
 * config write itself, the same on every kernel.
 */
enum op { OP_MAP, OP_UNMAP, OP_REVOKE, OP_RESTORE, OP_OFF, OP_ON, OP_END };

static const char *const op_names[] = {
	"map", "unmap", "revoke", "restore", "decode_off", "decode_on",
};

/* Bring the mapping into the state @op starts from */
static int prepare(struct bench *b, enum op op)
{
	if (op == OP_MAP || op == OP_OFF || op == OP_ON) {
		int ret = b->fd >= 0 ? bench_unmap(b) : 0;

		if (!ret && op == OP_ON)
			vfio_pci_cmd_clear(b->device, PCI_COMMAND_MEMORY);
		return ret;
	}
	if (b->fd < 0) {
		int ret = bench_map(b);

		if (ret)
			return ret;
	}
	if (op == OP_RESTORE)
		return bench_revoke(b);
	return 0;
}

/*
 * Run @op once; *@ns gets its duration. A restore the kernel claims to do is
 * checked afterwards, outside the timed part.
 */
static int run_op(struct bench *b, enum op op, u64 *ns)
{
	u64 start;
	int ret;

	ret = prepare(b, op);
	if (ret)
		return ret;
	start = now_ns();
	switch (op) {
	case OP_MAP:
		ret = bench_map(b);
		break;
	case OP_UNMAP:
		ret = bench_unmap(b);
		break;
	case OP_REVOKE:
		ret = bench_revoke(b);
		break;
	case OP_RESTORE:
		ret = bench_restore(b);
		break;
	case OP_OFF:
		vfio_pci_cmd_clear(b->device, PCI_COMMAND_MEMORY);
		break;
	default:
		vfio_pci_cmd_set(b->device, PCI_COMMAND_MEMORY);
		break;
	}
	*ns = now_ns() - start;
	if (!ret && op == OP_RESTORE && !b->by_user &&
	    kernel_restored(b->bdf, b->iova, b->size) != 1)
		return -EIO;
	return ret;
}

/* After @op: a revoke leaves the memory off, and the next step needs it on */
static int settle(struct bench *b, enum op op)
{
	if (op == OP_OFF)
		vfio_pci_cmd_set(b->device, PCI_COMMAND_MEMORY);
	return op == OP_REVOKE ? bench_restore(b) : 0;
}

static int bench_device(const char *bdf, int repeat, bool *by_user)
{
	struct iova_allocator *iovas;
	struct bench b = { .bdf = bdf, .fd = -1 };
	const char *what = "probing which side restores";
	int ret = 0, r;
	enum op op;
	u64 ns;

	b.iommu = iommu_init(MODE_IOMMUFD);
	b.device = vfio_pci_device_init(bdf, b.iommu);
	b.size = b.device->bars[BAR].info.size;
	iovas = iova_allocator_init(b.iommu);
	b.iova = iova_allocator_alloc(iovas, b.size);
	ret = probe_restore(&b);
	*by_user = b.by_user;

	for (op = OP_MAP; op < OP_END && !ret; op++) {
		what = op_names[op];
		quiet_console();
		for (r = 0; r < repeat && !ret; r++) {
			ret = run_op(&b, op, &ns);
			if (!ret)
				printf("bench: bdf=%s size=%llu op=%s ns=%llu\n",
				       bdf, (unsigned long long)b.size,
				       op_names[op], (unsigned long long)ns);
			if (!ret)
				ret = settle(&b, op);
		}
		if (ret)
			break;
		ret = prepare(&b, op);
		if (!ret && !trace_start()) {
			long inv;

			ret = run_op(&b, op, &ns);
			inv = trace_count();
			if (!ret && inv >= 0)
				printf("bench: bdf=%s size=%llu op=%s iotlb_inv=%ld\n",
				       bdf, (unsigned long long)b.size,
				       op_names[op], inv);
			if (!ret)
				ret = settle(&b, op);
		}
		if (!ret && op == OP_MAP)
			ret = print_leaves(&b);
	}
	if (ret)
		fprintf(stderr, "dmabufbench: %s: %s: %s\n", bdf, what,
			strerror(-ret));
	if (b.fd >= 0)
		bench_unmap(&b);
	iova_allocator_cleanup(iovas);
	vfio_pci_device_cleanup(b.device);
	iommu_cleanup(b.iommu);
	return ret;
}

/* A memfd of @size bytes, allocated up front, sealed against shrinking */
static int ram_memfd(u64 size, bool huge)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd;

	if (huge)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	fd = memfd_create("dmabufbench", flags);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) || fallocate(fd, 0, 0, size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* A udmabuf over all of @memfd; the DMA-buf fd or -errno */
static int ram_udmabuf(int memfd, u64 size)
{
	struct udmabuf_create create = {
		.memfd = memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	int dev, fd;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	if (fd < 0)
		fd = -errno;
	close(dev);
	return fd;
}

/* Map and unmap all @size bytes of @fd at @iova, @repeat times each */
static int ram_time(struct iommu *iommu, int fd, u64 size, iova_t iova,
		    const char *kind, bool huge, int repeat)
{
	int r, ret = 0;
	u64 t0, t1;

	quiet_console();
	for (r = 0; r < repeat && !ret; r++) {
		t0 = now_ns();
		ret = __iommu_map_file(iommu, fd, 0, size, iova, RW);
		t1 = now_ns();
		if (ret) {
			printf("bench: ram=%s pages=%s size=%llu error=%d\n",
			       kind, huge ? "2m" : "4k",
			       (unsigned long long)size, -ret);
			/* A kernel without the interconnect refuses a udmabuf */
			return 0;
		}
		printf("bench: ram=%s pages=%s size=%llu op=map ns=%llu\n",
		       kind, huge ? "2m" : "4k", (unsigned long long)size,
		       (unsigned long long)(t1 - t0));
		t0 = now_ns();
		ret = __iommu_unmap_range(iommu, iova, size, NULL);
		t1 = now_ns();
		if (!ret)
			printf("bench: ram=%s pages=%s size=%llu op=unmap ns=%llu\n",
			       kind, huge ? "2m" : "4k",
			       (unsigned long long)size,
			       (unsigned long long)(t1 - t0));
	}
	return ret;
}

/* The RAM experiment in the IOAS of @bdf; 0, or -errno of a failed step */
static int bench_ram(const char *bdf, u64 size, int repeat)
{
	struct vfio_pci_device *device;
	struct iova_allocator *iovas;
	struct iommu *iommu;
	int ret = 0, h;
	iova_t iova;

	iommu = iommu_init(MODE_IOMMUFD);
	device = vfio_pci_device_init(bdf, iommu);
	iovas = iova_allocator_init(iommu);
	iova = iova_allocator_alloc(iovas, size);
	for (h = 0; h < 2 && !ret; h++) {
		int memfd = ram_memfd(size, h), buf;

		if (memfd < 0) {
			/* No (or too few) huge pages: say so, go on */
			printf("bench: ram=memfd pages=%s size=%llu error=%d\n",
			       h ? "2m" : "4k", (unsigned long long)size,
			       -memfd);
			if (!h)
				ret = memfd;
			continue;
		}
		ret = ram_time(iommu, memfd, size, iova, "memfd", h, repeat);
		buf = ram_udmabuf(memfd, size);
		if (!ret && buf >= 0)
			ret = ram_time(iommu, buf, size, iova, "udmabuf", h,
				       repeat);
		if (buf >= 0)
			close(buf);
		close(memfd);
	}
	iova_allocator_cleanup(iovas);
	vfio_pci_device_cleanup(device);
	iommu_cleanup(iommu);
	return ret;
}

/* The areas experiment: one DMA-buf mapped at @n IOVAs of @m domains */
struct areas {
	struct iommu *iommu;
	struct vfio_pci_device *device;
	const char *bdf;
	const char *bdf2;	/* the device of the second domain, if @m is 2 */
	int fd2;		/* its cdev, bound and attached */
	__u32 hwpt2;		/* the second domain, 0 if none */
	const char *step;	/* what failed, for the error message */
	int m;
	u64 size;
	iova_t *iova;
	int n;
	int fd;
	bool by_user;	/* the kernel leaves the restore to userspace */
	long leaves;	/* of all areas, mapped */
};

static int areas_map(struct areas *a)
{
	struct vfio_region_dma_range range = { .length = a->size };
	int i, ret = 0;

	a->fd = __vfio_pci_dma_buf_export(a->device, BAR, O_RDWR | O_CLOEXEC,
					  &range, 1);
	if (a->fd < 0)
		return a->fd;
	for (i = 0; i < a->n && !ret; i++)
		ret = __iommu_map_file(a->iommu, a->fd, 0, a->size, a->iova[i],
				       RW);
	return ret;
}

static int areas_unmap(struct areas *a)
{
	int i, ret = 0;

	for (i = 0; i < a->n; i++) {
		int err = __iommu_unmap_range(a->iommu, a->iova[i], a->size,
					      NULL);

		if (err)
			ret = err;
	}
	close(a->fd);
	a->fd = -1;
	return ret;
}

/* The leaves that map the areas in every domain, one pass over each table */
static long areas_leaves(struct areas *a)
{
	iova_t lo = a->iova[0], hi = a->iova[0];
	long n, n2 = 0;
	int i;

	for (i = 1; i < a->n; i++) {
		lo = a->iova[i] < lo ? a->iova[i] : lo;
		hi = a->iova[i] > hi ? a->iova[i] : hi;
	}
	n = count_leaves(a->bdf, lo, hi + a->size);
	if (a->bdf2)
		n2 = count_leaves(a->bdf2, lo, hi + a->size);
	return n < 0 ? n : n2 < 0 ? n2 : n + n2;
}

/*
 * Give the IOAS a second VT-d domain: bind the device @a->bdf2 to the same
 * iommufd and attach it to a new paging domain of the IOAS. On failure
 * @a->step names the step; areas_drop_second_domain() undoes what was done.
 */
static int areas_second_domain(struct areas *a)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = a->iommu->iommufd,
	};
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.pt_id = a->iommu->ioas_id,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	const char *path = vfio_pci_get_cdev_path(a->bdf2);
	int err;

	a->step = "opening the second device";
	a->fd2 = open(path, O_RDWR | O_CLOEXEC);
	err = errno;
	free((void *)path);
	if (a->fd2 < 0)
		return -err;
	a->step = "binding the second device to iommufd";
	if (ioctl(a->fd2, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	a->step = "IOMMU_HWPT_ALLOC for the second device";
	alloc.dev_id = bind.out_devid;
	if (ioctl(a->iommu->iommufd, IOMMU_HWPT_ALLOC, &alloc))
		return -errno;
	a->hwpt2 = alloc.out_hwpt_id;
	a->step = "attaching the second device to its domain";
	attach.pt_id = a->hwpt2;
	if (ioctl(a->fd2, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;
	return 0;
}

/* Close the second device, which detaches it, then free its domain */
static void areas_drop_second_domain(struct areas *a)
{
	struct iommu_destroy destroy = {
		.size = sizeof(destroy),
		.id = a->hwpt2,
	};

	if (a->fd2 >= 0)
		close(a->fd2);
	if (a->hwpt2)
		ioctl(a->iommu->iommufd, IOMMU_DESTROY, &destroy);
}

/* What userspace does where the kernel leaves the areas revoked */
static int areas_remap(struct areas *a)
{
	int ret = areas_unmap(a);

	return ret ? ret : areas_map(a);
}

/* Memory decode on; where the kernel leaves the areas revoked, remap them */
static int areas_restore(struct areas *a)
{
	vfio_pci_cmd_set(a->device, PCI_COMMAND_MEMORY);
	return a->by_user ? areas_remap(a) : 0;
}

/* Whether this kernel restores the areas itself; leaves them all mapped */
static int areas_probe_restore(struct areas *a)
{
	int ret;

	a->leaves = areas_leaves(a);
	vfio_pci_cmd_clear(a->device, PCI_COMMAND_MEMORY);
	vfio_pci_cmd_set(a->device, PCI_COMMAND_MEMORY);
	ret = kernel_restored(a->bdf, a->iova[0], a->size);
	if (ret < 0 || a->leaves < 0)
		return ret < 0 ? ret : a->leaves;
	a->by_user = !ret;
	return a->by_user ? areas_remap(a) : 0;
}

/* Time (and, the last time, trace) @repeat revokes and restores */
static int areas_time(struct areas *a, int repeat)
{
	int r, ret = 0;
	u64 t0, t1, t2;

	quiet_console();
	for (r = 0; r <= repeat && !ret; r++) {
		bool traced = r == repeat && !trace_start();
		long inv = 0;

		t0 = now_ns();
		vfio_pci_cmd_clear(a->device, PCI_COMMAND_MEMORY);
		t1 = now_ns();
		if (traced) {
			inv = trace_count();
			trace_start();
		}
		ret = areas_restore(a);
		t2 = now_ns();
		/* Checked outside the timed part: all leaves are back */
		if (!ret && !a->by_user && areas_leaves(a) != a->leaves)
			ret = -EIO;
		if (ret)
			break;
		if (traced) {
			printf("bench: areas=%d domains=%d size=%llu op=revoke iotlb_inv=%ld\n",
			       a->n, a->m, (unsigned long long)a->size, inv);
			printf("bench: areas=%d domains=%d size=%llu op=restore iotlb_inv=%ld\n",
			       a->n, a->m, (unsigned long long)a->size,
			       trace_count());
		} else if (r < repeat) {
			printf("bench: areas=%d domains=%d size=%llu op=revoke ns=%llu\n",
			       a->n, a->m, (unsigned long long)a->size,
			       (unsigned long long)(t1 - t0));
			printf("bench: areas=%d domains=%d size=%llu op=restore ns=%llu\n",
			       a->n, a->m, (unsigned long long)a->size,
			       (unsigned long long)(t2 - t1));
		}
	}
	return ret;
}

/*
 * @n areas of the BAR of @bdf, in one domain, or in two if @bdf2 is set;
 * on failure *@what names the step
 */
static int bench_areas(const char *bdf, const char *bdf2, int n, int repeat,
		       const char **what)
{
	struct areas a = {
		.bdf = bdf, .bdf2 = bdf2, .m = bdf2 ? 2 : 1, .n = n,
		.fd = -1, .fd2 = -1,
	};
	struct iova_allocator *iovas;
	int i, ret = 0;

	a.iova = calloc(n, sizeof(*a.iova));
	if (!a.iova)
		return -ENOMEM;
	a.iommu = iommu_init(MODE_IOMMUFD);
	a.device = vfio_pci_device_init(bdf, a.iommu);
	a.size = a.device->bars[BAR].info.size;
	iovas = iova_allocator_init(a.iommu);
	for (i = 0; i < n; i++)
		a.iova[i] = iova_allocator_alloc(iovas, a.size);
	if (bdf2)
		ret = areas_second_domain(&a);
	if (!ret) {
		a.step = "mapping the areas";
		ret = areas_map(&a);
	}
	if (!ret) {
		a.step = "probing which side restores";
		ret = areas_probe_restore(&a);
	}
	if (!ret) {
		a.step = "timing revoke and restore";
		ret = areas_time(&a, repeat);
	}
	*what = a.step;
	if (a.fd >= 0)
		areas_unmap(&a);
	areas_drop_second_domain(&a);
	iova_allocator_cleanup(iovas);
	vfio_pci_device_cleanup(a.device);
	iommu_cleanup(a.iommu);
	free(a.iova);
	return ret;
}

/* The mock experiment: one mock DMA-buf mapped at @n IOVAs, @m domains */
struct mock {
	int fd;		/* /dev/iommu */
	__u32 ioas;
	int dmabuf;
	int n;
	int m;
	u64 size;
	bool by_user;	/* the kernel leaves the restore to userspace */
};

#define MOCK_SIZE	(4 * (u64)getpagesize())

static int mock_cmd(struct mock *k, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(k->fd, IOMMU_TEST_CMD, cmd) < 0 ? -errno : 0;
}

/*
 * A mock DMA-buf. Kernels before "iommufd/selftest: return the DMA-buf fd
 * from IOMMU_TEST_OP_DMABUF_GET" return 0, the fd being the lowest free
 * one: look there, and check it is a DMA-buf.
 */
static int mock_dmabuf(struct mock *k)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = k->size,
				.open_flags = O_RDWR | O_CLOEXEC },
	};
	char path[64], link[64] = "";
	int lowest, ret;

	lowest = fcntl(k->fd, F_DUPFD_CLOEXEC, 0);
	if (lowest < 0)
		return -errno;
	close(lowest);
	cmd.size = sizeof(cmd);
	ret = ioctl(k->fd, IOMMU_TEST_CMD, &cmd);
	if (ret < 0)
		return -errno;
	if (ret > 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", lowest);
	if (readlink(path, link, sizeof(link) - 1) < 0 || !strstr(link, "dmabuf"))
		return -EBADF;
	return lowest;
}

static int mock_revoke(struct mock *k, bool revoked)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = k->dmabuf, .revoked = revoked },
	};

	return mock_cmd(k, &cmd);
}

static u64 mock_iova(struct mock *k, int i)
{
	return MOCK_APERTURE_START + (u64)i * k->size;
}

static int mock_map(struct mock *k)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | RW,
		.ioas_id = k->ioas,
		.fd = k->dmabuf,
		.length = k->size,
	};
	int i;

	for (i = 0; i < k->n; i++) {
		map.iova = mock_iova(k, i);
		if (ioctl(k->fd, IOMMU_IOAS_MAP_FILE, &map))
			return -errno;
	}
	return 0;
}

static int mock_unmap(struct mock *k)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = k->ioas,
		.iova = mock_iova(k, 0),
		.length = k->n * k->size,
	};

	return ioctl(k->fd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
}

/*
 * After the exporter's restore: 1 if the kernel restored the areas, 0 if
 * it knows no restore (no IOMMU_IOAS_DMABUF_STATE: its revoke is for
 * good), -EIO if it left them revoked.
 */
static int mock_kernel_restored(struct mock *k)
{
	struct iommu_ioas_dmabuf_state st = {
		.size = sizeof(st),
		.ioas_id = k->ioas,
		.iova = mock_iova(k, 0),
	};

	if (ioctl(k->fd, IOMMU_IOAS_DMABUF_STATE, &st))
		return errno == ENOTTY ? 0 : -errno;
	return st.out_state & IOMMU_IOAS_DMABUF_STATE_REVOKED ? -EIO : 1;
}

/* What userspace does where the kernel leaves the areas revoked */
static int mock_remap(struct mock *k)
{
	int ret = mock_unmap(k);

	return ret ? ret : mock_map(k);
}

static int mock_restore(struct mock *k)
{
	int ret = mock_revoke(k, false);

	if (ret || !k->by_user)
		return ret;
	return mock_remap(k);
}

/* Whether this kernel restores the areas itself; leaves them all mapped */
static int mock_probe_restore(struct mock *k)
{
	int ret = mock_revoke(k, true);

	if (!ret)
		ret = mock_revoke(k, false);
	if (!ret)
		ret = mock_kernel_restored(k);
	if (ret < 0)
		return ret;
	k->by_user = !ret;
	return k->by_user ? mock_remap(k) : 0;
}

/*
 * @m domains on the IOAS: a mock device attached to it gives the first (a
 * second device would share that domain), IOMMU_HWPT_ALLOC on the device
 * every other, each a distinct domain the IOAS maps its areas into.
 */
static int mock_domains(struct mock *k)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = k->ioas,
	};
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.pt_id = k->ioas,
	};
	__u32 first;
	int i, ret;

	ret = mock_cmd(k, &cmd);
	if (ret)
		return ret;
	first = cmd.mock_domain.out_hwpt_id;
	hwpt.dev_id = cmd.mock_domain.out_idev_id;
	for (i = 1; i < k->m; i++) {
		if (ioctl(k->fd, IOMMU_HWPT_ALLOC, &hwpt))
			return -errno;
		if (hwpt.out_hwpt_id == first)
			return -EEXIST;
	}
	return 0;
}

static int mock_setup(struct mock *k)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int ret;

	k->fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (ioctl(k->fd, IOMMU_IOAS_ALLOC, &alloc))
		return -errno;
	k->ioas = alloc.out_ioas_id;
	ret = mock_domains(k);
	if (ret)
		return ret;
	k->dmabuf = mock_dmabuf(k);
	if (k->dmabuf < 0)
		return k->dmabuf;
	return mock_map(k);
}

static int bench_mock(int n, int m, int repeat)
{
	struct mock k = { .fd = -1, .dmabuf = -1, .n = n, .m = m,
			  .size = MOCK_SIZE };
	int r, ret;
	u64 t0, t1, t2;

	ret = mock_setup(&k);
	if (!ret)
		ret = mock_probe_restore(&k);
	quiet_console();
	for (r = 0; r < repeat && !ret; r++) {
		t0 = now_ns();
		ret = mock_revoke(&k, true);
		t1 = now_ns();
		if (!ret)
			ret = mock_restore(&k);
		t2 = now_ns();
		/* Checked outside the timed part */
		if (!ret && !k.by_user && mock_kernel_restored(&k) != 1)
			ret = -EIO;
		if (ret)
			break;
		printf("bench: mock_areas=%d domains=%d size=%llu op=revoke ns=%llu\n",
		       n, m, (unsigned long long)k.size,
		       (unsigned long long)(t1 - t0));
		printf("bench: mock_areas=%d domains=%d size=%llu op=restore ns=%llu\n",
		       n, m, (unsigned long long)k.size,
		       (unsigned long long)(t2 - t1));
	}
	/* Closing /dev/iommu takes the areas, the domains and the IOAS along */
	if (k.dmabuf >= 0)
		close(k.dmabuf);
	if (k.fd >= 0)
		close(k.fd);
	return ret;
}

/* Each N of a comma-separated @list through @fn; 2 on a bad list */
static int for_each_n(const char *list, const char *opt,
		      int (*fn)(long n, void *arg), void *arg)
{
	int failed = 0;

	while (list && *list) {
		char *end;
		long n = strtol(list, &end, 10);

		if (n < 1 || n > 100000 || (*end && *end != ',')) {
			fprintf(stderr, "dmabufbench: bad %s '%s'\n", opt, list);
			return 2;
		}
		list = *end ? end + 1 : end;
		failed |= fn(n, arg);
	}
	return failed;
}

struct run_args {
	const char *bdf;
	const char *bdf2;	/* a second device, for a second domain */
	int repeat;
};

static int run_areas(long n, void *arg)
{
	struct run_args *a = arg;
	const char *what = NULL;
	int ret = bench_areas(a->bdf, NULL, n, a->repeat, &what);

	if (ret)
		fprintf(stderr, "dmabufbench: %ld areas: %s: %s\n", n, what,
			strerror(-ret));
	if (!ret && a->bdf2) {
		ret = bench_areas(a->bdf, a->bdf2, n, a->repeat, &what);
		if (ret)
			fprintf(stderr, "dmabufbench: %ld areas, 2 domains: %s: %s\n",
				n, what, strerror(-ret));
	}
	return !!ret;
}

static int run_mock(long n, void *arg)
{
	static const int domains[] = { 1, 2, 4 };
	struct run_args *a = arg;
	int i, ret, failed = 0;

	for (i = 0; i < 3; i++) {
		ret = bench_mock(n, domains[i], a->repeat);
		if (ret)
			fprintf(stderr, "dmabufbench: mock, %ld areas, %d domains: %s\n",
				n, domains[i], strerror(-ret));
		failed |= !!ret;
	}
	return failed;
}

/* A count of 0 or more, or -1 if @s is not one */
static int parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return end == s || *end || n < 0 || n > 1000000 ? -1 : (int)n;
}

int main(int argc, char **argv)
{
	int i = 1, repeat = 5, ram_mib = 0, ram_repeat = 0, failed = 0;
	int first, ret;
	const char *areas = NULL, *mock = NULL;
	struct run_args args;
	bool by_user = false;

	if (setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer))) {
		perror("dmabufbench: setvbuf");
		return 1;
	}
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--repeat"))
			repeat = parse_count(argv[i + 1]);
		else if (!strcmp(argv[i], "--ram"))
			ram_mib = parse_count(argv[i + 1]);
		else if (!strcmp(argv[i], "--ram-repeat"))
			ram_repeat = parse_count(argv[i + 1]);
		else if (!strcmp(argv[i], "--areas"))
			areas = argv[i + 1];
		else if (!strcmp(argv[i], "--mock"))
			mock = argv[i + 1];
		else
			break;
	}
	if (i >= argc || repeat < 1 || repeat > MAX_REPEAT || ram_mib < 0 ||
	    ram_repeat < 0 || ram_repeat > MAX_REPEAT || argv[i][0] == '-') {
		fprintf(stderr, "usage: dmabufbench [--repeat N] [--ram SIZE_MIB] [--ram-repeat N] [--areas N,N...] [--mock N,N...] BDF...\n"
			"       (--repeat and --ram-repeat: at most %d)\n",
			MAX_REPEAT);
		return 2;
	}
	for (first = i; i < argc; i++)
		failed |= !!bench_device(argv[i], repeat, &by_user);
	printf("bench: restore=%s\n", by_user ? "user" : "kernel");
	args = (struct run_args){
		.bdf = argv[first],
		.bdf2 = first + 1 < argc ? argv[first + 1] : NULL,
		.repeat = repeat,
	};
	ret = for_each_n(areas, "--areas", run_areas, &args);
	if (ret == 2)
		return 2;
	failed |= ret;
	ret = for_each_n(mock, "--mock", run_mock, &args);
	if (ret == 2)
		return 2;
	failed |= ret;
	if (ram_mib) {
		ret = bench_ram(argv[first], (u64)ram_mib << 20,
				ram_repeat ? ram_repeat : repeat);

		if (ret) {
			fprintf(stderr, "dmabufbench: RAM: %s\n", strerror(-ret));
			failed = 1;
		}
	}
	return failed;
}
