/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: correlate what the BPF tracer saw with what the module's
 * page-table walks say.  Pure C (no libbpf, no device): the records come in
 * as bytes, the walks as struct memalloc_pte arrays, so the host unit tests
 * drive it with made-up inputs.
 *
 * The two sources are independent: the tracer derives a PFN from the
 * allocator's own view (the direct-map address minus page_offset_base, the
 * struct page of the page allocator, vm_struct->pages[] of vmalloc); the
 * module walks pgd..pte.  An allocation is matched to its events by address
 * and by time (the events must fall inside the ALLOC call).
 */
#ifndef __MEMTRACE_CORRELATE_H
#define __MEMTRACE_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include "lib/keyidx.h"
#include "lib/stats.h"
#include "memalloc.h"
#include "bpf/memtrace.h"


/* Verdict of one allocation, and of a whole run (worst wins). */
enum corr_verdict {
	CORR_AGREE = 0,		/* every page traced, traced PFN = walked PFN */
	CORR_UNTRACED,		/* some page has no traced PFN (a missing event) */
	CORR_INCOMPLETE,	/* records were lost: drops or truncated page lists */
	CORR_DISAGREE,		/* some traced PFN != walked PFN (or walk != helper) */
};

/**
 * struct corr_alloc - one allocation made through /dev/memalloc
 * @kind, @size, @size_alloc, @addr, @handle, @latency_ns: from ALLOC
 * @t_start, @t_end:	CLOCK_MONOTONIC ns just before and after ALLOC (the
 *			clock of bpf_ktime_get_ns())
 * @pages:		the WALK of the allocation, @nr_pages entries
 * @traced_pfn:		out: per page, the traced PFN or PFN_NONE
 * @traced_by:		out: MEMTRACE_EV_* of the event that matched, 0 none
 * @agreed, @disagreed, @untraced: out: page counts
 * @helper_mismatch:	out: pages where the walk and the kernel helper differ
 * @runs:		out: physically contiguous runs of walked PFNs
 * @walk_pfn, @walk_level: out, with the BPF walk (corr_log.walk): per page,
 *			the frame and MEMALLOC_LEVEL_* the BPF program's own
 *			page-table walk found, PFN_NONE / WALK_LEVEL_NONE when
 *			the page was not walked
 * @walk_agreed, @walk_differed, @walk_missing: out: pages where the BPF walk
 *			equals the module's WALK (level and PFN), differs from
 *			it, or has no entry (not walked)
 * @verdict:		out
 */
struct corr_alloc {
	uint32_t kind;
	uint64_t size;
	uint64_t size_alloc;
	uint64_t addr;
	uint64_t handle;
	uint64_t latency_ns;
	uint64_t t_start;
	uint64_t t_end;
	struct memalloc_pte *pages;
	uint32_t nr_pages;

	uint64_t *traced_pfn;
	uint32_t traced_by;
	uint32_t agreed;
	uint32_t disagreed;
	uint32_t untraced;
	uint32_t helper_mismatch;
	uint32_t runs;
	uint64_t *walk_pfn;
	uint8_t *walk_level;
	uint32_t walk_agreed;
	uint32_t walk_differed;
	uint32_t walk_missing;
	enum corr_verdict verdict;
};

/* corr_alloc.walk_level of a page the BPF walk did not cover */
#define WALK_LEVEL_NONE	0xff

/* The BPF walk of one allocation, from MEMTRACE_EV_WALK_PAGES records */
struct corr_walk {
	uint64_t addr;
	uint64_t ts_ns;		/* the same in every chunk of one walk */
	uint32_t nr;		/* highest index + 1 seen */
	uint64_t *pfn;		/* PFN_NONE where no chunk said */
	uint8_t *level;		/* WALK_LEVEL_NONE where no chunk said */
	size_t cap, cap_level;
};

/* PFNs of one vmalloc area, assembled from MEMTRACE_EV_VMALLOC_PAGES records */
struct corr_vpages {
	uint64_t addr;
	uint64_t ts_ns;		/* of the last chunk */
	uint32_t nr;		/* highest index + 1 seen */
	uint32_t got;		/* PFNs received */
	uint64_t *pfns;
	size_t cap;		/* of @pfns */
};

/*
 * What matching reads of an allocator event (struct memtrace_event): the
 * log keeps only this, 40 bytes of the record's 96, since a run's million
 * records are written once and read twice (indexed, then matched).
 */
struct corr_event {
	uint64_t ts_ns;
	uint64_t addr;
	uint64_t pfn;
	uint32_t type;
	uint32_t flags;
	uint32_t order;
	uint32_t nr_pages;
};

/**
 * struct corr_log - the records of one run, in arrival order
 * @ev, @nr_ev:		allocator events, what matching reads of them
 * @vp, @nr_vp:		vmalloc page lists
 * @wk, @nr_wk:		BPF page-table walks
 * @walk:		the BPF walk was asked for: compare it (set by the caller)
 * @bad:		records that were too short or of an unknown type
 * @vp_by_addr, @wk_by_addr: @vp and @wk by address, kept by corr_log__add()
 * @ev_by_addr:		@ev by address, built by the first corr__match() or
 *			corr__free_traced() over the events added since (the
 *			consumer's path stays an append)
 * @ev_by_pfn:		the page events with a PFN, by PFN << PAGE_SHIFT
 *			(as @ev_by_addr; ev_by_addr.nr says how far both go)
 */
struct corr_log {
	struct corr_event *ev;
	size_t nr_ev, cap_ev;
	struct corr_vpages *vp;
	size_t nr_vp, cap_vp;
	struct corr_walk *wk;
	size_t nr_wk, cap_wk;
	bool walk;
	uint64_t bad;
	struct keyidx vp_by_addr, wk_by_addr;
	struct keyidx ev_by_addr, ev_by_pfn;
};


/**
 * struct corr_summary - the comparison over a run
 */
struct corr_summary {
	uint64_t allocations;
	uint64_t pages;
	uint64_t agreed;
	uint64_t disagreed;
	uint64_t untraced;
	uint64_t helper_mismatch;
	bool walk;			/* the BPF walk was compared */
	uint64_t walk_pages;		/* pages compared with the BPF walk */
	uint64_t walk_agreed;
	uint64_t walk_differed;
	uint64_t walk_missing;		/* not walked in BPF */
	uint64_t allocs_by_verdict[CORR_DISAGREE + 1];
	uint64_t frees;			/* FREEs done */
	uint64_t frees_traced;		/* ... with a matching free event */
	struct memtrace_counters stats;
	enum corr_verdict verdict;
};

/* The memory layout the matching needs (from MEMALLOC_IOC_INFO). */
struct corr_layout {
	uint64_t page_offset;
	uint64_t vmalloc_start;
	uint64_t vmalloc_end;
};

/* Add one ring-buffer record; 0, -EINVAL (counted in log->bad) or -ENOMEM. */
int corr_log__add(struct corr_log *log, const void *data, size_t len);
void corr_log__free(struct corr_log *log);

/*
 * Match every allocation with its events; fills the out fields. 0 or -ENOMEM.
 * The log is not const: its events are indexed here, once.
 */
int corr__match(struct corr_log *log, struct corr_alloc *allocs, size_t n,
		const struct corr_layout *layout);

/*
 * Count the free events for allocations freed at [t_start, t_end] (one call
 * per FREE): true if a kfree/vfree/kmem_cache_free/page free event of that
 * address (or its PFN for pages) falls in the window.
 */
bool corr__free_traced(struct corr_log *log, const struct corr_alloc *a,
		       const struct corr_layout *layout, uint64_t t_start, uint64_t t_end);

/*
 * Sum up; the verdict is the worst over allocations, drops and truncation.
 * With the BPF walk (@sum->walk set by the caller, kept), a page where it
 * differs from the module's WALK makes the verdict DISAGREE, and a page it
 * did not walk (or a truncated walk) makes it at worst incomplete.
 */
void corr__summarize(const struct corr_alloc *allocs, size_t n, const struct memtrace_counters *st,
		     struct corr_summary *sum);

const char *corr__verdict_name(enum corr_verdict v);

void corr_alloc__free(struct corr_alloc *a);

#endif /* __MEMTRACE_CORRELATE_H */
