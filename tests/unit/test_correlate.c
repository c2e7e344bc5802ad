// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the correlation of traced events with page-table walks
 * (tool/correlate.c), of the report and its JSON (tool/report.c,
 * tool/json.c) and of the option parsers (tool/parse.c).  The inputs are
 * made up: records as the BPF programs emit them, walks as the module
 * returns them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run/correlate.h"
#include "lib/json.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "run/report.h"
#include "tap.h"

#define PO	0xffff888000000000ULL	/* page_offset */
#define VS	0xffffc90000000000ULL	/* vmalloc_start */
#define VE	0xffffe8ffffffffffULL

static const struct corr_layout layout = { PO, VS, VE };

static struct memtrace_event ev(uint32_t type, uint64_t ts, uint64_t addr, uint64_t pfn)
{
	struct memtrace_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = ts;
	e.addr = addr;
	e.pfn = pfn;
	e.flags = pfn == PFN_NONE ? 0 : MEMTRACE_F_PFN;
	return e;
}

static void add(struct corr_log *log, struct memtrace_event e)
{
	corr_log__add(log, &e, sizeof(e));
}

static void add_pages(struct corr_log *log, uint64_t ts, uint64_t addr, uint32_t first,
		      const uint64_t *pfns, uint32_t n)
{
	struct memtrace_pages *p = calloc(1, sizeof(*p));

	p->ts_ns = ts;
	p->type = MEMTRACE_EV_VMALLOC_PAGES;
	p->addr = addr;
	p->first_index = first;
	p->count = n;
	memcpy(p->pfns, pfns, n * sizeof(*pfns));
	corr_log__add(log, p, sizeof(*p));
	free(p);
}

/* An allocation of @n pages at @addr, walked to @pfns at @level. */
static struct corr_alloc alloc(uint32_t kind, uint64_t size, uint64_t addr, uint64_t t0,
			       uint64_t t1, const uint64_t *pfns, uint32_t n, uint32_t level)
{
	struct corr_alloc a;
	uint32_t i;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.size = size;
	a.size_alloc = size;
	a.addr = addr;
	a.t_start = t0;
	a.t_end = t1;
	a.nr_pages = n;
	a.pages = calloc(n, sizeof(*a.pages));
	for (i = 0; i < n; i++) {
		a.pages[i].addr = (addr & ~4095ULL) + i * 4096ULL;
		a.pages[i].pfn = pfns[i];
		a.pages[i].helper_pfn = pfns[i];
		a.pages[i].level = level;
		a.pages[i].flags = MEMALLOC_PTE_PRESENT | MEMALLOC_PTE_RW | MEMALLOC_PTE_NX;
	}
	return a;
}

/* Set-up: match; it fails only when memory runs out, which is no result of the test. */
static void match(struct corr_log *log, struct corr_alloc *a, size_t n)
{
	int err = corr__match(log, a, n, &layout);

	if (err)
		tap_bail("corr__match: %s", strerror(-err));
}

/* The verdict, by name: a failure shows both names. */
#define tap_verdict(got, want, ...) \
	tap_eq_str(corr__verdict_name(got), corr__verdict_name(want), __VA_ARGS__)

static void test_kmalloc_and_huge_pages(void)
{
	struct corr_log log = {};
	uint64_t pfns[3] = { 0x5000, 0x5001, 0x5002 };
	struct corr_alloc a[2];

	/* A 12K kmalloc in a 2M-mapped direct map: traced PFN of page 0, then linear. */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, PO + 0x5000000ULL, 0x5000));
	a[0] = alloc(MEMALLOC_KIND_KMALLOC, 12288, PO + 0x5000000ULL, 100, 200, pfns, 3,
		     MEMALLOC_LEVEL_PMD);
	/* A 1G-mapped page (level PUD): the walk's PFN is the 4K frame inside it. */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 350, PO + 0x40001000ULL, 0x40001));
	pfns[0] = 0x40001;
	a[1] = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x40001000ULL, 300, 400, pfns, 1,
		     MEMALLOC_LEVEL_PUD);

	match(&log, a, 2);
	tap_verdict(a[0].verdict, CORR_AGREE, "kmalloc 12K on 2M pages: agree");
	tap_eq_u64(a[0].agreed, 3, "kmalloc 12K on 2M pages: 3 pages agree");
	tap_eq_u64(a[0].traced_pfn[2], 0x5002, "kmalloc 12K: page 2 traced as first + 2");
	tap_ok(a[0].runs == 1, "kmalloc 12K: one physically contiguous run");
	tap_verdict(a[1].verdict, CORR_AGREE, "kmalloc on a 1G page agrees");
	tap_eq_u64(a[1].traced_by, MEMTRACE_EV_KMALLOC, "kmalloc on a 1G page: traced by kmalloc");
	corr_alloc__free(&a[0]);
	corr_alloc__free(&a[1]);
	corr_log__free(&log);
}

static void test_out_of_order_and_window(void)
{
	struct corr_log log = {};
	uint64_t pfn = 0x7000;
	struct corr_alloc a;

	/*
	 * Records arrive per CPU, not in time order.  The same address was
	 * allocated before (ts 50, a stale PFN) and again inside the call (ts
	 * 150): only the event inside the ALLOC window counts.
	 */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, PO + 0x7000000ULL, 0x7000));
	add(&log, ev(MEMTRACE_EV_KMALLOC, 50, PO + 0x7000000ULL, 0x6666));
	a = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x7000000ULL, 100, 200, &pfn, 1,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_AGREE, "out-of-order records: agree");
	tap_eq_u64(a.traced_pfn[0], 0x7000,
		   "out-of-order records: the event inside the ALLOC window is used");
	corr_alloc__free(&a);

	/* Only the stale event: the allocation is untraced, not a match. */
	corr_log__free(&log);
	add(&log, ev(MEMTRACE_EV_KMALLOC, 50, PO + 0x7000000ULL, 0x7000));
	a = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x7000000ULL, 100, 200, &pfn, 1,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_UNTRACED, "an event outside the window: verdict untraced");
	tap_eq_u64(a.untraced, 1, "an event outside the window: its page is untraced");
	tap_eq_u64(a.agreed, 0, "an event outside the window does not match");
	corr_alloc__free(&a);
	corr_log__free(&log);
}

static void test_unmatched_and_disagree(void)
{
	struct corr_log log = {};
	uint64_t pfn = 0x8000;
	struct corr_alloc a[3];
	struct corr_summary sum = {};

	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, PO + 0x9999000ULL, 0x9999)); /* someone else */
	add(&log, ev(MEMTRACE_EV_KMEM_CACHE_ALLOC, 250, PO + 0x8000000ULL, 0x8001)); /* wrong */
	a[0] = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x8000000ULL, 100, 200, &pfn, 1,
		     MEMALLOC_LEVEL_PTE);
	a[1] = alloc(MEMALLOC_KIND_KMEM_CACHE, 64, PO + 0x8000000ULL, 200, 300, &pfn, 1,
		     MEMALLOC_LEVEL_PTE);
	/* The walk disagrees with the kernel helper on this one. */
	a[2] = alloc(MEMALLOC_KIND_VMALLOC, 4096, VS + 0x1000, 300, 400, &pfn, 1,
		     MEMALLOC_LEVEL_PTE);
	a[2].pages[0].helper_pfn = 0x8002;
	match(&log, a, 3);
	tap_verdict(a[0].verdict, CORR_UNTRACED,
		    "an allocation whose address no event has is untraced");
	tap_eq_u64(a[0].traced_by, 0, "... and traced by no event");
	tap_verdict(a[1].verdict, CORR_DISAGREE,
		    "a traced PFN different from the walked one: DISAGREE");
	tap_eq_u64(a[1].disagreed, 1, "... its page counted as disagreeing");
	tap_verdict(a[2].verdict, CORR_DISAGREE,
		    "walk != kernel helper: DISAGREE even without an event");
	tap_eq_u64(a[2].helper_mismatch, 1, "... its page counted as a helper mismatch");
	corr__summarize(a, 3, NULL, &sum);
	tap_verdict(sum.verdict, CORR_DISAGREE, "summary: the worst verdict wins");
	tap_eq_u64(sum.pages, 3, "summary: pages add up");
	tap_eq_u64(sum.disagreed, 1, "summary: disagreeing pages add up");
	tap_eq_u64(sum.untraced, 2, "summary: untraced pages add up");
	tap_eq_u64(sum.allocs_by_verdict[CORR_DISAGREE], 2,
		   "summary: allocations per verdict add up");
	for (int i = 0; i < 3; i++)
		corr_alloc__free(&a[i]);
	corr_log__free(&log);
}

static void test_vmalloc_chunks_and_drops(void)
{
	struct corr_log log = {};
	uint64_t walked[5] = { 0x100, 0x300, 0x301, 0x302, 0x200 };
	struct corr_alloc a;
	struct memtrace_counters st = {};
	struct corr_summary sum = {};
	struct memtrace_event v;

	/* Pages arrive in two chunks, the second first, then the vmalloc record. */
	add_pages(&log, 140, VS + 0x10000, 3, walked + 3, 2);
	add_pages(&log, 130, VS + 0x10000, 0, walked, 3);
	v = ev(MEMTRACE_EV_VMALLOC, 150, VS + 0x10000, walked[0]);
	v.nr_pages = 5;
	add(&log, v);
	a = alloc(MEMALLOC_KIND_VMALLOC, 5 * 4096, VS + 0x10000, 100, 200, walked, 5,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_AGREE, "vmalloc: PFNs from two chunks in any order agree");
	tap_eq_u64(a.agreed, 5, "vmalloc: all 5 pages agree");
	tap_eq_u64(a.traced_pfn[4], 0x200, "vmalloc: page 4 traced from the later chunk");
	tap_eq_u64(a.runs, 3, "vmalloc 0x100 | 0x300-0x302 | 0x200: 3 contiguous runs");
	corr_alloc__free(&a);

	/* A truncated page list: the missing pages make the allocation incomplete. */
	corr_log__free(&log);
	add_pages(&log, 130, VS + 0x10000, 0, walked, 3);
	v.flags |= MEMTRACE_F_TRUNCATED;
	add(&log, v);
	a = alloc(MEMALLOC_KIND_VMALLOC, 5 * 4096, VS + 0x10000, 100, 200, walked, 5,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_INCOMPLETE, "truncated page list: verdict incomplete");
	tap_eq_u64(a.agreed, 3, "truncated page list: the 3 listed pages agree");
	tap_eq_u64(a.untraced, 2, "truncated page list: the 2 missing ones are untraced");
	corr_alloc__free(&a);

	/* Drops turn a full agreement into "incomplete", never "agree". */
	a = alloc(MEMALLOC_KIND_VMALLOC, 3 * 4096, VS + 0x10000, 100, 200, walked, 3,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	st.drops = 7;
	corr__summarize(&a, 1, &st, &sum);
	tap_verdict(a.verdict, CORR_AGREE, "with 7 drops each page still agrees");
	tap_verdict(sum.verdict, CORR_INCOMPLETE, "... but the run is incomplete");
	st.drops = 0;
	st.recursion_misses = 3;
	corr__summarize(&a, 1, &st, &sum);
	tap_verdict(sum.verdict, CORR_AGREE,
		    "recursion misses do not spoil a run whose pages all agree");
	a.untraced = 1;
	a.verdict = CORR_UNTRACED;
	corr__summarize(&a, 1, &st, &sum);
	tap_verdict(sum.verdict, CORR_INCOMPLETE,
		    "recursion misses make an untraced allocation incomplete");
	corr_alloc__free(&a);

	/* A page list from an earlier area at the same address is not used. */
	corr_log__free(&log);
	add_pages(&log, 50, VS + 0x10000, 0, walked, 5);
	v.flags = MEMTRACE_F_PFN;
	add(&log, v);
	a = alloc(MEMALLOC_KIND_VMALLOC, 5 * 4096, VS + 0x10000, 100, 200, walked, 5,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_UNTRACED,
		    "a stale page list (sent before the call) is not matched: untraced");
	tap_eq_u64(a.untraced, 5, "... all 5 pages untraced");
	corr_alloc__free(&a);

	corr_log__free(&log);
}

static void test_alloc_pages_and_frees(void)
{
	struct corr_log log = {};
	uint64_t pfns[4] = { 0x4000, 0x4001, 0x4002, 0x4003 };
	struct corr_alloc a;
	struct memtrace_event e;

	/* Two order-2 page events inside the call: the one mapping to the address wins. */
	e = ev(MEMTRACE_EV_PAGE_ALLOC, 120, 0, 0x1234);
	e.order = 2;
	add(&log, e);
	e = ev(MEMTRACE_EV_PAGE_ALLOC, 130, 0, 0x4000);
	e.order = 2;
	add(&log, e);
	a = alloc(MEMALLOC_KIND_ALLOC_PAGES, 16384, PO + 0x4000000ULL, 100, 200, pfns, 4,
		  MEMALLOC_LEVEL_PMD);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_AGREE, "alloc_pages: 4 pages agree");
	tap_eq_u64(a.traced_by, MEMTRACE_EV_PAGE_ALLOC, "alloc_pages: traced by the page event");
	tap_eq_u64(a.traced_pfn[0], 0x4000,
		   "alloc_pages: the page event whose PFN maps to the address");
	tap_eq_u64(a.traced_pfn[3], 0x4003, "alloc_pages: page 3 traced as first + 3");

	/* Only a foreign page event (a slab refill) in the call: untraced, never a match. */
	corr_alloc__free(&a);
	corr_log__free(&log);
	e = ev(MEMTRACE_EV_PAGE_ALLOC, 120, 0, 0x1234);
	e.order = 2;
	add(&log, e);
	a = alloc(MEMALLOC_KIND_ALLOC_PAGES, 16384, PO + 0x4000000ULL, 100, 200, pfns, 4,
		  MEMALLOC_LEVEL_PMD);
	match(&log, &a, 1);
	tap_verdict(a.verdict, CORR_UNTRACED,
		    "alloc_pages with only a foreign page event: untraced, not DISAGREE");
	tap_eq_u64(a.disagreed, 0, "... no page counted as disagreeing");

	e = ev(MEMTRACE_EV_PAGE_FREE, 500, 0, 0x4000);
	add(&log, e);
	tap_ok(corr__free_traced(&log, &a, &layout, 400, 600), "the page free is traced");
	tap_ok(!corr__free_traced(&log, &a, &layout, 600, 700),
	       "no free event in a later window");
	corr_alloc__free(&a);
	corr_log__free(&log);
}

/*
 * Several events on one address: the matching must pick what the scans of
 * the whole log picked (the index of the log by address must not change
 * which event wins).  The newest record in the log inside the window wins,
 * whatever its time stamp; other types, failed calls and records outside
 * the window are passed over; records added after a match count in the next.
 */
static void test_shared_address(void)
{
	const uint64_t addr = PO + 0x5000000ULL;
	struct corr_log log = {};
	uint64_t pfn = 0x5002;
	struct corr_alloc a, b;
	struct memtrace_event e;

	add(&log, ev(MEMTRACE_EV_KMALLOC, 40, addr, 0x5009));	/* an older allocation */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, addr, 0x5001));
	add(&log, ev(MEMTRACE_EV_KMALLOC, 120, addr, 0x5002));	/* newest in the log */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 300, addr, 0x5003));	/* after the call */
	add(&log, ev(MEMTRACE_EV_KMEM_CACHE_ALLOC, 160, addr, 0x5004));
	e = ev(MEMTRACE_EV_KMALLOC, 170, addr, 0x5005);
	e.flags |= MEMTRACE_F_FAILED;
	add(&log, e);
	add(&log, ev(MEMTRACE_EV_KFREE, 250, addr, 0x5002));
	a = alloc(MEMALLOC_KIND_KMALLOC, 64, addr, 100, 200, &pfn, 1, MEMALLOC_LEVEL_PTE);
	b = alloc(MEMALLOC_KIND_KMALLOC, 64, addr, 30, 50, &pfn, 1, MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_eq_u64(a.traced_pfn[0], 0x5002,
		   "one address, several events in the window: the last in the log wins");
	tap_verdict(a.verdict, CORR_AGREE, "... and agrees");
	match(&log, &b, 1);
	tap_eq_u64(b.traced_pfn[0], 0x5009, "the same address earlier: the event of its window");
	tap_ok(corr__free_traced(&log, &a, &layout, 200, 400), "the free after the call counts");
	tap_ok(!corr__free_traced(&log, &a, &layout, 260, 400), "... not in a later window");
	tap_ok(!corr__free_traced(&log, &a, &layout, 0, 240),
	       "an allocation of the address is not its free");

	/* A record added after the first match is seen by the next. */
	add(&log, ev(MEMTRACE_EV_KMALLOC, 110, addr, 0x5006));
	match(&log, &a, 1);
	tap_eq_u64(a.traced_pfn[0], 0x5006, "a record added after a match: the newest wins");
	tap_verdict(a.verdict, CORR_DISAGREE, "... and disagrees with the walk");
	corr_alloc__free(&a);
	corr_alloc__free(&b);
	corr_log__free(&log);
}

/*
 * alloc_pages: of the page events that map to the address, the first in
 * the log wins.  Two can differ only in the PFN's bits shifted out of the
 * direct-map address; the free is found by frame, before or after.
 */
static void test_shared_frame(void)
{
	const uint64_t alias = 0x4000 | (1ULL << 60);
	uint64_t pfns[2] = { 0x4000, 0x4001 };
	struct corr_log log = {};
	struct corr_alloc a;
	struct memtrace_event e;

	e = ev(MEMTRACE_EV_PAGE_ALLOC, 130, 0, 0x4000);
	e.order = 1;
	add(&log, e);
	e.pfn = alias;
	e.ts_ns = 120;
	add(&log, e);
	add(&log, ev(MEMTRACE_EV_PAGE_FREE, 90, 0, 0x4000));
	a = alloc(MEMALLOC_KIND_ALLOC_PAGES, 8192, PO + 0x4000000ULL, 100, 200, pfns, 2,
		  MEMALLOC_LEVEL_PTE);
	match(&log, &a, 1);
	tap_eq_u64(a.traced_pfn[1], 0x4001, "two page events map to the address: the first wins");
	tap_verdict(a.verdict, CORR_AGREE, "... and agrees");
	tap_ok(corr__free_traced(&log, &a, &layout, 0, 95), "a page free found by its frame");
	tap_ok(!corr__free_traced(&log, &a, &layout, 95, 400), "... only in its window");
	corr_alloc__free(&a);
	corr_log__free(&log);
}

static void test_bad_records(void)
{
	struct corr_log log = {};
	struct memtrace_event e = ev(99, 1, 0, 0);
	struct memtrace_pages *p = calloc(1, sizeof(*p));

	tap_err(corr_log__add(&log, &e, sizeof(e)), -EINVAL, "unknown record type: EINVAL");
	tap_err(corr_log__add(&log, &e, 8), -EINVAL, "short record: EINVAL");
	p->type = MEMTRACE_EV_VMALLOC_PAGES;
	p->count = MEMTRACE_PFNS_PER_CHUNK + 1;
	tap_err(corr_log__add(&log, p, sizeof(*p)), -EINVAL, "page chunk too long: EINVAL");
	tap_eq_u64(log.bad, 3, "three bad records counted");
	free(p);
	corr_log__free(&log);
}

static char *report_json(const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		tap_bail("open_memstream: out of memory");
	report__print_json(r, f);
	fclose(f);
	return buf;
}

static void test_report(void)
{
	struct corr_log log = {};
	uint64_t pfn = 0x5000;
	struct corr_alloc a;
	struct corr_summary sum = {};
	struct report r;
	const char *head = "{\"schema\":\"memtrace/1\",\"cmd\":\"run\",\"kernel\":\"6.12.0\"";
	const char *tail = "\"verdict\":\"agree\"}}\n";
	char *out, *buf = NULL, start[64];
	size_t len = 0;
	FILE *f;

	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, PO + 0x5000000ULL, 0x5000));
	a = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x5000000ULL, 100, 200, &pfn, 1,
		  MEMALLOC_LEVEL_PMD);
	match(&log, &a, 1);
	corr__summarize(&a, 1, NULL, &sum);
	r = (struct report){ .cmd = "run", .kernel = "6.12.0", .hooks = "kmem: raw_tp",
			     .layout = layout, .allocs = &a, .nr = 1, .sum = &sum,
			     .pages = REPORT_PAGES_ALL };
	out = report_json(&r);
	snprintf(start, sizeof(start), "%.*s", (int)strlen(head), out);
	tap_eq_str(start, head, "JSON starts with schema, cmd, kernel");
	tap_has_str(out, "\"pages\":[{\"addr\":\"0xffff888005000000\",\"walked_pfn\":20480,"
			 "\"traced_pfn\":20480,\"helper_pfn\":20480,\"level\":\"2M\"",
		    "JSON page entry: addresses as hex strings, PFNs as numbers, level 2M");
	len = strlen(out);
	tap_eq_str(out + (len > strlen(tail) ? len - strlen(tail) : 0), tail,
		   "JSON ends with the summary");
	free(out);

	a.traced_pfn[0] = PFN_NONE;
	out = report_json(&r);
	tap_has_str(out, "\"traced_pfn\":null", "an untraced page is null in JSON");
	free(out);

	f = open_memstream(&buf, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	report__print_table(&r, f);
	fclose(f);
	tap_has_str(buf, "KIND", "table: a header");
	tap_has_str(buf, "kmalloc        64 0xffff888005000000", "table: the allocation's row");
	tap_has_str(buf, "untraced\n", "table: the untraced page marked");
	free(buf);
	corr_alloc__free(&a);
	corr_log__free(&log);
}

/* One MEMTRACE_EV_WALK_PAGES record: @n pages from index @first of @addr's walk */
static void add_walk(struct corr_log *log, uint64_t ts, uint64_t addr, uint32_t first,
		     const uint64_t *pfns, const uint8_t *levels, uint32_t n)
{
	struct memtrace_walk *w = calloc(1, sizeof(*w));

	w->ts_ns = ts;
	w->type = MEMTRACE_EV_WALK_PAGES;
	w->addr = addr;
	w->first_index = first;
	w->count = n;
	memcpy(w->pfn, pfns, n * sizeof(*pfns));
	memcpy(w->level, levels, n);
	corr_log__add(log, w, sizeof(*w));
	free(w);
}

static const uint64_t walk_pfns[3] = { 0x5000, 0x5001, 0x5002 };
static const uint8_t walk_pmd[3] = { MEMALLOC_LEVEL_PMD, MEMALLOC_LEVEL_PMD, MEMALLOC_LEVEL_PMD };

/*
 * A kmalloc of @npages walked by the module at 2M (frames 0x5000...) during
 * [@t, @t + 100], traced at @t + 50, and a BPF walk of @nwalk pages at @walk_t
 */
static struct corr_alloc walk_case(struct corr_log *log, uint64_t t, uint64_t va,
				   uint32_t npages, uint64_t walk_t, const uint64_t *pfns,
				   const uint8_t *levels, uint32_t nwalk)
{
	add(log, ev(MEMTRACE_EV_KMALLOC, t + 50, va, 0x5000));
	add_walk(log, walk_t, va, 0, pfns, levels, nwalk);
	return alloc(MEMALLOC_KIND_KMALLOC, npages * 4096ULL, va, t, t + 100, walk_pfns, npages,
		     MEMALLOC_LEVEL_PMD);
}

/* Six allocations whose BPF walks agree, differ or fall short, matched */
static void bpf_walk_allocs(struct corr_log *log, struct corr_alloc *a)
{
	static const uint64_t bad[3] = { 0x5000, 0x5001, 0x9999 };
	static const uint8_t pte[3] = { MEMALLOC_LEVEL_PTE, MEMALLOC_LEVEL_PTE,
					MEMALLOC_LEVEL_PTE };

	/* 0: walked in BPF, same level and PFNs: agree */
	a[0] = walk_case(log, 100, PO + 0x5000000ULL, 3, 151, walk_pfns, walk_pmd, 3);
	/* 1: same PFNs, another level (4K in BPF, 2M in the module): differs */
	a[1] = walk_case(log, 300, PO + 0x5000000ULL, 3, 351, walk_pfns, pte, 3);
	/* 2: one PFN differs */
	a[2] = walk_case(log, 500, PO + 0x5000000ULL, 3, 551, bad, walk_pmd, 3);
	/* 3: the walk covers 2 of 3 pages */
	a[3] = walk_case(log, 700, PO + 0x5000000ULL, 3, 751, walk_pfns, walk_pmd, 2);
	/* 4: the only walk of the address is outside the ALLOC call */
	a[4] = walk_case(log, 900, PO + 0x6000000ULL, 1, 1500, walk_pfns, walk_pmd, 1);
	/* 5: two chunks of one walk (same time stamp), the second first */
	add(log, ev(MEMTRACE_EV_KMALLOC, 1150, PO + 0x7000000ULL, 0x5000));
	add_walk(log, 1151, PO + 0x7000000ULL, 2, walk_pfns + 2, walk_pmd, 1);
	add_walk(log, 1151, PO + 0x7000000ULL, 0, walk_pfns, walk_pmd, 2);
	a[5] = alloc(MEMALLOC_KIND_KMALLOC, 12288, PO + 0x7000000ULL, 1100, 1200, walk_pfns, 3,
		     MEMALLOC_LEVEL_PMD);
	match(log, a, 6);
}

static void test_bpf_walk(void)
{
	struct corr_log log = { .walk = true };
	struct corr_alloc a[6];
	int i;

	bpf_walk_allocs(&log, a);
	tap_verdict(a[0].verdict, CORR_AGREE, "BPF walk equal to WALK: agree");
	tap_eq_u64(a[0].walk_agreed, 3, "BPF walk equal to WALK: 3 pages agreed");
	tap_eq_u64(a[0].walk_level[1], MEMALLOC_LEVEL_PMD, "BPF walk: page 1's level kept");
	tap_eq_u64(a[0].walk_pfn[2], 0x5002, "BPF walk: page 2's PFN kept");
	tap_verdict(a[1].verdict, CORR_DISAGREE, "BPF walk at another level: DISAGREE");
	tap_eq_u64(a[1].walk_differed, 3, "BPF walk at another level: 3 pages differ");
	tap_eq_u64(a[1].agreed, 3, "BPF walk at another level: traced PFNs still agree");
	tap_verdict(a[2].verdict, CORR_DISAGREE, "BPF walk with another PFN: DISAGREE");
	tap_eq_u64(a[2].walk_differed, 1, "BPF walk with another PFN: 1 page differs");
	tap_verdict(a[3].verdict, CORR_INCOMPLETE, "BPF walk of 2 of 3 pages: incomplete");
	tap_eq_u64(a[3].walk_missing, 1, "BPF walk of 2 of 3 pages: 1 not walked");
	tap_eq_u64(a[3].walk_level[2], WALK_LEVEL_NONE, "a page not walked has no level");
	tap_eq_u64(a[4].walk_missing, 1, "a walk outside the ALLOC call does not count");
	tap_verdict(a[4].verdict, CORR_INCOMPLETE, "no BPF walk in the call: incomplete");
	tap_eq_u64(a[5].walk_agreed, 3, "chunks of one walk in any order: 3 pages agreed");

	/* Without the BPF walk asked for, walk records change nothing */
	log.walk = false;
	match(&log, &a[1], 1);
	tap_verdict(a[1].verdict, CORR_AGREE, "walk records not asked for: not compared");
	tap_ok(!a[1].walk_pfn, "walk records not asked for: no BPF PFNs");
	for (i = 0; i < 6; i++)
		corr_alloc__free(&a[i]);
	corr_log__free(&log);
}

static void test_bpf_walk_summary(void)
{
	struct corr_log log = { .walk = true };
	struct memtrace_counters st = {};
	struct corr_summary sum = { .walk = true };
	struct corr_alloc a[6];
	int i;

	bpf_walk_allocs(&log, a);
	corr__summarize(a, 6, &st, &sum);
	tap_ok(sum.walk, "summarize keeps the walk flag");
	tap_eq_u64(sum.walk_pages, 16, "summary: 16 pages compared with the BPF walk");
	tap_eq_u64(sum.walk_agreed, 10, "summary: 10 agreed");
	tap_eq_u64(sum.walk_differed, 4, "summary: 4 differed");
	tap_eq_u64(sum.walk_missing, 2, "summary: 2 not walked");
	tap_verdict(sum.verdict, CORR_DISAGREE, "summary with a difference: DISAGREE");

	corr__summarize(&a[3], 2, &st, &sum);
	tap_verdict(sum.verdict, CORR_INCOMPLETE, "summary with pages not walked: incomplete");
	corr__summarize(a, 1, &st, &sum);
	tap_verdict(sum.verdict, CORR_AGREE, "summary of a full BPF walk: agree");
	st.walk_truncated = 1;
	corr__summarize(a, 1, &st, &sum);
	tap_verdict(sum.verdict, CORR_INCOMPLETE, "a truncated BPF walk: incomplete, never agree");
	sum.walk = false;
	corr__summarize(a, 1, &st, &sum);
	tap_verdict(sum.verdict, CORR_AGREE, "without --bpf-walk its counter does not count");
	for (i = 0; i < 6; i++)
		corr_alloc__free(&a[i]);
	corr_log__free(&log);
}

static void test_bpf_walk_records(void)
{
	struct corr_log log = {};
	struct memtrace_walk w = { .type = MEMTRACE_EV_WALK_PAGES };
	uint64_t pfn = 0x5000;
	uint8_t level = 4;

	add_walk(&log, 1, PO, 0, &pfn, &level, 1);
	tap_eq_u64(log.bad, 1, "a walk record with level 4 is malformed");
	level = MEMALLOC_LEVEL_PTE;
	add_walk(&log, 1, PO, MEMTRACE_WALK_MAX_PAGES, &pfn, &level, 1);
	tap_eq_u64(log.bad, 2, "a walk record past MEMTRACE_WALK_MAX_PAGES is malformed");
	tap_eq_s64(corr_log__add(&log, &w, 24), -EINVAL, "a short walk record: -EINVAL");
	tap_eq_u64(log.nr_wk, 0, "malformed walk records are not kept");
	corr_log__free(&log);
}

static void test_bpf_walk_report(void)
{
	struct corr_log log = { .walk = true };
	uint64_t pfn = 0x5000;
	uint8_t level = MEMALLOC_LEVEL_PMD;
	struct corr_alloc a;
	struct corr_summary sum = { .walk = true };
	struct report r;
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f;

	add(&log, ev(MEMTRACE_EV_KMALLOC, 150, PO + 0x5000000ULL, 0x5000));
	add_walk(&log, 151, PO + 0x5000000ULL, 0, &pfn, &level, 1);
	a = alloc(MEMALLOC_KIND_KMALLOC, 64, PO + 0x5000000ULL, 100, 200, &pfn, 1,
		  MEMALLOC_LEVEL_PMD);
	match(&log, &a, 1);
	corr__summarize(&a, 1, NULL, &sum);
	r = (struct report){ .cmd = "run", .kernel = "6.12.0", .hooks = "kmem: raw_tp",
			     .layout = layout, .allocs = &a, .nr = 1, .sum = &sum,
			     .pages = REPORT_PAGES_ALL };
	f = open_memstream(&buf, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	report__print_table(&r, f);
	fclose(f);
	tap_has_str(buf, "BPF walks cut short 0 (past the page cap",
		    "summary: the walks cut short are said, even when none");
	tap_has_str(buf, "BPF walk vs module walk: 1 pages, agreed 1, differed 0, not walked 0\n",
		    "summary: the BPF walk line");
	tap_has_str(buf, " bpfwalk:=\n", "table: the allocation marked as BPF-walked alike");
	tap_has_str(buf, " bpf:=\n", "table: the page marked as BPF-walked alike");
	free(buf);
	out = report_json(&r);
	tap_has_str(out, "\"bpf_walk\":{\"agreed\":1,\"differed\":0,\"not_walked\":0}",
		    "JSON: the allocation's BPF walk counts");
	tap_has_str(out, "\"bpf_pfn\":20480,\"bpf_level\":\"2M\"", "JSON: the page's BPF PFN and level");
	tap_has_str(out, "\"bpf_walk\":{\"pages\":1,\"agreed\":1,\"differed\":0,\"not_walked\":0,"
			 "\"truncated\":0}", "JSON: the summary's BPF walk counts");
	free(out);
	sum.walk = false;
	out = report_json(&r);
	tap_ok(!strstr(out, "bpf_"), "JSON without --bpf-walk: no bpf_ keys");
	tap_ok(!strstr(out, "walk_pages"), "JSON without --bpf-walk: no walk_pages event count");
	free(out);
	corr_alloc__free(&a);
	corr_log__free(&log);
}

static void test_json_writer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		tap_bail("open_memstream: out of memory");
	json__init(&j, f, false);
	json__start_object(&j);
	json__kv_string(&j, "s", "a\"b\\c\n\x01");
	json__name(&j, "a");
	json__start_array(&j);
	json__uint(&j, 1);
	json__int(&j, -2);
	json__double(&j, 0.5);
	json__start_object(&j);
	json__end_object(&j);
	json__end_array(&j);
	json__kv_bool(&j, "t", true);
	json__end_object(&j);
	json__end(&j);
	fclose(f);
	tap_eq_str(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"a\":[1,-2,0.5,{}],\"t\":true}\n",
		   "JSON writer: commas, nesting, escapes");
	free(buf);
}

static void test_parse(void)
{
	uint64_t v = 0;
	uint32_t kinds[8];
	uint64_t sizes[4];

	static const struct {
		const char *s;
		uint64_t v;
	} good[] = { { "4K", 4096 }, { "2MiB", 2 << 20 }, { "1g", 1ULL << 30 }, { "100", 100 } };
	static const struct {
		const char *s, *what;
	} bad[] = {
		{ "0", "zero" }, { "12Q", "junk suffix" }, { "", "empty" }, { "-4K", "negative" },
		{ "99999999999999999999G", "overflow of the number" },
		{ "17179869184G", "overflow of the byte count" },
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		tap_err(parse_size(good[i].s, &v), 0, "parse_size '%s' succeeds", good[i].s);
		tap_eq_u64(v, good[i].v, "parse_size '%s' = %llu", good[i].s,
			   (unsigned long long)good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_err(parse_size(bad[i].s, &v), -EINVAL, "parse_size rejects '%s' (%s)", bad[i].s,
			bad[i].what);
	tap_err(parse_uint("5", 1, 10, &v), 0, "parse_uint '5' in [1, 10] succeeds");
	tap_eq_u64(v, 5, "parse_uint '5' = 5");
	tap_err(parse_uint("0", 1, 10, &v), -ERANGE, "parse_uint '0' below [1, 10]: ERANGE");
	tap_err(parse_uint("5x", 1, 10, &v), -EINVAL, "parse_uint '5x' (junk): EINVAL");
	tap_eq_s64(size__parse_list("64,4K,2M", sizes, 4), 3, "size list '64,4K,2M': 3 values");
	tap_eq_u64(sizes[1], 4096, "size list '64,4K,2M': the second is 4096");
	tap_err(size__parse_list("64,,x", sizes, 4), -EINVAL, "size list with junk: EINVAL");
	tap_err(size__parse_list("1,2,3,4,5", sizes, 4), -EINVAL,
		"size list over the capacity (5 > 4): EINVAL");
	tap_eq_s64(kind__parse_list("all", kinds, 8), 7, "kind list 'all' = 7 kinds");
	tap_eq_u64(kinds[6], MEMALLOC_KIND_KMEM_CACHE, "kind list 'all' ends with kmem_cache");
	tap_eq_s64(kind__parse_list("vmalloc,kmalloc,vmalloc", kinds, 8), 2,
		   "kind list drops repeats");
	tap_eq_u64(kinds[0], MEMALLOC_KIND_VMALLOC, "kind list keeps order: vmalloc first");
	tap_eq_u64(kinds[1], MEMALLOC_KIND_KMALLOC, "kind list keeps order: kmalloc second");
	tap_err(kind__parse_list("kmalloc,nope", kinds, 8), -EINVAL, "unknown kind rejected");
}

int main(void)
{
	test_kmalloc_and_huge_pages();
	test_out_of_order_and_window();
	test_unmatched_and_disagree();
	test_vmalloc_chunks_and_drops();
	test_alloc_pages_and_frees();
	test_shared_address();
	test_shared_frame();
	test_bad_records();
	test_report();
	test_bpf_walk();
	test_bpf_walk_summary();
	test_bpf_walk_records();
	test_bpf_walk_report();
	test_json_writer();
	test_parse();
	return tap_finish();
}
