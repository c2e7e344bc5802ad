// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace report: a recording's records into top's rows, with the
 * contiguity of each caller's multi-page allocations and where its pages
 * landed on the physical address axis (record.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/json.h"
#include "lib/stats.h"
#include "record/record.h"

/* A live allocation: what its row got, to count its free or take it back */
struct live {
	__u64 key;	/* addr (or PFN) << 2 | class; 0: empty */
	int row;
	__u32 cpu;
	__u64 pfn;	/* slab: the first page's frame, and the pages spanned */
	__u64 pages;
	struct memtrace_agg add;	/* allocs, bytes and pages it added */
};

enum { LIVE_SLAB = 1, LIVE_PAGE, LIVE_VMALLOC };

struct report_live {
	struct live *slots;
	size_t cap;	/* a power of two */
	size_t nr;
	/*
	 * Rows by (kind, caller, stack id): top__add() finds a row by a scan
	 * of every row, which made most of a report's time; the row of a key
	 * never changes (top keeps one row per key, and rows only grow).
	 * Open addressing; row index + 1, 0 empty.
	 */
	int *rowidx;
	size_t rowcap;	/* a power of two */
};

static size_t live__hash(__u64 key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static struct live *live__find(struct report_live *l, __u64 key)
{
	size_t i = live__hash(key, l->cap);

	for (; l->slots[i].key; i = (i + 1) & (l->cap - 1)) {
		if (l->slots[i].key == key)
			return &l->slots[i];
	}
	return NULL;
}

static int live__grow(struct report_live *l)
{
	struct report_live n = { calloc(l->cap * 2, sizeof(struct live)), l->cap * 2, 0,
				 l->rowidx, l->rowcap };
	size_t i, j;

	if (!n.slots)
		return -ENOMEM;
	for (i = 0; i < l->cap; i++) {
		if (!l->slots[i].key)
			continue;
		for (j = live__hash(l->slots[i].key, n.cap); n.slots[j].key; j = (j + 1) & (n.cap - 1))
			;
		n.slots[j] = l->slots[i];
		n.nr++;
	}
	free(l->slots);
	*l = n;
	return 0;
}

static int live__put(struct report_live *l, const struct live *v)
{
	struct live *s = live__find(l, v->key);
	size_t i;

	if (s) {
		*s = *v;
		return 0;
	}
	if ((l->nr + 1) * 2 > l->cap && live__grow(l))
		return -ENOMEM;
	for (i = live__hash(v->key, l->cap); l->slots[i].key; i = (i + 1) & (l->cap - 1))
		;
	l->slots[i] = *v;
	l->nr++;
	return 0;
}

/* Remove @s, shifting back the entries its slot displaced (linear probing) */
static void live__del(struct report_live *l, struct live *s)
{
	size_t i = (size_t)(s - l->slots), j = i, k;

	l->slots[i].key = 0;
	l->nr--;
	for (;;) {
		j = (j + 1) & (l->cap - 1);
		if (!l->slots[j].key)
			return;
		k = live__hash(l->slots[j].key, l->cap);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			l->slots[i] = l->slots[j];
			l->slots[j].key = 0;
			i = j;
		}
	}
}

static size_t row__hash(__u32 kind, __u64 caller, int stack_id, size_t cap)
{
	return live__hash(caller ^ ((__u64)kind << 56) ^ ((__u64)(__u32)stack_id << 24), cap);
}

/* The row of (@kind, @caller, @stack_id), or -1 */
static int rowidx__find(const struct report *r, __u32 kind, __u64 caller, int stack_id)
{
	const struct report_live *l = r->live;
	size_t i = row__hash(kind, caller, stack_id, l->rowcap);

	for (; l->rowidx[i]; i = (i + 1) & (l->rowcap - 1)) {
		const struct top_row *row = &r->top.rows[l->rowidx[i] - 1];

		if (row->kind == kind && row->caller == caller && row->stack_id == stack_id)
			return l->rowidx[i] - 1;
	}
	return -1;
}

/* Index every row of r->top (the table is rebuilt when it grows); 0 or -ENOMEM */
static int rowidx__sync(struct report *r)
{
	struct report_live *l = r->live;
	size_t cap = l->rowcap, i, j;

	if (r->top.nr * 2 <= cap)
		return 0;
	while (r->top.nr * 2 > cap)
		cap *= 2;
	free(l->rowidx);
	l->rowidx = calloc(cap, sizeof(*l->rowidx));
	if (!l->rowidx)
		return -ENOMEM;
	l->rowcap = cap;
	for (i = 0; i < r->top.nr; i++) {
		const struct top_row *row = &r->top.rows[i];

		for (j = row__hash(row->kind, row->caller, row->stack_id, cap); l->rowidx[j];
		     j = (j + 1) & (cap - 1))
			;
		l->rowidx[j] = (int)i + 1;
	}
	return 0;
}

/* What top__add() does to an existing row: @a added to its counters */
static void row__add(struct report *r, int row, const struct memtrace_agg *a)
{
	const __u64 *src = (const __u64 *)a;
	__u64 *dst = (__u64 *)&r->top.rows[row].now;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		dst[i] += src[i];
}

static int report__zone(const struct report *r, __u64 pfn)
{
	int i;

	for (i = 0; i < r->top.nr_zones; i++) {
		if (pfn >= r->top.zones[i].start_pfn && pfn < r->top.zones[i].end_pfn)
			return i;
	}
	return MEMTRACE_AGG_ZONES;
}

int report__init(struct report *r, const struct record_header *h, const struct ksyms *ks)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->h = h;
	r->ks = ks;
	r->all_stacks = h->all_stacks;
	top__set_zones(&r->top, h->zones, h->nr_zones);
	for (i = 0; i < h->nr_zones; i++) {
		if (h->zones[i].end_pfn > r->max_pfn)
			r->max_pfn = h->zones[i].end_pfn;
	}
	r->live = calloc(1, sizeof(*r->live));
	if (!r->live)
		return -ENOMEM;
	r->live->cap = 1024;
	r->live->slots = calloc(r->live->cap, sizeof(struct live));
	r->live->rowcap = 1024;
	r->live->rowidx = calloc(r->live->rowcap, sizeof(int));
	return r->live->slots && r->live->rowidx ? 0 : -ENOMEM;
}

static const struct record_stack *report__stack(const struct report *r, __u32 id)
{
	size_t i;

	for (i = 0; id != MEMTRACE_NO_STACK && i < r->h->nr_stacks; i++) {
		if (r->h->stacks[i].id == id)
			return &r->h->stacks[i];
	}
	return NULL;
}

/* The row of @e, made when new; its index or -ENOMEM */
static int report__row(struct report *r, const struct memtrace_event *e,
		       const struct memtrace_agg *a)
{
	const struct record_stack *s = report__stack(r, e->stack_id);
	__u64 caller = e->call_site;
	int row;

	int stack_id = r->all_stacks && s ? (int)s->id : MEMTRACE_AGG_NO_STACK;

	if (!caller && s)
		caller = top__pick_caller(r->ks, s->ips, s->nr);
	else if (s && e->type == MEMTRACE_EV_PAGE_ALLOC && !(e->flags & MEMTRACE_F_FAILED)) {
		/* both: memtrace's unwinder against the kernel's */
		__u64 other = top__pick_caller(r->ks, s->ips, s->nr);

		if (!other)
			r->callers_undecided++;
		else if (r->callers_checked++, other != caller)
			r->callers_differ++;
	}
	row = rowidx__find(r, e->type, caller, stack_id);
	if (row >= 0) {
		row__add(r, row, a);
		return row;
	}
	row = top__add(&r->top, e->type, caller, stack_id, s ? s->ips : NULL, s ? s->nr : 0, a);
	if (row < 0 || rowidx__sync(r))
		return row < 0 ? row : -ENOMEM;
	if (rowidx__find(r, e->type, caller, stack_id) != row) {
		/* a new row since the last rebuild: into the table */
		size_t j = row__hash(e->type, caller, stack_id, r->live->rowcap);

		while (r->live->rowidx[j])
			j = (j + 1) & (r->live->rowcap - 1);
		r->live->rowidx[j] = row + 1;
	}
	if (array__reserve((void **)&r->extra, &r->cap_extra, r->top.nr, sizeof(*r->extra)))
		return -ENOMEM;
	while (r->nr_extra < r->top.nr)
		memset(&r->extra[r->nr_extra++], 0, sizeof(*r->extra));
	return row;
}

/* @sign 1 adds, -1 takes back (u32/u64 arithmetic wraps back exactly) */
static void extra__pages(struct report *r, int row, __u64 pfn, __u64 pages, int sign)
{
	struct report_extra *x = &r->extra[row];
	__u64 p;

	for (p = 0; r->max_pfn && p < pages; p++) {
		__u64 bin = (pfn + p) * REPORT_BINS / r->max_pfn;

		x->bins[bin < REPORT_BINS ? bin : REPORT_BINS - 1] += (__u32)sign;
	}
}

static void extra__multi(struct report *r, int row, __u64 pages, __u64 runs, int sign)
{
	if (pages < 2)
		return;
	r->extra[row].multi += (__u64)(__s64)sign;
	r->extra[row].multi_pages += (__u64)((__s64)sign * (__s64)pages);
	r->extra[row].multi_runs += (__u64)((__s64)sign * (__s64)runs);
}

static void agg__neg(struct memtrace_agg *a)
{
	__u64 *v = (__u64 *)a;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		v[i] = -v[i];
}

/* kmalloc, kmem_cache_alloc: the object's pages from its direct-map PFN */
static int report__slab(struct report *r, const struct memtrace_event *e)
{
	struct live v = { .key = e->addr << 2 | LIVE_SLAB, .cpu = e->cpu }, *old;
	__u64 pages = 0;
	int row;

	v.add.allocs = 1;
	v.add.bytes_req = e->bytes_req;
	v.add.bytes_alloc = e->bytes_alloc;
	if (e->flags & MEMTRACE_F_PFN) {
		/* the pages the object spans, from its offset in the first */
		pages = ((e->addr & 4095) + e->bytes_alloc + 4095) / 4096;
		v.add.zone_pages[report__zone(r, e->pfn)] = pages;
		v.pfn = e->pfn;
		v.pages = pages;
	}
	/* 6.12 reports one large kmalloc twice, back to back on a CPU */
	old = live__find(r->live, v.key);
	if (old && e->type == MEMTRACE_EV_KMALLOC && r->last_ptr == e->addr &&
	    r->last_cpu == e->cpu) {
		struct memtrace_agg undo = old->add;

		agg__neg(&undo);
		row__add(r, old->row, &undo);
		extra__pages(r, old->row, old->pfn, old->pages, -1);
		extra__multi(r, old->row, old->pages, 1, -1);
		r->events--;
	}
	row = report__row(r, e, &v.add);
	if (row < 0)
		return row;
	v.row = row;
	if (pages) {
		extra__pages(r, row, e->pfn, pages, 1);
		extra__multi(r, row, pages, 1, 1);
	}
	r->last_ptr = e->addr;
	r->last_cpu = e->cpu;
	r->events++;
	return live__put(r->live, &v);
}

static int report__page(struct report *r, const struct memtrace_event *e)
{
	struct live v = { .key = e->pfn << 2 | LIVE_PAGE, .cpu = e->cpu };
	__u64 pages = 1ULL << e->order;
	int row;

	v.add.allocs = 1;
	v.add.bytes_req = e->bytes_req;
	v.add.bytes_alloc = e->bytes_alloc;
	v.add.zone_pages[report__zone(r, e->pfn)] = pages;
	v.add.orders[e->order < MEMTRACE_AGG_ORDERS ? e->order : MEMTRACE_AGG_ORDERS - 1] = 1;
	row = report__row(r, e, &v.add);
	if (row < 0)
		return row;
	v.row = row;
	extra__pages(r, row, e->pfn, pages, 1);
	extra__multi(r, row, pages, 1, 1);
	r->events++;
	return live__put(r->live, &v);
}

/* vmalloc: its pages came before it, in MEMTRACE_EV_VMALLOC_PAGES records */
static int report__vmalloc(struct report *r, const struct memtrace_event *e)
{
	struct live v = { .key = e->addr << 2 | LIVE_VMALLOC, .cpu = e->cpu };
	bool have = r->pfns_addr == e->addr && r->nr_pfns;
	size_t i;
	int row;

	v.add.allocs = 1;
	v.add.bytes_req = e->bytes_req;
	v.add.bytes_alloc = e->bytes_alloc;
	if (e->order)
		v.add.orders[e->order < MEMTRACE_AGG_ORDERS ? e->order : MEMTRACE_AGG_ORDERS - 1] = 1;
	for (i = 0; have && i < r->nr_pfns; i++)
		v.add.zone_pages[report__zone(r, r->pfns[i])]++;
	if (!have || r->nr_pfns < e->nr_pages)
		v.add.zone_pages[MEMTRACE_AGG_ZONES] += e->nr_pages - (have ? r->nr_pfns : 0);
	row = report__row(r, e, &v.add);
	if (row < 0)
		return row;
	v.row = row;
	for (i = 0; have && i < r->nr_pfns; i++)
		extra__pages(r, row, r->pfns[i], 1, 1);
	if (have)
		extra__multi(r, row, r->nr_pfns, pfn_runs((const uint64_t *)r->pfns, r->nr_pfns, NULL, 0), 1);
	r->nr_pfns = 0;
	r->events++;
	return live__put(r->live, &v);
}

static int report__pages(struct report *r, const struct memtrace_pages *p, __u32 len)
{
	__u32 n = p->count < MEMTRACE_PFNS_PER_CHUNK ? p->count : MEMTRACE_PFNS_PER_CHUNK;

	if (len < sizeof(*p))
		return 0;
	if (p->addr != r->pfns_addr || !p->first_index)
		r->nr_pfns = 0;
	r->pfns_addr = p->addr;
	if (array__reserve((void **)&r->pfns, &r->cap_pfns, r->nr_pfns + n, sizeof(__u64)))
		return -ENOMEM;
	memcpy(r->pfns + r->nr_pfns, p->pfns, n * sizeof(__u64));
	r->nr_pfns += n;
	return 0;
}

static int report__unlive(struct report *r, __u64 key)
{
	struct live *v = live__find(r->live, key);
	struct memtrace_agg a = {};

	if (!v)
		return 0;
	a.frees = 1;
	a.bytes_freed = v->add.bytes_alloc;
	row__add(r, v->row, &a);
	live__del(r->live, v);
	return 0;
}

static int report__failed(struct report *r, const struct memtrace_event *e)
{
	struct memtrace_agg a = { .failed = 1 };
	int row = report__row(r, e, &a);

	return row < 0 ? row : 0;
}

int report__add(void *ctx, const void *data, __u32 len)
{
	const struct memtrace_event *e = data;
	struct report *r = ctx;

	r->records++;
	if (len < sizeof(__u64) + sizeof(__u32))
		return 0;
	if (e->type == MEMTRACE_EV_VMALLOC_PAGES)
		return report__pages(r, data, len);
	if (len < sizeof(*e))
		return 0;
	switch (e->type) {
	case MEMTRACE_EV_KMALLOC:
	case MEMTRACE_EV_KMEM_CACHE_ALLOC:
	case MEMTRACE_EV_PAGE_ALLOC:
	case MEMTRACE_EV_VMALLOC:
		if (e->flags & MEMTRACE_F_FAILED)
			return report__failed(r, e);
		if (e->type == MEMTRACE_EV_PAGE_ALLOC)
			return report__page(r, e);
		if (e->type == MEMTRACE_EV_VMALLOC)
			return report__vmalloc(r, e);
		return report__slab(r, e);
	case MEMTRACE_EV_KFREE:
	case MEMTRACE_EV_KMEM_CACHE_FREE:
		return report__unlive(r, e->addr << 2 | LIVE_SLAB);
	case MEMTRACE_EV_PAGE_FREE:
		return report__unlive(r, e->pfn << 2 | LIVE_PAGE);
	case MEMTRACE_EV_VFREE:
		return report__unlive(r, e->addr << 2 | LIVE_VMALLOC);
	default:
		return 0;
	}
}

void report__finish(struct report *r)
{
	top__end(&r->top);
}

void report__free(struct report *r)
{
	if (r->live) {
		free(r->live->slots);
		free(r->live->rowidx);
	}
	free(r->live);
	free(r->extra);
	free(r->pfns);
	top__free(&r->top);
	memset(r, 0, sizeof(*r));
}
