// SPDX-License-Identifier: GPL-2.0
/*
 * report-bench: the host-side cost of `memtrace report` on a generated
 * recording, written with memtrace record's own writer (tool/record/
 * record.c, from libmemtrace.a): slab and page events in packed runs of
 * struct memtrace_rec, vmalloc's records each a frame of its own, as
 * record writes them.
 *
 *   report-bench --memtrace PATH [--events N] [--runs R] [--file F] [--keep]
 *
 * Writes F (default /tmp/report-bench.PID.mtr) of N records (default
 * 1000000), a fixed pseudo-random mix (the same file every time):
 *   - kmalloc and kfree (50% of the steps) from 2000 call sites (a fixed
 *     return address in each of 2000 functions), 13 size classes, slab addresses reused LIFO per size as a
 *     slab does, the object's PFN from its direct-map address;
 *   - kmem_cache_alloc and kmem_cache_free (15%), the same way;
 *   - page allocations and frees (30%), order 0 (9 in 10) to 3, each
 *     allocation with one of 1000 kernel stacks of 12 frames (BPF and
 *     tracing frames, the page allocator's, then one of 300 callers);
 *   - vmalloc (5%): 1 to 64 pages (1 in 8: 513 to 1024, two chunks), the
 *     MEMTRACE_EV_VMALLOC_PAGES chunks before the vmalloc event, and vfree;
 * each step an allocation or a free of a live one (half and half, an
 * allocation when none is live), the stacks and the symbols of every call
 * site and frame in the trailer, as record writes them.
 *
 * Then runs `memtrace report F` and `memtrace -j report F` R times each
 * (default 5; output to /dev/null; each must exit 0), timing each run's
 * wall time and taking its peak RSS from wait4(), and prints one line per
 * mode:
 *   report mode=table|json records=N allocs=A runs=R s=MEDIAN s_min=S
 *          s_max=S events_per_s=N/MEDIAN maxrss_kb=K (the largest of the runs)
 * and checks once that the JSON's "records" is N.  Exit 0, 1 on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"

#define PAGE_OFFSET	0xffff888000000000ULL
#define VMALLOC_START	0xffffc90000000000ULL
#define TEXT		0xffffffff81000000ULL
#define FUNC_SIZE	0x400ULL
#define NR_SITES	2000	/* kmalloc and kmem_cache callers */
#define NR_PAGE_CALLERS	300
#define NR_VM_CALLERS	200
#define NR_FILLERS	500	/* frames above the caller */
#define NR_STACKS	1000
#define STACK_DEPTH	12
#define NR_CLASSES	13
#define MAX_RUNS	15

static const __u64 classes[NR_CLASSES] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024,
					   2048, 4096, 8192 };
/* the frames below the caller, innermost first, as a stack taken in BPF shows them */
static const char *const internals[] = { "bpf_trace_run2", "__traceiter_mm_page_alloc",
					 "post_alloc_hook", "get_page_from_freelist",
					 "__alloc_pages_noprof", "alloc_pages_mpol_noprof" };
#define NR_INTERNAL	(sizeof(internals) / sizeof(internals[0]))

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The functions, one every FUNC_SIZE bytes of text: sites, page callers, vm callers, fillers, internals */
static __u64 func_addr(size_t i)
{
	return TEXT + i * FUNC_SIZE;
}

#define F_SITE(i)	func_addr(i)
#define F_PAGE(i)	func_addr(NR_SITES + (i))
#define F_VM(i)		func_addr(NR_SITES + NR_PAGE_CALLERS + (i))
#define F_FILL(i)	func_addr(NR_SITES + NR_PAGE_CALLERS + NR_VM_CALLERS + (i))
#define F_INT(i)	func_addr(NR_SITES + NR_PAGE_CALLERS + NR_VM_CALLERS + NR_FILLERS + (i))
/* call site @i: a return address inside function @i, the same at every call */
static __u64 SITE(__u64 i)
{
	return F_SITE(i) + 0x10 + i * 37 % 0x300;
}
#define NR_FUNCS	(NR_SITES + NR_PAGE_CALLERS + NR_VM_CALLERS + NR_FILLERS + NR_INTERNAL)

/* A pool of live objects (an address or a PFN each, with what it needs to be freed) */
struct obj {
	__u64 key;
	__u32 cls;
};

struct pool {
	struct obj *v;
	size_t nr, cap;
};

static int pool__push(struct pool *p, struct obj o)
{
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct obj *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->nr++] = o;
	return 0;
}

/* Take out a random entry (@random) or the last one */
static struct obj pool__take(struct pool *p, int random)
{
	size_t i = random ? rnd() % p->nr : p->nr - 1;
	struct obj o = p->v[i];

	p->v[i] = p->v[--p->nr];
	return o;
}

/* slab and page records go in runs of this many at most, as record's rings hand them over */
#define GEN_RUN		1024

struct gen {
	FILE *f;
	struct record_pack pack;
	struct memtrace_rec run[GEN_RUN];
	size_t nr_run;
	__u64 ts;
	__u64 records;
	__u64 allocs;
	struct pool slab_live, slab_free[NR_CLASSES], page_live, page_free[4], vm_live;
	__u64 slab_next, page_next, vm_next, vm_pfn;
};

static int gen__flush(struct gen *g)
{
	int err = record__write_run(g->f, &g->pack, g->run, g->nr_run);

	g->nr_run = 0;
	return err;
}

/* A record of the ring buffer (vmalloc's), after the run before it */
static int gen__emit(struct gen *g, const void *data, __u32 len)
{
	g->records++;
	return gen__flush(g) ?: record__write(g->f, data, len);
}

/* A slab or page event: into the run, as the struct memtrace_rec record writes */
static int gen__emit_rec(struct gen *g, const struct memtrace_event *e)
{
	g->run[g->nr_run++] = (struct memtrace_rec){
		.ts_ns = e->ts_ns, .type = (__u8)e->type, .flags = (__u8)e->flags,
		.order = (__u8)e->order, .tgid = e->tgid, .call_site = e->call_site,
		.addr = e->addr, .pfn = e->pfn, .bytes_req = e->bytes_req,
		.bytes_alloc = (__u32)e->bytes_alloc, .gfp = e->gfp, .cpu = (__u16)e->cpu,
		.node = e->node == MEMTRACE_NO_NODE ? MEMTRACE_REC_NO_NODE : (__u16)e->node,
		.stack_id = e->stack_id,
	};
	g->records++;
	return g->nr_run == GEN_RUN ? gen__flush(g) : 0;
}

static void gen__event(struct gen *g, struct memtrace_event *e, __u32 type)
{
	memset(e, 0, sizeof(*e));
	g->ts += 200 + rnd() % 800;
	e->ts_ns = g->ts;
	e->type = type;
	e->tgid = 100 + rnd() % 40;
	e->cpu = rnd() % 2;
	e->stack_id = MEMTRACE_NO_STACK;
	e->gfp = 0xcc0;
}

/* kmalloc/kfree (@cache false) or kmem_cache_alloc/free */
static int gen__slab(struct gen *g, int cache)
{
	struct memtrace_event e;
	struct obj o;

	if (!g->slab_live.nr || rnd() % 2) {
		o.cls = rnd() % NR_CLASSES;
		if (g->slab_free[o.cls].nr) {
			o.key = pool__take(&g->slab_free[o.cls], 0).key;
		} else {
			g->slab_next = (g->slab_next + classes[o.cls] - 1) / classes[o.cls] *
				       classes[o.cls];
			o.key = PAGE_OFFSET + 0x8000000 + g->slab_next;
			g->slab_next += classes[o.cls];
		}
		gen__event(g, &e, cache ? MEMTRACE_EV_KMEM_CACHE_ALLOC : MEMTRACE_EV_KMALLOC);
		e.call_site = SITE(rnd() % NR_SITES);
		e.addr = o.key;
		e.bytes_alloc = classes[o.cls];
		e.bytes_req = classes[o.cls] - rnd() % (classes[o.cls] / 4 + 1);
		e.pfn = (o.key - PAGE_OFFSET) >> 12;
		e.flags = MEMTRACE_F_PFN;
		g->allocs++;
		return pool__push(&g->slab_live, o) ?: gen__emit_rec(g, &e);
	}
	o = pool__take(&g->slab_live, 1);
	gen__event(g, &e, cache ? MEMTRACE_EV_KMEM_CACHE_FREE : MEMTRACE_EV_KFREE);
	e.call_site = SITE(rnd() % NR_SITES) + 0x100;	/* kfree's caller: not a row */
	e.addr = o.key;
	return pool__push(&g->slab_free[o.cls], o) ?: gen__emit_rec(g, &e);
}

static int gen__page(struct gen *g)
{
	struct memtrace_event e;
	struct obj o;

	if (!g->page_live.nr || rnd() % 2) {
		o.cls = rnd() % 10 ? 0 : 1 + rnd() % 3;
		if (g->page_free[o.cls].nr) {
			o.key = pool__take(&g->page_free[o.cls], 0).key;
		} else {
			g->page_next = (g->page_next + (1U << o.cls) - 1) & ~((1ULL << o.cls) - 1);
			o.key = 0x20000 + g->page_next;
			g->page_next += 1U << o.cls;
		}
		gen__event(g, &e, MEMTRACE_EV_PAGE_ALLOC);
		e.pfn = o.key;
		e.order = o.cls;
		e.addr = PAGE_OFFSET + (o.key << 12);
		e.bytes_req = e.bytes_alloc = 4096ULL << o.cls;
		e.flags = MEMTRACE_F_PFN;
		e.stack_id = rnd() % NR_STACKS;
		g->allocs++;
		return pool__push(&g->page_live, o) ?: gen__emit_rec(g, &e);
	}
	o = pool__take(&g->page_live, 1);
	gen__event(g, &e, MEMTRACE_EV_PAGE_FREE);
	e.pfn = o.key;
	e.order = o.cls;
	e.flags = MEMTRACE_F_PFN;
	return pool__push(&g->page_free[o.cls], o) ?: gen__emit_rec(g, &e);
}

/* A vmalloc and its page chunks (@room records left), or a vfree */
static int gen__vmalloc(struct gen *g, __u64 room)
{
	static struct memtrace_pages p;
	struct memtrace_event e;
	__u32 n = rnd() % 8 ? 1 + rnd() % 64 : 513 + rnd() % 512, i, k;
	__u32 chunks = (n + MEMTRACE_PFNS_PER_CHUNK - 1) / MEMTRACE_PFNS_PER_CHUNK;
	struct obj o;
	int err;

	if (g->vm_live.nr && (rnd() % 2 || room < chunks + 1)) {
		o = pool__take(&g->vm_live, 1);
		gen__event(g, &e, MEMTRACE_EV_VFREE);
		e.addr = o.key;
		return gen__emit(g, &e, sizeof(e));
	}
	if (room < chunks + 1)
		return gen__slab(g, 0);
	o.key = VMALLOC_START + g->vm_next;
	o.cls = 0;
	g->vm_next += ((__u64)n + 1) << 12;	/* and a guard page */
	for (i = 0; i < n; i += k) {
		k = n - i < MEMTRACE_PFNS_PER_CHUNK ? n - i : MEMTRACE_PFNS_PER_CHUNK;
		memset(&p, 0, sizeof(p));
		g->ts += 100;
		p.ts_ns = g->ts;
		p.type = MEMTRACE_EV_VMALLOC_PAGES;
		p.tgid = 100;
		p.addr = o.key;
		p.first_index = i;
		p.count = k;
		for (__u32 j = 0; j < k; j++)
			p.pfns[j] = 0x30000 + (g->vm_pfn++ * 7919) % 0x8000;
		err = gen__emit(g, &p, sizeof(p));
		if (err)
			return err;
	}
	gen__event(g, &e, MEMTRACE_EV_VMALLOC);
	e.call_site = F_VM(rnd() % NR_VM_CALLERS) + 0x20;
	e.addr = o.key;
	e.nr_pages = n;
	e.bytes_alloc = (__u64)n << 12;
	e.bytes_req = e.bytes_alloc - rnd() % 4096;
	g->allocs++;
	return pool__push(&g->vm_live, o) ?: gen__emit(g, &e, sizeof(e));
}

/* The header, the trailer's stacks and symbols */
static int gen__header(struct record_header *h)
{
	FILE *s;
	size_t i;
	int k;

	memset(h, 0, sizeof(*h));
	snprintf(h->kernel, sizeof(h->kernel), "6.12.117+deb12-cloud-amd64");
	h->zones[0] = (struct memalloc_zone){ .node = 0, .zone = 0, .start_pfn = 1,
					      .end_pfn = 0x1000, .present_pages = 3998,
					      .managed_pages = 3840 };
	snprintf(h->zones[0].name, sizeof(h->zones[0].name), "DMA");
	h->zones[1] = (struct memalloc_zone){ .node = 0, .zone = 1, .start_pfn = 0x1000,
					      .end_pfn = 0x3ffe0, .present_pages = 258016,
					      .managed_pages = 243933 };
	snprintf(h->zones[1].name, sizeof(h->zones[1].name), "DMA32");
	h->nr_zones = 2;
	h->ram[0] = (struct record_range){ 0x1000, 0x9fbff };
	h->ram[1] = (struct record_range){ 0x100000, 0x3ffdffff };
	h->nr_ram = 2;
	h->duration_ns = 10000000000ULL;
	h->stacks = calloc(NR_STACKS, sizeof(*h->stacks));
	if (!h->stacks)
		return -ENOMEM;
	h->nr_stacks = h->cap_stacks = NR_STACKS;
	for (i = 0; i < NR_STACKS; i++) {
		struct record_stack *st = &h->stacks[i];

		st->id = i;
		st->ips[st->nr++] = 0xffffffffc0001000ULL + rnd() % 0x1000;	/* a BPF program */
		for (k = 0; k < (int)NR_INTERNAL; k++)
			st->ips[st->nr++] = F_INT(k) + 0x30;
		st->ips[st->nr++] = F_PAGE(i % NR_PAGE_CALLERS) + 0x40 + rnd() % 0x100;
		while (st->nr < STACK_DEPTH)
			st->ips[st->nr++] = F_FILL(rnd() % NR_FILLERS) + 0x50;
	}
	s = open_memstream(&h->syms, &h->syms_len);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < NR_FUNCS; i++) {
		__u64 a = func_addr(i);

		if (i < NR_SITES)
			fprintf(s, "%llx t site_%zu\n", (unsigned long long)a, i);
		else if (i < NR_SITES + NR_PAGE_CALLERS)
			fprintf(s, "%llx t page_caller_%zu\n", (unsigned long long)a, i - NR_SITES);
		else if (i < NR_SITES + NR_PAGE_CALLERS + NR_VM_CALLERS)
			fprintf(s, "%llx t vm_caller_%zu [vmmod]\n", (unsigned long long)a,
				i - NR_SITES - NR_PAGE_CALLERS);
		else if (i < NR_SITES + NR_PAGE_CALLERS + NR_VM_CALLERS + NR_FILLERS)
			fprintf(s, "%llx t filler_%zu\n", (unsigned long long)a, i);
		else
			fprintf(s, "%llx t %s\n", (unsigned long long)a,
				internals[i - NR_SITES - NR_PAGE_CALLERS - NR_VM_CALLERS - NR_FILLERS]);
	}
	return fclose(s) ? -EIO : 0;
}

static int gen__file(const char *path, __u64 n, __u64 *allocs)
{
	struct record_header h;
	struct gen g = {};
	size_t i;
	int err;

	g.f = fopen(path, "w");
	if (!g.f) {
		fprintf(stderr, "report-bench: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	err = gen__header(&h) ?: record__write_header(g.f, &h);
	while (!err && g.records < n) {
		__u64 d = rnd() % 100;

		if (d < 50)
			err = gen__slab(&g, 0);
		else if (d < 65)
			err = gen__slab(&g, 1);
		else if (d < 95)
			err = gen__page(&g);
		else
			err = gen__vmalloc(&g, n - g.records);
	}
	err = err ?: gen__flush(&g) ?: record__write_trailer(g.f, &h);
	if (fclose(g.f) && !err)
		err = -EIO;
	record__header_free(&h);
	free(g.slab_live.v);
	free(g.page_live.v);
	free(g.vm_live.v);
	for (i = 0; i < NR_CLASSES; i++)
		free(g.slab_free[i].v);
	for (i = 0; i < 4; i++)
		free(g.page_free[i].v);
	*allocs = g.allocs;
	if (err)
		fprintf(stderr, "report-bench: writing %s: %s\n", path, strerror(-err));
	return err;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One run of memtrace [-j] report FILE, its output to @out; 0, or -1 */
static int run_once(const char *mt, const char *file, int json, const char *out, double *s,
		    long *rss_kb)
{
	struct rusage ru;
	double t0 = now_s();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		if (json)
			execl(mt, mt, "-j", "report", file, (char *)NULL);
		else
			execl(mt, mt, "report", file, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*s = now_s() - t0;
	*rss_kb = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "report-bench: %s %sreport %s failed (status %d)\n", mt,
			json ? "-j " : "", file, status);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The JSON's "records" must be @n */
static int check_json(const char *path, __u64 n)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t len;
	char *p;

	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	p = strstr(buf, "\"records\":");
	if (!p || strtoull(p + 10, NULL, 10) != n) {
		fprintf(stderr, "report-bench: the report's JSON does not say \"records\":%llu\n",
			(unsigned long long)n);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memtrace", required_argument, NULL, 'm' },
		{ "events", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "keep", no_argument, NULL, 'k' },
		{},
	};
	const char *mt = NULL, *file = NULL;
	char deffile[64], out[80];
	__u64 n = 1000000, allocs = 0;
	int runs = 5, keep = 0, c, mode, err = 0;

	while ((c = getopt_long(argc, argv, "m:n:r:f:k", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mt = optarg;
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		default:
			goto usage;
		}
	}
	if (!mt || optind != argc || n < 100 || runs < 1 || runs > MAX_RUNS)
		goto usage;
	if (!file) {
		snprintf(deffile, sizeof(deffile), "/tmp/report-bench.%d.mtr", (int)getpid());
		file = deffile;
	}
	snprintf(out, sizeof(out), "/tmp/report-bench.%d.out", (int)getpid());
	if (gen__file(file, n, &allocs))
		return 1;
	for (mode = 0; mode < 2 && !err; mode++) {
		double s[MAX_RUNS];
		long rss, maxrss = 0;
		int i;

		for (i = 0; i < runs && !err; i++) {
			err = run_once(mt, file, mode, out, &s[i], &rss);
			if (rss > maxrss)
				maxrss = rss;
		}
		if (!err && mode)
			err = check_json(out, n);
		if (err)
			break;
		qsort(s, runs, sizeof(s[0]), cmp_double);
		printf("report mode=%s records=%llu allocs=%llu runs=%d s=%.3f s_min=%.3f "
		       "s_max=%.3f events_per_s=%.0f maxrss_kb=%ld\n", mode ? "json" : "table",
		       (unsigned long long)n, (unsigned long long)allocs, runs, s[runs / 2], s[0],
		       s[runs - 1], n / s[runs / 2], maxrss);
		fflush(stdout);
	}
	unlink(out);
	if (!keep)
		unlink(file);
	return err ? 1 : 0;
usage:
	fprintf(stderr, "usage: report-bench --memtrace PATH [--events N] [--runs R] [--file F] "
			"[--keep]\n");
	return 64;
}
