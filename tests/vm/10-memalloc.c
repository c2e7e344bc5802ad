// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of /dev/memalloc: every ioctl and every error path, lifetime
 * (close and exit free everything, 1000 cycles leak nothing), concurrent use
 * by threads and processes, and the facts its walks must show: kmalloc pages
 * at PFN = (VA - PAGE_OFFSET) >> PAGE_SHIFT, vmalloc pages 4K-mapped at
 * vmalloc_to_pfn's frame, unmapped addresses reported as unmapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "dev/device.h"
#include "memalloc.h"
#include "sysfs.h"
#include "tap.h"

#define PAGE	4096ULL
#define NONE	(~0ULL)

static struct memalloc_info info;

/*
 * The tool's /dev/memalloc wrappers (tool/dev/device.c) are what this test
 * drives; device__ioctl() is the raw call, for the requests the wrappers
 * would never make (bad pointers, reserved fields, unknown numbers).
 */
static int dev_open(void)
{
	int fd = device__open();

	if (fd < 0)
		errno = -fd;
	return fd;
}

#define xioctl device__ioctl

static int do_alloc(int fd, uint32_t kind, uint64_t size, struct memalloc_alloc *a)
{
	return device__alloc(fd, kind, size, -1, a);
}

/* An allocation that only sets up a test: failing it is a bail-out, not a result. */
static void must_alloc(int fd, uint32_t kind, uint64_t size, struct memalloc_alloc *a)
{
	int err = do_alloc(fd, kind, size, a);

	if (err)
		tap_bail("set-up ALLOC kind %u size %llu: %s", kind, (unsigned long long)size,
			 strerror(-err));
}

static int do_free(int fd, uint64_t handle)
{
	return device__free(fd, handle, NULL);
}

/* Walk a handle into a fresh array; returns the number of entries or -errno. */
static int do_walk(int fd, uint64_t handle, struct memalloc_pte **out)
{
	uint32_t nr;
	int err = device__walk(fd, handle, out, &nr);

	return err ? err : (int)nr;
}

/* What the module holds now (INFO); a failing INFO is a bail-out. */
static void held(uint32_t *count, uint64_t *bytes)
{
	struct memalloc_info i;
	int fd = dev_open(), err;

	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	err = xioctl(fd, MEMALLOC_IOC_INFO, &i);
	close(fd);
	if (err)
		tap_bail("INFO: %s", strerror(-err));
	*count = i.held_count;
	*bytes = i.held_bytes;
}

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = atol(line + strlen(key) + 1);
	}
	if (f)
		fclose(f);
	return v;
}

static int count_lines(const char *path, const char *needle)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		tap_bail("open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, needle);
	fclose(f);
	return n;
}

/* A child's exit code, or 1000 + the signal that killed it */
static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

/*
 * The kernel log from now on: /dev/kmsg read from its end, so that a test
 * sees only what happened after it opened it, not the whole boot.
 */
static int klog_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		tap_bail("open /dev/kmsg: %s", strerror(errno));
	lseek(fd, 0, SEEK_END);
	return fd;
}

static char klog_seen[2048];

/* Records logged since klog_open() that look like a warning; kept in klog_seen */
static int klog_splats(int fd)
{
	static const char *const bad[] = { "WARNING", "page allocation failure", "Call Trace" };
	char rec[8192], *msg;
	size_t i, used = 0;
	ssize_t n;
	int found = 0;

	klog_seen[0] = 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on with the next */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (!strstr(msg, bad[i]))
				continue;
			found++;
			if (used < sizeof(klog_seen))
				used += snprintf(klog_seen + used, sizeof(klog_seen) - used,
						 "#   kernel: %s\n", msg);
			break;
		}
	}
	return found;
}

/* tap_eq_u64 on the warning count, then the warnings themselves */
static void klog_assert_quiet(int fd, const char *desc)
{
	int splats = klog_splats(fd);

	if (!tap_eq_u64(splats, 0, "%s", desc))
		fputs(klog_seen, stdout);
}

static void test_device(void)
{
	struct stat st;
	int i, status, err;
	pid_t pid;

	if (!tap_err(stat(MEMALLOC_DEVICE, &st) ? -errno : 0, 0, "%s exists", MEMALLOC_DEVICE))
		return;
	tap_ok(S_ISCHR(st.st_mode), "%s is a character device (mode %#o)", MEMALLOC_DEVICE,
	       st.st_mode);
	tap_eq_u64(st.st_mode & 0777, 0600, "%s has mode 0600", MEMALLOC_DEVICE);
	tap_eq_u64(st.st_uid, 0, "%s is owned by root", MEMALLOC_DEVICE);

	/*
	 * Open in a child (0: root without CAP_SYS_ADMIN, 1: uid 65534); its exit
	 * code is the errno of the open, 0 if it succeeded, 255 if it could not
	 * drop its privileges.
	 */
	for (i = 0; i < 2; i++) {
		pid = fork();
		if (pid < 0)
			tap_bail("fork: %s", strerror(errno));
		if (!pid) {
			struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
			struct __user_cap_data_struct d[2];
			int fd;

			if (i == 0) {
				syscall(SYS_capget, &h, d);
				d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
				if (syscall(SYS_capset, &h, d))
					_exit(255);
			} else if (setuid(65534)) {
				_exit(255);
			}
			fd = dev_open();
			_exit(fd < 0 ? errno : 0);
		}
		waitpid(pid, &status, 0);
		if (exit_code(status) == 255)
			tap_bail("the child could not drop %s", i ? "root" : "CAP_SYS_ADMIN");
		err = -exit_code(status);
		if (i == 0) {
			/* Root without CAP_SYS_ADMIN: EPERM from the module itself. */
			tap_err(err, -EPERM, "open without CAP_SYS_ADMIN fails with EPERM");
		} else if (!tap_ok(err == -EACCES || err == -EPERM,
				   "open as uid 65534 is refused (EACCES or EPERM)")) {
			printf("#   open as uid 65534: %d (%s)\n", err, strerror(-err));
		}
	}
}

static void test_info(int fd)
{
	char line[256], name[32];
	unsigned int node, i, zones = 0;
	unsigned long start = 0, spanned = 0, present = 0;
	FILE *f;

	if (!tap_err(xioctl(fd, MEMALLOC_IOC_INFO, &info), 0, "INFO succeeds"))
		tap_bail("the rest needs INFO's layout");
	tap_eq_u64(info.page_size, (uint64_t)sysconf(_SC_PAGESIZE), "INFO page size = sysconf");
	tap_ok(info.levels == 4 || info.levels == 5, "INFO paging levels %u (4 or 5)", info.levels);
	tap_ge_u64(info.page_offset, 1ULL << 63, "INFO PAGE_OFFSET in the kernel half");
	tap_gt_u64(info.vmalloc_start, info.page_offset, "INFO vmalloc range above PAGE_OFFSET");
	tap_gt_u64(info.vmalloc_end, info.vmalloc_start, "INFO vmalloc range not empty");
	tap_gt_u64(info.vmemmap_base, info.page_offset, "INFO vmemmap above PAGE_OFFSET");
	tap_ge_u64(info.kmalloc_max_size, 4ULL << 20, "INFO KMALLOC_MAX_SIZE %llu >= 4 MiB",
		   (unsigned long long)info.kmalloc_max_size);
	tap_ge_u64(info.max_order, 10, "INFO max order %u >= 10", info.max_order);
	tap_gt_u64(info.limit_bytes, 0, "INFO reports the byte limit");
	tap_gt_u64(info.limit_count, 0, "INFO reports the count limit");

	/* Every populated zone of /proc/zoneinfo is in INFO, with the same span. */
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		tap_bail("open /proc/zoneinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const struct memalloc_zone *z = NULL;

		if (sscanf(line, "Node %u, zone %31s", &node, name) == 2) {
			present = 0;
			continue;
		}
		sscanf(line, " spanned %lu", &spanned);
		sscanf(line, " present %lu", &present);
		if (sscanf(line, " start_pfn: %lu", &start) != 1 || !present)
			continue;
		zones++;
		for (i = 0; i < info.nr_zones && i < MEMALLOC_MAX_ZONES; i++)
			if (info.zones[i].node == node && !strcmp(info.zones[i].name, name))
				z = &info.zones[i];
		if (!tap_ok(z != NULL, "INFO has zone node %u %s", node, name))
			continue;
		tap_eq_u64(z->start_pfn, start, "INFO zone node %u %s: start_pfn", node, name);
		tap_eq_u64(z->end_pfn, start + spanned, "INFO zone node %u %s: end_pfn", node, name);
		tap_eq_u64(z->present_pages, present, "INFO zone node %u %s: present", node, name);
	}
	fclose(f);
	tap_gt_u64(zones, 0, "/proc/zoneinfo lists populated zones");
	tap_eq_u64(info.nr_zones, zones, "INFO lists as many zones as /proc/zoneinfo");
}

/*
 * The facts a walk of an allocation must show, each counted over its pages
 * with the first offender described.
 */
enum { W_ADDR, W_MAPPED, W_HELPER, W_FLAGS, W_LEVEL, W_LINEAR, W_PSE, W_NR };

static const char *const walk_fact[W_NR] = {
	[W_ADDR] = "every entry at its page's address",
	[W_MAPPED] = "every page mapped",
	[W_HELPER] = "walked PFN = kernel helper's",
	[W_FLAGS] = "flags P RW NX, not USER",
	[W_LEVEL] = "4K-mapped in the vmalloc area (kvmalloc: 4K or 2M)",
	[W_LINEAR] = "PFN = (VA - PAGE_OFFSET) >> 12 in the direct map",
	[W_PSE] = "a 2M/1G leaf has the PSE bit",
};

struct walk_check {
	bool vmalloc;		/* in the vmalloc area, else the direct map */
	int err;		/* WALK's 0 or -errno */
	int n;			/* entries */
	uint64_t want;		/* pages the allocation spans */
	unsigned int bad[W_NR];
	char first[W_NR][96];
};

static void walk_bad(struct walk_check *c, int fact, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void walk_bad(struct walk_check *c, int fact, const char *fmt, ...)
{
	va_list ap;

	if (!c->bad[fact]++) {
		va_start(ap, fmt);
		vsnprintf(c->first[fact], sizeof(c->first[fact]), fmt, ap);
		va_end(ap);
	}
}

static void check_walk(int fd, const struct memalloc_alloc *a, struct walk_check *c)
{
	struct memalloc_pte *e = NULL;
	bool vmalloc = a->addr >= info.vmalloc_start && a->addr <= info.vmalloc_end;
	int i;

	memset(c, 0, sizeof(*c));
	c->vmalloc = vmalloc;
	c->want = ((a->addr + a->size_alloc + PAGE - 1) / PAGE) - a->addr / PAGE;
	c->n = do_walk(fd, a->handle, &e);
	if (c->n < 0) {
		c->err = c->n;
		c->n = 0;
	}
	for (i = 0; i < c->n; i++) {
		uint32_t f = e[i].flags & (MEMALLOC_PTE_PRESENT | MEMALLOC_PTE_RW |
					   MEMALLOC_PTE_NX | MEMALLOC_PTE_USER);

		if (e[i].addr != (a->addr & ~(PAGE - 1)) + i * PAGE)
			walk_bad(c, W_ADDR, "entry %d at %#llx", i, (unsigned long long)e[i].addr);
		if (e[i].level == MEMALLOC_LEVEL_NONE || e[i].pfn == NONE)
			walk_bad(c, W_MAPPED, "entry %d unmapped", i);
		if (e[i].pfn != e[i].helper_pfn)
			walk_bad(c, W_HELPER, "entry %d: walk %#llx, helper %#llx", i,
				 (unsigned long long)e[i].pfn, (unsigned long long)e[i].helper_pfn);
		if (f != (MEMALLOC_PTE_PRESENT | MEMALLOC_PTE_RW | MEMALLOC_PTE_NX))
			walk_bad(c, W_FLAGS, "entry %d: flags %#x", i, e[i].flags);
		/* kvmalloc may map huge pages in the vmalloc area (VM_ALLOW_HUGE_VMAP) */
		if (vmalloc && e[i].level != MEMALLOC_LEVEL_PTE &&
		    !(a->kind == MEMALLOC_KIND_KVMALLOC && e[i].level == MEMALLOC_LEVEL_PMD))
			walk_bad(c, W_LEVEL, "entry %d: level %u", i, e[i].level);
		if (!vmalloc && e[i].pfn != (e[i].addr - info.page_offset) / PAGE)
			walk_bad(c, W_LINEAR, "entry %d: pfn %#llx at %#llx", i,
				 (unsigned long long)e[i].pfn, (unsigned long long)e[i].addr);
		/* A 2M/1G leaf has the PSE bit; a 4K entry at that bit has PAT. */
		if (e[i].level != MEMALLOC_LEVEL_PTE && e[i].level != MEMALLOC_LEVEL_NONE &&
		    !(e[i].entry & 0x80))
			walk_bad(c, W_PSE, "entry %d: level %u, entry %#llx", i, e[i].level,
				 (unsigned long long)e[i].entry);
	}
	free(e);
}

/* Everything wrong with a walk, in one number (for the concurrent tests) */
static unsigned int walk_wrong(const struct walk_check *c)
{
	unsigned int n = (c->err != 0) + ((uint64_t)c->n != c->want), f;

	for (f = 0; f < W_NR; f++)
		n += c->bad[f];
	return n;
}

static const struct {
	uint32_t kind;
	uint64_t size;
	const char *name;
} kinds[] = {
	{ MEMALLOC_KIND_KMALLOC, 1000, "kmalloc 1000" },
	{ MEMALLOC_KIND_KMALLOC, 3 * PAGE, "kmalloc 12K" },
	{ MEMALLOC_KIND_KZALLOC, 256, "kzalloc 256" },
	{ MEMALLOC_KIND_VMALLOC, 5 * PAGE, "vmalloc 20K" },
	{ MEMALLOC_KIND_VZALLOC, 3 * PAGE + 1, "vzalloc 12K+1" },
	{ MEMALLOC_KIND_KVMALLOC, 64 * 1024, "kvmalloc 64K" },
	{ MEMALLOC_KIND_KVMALLOC, 2 * 1024 * 1024, "kvmalloc 2M" },
	{ MEMALLOC_KIND_ALLOC_PAGES, 4 * PAGE, "alloc_pages order 2" },
	{ MEMALLOC_KIND_KMEM_CACHE, 192, "kmem_cache 192" },
};

static void test_alloc_walk_free(int fd)
{
	struct memalloc_alloc a;
	struct walk_check c;
	size_t i;
	int f;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *name = kinds[i].name;

		if (!tap_err(do_alloc(fd, kinds[i].kind, kinds[i].size, &a), 0, "ALLOC %s", name))
			continue;
		tap_ne_u64(a.handle, 0, "ALLOC %s: a handle (%llu)", name,
			   (unsigned long long)a.handle);
		tap_ge_u64(a.addr, info.page_offset, "ALLOC %s: an address in the kernel half", name);
		tap_ge_u64(a.size_alloc, kinds[i].size, "ALLOC %s: size_alloc %llu >= size", name,
			   (unsigned long long)a.size_alloc);
		tap_gt_u64(a.latency_ns, 0, "ALLOC %s: a latency (%llu ns)", name,
			   (unsigned long long)a.latency_ns);

		check_walk(fd, &a, &c);
		tap_err(c.err, 0, "WALK %s", name);
		tap_eq_u64(c.n, c.want, "WALK %s: an entry per page spanned", name);
		for (f = 0; f < W_NR; f++) {
			if ((f == W_LEVEL && !c.vmalloc) || (f == W_LINEAR && c.vmalloc))
				continue;	/* a fact of the other area */
			if (!tap_eq_u64(c.bad[f], 0, "WALK %s: %s", name, walk_fact[f]))
				printf("#   first: %s\n", c.first[f]);
		}

		if (kinds[i].kind == MEMALLOC_KIND_ALLOC_PAGES) {
			struct memalloc_pte *e = NULL;
			int k, n, gaps = 0;

			n = do_walk(fd, a.handle, &e);
			tap_eq_s64(n, 4, "alloc_pages order 2: 4 frames");
			for (k = 1; k < n; k++)
				gaps += e[k].pfn != e[0].pfn + k;
			tap_eq_u64(gaps, 0, "alloc_pages order 2: its frames physically contiguous");
			free(e);
		}
		tap_err(do_free(fd, a.handle), 0, "FREE %s", name);
	}
}

static void test_direct_map_level(int fd)
{
	static const char *const level_name[] = MEMALLOC_LEVEL_NAMES;
	struct memalloc_alloc a;
	struct memalloc_pte *e = NULL;
	long kb[MEMALLOC_NR_LEVELS] = { -1, meminfo_kb("DirectMap4k"), meminfo_kb("DirectMap2M"),
					meminfo_kb("DirectMap1G") };
	int n;

	must_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	n = do_walk(fd, a.handle, &e);
	if (tap_eq_s64(n, 1, "kmalloc 64 walks to 1 page")) {
		uint32_t l = e[0].level < MEMALLOC_NR_LEVELS ? e[0].level : 0;

		tap_ok(kb[l] > 0, "kmalloc walk level %s is a page size the direct map uses "
		       "(DirectMap%s %ld kB)", level_name[l], level_name[l], kb[l]);
	}
	free(e);
	do_free(fd, a.handle);
}

static void test_walk_raw(int fd)
{
	struct memalloc_walk w;
	struct memalloc_pte e[8];
	struct memalloc_alloc a;

	/*
	 * Raw walks of the vmalloc area: only inside an allocation the device
	 * holds (its tables cannot be freed meanwhile); a freed area, or a
	 * range reaching past a held one, is refused.
	 */
	must_alloc(fd, MEMALLOC_KIND_VMALLOC, 2 * PAGE, &a);
	memset(&w, 0, sizeof(w));
	memset(e, 0x5a, sizeof(e));
	w.addr = a.addr;
	w.size = 2 * PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 8;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), 0, "raw WALK of a held vmalloc area");
	tap_eq_u64(w.nr_entries, 2, "raw WALK of a held vmalloc area: 2 entries");
	tap_eq_u64(e[0].level, MEMALLOC_LEVEL_PTE, "... page 0 mapped by a PTE");
	tap_eq_u64(e[1].pfn, e[1].helper_pfn, "... page 1: walk = vmalloc_to_pfn");
	w.size = 3 * PAGE;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL,
		"raw WALK past the end of a held vmalloc area: EINVAL");
	if (do_free(fd, a.handle))
		tap_bail("set-up FREE failed");
	w.size = 2 * PAGE;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL,
		"raw WALK of a freed vmalloc area: EINVAL");
	w.addr = info.vmalloc_start;
	w.size = PAGE;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL,
		"raw WALK of vmalloc memory the device does not hold: EINVAL");

	memset(&w, 0, sizeof(w));
	memset(e, 0x5a, sizeof(e));
	w.addr = 0xff00000000000000ULL; /* non-canonical with 4- and 5-level paging */
	w.size = PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), 0,
		"raw WALK of a non-canonical address: no fault");
	tap_eq_u64(w.nr_entries, 1, "raw WALK of a non-canonical address: 1 entry");
	tap_eq_u64(e[0].level, MEMALLOC_LEVEL_NONE, "raw WALK of a non-canonical address: unmapped");

	/* The direct map at PAGE_OFFSET maps frame 0. */
	memset(&w, 0, sizeof(w));
	memset(e, 0x5a, sizeof(e));
	w.addr = info.page_offset + 0x100000;
	w.size = PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), 0, "raw WALK of PAGE_OFFSET + 1 MiB");
	tap_eq_u64(e[0].pfn, 0x100, "raw WALK of PAGE_OFFSET + 1 MiB finds frame 0x100");
	tap_eq_u64(e[0].helper_pfn, 0x100, "... and so does the kernel helper");

	memset(&w, 0, sizeof(w));
	w.addr = 0x400000;
	w.size = PAGE;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL, "raw WALK of a user address: EINVAL");
	w.addr = info.page_offset;
	w.size = 0;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL, "raw WALK of 0 bytes: EINVAL");
	w.size = 2ULL << 30;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL, "raw WALK over 1 GiB: EINVAL");
	w.addr = ~0ULL - PAGE;
	w.size = 4 * PAGE;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL, "raw WALK wrapping around: EINVAL");
}

static void test_walk_small_buffer(int fd)
{
	struct memalloc_walk w = {};
	struct memalloc_pte e[2];
	struct memalloc_alloc a;

	must_alloc(fd, MEMALLOC_KIND_VMALLOC, 5 * PAGE, &a);
	w.handle = a.handle;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), 0, "WALK with no buffer");
	tap_eq_u64(w.nr_pages, 5, "WALK with no buffer returns the needed count (5)");
	tap_eq_u64(w.nr_entries, 0, "WALK with no buffer fills no entry");
	memset(e, 0x5a, sizeof(e));
	w.entries = (uintptr_t)e;
	w.nr_entries = 2;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), 0, "WALK into a 2-entry buffer");
	tap_eq_u64(w.nr_pages, 5, "WALK into a 2-entry buffer says 5 needed");
	tap_eq_u64(w.nr_entries, 2, "WALK into a 2-entry buffer fills 2");
	tap_eq_u64(e[1].addr, a.addr + PAGE, "WALK into a 2-entry buffer: entry 1 is page 1");
	w.entries = 8;
	w.nr_entries = 5;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EFAULT, "WALK into a bad pointer: EFAULT");
	do_free(fd, a.handle);
}

static void test_errors(int fd)
{
	struct memalloc_alloc a;
	struct memalloc_walk w = {};
	struct memalloc_bench b = {};

	tap_err(xioctl(fd, _IO(MEMALLOC_IOC_MAGIC, 0x7f), NULL), -ENOTTY, "unknown ioctl: ENOTTY");
	tap_err(xioctl(fd, _IOR('T', 0x40, struct memalloc_info), &a), -ENOTTY,
		"foreign ioctl number: ENOTTY");
	tap_err(do_alloc(fd, 0, 64, &a), -EINVAL, "ALLOC kind 0: EINVAL");
	tap_err(do_alloc(fd, 99, 64, &a), -EINVAL, "ALLOC kind 99: EINVAL");
	tap_err(do_alloc(fd, MEMALLOC_KIND_KMALLOC, 0, &a), -EINVAL, "ALLOC size 0: EINVAL");
	tap_err(do_alloc(fd, MEMALLOC_KIND_KMEM_CACHE, 64 * 1024, &a), -EINVAL,
		"ALLOC kmem_cache of 64K objects (not slab-sized): EINVAL");

	memset(&a, 0, sizeof(a));
	a.kind = MEMALLOC_KIND_KMALLOC;
	a.size = 64;
	a.flags = 0x2;
	tap_err(xioctl(fd, MEMALLOC_IOC_ALLOC, &a), -EINVAL, "ALLOC unknown flag: EINVAL");
	a.flags = 0;
	a.reserved = 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_ALLOC, &a), -EINVAL, "ALLOC reserved != 0: EINVAL");
	a.reserved = 0;
	a.flags = MEMALLOC_F_NODE;
	a.node = 999;
	tap_err(xioctl(fd, MEMALLOC_IOC_ALLOC, &a), -EINVAL, "ALLOC offline node: EINVAL");
	tap_err(xioctl(fd, MEMALLOC_IOC_ALLOC, (void *)8), -EFAULT, "ALLOC bad pointer: EFAULT");
	tap_err(xioctl(fd, MEMALLOC_IOC_INFO, (void *)8), -EFAULT, "INFO bad pointer: EFAULT");

	tap_err(do_alloc(fd, MEMALLOC_KIND_KMALLOC, 1ULL << 40, &a), -E2BIG,
		"ALLOC over the byte limit: E2BIG");
	tap_err(do_alloc(fd, MEMALLOC_KIND_ALLOC_PAGES, PAGE << (info.max_order + 1), &a), -E2BIG,
		"ALLOC alloc_pages past the max order: E2BIG");

	/* Past KMALLOC_MAX_SIZE kmalloc fails: ENOMEM, and the kernel stays quiet. */
	if (info.kmalloc_max_size * 2 <= info.limit_bytes) {
		int klog = klog_open();

		tap_err(do_alloc(fd, MEMALLOC_KIND_KMALLOC, info.kmalloc_max_size * 2, &a), -ENOMEM,
			"ALLOC kmalloc of 2 x KMALLOC_MAX_SIZE: ENOMEM");
		klog_assert_quiet(klog, "ALLOC kmalloc of 2 x KMALLOC_MAX_SIZE: no warning logged");
		close(klog);
	} else {
		tap_skip("byte limit %llu below 2 x KMALLOC_MAX_SIZE",
			 (unsigned long long)info.limit_bytes);
	}

	tap_err(do_free(fd, 0), -ENOENT, "FREE handle 0: ENOENT");
	tap_err(do_free(fd, 1ULL << 40), -ENOENT, "FREE unknown handle: ENOENT");
	must_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	tap_err(do_free(fd, a.handle), 0, "FREE once");
	tap_err(do_free(fd, a.handle), -ENOENT, "FREE twice: ENOENT");

	w.handle = 123456;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -ENOENT, "WALK unknown handle: ENOENT");
	w.handle = 0;
	w.flags = 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_WALK, &w), -EINVAL, "WALK flags != 0: EINVAL");

	b.kind = MEMALLOC_KIND_KMALLOC;
	b.size = 64;
	b.iterations = 0;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), -EINVAL, "BENCH 0 iterations: EINVAL");
	b.iterations = 1000000;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), -EINVAL, "BENCH 10^6 iterations: EINVAL");
	/* The work is bounded: iterations x size at most MEMALLOC_BENCH_MAX_BYTES */
	b.kind = MEMALLOC_KIND_VMALLOC;
	b.size = 1 << 20;
	b.iterations = MEMALLOC_BENCH_MAX_BYTES / b.size + 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), -E2BIG,
		"BENCH of 1025 x 1 MiB (past MEMALLOC_BENCH_MAX_BYTES): E2BIG");
	b.iterations = 0;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), -EINVAL,
		"BENCH: a malformed request is EINVAL before the work bound");
}

/* ALLOC whose result cannot be copied back: EFAULT, and nothing is held. */
static void test_alloc_efault(int fd)
{
	struct memalloc_alloc *ro;
	uint32_t c0, c1;
	uint64_t b0, b1;
	int err;

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset(ro, 0, sizeof(*ro));
	ro->kind = MEMALLOC_KIND_VMALLOC;
	ro->size = 2 * PAGE;
	if (mprotect(ro, PAGE, PROT_READ))
		tap_bail("mprotect: %s", strerror(errno));
	held(&c0, &b0);
	err = xioctl(fd, MEMALLOC_IOC_ALLOC, ro);
	held(&c1, &b1);
	tap_err(err, -EFAULT, "ALLOC into a read-only result: EFAULT");
	tap_eq_u64(c1, c0, "ALLOC into a read-only result: no allocation held");
	tap_eq_u64(b1, b0, "ALLOC into a read-only result: no byte held");
	munmap(ro, PAGE);
}

/* kmem_cache objects of an odd size: our own, unmerged cache, reused. */
static void test_kmem_cache_reuse(int fd)
{
	struct memalloc_alloc a[40];
	int i, errs[40], ok = 0, size60 = 0;

	for (i = 0; i < 40; i++) {
		errs[i] = do_alloc(fd, MEMALLOC_KIND_KMEM_CACHE, 60, &a[i]);
		ok += !errs[i];
		size60 += !errs[i] && a[i].size_alloc == 60;
	}
	for (i = 0; i < 40; i++)
		if (!errs[i])
			do_free(fd, a[i].handle);
	tap_eq_u64(ok, 40, "40 kmem_cache objects of 60 bytes: all allocated");
	tap_eq_u64(size60, ok, "... each of size 60: one unmerged cache");
}

static void test_other_file_handle(int fd)
{
	struct memalloc_alloc a;
	int fd2 = dev_open();

	if (fd2 < 0)
		tap_bail("open %s again: %s", MEMALLOC_DEVICE, strerror(errno));
	must_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	tap_err(do_free(fd2, a.handle), -ENOENT, "another file cannot free my handle: ENOENT");
	tap_err(do_free(fd, a.handle), 0, "... and mine still can");
	close(fd2);
}

#define MAX_COUNT	"/sys/module/memalloc/parameters/max_count"

static void test_limits(int fd)
{
	struct memalloc_alloc a[4];
	uint32_t count;
	uint64_t bytes;
	char buf[32], old[32] = "";
	int i, err, errs[4];
	FILE *f;

	/* The value before the test, to put back after it */
	f = fopen(MAX_COUNT, "r");
	if (!f || !fgets(old, sizeof(old), f)) {
		tap_skip("cannot read max_count: %s", strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	old[strcspn(old, "\n")] = 0;

	held(&count, &bytes);
	snprintf(buf, sizeof(buf), "%u", count + 3);
	err = sysfs_write(MAX_COUNT, buf);
	if (err) {
		tap_skip("cannot set max_count: %s", strerror(-err));
		return;
	}
	for (i = 0; i < 4; i++)
		errs[i] = do_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a[i]);
	for (i = 0; i < 3; i++)
		tap_err(errs[i], 0, "ALLOC %d of 3 allowed by max_count %s", i + 1, buf);
	tap_err(errs[3], -ENOSPC, "past max_count ALLOC fails with ENOSPC");
	for (i = 0; i < 4; i++)
		if (!errs[i])
			do_free(fd, a[i].handle);
	err = sysfs_write(MAX_COUNT, old);
	if (err)
		tap_bail("cannot restore max_count to %s: %s", old, strerror(-err));
}

static void test_lifetime(void)
{
	struct memalloc_alloc a;
	uint32_t c0, c1, c2;
	uint64_t b0, b1, b2;
	int fd, i, err = 0, status, vm0, vm1, allocs = 0;
	pid_t pid;

	uint64_t want = 0;

	held(&c0, &b0);
	fd = dev_open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	for (i = 0; i < 10; i++) {
		if (do_alloc(fd, i & 1 ? MEMALLOC_KIND_VMALLOC : MEMALLOC_KIND_KMALLOC, 3 * PAGE, &a))
			continue;
		allocs++;
		/* What is held is counted: kmalloc(12K) holds ksize() = 16K. */
		want += a.size_alloc > 3 * PAGE ? a.size_alloc : 3 * PAGE;
	}
	held(&c1, &b1);
	close(fd);
	held(&c2, &b2);
	tap_eq_u64(allocs, 10, "10 ALLOCs of 12K (kmalloc, vmalloc) succeed");
	tap_eq_u64(c1, c0 + allocs, "held: %u -> %u allocations", c0, c1);
	tap_eq_u64(b1, b0 + want, "held: their bytes (kmalloc's counted as ksize)");
	tap_eq_u64(c2, c0, "closing the file frees its allocations");
	tap_eq_u64(b2, b0, "closing the file frees their bytes");

	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!pid) {
		int fails = 0;

		fd = dev_open();
		for (i = 0; i < 5; i++)
			fails += fd < 0 || do_alloc(fd, MEMALLOC_KIND_VMALLOC, PAGE, &a);
		_exit(fails); /* no close: the kernel closes it */
	}
	waitpid(pid, &status, 0);
	held(&c2, &b2);
	tap_eq_u64(exit_code(status), 0, "a child process: 5 ALLOCs (exit code: failures)");
	tap_eq_u64(c2, c0, "a process that exits holding allocations frees them");
	tap_eq_u64(b2, b0, "... and their bytes");

	vm0 = count_lines("/proc/vmallocinfo", "memalloc_do_alloc");
	fd = dev_open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	for (i = 0; i < 1000; i++) {
		static const uint32_t k[] = { MEMALLOC_KIND_KMALLOC, MEMALLOC_KIND_VMALLOC,
					      MEMALLOC_KIND_KVMALLOC, MEMALLOC_KIND_ALLOC_PAGES,
					      MEMALLOC_KIND_KMEM_CACHE, MEMALLOC_KIND_VZALLOC };

		err = do_alloc(fd, k[i % 6], 64 << (i % 7), &a);
		if (!err)
			err = do_free(fd, a.handle);
		if (err) {
			printf("#   cycle %d (kind %u, %d bytes): %s\n", i, k[i % 6], 64 << (i % 7),
			       strerror(-err));
			break;
		}
	}
	held(&c2, &b2);
	vm1 = count_lines("/proc/vmallocinfo", "memalloc_do_alloc");
	tap_eq_s64(i, 1000, "1000 alloc/free cycles all succeed");
	tap_eq_u64(c2, c0, "1000 alloc/free cycles: no allocation held");
	tap_eq_u64(b2, b0, "1000 alloc/free cycles: no byte held");
	tap_eq_s64(vm1, vm0, "1000 alloc/free cycles: no vmalloc area left");
	close(fd);
}

static void *thread_fn(void *arg)
{
	int fd = *(int *)arg, i;
	struct memalloc_alloc a;
	struct walk_check c;
	long bad = 0;

	for (i = 0; i < 200; i++) {
		if (do_alloc(fd, i & 1 ? MEMALLOC_KIND_VMALLOC : MEMALLOC_KIND_KMALLOC,
			     PAGE * (1 + i % 3), &a)) {
			bad++;
			continue;
		}
		check_walk(fd, &a, &c);
		bad += walk_wrong(&c) != 0;
		bad += do_free(fd, a.handle) != 0;
	}
	return (void *)bad;
}

static void test_concurrency(void)
{
	pthread_t th[4];
	uint32_t c0, c1;
	uint64_t b0, b1;
	long bad = 0;
	void *ret;
	int fd, i, status[2];
	pid_t pid[2];

	held(&c0, &b0);
	fd = dev_open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, thread_fn, &fd))
			tap_bail("pthread_create failed");
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	close(fd);
	held(&c1, &b1);
	tap_eq_u64(bad, 0, "4 threads x 200 alloc/walk/free on one file: no call wrong");
	tap_eq_u64(c1, c0, "4 threads on one file: nothing held after");

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			tap_bail("fork: %s", strerror(errno));
		if (!pid[i]) {
			int f = dev_open();
			long wrong = f < 0 ? 200 : (long)thread_fn(&f);

			_exit(wrong > 200 ? 200 : wrong);
		}
	}
	for (i = 0; i < 2; i++)
		waitpid(pid[i], &status[i], 0);
	held(&c1, &b1);
	for (i = 0; i < 2; i++)
		tap_eq_u64(exit_code(status[i]), 0,
			   "process %d of 2 x 200 alloc/walk/free at once: no call wrong (exit code)",
			   i + 1);
	tap_eq_u64(c1, c0, "2 processes at once: nothing held after");
}

static void test_bench(int fd)
{
	struct memalloc_bench b = {};

	b.kind = MEMALLOC_KIND_KMALLOC;
	b.size = PAGE;
	b.iterations = 200;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), 0, "BENCH kmalloc 4K x 200");
	tap_eq_u64(b.failures, 0, "BENCH kmalloc 4K: no failed allocation");
	tap_le_u64(b.alloc.min_ns, b.alloc.median_ns, "BENCH kmalloc 4K: alloc min <= median");
	tap_le_u64(b.alloc.median_ns, b.alloc.p99_ns, "BENCH kmalloc 4K: alloc median <= p99");
	tap_le_u64(b.alloc.p99_ns, b.alloc.max_ns, "BENCH kmalloc 4K: alloc p99 <= max");
	tap_gt_u64(b.alloc.median_ns, 0, "BENCH kmalloc 4K: alloc median %llu ns > 0",
		   (unsigned long long)b.alloc.median_ns);
	tap_gt_u64(b.free.median_ns, 0, "BENCH kmalloc 4K: free median %llu ns > 0",
		   (unsigned long long)b.free.median_ns);
	tap_eq_u64(b.touch_lines, PAGE / 64, "BENCH kmalloc 4K: 64 cache lines touched");
	tap_eq_u64(b.touch_pages, 1, "BENCH kmalloc 4K: 1 page touched");
	tap_gt_u64(b.seq_line_ns, 0, "BENCH kmalloc 4K: sequential line %llu ns > 0",
		   (unsigned long long)b.seq_line_ns);
	tap_gt_u64(b.rand_line_ns, 0, "BENCH kmalloc 4K: random line %llu ns > 0",
		   (unsigned long long)b.rand_line_ns);

	memset(&b, 0, sizeof(b));
	b.kind = MEMALLOC_KIND_VMALLOC;
	b.size = 64 * PAGE;
	b.iterations = 20;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), 0, "BENCH vmalloc 256K x 20");
	tap_eq_u64(b.failures, 0, "BENCH vmalloc 256K: no failed allocation");
	tap_eq_u64(b.touch_pages, 64, "BENCH vmalloc 256K: 64 pages touched");
	tap_gt_u64(b.alloc.median_ns, 0, "BENCH vmalloc 256K: alloc median %llu ns > 0",
		   (unsigned long long)b.alloc.median_ns);
	tap_gt_u64(b.rand_page_ns, 0, "BENCH vmalloc 256K: random page %llu ns > 0",
		   (unsigned long long)b.rand_page_ns);
	b.alloc.min_ns = 0;
	b.touch_lines = 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH, &b), -EINVAL, "BENCH with out fields set: EINVAL");
}

static void test_bench_loop(int fd)
{
	struct memalloc_bench_loop l = { .kind = MEMALLOC_KIND_KMALLOC, .size = 64,
					 .iterations = 1000 };

	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &l), 0, "BENCH_LOOP kmalloc 64 x 1000");
	tap_eq_u64(l.failures, 0, "BENCH_LOOP kmalloc 64: no failed allocation");
	tap_gt_u64(l.loop_ns, 0, "BENCH_LOOP kmalloc 64: loop %llu ns > 0",
		   (unsigned long long)l.loop_ns);
	l = (struct memalloc_bench_loop){ .kind = MEMALLOC_KIND_ALLOC_PAGES, .size = PAGE,
					  .iterations = 100 };
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &l), 0, "BENCH_LOOP alloc_pages 4K x 100");
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &l), -EINVAL,
		"BENCH_LOOP with out fields set: EINVAL");
	l = (struct memalloc_bench_loop){ .kind = MEMALLOC_KIND_KMALLOC, .size = 64,
					  .iterations = 10, .reserved = 1 };
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &l), -EINVAL, "BENCH_LOOP reserved != 0: EINVAL");
	l.reserved = 0;
	l.iterations = MEMALLOC_BENCH_MAX_ITER + 1;
	tap_err(xioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &l), -EINVAL,
		"BENCH_LOOP past MEMALLOC_BENCH_MAX_ITER: EINVAL");
}

int main(void)
{
	int fd, klog;

	if (access(MEMALLOC_DEVICE, F_OK)) {
		printf("# SKIP %s missing (memalloc.ko not loaded)\n", MEMALLOC_DEVICE);
		return TAP_SKIP;
	}
	klog = klog_open();
	test_device();
	fd = dev_open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	test_info(fd);
	test_alloc_walk_free(fd);
	test_direct_map_level(fd);
	test_walk_raw(fd);
	test_walk_small_buffer(fd);
	test_errors(fd);
	test_other_file_handle(fd);
	test_alloc_efault(fd);
	test_kmem_cache_reuse(fd);
	test_limits(fd);
	close(fd);
	test_lifetime();
	test_concurrency();
	fd = dev_open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	test_bench(fd);
	test_bench_loop(fd);
	close(fd);
	klog_assert_quiet(klog, "the kernel logged no warning while this test ran");
	close(klog);
	return tap_finish();
}
