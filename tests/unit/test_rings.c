// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/rings: memtrace record's per-CPU rings as the reader
 * sees them, over made-up memory: the records of two CPUs and two nesting
 * levels merged by time stamp, a CPU with a record in flight holding back
 * what it may still precede, a ring that wraps, a receiver that stops the
 * drain, and the sizes chosen for a budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rings.h"
#include "tap.h"

#define SLOTS	32	/* level 0's; levels 1 and 2 have 4 */
#define NESTED	(SLOTS >> MEMTRACE_RING_NESTED_SHIFT)
#define NCPUS	2

struct seen {
	__u64 ts[64];
	int n;
	int runs;
	int stop_after;	/* runs; 0: never */
};

static int take(void *ctx, const struct memtrace_rec *ev, size_t n)
{
	struct seen *s = ctx;
	size_t i;

	for (i = 0; i < n && s->n < 64; i++)
		s->ts[s->n++] = ev[i].ts_ns;
	s->runs++;
	return s->stop_after && s->runs >= s->stop_after ? -EINTR : 0;
}

struct fake {
	struct memtrace_rec ev[NCPUS * (SLOTS + 2 * NESTED)];
	struct memtrace_ring_ctl ctl[NCPUS];
	struct rings r;
};

/*
 * Publish a record stamped @ts in CPU @cpu's ring of @level, where BPF's
 * ring__reserve() puts it: at the place the reader wrote into the ring's
 * control block
 */
static void put(struct fake *f, int cpu, int level, __u64 ts)
{
	const struct memtrace_ring_ctl *c = &f->ctl[cpu];
	__u64 h = c->head[level];

	f->ev[c->base[level] + (h & (c->slots[level] - 1))] =
		(struct memtrace_rec){ .ts_ns = ts, .type = 1 };
	f->ctl[cpu].head[level] = h + 1;
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f || rings__init(&f->r, f->ev, f->ctl, NCPUS, SLOTS))
		tap_bail("no memory");
	return f;
}

static void fake_free(struct fake *f)
{
	rings__free(&f->r);
	free(f);
}

static bool sorted(const struct seen *s)
{
	int i;

	for (i = 1; i < s->n; i++)
		if (s->ts[i] < s->ts[i - 1])
			return false;
	return true;
}

/* The rings' places as rings__init() writes them for BPF: CPU after CPU, level 0 then 1 then 2 */
static void test_layout(void)
{
	struct fake *f = fake_new();

	tap_eq_u64(f->ctl[0].base[0], 0, "layout: CPU 0's level 0 first");
	tap_eq_u64(f->ctl[0].base[1], SLOTS, "layout: CPU 0's level 1 after its level 0");
	tap_eq_u64(f->ctl[0].base[2], SLOTS + NESTED, "layout: CPU 0's level 2 after its level 1");
	tap_eq_u64(f->ctl[1].base[0], SLOTS + 2 * NESTED, "layout: CPU 1's rings after CPU 0's");
	tap_eq_u64(f->ctl[1].slots[0], SLOTS, "layout: level 0 has ring_slots records");
	tap_eq_u64(f->ctl[1].slots[2], NESTED, "layout: level 2 has an eighth of them");
	tap_ok(f->ctl[NCPUS - 1].base[2] + f->ctl[NCPUS - 1].slots[2] == NCPUS * (SLOTS + 2 * NESTED),
	       "layout: the last CPU's level 2 ends at ring_events' end");
	fake_free(f);
}

static void test_merge(void)
{
	struct fake *f = fake_new();
	struct seen s = {};
	long n;

	put(f, 0, 0, 10);
	put(f, 0, 0, 30);
	put(f, 0, 0, 50);
	put(f, 1, 0, 20);
	put(f, 1, 0, 40);
	put(f, 0, 1, 35);	/* an interrupt's, inside CPU 0's record at 30 */
	n = rings__drain(&f->r, 100, false, take, &s);
	tap_eq_s64(n, 6, "merge: every record stamped before now handed over");
	tap_ok(sorted(&s), "merge: in time order across CPUs and levels (%llu %llu %llu %llu %llu %llu)",
	       (unsigned long long)s.ts[0], (unsigned long long)s.ts[1],
	       (unsigned long long)s.ts[2], (unsigned long long)s.ts[3],
	       (unsigned long long)s.ts[4], (unsigned long long)s.ts[5]);
	tap_eq_u64(f->ctl[0].tail[0], 3, "merge: CPU 0's level-0 ring read to its head");
	tap_eq_u64(f->ctl[0].tail[1], 1, "merge: CPU 0's level-1 ring read to its head");
	tap_eq_u64(f->ctl[1].tail[0], 2, "merge: CPU 1's ring read to its head");
	n = rings__drain(&f->r, 200, false, take, &s);
	tap_eq_s64(n, 0, "merge: nothing handed over twice");
	fake_free(f);
}

static void test_in_flight(void)
{
	struct fake *f = fake_new();
	struct seen s = {};
	long n;

	put(f, 0, 0, 10);
	put(f, 1, 0, 20);
	put(f, 0, 0, 30);
	n = rings__drain(&f->r, 25, false, take, &s);
	tap_eq_s64(n, 2, "bound: records stamped after now wait (10 and 20 of 10 20 30)");
	/* CPU 1 is inside a program: what it writes may be stamped from 25 on */
	f->ctl[1].depth = 1;
	put(f, 0, 0, 60);
	n = rings__drain(&f->r, 100, false, take, &s);
	tap_eq_s64(n, 0, "bound: a CPU with a record in flight holds back the others' after its bound");
	put(f, 1, 0, 27);	/* CPU 1's record, stamped at 27, published */
	f->ctl[1].depth = 0;
	n = rings__drain(&f->r, 100, false, take, &s);
	tap_eq_s64(n, 3, "bound: once it is out, every record before now");
	tap_ok(s.n == 5 && sorted(&s), "bound: 27 came before 30 and 60 (%d records, in order)", s.n);
	f->ctl[0].depth = 1;
	put(f, 1, 0, 500);
	n = rings__drain(&f->r, 100, true, take, &s);
	tap_eq_s64(n, 1, "bound: at the end, every record published whatever the bound");
	fake_free(f);
}

static void test_runs(void)
{
	struct fake *f = fake_new();
	struct seen s = {};
	long n;
	int i;

	for (i = 1; i <= 8; i++)
		put(f, 0, 0, 10 * i);
	put(f, 1, 0, 45);
	n = rings__drain(&f->r, 1000, false, take, &s);
	tap_eq_s64(n, 9, "runs: every record handed over");
	tap_eq_s64(s.runs, 3, "runs: 10..40, then 45 of the other CPU, then 50..80");
	tap_ok(s.n == 9 && s.ts[3] == 40 && s.ts[4] == 45 && s.ts[5] == 50,
	       "runs: the run stops at the other ring's first stamp (%llu %llu %llu)",
	       (unsigned long long)s.ts[3], (unsigned long long)s.ts[4],
	       (unsigned long long)s.ts[5]);
	fake_free(f);

	f = fake_new();
	s = (struct seen){};
	put(f, 0, 0, 10);
	put(f, 0, 0, 20);
	put(f, 0, 0, 30);
	put(f, 1, 0, 20);
	n = rings__drain(&f->r, 1000, false, take, &s);
	tap_eq_s64(n, 4, "runs: a tie handed over whole");
	tap_eq_s64(s.runs, 3, "runs: a record stamped as the other ring's first goes in the run (10 20, 20, 30)");
	fake_free(f);
}

static void test_wrap(void)
{
	struct fake *f = fake_new();
	struct seen s = {};
	long n;
	int i;

	f->ctl[0].head[0] = f->ctl[0].tail[0] = SLOTS - 2;
	for (i = 0; i < 4; i++)
		put(f, 0, 0, 100 + i);
	n = rings__drain(&f->r, 1000, false, take, &s);
	tap_eq_s64(n, 4, "wrap: the records on both sides of the ring's end");
	tap_eq_s64(s.runs, 2, "wrap: two runs, each contiguous in memory");
	tap_ok(sorted(&s) && s.ts[0] == 100 && s.ts[3] == 103, "wrap: in order (%llu..%llu)",
	       (unsigned long long)s.ts[0], (unsigned long long)s.ts[3]);
	fake_free(f);
}

static void test_stop(void)
{
	struct fake *f = fake_new();
	struct seen s = { .stop_after = 1 };
	long n;

	put(f, 0, 0, 10);
	put(f, 1, 0, 20);
	n = rings__drain(&f->r, 100, false, take, &s);
	tap_eq_s64(n, -EINTR, "stop: the receiver's error is returned");
	tap_eq_u64(f->ctl[0].tail[0], 1, "stop: the run handed over is freed");
	tap_eq_u64(f->ctl[1].tail[0], 0, "stop: the rest stays for the next drain");
	fake_free(f);
}

static void test_behind_and_sizes(void)
{
	struct fake *f = fake_new();
	int i;

	for (i = 0; i < SLOTS / 4 - 1; i++)
		put(f, 1, 0, i);
	tap_ok(!rings__behind(&f->r), "behind: 7 of 32 waiting is not a quarter");
	put(f, 1, 0, 99);
	tap_ok(rings__behind(&f->r), "behind: 8 of 32 waiting is");
	fake_free(f);

	tap_eq_u64(rings__slots_for(8 << 20, 1), 65536, "sizes: 8 MiB on one CPU");
	tap_eq_u64(rings__slots_for(64 << 10, 1), 512, "sizes: 64 KiB on one CPU");
	tap_le_u64(rings__cpu_slots(rings__slots_for(8 << 20, 4)) * 4 * sizeof(struct memtrace_rec),
		   8 << 20, "sizes: 4 CPUs' rings within 8 MiB");
	tap_eq_u64(rings__slots_for(1000, 64), RINGS_MIN_SLOTS, "sizes: at least 32 records");
	tap_le_u64(1024 * rings__cpu_slots(rings__slots_for(1ULL << 40, 1024)), UINT32_MAX,
		   "sizes: every index of 1 TiB over 1024 CPUs in 32 bits");
}

int main(void)
{
	test_layout();
	test_merge();
	test_in_flight();
	test_runs();
	test_wrap();
	test_stop();
	test_behind_and_sizes();
	return tap_finish();
}
