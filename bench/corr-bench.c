// SPDX-License-Identifier: GPL-2.0
/*
 * corr-bench: the host-side cost of `memtrace run`'s correlation
 * (tool/run/correlate.c, from libmemtrace.a) on a generated trace.
 *
 *   corr-bench [--events N] [--allocs A[,A...]]
 *
 * For each A: N records (default 1000000) as the ring buffer would hand
 * them over: A kmalloc(64) allocations, each with its kmalloc event inside
 * its ALLOC window and its kfree after, among kmem_cache events of other
 * addresses; then what run__correlate() does: take every record in
 * (corr_log__add), match the A allocations (corr__match), look for each
 * one's free (corr__free_traced) and sum up.  Prints one line per A:
 *   corr events=N allocs=A ingest_s=S match_s=S free_s=S events_per_s=R verdict=V
 * events_per_s is N over the three phases together.  The verdict must be
 * "agree": a mismatch means the input is wrong, and the run fails (exit 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/correlate.h"

#define PAGE_OFFSET	0xffff888000000000ULL
#define MAX_RUNS	8

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Allocation @i: 64 bytes, its own slab slot, a window of 100 ns at t = 10 x record index */
static void alloc__make(struct corr_alloc *a, uint64_t i, uint64_t rec)
{
	uint64_t addr = PAGE_OFFSET + 0x100000 + i * 64;

	memset(a, 0, sizeof(*a));
	a->kind = MEMALLOC_KIND_KMALLOC;
	a->size = 64;
	a->size_alloc = 64;
	a->addr = addr;
	a->t_start = rec * 10;
	a->t_end = rec * 10 + 5;
	a->nr_pages = 1;
	a->pages = calloc(1, sizeof(*a->pages));
	if (!a->pages)
		return;
	a->pages[0].addr = addr & ~0xfffULL;
	a->pages[0].pfn = (addr - PAGE_OFFSET) >> 12;
	a->pages[0].helper_pfn = a->pages[0].pfn;
	a->pages[0].level = MEMALLOC_LEVEL_PTE;
}

/* Record @rec of the trace: the kmalloc or kfree of an allocation, or noise */
static void event__make(struct memtrace_event *e, uint64_t rec, uint64_t n, uint64_t allocs)
{
	uint64_t stride = n / (2 * allocs), i = rec / stride;

	memset(e, 0, sizeof(*e));
	e->ts_ns = rec * 10 + 1;
	e->node = MEMTRACE_NO_NODE;
	e->call_site = 0xffffffffc0001000ULL;
	if (rec % stride == 0 && i < 2 * allocs) {
		/* even slots allocate allocation i/2, odd ones free it */
		e->type = i % 2 ? MEMTRACE_EV_KFREE : MEMTRACE_EV_KMALLOC;
		e->addr = PAGE_OFFSET + 0x100000 + (i / 2) * 64;
		e->bytes_req = e->bytes_alloc = 64;
	} else {
		e->type = rec % 2 ? MEMTRACE_EV_KMEM_CACHE_FREE : MEMTRACE_EV_KMEM_CACHE_ALLOC;
		e->addr = PAGE_OFFSET + 0x40000000 + (rec / 2 % 4096) * 256;
		e->bytes_req = e->bytes_alloc = 256;
	}
	e->pfn = (e->addr - PAGE_OFFSET) >> 12;
	e->flags = MEMTRACE_F_PFN;
}

static int bench_one(uint64_t n, uint64_t allocs)
{
	const struct corr_layout layout = { PAGE_OFFSET, 0xffffc90000000000ULL,
					    0xffffe8ffffffffffULL };
	uint64_t stride = n / (2 * allocs), i;
	struct corr_log log = {};
	struct corr_summary sum = {};
	struct corr_alloc *a = calloc(allocs, sizeof(*a));
	struct memtrace_event e;
	double t0, t1, t2, t3;
	int err = -ENOMEM;

	if (!a)
		goto cleanup;
	for (i = 0; i < allocs; i++) {
		alloc__make(&a[i], i, 2 * i * stride);
		if (!a[i].pages)
			goto cleanup;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		event__make(&e, i, n, allocs);
		if (corr_log__add(&log, &e, sizeof(e)))
			goto cleanup;
	}
	t1 = now_s();
	if (corr__match(&log, a, allocs, &layout))
		goto cleanup;
	t2 = now_s();
	sum.frees = allocs;
	for (i = 0; i < allocs; i++)
		sum.frees_traced += corr__free_traced(&log, &a[i], &layout, a[i].t_end, UINT64_MAX);
	corr__summarize(a, allocs, NULL, &sum);
	t3 = now_s();
	printf("corr events=%llu allocs=%llu ingest_s=%.3f match_s=%.3f free_s=%.3f "
	       "events_per_s=%.0f verdict=%s frees_traced=%llu\n",
	       (unsigned long long)n, (unsigned long long)allocs, t1 - t0, t2 - t1, t3 - t2,
	       n / (t3 - t0), corr__verdict_name(sum.verdict),
	       (unsigned long long)sum.frees_traced);
	err = sum.verdict == CORR_AGREE && sum.frees_traced == allocs ? 0 : -EINVAL;
	if (err)
		fprintf(stderr, "corr-bench: the generated trace does not agree: a bug in it\n");
cleanup:
	if (err == -ENOMEM)
		fprintf(stderr, "corr-bench: out of memory\n");
	for (i = 0; a && i < allocs; i++)
		corr_alloc__free(&a[i]);
	free(a);
	corr_log__free(&log);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, allocs[MAX_RUNS] = { 100, 1000, 10000 };
	int nr = 3, i;
	char *s, *end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < argc) {
			n = strtoull(argv[++i], &end, 10);
			if (*end || n < 2)
				goto usage;
		} else if (!strcmp(argv[i], "--allocs") && i + 1 < argc) {
			for (nr = 0, s = strtok(argv[++i], ","); s && nr < MAX_RUNS;
			     s = strtok(NULL, ","))
				if ((allocs[nr++] = strtoull(s, &end, 10)) < 1 || *end)
					goto usage;
		} else {
			goto usage;
		}
	}
	for (i = 0; i < nr; i++) {
		if (allocs[i] * 2 > n)
			goto usage;
		if (bench_one(n, allocs[i]))
			return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: corr-bench [--events N] [--allocs A[,A...]]  (2 x A <= N)\n");
	return 64;
}
