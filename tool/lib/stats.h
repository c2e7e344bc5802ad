/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: order statistics of latency samples and contiguity of page
 * frames, the study's arithmetic.  Pure C, unit-tested (tests/unit/test_stats.c).
 */
#ifndef __MEMTRACE_STATS_H
#define __MEMTRACE_STATS_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct stats - summary of n samples (ns)
 * @n:		samples
 * @min_ns, @median_ns, @p99_ns, @max_ns: with the module's definitions
 *		(memalloc_stat(): median v[n/2], p99 v[min(n-1, n*99/100)]),
 *		so that both clocks are summarised alike
 */
struct stats {
	uint64_t n;
	uint64_t min_ns;
	uint64_t median_ns;
	uint64_t p99_ns;
	uint64_t max_ns;
};

/* Sort @v (n values) in place and summarise it; n = 0 gives all zeros. */
void stats__summarize(uint64_t *v, size_t n, struct stats *st);

/* A page that no frame backs (unmapped), in a list of PFNs; the uapi's ~0 */
#define PFN_NONE	UINT64_MAX

/* A physically contiguous run: @pages frames from @pfn */
struct pfn_run {
	uint64_t pfn;
	uint64_t pages;
};

/*
 * pfn_runs() - the physically contiguous runs of a list of page frames
 * @pfns:	the frame of each page, in virtual order; PFN_NONE if unmapped
 * @n:		pages
 * @out:	the first @max runs, in virtual order (may be NULL)
 * @max:	capacity of @out
 *
 * A run is a maximal sequence of pages whose frames are consecutive
 * (pfn, pfn + 1, ...).  An unmapped page has no frame: it belongs to no run
 * and ends the run before it.  So 10 11 - 13 14 is two runs, and a fully
 * unmapped range has none.  `memtrace run` and `memtrace study` both count
 * with this.  Returns the number of runs (all of them, not only those kept).
 */
uint32_t pfn_runs(const uint64_t *pfns, size_t n, struct pfn_run *out, uint32_t max);

/* floor(log2(v)) for v > 0, -1 for 0 */
int stats__log2(uint64_t v);

/* Format @ns as "850ns", "12.3us", "4.56ms", "1.20s" (at most 7 chars) into @buf */
const char *stats__fmt_ns(uint64_t ns, char *buf, size_t len);

/* @v (a statistic of @st) as stats__fmt_ns() does, or "-" if @st has no samples */
const char *stats__fmt_of(const struct stats *st, uint64_t v, char *buf, size_t len);

#endif /* __MEMTRACE_STATS_H */
