// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabufbench: how long a VMM waits to map, unmap, revoke and restore a
 * DMA-buf of a whole BAR through iommufd, and what it costs the IOMMU.
 *
 *   dmabufbench [--repeat N] BDF...
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
 * Each is timed N times (CLOCK_MONOTONIC), then once more with the
 * intel_iommu:qi_submit tracepoint on, counting the IOTLB invalidation
 * descriptors the VT-d driver submitted during it. After a map the leaves
 * of the device's domain are counted by size (Intel IOMMU debugfs).
 *
 * Output, one line each, for the host to tabulate:
 *   bench: bdf=B size=S op=OP ns=N            (one per repeat)
 *   bench: bdf=B size=S op=OP iotlb_inv=N     (the traced run)
 *   bench: bdf=B size=S leaves 4k=N 2m=N 1g=N
 *   bench: restore=kernel|user                 (what this kernel does)
 * Exit status: 0 when every step worked, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include <libvfio.h>

#include <vfio/vfio_dmabuf_util.h>

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
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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

/*
 * Memory decode back on; where the kernel did not map the BAR again itself
 * (the area is still revoked), what a VMM does: unmap, export, map.
 */
static int bench_restore(struct bench *b, bool *by_user)
{
	struct iommu_leaf leaf;
	int n;

	vfio_pci_cmd_set(b->device, PCI_COMMAND_MEMORY);
	n = intel_iommu_leaves(b->bdf, b->iova, b->size, &leaf, 1);
	*by_user = n == 0;
	if (!*by_user)
		return 0;
	return bench_unmap(b) ?: bench_map(b);
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

enum op { OP_MAP, OP_UNMAP, OP_REVOKE, OP_RESTORE };

static const char *const op_names[] = { "map", "unmap", "revoke", "restore" };

/* Bring the mapping into the state @op starts from */
static int prepare(struct bench *b, enum op op)
{
	if (op == OP_MAP)
		return b->fd >= 0 ? bench_unmap(b) : 0;
	if (b->fd < 0) {
		int ret = bench_map(b);

		if (ret)
			return ret;
	}
	if (op == OP_RESTORE)
		return bench_revoke(b);
	return 0;
}

/* Run @op once; *@ns gets its duration */
static int run_op(struct bench *b, enum op op, u64 *ns, bool *by_user)
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
		ret = bench_restore(b, by_user);
		break;
	}
	*ns = now_ns() - start;
	/* A revoke leaves the memory off: the next step needs it on */
	if (op == OP_REVOKE) {
		bool user;

		ret = ret ?: bench_restore(b, &user);
	}
	return ret;
}

static int bench_device(const char *bdf, int repeat, bool *by_user)
{
	struct iova_allocator *iovas;
	struct bench b = { .bdf = bdf, .fd = -1 };
	int ret = 0, r;
	enum op op;
	u64 ns;

	b.iommu = iommu_init(MODE_IOMMUFD);
	b.device = vfio_pci_device_init(bdf, b.iommu);
	b.size = b.device->bars[BAR].info.size;
	iovas = iova_allocator_init(b.iommu);
	b.iova = iova_allocator_alloc(iovas, b.size);

	for (op = OP_MAP; op <= OP_RESTORE && !ret; op++) {
		for (r = 0; r < repeat && !ret; r++) {
			ret = run_op(&b, op, &ns, by_user);
			if (!ret)
				printf("bench: bdf=%s size=%llu op=%s ns=%llu\n",
				       bdf, (unsigned long long)b.size,
				       op_names[op], (unsigned long long)ns);
		}
		if (ret)
			break;
		ret = prepare(&b, op);
		if (!ret && !trace_start()) {
			long inv;

			ret = run_op(&b, op, &ns, by_user);
			inv = trace_count();
			if (!ret && inv >= 0)
				printf("bench: bdf=%s size=%llu op=%s iotlb_inv=%ld\n",
				       bdf, (unsigned long long)b.size,
				       op_names[op], inv);
		}
		if (!ret && op == OP_MAP)
			ret = print_leaves(&b);
	}
	if (ret)
		fprintf(stderr, "dmabufbench: %s: %s: %s\n", bdf,
			op <= OP_RESTORE ? op_names[op] : "", strerror(-ret));
	if (b.fd >= 0)
		bench_unmap(&b);
	iova_allocator_cleanup(iovas);
	vfio_pci_device_cleanup(b.device);
	iommu_cleanup(b.iommu);
	return ret;
}

int main(int argc, char **argv)
{
	int i = 1, repeat = 5, failed = 0;
	bool by_user = false;

	if (argc > 2 && !strcmp(argv[1], "--repeat")) {
		repeat = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc || repeat < 1) {
		fprintf(stderr, "usage: dmabufbench [--repeat N] BDF...\n");
		return 2;
	}
	for (; i < argc; i++)
		failed |= !!bench_device(argv[i], repeat, &by_user);
	printf("bench: restore=%s\n", by_user ? "user" : "kernel");
	return failed;
}
