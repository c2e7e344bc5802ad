// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: correlate traced events with the module's walks (see
 * correlate.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/stats.h"
#include "run/correlate.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ULL << PAGE_SHIFT)

/* Records read ahead when indexing the log: about 1 KB */
#define EV_PREFETCH	24

/* The page list of @addr that is still open (the newest one). */
static struct corr_vpages *vpages__find(const struct corr_log *log, uint64_t addr)
{
	size_t i = keyidx__newest(&log->vp_by_addr, addr);

	return i == KEYIDX_END ? NULL : &log->vp[i];
}

static int corr_log__add_pages(struct corr_log *log, const struct memtrace_pages *p)
{
	struct corr_vpages *vp;
	uint64_t need = (uint64_t)p->first_index + p->count;
	uint32_t i;

	if (p->count > MEMTRACE_PFNS_PER_CHUNK || need > MEMTRACE_VMALLOC_MAX_PAGES)
		return -EINVAL;
	vp = vpages__find(log, p->addr);
	/* A chunk for an index already filled: a new area at a reused address. */
	if (!vp || (p->first_index < vp->nr && vp->pfns[p->first_index] != PFN_NONE)) {
		if (array__reserve((void **)&log->vp, &log->cap_vp, log->nr_vp + 1, sizeof(*log->vp)) ||
		    keyidx__add(&log->vp_by_addr, log->nr_vp, p->addr))
			return -ENOMEM;
		vp = &log->vp[log->nr_vp++];
		memset(vp, 0, sizeof(*vp));
		vp->addr = p->addr;
	}
	if (need > vp->nr) {
		if (array__reserve((void **)&vp->pfns, &vp->cap, need, sizeof(*vp->pfns)))
			return -ENOMEM;
		for (i = vp->nr; i < need; i++)
			vp->pfns[i] = PFN_NONE;
		vp->nr = need;
	}
	for (i = 0; i < p->count; i++) {
		if (vp->pfns[p->first_index + i] == PFN_NONE)
			vp->got++;
		vp->pfns[p->first_index + i] = p->pfns[i];
	}
	vp->ts_ns = p->ts_ns;
	return 0;
}

/* The walk the chunk @w belongs to: same address, same time stamp. */
static struct corr_walk *walk__find(const struct corr_log *log, uint64_t addr, uint64_t ts)
{
	size_t i;

	keyidx__for_each(&log->wk_by_addr, addr, i) {
		if (log->wk[i].ts_ns == ts)
			return &log->wk[i];
	}
	return NULL;
}

static int corr_log__add_walk(struct corr_log *log, const struct memtrace_walk *w)
{
	uint64_t need = (uint64_t)w->first_index + w->count;
	struct corr_walk *cw;
	uint32_t i;

	if (w->count > MEMTRACE_WALK_PER_CHUNK || need > MEMTRACE_WALK_MAX_PAGES)
		return -EINVAL;
	for (i = 0; i < w->count; i++) {
		if (w->level[i] > MEMALLOC_LEVEL_PUD)
			return -EINVAL;
	}
	cw = walk__find(log, w->addr, w->ts_ns);
	if (!cw) {
		if (array__reserve((void **)&log->wk, &log->cap_wk, log->nr_wk + 1, sizeof(*log->wk)) ||
		    keyidx__add(&log->wk_by_addr, log->nr_wk, w->addr))
			return -ENOMEM;
		cw = &log->wk[log->nr_wk++];
		memset(cw, 0, sizeof(*cw));
		cw->addr = w->addr;
		cw->ts_ns = w->ts_ns;
	}
	if (need > cw->nr) {
		if (array__reserve((void **)&cw->pfn, &cw->cap, need, sizeof(*cw->pfn)) ||
		    array__reserve((void **)&cw->level, &cw->cap_level, need, sizeof(*cw->level)))
			return -ENOMEM;
		for (i = cw->nr; i < need; i++) {
			cw->pfn[i] = PFN_NONE;
			cw->level[i] = WALK_LEVEL_NONE;
		}
		cw->nr = need;
	}
	for (i = 0; i < w->count; i++) {
		cw->pfn[w->first_index + i] = w->pfn[i];
		cw->level[w->first_index + i] = w->level[i];
	}
	return 0;
}

int corr_log__add(struct corr_log *log, const void *data, size_t len)
{
	const struct memtrace_event *e = data;
	int err;

	/* Every record starts with ts_ns, type, tgid. */
	if (len < 16)
		goto bad;
	if (e->type == MEMTRACE_EV_VMALLOC_PAGES) {
		if (len < sizeof(struct memtrace_pages))
			goto bad;
		err = corr_log__add_pages(log, data);
		if (err == -EINVAL)
			goto bad;
		return err;
	}
	if (e->type == MEMTRACE_EV_WALK_PAGES) {
		if (len < sizeof(struct memtrace_walk))
			goto bad;
		err = corr_log__add_walk(log, data);
		if (err == -EINVAL)
			goto bad;
		return err;
	}
	if (e->type == 0 || e->type >= MEMTRACE_EV_MAX || len < sizeof(*e))
		goto bad;
	if (array__reserve((void **)&log->ev, &log->cap_ev, log->nr_ev + 1, sizeof(*log->ev)))
		return -ENOMEM;
	log->ev[log->nr_ev++] = (struct corr_event){
		.ts_ns = e->ts_ns,
		.addr = e->addr,
		.pfn = e->pfn,
		.type = e->type,
		.flags = e->flags,
		.order = e->order,
		.nr_pages = e->nr_pages,
	};
	return 0;
bad:
	log->bad++;
	return -EINVAL;
}

void corr_log__free(struct corr_log *log)
{
	size_t i;

	for (i = 0; i < log->nr_vp; i++)
		free(log->vp[i].pfns);
	free(log->vp);
	for (i = 0; i < log->nr_wk; i++) {
		free(log->wk[i].pfn);
		free(log->wk[i].level);
	}
	free(log->wk);
	free(log->ev);
	keyidx__free(&log->vp_by_addr);
	keyidx__free(&log->wk_by_addr);
	keyidx__free(&log->ev_by_addr);
	keyidx__free(&log->ev_by_pfn);
	memset(log, 0, sizeof(*log));
}

/* Page events are looked up by frame: the allocation's or the free's. */
static bool is_page_event(const struct corr_event *e)
{
	return (e->type == MEMTRACE_EV_PAGE_ALLOC || e->type == MEMTRACE_EV_PAGE_FREE) &&
	       (e->flags & MEMTRACE_F_PFN);
}

/*
 * Index the events added since the last call (ev_by_addr.nr on).  On
 * failure both indexes are dropped, so that the next call starts over
 * rather than add a member twice.
 */
static int corr_log__index(struct corr_log *log)
{
	size_t i;

	for (i = log->ev_by_addr.nr; i < log->nr_ev; i++) {
		const struct corr_event *e = &log->ev[i];

		/*
		 * The log is far bigger than the caches and the hardware's
		 * prefetch stops at each 4 KB page: ask for a few records
		 * ahead, or every record waits for memory.
		 */
		if (i + EV_PREFETCH < log->nr_ev)
			__builtin_prefetch(&log->ev[i + EV_PREFETCH]);
		if (keyidx__add(&log->ev_by_addr, i, e->addr) ||
		    (is_page_event(e) && keyidx__add(&log->ev_by_pfn, i, e->pfn << PAGE_SHIFT))) {
			keyidx__free(&log->ev_by_addr);
			keyidx__free(&log->ev_by_pfn);
			return -ENOMEM;
		}
	}
	log->ev_by_addr.nr = log->ev_by_pfn.nr = log->nr_ev;
	return 0;
}

/* Runs of the walked frames (pfn_runs()); 0 or -ENOMEM */
static int corr__runs(const struct memalloc_pte *pages, uint32_t n, uint32_t *runs)
{
	uint64_t *pfns = malloc((n ? n : 1) * sizeof(*pfns));
	uint32_t i;

	if (!pfns)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pfns[i] = pages[i].pfn;
	*runs = pfn_runs(pfns, n, NULL, 0);
	free(pfns);
	return 0;
}

static bool in_window(const struct corr_event *e, const struct corr_alloc *a)
{
	return e->ts_ns >= a->t_start && e->ts_ns <= a->t_end;
}

static unsigned int order_of(uint64_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static bool is_vmalloc(const struct corr_layout *l, uint64_t addr)
{
	return addr >= l->vmalloc_start && addr <= l->vmalloc_end;
}

/* The newest event of @type at @addr inside the ALLOC call. */
static const struct corr_event *find_event(const struct corr_log *log,
					   const struct corr_alloc *a, uint32_t type)
{
	size_t i;

	/* the chain of a->addr: e->addr == a->addr, newest first */
	keyidx__for_each(&log->ev_by_addr, a->addr, i) {
		const struct corr_event *e = &log->ev[i];

		if (e->type == type && in_window(e, a) && !(e->flags & MEMTRACE_F_FAILED))
			return e;
	}
	return NULL;
}

/*
 * alloc_pages: the page event of the right order inside the call whose
 * PFN maps, through the direct map, to the address.  There is no other
 * way to tell it from the pages the call allocates for itself (a slab
 * refill, an xarray node): no such event means untraced.
 */
static const struct corr_event *find_page_event(const struct corr_log *log,
						const struct corr_alloc *a,
						const struct corr_layout *l)
{
	const struct corr_event *first = NULL;
	unsigned int order = order_of(a->size);
	size_t i;

	/*
	 * The chain holds the page events whose frame maps to the address,
	 * newest first; the oldest match is the one wanted (the first in the
	 * log), so walk it all.
	 */
	keyidx__for_each(&log->ev_by_pfn, a->addr - l->page_offset, i) {
		const struct corr_event *e = &log->ev[i];

		if (e->type == MEMTRACE_EV_PAGE_ALLOC && e->order == order && in_window(e, a) &&
		    (e->flags & MEMTRACE_F_PFN) &&
		    l->page_offset + (e->pfn << PAGE_SHIFT) == a->addr)
			first = e;
	}
	return first;
}

/*
 * The BPF walk of @a: the newest walk of its first page made during the
 * ALLOC call (for a slab object, other walks of the same slab page come
 * from other calls; within one call they read the same tables).
 */
static const struct corr_walk *find_walk(const struct corr_log *log, const struct corr_alloc *a)
{
	uint64_t base = a->addr & ~(PAGE_SIZE - 1);
	size_t i;

	keyidx__for_each(&log->wk_by_addr, base, i) {
		const struct corr_walk *w = &log->wk[i];

		if (w->ts_ns >= a->t_start && w->ts_ns <= a->t_end)
			return w;
	}
	return NULL;
}

/* Compare the BPF walk with the module's WALK, page by page (level and PFN). */
static void match_walk(const struct corr_log *log, struct corr_alloc *a)
{
	const struct corr_walk *w = find_walk(log, a);
	uint64_t base = a->addr & ~(PAGE_SIZE - 1);
	uint32_t i;

	for (i = 0; i < a->nr_pages; i++) {
		const struct memalloc_pte *p = &a->pages[i];
		uint64_t idx = (p->addr - base) >> PAGE_SHIFT;
		uint64_t pfn = PFN_NONE;
		uint8_t level = WALK_LEVEL_NONE;

		if (w && idx < w->nr) {
			pfn = w->pfn[idx];
			level = w->level[idx];
		}
		a->walk_pfn[i] = pfn;
		a->walk_level[i] = level;
		if (level == WALK_LEVEL_NONE)
			a->walk_missing++;
		else if (level == p->level && pfn == p->pfn)
			a->walk_agreed++;
		else
			a->walk_differed++;
	}
	if (a->walk_differed)
		a->verdict = CORR_DISAGREE;
	else if (a->walk_missing && a->verdict < CORR_INCOMPLETE)
		a->verdict = CORR_INCOMPLETE;
}

static void match_one(const struct corr_log *log, struct corr_alloc *a,
		      const struct corr_layout *l)
{
	const struct corr_event *e = NULL;
	const struct corr_vpages *vp = NULL;
	uint64_t base = a->addr & ~(PAGE_SIZE - 1);
	bool truncated = false;
	uint32_t i;

	switch (a->kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		e = find_event(log, a, MEMTRACE_EV_KMALLOC);
		break;
	case MEMALLOC_KIND_KMEM_CACHE:
		e = find_event(log, a, MEMTRACE_EV_KMEM_CACHE_ALLOC);
		break;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		e = find_event(log, a, MEMTRACE_EV_VMALLOC);
		break;
	case MEMALLOC_KIND_KVMALLOC:
		e = find_event(log, a, is_vmalloc(l, a->addr) ? MEMTRACE_EV_VMALLOC :
								MEMTRACE_EV_KMALLOC);
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		e = find_page_event(log, a, l);
		break;
	}

	if (e && e->type == MEMTRACE_EV_VMALLOC) {
		/* The page list of this area, sent during this call. */
		vp = vpages__find(log, a->addr);
		if (vp && (vp->ts_ns < a->t_start || vp->ts_ns > a->t_end))
			vp = NULL;
		truncated = e->flags & MEMTRACE_F_TRUNCATED;
	}
	a->traced_by = e ? e->type : 0;

	for (i = 0; i < a->nr_pages; i++) {
		uint64_t t = PFN_NONE;
		uint64_t idx = (a->pages[i].addr - base) >> PAGE_SHIFT;

		if (!e) {
			/* no event: nothing traced */
		} else if (e->type == MEMTRACE_EV_VMALLOC) {
			if (vp && idx < vp->nr && idx < e->nr_pages)
				t = vp->pfns[idx];
		} else if (e->flags & MEMTRACE_F_PFN) {
			/* e->pfn is page 0's; the direct map is linear after it. */
			t = e->pfn + idx;
		}
		a->traced_pfn[i] = t;
		if (a->pages[i].pfn != a->pages[i].helper_pfn)
			a->helper_mismatch++;
		if (t == PFN_NONE)
			a->untraced++;
		else if (t == a->pages[i].pfn)
			a->agreed++;
		else
			a->disagreed++;
	}
	if (a->disagreed || a->helper_mismatch)
		a->verdict = CORR_DISAGREE;
	else if (a->untraced && truncated)
		a->verdict = CORR_INCOMPLETE;
	else if (a->untraced)
		a->verdict = CORR_UNTRACED;
	else
		a->verdict = CORR_AGREE;
}

int corr__match(struct corr_log *log, struct corr_alloc *allocs, size_t n,
		const struct corr_layout *layout)
{
	size_t i;

	if (corr_log__index(log))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct corr_alloc *a = &allocs[i];

		free(a->traced_pfn);
		a->traced_pfn = calloc(a->nr_pages ? a->nr_pages : 1, sizeof(*a->traced_pfn));
		if (!a->traced_pfn)
			return -ENOMEM;
		a->agreed = a->disagreed = a->untraced = a->helper_mismatch = 0;
		a->walk_agreed = a->walk_differed = a->walk_missing = 0;
		match_one(log, a, layout);
		free(a->walk_pfn);
		free(a->walk_level);
		a->walk_pfn = NULL;
		a->walk_level = NULL;
		if (log->walk) {
			a->walk_pfn = calloc(a->nr_pages ? a->nr_pages : 1, sizeof(*a->walk_pfn));
			a->walk_level = calloc(a->nr_pages ? a->nr_pages : 1, 1);
			if (!a->walk_pfn || !a->walk_level)
				return -ENOMEM;
			match_walk(log, a);
		}
		if (corr__runs(a->pages, a->nr_pages, &a->runs))
			return -ENOMEM;
	}
	return 0;
}

/* Is @e the free of @a (whose frame is @pfn) in [t_start, t_end]? */
static bool is_free_of(const struct corr_event *e, const struct corr_alloc *a, uint64_t pfn,
		       uint64_t t_start, uint64_t t_end)
{
	if (e->ts_ns < t_start || e->ts_ns > t_end)
		return false;
	switch (e->type) {
	case MEMTRACE_EV_KFREE:
	case MEMTRACE_EV_KMEM_CACHE_FREE:
	case MEMTRACE_EV_VFREE:
		return e->addr == a->addr;
	case MEMTRACE_EV_PAGE_FREE:
		return a->kind == MEMALLOC_KIND_ALLOC_PAGES && (e->flags & MEMTRACE_F_PFN) &&
		       e->pfn == pfn;
	}
	return false;
}

bool corr__free_traced(struct corr_log *log, const struct corr_alloc *a,
		       const struct corr_layout *layout, uint64_t t_start, uint64_t t_end)
{
	uint64_t pfn = (a->addr - layout->page_offset) >> PAGE_SHIFT;
	size_t i;

	/* Out of memory for the index: the answer is the same from a scan. */
	if (corr_log__index(log)) {
		for (i = 0; i < log->nr_ev; i++) {
			if (is_free_of(&log->ev[i], a, pfn, t_start, t_end))
				return true;
		}
		return false;
	}
	/* Any match will do: the free events of the address, then of its frame. */
	keyidx__for_each(&log->ev_by_addr, a->addr, i) {
		if (is_free_of(&log->ev[i], a, pfn, t_start, t_end))
			return true;
	}
	if (a->kind != MEMALLOC_KIND_ALLOC_PAGES)
		return false;
	keyidx__for_each(&log->ev_by_pfn, pfn << PAGE_SHIFT, i) {
		if (is_free_of(&log->ev[i], a, pfn, t_start, t_end))
			return true;
	}
	return false;
}

void corr__summarize(const struct corr_alloc *allocs, size_t n, const struct memtrace_counters *st,
		     struct corr_summary *sum)
{
	uint64_t frees = sum->frees, frees_traced = sum->frees_traced;
	bool walk = sum->walk;
	size_t i;

	/* Everything but the free counts and the walk flag, which the caller keeps. */
	memset(sum, 0, sizeof(*sum));
	sum->frees = frees;
	sum->frees_traced = frees_traced;
	sum->walk = walk;
	if (st)
		sum->stats = *st;
	sum->verdict = CORR_AGREE;
	for (i = 0; i < n; i++) {
		const struct corr_alloc *a = &allocs[i];

		sum->allocations++;
		sum->pages += a->nr_pages;
		sum->agreed += a->agreed;
		sum->disagreed += a->disagreed;
		sum->untraced += a->untraced;
		sum->helper_mismatch += a->helper_mismatch;
		if (walk) {
			sum->walk_pages += a->nr_pages;
			sum->walk_agreed += a->walk_agreed;
			sum->walk_differed += a->walk_differed;
			sum->walk_missing += a->walk_missing;
		}
		sum->allocs_by_verdict[a->verdict]++;
		if (a->verdict > sum->verdict)
			sum->verdict = a->verdict;
	}
	/*
	 * Lost records make any "agree" or "untraced" incomplete.  Recursion
	 * misses are runs the kernel skipped, of any process: they matter when
	 * one of ours lacks its event (untraced), not when every page agrees.
	 */
	if ((sum->stats.drops || sum->stats.truncated || (walk && sum->stats.walk_truncated)) &&
	    sum->verdict < CORR_INCOMPLETE)
		sum->verdict = CORR_INCOMPLETE;
	if (sum->stats.recursion_misses && sum->verdict == CORR_UNTRACED)
		sum->verdict = CORR_INCOMPLETE;
}

const char *corr__verdict_name(enum corr_verdict v)
{
	switch (v) {
	case CORR_AGREE:
		return "agree";
	case CORR_UNTRACED:
		return "untraced";
	case CORR_INCOMPLETE:
		return "incomplete";
	case CORR_DISAGREE:
		return "DISAGREE";
	}
	return "?";
}

void corr_alloc__free(struct corr_alloc *a)
{
	free(a->pages);
	free(a->traced_pfn);
	free(a->walk_pfn);
	free(a->walk_level);
	a->pages = NULL;
	a->traced_pfn = NULL;
	a->walk_pfn = NULL;
	a->walk_level = NULL;
}
