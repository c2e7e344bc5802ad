/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: small SVG line plots (log or linear axes) for the study's
 * report, drawn without gnuplot so the host needs nothing more.  Pure C,
 * unit-tested: the axis arithmetic is exposed.
 */
#ifndef __MEMTRACE_PLOT_H
#define __MEMTRACE_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum plot_fmt { PLOT_FMT_NUM, PLOT_FMT_SIZE, PLOT_FMT_NS };

/* An axis: log scale of @base (2 or 10) or linear; tick labels as @fmt */
struct plot_axis {
	const char *label;
	bool log;
	int base;
	enum plot_fmt fmt;
};

struct plot_series {
	const char *name;
	const char *color;
	bool dashed;
	const double *x;
	const double *y;
	size_t n;
};

struct plot {
	const char *title;
	struct plot_axis x, y;
	const struct plot_series *series;
	size_t nr_series;
};

/*
 * The axis range [*lo, *hi] covering the data [min, max]: whole powers of
 * @base on a log axis (a single value gets one power each side), 0 to max
 * rounded up on a linear one.  Values <= 0 are ignored on a log axis.
 */
void plot__range(const struct plot_axis *ax, double min, double max, double *lo, double *hi);

/* The pixel of @v on an axis [lo, hi] drawn from @p0 to @p1 */
double plot__map(const struct plot_axis *ax, double v, double lo, double hi, double p0,
		 double p1);

/* Label of a tick value: "64", "4K", "1M" (size), "100ns", "1us" (ns), "1000" (num) */
const char *plot__label(enum plot_fmt fmt, double v, char *buf, size_t len);

/*
 * Draw @p as a standalone SVG document into @f; points with values the axes
 * cannot show (<= 0 on a log axis) are left out.  Return 0 or -EINVAL when
 * no point can be drawn (an SVG saying "no data" is still written).
 */
int plot__svg(const struct plot *p, FILE *f);

/* Write @s XML-escaped */
void plot__xml(FILE *f, const char *s);

#endif /* __MEMTRACE_PLOT_H */
