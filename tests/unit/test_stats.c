// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the study's arithmetic: order statistics (the module's
 * definitions), contiguous runs, log2, ns formatting, plot axes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/plot.h"
#include "lib/stats.h"
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
	tap_eq_u64(st.min_ns, 7, "summarize: one sample is the min");
	tap_eq_u64(st.median_ns, 7, "summarize: one sample is the median");
	tap_eq_u64(st.p99_ns, 7, "summarize: one sample is the p99");
	tap_eq_u64(st.max_ns, 7, "summarize: one sample is the max");
	stats__summarize(v, 0, &st);
	tap_eq_u64(st.n, 0, "summarize: no samples, n 0");
	tap_eq_u64(st.median_ns, 0, "summarize: no samples, median 0");
}

static void test_runs(void)
{
	const uint64_t contig[] = { 10, 11, 12, 13 };
	const uint64_t back[] = { 13, 12, 11, 10 };
	const uint64_t holes[] = { 10, 11, PFN_NONE, 12, 13, 20 };
	const uint64_t unmapped[] = { PFN_NONE, PFN_NONE };
	struct pfn_run r[2];

	tap_eq_u64(pfn_runs(contig, 4, NULL, 0), 1, "runs: ascending frames are one run");
	tap_eq_u64(pfn_runs(back, 4, NULL, 0), 4, "runs: descending frames are one run each");
	tap_eq_u64(pfn_runs(holes, 6, NULL, 0), 3,
		   "runs: an unmapped page is in no run and splits 10 11 - 12 13");
	tap_eq_u64(pfn_runs(unmapped, 2, NULL, 0), 0, "runs: unmapped pages make no run");
	tap_eq_u64(pfn_runs(contig, 0, NULL, 0), 0, "runs: none for no frames");
	tap_eq_u64(pfn_runs(contig, 1, NULL, 0), 1, "runs: one frame, one run");
	tap_eq_u64(pfn_runs(holes, 6, r, 2), 3, "runs: the count includes runs not kept");
	tap_eq_u64(r[0].pfn, 10, "runs: first run starts at frame 10");
	tap_eq_u64(r[0].pages, 2, "runs: first run is 2 pages");
	tap_eq_u64(r[1].pfn, 12, "runs: second run starts at frame 12 (after the hole)");
	tap_eq_u64(r[1].pages, 2, "runs: second run is 2 pages");
}

static void test_misc(void)
{
	char buf[16];

	tap_eq_s64(stats__log2(0), -1, "log2: -1 for 0");
	tap_eq_s64(stats__log2(1), 0, "log2: 1 is 2^0");
	tap_eq_s64(stats__log2(4096), 12, "log2: 4096 is 2^12");
	tap_eq_s64(stats__log2(4097), 12, "log2: rounds down (4097)");
	tap_eq_str(stats__fmt_ns(850, buf, sizeof(buf)), "850ns", "fmt_ns: ns");
	tap_eq_str(stats__fmt_ns(12345, buf, sizeof(buf)), "12.3us", "fmt_ns: us");
	tap_eq_str(stats__fmt_ns(4560000, buf, sizeof(buf)), "4.56ms", "fmt_ns: ms");
	tap_eq_str(stats__fmt_ns(1200000000, buf, sizeof(buf)), "1.20s", "fmt_ns: s");
}

static void test_axes(void)
{
	struct plot_axis lg2 = { "size", true, 2, PLOT_FMT_SIZE };
	struct plot_axis lg10 = { "ns", true, 10, PLOT_FMT_NS };
	struct plot_axis lin = { "n", false, 10, PLOT_FMT_NUM };
	double lo, hi;
	char buf[32];

	plot__range(&lg2, 64, 64 << 20, &lo, &hi);
	tap_near(lo, 64, 0, "range: log2 axis on powers of two starts exactly at the min");
	tap_near(hi, 64 << 20, 0, "range: log2 axis on powers of two ends exactly at the max");
	plot__range(&lg10, 150, 2500, &lo, &hi);
	tap_near(lo, 100, 0, "range: log10 axis rounds the min down to a decade");
	tap_near(hi, 10000, 0, "range: log10 axis rounds the max up to a decade");
	plot__range(&lg10, 1000, 1000, &lo, &hi);
	tap_near(lo, 100, 0, "range: one value gets a decade below");
	tap_near(hi, 10000, 0, "range: one value gets a decade above");
	plot__range(&lin, 3, 870, &lo, &hi);
	tap_near(lo, 0, 0, "range: linear axis from 0");
	tap_near(hi, 900, 0, "range: linear axis to a round max");
	tap_near(plot__map(&lg10, 1000, 100, 10000, 0, 200), 100, 1e-9, "map: log10 midpoint");
	tap_near(plot__map(&lg2, 4096, 64, 262144, 400, 0), 200, 1e-9,
		 "map: log2 midpoint on an inverted (y) axis");
	tap_eq_str(plot__label(PLOT_FMT_SIZE, 65536, buf, sizeof(buf)), "64K", "label: size");
	tap_eq_str(plot__label(PLOT_FMT_NS, 1e6, buf, sizeof(buf)), "1ms", "label: ns");
}

static void test_svg(void)
{
	double x[] = { 64, 4096, 65536 }, y[] = { 100, 0, 1e5 };
	struct plot_series s = { "a<b", "#000", false, x, y, 3 };
	struct plot p = { "t&t", { "x", true, 2, PLOT_FMT_SIZE },
			  { "y", true, 10, PLOT_FMT_NS }, &s, 1 };
	char *text = NULL, *poly;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		tap_bail("open_memstream: out of memory");
	err = plot__svg(&p, f);

	fclose(f);
	tap_err(err, 0, "svg: plot__svg succeeds");
	tap_has_str(text, "<svg", "svg: opens an <svg> element");
	tap_has_str(text, "</svg>\n", "svg: closes it at the end");
	tap_has_str(text, "a&lt;b", "svg: '<' in a series name is escaped");
	tap_has_str(text, "t&amp;t", "svg: '&' in the title is escaped");
	tap_no_str(text, "a<b", "svg: no unescaped '<' from the series name");
	/* y = 0 cannot be shown on a log axis: the line breaks there */
	poly = text ? strstr(text, "<polyline") : NULL;
	tap_has_str(text, "<polyline", "svg: the series is drawn as a polyline");
	tap_has_str(poly ? poly + 1 : NULL, "<polyline",
		    "svg: a point a log axis cannot show splits the line in two");
	free(text);

	s.n = 0;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	err = plot__svg(&p, f);
	fclose(f);
	tap_err(err, -EINVAL, "svg: no data is an error");
	tap_has_str(text, "no data", "svg: no data says so in the plot");
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
