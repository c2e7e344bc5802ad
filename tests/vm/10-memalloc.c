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

#include "memalloc.h"
#include "tap.h"

#define PAGE	4096ULL
#define NONE	(~0ULL)

static struct memalloc_info info;

static int dev_open(void)
{
	return open(MEMALLOC_DEVICE, O_RDWR | O_CLOEXEC);
}

/* ioctl returning 0 or -errno */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int do_alloc(int fd, uint32_t kind, uint64_t size, struct memalloc_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->size = size;
	return xioctl(fd, MEMALLOC_IOC_ALLOC, a);
}

static int do_free(int fd, uint64_t handle)
{
	struct memalloc_free f = { .handle = handle };

	return xioctl(fd, MEMALLOC_IOC_FREE, &f);
}

/* Walk a handle into a fresh array; returns the number of entries or -errno. */
static int do_walk(int fd, uint64_t handle, struct memalloc_pte **out)
{
	struct memalloc_walk w = { .handle = handle };
	int err;

	err = xioctl(fd, MEMALLOC_IOC_WALK, &w);
	if (err)
		return err;
	*out = calloc(w.nr_pages, sizeof(**out));
	w.entries = (uintptr_t)*out;
	w.nr_entries = w.nr_pages;
	err = xioctl(fd, MEMALLOC_IOC_WALK, &w);
	if (err)
		return err;
	return w.nr_entries;
}

static int held(uint32_t *count, uint64_t *bytes)
{
	struct memalloc_info i;
	int fd = dev_open(), err;

	if (fd < 0)
		return -errno;
	err = xioctl(fd, MEMALLOC_IOC_INFO, &i);
	close(fd);
	*count = i.held_count;
	*bytes = i.held_bytes;
	return err;
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

	while (f && fgets(line, sizeof(line), f))
		n += !!strstr(line, needle);
	if (f)
		fclose(f);
	return n;
}

static void test_device(void)
{
	struct stat st;
	int fd, status;
	pid_t pid;

	tap_ok(stat(MEMALLOC_DEVICE, &st) == 0 && S_ISCHR(st.st_mode) &&
		       (st.st_mode & 0777) == 0600 && st.st_uid == 0,
	       "%s is a root-owned character device, mode 0600", MEMALLOC_DEVICE);

	/* Root without CAP_SYS_ADMIN: EPERM from the module itself. */
	pid = fork();
	if (!pid) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];

		syscall(SYS_capget, &h, d);
		d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &h, d))
			_exit(2);
		fd = dev_open();
		_exit(fd < 0 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "open without CAP_SYS_ADMIN fails with EPERM");

	pid = fork();
	if (!pid) {
		if (setuid(65534))
			_exit(2);
		fd = dev_open();
		_exit(fd < 0 && (errno == EACCES || errno == EPERM) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "open as uid 65534 is refused");
}

static void test_info(int fd)
{
	char line[256], name[32];
	unsigned int node, i, matched = 0, zones = 0;
	unsigned long start = 0, spanned = 0, present = 0;
	FILE *f;

	tap_ok(xioctl(fd, MEMALLOC_IOC_INFO, &info) == 0, "INFO succeeds");
	tap_eq_u64(info.page_size, (uint64_t)sysconf(_SC_PAGESIZE), "INFO page size = sysconf");
	tap_ok(info.levels == 4 || info.levels == 5, "INFO paging levels %u", info.levels);
	tap_ok(info.page_offset >= (1ULL << 63) && info.vmalloc_start > info.page_offset &&
		       info.vmalloc_end > info.vmalloc_start && info.vmemmap_base > info.page_offset,
	       "INFO layout: PAGE_OFFSET < vmalloc range, vmemmap in the kernel half");
	tap_ok(info.kmalloc_max_size >= (4ULL << 20) && info.max_order >= 10,
	       "INFO KMALLOC_MAX_SIZE %llu, max order %u",
	       (unsigned long long)info.kmalloc_max_size, info.max_order);
	tap_ok(info.limit_bytes > 0 && info.limit_count > 0, "INFO reports the limits");

	/* Every populated zone of /proc/zoneinfo, with the same span. */
	f = fopen("/proc/zoneinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %u, zone %31s", &node, name) == 2) {
			present = 0;
			continue;
		}
		sscanf(line, " spanned %lu", &spanned);
		sscanf(line, " present %lu", &present);
		if (sscanf(line, " start_pfn: %lu", &start) == 1 && present) {
			zones++;
			for (i = 0; i < info.nr_zones; i++) {
				struct memalloc_zone *z = &info.zones[i];

				matched += z->node == node && !strcmp(z->name, name) &&
					   z->start_pfn == start &&
					   z->end_pfn == start + spanned &&
					   z->present_pages == present;
			}
		}
	}
	if (f)
		fclose(f);
	tap_ok(zones > 0 && zones == info.nr_zones && matched == zones,
	       "INFO zones = /proc/zoneinfo's populated zones (%u of %u match)", matched, zones);
}

/* Check one allocation's walk; returns a description of the first problem. */
static const char *check_walk(int fd, const struct memalloc_alloc *a, int *nr_out)
{
	struct memalloc_pte *e = NULL;
	static char why[128];
	uint64_t want = ((a->addr + a->size_alloc + PAGE - 1) / PAGE) - a->addr / PAGE;
	bool vmalloc = a->addr >= info.vmalloc_start && a->addr <= info.vmalloc_end;
	int n, i;

	n = do_walk(fd, a->handle, &e);
	*nr_out = n;
	if (n < 0)
		return "WALK failed";
	if ((uint64_t)n != want) {
		snprintf(why, sizeof(why), "%d entries for %llu pages", n, (unsigned long long)want);
		goto out;
	}
	why[0] = 0;
	for (i = 0; i < n && !why[0]; i++) {
		if (e[i].addr != (a->addr & ~(PAGE - 1)) + i * PAGE)
			snprintf(why, sizeof(why), "entry %d: wrong address", i);
		else if (e[i].level == MEMALLOC_LEVEL_NONE || e[i].pfn == NONE)
			snprintf(why, sizeof(why), "entry %d: unmapped", i);
		else if (e[i].pfn != e[i].helper_pfn)
			snprintf(why, sizeof(why), "entry %d: walk pfn %#llx != helper %#llx", i,
				 (unsigned long long)e[i].pfn, (unsigned long long)e[i].helper_pfn);
		else if ((e[i].flags & (MEMALLOC_PTE_PRESENT | MEMALLOC_PTE_RW | MEMALLOC_PTE_NX |
					MEMALLOC_PTE_USER)) !=
			 (MEMALLOC_PTE_PRESENT | MEMALLOC_PTE_RW | MEMALLOC_PTE_NX))
			snprintf(why, sizeof(why), "entry %d: flags %#x", i, e[i].flags);
		/* kvmalloc may map huge pages in the vmalloc area (VM_ALLOW_HUGE_VMAP) */
		else if (vmalloc && e[i].level != MEMALLOC_LEVEL_PTE &&
			 !(a->kind == MEMALLOC_KIND_KVMALLOC && e[i].level == MEMALLOC_LEVEL_PMD))
			snprintf(why, sizeof(why), "entry %d: vmalloc page at level %u", i,
				 e[i].level);
		else if (!vmalloc && e[i].pfn != (e[i].addr - info.page_offset) / PAGE)
			snprintf(why, sizeof(why), "entry %d: pfn != (VA - PAGE_OFFSET) >> 12", i);
		/* A 2M/1G leaf has the PSE bit; a 4K entry at that bit has PAT. */
		else if (e[i].level != MEMALLOC_LEVEL_PTE && !(e[i].entry & 0x80))
			snprintf(why, sizeof(why), "entry %d: huge leaf without PSE", i);
	}
out:
	free(e);
	return why[0] ? why : NULL;
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
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *why;
		int err, n;

		/* (Arguments are evaluated in any order: call first, then report.) */
		err = do_alloc(fd, kinds[i].kind, kinds[i].size, &a);
		tap_ok(!err && a.handle && a.addr >= info.page_offset &&
			       a.size_alloc >= kinds[i].size && a.latency_ns > 0,
		       "ALLOC %s: handle %llu, size_alloc %llu, %llu ns", kinds[i].name,
		       (unsigned long long)a.handle, (unsigned long long)a.size_alloc,
		       (unsigned long long)a.latency_ns);
		if (err)
			continue;
		why = check_walk(fd, &a, &n);
		tap_ok(!why, "WALK %s: %d pages, walk = helper, flags P RW NX, level consistent%s%s",
		       kinds[i].name, n, why ? ": " : "", why ? why : "");
		if (kinds[i].kind == MEMALLOC_KIND_ALLOC_PAGES) {
			struct memalloc_pte *e = NULL;
			int k, contig = 1;

			n = do_walk(fd, a.handle, &e);
			for (k = 1; k < n; k++)
				contig &= e[k].pfn == e[0].pfn + k;
			tap_ok(n == 4 && contig, "alloc_pages order 2: 4 physically contiguous frames");
			free(e);
		}
		tap_ok(do_free(fd, a.handle) == 0, "FREE %s", kinds[i].name);
	}
}

static void test_direct_map_level(int fd)
{
	struct memalloc_alloc a;
	struct memalloc_pte *e = NULL;
	long kb4 = meminfo_kb("DirectMap4k"), kb2 = meminfo_kb("DirectMap2M");
	long kb1 = meminfo_kb("DirectMap1G");
	int n;

	do_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	n = do_walk(fd, a.handle, &e);
	tap_ok(n == 1 && ((e[0].level == MEMALLOC_LEVEL_PTE && kb4 > 0) ||
			  (e[0].level == MEMALLOC_LEVEL_PMD && kb2 > 0) ||
			  (e[0].level == MEMALLOC_LEVEL_PUD && kb1 > 0)),
	       "kmalloc walk level (%u) is a page size the direct map uses (4k %ld, 2M %ld, 1G %ld kB)",
	       n == 1 ? e[0].level : 0, kb4, kb2, kb1);
	free(e);
	do_free(fd, a.handle);
}

static void test_walk_raw(int fd)
{
	struct memalloc_walk w;
	struct memalloc_pte e[8];
	struct memalloc_alloc a;

	/* A freed vmalloc area: vfree() clears its PTEs at once. */
	do_alloc(fd, MEMALLOC_KIND_VMALLOC, 2 * PAGE, &a);
	do_free(fd, a.handle);
	memset(&w, 0, sizeof(w));
	w.addr = a.addr;
	w.size = 2 * PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 8;
	tap_ok(xioctl(fd, MEMALLOC_IOC_WALK, &w) == 0 && w.nr_entries == 2 &&
		       e[0].level == MEMALLOC_LEVEL_NONE && e[0].pfn == NONE &&
		       e[0].flags == 0 && e[1].level == MEMALLOC_LEVEL_NONE,
	       "raw WALK of a freed vmalloc area says unmapped");

	memset(&w, 0, sizeof(w));
	w.addr = 0xff00000000000000ULL; /* non-canonical with 4- and 5-level paging */
	w.size = PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 1;
	tap_ok(xioctl(fd, MEMALLOC_IOC_WALK, &w) == 0 && w.nr_entries == 1 &&
		       e[0].level == MEMALLOC_LEVEL_NONE,
	       "raw WALK of a non-canonical address says unmapped, no fault");

	/* The direct map at PAGE_OFFSET maps frame 0. */
	memset(&w, 0, sizeof(w));
	w.addr = info.page_offset + 0x100000;
	w.size = PAGE;
	w.entries = (uintptr_t)e;
	w.nr_entries = 1;
	tap_ok(xioctl(fd, MEMALLOC_IOC_WALK, &w) == 0 && e[0].pfn == 0x100 &&
		       e[0].helper_pfn == 0x100,
	       "raw WALK of PAGE_OFFSET + 1 MiB finds frame 0x100");

	memset(&w, 0, sizeof(w));
	w.addr = 0x400000;
	w.size = PAGE;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EINVAL, "raw WALK of a user address: EINVAL");
	w.addr = info.page_offset;
	w.size = 0;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EINVAL, "raw WALK of 0 bytes: EINVAL");
	w.size = 2ULL << 30;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EINVAL, "raw WALK over 1 GiB: EINVAL");
	w.addr = ~0ULL - PAGE;
	w.size = 4 * PAGE;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EINVAL, "raw WALK wrapping around: EINVAL");
}

static void test_walk_small_buffer(int fd)
{
	struct memalloc_walk w = {};
	struct memalloc_pte e[2];
	struct memalloc_alloc a;

	do_alloc(fd, MEMALLOC_KIND_VMALLOC, 5 * PAGE, &a);
	w.handle = a.handle;
	tap_ok(xioctl(fd, MEMALLOC_IOC_WALK, &w) == 0 && w.nr_pages == 5 && w.nr_entries == 0,
	       "WALK with no buffer returns the needed count (5)");
	w.entries = (uintptr_t)e;
	w.nr_entries = 2;
	tap_ok(xioctl(fd, MEMALLOC_IOC_WALK, &w) == 0 && w.nr_pages == 5 && w.nr_entries == 2 &&
		       e[1].addr == a.addr + PAGE,
	       "WALK into a 2-entry buffer fills 2 and says 5 needed");
	w.entries = 8;
	w.nr_entries = 5;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EFAULT, "WALK into a bad pointer: EFAULT");
	do_free(fd, a.handle);
}

static void test_errors(int fd)
{
	struct memalloc_alloc a;
	struct memalloc_walk w = {};
	struct memalloc_bench b = {};
	int after;

	tap_eq_u64(-xioctl(fd, _IO(MEMALLOC_IOC_MAGIC, 0x7f), NULL), ENOTTY,
		   "unknown ioctl: ENOTTY");
	tap_eq_u64(-xioctl(fd, _IOR('T', 0x40, struct memalloc_info), &a), ENOTTY,
		   "foreign ioctl number: ENOTTY");
	tap_eq_u64(-do_alloc(fd, 0, 64, &a), EINVAL, "ALLOC kind 0: EINVAL");
	tap_eq_u64(-do_alloc(fd, 99, 64, &a), EINVAL, "ALLOC kind 99: EINVAL");
	tap_eq_u64(-do_alloc(fd, MEMALLOC_KIND_KMALLOC, 0, &a), EINVAL, "ALLOC size 0: EINVAL");
	tap_eq_u64(-do_alloc(fd, MEMALLOC_KIND_KMEM_CACHE, 64 * 1024, &a), EINVAL,
		   "ALLOC kmem_cache of 64K objects (not slab-sized): EINVAL");

	memset(&a, 0, sizeof(a));
	a.kind = MEMALLOC_KIND_KMALLOC;
	a.size = 64;
	a.flags = 0x2;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_ALLOC, &a), EINVAL, "ALLOC unknown flag: EINVAL");
	a.flags = 0;
	a.reserved = 1;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_ALLOC, &a), EINVAL, "ALLOC reserved != 0: EINVAL");
	a.reserved = 0;
	a.flags = MEMALLOC_F_NODE;
	a.node = 999;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_ALLOC, &a), EINVAL, "ALLOC offline node: EINVAL");
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_ALLOC, (void *)8), EFAULT, "ALLOC bad pointer: EFAULT");
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_INFO, (void *)8), EFAULT, "INFO bad pointer: EFAULT");

	tap_eq_u64(-do_alloc(fd, MEMALLOC_KIND_KMALLOC, 1ULL << 40, &a), E2BIG,
		   "ALLOC over the byte limit: E2BIG");
	tap_eq_u64(-do_alloc(fd, MEMALLOC_KIND_ALLOC_PAGES, PAGE << (info.max_order + 1), &a),
		   E2BIG,
		   "ALLOC alloc_pages past the max order: E2BIG");

	/* Past KMALLOC_MAX_SIZE kmalloc fails: ENOMEM and no warning splat. */
	if (info.kmalloc_max_size * 2 <= info.limit_bytes) {
		int err = do_alloc(fd, MEMALLOC_KIND_KMALLOC, info.kmalloc_max_size * 2, &a);

		tap_eq_u64(-err, ENOMEM, "ALLOC kmalloc of 2 x KMALLOC_MAX_SIZE: ENOMEM");
	} else {
		tap_skip("byte limit %llu below 2 x KMALLOC_MAX_SIZE",
			 (unsigned long long)info.limit_bytes);
	}
	after = system("dmesg | grep -qE 'WARNING|page allocation failure|Call Trace'");
	tap_ok(after != 0, "no warning splat in the kernel log");

	tap_eq_u64(-do_free(fd, 0), ENOENT, "FREE handle 0: ENOENT");
	tap_eq_u64(-do_free(fd, 1ULL << 40), ENOENT, "FREE unknown handle: ENOENT");
	do_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	do_free(fd, a.handle);
	tap_eq_u64(-do_free(fd, a.handle), ENOENT, "FREE twice: ENOENT");

	w.handle = 123456;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), ENOENT, "WALK unknown handle: ENOENT");
	w.handle = 0;
	w.flags = 1;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_WALK, &w), EINVAL, "WALK flags != 0: EINVAL");

	b.kind = MEMALLOC_KIND_KMALLOC;
	b.size = 64;
	b.iterations = 0;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_BENCH, &b), EINVAL, "BENCH 0 iterations: EINVAL");
	b.iterations = 1000000;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_BENCH, &b), EINVAL, "BENCH 10^6 iterations: EINVAL");
}

/* ALLOC whose result cannot be copied back: EFAULT, and nothing is held. */
static void test_alloc_efault(int fd)
{
	struct memalloc_alloc *ro;
	uint32_t c0, c1;
	uint64_t b0, b1;
	int err;

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(ro, 0, sizeof(*ro));
	ro->kind = MEMALLOC_KIND_VMALLOC;
	ro->size = 2 * PAGE;
	mprotect(ro, PAGE, PROT_READ);
	held(&c0, &b0);
	err = xioctl(fd, MEMALLOC_IOC_ALLOC, ro);
	held(&c1, &b1);
	tap_ok(err == -EFAULT && c1 == c0 && b1 == b0,
	       "ALLOC into a read-only result: EFAULT, nothing held (%d)", err);
	munmap(ro, PAGE);
}

/* kmem_cache objects of an odd size: our own, unmerged cache, reused. */
static void test_kmem_cache_reuse(int fd)
{
	struct memalloc_alloc a[40];
	int i, good = 0;

	for (i = 0; i < 40; i++)
		good += !do_alloc(fd, MEMALLOC_KIND_KMEM_CACHE, 60, &a[i]) && a[i].size_alloc == 60;
	for (i = 0; i < 40; i++)
		do_free(fd, a[i].handle);
	tap_eq_u64(good, 40, "40 kmem_cache objects of 60 bytes: one unmerged cache, size 60");
}

static void test_other_file_handle(int fd)
{
	struct memalloc_alloc a;
	int fd2 = dev_open();

	do_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a);
	tap_eq_u64(-do_free(fd2, a.handle), ENOENT, "another file cannot free my handle: ENOENT");
	tap_ok(do_free(fd, a.handle) == 0, "... and mine still can");
	close(fd2);
}

static void test_limits(int fd)
{
	struct memalloc_alloc a[4];
	uint32_t count;
	uint64_t bytes;
	char buf[32];
	int p, i, errs[4];

	held(&count, &bytes);
	p = open("/sys/module/memalloc/parameters/max_count", O_WRONLY);
	snprintf(buf, sizeof(buf), "%u", count + 3);
	if (p < 0 || write(p, buf, strlen(buf)) < 0) {
		tap_skip("cannot set max_count");
		return;
	}
	for (i = 0; i < 4; i++)
		errs[i] = do_alloc(fd, MEMALLOC_KIND_KMALLOC, 64, &a[i]);
	tap_ok(!errs[0] && !errs[1] && !errs[2] && errs[3] == -ENOSPC,
	       "past max_count ALLOC fails with ENOSPC");
	for (i = 0; i < 3; i++)
		do_free(fd, a[i].handle);
	lseek(p, 0, SEEK_SET);
	write(p, "65536", 5);
	close(p);
}

static void test_lifetime(void)
{
	struct memalloc_alloc a;
	uint32_t c0, c1, c2;
	uint64_t b0, b1, b2;
	int fd, i, status, vm0, vm1;
	pid_t pid;

	uint64_t want = 0;

	held(&c0, &b0);
	fd = dev_open();
	for (i = 0; i < 10; i++) {
		do_alloc(fd, i & 1 ? MEMALLOC_KIND_VMALLOC : MEMALLOC_KIND_KMALLOC, 3 * PAGE, &a);
		/* What is held is counted: kmalloc(12K) holds ksize() = 16K. */
		want += a.size_alloc > 3 * PAGE ? a.size_alloc : 3 * PAGE;
	}
	held(&c1, &b1);
	close(fd);
	held(&c2, &b2);
	tap_ok(c1 == c0 + 10 && b1 == b0 + want && c2 == c0 && b2 == b0,
	       "closing the file frees its 10 allocations (held %u -> %u -> %u, %llu bytes)", c0,
	       c1, c2, (unsigned long long)(b1 - b0));

	pid = fork();
	if (!pid) {
		fd = dev_open();
		for (i = 0; i < 5; i++)
			do_alloc(fd, MEMALLOC_KIND_VMALLOC, PAGE, &a);
		_exit(0); /* no close: the kernel closes it */
	}
	waitpid(pid, &status, 0);
	held(&c2, &b2);
	tap_ok(c2 == c0 && b2 == b0, "a process that exits holding allocations frees them");

	vm0 = count_lines("/proc/vmallocinfo", "memalloc_do_alloc");
	fd = dev_open();
	for (i = 0; i < 1000; i++) {
		static const uint32_t k[] = { MEMALLOC_KIND_KMALLOC, MEMALLOC_KIND_VMALLOC,
					      MEMALLOC_KIND_KVMALLOC, MEMALLOC_KIND_ALLOC_PAGES,
					      MEMALLOC_KIND_KMEM_CACHE, MEMALLOC_KIND_VZALLOC };

		if (do_alloc(fd, k[i % 6], 64 << (i % 7), &a) || do_free(fd, a.handle))
			break;
	}
	held(&c2, &b2);
	vm1 = count_lines("/proc/vmallocinfo", "memalloc_do_alloc");
	tap_ok(i == 1000 && c2 == c0 && b2 == b0 && vm1 == vm0,
	       "1000 alloc/free cycles: all succeed, nothing held, no vmalloc area left (%d)", i);
	close(fd);
}

static void *thread_fn(void *arg)
{
	int fd = *(int *)arg, i;
	struct memalloc_alloc a;
	long bad = 0;

	for (i = 0; i < 200; i++) {
		int n;

		if (do_alloc(fd, i & 1 ? MEMALLOC_KIND_VMALLOC : MEMALLOC_KIND_KMALLOC,
			     PAGE * (1 + i % 3), &a)) {
			bad++;
			continue;
		}
		bad += check_walk(fd, &a, &n) != NULL;
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
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_fn, &fd);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	close(fd);
	held(&c1, &b1);
	tap_ok(bad == 0 && c1 == c0, "4 threads x 200 alloc/walk/free on one file: all correct");

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (!pid[i]) {
			int f = dev_open();

			_exit(f >= 0 && thread_fn(&f) == NULL ? 0 : 1);
		}
	}
	for (i = 0; i < 2; i++)
		waitpid(pid[i], &status[i], 0);
	held(&c1, &b1);
	tap_ok(WIFEXITED(status[0]) && !WEXITSTATUS(status[0]) && WIFEXITED(status[1]) &&
		       !WEXITSTATUS(status[1]) && c1 == c0,
	       "2 processes x 200 alloc/walk/free at once: all correct");
}

static void test_bench(int fd)
{
	struct memalloc_bench b = {};

	int err;

	b.kind = MEMALLOC_KIND_KMALLOC;
	b.size = PAGE;
	b.iterations = 200;
	err = xioctl(fd, MEMALLOC_IOC_BENCH, &b);
	tap_ok(!err && !b.failures &&
		       b.alloc.min_ns <= b.alloc.median_ns && b.alloc.median_ns <= b.alloc.p99_ns &&
		       b.alloc.p99_ns <= b.alloc.max_ns && b.alloc.median_ns > 0 &&
		       b.free.median_ns > 0,
	       "BENCH kmalloc 4K x 200: alloc min %llu <= median %llu <= p99 %llu <= max %llu ns",
	       (unsigned long long)b.alloc.min_ns, (unsigned long long)b.alloc.median_ns,
	       (unsigned long long)b.alloc.p99_ns, (unsigned long long)b.alloc.max_ns);
	tap_ok(b.touch_lines == PAGE / 64 && b.touch_pages == 1 && b.seq_line_ns > 0 &&
		       b.rand_line_ns > 0,
	       "BENCH kmalloc 4K: 64 lines, 1 page touched (seq %llu ns, random %llu ns)",
	       (unsigned long long)b.seq_line_ns, (unsigned long long)b.rand_line_ns);

	memset(&b, 0, sizeof(b));
	b.kind = MEMALLOC_KIND_VMALLOC;
	b.size = 64 * PAGE;
	b.iterations = 20;
	err = xioctl(fd, MEMALLOC_IOC_BENCH, &b);
	tap_ok(!err && !b.failures && b.touch_pages == 64 &&
		       b.alloc.median_ns > 0 && b.rand_page_ns > 0,
	       "BENCH vmalloc 256K x 20: alloc median %llu ns, 64 pages touched",
	       (unsigned long long)b.alloc.median_ns);
	b.alloc.min_ns = 0;
	b.touch_lines = 1;
	tap_eq_u64(-xioctl(fd, MEMALLOC_IOC_BENCH, &b), EINVAL, "BENCH with out fields set: EINVAL");
}

int main(void)
{
	int fd;

	if (access(MEMALLOC_DEVICE, F_OK)) {
		printf("# SKIP %s missing (memalloc.ko not loaded)\n", MEMALLOC_DEVICE);
		return TAP_SKIP;
	}
	test_device();
	fd = dev_open();
	if (fd < 0) {
		printf("# open %s: %s\n", MEMALLOC_DEVICE, strerror(errno));
		return TAP_FAIL;
	}
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
	test_bench(fd);
	close(fd);
	return tap_finish();
}
