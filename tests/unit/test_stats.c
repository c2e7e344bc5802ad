// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the study's arithmetic: order statistics (the module's
 * definitions), contiguous runs, log2, ns formatting, plot axes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "stats.h"
#include "tap.h"

static void test_summarize(void)
{
	uint64_t v[100], one[1] = { 7 };
	struct stats st;
	int i;

	for (i = 0; i < 100; i++)
		v[i] = 100 - i;		/* 100..1, unsorted */
	stats__summarize(v, 100, &st);
	tap_eq_u64(st.n, 100, "summarize: n");
	tap_eq_u64(st.min_ns, 1, "summarize: min");
	tap_eq_u64(st.median_ns, 51, "summarize: median is v[n/2] of the sorted values");
	tap_eq_u64(st.p99_ns, 100, "summarize: p99 is v[min(n-1, n*99/100)]");
	tap_eq_u64(st.max_ns, 100, "summarize: max");
	stats__summarize(one, 1, &st);
	tap_ok(st.min_ns == 7 && st.median_ns == 7 && st.p99_ns == 7 && st.max_ns == 7,
	       "summarize: one sample is every statistic");
	stats__summarize(v, 0, &st);
	tap_ok(!st.n && !st.median_ns, "summarize: no samples gives zeros");
}

static void test_runs(void)
{
	const uint64_t contig[] = { 10, 11, 12, 13 };
	const uint64_t back[] = { 13, 12, 11, 10 };
	const uint64_t holes[] = { 10, 11, UINT64_MAX, 13, 14, 20 };

	tap_eq_u64(stats__runs(contig, 4), 1, "runs: ascending frames are one run");
	tap_eq_u64(stats__runs(back, 4), 4, "runs: descending frames are one run each");
	tap_eq_u64(stats__runs(holes, 6), 4, "runs: an unmapped page is a run of its own");
	tap_eq_u64(stats__runs(contig, 0), 0, "runs: none for no frames");
	tap_eq_u64(stats__runs(contig, 1), 1, "runs: one frame, one run");
}

static void test_misc(void)
{
	char buf[16];

	tap_ok(stats__log2(0) == -1 && stats__log2(1) == 0 && stats__log2(4096) == 12 &&
	       stats__log2(4097) == 12, "log2: floor, -1 for 0");
	tap_ok(!strcmp(stats__fmt_ns(850, buf, sizeof(buf)), "850ns"), "fmt_ns: ns");
	tap_ok(!strcmp(stats__fmt_ns(12345, buf, sizeof(buf)), "12.3us"), "fmt_ns: us");
	tap_ok(!strcmp(stats__fmt_ns(4560000, buf, sizeof(buf)), "4.56ms"), "fmt_ns: ms");
	tap_ok(!strcmp(stats__fmt_ns(1200000000, buf, sizeof(buf)), "1.20s"), "fmt_ns: s");
}

static void test_axes(void)
{
	struct plot_axis lg2 = { "size", true, 2, PLOT_FMT_SIZE };
	struct plot_axis lg10 = { "ns", true, 10, PLOT_FMT_NS };
	struct plot_axis lin = { "n", false, 10, PLOT_FMT_NUM };
	double lo, hi;
	char buf[32];

	plot__range(&lg2, 64, 64 << 20, &lo, &hi);
	tap_ok(lo == 64 && hi == 64 << 20, "range: log2 axis on powers of two is exact");
	plot__range(&lg10, 150, 2500, &lo, &hi);
	tap_ok(lo == 100 && hi == 10000, "range: log10 axis rounds out to decades");
	plot__range(&lg10, 1000, 1000, &lo, &hi);
	tap_ok(lo == 100 && hi == 10000, "range: one value gets a decade each side");
	plot__range(&lin, 3, 870, &lo, &hi);
	tap_ok(lo == 0 && hi == 900, "range: linear axis from 0 to a round max");
	tap_ok(fabs(plot__map(&lg10, 1000, 100, 10000, 0, 200) - 100) < 1e-9,
	       "map: log10 midpoint");
	tap_ok(fabs(plot__map(&lg2, 4096, 64, 262144, 400, 0) - 200) < 1e-9,
	       "map: log2 midpoint on an inverted (y) axis");
	tap_ok(!strcmp(plot__label(PLOT_FMT_SIZE, 65536, buf, sizeof(buf)), "64K"),
	       "label: size");
	tap_ok(!strcmp(plot__label(PLOT_FMT_NS, 1e6, buf, sizeof(buf)), "1ms"), "label: ns");
}

static void test_svg(void)
{
	double x[] = { 64, 4096, 65536 }, y[] = { 100, 0, 1e5 };
	struct plot_series s = { "a<b", "#000", false, x, y, 3 };
	struct plot p = { "t&t", { "x", true, 2, PLOT_FMT_SIZE },
			  { "y", true, 10, PLOT_FMT_NS }, &s, 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err = plot__svg(&p, f);

	fclose(f);
	tap_ok(!err && strstr(text, "<svg") && strstr(text, "</svg>\n"), "svg: a document");
	tap_ok(strstr(text, "a&lt;b") && strstr(text, "t&amp;t") && !strstr(text, "a<b"),
	       "svg: text is escaped");
	/* y = 0 cannot be shown on a log axis: the line breaks there */
	tap_ok(strstr(text, "<polyline") && strstr(strstr(text, "<polyline") + 1, "<polyline"),
	       "svg: a point a log axis cannot show splits the line");
	free(text);

	s.n = 0;
	f = open_memstream(&text, &len);
	err = plot__svg(&p, f);
	fclose(f);
	tap_ok(err == -EINVAL && strstr(text, "no data"), "svg: no data says so");
	free(text);
}

int main(void)
{
	test_summarize();
	test_runs();
	test_misc();
	test_axes();
	test_svg();
	return tap_finish();
}
