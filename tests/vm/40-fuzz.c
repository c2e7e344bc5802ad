// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: a fuzzer of /dev/memalloc's ioctls, time-bounded and seeded.
 *
 *   FUZZ_SECONDS=N  seconds of fuzzing in all (default 20)
 *   FUZZ_SEED=N     the seed (default: from the clock); printed first
 *   FUZZ_PHASES=... a comma-separated subset of "mutate,concurrent,race"
 *   FUZZ_TRACE=1    print every call of the mutate phase as a comment
 *
 * Three phases share the time (3:4:3):
 *   mutate      one thread: random and mutated INFO, ALLOC, WALK (by handle
 *               and raw), FREE, BENCH and unknown ioctl numbers, every field
 *               drawn from interesting values (0, 1, ~0 of its width, page
 *               multiples, sizes around KMALLOC_MAX_SIZE, 4 and 8 MiB and
 *               the byte limit, kernel addresses from INFO and from ALLOC,
 *               user and non-canonical addresses), reserved fields and
 *               unknown flags set, garbage `entries` and garbage ioctl
 *               argument pointers; close, dup, re-open, a short-lived child;
 *   concurrent  the same from 3 processes x 2 threads at once, on one file
 *               they share and on files of their own, with max_count
 *               lowered so that ENOSPC happens too;
 *   race        one thread ALLOCs and FREEs a 6-8 MiB kvmalloc (a huge vmap
 *               on 6.12, 2 MiB leaves) and now and then a vmalloc of the same
 *               size (4K leaves, whose PTE tables a later huge vmap frees),
 *               while a thread raw-WALKs the last allocation's range and a
 *               child process the lowest one's.  With one vCPU and no
 *               preemption a page's walk cannot be interleaved with the
 *               free: the race needs 2 vCPUs (make vm SMP=2) to be real.
 * A seed fixes every worker's stream of choices: the mutate phase replays
 * call for call as long as the kernel answers the same (its length depends
 * on the time); the other phases interleave as the scheduler decides.
 *
 * Assertions: every call returned 0 or an errno documented for it (the
 * first few others are shown with their arguments), successful calls
 * returned sane results, no process died by a signal, after the last close
 * the module holds nothing and /proc/vmallocinfo has no area of its
 * allocations, and the module unloads and loads again (demo=0).  A KASAN,
 * lockdep or kmemleak report is 99-kernel-log.sh's to catch; an oops ends
 * the boot.  BENCH is kept to a few iterations of small buffers unless the
 * request is one the module must refuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dev/device.h"
#include "memalloc.h"
#include "sysfs.h"
#include "tap.h"

#define PAGE		4096ULL
#define MiB		(1ULL << 20)
#define KMC_MAX		(2 * PAGE)	/* KMALLOC_MAX_CACHE_SIZE (SLUB, 4K pages) */
#define WALK_MAX	(1ULL << 30)	/* raw walk limit */
#define BUF_ENTRIES	4096		/* a worker's walk buffer */
#define MAX_HOLD	12		/* allocations a worker tracks */
#define NR_UNEXP	6		/* unexpected results kept for the report */
#define NR_RECENT	64
#define NPROC		3		/* concurrent phase: processes ... */
#define NTHREAD		2		/* ... x threads */
#define MAX_COUNT	"/sys/module/memalloc/parameters/max_count"
#define FUZZ_MAX_COUNT	48		/* max_count during the concurrent phase */

/* ---- kinds of calls and their documented results ------------------------ */

enum kind {
	K_INFO, K_ALLOC, K_WALK, K_WALK_RAW, K_FREE, K_BENCH, K_UNKNOWN, K_OPEN,
	K_RACE_ALLOC, K_RACE_FREE, K_RACE_WALK, K_NR
};

static const char *const kind_name[K_NR] = {
	"INFO", "ALLOC", "WALK handle", "WALK raw", "FREE", "BENCH", "unknown ioctl",
	"open", "race ALLOC", "race FREE", "race WALK raw",
};

/* Result classes: success, the documented errnos, anything else */
enum { RES_OK, RES_ENOTTY, RES_EINVAL, RES_EFAULT, RES_ENOMEM, RES_ENOENT, RES_E2BIG, RES_ENOSPC, RES_EINTR,
       RES_OTHER, RES_NR };
static const int res_errno[RES_NR] = { 0, ENOTTY, EINVAL, EFAULT, ENOMEM, ENOENT, E2BIG, ENOSPC,
				     EINTR, -1 };
static const char *const res_name[RES_NR] = { "0", "ENOTTY", "EINVAL", "EFAULT", "ENOMEM",
					    "ENOENT", "E2BIG", "ENOSPC", "EINTR", "other" };

#define B(r) (1U << (r))
static const unsigned int expected[K_NR] = {
	[K_INFO] = B(RES_OK) | B(RES_EFAULT) | B(RES_ENOMEM),
	[K_ALLOC] = B(RES_OK) | B(RES_EINVAL) | B(RES_EFAULT) | B(RES_ENOMEM) | B(RES_E2BIG) | B(RES_ENOSPC),
	[K_WALK] = B(RES_OK) | B(RES_EINVAL) | B(RES_EFAULT) | B(RES_ENOMEM) | B(RES_ENOENT),
	[K_WALK_RAW] = B(RES_OK) | B(RES_EINVAL) | B(RES_EFAULT) | B(RES_ENOMEM) | B(RES_ENOENT),
	[K_FREE] = B(RES_OK) | B(RES_EINVAL) | B(RES_EFAULT) | B(RES_ENOENT),
	[K_BENCH] = B(RES_OK) | B(RES_EINVAL) | B(RES_EFAULT) | B(RES_ENOMEM) | B(RES_E2BIG) |
		    B(RES_ENOSPC) | B(RES_EINTR),
	[K_UNKNOWN] = B(RES_ENOTTY),
	[K_OPEN] = B(RES_OK) | B(RES_ENOMEM),
	[K_RACE_ALLOC] = B(RES_OK) | B(RES_ENOMEM) | B(RES_E2BIG) | B(RES_ENOSPC),
	[K_RACE_FREE] = B(RES_OK),
	/* EINVAL: a raw walk of vmalloc memory the device no longer holds */
	[K_RACE_WALK] = B(RES_OK) | B(RES_ENOMEM) | B(RES_EINVAL),
};

/* One unexpected result, with the argument as the fuzzer built it */
struct unexpected {
	int kind, err, worker;
	long ret;
	unsigned long cmd;
	uint64_t argp;
	size_t len;
	unsigned char arg[sizeof(struct memalloc_bench)];
};

/* Success results that break a fact of the ABI */
enum { F_ALLOC, F_WALK, F_INFO, F_BENCH, F_NR };
static const char *const fact_name[F_NR] = {
	"a successful ALLOC returns a handle, a kernel address and size_alloc >= size",
	"a successful WALK fills min(pages, capacity) entries, page by page, and counts the pages",
	"a successful INFO keeps the layout and reports reserved 0",
	"a successful BENCH counts no more failures than iterations",
};

enum { O_CLOSE, O_DUP, O_EXTRA, O_FORK, O_ODDARG, O_BADARG, O_HUGE, O_SMALL, O_NR };
static const char *const op_name[O_NR] = {
	"close + re-open", "dup + close", "extra file with allocations closed",
	"short-lived child processes", "calls with an unaligned argument",
	"calls with a bad argument pointer", "race allocations huge-mapped (2M)",
	"race allocations 4K-mapped",
};

/* Counters of every process (MAP_SHARED) */
struct shared {
	uint64_t calls[K_NR], badarg[K_NR], res[K_NR][RES_NR], nunexp[K_NR];
	struct unexpected unexp[K_NR][NR_UNEXP];
	uint64_t facts[F_NR];
	char fact_first[F_NR][200];
	uint64_t ops[O_NR];
	uint64_t children, child_signaled, child_failed;
	int child_first_status;
	uint64_t recent_handle[NR_RECENT], recent_addr[NR_RECENT], recent_i;
	uint64_t race_addr, race_low;	/* the last allocation, the lowest one */
	int race_stop;
};

static struct shared *sh;
static struct memalloc_info info;
static uint64_t ram_bytes, budget;
static bool trace;

/* ---- randomness ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: any seed, one state word */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- a worker: one stream of calls ------------------------------------------ */

struct hold {
	uint64_t handle, addr, size, size_alloc;
	bool shared;		/* on the shared file, else on the worker's own */
};

struct worker {
	int id;
	uint64_t rng;
	int shared_fd, own_fd;
	struct hold hold[MAX_HOLD];
	int nhold;
	struct memalloc_pte *buf;	/* BUF_ENTRIES, then a PROT_NONE page */
	unsigned char *scratch;		/* a page for unaligned arguments */
	unsigned char *ro;		/* a page made read-only around a call */
	unsigned char *edge;		/* a page, then a PROT_NONE page */
	double deadline;
	bool may_fork;
	bool child;			/* in a short-lived child: no fork, no printing */
};

static unsigned char *none_page;	/* PROT_NONE */

static uint64_t rnd(struct worker *w, uint64_t n)
{
	return n ? rng_next(&w->rng) % n : 0;
}

static bool chance(struct worker *w, unsigned int pct)
{
	return rnd(w, 100) < pct;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void *map_pages(size_t n, int prot)
{
	void *p = mmap(NULL, n * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool worker_init(struct worker *w, int id, uint64_t seed)
{
	unsigned char *p;
	size_t bufpages = BUF_ENTRIES * sizeof(struct memalloc_pte) / PAGE;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->rng = seed ^ (0x5851f42d4c957f2dULL * (id + 1));
	w->shared_fd = w->own_fd = -1;
	p = map_pages(bufpages + 1 + 1 + 1 + 2, PROT_READ | PROT_WRITE);
	if (!p)
		return false;
	w->buf = (struct memalloc_pte *)p;
	w->scratch = p + (bufpages + 1) * PAGE;
	w->ro = p + (bufpages + 2) * PAGE;
	w->edge = p + (bufpages + 3) * PAGE;
	return !mprotect(p + bufpages * PAGE, PAGE, PROT_NONE) &&
	       !mprotect(w->edge + PAGE, PAGE, PROT_NONE);
}

static void worker_fini(struct worker *w)
{
	size_t bufpages = BUF_ENTRIES * sizeof(struct memalloc_pte) / PAGE;

	munmap(w->buf, (bufpages + 5) * PAGE);
}

/* ---- accounting ----------------------------------------------------------- */

static int res_class(long ret, int err)
{
	int r;

	if (ret == 0)
		return RES_OK;
	if (ret > 0)
		return RES_OTHER;
	for (r = RES_ENOTTY; r < RES_OTHER; r++)
		if (res_errno[r] == err)
			return r;
	return RES_OTHER;
}

static void note_recent(uint64_t handle, uint64_t addr)
{
	uint64_t i = __atomic_fetch_add(&sh->recent_i, 1, __ATOMIC_RELAXED) % NR_RECENT;

	__atomic_store_n(&sh->recent_handle[i], handle, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->recent_addr[i], addr, __ATOMIC_RELAXED);
}

static void fact_bad(int f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fact_bad(int f, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->facts[f], 1, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->fact_first[f], sizeof(sh->fact_first[f]), fmt, ap);
	va_end(ap);
}

/*
 * ioctl(@fd, @cmd, @arg), counted under @kind; @tmpl/@len is the argument as
 * built (kept if the result is unexpected).  Returns 0, > 0 or -errno.
 */
static long call(struct worker *w, int kind, int fd, unsigned long cmd, void *arg,
		 const void *tmpl, size_t len, bool badarg)
{
	long ret = ioctl(fd, cmd, arg);
	int err = ret < 0 ? errno : 0, r = res_class(ret, err);

	__atomic_fetch_add(&sh->calls[kind], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->res[kind][r], 1, __ATOMIC_RELAXED);
	if (badarg)
		__atomic_fetch_add(&sh->badarg[kind], 1, __ATOMIC_RELAXED);
	if (!(expected[kind] & B(r))) {
		uint64_t i = __atomic_fetch_add(&sh->nunexp[kind], 1, __ATOMIC_RELAXED);

		if (i < NR_UNEXP) {
			struct unexpected *u = &sh->unexp[kind][i];

			u->kind = kind;
			u->err = err;
			u->ret = ret;
			u->cmd = cmd;
			u->worker = w->id;
			u->argp = (uintptr_t)arg;
			u->len = tmpl ? (len < sizeof(u->arg) ? len : sizeof(u->arg)) : 0;
			if (u->len)
				memcpy(u->arg, tmpl, u->len);
		}
	}
	if (trace && !w->child)
		printf("# [%d] %s cmd %#lx arg %p: %ld (%s)\n", w->id, kind_name[kind], cmd, arg,
		       ret, ret < 0 ? strerror(err) : "ok");
	return ret < 0 ? -err : ret;
}

/* ---- interesting values -------------------------------------------------- */

static uint64_t u64_pool[96];
static size_t n_u64;

static const uint32_t u32_pool[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 1023, 1024,
	4095, 4096, 65535, 65536, 99999, 100000, 100001, 0x7fffffff, 0x80000000,
	0xfffffffe, 0xffffffff,
};

static void pools_init(void)
{
	const uint64_t k = info.kmalloc_max_size, l = info.limit_bytes;
	const uint64_t v[] = {
		0, 1, 2, 3, 7, 8, 63, 64, 65, 127, 128, 255, 256, 1000, 4095, 4096, 4097,
		8191, 8192, 8193, 3 * PAGE + 1, 65535, 65536, 65537, MiB - 1, MiB,
		2 * MiB - 1, 2 * MiB, 2 * MiB + 1, k - 1, k, k + 1, 2 * k, 4 * MiB, 4 * MiB + PAGE,
		6 * MiB, 7 * MiB + PAGE, 8 * MiB - 1, 8 * MiB, 8 * MiB + 1, 16 * MiB, l - PAGE, l,
		l + 1, 2 * l, WALK_MAX - 1, WALK_MAX, WALK_MAX + 1, 1ULL << 31, 1ULL << 32,
		(1ULL << 32) + 1, 1ULL << 40, 1ULL << 47, 1ULL << 48, 1ULL << 56, 1ULL << 62,
		0x8000000000000000ULL, 0x8000000000000001ULL, 0x7fffffffffffffffULL,
		0xff00000000000000ULL, ~0ULL - PAGE + 1, ~0ULL - 1, ~0ULL,
		info.page_offset, info.page_offset + MiB, info.vmalloc_start,
		info.vmalloc_end, info.vmemmap_base, 0xffffffff81000000ULL, 0x400000,
		0x7ffffffff000ULL, 0x800000000000ULL,
	};

	n_u64 = sizeof(v) / sizeof(v[0]);
	memcpy(u64_pool, v, sizeof(v));
}

static uint64_t any_u64(struct worker *w)
{
	switch (rnd(w, 10)) {
	case 0:
		return rnd(w, 1 << 20) * PAGE;			/* a page multiple */
	case 1:
		return rng_next(&w->rng);			/* any bits */
	case 2:
		return u64_pool[rnd(w, n_u64)] + rnd(w, 3) - 1;	/* a neighbour */
	default:
		return u64_pool[rnd(w, n_u64)];
	}
}

static uint32_t any_u32(struct worker *w)
{
	switch (rnd(w, 8)) {
	case 0:
		return (uint32_t)rng_next(&w->rng);
	case 1:
		return u32_pool[rnd(w, sizeof(u32_pool) / sizeof(u32_pool[0]))] + rnd(w, 3) - 1;
	default:
		return u32_pool[rnd(w, sizeof(u32_pool) / sizeof(u32_pool[0]))];
	}
}

/* A kernel-half address: direct map, vmalloc, vmemmap, image, allocations */
static uint64_t any_kaddr(struct worker *w)
{
	uint64_t a;

	switch (rnd(w, 12)) {
	case 0:
		return info.page_offset + rnd(w, ram_bytes);
	case 1:
		return info.page_offset + rnd(w, 1ULL << 46);
	case 2:
		return info.vmalloc_start + rnd(w, 1ULL << 35);
	case 3:
		return info.vmalloc_end - rnd(w, 1ULL << 30);
	case 4:
		return info.vmemmap_base + rnd(w, ram_bytes / 64);
	case 5:
		return 0xffffffff80000000ULL + rnd(w, 2ULL << 30);	/* image, modules */
	case 6:
		return 0xfffffe0000000000ULL + rnd(w, 1ULL << 39);	/* cpu_entry_area */
	case 7:
		return 0xffff800000000000ULL + rnd(w, 1ULL << 44);	/* guard hole, LDT */
	case 8:
	case 9:
		a = __atomic_load_n(&sh->recent_addr[rnd(w, NR_RECENT)], __ATOMIC_RELAXED);
		if (a)
			return a + rnd(w, 4) * PAGE - PAGE;
		return info.vmalloc_start;
	case 10:
		return (1ULL << 63) | rng_next(&w->rng);
	default:
		return u64_pool[rnd(w, n_u64)] | (1ULL << 63);
	}
}

/* A pointer the kernel must refuse: unmapped, read-only, kernel, non-canonical */
static uint64_t bad_ptr(struct worker *w)
{
	static const uint64_t fixed[] = {
		0, 1, 8, 0x1000, 0x8000, 0x7ffffffff000ULL, 0x800000000000ULL,
		0x8000000000000000ULL, 0xff00000000000000ULL, ~0ULL, ~0ULL - 7,
	};

	switch (rnd(w, 6)) {
	case 0:
		return (uintptr_t)none_page + rnd(w, PAGE);
	case 1:
		return (uintptr_t)&bad_ptr;			/* text: read-only */
	case 2:
	case 3:
		return any_kaddr(w);
	default:
		return fixed[rnd(w, sizeof(fixed) / sizeof(fixed[0]))];
	}
}

/* ---- what a worker holds ---------------------------------------------------- */

static int hold_fd(struct worker *w, const struct hold *h)
{
	return h->shared ? w->shared_fd : w->own_fd;
}

static void hold_drop(struct worker *w, int i)
{
	w->hold[i] = w->hold[--w->nhold];
}

/* The worker's own file is gone: so is all it held there. */
static void hold_drop_own(struct worker *w)
{
	int i;

	for (i = w->nhold - 1; i >= 0; i--)
		if (!w->hold[i].shared)
			hold_drop(w, i);
}

static int free_hold(struct worker *w, int i)
{
	struct memalloc_free f = { .handle = w->hold[i].handle };
	int fd = hold_fd(w, &w->hold[i]);

	hold_drop(w, i);
	return call(w, K_FREE, fd, MEMALLOC_IOC_FREE, &f, &f, sizeof(f), false);
}

/* ---- request validity as the module checks it (alloc.c) -------------------- */

static bool request_valid(uint32_t kind, uint32_t flags, uint64_t size, uint32_t node,
			  uint32_t iterations)
{
	uint64_t pages = (size + PAGE - 1) / PAGE;
	unsigned int order = 0;

	while ((1ULL << order) < pages)
		order++;
	if (kind < MEMALLOC_KIND_KMALLOC || kind > MEMALLOC_KIND_MAX ||
	    (flags & ~MEMALLOC_F_NODE) || !size || size > info.limit_bytes)
		return false;
	if ((flags & MEMALLOC_F_NODE) && node >= info.nr_nodes)
		return false;
	if (!iterations || iterations > 100000)
		return false;
	if (kind == MEMALLOC_KIND_ALLOC_PAGES && order > info.max_order)
		return false;
	return kind != MEMALLOC_KIND_KMEM_CACHE || size <= KMC_MAX;
}

static uint64_t charge_of(uint32_t kind, uint64_t size)
{
	uint64_t c = PAGE;

	if (kind != MEMALLOC_KIND_ALLOC_PAGES)
		return size;
	while (c < size)
		c <<= 1;
	return c;
}

static uint64_t held_bytes(struct worker *w, int fd)
{
	struct memalloc_info *i = (struct memalloc_info *)w->buf;	/* big enough */

	if (call(w, K_INFO, fd, MEMALLOC_IOC_INFO, i, NULL, 0, false))
		return ~0ULL;
	return i->held_bytes;
}

/* A size a @kind allocator takes, mostly small, sometimes at its edges */
static uint64_t sane_size(struct worker *w, uint32_t kind)
{
	static const uint64_t slab[] = { 1, 8, 24, 60, 64, 100, 192, 1000, 4096, 8192, 8193 };
	const uint64_t k = info.kmalloc_max_size;
	const uint64_t big[] = { 2 * MiB - 1, 2 * MiB, 2 * MiB + 1, k - 1, k, k + 1, 4 * MiB,
				 6 * MiB, 7 * MiB + PAGE, 8 * MiB, 8 * MiB + 1 };
	unsigned int r = rnd(w, 100);

	switch (kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		if (r < 60)
			return 1 + rnd(w, 4096);
		if (r < 90)
			return 1 + rnd(w, 65536);
		return big[rnd(w, sizeof(big) / sizeof(big[0]))];
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
	case MEMALLOC_KIND_KVMALLOC:
		if (r < 40)
			return PAGE * (1 + rnd(w, 64)) + rnd(w, 3) - 1;
		if (r < 85)
			return 1 + rnd(w, MiB);
		return big[rnd(w, sizeof(big) / sizeof(big[0]))];
	case MEMALLOC_KIND_ALLOC_PAGES:
		if (r < 85)
			return (PAGE << rnd(w, 5)) + rnd(w, 3) - 1;
		return PAGE << (info.max_order + rnd(w, 2));
	case MEMALLOC_KIND_KMEM_CACHE:
	default:
		return slab[rnd(w, sizeof(slab) / sizeof(slab[0]))];
	}
}

/* ---- the argument pointer of a call ---------------------------------------- */

/*
 * Where to put the argument @a (@len bytes): in place, at an unaligned
 * address, or at a bad pointer (unmapped, read-only, across the end of the
 * mapping, kernel, non-canonical).  *@copy_back tells whether the result is
 * to be copied back from the returned pointer.
 */
static void *place_arg(struct worker *w, void *a, size_t len, bool *badarg, bool *copy_back,
		       bool *ro)
{
	unsigned int r = rnd(w, 100);
	unsigned char *p;

	*badarg = *copy_back = *ro = false;
	if (r < 82)
		return a;
	if (r < 88) {
		p = w->scratch + 1 + rnd(w, 63);
		memcpy(p, a, len);
		*copy_back = true;
		__atomic_fetch_add(&sh->ops[O_ODDARG], 1, __ATOMIC_RELAXED);
		return p;
	}
	*badarg = true;
	__atomic_fetch_add(&sh->ops[O_BADARG], 1, __ATOMIC_RELAXED);
	if (r < 92) {
		/* readable, not writable: the copy back fails */
		mprotect(w->ro, PAGE, PROT_READ | PROT_WRITE);
		memcpy(w->ro, a, len);
		mprotect(w->ro, PAGE, PROT_READ);
		*ro = true;
		return w->ro;
	}
	if (r < 95) {
		/* its tail in the PROT_NONE page */
		size_t in = 1 + rnd(w, len - 1);

		p = w->edge + PAGE - in;
		memcpy(p, a, in);
		return p;
	}
	return (void *)(uintptr_t)bad_ptr(w);
}

/* ---- the calls --------------------------------------------------------------- */

static int pick_fd(struct worker *w)
{
	return w->own_fd >= 0 && (w->shared_fd < 0 || chance(w, 50)) ? w->own_fd : w->shared_fd;
}

static void op_info(struct worker *w)
{
	struct memalloc_info *i = (struct memalloc_info *)w->buf;
	bool bad, back, ro;
	void *p;
	long ret;

	_Static_assert(sizeof(*i) + 64 <= PAGE, "INFO fits the scratch page");
	memset(i, 0xa5, sizeof(*i));	/* INFO reads nothing: garbage in is fine */
	p = place_arg(w, i, sizeof(*i), &bad, &back, &ro);
	ret = call(w, K_INFO, pick_fd(w), MEMALLOC_IOC_INFO, p, NULL, 0, bad);
	if (back)
		memcpy(i, p, sizeof(*i));
	if (ret == 0 && !ro && (p == (void *)i || back) &&
	    (i->page_size != PAGE || i->levels != info.levels || i->reserved ||
	     i->page_offset != info.page_offset || i->vmalloc_start != info.vmalloc_start ||
	     i->nr_zones != info.nr_zones || i->limit_bytes != info.limit_bytes))
		fact_bad(F_INFO, "INFO: page_size %u levels %u page_offset %#llx reserved %u "
			 "nr_zones %u limit_bytes %llu", i->page_size, i->levels,
			 (unsigned long long)i->page_offset, i->reserved, i->nr_zones,
			 (unsigned long long)i->limit_bytes);
}

static void op_alloc(struct worker *w)
{
	struct memalloc_alloc a = {}, t;
	bool bad, back, ro, shared;
	int fd, i;
	long ret;
	void *p;

	/* Free the oldest first when the table is full. */
	if (w->nhold == MAX_HOLD)
		free_hold(w, 0);

	a.kind = chance(w, 92) ? 1 + rnd(w, MEMALLOC_KIND_MAX) : any_u32(w);
	a.size = chance(w, 75) ? sane_size(w, a.kind) : any_u64(w);
	if (chance(w, 10)) {
		a.flags = MEMALLOC_F_NODE;
		a.node = chance(w, 80) ? rnd(w, info.nr_nodes) : any_u32(w);
	} else if (chance(w, 5)) {
		a.flags = any_u32(w);
		a.node = any_u32(w);
	}
	if (chance(w, 8)) {
		switch (rnd(w, 5)) {
		case 0: a.reserved = any_u32(w) | 1; break;
		case 1: a.handle = any_u64(w) | 1; break;
		case 2: a.addr = any_u64(w) | 1; break;
		case 3: a.size_alloc = any_u64(w) | 1; break;
		default: a.latency_ns = any_u64(w) | 1; break;
		}
	}

	fd = pick_fd(w);
	shared = fd == w->shared_fd;
	/*
	 * Keep what all files hold under the budget (half of the free memory
	 * at the start): kvmalloc falls back to a GFP_KERNEL vmalloc, which
	 * could wake the OOM killer.
	 */
	if (request_valid(a.kind, a.flags, a.size, a.node, 1) && !a.reserved && !a.handle &&
	    !a.addr && !a.size_alloc && !a.latency_ns && charge_of(a.kind, a.size) > 64 * 1024) {
		for (i = w->nhold - 1; i >= 0; i--)
			if (w->hold[i].size_alloc > MiB && charge_of(a.kind, a.size) > MiB)
				free_hold(w, i);
		if (held_bytes(w, fd) + charge_of(a.kind, a.size) > budget)
			a.size = 1 + rnd(w, 65536);
	}

	t = a;
	p = place_arg(w, &a, sizeof(a), &bad, &back, &ro);
	ret = call(w, K_ALLOC, fd, MEMALLOC_IOC_ALLOC, p, &t, sizeof(t), bad);
	if (back)
		memcpy(&a, p, sizeof(a));
	/* The limits are reached: give some back (others may hold the rest). */
	if ((ret == -ENOSPC || (ret == -E2BIG && t.size <= info.limit_bytes)) && w->nhold) {
		free_hold(w, rnd(w, w->nhold));
		if (w->nhold)
			free_hold(w, rnd(w, w->nhold));
	}
	if (ret || ro)
		return;
	if (p != (void *)&a && !back)
		return;		/* cannot happen: only good pointers succeed */
	if (!a.handle || a.handle > UINT32_MAX || a.addr < info.page_offset ||
	    a.size_alloc < t.size)
		fact_bad(F_ALLOC, "ALLOC kind %u size %llu: handle %llu addr %#llx size_alloc %llu",
			 t.kind, (unsigned long long)t.size, (unsigned long long)a.handle,
			 (unsigned long long)a.addr, (unsigned long long)a.size_alloc);
	note_recent(a.handle, a.addr);
	w->hold[w->nhold++] = (struct hold){ a.handle, a.addr, t.size, a.size_alloc, shared };
}

/* The buffer of a walk: good, short before a guard page, NULL or garbage */
static void pick_entries(struct worker *w, struct memalloc_walk *k, bool *good)
{
	unsigned int r = rnd(w, 100);
	uint32_t room;

	*good = false;
	if (r < 45) {
		k->nr_entries = chance(w, 70) ? 1 + rnd(w, BUF_ENTRIES) : BUF_ENTRIES;
		k->entries = (uintptr_t)(w->buf + BUF_ENTRIES - k->nr_entries);
		*good = true;
	} else if (r < 55) {
		room = rnd(w, 16);		/* then the guard page */
		k->entries = (uintptr_t)(w->buf + BUF_ENTRIES - room);
		k->nr_entries = room + 1 + rnd(w, 64);
	} else if (r < 65) {
		k->entries = 0;
		k->nr_entries = 0;
		*good = true;
	} else {
		k->entries = bad_ptr(w);
		k->nr_entries = any_u32(w);
	}
}

/* A walk of at most @max pages: the kernel walks them all before copying */
static void clamp_walk(struct worker *w, struct memalloc_walk *k, uint64_t pages, bool *good)
{
	if (pages > BUF_ENTRIES && k->nr_entries > BUF_ENTRIES && !chance(w, 2)) {
		k->nr_entries = 1 + rnd(w, BUF_ENTRIES);
		if (*good)
			k->entries = (uintptr_t)(w->buf + BUF_ENTRIES - k->nr_entries);
	}
}

/* The facts of a successful walk of [@start, @end) into a good buffer */
static void check_walk(const struct memalloc_walk *in, const struct memalloc_walk *out,
		       uint64_t start, uint64_t end, bool good, const char *what)
{
	uint64_t first = start & ~(PAGE - 1), pages = (((end + PAGE - 1) & ~(PAGE - 1)) - first) / PAGE;
	uint64_t n = pages < in->nr_entries ? pages : in->nr_entries, i;
	const struct memalloc_pte *e = (const struct memalloc_pte *)(uintptr_t)in->entries;

	if (out->nr_pages != (pages > UINT32_MAX ? UINT32_MAX : pages) || out->nr_entries != n) {
		fact_bad(F_WALK, "%s %#llx+%#llx: nr_pages %u nr_entries %u, want %llu and %llu",
			 what, (unsigned long long)start, (unsigned long long)(end - start),
			 out->nr_pages, out->nr_entries, (unsigned long long)pages,
			 (unsigned long long)n);
		return;
	}
	if (!good)
		return;
	for (i = 0; i < n; i++) {
		if (e[i].addr != first + i * PAGE || e[i].level >= MEMALLOC_NR_LEVELS ||
		    (e[i].level == MEMALLOC_LEVEL_NONE && (e[i].pfn != ~0ULL || e[i].flags))) {
			fact_bad(F_WALK, "%s %#llx+%#llx: entry %llu addr %#llx level %u pfn %#llx "
				 "flags %#x", what, (unsigned long long)start,
				 (unsigned long long)(end - start), (unsigned long long)i,
				 (unsigned long long)e[i].addr, e[i].level,
				 (unsigned long long)e[i].pfn, e[i].flags);
			return;
		}
	}
}

static void op_walk(struct worker *w, bool raw)
{
	struct memalloc_walk k = {}, t;
	struct hold *h = NULL;
	uint64_t pages = 1, start = 0, end = 0;
	bool good, bad, back, ro;
	int fd = pick_fd(w);
	long ret;
	void *p;

	if (raw) {
		k.addr = chance(w, 85) ? any_kaddr(w) : any_u64(w);
		switch (rnd(w, 6)) {
		case 0: k.size = any_u64(w); break;
		case 1: k.size = 1 + rnd(w, 16 * MiB); break;
		case 2: k.size = 1 + rnd(w, 4 * PAGE); break;
		default: k.size = PAGE * (1 + rnd(w, 64)); break;
		}
		start = k.addr;
		end = k.addr + k.size;
		pages = ((((end + PAGE - 1) & ~(PAGE - 1)) - (start & ~(PAGE - 1))) / PAGE);
	} else {
		if (w->nhold && chance(w, 80)) {
			h = &w->hold[rnd(w, w->nhold)];
			k.handle = h->handle;
			fd = hold_fd(w, h);
			start = h->addr;
			end = h->addr + h->size_alloc;
			pages = (((end + PAGE - 1) & ~(PAGE - 1)) - (start & ~(PAGE - 1))) / PAGE;
		} else if (chance(w, 50)) {
			k.handle = __atomic_load_n(&sh->recent_handle[rnd(w, NR_RECENT)],
						   __ATOMIC_RELAXED);
		} else {
			k.handle = any_u64(w);
		}
	}
	pick_entries(w, &k, &good);
	clamp_walk(w, &k, pages, &good);
	if (chance(w, 8)) {
		switch (rnd(w, raw ? 2 : 4)) {
		case 0: k.flags = any_u32(w) | 1; break;
		case 1: k.reserved = any_u32(w) | 1; break;
		case 2: k.addr = any_u64(w) | 1; break;
		default: k.size = any_u64(w) | 1; break;
		}
		h = NULL;
	}
	if (chance(w, 3))
		k.nr_pages = any_u32(w);	/* an out field: ignored */

	t = k;
	p = place_arg(w, &k, sizeof(k), &bad, &back, &ro);
	ret = call(w, raw ? K_WALK_RAW : K_WALK, fd, MEMALLOC_IOC_WALK, p, &t, sizeof(t), bad);
	if (back)
		memcpy(&k, p, sizeof(k));
	if (ret || ro || (p != (void *)&k && !back))
		return;
	if (raw && (t.handle || t.addr < (1ULL << 63) || !t.size || t.size > WALK_MAX ||
		    t.addr + t.size < t.addr))
		fact_bad(F_WALK, "raw WALK accepted handle %#llx addr %#llx size %#llx",
			 (unsigned long long)t.handle, (unsigned long long)t.addr,
			 (unsigned long long)t.size);
	else if (raw || h)
		check_walk(&t, &k, start, end, good, raw ? "raw WALK" : "WALK handle");
	else if (k.nr_entries > k.nr_pages || k.nr_entries > t.nr_entries)
		fact_bad(F_WALK, "WALK handle %llu: nr_entries %u of nr_pages %u, capacity %u",
			 (unsigned long long)t.handle, k.nr_entries, k.nr_pages, t.nr_entries);
}

static void op_free(struct worker *w)
{
	struct memalloc_free f = {}, t;
	bool bad, back, ro, mine = false;
	int fd = pick_fd(w), i = -1;
	long ret;
	void *p;

	if (w->nhold && chance(w, 70)) {
		i = rnd(w, w->nhold);
		f.handle = w->hold[i].handle;
		fd = hold_fd(w, &w->hold[i]);
		mine = true;
		if (chance(w, 5))
			f.handle |= 1ULL << (32 + rnd(w, 32));	/* past 32 bits: ENOENT */
	} else if (chance(w, 40)) {
		f.handle = __atomic_load_n(&sh->recent_handle[rnd(w, NR_RECENT)],
					   __ATOMIC_RELAXED);
	} else {
		f.handle = any_u64(w);
	}
	if (chance(w, 6))
		f.latency_ns = any_u64(w) | 1;

	t = f;
	p = place_arg(w, &f, sizeof(f), &bad, &back, &ro);
	ret = call(w, K_FREE, fd, MEMALLOC_IOC_FREE, p, &t, sizeof(t), bad);
	/* Freed, or gone already, or freed with a read-only result */
	if (mine && (ret == 0 || ret == -ENOENT || (ret == -EFAULT && ro)) &&
	    t.handle == w->hold[i].handle)
		hold_drop(w, i);
}

static void op_bench(struct worker *w)
{
	static const uint64_t slab[] = { 8, 60, 64, 192, 1000, 4096, 8192 };
	struct memalloc_bench b = {}, t;
	bool bad, back, ro;
	long ret;
	void *p;

	b.kind = 1 + rnd(w, MEMALLOC_KIND_MAX);
	switch (b.kind) {
	case MEMALLOC_KIND_KMEM_CACHE:
		b.size = slab[rnd(w, sizeof(slab) / sizeof(slab[0]))];
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		b.size = PAGE << rnd(w, 4);
		break;
	default:
		b.size = 1 + rnd(w, 65536);
	}
	b.iterations = 1 + rnd(w, 16);
	if (chance(w, 10)) {
		b.flags = MEMALLOC_F_NODE;
		b.node = rnd(w, info.nr_nodes);
	}
	/* One to three fields drawn from the interesting values */
	if (chance(w, 60)) {
		int n = 1 + rnd(w, 3);

		while (n--) {
			switch (rnd(w, 9)) {
			case 0: b.kind = any_u32(w); break;
			case 1: b.flags = any_u32(w); break;
			case 2: b.size = any_u64(w); break;
			case 3: b.node = any_u32(w); break;
			case 4:
			case 5: b.iterations = any_u32(w); break;
			case 6: b.failures = any_u32(w) | 1; break;
			case 7: b.reserved = any_u32(w) | 1; break;
			default:
				/* an out field */
				((unsigned char *)&b.alloc)[rnd(w, sizeof(b) -
					offsetof(struct memalloc_bench, alloc))] = 1 + rnd(w, 255);
			}
		}
	}
	/*
	 * A request the module accepts stays cheap: under TCG a big BENCH runs
	 * for minutes.  The big values go only where something else is wrong.
	 */
	if (request_valid(b.kind, b.flags, b.size, b.node, b.iterations) && !b.failures &&
	    !b.reserved) {
		if (b.iterations > 16)
			b.iterations = 1 + b.iterations % 16;
		if (b.size > 256 * 1024)
			b.size = 1 + b.size % (256 * 1024);
		if (b.kind == MEMALLOC_KIND_KMEM_CACHE && b.size > KMC_MAX)
			b.size = KMC_MAX;
	}

	t = b;
	p = place_arg(w, &b, sizeof(b), &bad, &back, &ro);
	ret = call(w, K_BENCH, pick_fd(w), MEMALLOC_IOC_BENCH, p, &t, sizeof(t), bad);
	if (back)
		memcpy(&b, p, sizeof(b));
	if (!ret && !ro && (p == (void *)&b || back) && b.failures > t.iterations)
		fact_bad(F_BENCH, "BENCH kind %u size %llu x %u: %u failures", t.kind,
			 (unsigned long long)t.size, t.iterations, b.failures);
}

/* Generic VFS ioctls the kernel answers before the driver; some act on the file system. */
static bool vfs_magic(unsigned int magic)
{
	return magic == 'T' || magic == 'X' || magic == 'f' || magic == 0x94 || magic == 0x15 ||
	       magic == 'v' || magic == 0x12 || magic == 0;
}

static void op_unknown(struct worker *w)
{
	static const unsigned long ours[] = { MEMALLOC_IOC_INFO, MEMALLOC_IOC_ALLOC,
					      MEMALLOC_IOC_WALK, MEMALLOC_IOC_FREE,
					      MEMALLOC_IOC_BENCH };
	unsigned long cmd;
	unsigned int i;
	void *arg;

	switch (rnd(w, 5)) {
	case 0:		/* our magic, another number */
		cmd = _IOC(rnd(w, 4), MEMALLOC_IOC_MAGIC, rnd(w, 256), rnd(w, 1 << 14));
		break;
	case 1:		/* one of ours with another direction or size */
		cmd = ours[rnd(w, 5)];
		cmd = chance(w, 50) ? (cmd ^ (1UL << (30 + rnd(w, 2)))) :
				      (cmd ^ ((1 + rnd(w, 255)) << _IOC_SIZESHIFT));
		break;
	case 2:		/* a next number of ours, or nsfs's numbers under our magic */
		cmd = chance(w, 50) ? _IOWR(MEMALLOC_IOC_MAGIC, 0x45 + rnd(w, 4), struct memalloc_bench) :
				      _IO(MEMALLOC_IOC_MAGIC, rnd(w, 8));
		break;
	case 3:		/* another driver's */
		cmd = _IOC(rnd(w, 4), "Mab!"[rnd(w, 4)] + 0, rnd(w, 256), rnd(w, 256));
		break;
	default:
		cmd = (uint32_t)rng_next(&w->rng);
	}
	cmd &= 0xffffffffUL;
	if (vfs_magic(_IOC_TYPE(cmd)) || !cmd)
		cmd = (cmd & ~(0xffUL << _IOC_TYPESHIFT)) | ((unsigned long)'M' << _IOC_TYPESHIFT);
	for (i = 0; i < 5; i++)
		if (cmd == ours[i])
			cmd ^= 0xff;
	arg = chance(w, 50) ? (void *)w->scratch : (void *)(uintptr_t)bad_ptr(w);
	call(w, K_UNKNOWN, pick_fd(w), cmd, arg, NULL, 0, false);
}

static int dev_open(struct worker *w)
{
	int fd = open(MEMALLOC_DEVICE, O_RDWR | O_CLOEXEC);
	int r = res_class(fd < 0 ? -1 : 0, errno);

	__atomic_fetch_add(&sh->calls[K_OPEN], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->res[K_OPEN][r], 1, __ATOMIC_RELAXED);
	if (!(expected[K_OPEN] & B(r))) {
		uint64_t i = __atomic_fetch_add(&sh->nunexp[K_OPEN], 1, __ATOMIC_RELAXED);

		if (i < NR_UNEXP)
			sh->unexp[K_OPEN][i] = (struct unexpected){ .kind = K_OPEN, .err = errno,
								    .ret = fd, .worker = w->id };
	}
	return fd;
}

/* Close the worker's own file (the kernel frees what it holds) and open another. */
static void op_reopen(struct worker *w)
{
	if (w->own_fd >= 0)
		close(w->own_fd);
	hold_drop_own(w);
	w->own_fd = dev_open(w);
	__atomic_fetch_add(&sh->ops[O_CLOSE], 1, __ATOMIC_RELAXED);
}

static void op_one(struct worker *w);

/* A dup of the shared file: calls through it, then close (not the last one). */
static void op_dup(struct worker *w)
{
	int saved = w->shared_fd, d;

	if (saved < 0)
		return;
	d = dup(saved);
	if (d < 0)
		return;
	/* What it allocates through the dup is the shared file's. */
	w->shared_fd = d;
	op_one(w);
	op_one(w);
	w->shared_fd = saved;
	close(d);
	__atomic_fetch_add(&sh->ops[O_DUP], 1, __ATOMIC_RELAXED);
}

/* A file of its own, a few allocations, then the last close frees them. */
static void op_extra(struct worker *w)
{
	int saved_own = w->own_fd, saved_shared = w->shared_fd, saved_n = w->nhold;
	int n = 1 + rnd(w, 4), fd;
	struct hold saved[MAX_HOLD];

	fd = dev_open(w);
	if (fd < 0)
		return;
	memcpy(saved, w->hold, sizeof(saved));
	w->nhold = 0;
	w->own_fd = fd;
	w->shared_fd = -1;
	while (n--) {
		if (chance(w, 75))
			op_alloc(w);
		else
			op_walk(w, false);
	}
	close(fd);	/* frees what it holds: forget them */
	memcpy(w->hold, saved, sizeof(saved));
	w->nhold = saved_n;
	w->own_fd = saved_own;
	w->shared_fd = saved_shared;
	__atomic_fetch_add(&sh->ops[O_EXTRA], 1, __ATOMIC_RELAXED);
}

static void note_child(int status)
{
	__atomic_fetch_add(&sh->children, 1, __ATOMIC_RELAXED);
	if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status))) {
		if (WIFSIGNALED(status))
			__atomic_fetch_add(&sh->child_signaled, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&sh->child_failed, 1, __ATOMIC_RELAXED);
		__atomic_compare_exchange_n(&sh->child_first_status, &(int){ 0 }, status | 1 << 30,
					    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

/*
 * A child: its own file and the inherited shared one, a few calls, then it
 * exits, closing its file or leaving that to the kernel.
 */
static void op_fork(struct worker *w)
{
	int status, n;
	pid_t pid;

	if (!w->may_fork || w->child)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		w->child = true;
		w->id += 100;
		w->nhold = 0;
		w->own_fd = dev_open(w);
		for (n = 5 + rnd(w, 20); n--;)
			op_one(w);
		/* What it holds on the shared file outlives it: free that. */
		for (n = w->nhold - 1; n >= 0; n--)
			if (w->hold[n].shared)
				free_hold(w, n);
		if (chance(w, 50) && w->own_fd >= 0)
			close(w->own_fd);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == pid)
		note_child(status);
	__atomic_fetch_add(&sh->ops[O_FORK], 1, __ATOMIC_RELAXED);
}

static void op_one(struct worker *w)
{
	unsigned int r = rnd(w, 1000);

	if (r < 250)
		op_alloc(w);
	else if (r < 400)
		op_walk(w, false);
	else if (r < 530)
		op_walk(w, true);
	else if (r < 690)
		op_free(w);
	else if (r < 750)
		op_info(w);
	else if (r < 800)
		op_bench(w);
	else if (r < 860)
		op_unknown(w);
	else if (r < 900 && !w->child)
		op_reopen(w);
	else if (r < 940 && !w->child)
		op_dup(w);
	else if (r < 975 && !w->child)
		op_extra(w);
	else if (r < 985)
		op_fork(w);
	else
		op_alloc(w);
}

static void worker_run(struct worker *w)
{
	unsigned int i = 0;

	while (!(i++ & 7) ? now() < w->deadline : true)
		op_one(w);
}

static void worker_done(struct worker *w)
{
	if (w->own_fd >= 0)
		close(w->own_fd);
	w->own_fd = -1;
	hold_drop_own(w);
}

/* ---- phase 1: one thread ---------------------------------------------------- */

static void phase_mutate(uint64_t seed, double secs)
{
	struct worker w;

	if (!worker_init(&w, 0, seed))
		tap_bail("mmap: %s", strerror(errno));
	w.shared_fd = dev_open(&w);
	w.own_fd = dev_open(&w);
	if (w.shared_fd < 0 || w.own_fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	w.may_fork = true;
	w.deadline = now() + secs;
	worker_run(&w);
	worker_done(&w);
	close(w.shared_fd);
	worker_fini(&w);
}

/* ---- phase 2: processes x threads --------------------------------------------- */

struct thread_arg {
	struct worker w;
	bool done;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;

	t->w.own_fd = dev_open(&t->w);
	worker_run(&t->w);
	worker_done(&t->w);
	t->done = true;
	return NULL;
}

/* NTHREAD workers in this process on @shared_fd; the number that did not finish */
static int run_threads(int proc, uint64_t seed, int shared_fd, double deadline)
{
	struct thread_arg t[NTHREAD];
	pthread_t th[NTHREAD];
	int i, started = 0, lost = 0;

	for (i = 0; i < NTHREAD; i++) {
		if (!worker_init(&t[i].w, 1 + proc * NTHREAD + i, seed))
			return NTHREAD;
		t[i].w.shared_fd = shared_fd;
		t[i].w.deadline = deadline;
		t[i].w.may_fork = i == 0;
		t[i].done = false;
		if (pthread_create(&th[i], NULL, thread_main, &t[i]))
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NTHREAD; i++) {
		lost += i >= started || !t[i].done;
		worker_fini(&t[i].w);
	}
	return lost;
}

static int threads_lost;

static void phase_concurrent(uint64_t seed, double secs)
{
	char old[32] = "", val[32];
	pid_t pid[NPROC - 1];
	double deadline;
	int i, status, shared_fd, lowered = 0;
	FILE *f;

	f = fopen(MAX_COUNT, "r");
	if (f && fgets(old, sizeof(old), f)) {
		old[strcspn(old, "\n")] = 0;
		snprintf(val, sizeof(val), "%d", FUZZ_MAX_COUNT);
		lowered = !sysfs_write(MAX_COUNT, val);
	}
	if (f)
		fclose(f);

	shared_fd = open(MEMALLOC_DEVICE, O_RDWR);
	if (shared_fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	deadline = now() + secs;
	for (i = 0; i < NPROC - 1; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			tap_bail("fork: %s", strerror(errno));
		if (!pid[i])
			_exit(run_threads(i + 1, seed, shared_fd, deadline) ? 3 : 0);
	}
	threads_lost = run_threads(0, seed, shared_fd, deadline);
	for (i = 0; i < NPROC - 1; i++)
		if (waitpid(pid[i], &status, 0) == pid[i])
			note_child(status);
	close(shared_fd);
	if (lowered && sysfs_write(MAX_COUNT, old))
		tap_bail("cannot restore max_count to %s", old);
}

/* ---- phase 3: raw WALK against FREE of a huge vmap ---------------------------- */

struct race_arg {
	struct worker w;
	int fd;
	bool low;		/* walk from the lowest address, else the last one */
	double deadline;
};

static void *race_walker(void *p)
{
	struct race_arg *r = p;
	struct memalloc_walk k, t;
	uint64_t a;

	while (now() < r->deadline && !__atomic_load_n(&sh->race_stop, __ATOMIC_RELAXED)) {
		a = __atomic_load_n(r->low ? &sh->race_low : &sh->race_addr, __ATOMIC_ACQUIRE);
		if (!a) {
			sched_yield();
			continue;
		}
		/*
		 * The allocation, from the 2M boundary below it, and 2 MiB past 8:
		 * a freed range is reused from the bottom once the lazy purge ran.
		 */
		memset(&k, 0, sizeof(k));
		k.addr = (a & ~(2 * MiB - 1)) - (chance(&r->w, 50) ? 2 * MiB : 0);
		k.size = r->low ? 16 * MiB : 12 * MiB;
		k.entries = (uintptr_t)r->w.buf;
		k.nr_entries = chance(&r->w, 80) ? BUF_ENTRIES : 1 + rnd(&r->w, 64);
		t = k;
		if (!call(&r->w, K_RACE_WALK, r->fd, MEMALLOC_IOC_WALK, &k, &t, sizeof(t), false))
			check_walk(&t, &k, t.addr, t.addr + t.size, true, "race raw WALK");
	}
	return NULL;
}

static void race_allocator(struct race_arg *r)
{
	struct memalloc_alloc a;
	struct memalloc_free f;
	struct memalloc_walk k;
	struct memalloc_pte e;
	unsigned int i = 0, spin;

	while (now() < r->deadline) {
		memset(&a, 0, sizeof(a));
		/* every third a vmalloc: 4K leaves, PTE tables that a huge vmap frees */
		a.kind = (i++ % 3 == 2) ? MEMALLOC_KIND_VMALLOC : MEMALLOC_KIND_KVMALLOC;
		a.size = 6 * MiB + rnd(&r->w, 513) * PAGE;
		if (call(&r->w, K_RACE_ALLOC, r->fd, MEMALLOC_IOC_ALLOC, &a, &a, sizeof(a), false))
			continue;
		__atomic_store_n(&sh->race_addr, a.addr, __ATOMIC_RELEASE);
		if (!sh->race_low || a.addr < sh->race_low)
			__atomic_store_n(&sh->race_low, a.addr, __ATOMIC_RELEASE);
		memset(&k, 0, sizeof(k));
		k.handle = a.handle;
		k.entries = (uintptr_t)&e;
		k.nr_entries = 1;
		if (!call(&r->w, K_WALK, r->fd, MEMALLOC_IOC_WALK, &k, &k, sizeof(k), false))
			__atomic_fetch_add(&sh->ops[e.level == MEMALLOC_LEVEL_PMD ? O_HUGE : O_SMALL],
					   1, __ATOMIC_RELAXED);
		for (spin = rnd(&r->w, 3); spin--;)
			sched_yield();
		f = (struct memalloc_free){ .handle = a.handle };
		call(&r->w, K_RACE_FREE, r->fd, MEMALLOC_IOC_FREE, &f, &f, sizeof(f), false);
	}
}

static void phase_race(uint64_t seed, double secs)
{
	struct race_arg alloc, walk, child;
	pthread_t th;
	pid_t pid;
	int status;

	if (!worker_init(&alloc.w, 50, seed) || !worker_init(&walk.w, 51, seed) ||
	    !worker_init(&child.w, 52, seed))
		tap_bail("mmap: %s", strerror(errno));
	alloc.fd = walk.fd = open(MEMALLOC_DEVICE, O_RDWR);
	if (alloc.fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(errno));
	alloc.deadline = walk.deadline = child.deadline = now() + secs;
	sh->race_addr = sh->race_low = 0;
	sh->race_stop = 0;
	child.low = true;
	walk.low = false;

	/* a walker in another process, on a file of its own */
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!pid) {
		child.w.child = true;
		child.fd = open(MEMALLOC_DEVICE, O_RDWR);
		if (child.fd >= 0)
			race_walker(&child);
		_exit(child.fd < 0 ? 2 : 0);
	}
	if (pthread_create(&th, NULL, race_walker, &walk))
		tap_bail("pthread_create failed");
	race_allocator(&alloc);
	__atomic_store_n(&sh->race_stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	if (waitpid(pid, &status, 0) == pid)
		note_child(status);
	close(alloc.fd);
	worker_fini(&alloc.w);
	worker_fini(&walk.w);
	worker_fini(&child.w);
}

/* ---- the checks after the last close ------------------------------------------ */

static void show_unexpected(int kind)
{
	uint64_t n = sh->nunexp[kind], i;

	for (i = 0; i < n && i < NR_UNEXP; i++) {
		const struct unexpected *u = &sh->unexp[kind][i];
		const struct memalloc_alloc *a = (const void *)u->arg;
		const struct memalloc_walk *k = (const void *)u->arg;
		const struct memalloc_free *f = (const void *)u->arg;
		const struct memalloc_bench *b = (const void *)u->arg;

		printf("#   worker %d: cmd %#lx arg %#llx: returned %ld, errno %d (%s)\n", u->worker,
		       u->cmd, (unsigned long long)u->argp, u->ret, u->err, strerror(u->err));
		if (!u->len)
			continue;
		switch (u->kind) {
		case K_ALLOC:
		case K_RACE_ALLOC:
			printf("#     kind %u flags %#x size %#llx node %u reserved %u handle %#llx "
			       "addr %#llx size_alloc %#llx latency_ns %#llx\n", a->kind, a->flags,
			       (unsigned long long)a->size, a->node, a->reserved,
			       (unsigned long long)a->handle, (unsigned long long)a->addr,
			       (unsigned long long)a->size_alloc, (unsigned long long)a->latency_ns);
			break;
		case K_WALK:
		case K_WALK_RAW:
		case K_RACE_WALK:
			printf("#     handle %#llx addr %#llx size %#llx entries %#llx nr_entries %u "
			       "nr_pages %u flags %#x reserved %u\n", (unsigned long long)k->handle,
			       (unsigned long long)k->addr, (unsigned long long)k->size,
			       (unsigned long long)k->entries, k->nr_entries, k->nr_pages, k->flags,
			       k->reserved);
			break;
		case K_FREE:
		case K_RACE_FREE:
			printf("#     handle %#llx latency_ns %#llx\n", (unsigned long long)f->handle,
			       (unsigned long long)f->latency_ns);
			break;
		case K_BENCH:
			printf("#     kind %u flags %#x size %#llx node %u iterations %u failures %u "
			       "reserved %u\n", b->kind, b->flags, (unsigned long long)b->size,
			       b->node, b->iterations, b->failures, b->reserved);
			break;
		}
	}
	if (n > NR_UNEXP)
		printf("#   ... and %llu more\n", (unsigned long long)(n - NR_UNEXP));
}

static void expected_set(int kind, char *s, size_t len)
{
	size_t used = 0;
	int r;

	s[0] = 0;
	for (r = 0; r < RES_OTHER; r++)
		if (expected[kind] & B(r))
			used += snprintf(s + used, len - used, "%s%s", used ? " " : "", res_name[r]);
}

/* vmalloc areas made by memalloc.ko's code, the demo's apart */
static int vmalloc_areas(bool with_demo, char *first, size_t len)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/vmallocinfo", "r");

	if (!f)
		tap_bail("open /proc/vmallocinfo: %s", strerror(errno));
	if (first)
		first[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[memalloc]") || (!with_demo && strstr(line, "demo")))
			continue;
		if (first && !n)
			snprintf(first, len, "%s", line);
		n++;
	}
	fclose(f);
	return n;
}

static bool held_now(uint32_t *count, uint64_t *bytes)
{
	struct memalloc_info i;
	int fd = open(MEMALLOC_DEVICE, O_RDWR), err;

	if (fd < 0)
		return false;
	err = device__ioctl(fd, MEMALLOC_IOC_INFO, &i);
	close(fd);
	*count = i.held_count;
	*bytes = i.held_bytes;
	return !err;
}

static void show_debugfs(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/sys/kernel/debug/memalloc/allocations", "r");

	while (f && fgets(line, sizeof(line), f) && n++ < 10)
		printf("#   debugfs: %s", line);
	if (f)
		fclose(f);
}

/* rmmod, then insmod with demo=0 and the memalloc.* parameters of the boot */
static int reload_module(void)
{
	char cmdline[2048], params[1024] = "", *tok, *save;
	size_t used = 0;
	int fd, err = 0;
	FILE *f;

	if (syscall(SYS_delete_module, "memalloc", O_NONBLOCK))
		return -errno;
	f = fopen("/proc/cmdline", "r");
	if (f && fgets(cmdline, sizeof(cmdline), f)) {
		for (tok = strtok_r(cmdline, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			if (!strncmp(tok, "memalloc.", 9) && strchr(tok, '=') &&
			    used + strlen(tok) + 2 < sizeof(params))
				used += snprintf(params + used, sizeof(params) - used, "%s ", tok + 9);
	}
	if (f)
		fclose(f);
	snprintf(params + used, sizeof(params) - used, "demo=0");
	printf("# insmod /lib/modules/memalloc.ko %s\n", params);
	fd = open("/lib/modules/memalloc.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

static double env_num(const char *name, double def)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (!v || !*v)
		return def;
	d = strtod(v, &end);
	if (*end || d < 0)
		tap_bail("%s=%s: not a number of seconds", name, v);
	return d;
}

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = atol(line + strlen(key) + 1);
	if (f)
		fclose(f);
	return v;
}

/* FUZZ_SEED, or one from the clock; printed first so a failure can be replayed */
static uint64_t fuzz_seed(void)
{
	const char *s = getenv("FUZZ_SEED");
	struct timespec ts;
	uint64_t seed;

	if (s && *s) {
		char *end;

		seed = strtoull(s, &end, 0);
		if (*end)
			tap_bail("FUZZ_SEED=%s: not a number", s);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	printf("# seed %llu: replay with FUZZ_SEED=%llu\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	return seed;
}

/* Shared counters, a PROT_NONE page, the layout (INFO) and the byte budget */
static void fuzz_setup(double secs, const char *phases)
{
	int fd, k, err;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	none_page = map_pages(1, PROT_NONE);
	if (sh == MAP_FAILED || !none_page)
		tap_bail("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));

	fd = device__open();
	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(-fd));
	err = device__info(fd, &info);
	close(fd);
	if (err)
		tap_bail("INFO: %s", strerror(-err));
	for (k = 0; k < (int)info.nr_zones && k < MEMALLOC_MAX_ZONES; k++)
		if (info.zones[k].end_pfn * PAGE > ram_bytes)
			ram_bytes = info.zones[k].end_pfn * PAGE;
	budget = (uint64_t)meminfo_kb("MemAvailable") * 1024 / 2;
	if (budget > info.limit_bytes || !budget)
		budget = info.limit_bytes;
	pools_init();
	printf("# %.0f s of fuzzing (%s); limits %llu bytes, %u allocations; held at start: "
	       "%u, %llu bytes; budget %llu MiB\n", secs, phases,
	       (unsigned long long)info.limit_bytes, info.limit_count, info.held_count,
	       (unsigned long long)info.held_bytes, (unsigned long long)(budget >> 20));
}

/* The phases named in @phases share @secs 3:4:3; the race takes what is left */
static void fuzz_run(uint64_t seed, double secs, const char *phases)
{
	bool mutate = strstr(phases, "mutate"), concurrent = strstr(phases, "concurrent");
	bool race = strstr(phases, "race");
	double weights = 3 * mutate + 4 * concurrent + 3 * race, t0 = now();

	if (mutate)
		phase_mutate(seed, secs * 3 / weights);
	if (concurrent)
		phase_concurrent(seed, secs * 4 / weights);
	if (race)
		phase_race(seed, secs - (now() - t0) > 1 ? secs - (now() - t0) : 1);
	printf("# fuzzing took %.1f s\n", now() - t0);
}

/* Every call returned 0 or a documented errno; no child or thread was lost */
static void check_calls(void)
{
	char set[128];
	int k;

	for (k = 0; k < K_NR; k++) {
		expected_set(k, set, sizeof(set));
		if (!tap_eq_u64(sh->nunexp[k], 0, "%s: all %llu calls returned one of %s", kind_name[k],
				(unsigned long long)sh->calls[k], set))
			show_unexpected(k);
	}
	for (k = 0; k < F_NR; k++)
		if (!tap_eq_u64(sh->facts[k], 0, "%s", fact_name[k]))
			printf("#   first: %s\n", sh->fact_first[k]);
	if (!tap_eq_u64(sh->child_signaled, 0, "no child process of %llu died by a signal",
			(unsigned long long)sh->children))
		printf("#   first: killed by signal %d (%s)\n",
		       WTERMSIG(sh->child_first_status & ~(1 << 30)),
		       strsignal(WTERMSIG(sh->child_first_status & ~(1 << 30))));
	tap_eq_u64(sh->child_failed, 0, "every child process finished its calls (exit 0)");
	tap_eq_u64(threads_lost, 0, "every thread of the concurrent phase finished its calls");
}

/* After the last close: nothing held, no vmalloc area, a clean reload */
static void check_after_close(void)
{
	char first[512];
	uint64_t bytes1;
	uint32_t count1;
	int n, err;

	if (!held_now(&count1, &bytes1))
		tap_bail("INFO after the fuzzing: %s", strerror(errno));
	if (!tap_eq_u64(count1, 0, "after the last close the module holds no allocation"))
		show_debugfs();
	tap_eq_u64(bytes1, 0, "after the last close the module holds no byte");
	n = vmalloc_areas(false, first, sizeof(first));
	if (!tap_eq_s64(n, 0, "after the last close /proc/vmallocinfo has no area of "
			"memalloc.ko's allocations (the demo's apart)"))
		printf("#   first: %s", first);

	err = reload_module();
	tap_err(err, 0, "rmmod memalloc, then insmod memalloc.ko demo=0");
	if (err)
		return;
	n = vmalloc_areas(true, first, sizeof(first));
	if (!tap_eq_s64(n, 0, "after the reload /proc/vmallocinfo has no area of memalloc.ko"))
		printf("#   first: %s", first);
	tap_ok(held_now(&count1, &bytes1) && count1 == 0 && bytes1 == 0,
	       "after the reload %s opens and INFO says nothing held", MEMALLOC_DEVICE);
}

/* What ran: calls and results per kind, operations, the seed again */
static void report_counts(uint64_t seed, double secs_taken)
{
	uint64_t total = 0;
	int k, r;

	for (k = 0; k < K_NR; k++) {
		char line[512];
		size_t used;

		total += sh->calls[k];
		used = snprintf(line, sizeof(line), "# %-14s %7llu calls", kind_name[k],
				(unsigned long long)sh->calls[k]);
		if (sh->badarg[k])
			used += snprintf(line + used, sizeof(line) - used, " (%llu bad arg pointers)",
					 (unsigned long long)sh->badarg[k]);
		for (r = 0; r < RES_NR && used < sizeof(line); r++)
			if (sh->res[k][r])
				used += snprintf(line + used, sizeof(line) - used, "%s %s x%llu",
						 r ? "," : ":", res_name[r],
						 (unsigned long long)sh->res[k][r]);
		printf("%s\n", line);
	}
	for (k = 0; k < O_NR; k++)
		printf("# %-14s %7llu %s\n", "", (unsigned long long)sh->ops[k], op_name[k]);
	printf("# %llu calls in %.1f s; seed %llu\n", (unsigned long long)total, secs_taken,
	       (unsigned long long)seed);
}

int main(void)
{
	const char *phases = getenv("FUZZ_PHASES"), *tr = getenv("FUZZ_TRACE");
	double secs = env_num("FUZZ_SECONDS", 20), t0;
	uint64_t seed = fuzz_seed();

	if (!phases || !*phases)
		phases = "mutate,concurrent,race";
	trace = tr && *tr && strcmp(tr, "0");
	if (access(MEMALLOC_DEVICE, F_OK)) {
		printf("# SKIP %s missing (memalloc.ko not loaded)\n", MEMALLOC_DEVICE);
		return TAP_SKIP;
	}
	fuzz_setup(secs, phases);
	t0 = now();
	fuzz_run(seed, secs, phases);
	check_calls();
	check_after_close();
	report_counts(seed, now() - t0);
	return tap_finish();
}
