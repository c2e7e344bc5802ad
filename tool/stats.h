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

/*
 * Physically contiguous runs in @pfns (n frames in virtual order): a run
 * continues while pfn[i] == pfn[i-1] + 1.  An unmapped frame (~0) is a run
 * of its own.  0 for n = 0.
 */
uint32_t stats__runs(const uint64_t *pfns, size_t n);

/* floor(log2(v)) for v > 0, -1 for 0 */
int stats__log2(uint64_t v);

/* Format @ns as "850ns", "12.3us", "4.56ms", "1.20s" (at most 7 chars) into @buf */
const char *stats__fmt_ns(uint64_t ns, char *buf, size_t len);

#endif /* __MEMTRACE_STATS_H */
