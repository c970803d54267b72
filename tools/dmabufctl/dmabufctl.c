// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabufctl: peer-to-peer DMA through a DMA-buf, from inside a guest or on a
 * host, for VMM developers.
 *
 *   dmabufctl list
 *	The PCI devices bound to vfio-pci: vendor:device, IOMMU group, BARs.
 *
 *   dmabufctl p2p DMA_BDF PEER_BDF [options]
 *	Export ranges of PEER_BDF's BAR as one DMA-buf, map it into an iommufd
 *	IOAS, print the IOMMU leaves that translate it, and have the DMA
 *	engine DMA_BDF (a device libvfio has a driver for, such as QEMU's
 *	edu) copy a pattern into it; the bytes are checked through the BAR.
 *	--bar N            the peer's BAR (default 2)
 *	--range OFF:LEN    a range of the BAR, in bytes, with K/M suffixes;
 *	                   repeat for more ranges (default: the whole BAR)
 *	--iova ADDR        where to map the DMA-buf (default 0x1000000)
 *	--at OFF           offset in the DMA-buf for the DMA (default 0)
 *	--seed N           the pattern's seed (default 1)
 *	--revoke memory    then clear the peer's memory enable bit, show the
 *	                   leaves gone and DMA (seed N + 1, at OFF + 2 KiB),
 *	                   which faults; set the bit again, show the leaves
 *	                   back, check that DMA did not land, and DMA again
 *	                   (seed N + 2, at OFF)
 *	--revoke reset     then VFIO_DEVICE_RESET the peer, show the leaves
 *	                   back and DMA again (seed N + 1, at OFF)
 *
 * The pattern is byte i = (i * 7) ^ (seed * 0x5b), 2 KiB long. Every DMA
 * is checked through the peer BAR's mmap; the kernel's IOMMU fault reports
 * are printed as they appear. Exit status: 0 when every step worked and
 * every DMA landed, or did not, as it should; 1 otherwise; 2 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/limits.h>
#include <linux/sizes.h>

#include <libvfio.h>

#define DRIVER_IOVA	0x100000ULL
#define DATA_IOVA	0x200000ULL
#define XFER		SZ_2K
#define MAX_RANGES	8
#define MAX_LEAVES	64

/* An error with what was being done when it happened */
struct ctl_err {
	char msg[256];
};

static int fail(struct ctl_err *e, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
			 strerror(-err));
	return err ? err : -EINVAL;
}

struct p2p_opts {
	const char *dma_bdf;
	const char *peer_bdf;
	u32 bar;
	struct vfio_region_dma_range ranges[MAX_RANGES];
	u32 nr_ranges;
	u64 iova;
	u64 at;
	unsigned int seed;
	const char *revoke;
};

struct p2p {
	const struct p2p_opts *o;
	struct iommu *iommu;
	struct vfio_pci_device *dma;
	struct vfio_pci_device *peer;
	struct dma_region data;
	/* The ranges exported: the options' or the whole BAR */
	struct vfio_region_dma_range ranges[MAX_RANGES];
	u32 nr_ranges;
	int fd;
	u64 length;
	bool driver_ready;
	/* DMAs that landed where they should not have, or did not land */
	unsigned int unexpected;
};

static u8 pattern_byte(u64 i, unsigned int seed)
{
	return (u8)((i * 7) ^ (seed * 0x5b));
}

/* "8M", "0x1000", "4096": 0 on success */
static int parse_size(const char *s, u64 *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K':
		*out <<= 10;
		end++;
		break;
	case 'M':
		*out <<= 20;
		end++;
		break;
	case 'G':
		*out <<= 30;
		end++;
		break;
	}
	return *end ? -EINVAL : 0;
}

static int parse_range(const char *s, struct vfio_region_dma_range *r)
{
	char buf[64], *colon;
	u64 off, len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = 0;
	if (parse_size(buf, &off) || parse_size(colon + 1, &len))
		return -EINVAL;
	r->offset = off;
	r->length = len;
	return 0;
}

static int parse_p2p(int argc, char **argv, struct p2p_opts *o,
		     struct ctl_err *e)
{
	u64 v;
	int i;

	if (argc < 2)
		return fail(e, 0, "p2p needs DMA_BDF and PEER_BDF");
	*o = (struct p2p_opts){
		.dma_bdf = argv[0], .peer_bdf = argv[1], .bar = 2,
		.iova = 0x1000000, .seed = 1,
	};
	for (i = 2; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return fail(e, 0, "%s needs a value", opt);
		if (!strcmp(opt, "--range")) {
			if (o->nr_ranges == MAX_RANGES)
				return fail(e, 0, "at most %d ranges",
					    MAX_RANGES);
			if (parse_range(val, &o->ranges[o->nr_ranges++]))
				return fail(e, 0, "bad range '%s'", val);
			continue;
		}
		if (!strcmp(opt, "--revoke")) {
			if (strcmp(val, "memory") && strcmp(val, "reset"))
				return fail(e, 0, "--revoke memory|reset");
			o->revoke = val;
			continue;
		}
		if (parse_size(val, &v))
			return fail(e, 0, "bad value '%s' for %s", val, opt);
		if (!strcmp(opt, "--bar"))
			o->bar = v;
		else if (!strcmp(opt, "--iova"))
			o->iova = v;
		else if (!strcmp(opt, "--at"))
			o->at = v;
		else if (!strcmp(opt, "--seed"))
			o->seed = v;
		else
			return fail(e, 0, "unknown option %s", opt);
	}
	return 0;
}

/* A hexadecimal sysfs attribute of PCI device @bdf, or 0 */
static unsigned int pci_attr(const char *bdf, const char *attr)
{
	unsigned int val = 0;
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%x", &val) != 1)
		val = 0;
	fclose(f);
	return val;
}

static void print_bars(const char *bdf)
{
	unsigned long long start, end, flags;
	char path[PATH_MAX];
	int bar = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return;
	while (bar < 6 && fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3) {
		if (start && end - start + 1 >= SZ_1K)
			printf("    BAR%d  0x%llx  %llu KiB\n", bar, start,
			       (end - start + 1) >> 10);
		else if (start)
			printf("    BAR%d  0x%llx  %llu bytes\n", bar, start,
			       end - start + 1);
		bar++;
	}
	fclose(f);
}

static bool is_bdf(const char *name)
{
	unsigned int d, b, s, f;
	char end;

	return sscanf(name, "%x:%x:%x.%x%c", &d, &b, &s, &f, &end) == 4;
}

static int cmd_list(void)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/vfio-pci");
	struct dirent *de;
	int n = 0;

	if (!dir) {
		printf("no device is bound to vfio-pci\n");
		return 0;
	}
	while ((de = readdir(dir))) {
		if (!is_bdf(de->d_name))
			continue;
		printf("%s  %04x:%04x  IOMMU group %d\n", de->d_name,
		       pci_attr(de->d_name, "vendor"),
		       pci_attr(de->d_name, "device"),
		       sysfs_iommu_group_get(de->d_name));
		print_bars(de->d_name);
		n++;
	}
	closedir(dir);
	if (!n)
		printf("no device is bound to vfio-pci\n");
	return 0;
}

static int region_alloc(struct p2p *p, struct dma_region *r, u64 iova,
			u64 size, struct ctl_err *e)
{
	int ret;

	void *vaddr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (vaddr == MAP_FAILED)
		return fail(e, -errno, "allocating %llu bytes",
			    (unsigned long long)size);
	*r = (struct dma_region){ .vaddr = vaddr, .iova = iova, .size = size };
	ret = __iommu_map(p->iommu, r);
	if (ret) {
		munmap(vaddr, size);
		r->vaddr = NULL;
		return fail(e, ret, "mapping RAM at IOVA 0x%llx",
			    (unsigned long long)iova);
	}
	return 0;
}

static void region_free(struct p2p *p, struct dma_region *r)
{
	__iommu_unmap(p->iommu, r, NULL);
	munmap(r->vaddr, r->size);
}

static void print_leaves(struct p2p *p)
{
	struct iommu_leaf leaves[MAX_LEAVES];
	int n, i;

	n = iommu_intel_leaves(p->o->dma_bdf, p->o->iova, p->length, leaves,
			       MAX_LEAVES);
	if (n < 0) {
		printf("   (no Intel IOMMU translation table: %s)\n",
		       strerror(-n));
		return;
	}
	printf("   IOMMU translation of IOVA [0x%llx, +0x%llx) for %s: %d leaves\n",
	       (unsigned long long)p->o->iova, (unsigned long long)p->length,
	       p->o->dma_bdf, n);
	for (i = 0; i < n; i++)
		printf("     IOVA 0x%08llx -> phys 0x%llx  (%llu KiB leaf)\n",
		       (unsigned long long)leaves[i].iova,
		       (unsigned long long)leaves[i].phys,
		       (unsigned long long)leaves[i].size >> 10);
}

static void print_state(struct p2p *p)
{
	struct iommu_ioas_dmabuf_state st;
	int ret;

	ret = __iommu_dmabuf_state(p->iommu, p->o->iova, &st);
	if (ret) {
		printf("   IOMMU_IOAS_DMABUF_STATE: %s\n", strerror(-ret));
		return;
	}
	printf("   IOMMU_IOAS_DMABUF_STATE: %s%s, %u revokes, %u restores\n",
	       st.out_state & IOMMU_DMABUF_STATE_REVOKED ? "revoked" : "mapped",
	       st.out_state & IOMMU_DMABUF_STATE_RESTORE_FAILED ?
	       " (restore failed)" : "", st.out_revokes, st.out_restores);
}

/* The IOMMU fault messages the kernel logged since @kmsg was opened */
static void print_faults(int kmsg)
{
	char rec[1024];
	ssize_t n;

	if (kmsg < 0)
		return;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		char *msg;

		rec[n] = 0;
		msg = strchr(rec, ';');
		if (msg && strstr(msg, "DMAR") &&
		    (strstr(msg, "fault") || strstr(msg, "Request")))
			printf("   kernel: %s", msg + 1);
	}
}

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* The peer BAR's bytes at offset @off of the DMA-buf, or NULL */
static u8 *peer_bytes(struct p2p *p, u64 off)
{
	u8 *bar = p->peer->bars[p->o->bar].vaddr;
	u32 i;

	for (i = 0; bar && i < p->nr_ranges; i++) {
		if (off + XFER <= p->ranges[i].length)
			return bar + p->ranges[i].offset + off;
		off -= p->ranges[i].length;
	}
	return NULL;
}

static void fill_pattern(u8 *buf, unsigned int seed)
{
	u32 i;

	for (i = 0; i < XFER; i++)
		buf[i] = pattern_byte(i, seed);
}

/* DMA the pattern of @seed from RAM to offset @off of the DMA-buf */
static int dma_into_peer(struct p2p *p, unsigned int seed, u64 off,
			 struct ctl_err *e)
{
	int ret;

	fill_pattern(p->data.vaddr, seed);
	printf("   %s copies 2 KiB (pattern %u) from RAM to IOVA 0x%llx\n",
	       p->o->dma_bdf, seed, (unsigned long long)(p->o->iova + off));
	ret = vfio_pci_driver_memcpy(p->dma, DATA_IOVA, p->o->iova + off,
				     XFER);
	if (ret)
		return fail(e, ret, "DMA by %s", p->o->dma_bdf);
	return 0;
}

/* Whether the pattern of @seed is at offset @off of the DMA-buf */
static bool landed(struct p2p *p, unsigned int seed, u64 off)
{
	u8 *bytes = peer_bytes(p, off);
	u8 want[XFER];

	fill_pattern(want, seed);
	return bytes && !memcmp(bytes, want, XFER);
}

static void report(struct p2p *p, unsigned int seed, u64 off, bool expect)
{
	bool ok = landed(p, seed, off);

	printf("   pattern %u %s at DMA-buf offset 0x%llx of %s BAR%u (read through its mmap)%s\n",
	       seed, ok ? "landed" : "is not", (unsigned long long)off,
	       p->o->peer_bdf, p->o->bar, ok == expect ? "" : ": UNEXPECTED");
	if (ok != expect)
		p->unexpected++;
}

static int p2p_setup(struct p2p *p, struct ctl_err *e)
{
	const struct p2p_opts *o = p->o;
	struct dma_region *driver;
	u32 i;
	int ret;

	p->iommu = iommu_init(MODE_IOMMUFD);
	p->dma = vfio_pci_device_init(o->dma_bdf, p->iommu);
	p->peer = vfio_pci_device_init(o->peer_bdf, p->iommu);
	if (!p->dma->driver.ops)
		return fail(e, 0, "%s: no libvfio driver for this device",
			    o->dma_bdf);
	if (o->bar >= PCI_STD_NUM_BARS || !p->peer->bars[o->bar].vaddr)
		return fail(e, 0, "%s: BAR%u is not mapped", o->peer_bdf,
			    o->bar);
	driver = &p->dma->driver.region;
	ret = region_alloc(p, driver, DRIVER_IOVA, SZ_4K, e);
	if (ret)
		return ret;
	ret = region_alloc(p, &p->data, DATA_IOVA, SZ_4K, e);
	if (ret)
		return ret;
	vfio_pci_driver_init(p->dma);
	p->driver_ready = true;

	memcpy(p->ranges, o->ranges, sizeof(p->ranges));
	p->nr_ranges = o->nr_ranges;
	if (!p->nr_ranges) {
		p->ranges[0].length = p->peer->bars[o->bar].info.size;
		p->nr_ranges = 1;
	}
	p->fd = __vfio_pci_dma_buf_export(p->peer, o->bar, O_RDWR | O_CLOEXEC,
					  p->ranges, p->nr_ranges);
	if (p->fd < 0)
		return fail(e, p->fd, "exporting %u ranges of %s BAR%u",
			    p->nr_ranges, o->peer_bdf, o->bar);
	for (i = 0, p->length = 0; i < p->nr_ranges; i++)
		p->length += p->ranges[i].length;
	printf("== export: %s BAR%u as DMA-buf fd %d, %u range(s), %llu KiB\n",
	       o->peer_bdf, o->bar, p->fd, p->nr_ranges,
	       (unsigned long long)p->length >> 10);
	for (i = 0; i < p->nr_ranges; i++)
		printf("   range %u: BAR offset 0x%llx, 0x%llx bytes\n", i,
		       (unsigned long long)p->ranges[i].offset,
		       (unsigned long long)p->ranges[i].length);

	ret = __iommu_map_file(p->iommu, p->fd, 0, p->length, o->iova,
			       IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE);
	if (ret)
		return fail(e, ret, "IOMMU_IOAS_MAP_FILE at 0x%llx",
			    (unsigned long long)o->iova);
	printf("== map: IOMMU_IOAS_MAP_FILE at IOVA 0x%llx; the DMA-buf core mapped it\n",
	       (unsigned long long)o->iova);
	print_leaves(p);
	print_state(p);
	return 0;
}

static void p2p_teardown(struct p2p *p)
{
	if (p->fd >= 0) {
		__iommu_unmap_iova(p->iommu, p->o->iova, p->length);
		close(p->fd);
	}
	if (p->driver_ready)
		vfio_pci_driver_remove(p->dma);
	if (p->data.vaddr)
		region_free(p, &p->data);
	if (p->dma && p->dma->driver.region.vaddr)
		region_free(p, &p->dma->driver.region);
	if (p->peer)
		vfio_pci_device_cleanup(p->peer);
	if (p->dma)
		vfio_pci_device_cleanup(p->dma);
	if (p->iommu)
		iommu_cleanup(p->iommu);
}

/* DMA the pattern of @seed to offset @off; print faults and the result */
static int dma_step(struct p2p *p, unsigned int seed, u64 off,
		    struct ctl_err *e)
{
	int kmsg = kmsg_open();
	int ret;

	ret = dma_into_peer(p, seed, off, e);
	usleep(200000);
	print_faults(kmsg);
	if (kmsg >= 0)
		close(kmsg);
	return ret;
}

/*
 * While revoked, DMA the next pattern just behind the first one; after the
 * restore check that it did not land, then DMA a third over the first.
 */
static int revoke_memory(struct p2p *p, struct ctl_err *e)
{
	unsigned int seed = p->o->seed;
	u64 at = p->o->at;
	int ret;

	printf("== revoke: clear PCI_COMMAND_MEMORY of %s\n", p->o->peer_bdf);
	vfio_pci_cmd_clear(p->peer, PCI_COMMAND_MEMORY);
	print_leaves(p);
	print_state(p);
	ret = dma_step(p, seed + 1, at + XFER, e);
	if (ret)
		return ret;

	printf("== restore: set PCI_COMMAND_MEMORY again; userspace remaps nothing\n");
	vfio_pci_cmd_set(p->peer, PCI_COMMAND_MEMORY);
	print_leaves(p);
	print_state(p);
	report(p, seed + 1, at + XFER, false);
	ret = dma_step(p, seed + 2, at, e);
	if (!ret)
		report(p, seed + 2, at, true);
	return ret;
}

static int revoke_reset(struct p2p *p, struct ctl_err *e)
{
	int ret;

	printf("== reset: VFIO_DEVICE_RESET of %s revokes and restores\n",
	       p->o->peer_bdf);
	ret = __vfio_pci_device_reset(p->peer);
	if (ret)
		return fail(e, ret, "VFIO_DEVICE_RESET of %s", p->o->peer_bdf);
	print_leaves(p);
	print_state(p);
	ret = dma_step(p, p->o->seed + 1, p->o->at, e);
	if (!ret)
		report(p, p->o->seed + 1, p->o->at, true);
	return ret;
}

static int cmd_p2p(struct p2p_opts *o, struct ctl_err *e)
{
	struct p2p p = { .o = o, .fd = -1 };
	int ret;

	ret = p2p_setup(&p, e);
	if (!ret) {
		printf("== DMA: RAM -> DMA-buf IOVA -> %s BAR%u\n",
		       o->peer_bdf, o->bar);
		ret = dma_step(&p, o->seed, o->at, e);
	}
	if (!ret) {
		report(&p, o->seed, o->at, true);
		if (o->revoke && !strcmp(o->revoke, "memory"))
			ret = revoke_memory(&p, e);
		else if (o->revoke)
			ret = revoke_reset(&p, e);
	}
	p2p_teardown(&p);
	if (!ret && p.unexpected)
		return fail(e, 0, "%u DMA(s) did not turn out as they should",
			    p.unexpected);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dmabufctl list\n"
		"       dmabufctl p2p DMA_BDF PEER_BDF [--bar N] [--range OFF:LEN]...\n"
		"                 [--iova ADDR] [--at OFF] [--seed N]\n"
		"                 [--revoke memory|reset]\n");
}

int main(int argc, char **argv)
{
	struct ctl_err e = {};
	struct p2p_opts o;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cmd_list() ? 1 : 0;
	if (argc < 2 || strcmp(argv[1], "p2p")) {
		usage();
		return 2;
	}
	ret = parse_p2p(argc - 2, argv + 2, &o, &e);
	if (!ret)
		ret = cmd_p2p(&o, &e);
	if (ret) {
		fprintf(stderr, "dmabufctl: %s\n", e.msg);
		return 1;
	}
	return 0;
}
