// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmabufctl: peer-to-peer DMA through a DMA-buf, from inside a guest or on a
 * host, for VMM developers.  "dmabufctl --help" explains every option.
 *
 *   dmabufctl list
 *	The PCI devices bound to vfio-pci: vendor:device, IOMMU group, BARs.
 *	Fails when none is bound or sysfs cannot be read.
 *
 *   dmabufctl p2p DMA_BDF PEER_BDF [options]
 *	Export ranges of PEER_BDF's BAR as one DMA-buf, map it into an iommufd
 *	IOAS, print the IOMMU leaves that translate it, and have the DMA
 *	engine DMA_BDF (a device libvfio has a driver for, such as QEMU's
 *	edu) copy a pattern into it; the bytes are checked through the BAR.
 *	--bar N            the peer's BAR (default 2)
 *	--range OFF:LEN    a range of the BAR, in bytes, with K/M/G suffixes;
 *	                   repeat for more ranges (default: the whole BAR)
 *	--iova ADDR        where to map the DMA-buf (default: an IOVA from
 *	                   libvfio's allocator, within the engine's reach)
 *	--at OFF           offset in the DMA-buf for the DMA (default 0)
 *	--seed N           the pattern's seed (default 1)
 *	--revoke memory    then clear the peer's memory enable bit, show the
 *	                   leaves gone and DMA (seed N + 1, at OFF + 2 KiB),
 *	                   which faults; set the bit again, show the leaves
 *	                   back, check that DMA did not land, and DMA again
 *	                   (seed N + 2, at OFF)
 *	--revoke reset     then VFIO_DEVICE_RESET the peer, show the leaves
 *	                   back and DMA again (seed N + 1, at OFF)
 *	--peer KIND        copy out of a second DMA-buf, of system RAM from
 *	                   KIND (udmabuf, heap or vgem), mapped through the
 *	                   IOMMU interconnect too, instead of out of user memory
 *
 * The pattern is byte i = (i * 7) ^ (seed * 0x5b), 2 KiB long. Before each
 * DMA its target is cleared through the peer BAR's mmap, and afterwards the
 * bytes are checked there; a DMA may straddle two ranges.  The kernel's
 * IOMMU fault reports are printed as they appear, with the DMA whose page
 * they name.  Exit status: 0 when every step worked and every DMA landed,
 * or did not, as it should; 1 otherwise; 2 on bad usage.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/dma-heap.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/udmabuf.h>

#include <libvfio.h>

#include <vfio/vfio_dmabuf_util.h>

/* The region libvfio's drivers get, as in the VFIO selftests */
#define DRIVER_SIZE	SZ_2M
/* The RAM DMA-buf of --peer */
#define SRC_SIZE	SZ_64K
#define XFER		SZ_2K
#define MAX_RANGES	8
#define IO_PAGE		SZ_4K
/* Leaves printed one by one; the rest are summed up */
#define SHOWN_LEAVES	16
/* Most leaves read back: 4 GiB in 4 KiB leaves */
#define MAX_LEAVES	(1 << 20)

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
	bool iova_given;
	u64 at;
	unsigned int seed;
	const char *revoke;
	/* --peer: udmabuf, heap or vgem; NULL to copy out of user memory */
	const char *source;
};

struct p2p {
	const struct p2p_opts *o;
	struct iommu *iommu;
	struct vfio_pci_device *dma;
	struct vfio_pci_device *peer;
	/* IOVAs where the engine reaches them, for the RAM dmabufctl maps */
	struct iova_allocator *iovas;
	struct dma_region data;
	/* Where the DMA-buf is mapped: --iova, or from the allocator */
	iova_t iova;
	/* Where the RAM dmabufctl maps goes: driver, data, --peer DMA-buf */
	iova_t driver_iova;
	iova_t data_iova;
	iova_t src_iova;
	/* The ranges exported: the options' or the whole BAR */
	struct vfio_region_dma_range ranges[MAX_RANGES];
	u32 nr_ranges;
	int fd;
	u64 length;
	/* The RAM DMA-buf of --peer, the CPU's view of it, whether mapped */
	int src_fd;
	u8 *src;
	bool src_mapped;
	bool driver_ready;
	/* DMAs that landed where they should not have, or did not land */
	unsigned int unexpected;
};

/*
 * A number with no sign: decimal, or hexadecimal after "0x".  @end gets
 * what follows it.  0 on success.
 */
static int parse_number(const char *s, u64 *out, char **end)
{
	int base = 10;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
		base = 16;
	}
	errno = 0;
	*out = strtoull(s, end, base);
	return errno ? -errno : 0;
}

/* A plain number no larger than @max: "2", "0x10"; no suffix. 0 on success */
static int parse_uint(const char *s, u64 max, u64 *out)
{
	char *end;

	if (parse_number(s, out, &end) || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* A size in bytes: "8M", "0x1000", "4096". 0 on success */
static int parse_size(const char *s, u64 *out)
{
	unsigned int shift = 0;
	char *end;

	if (parse_number(s, out, &end))
		return -EINVAL;
	switch (*end) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 0:
		return 0;
	default:
		return -EINVAL;
	}
	if (end[1] || *out > (UINT64_MAX >> shift))
		return -EINVAL;
	*out <<= shift;
	return 0;
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

/* "DDDD:BB:SS.F": a domain of 4 or more hex digits, slot < 32, function < 8 */
static bool is_bdf(const char *name)
{
	size_t n = strspn(name, "0123456789abcdefABCDEF");
	const char *p = name + n;

	if (n < 4 || p[0] != ':' || strspn(p + 1, "0123456789abcdefABCDEF") < 2 ||
	    p[3] != ':' || strspn(p + 4, "0123456789abcdefABCDEF") < 2 ||
	    p[6] != '.' || p[7] < '0' || p[7] > '7' || p[8])
		return false;
	return strtoul(p + 4, NULL, 16) < 32;
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
		.seed = 1,
	};
	for (i = 0; i < 2; i++)
		if (!is_bdf(argv[i]))
			return fail(e, 0, "'%s' is not a PCI address (DDDD:BB:SS.F, such as 0000:00:03.0)",
				    argv[i]);
	if (!strcmp(o->dma_bdf, o->peer_bdf))
		return fail(e, 0, "the DMA device and the peer must be two devices");
	for (i = 2; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strncmp(opt, "--", 2))
			return fail(e, 0, "unexpected argument '%s'", opt);
		if (!val)
			return fail(e, 0, "%s needs a value", opt);
		if (!strcmp(opt, "--range")) {
			if (o->nr_ranges == MAX_RANGES)
				return fail(e, 0, "at most %d ranges",
					    MAX_RANGES);
			if (parse_range(val, &o->ranges[o->nr_ranges++]))
				return fail(e, 0, "bad range '%s' (OFF:LEN, such as 4M:2M)",
					    val);
		} else if (!strcmp(opt, "--revoke")) {
			if (strcmp(val, "memory") && strcmp(val, "reset"))
				return fail(e, 0, "--revoke takes memory or reset, not '%s'",
					    val);
			o->revoke = val;
		} else if (!strcmp(opt, "--bar")) {
			if (parse_uint(val, PCI_STD_NUM_BARS - 1, &v))
				return fail(e, 0, "--bar takes a BAR number from 0 to %d, not '%s'",
					    PCI_STD_NUM_BARS - 1, val);
			o->bar = v;
		} else if (!strcmp(opt, "--seed")) {
			/* the revoke steps use seed + 1 and seed + 2 */
			if (parse_uint(val, UINT_MAX - 2, &v))
				return fail(e, 0, "--seed takes a number from 0 to %u, not '%s'",
					    UINT_MAX - 2, val);
			o->seed = v;
		} else if (!strcmp(opt, "--iova")) {
			if (parse_size(val, &o->iova))
				return fail(e, 0, "bad IOVA '%s'", val);
			o->iova_given = true;
			if (o->iova % IO_PAGE)
				return fail(e, 0, "--iova 0x%llx is not aligned to 4 KiB",
					    (unsigned long long)o->iova);
		} else if (!strcmp(opt, "--peer")) {
			if (strcmp(val, "udmabuf") && strcmp(val, "heap") &&
			    strcmp(val, "vgem"))
				return fail(e, 0, "--peer takes udmabuf, heap or vgem, not '%s'",
					    val);
			o->source = val;
		} else if (!strcmp(opt, "--at")) {
			if (parse_size(val, &o->at))
				return fail(e, 0, "bad offset '%s' for --at", val);
		} else {
			return fail(e, 0, "unknown option %s", opt);
		}
	}
	return 0;
}

/* Whether [a, a + alen) and [b, b + blen) overlap */
static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* readlink() of a sysfs link of @bdf, its last component in @buf */
static int pci_link(const char *bdf, const char *link, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	snprintf(buf, size, "%s", basename(target));
	return 0;
}

/*
 * What libvfio would otherwise stop on with an assertion: a device that is
 * not there or not bound to vfio-pci, no iommufd.
 */
static int check_device(const char *bdf, const char *role, struct ctl_err *e)
{
	char path[PATH_MAX], driver[NAME_MAX + 1];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (stat(path, &st))
		return fail(e, -errno, "%s %s: no such PCI device", role, bdf);
	ret = pci_link(bdf, "driver", driver, sizeof(driver));
	if (ret == -ENOENT)
		return fail(e, 0, "%s %s is bound to no driver; bind it to vfio-pci",
			    role, bdf);
	if (ret)
		return fail(e, ret, "%s %s: reading its driver", role, bdf);
	if (strcmp(driver, "vfio-pci"))
		return fail(e, 0, "%s %s is bound to %s, not vfio-pci", role,
			    bdf, driver);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	if (stat(path, &st))
		return fail(e, -errno, "%s %s has no VFIO device file (CONFIG_VFIO_DEVICE_CDEV?)",
			    role, bdf);
	return 0;
}

static int check_environment(const struct p2p_opts *o, struct ctl_err *e)
{
	int ret;

	if (access("/dev/iommu", R_OK | W_OK))
		return fail(e, -errno, "/dev/iommu (iommufd)");
	ret = check_device(o->dma_bdf, "DMA device", e);
	if (!ret)
		ret = check_device(o->peer_bdf, "peer", e);
	return ret;
}

/* A hexadecimal sysfs attribute of PCI device @bdf; 0 or -errno */
static int pci_attr(const char *bdf, const char *attr, unsigned int *val)
{
	char path[PATH_MAX];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%x", val) != 1)
		ret = -EIO;
	fclose(f);
	return ret;
}

static int print_bars(const char *bdf)
{
	unsigned long long start, end, flags;
	char path[PATH_MAX];
	int bar = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (bar < PCI_STD_NUM_BARS &&
	       fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3) {
		if (start && end - start + 1 >= SZ_1K)
			printf("    BAR%d  0x%llx  %llu KiB\n", bar, start,
			       (end - start + 1) >> 10);
		else if (start)
			printf("    BAR%d  0x%llx  %llu bytes\n", bar, start,
			       end - start + 1);
		bar++;
	}
	fclose(f);
	return bar == PCI_STD_NUM_BARS ? 0 : -EIO;
}

/* 0 when at least one device is bound to vfio-pci and all could be read */
static int cmd_list(void)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/vfio-pci");
	unsigned int vendor, device;
	char group[NAME_MAX + 1];
	struct dirent *de;
	int n = 0, errors = 0, ret;

	if (!dir) {
		fprintf(stderr, "dmabufctl: /sys/bus/pci/drivers/vfio-pci: %s\n",
			errno == ENOENT ? "vfio-pci is not loaded" : strerror(errno));
		return 1;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			break;
		if (!is_bdf(de->d_name))
			continue;
		n++;
		ret = pci_attr(de->d_name, "vendor", &vendor);
		if (!ret)
			ret = pci_attr(de->d_name, "device", &device);
		if (ret) {
			fprintf(stderr, "dmabufctl: %s: reading its IDs: %s\n",
				de->d_name, strerror(-ret));
			errors++;
			continue;
		}
		ret = pci_link(de->d_name, "iommu_group", group, sizeof(group));
		printf("%s  %04x:%04x  IOMMU group %s\n", de->d_name, vendor,
		       device, ret ? "none" : group);
		ret = print_bars(de->d_name);
		if (ret) {
			fprintf(stderr, "dmabufctl: %s: reading its BARs: %s\n",
				de->d_name, strerror(-ret));
			errors++;
		}
	}
	if (errno) {
		fprintf(stderr, "dmabufctl: reading /sys/bus/pci/drivers/vfio-pci: %s\n",
			strerror(errno));
		errors++;
	}
	closedir(dir);
	if (!n)
		fprintf(stderr, "dmabufctl: no device is bound to vfio-pci\n");
	return !n || errors;
}

static int region_alloc(struct p2p *p, struct dma_region *r, u64 iova,
			u64 size, struct ctl_err *e)
{
	void *vaddr = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ret;

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

/* The leaves translating the DMA-buf: their number or -errno; free *@out */
static int read_leaves(struct p2p *p, struct iommu_leaf **out)
{
	struct iommu_leaf *leaves = NULL, *more;
	int max = 64, n;

	for (;;) {
		more = realloc(leaves, max * sizeof(*leaves));
		if (!more) {
			n = -ENOMEM;
			break;
		}
		leaves = more;
		n = intel_iommu_leaves(p->o->dma_bdf, p->iova, p->length,
				       leaves, max);
		if (n != -E2BIG || max >= MAX_LEAVES)
			break;
		max *= 2;
	}
	if (n < 0) {
		free(leaves);
		leaves = NULL;
	}
	*out = leaves;
	return n;
}

/* Print the leaves; return how many there are, or a negative errno */
static int print_leaves(struct p2p *p)
{
	u64 sizes[4] = { SZ_4K, SZ_2M, SZ_1G, 0 };
	struct iommu_leaf *leaves;
	int n, i, j;

	n = read_leaves(p, &leaves);
	if (n == -E2BIG) {
		printf("   (more than %d IOMMU leaves: not listed)\n", MAX_LEAVES);
		return n;
	}
	if (n < 0) {
		printf("   (no Intel IOMMU translation table: %s)\n",
		       strerror(-n));
		return n;
	}
	printf("   IOMMU translation of IOVA [0x%llx, +0x%llx) for %s: %d leaves\n",
	       (unsigned long long)p->iova, (unsigned long long)p->length,
	       p->o->dma_bdf, n);
	for (i = 0; i < n && i < SHOWN_LEAVES; i++)
		printf("     IOVA 0x%08llx -> phys 0x%llx  (%llu KiB leaf)\n",
		       (unsigned long long)leaves[i].iova,
		       (unsigned long long)leaves[i].phys,
		       (unsigned long long)leaves[i].size >> 10);
	if (n > SHOWN_LEAVES) {
		printf("     ... and %d more:", n - SHOWN_LEAVES);
		for (j = 0; sizes[j]; j++) {
			int count = 0;

			for (i = SHOWN_LEAVES; i < n; i++)
				count += leaves[i].size == sizes[j];
			if (count)
				printf(" %d of %llu KiB", count,
				       (unsigned long long)sizes[j] >> 10);
		}
		printf("\n");
	}
	free(leaves);
	return n;
}

static void print_state(struct p2p *p)
{
	struct iommu_ioas_dmabuf_state st;
	int ret;

	ret = __iommu_dmabuf_state(p->iommu, p->iova, &st);
	if (ret) {
		printf("   IOMMU_IOAS_DMABUF_STATE: %s\n", strerror(-ret));
		return;
	}
	printf("   IOMMU_IOAS_DMABUF_STATE: %s, %llu revokes, %llu restores\n",
	       st.out_state & IOMMU_IOAS_DMABUF_STATE_REVOKED ?
	       "revoked" : "mapped",
	       (unsigned long long)st.out_revokes,
	       (unsigned long long)st.out_restores);
}

/*
 * The IOMMU fault messages the kernel logged since @kmsg was opened.  A
 * fault report names the requester and the page of the faulting address,
 * not the address; say whether it is @bdf's and a page of the DMA to
 * [@iova, @iova + XFER).  Returns the number of reports about that DMA.
 */
static int print_faults(int kmsg, const char *bdf, u64 iova)
{
	u64 first = iova & ~(u64)(IO_PAGE - 1);
	u64 last = (iova + XFER - 1) & ~(u64)(IO_PAGE - 1);
	char rec[1024], requester[40];
	int ours = 0;
	ssize_t n;

	if (kmsg < 0)
		return 0;
	/* VT-d names the requester as [dddd:bb:dd.f] */
	snprintf(requester, sizeof(requester), "[%s]", bdf);
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		unsigned long long addr;
		char *msg, *at, *nl;

		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg || !strstr(msg, "DMAR") ||
		    !(strstr(msg, "fault") || strstr(msg, "Request")))
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		printf("   kernel: %s\n", msg);
		at = strstr(msg, "fault addr ");
		if (!at || sscanf(at, "fault addr %llx", &addr) != 1)
			continue;
		if (!strstr(msg, requester)) {
			printf("     (not a fault of %s)\n", bdf);
		} else if (addr >= first && addr <= last) {
			printf("     (page 0x%llx holds IOVA 0x%llx, the target of this DMA)\n",
			       addr, (unsigned long long)iova);
			ours++;
		} else {
			printf("     (page 0x%llx is not a page of this DMA, IOVA 0x%llx to 0x%llx)\n",
			       addr, (unsigned long long)iova,
			       (unsigned long long)(iova + XFER - 1));
		}
	}
	return ours;
}

/*
 * Copy @len bytes at offset @off of the DMA-buf from (or, @write, to) the
 * peer BAR's mmap, range by range: the bytes may straddle ranges that are
 * not next to each other in the BAR.  false if they leave the DMA-buf.
 */
static bool peer_access(struct p2p *p, u64 off, u8 *buf, u64 len, bool write)
{
	volatile u8 *bar = p->peer->bars[p->o->bar].vaddr;
	u64 i, n;
	u32 r;

	for (r = 0; bar && len && r < p->nr_ranges; r++) {
		const struct vfio_region_dma_range *range = &p->ranges[r];

		if (off >= range->length) {
			off -= range->length;
			continue;
		}
		n = range->length - off < len ? range->length - off : len;
		for (i = 0; i < n; i++) {
			if (write)
				bar[range->offset + off + i] = buf[i];
			else
				buf[i] = bar[range->offset + off + i];
		}
		buf += n;
		len -= n;
		off = 0;
	}
	return bar && !len;
}

/*
 * Zero the 2 KiB at offset @off of the DMA-buf through the BAR, so that
 * what an earlier run left there cannot pass for this DMA.
 */
static int clear_target(struct p2p *p, u64 off, struct ctl_err *e)
{
	u8 zero[XFER] = { 0 }, back[XFER];

	if (!peer_access(p, off, zero, XFER, true) ||
	    !peer_access(p, off, back, XFER, false) ||
	    memcmp(zero, back, XFER))
		return fail(e, 0, "cannot clear DMA-buf offset 0x%llx through %s BAR%u",
			    (unsigned long long)off, p->o->peer_bdf, p->o->bar);
	return 0;
}

/*
 * DMA the pattern of @seed to offset @off of the DMA-buf, from user memory
 * or, with --peer, from the RAM DMA-buf
 */
static int dma_into_peer(struct p2p *p, unsigned int seed, u64 off,
			 struct ctl_err *e)
{
	u64 from = p->src ? p->src_iova : p->data.iova;
	int ret;

	dmabuf_fill_pattern(p->src ? p->src : p->data.vaddr, XFER, seed);
	printf("   %s copies 2 KiB (pattern %u) from %s at IOVA 0x%llx to IOVA 0x%llx (DMA-buf offset 0x%llx)\n",
	       p->o->dma_bdf, seed, p->src ? p->o->source : "RAM",
	       (unsigned long long)from,
	       (unsigned long long)(p->iova + off),
	       (unsigned long long)off);
	ret = vfio_pci_driver_memcpy(p->dma, from, p->iova + off, XFER);
	if (ret)
		return fail(e, ret, "DMA by %s", p->o->dma_bdf);
	return 0;
}

/*
 * Whether the pattern of @seed is at offset @off of the DMA-buf; false
 * with *@readable false when the bytes could not be read at all.
 */
static bool landed(struct p2p *p, unsigned int seed, u64 off, bool *readable)
{
	u8 bytes[XFER], want[XFER];

	dmabuf_fill_pattern(want, XFER, seed);
	*readable = peer_access(p, off, bytes, XFER, false);
	return *readable && !memcmp(bytes, want, XFER);
}

/*
 * Say whether the pattern landed, as @expect says it should. Bytes that
 * cannot be read prove nothing either way, so they count as unexpected
 * even where the DMA should not have landed.
 */
static void report(struct p2p *p, unsigned int seed, u64 off, bool expect)
{
	bool readable, ok = landed(p, seed, off, &readable);

	if (!readable) {
		printf("   cannot read DMA-buf offset 0x%llx through %s BAR%u: UNEXPECTED\n",
		       (unsigned long long)off, p->o->peer_bdf, p->o->bar);
		p->unexpected++;
		return;
	}

	printf("   pattern %u %s at DMA-buf offset 0x%llx of %s BAR%u (read through its mmap)%s\n",
	       seed, ok ? "landed" : "is not", (unsigned long long)off,
	       p->o->peer_bdf, p->o->bar, ok == expect ? "" : ": UNEXPECTED");
	if (ok != expect)
		p->unexpected++;
}

/* The ranges to export, checked against the BAR; the DMA-buf's length */
static int choose_ranges(struct p2p *p, struct ctl_err *e)
{
	const struct p2p_opts *o = p->o;
	u64 bar_size = p->peer->bars[o->bar].info.size;
	u32 i;

	memcpy(p->ranges, o->ranges, sizeof(p->ranges));
	p->nr_ranges = o->nr_ranges;
	if (!p->nr_ranges) {
		p->ranges[0] = (struct vfio_region_dma_range){ .length = bar_size };
		p->nr_ranges = 1;
	}
	for (i = 0, p->length = 0; i < p->nr_ranges; i++) {
		const struct vfio_region_dma_range *r = &p->ranges[i];

		if (!r->length || r->offset % IO_PAGE || r->length % IO_PAGE)
			return fail(e, 0, "range 0x%llx:0x%llx: offset and length must be multiples of 4 KiB, the length not 0",
				    (unsigned long long)r->offset,
				    (unsigned long long)r->length);
		if (r->offset > bar_size || r->length > bar_size - r->offset)
			return fail(e, 0, "range 0x%llx:0x%llx is not inside %s BAR%u (0x%llx bytes)",
				    (unsigned long long)r->offset,
				    (unsigned long long)r->length, o->peer_bdf,
				    o->bar, (unsigned long long)bar_size);
		p->length += r->length;
	}
	return 0;
}

/*
 * IOVAs for the RAM dmabufctl maps, from libvfio's allocator limited to what
 * the engine reaches, and for the DMA-buf unless --iova chose one.
 */
static int place_iovas(struct p2p *p, struct ctl_err *e)
{
	u64 reach = p->dma->driver.iova_max;
	u64 span = SZ_4K;

	while (span < p->length)
		span <<= 1;
	/* The allocator aligns each IOVA to its size: leave room for all */
	if (!p->o->iova_given && reach && span > (reach + 1) / 4)
		return fail(e, 0, "the DMA-buf's 0x%llx bytes do not fit beside dmabufctl's RAM below 0x%llx, all %s can address",
			    (unsigned long long)p->length,
			    (unsigned long long)reach, p->o->dma_bdf);
	p->iovas = iova_allocator_init(p->iommu);
	iova_allocator_limit(p->iovas, reach);
	p->driver_iova = iova_allocator_alloc(p->iovas, DRIVER_SIZE);
	p->data_iova = iova_allocator_alloc(p->iovas, getpagesize());
	if (p->o->source)
		p->src_iova = iova_allocator_alloc(p->iovas, SRC_SIZE);
	p->iova = p->o->iova_given ? p->o->iova :
				     iova_allocator_alloc(p->iovas, span);
	return 0;
}

/* Where the DMA-buf and the DMAs go, checked before anything is mapped */
static int check_placement(struct p2p *p, struct ctl_err *e)
{
	const struct p2p_opts *o = p->o;
	u64 reach = p->dma->driver.iova_max;
	u64 span = o->revoke && !strcmp(o->revoke, "memory") ? 2 * XFER : XFER;

	if (o->at > p->length || span > p->length - o->at)
		return fail(e, 0, "--at 0x%llx: the DMA%s (0x%llx bytes from there) must fit in the DMA-buf's 0x%llx bytes",
			    (unsigned long long)o->at,
			    span > XFER ? "s of --revoke memory" : "",
			    (unsigned long long)span,
			    (unsigned long long)p->length);
	if (p->iova > UINT64_MAX - p->length)
		return fail(e, 0, "--iova 0x%llx: the DMA-buf's 0x%llx bytes wrap around",
			    (unsigned long long)p->iova,
			    (unsigned long long)p->length);
	if (reach && p->iova + p->length - 1 > reach)
		return fail(e, 0, "--iova 0x%llx: the DMA-buf would end at 0x%llx, beyond what %s can address (up to 0x%llx)",
			    (unsigned long long)p->iova,
			    (unsigned long long)(p->iova + p->length - 1),
			    o->dma_bdf, (unsigned long long)reach);
	if (overlaps(p->iova, p->length, p->driver_iova, DRIVER_SIZE) ||
	    overlaps(p->iova, p->length, p->data_iova, getpagesize()))
		return fail(e, 0, "--iova 0x%llx: [0x%llx, 0x%llx) overlaps the RAM dmabufctl maps at 0x%llx and 0x%llx",
			    (unsigned long long)p->iova,
			    (unsigned long long)p->iova,
			    (unsigned long long)(p->iova + p->length),
			    (unsigned long long)p->driver_iova,
			    (unsigned long long)p->data_iova);
	if (o->source && overlaps(p->iova, p->length, p->src_iova, SRC_SIZE))
		return fail(e, 0, "--iova 0x%llx: [0x%llx, 0x%llx) overlaps the --peer DMA-buf at 0x%llx",
			    (unsigned long long)p->iova,
			    (unsigned long long)p->iova,
			    (unsigned long long)(p->iova + p->length),
			    (unsigned long long)p->src_iova);
	return 0;
}

/*
 * A udmabuf of @size bytes over a new sealed memfd; *@cpu gets the memfd's
 * mapping. The DMA-buf fd, or -errno.
 */
static int udmabuf_open(u64 size, u8 **cpu)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	int memfd, dev, fd = -1, err = 0;

	memfd = memfd_create("dmabufctl", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		err = -errno;
	dev = err ? -1 : open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (!err && dev < 0)
		err = -errno;
	if (!err) {
		create.memfd = memfd;
		fd = ioctl(dev, UDMABUF_CREATE, &create);
		if (fd < 0)
			err = -errno;
	}
	if (!err) {
		*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    memfd, 0);
		if (*cpu == MAP_FAILED) {
			err = -errno;
			*cpu = NULL;
			close(fd);
		}
	}
	if (dev >= 0)
		close(dev);
	close(memfd);
	return err ? err : fd;
}

/* A buffer of @size bytes from the system DMA-buf heap; the fd or -errno */
static int heap_open(u64 size)
{
	struct dma_heap_allocation_data alloc = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap, err = 0;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc))
		err = -errno;
	close(heap);
	return err ? err : (int)alloc.fd;
}

/* The DRM device whose driver is vgem, or -ENOENT */
static int vgem_card(void)
{
	char path[32], name[8];
	int i, card;

	for (i = 0; i < 16; i++) {
		struct drm_version version = {
			.name = name,
			.name_len = sizeof(name) - 1,
		};

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		card = open(path, O_RDWR | O_CLOEXEC);
		if (card < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(card, DRM_IOCTL_VERSION, &version) &&
		    !strcmp(name, "vgem"))
			return card;
		close(card);
	}
	return -ENOENT;
}

/* A vgem buffer of @size bytes, exported with DRM PRIME; the fd or -errno */
static int vgem_open(u64 size)
{
	/* 1024 pixels of 4 bytes make one 4 KiB line */
	struct drm_mode_create_dumb dumb = {
		.width = 1024, .bpp = 32, .height = size / SZ_4K,
	};
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };
	int card, err = 0;

	card = vgem_card();
	if (card < 0)
		return card;
	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		err = -errno;
	prime.handle = dumb.handle;
	if (!err && ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))
		err = -errno;
	close(card);
	return err ? err : prime.fd;
}

/* What is missing when a --peer exporter's device node is absent */
static const char *source_missing(const char *kind)
{
	if (!strcmp(kind, "udmabuf"))
		return "no /dev/udmabuf (CONFIG_UDMABUF)";
	if (!strcmp(kind, "heap"))
		return "no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM)";
	return "no vgem device in /dev/dri (CONFIG_DRM_VGEM)";
}

/*
 * The RAM DMA-buf of --peer: created by its exporter, seen by the CPU
 * through its own mmap() (a udmabuf: through its memfd), and mapped at
 * p->src_iova through the IOMMU interconnect.
 */
static int source_setup(struct p2p *p, struct ctl_err *e)
{
	const char *kind = p->o->source;
	int ret;

	if (!strcmp(kind, "udmabuf")) {
		p->src_fd = udmabuf_open(SRC_SIZE, &p->src);
	} else {
		p->src_fd = !strcmp(kind, "heap") ? heap_open(SRC_SIZE) :
						    vgem_open(SRC_SIZE);
		if (p->src_fd >= 0) {
			p->src = mmap(NULL, SRC_SIZE, PROT_READ | PROT_WRITE,
				      MAP_SHARED, p->src_fd, 0);
			if (p->src == MAP_FAILED) {
				ret = -errno;
				p->src = NULL;
				return fail(e, ret, "mapping the %s DMA-buf for the CPU",
					    kind);
			}
		}
	}
	if (p->src_fd == -ENOENT)
		return fail(e, 0, "--peer %s: %s", kind, source_missing(kind));
	if (p->src_fd < 0)
		return fail(e, p->src_fd, "creating a %s DMA-buf", kind);

	ret = __iommu_map_file(p->iommu, p->src_fd, 0, SRC_SIZE, p->src_iova,
			       IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE);
	if (ret)
		return fail(e, ret, "IOMMU_IOAS_MAP_FILE of the %s DMA-buf",
			    kind);
	p->src_mapped = true;
	printf("== second peer: a %s DMA-buf (fd %d, %u KiB of RAM) mapped at IOVA 0x%llx with IOMMU_IOAS_MAP_FILE\n",
	       kind, p->src_fd, SRC_SIZE >> 10,
	       (unsigned long long)p->src_iova);
	return 0;
}

static void source_teardown(struct p2p *p)
{
	if (p->src_fd < 0)
		return;
	if (p->src_mapped)
		__iommu_unmap_range(p->iommu, p->src_iova, SRC_SIZE, NULL);
	if (p->src)
		munmap(p->src, SRC_SIZE);
	close(p->src_fd);
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
	if (!p->peer->bars[o->bar].vaddr)
		return fail(e, 0, "%s: BAR%u is not mapped (absent, or not mmap-able)",
			    o->peer_bdf, o->bar);
	ret = choose_ranges(p, e);
	if (!ret)
		ret = place_iovas(p, e);
	if (!ret)
		ret = check_placement(p, e);
	if (ret)
		return ret;
	driver = &p->dma->driver.region;
	ret = region_alloc(p, driver, p->driver_iova, DRIVER_SIZE, e);
	if (ret)
		return ret;
	ret = region_alloc(p, &p->data, p->data_iova, getpagesize(), e);
	if (ret)
		return ret;
	printf("== RAM: %s's driver region at IOVA 0x%llx, the data at 0x%llx\n",
	       o->dma_bdf, (unsigned long long)p->driver_iova,
	       (unsigned long long)p->data_iova);
	vfio_pci_driver_init(p->dma);
	p->driver_ready = true;
	if (o->source) {
		ret = source_setup(p, e);
		if (ret)
			return ret;
	}

	p->fd = __vfio_pci_dma_buf_export(p->peer, o->bar, O_RDWR | O_CLOEXEC,
					  p->ranges, p->nr_ranges);
	if (p->fd < 0)
		return fail(e, p->fd, "exporting %u ranges of %s BAR%u",
			    p->nr_ranges, o->peer_bdf, o->bar);
	printf("== export: %s BAR%u as DMA-buf fd %d, %u range(s), %llu KiB\n",
	       o->peer_bdf, o->bar, p->fd, p->nr_ranges,
	       (unsigned long long)p->length >> 10);
	for (i = 0; i < p->nr_ranges; i++)
		printf("   range %u: BAR offset 0x%llx, 0x%llx bytes\n", i,
		       (unsigned long long)p->ranges[i].offset,
		       (unsigned long long)p->ranges[i].length);

	ret = __iommu_map_file(p->iommu, p->fd, 0, p->length, p->iova,
			       IOMMU_IOAS_MAP_READABLE |
			       IOMMU_IOAS_MAP_WRITEABLE);
	if (ret) {
		close(p->fd);
		p->fd = -1;
		return fail(e, ret, "IOMMU_IOAS_MAP_FILE at 0x%llx",
			    (unsigned long long)p->iova);
	}
	printf("== map: IOMMU_IOAS_MAP_FILE at IOVA 0x%llx; the DMA-buf core mapped it\n",
	       (unsigned long long)p->iova);
	print_leaves(p);
	print_state(p);
	return 0;
}

static void p2p_teardown(struct p2p *p)
{
	if (p->fd >= 0) {
		__iommu_unmap_range(p->iommu, p->iova, p->length, NULL);
		close(p->fd);
	}
	source_teardown(p);
	if (p->driver_ready)
		vfio_pci_driver_remove(p->dma);
	if (p->data.vaddr)
		region_free(p, &p->data);
	if (p->dma && p->dma->driver.region.vaddr)
		region_free(p, &p->dma->driver.region);
	if (p->iovas)
		iova_allocator_cleanup(p->iovas);
	if (p->peer)
		vfio_pci_device_cleanup(p->peer);
	if (p->dma)
		vfio_pci_device_cleanup(p->dma);
	if (p->iommu)
		iommu_cleanup(p->iommu);
}

/*
 * DMA the pattern of @seed to offset @off; print the IOMMU faults it
 * caused.  *@faults (if not NULL) gets the number of fault reports that
 * name a page of this DMA.
 */
static int dma_step(struct p2p *p, unsigned int seed, u64 off, int *faults,
		    struct ctl_err *e)
{
	int kmsg = kmsg_open();
	int ret, ours;

	ret = dma_into_peer(p, seed, off, e);
	usleep(200000);
	ours = print_faults(kmsg, p->o->dma_bdf, p->iova + off);
	if (kmsg >= 0)
		close(kmsg);
	if (faults)
		*faults = ours;
	return ret;
}

/*
 * While revoked, DMA the next pattern just behind the first one; after the
 * restore check that it did not land, then DMA a third over the first.
 * Both targets are cleared while the BAR is still reachable.
 */
static int revoke_memory(struct p2p *p, struct ctl_err *e)
{
	unsigned int seed = p->o->seed;
	u64 at = p->o->at;
	int ret, faults, leaves;

	ret = clear_target(p, at + XFER, e);
	if (ret)
		return ret;
	printf("== revoke: clear PCI_COMMAND_MEMORY of %s\n", p->o->peer_bdf);
	vfio_pci_cmd_clear(p->peer, PCI_COMMAND_MEMORY);
	/*
	 * The verdict on the revoke: no IOMMU leaf left and the IOMMU's fault
	 * report for the DMA. That the DMA did not land proves nothing on its
	 * own: QEMU drops a write to a BAR whose decode is off anyway.
	 */
	leaves = print_leaves(p);
	if (leaves != 0) {
		printf("   UNEXPECTED: the IOMMU still maps the revoked DMA-buf\n");
		p->unexpected++;
	}
	print_state(p);
	ret = dma_step(p, seed + 1, at + XFER, &faults, e);
	if (ret)
		return ret;
	printf("   %d IOMMU fault report(s) for the page of this DMA\n", faults);
	if (faults < 1) {
		printf("   UNEXPECTED: the IOMMU reported no fault for the revoked DMA\n");
		p->unexpected++;
	}

	printf("== restore: set PCI_COMMAND_MEMORY again; userspace remaps nothing\n");
	vfio_pci_cmd_set(p->peer, PCI_COMMAND_MEMORY);
	print_leaves(p);
	print_state(p);
	report(p, seed + 1, at + XFER, false);
	ret = clear_target(p, at, e);
	if (!ret)
		ret = dma_step(p, seed + 2, at, NULL, e);
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
	ret = clear_target(p, p->o->at, e);
	if (!ret)
		ret = dma_step(p, p->o->seed + 1, p->o->at, NULL, e);
	if (!ret)
		report(p, p->o->seed + 1, p->o->at, true);
	return ret;
}

static int cmd_p2p(struct p2p_opts *o, struct ctl_err *e)
{
	struct p2p p = { .o = o, .fd = -1, .src_fd = -1 };
	int ret;

	ret = p2p_setup(&p, e);
	if (!ret)
		ret = clear_target(&p, o->at, e);
	if (!ret) {
		printf("== DMA: %s -> DMA-buf IOVA -> %s BAR%u\n",
		       o->source ? o->source : "RAM", o->peer_bdf, o->bar);
		ret = dma_step(&p, o->seed, o->at, NULL, e);
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmabufctl list\n"
		"       dmabufctl p2p DMA_BDF PEER_BDF [--bar N] [--range OFF:LEN]...\n"
		"                 [--iova ADDR] [--at OFF] [--seed N]\n"
		"                 [--revoke memory|reset] [--peer udmabuf|heap|vgem]\n"
		"       dmabufctl --help\n");
}

static void help(void)
{
	usage(stdout);
	printf("\n"
"Peer-to-peer DMA through a DMA-buf, for VMM developers.\n"
"\n"
"list    The PCI devices bound to vfio-pci: vendor:device, IOMMU group and\n"
"        BARs. Fails when no device is bound or sysfs cannot be read.\n"
"\n"
"p2p     Export ranges of one BAR of PEER_BDF as one DMA-buf through VFIO,\n"
"        map it into an iommufd IOAS with IOMMU_IOAS_MAP_FILE, print the\n"
"        IOMMU leaves that translate it (Intel IOMMU debugfs), and have\n"
"        DMA_BDF, a DMA engine libvfio has a driver for (QEMU's edu), copy\n"
"        a 2 KiB pattern into it. Both devices must be bound to vfio-pci;\n"
"        BDFs are written DDDD:BB:SS.F, such as 0000:00:03.0.\n"
"\n"
"Options of p2p; numbers are decimal or 0x hexadecimal, and sizes and\n"
"offsets may end in K, M or G:\n"
"  --bar N          the BAR of PEER_BDF to export, 0 to 5 (default 2);\n"
"                   a plain number, no suffix\n"
"  --range OFF:LEN  a range of that BAR: offset and length in bytes, both\n"
"                   multiples of 4 KiB; repeat for up to %d ranges, which\n"
"                   the DMA-buf holds in the order given (default: the\n"
"                   whole BAR as one range)\n"
"  --iova ADDR      the IOVA the DMA-buf is mapped at (default: one that\n"
"                   libvfio's IOVA allocator picks): a multiple of 4 KiB,\n"
"                   clear of the RAM dmabufctl maps for DMA_BDF's driver\n"
"                   and its data (allocated first, IOVAs printed), and\n"
"                   within what DMA_BDF can address (edu: 28 bits)\n"
"  --at OFF         the offset in the DMA-buf the DMA writes to (default\n"
"                   0); its 2 KiB, and with --revoke memory the 2 KiB after\n"
"                   them, must lie inside the DMA-buf and may straddle two\n"
"                   ranges\n"
"  --seed N         the pattern's seed, 0 to %u (default 1);\n"
"                   byte i of a pattern is (i * 7) ^ (seed * 0x5b)\n"
"  --revoke memory  after the first DMA, clear PEER_BDF's memory enable\n"
"                   bit: the leaves go, and pattern N + 1 is DMAed to\n"
"                   OFF + 2 KiB, which the IOMMU faults; set the bit again:\n"
"                   the leaves come back with no remap, pattern N + 1 must\n"
"                   not have landed, and pattern N + 2 is DMAed to OFF\n"
"  --revoke reset   after the first DMA, VFIO_DEVICE_RESET PEER_BDF, which\n"
"                   revokes and restores in one ioctl; pattern N + 1 is\n"
"                   DMAed to OFF\n"
"  --peer KIND      a second peer, of system RAM from another exporter:\n"
"                   the patterns come from a 64 KiB DMA-buf made by KIND,\n"
"                   mapped with IOMMU_IOAS_MAP_FILE like the\n"
"                   BAR's, instead of from user memory, so every DMA goes\n"
"                   from one DMA-buf to the other: udmabuf (a sealed\n"
"                   memfd; needs /dev/udmabuf), heap (/dev/dma_heap/system)\n"
"                   or vgem (a DRM PRIME buffer of the vgem driver)\n"
"  -h, --help       this help\n"
"\n"
"Before every DMA its target is zeroed through the BAR's mmap, so that\n"
"bytes an earlier run left cannot pass for a DMA; afterwards the bytes are\n"
"read back there. The kernel's IOMMU fault reports are printed as they\n"
"appear; they name the page of the faulting address, and dmabufctl says\n"
"whether that page holds the DMA just made.\n"
"\n"
"Exit status: 0 when every step worked and every DMA landed, or did not,\n"
"as it should; 1 otherwise; 2 on bad usage.\n",
	       MAX_RANGES, UINT_MAX - 2);
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct ctl_err e = { 0 };
	struct p2p_opts o;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wants_help(argc, argv) || (argc == 2 && !strcmp(argv[1], "help"))) {
		help();
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		if (argc > 2) {
			fprintf(stderr, "dmabufctl: list takes no arguments\n");
			usage(stderr);
			return 2;
		}
		return cmd_list() ? 1 : 0;
	}
	if (argc < 2 || strcmp(argv[1], "p2p")) {
		if (argc >= 2)
			fprintf(stderr, "dmabufctl: unknown command '%s'\n",
				argv[1]);
		usage(stderr);
		return 2;
	}
	ret = parse_p2p(argc - 2, argv + 2, &o, &e);
	if (ret) {
		fprintf(stderr, "dmabufctl: %s\n", e.msg);
		usage(stderr);
		return 2;
	}
	ret = check_environment(&o, &e);
	if (!ret)
		ret = cmd_p2p(&o, &e);
	if (ret) {
		fprintf(stderr, "dmabufctl: %s\n", e.msg);
		return 1;
	}
	return 0;
}
