// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: latency order statistics and page-frame contiguity (stats.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"

static int stats__cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void stats__summarize(uint64_t *v, size_t n, struct stats *st)
{
	size_t p99;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), stats__cmp);
	p99 = (size_t)((uint64_t)n * 99 / 100);
	if (p99 > n - 1)
		p99 = n - 1;
	st->n = n;
	st->min_ns = v[0];
	st->median_ns = v[n / 2];
	st->p99_ns = v[p99];
	st->max_ns = v[n - 1];
}

uint32_t pfn_runs(const uint64_t *pfns, size_t n, struct pfn_run *out, uint32_t max)
{
	uint32_t runs = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pfns[i] == PFN_NONE)
			continue;
		if (i && pfns[i - 1] != PFN_NONE && pfns[i] == pfns[i - 1] + 1) {
			if (out && runs <= max)
				out[runs - 1].pages++;
			continue;
		}
		if (out && runs < max)
			out[runs] = (struct pfn_run){ .pfn = pfns[i], .pages = 1 };
		runs++;
	}
	return runs;
}

int stats__log2(uint64_t v)
{
	int l = -1;

	while (v) {
		v >>= 1;
		l++;
	}
	return l;
}

const char *stats__fmt_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 100000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 100000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.0fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

const char *stats__fmt_of(const struct stats *st, uint64_t v, char *buf, size_t len)
{
	if (!st->n) {
		snprintf(buf, len, "-");
		return buf;
	}
	return stats__fmt_ns(v, buf, len);
}
