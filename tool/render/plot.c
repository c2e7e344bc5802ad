// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: SVG line plots (plot.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/plot.h"

#define PLOT_W		720
#define PLOT_H		440
#define PLOT_LEFT	80
#define PLOT_RIGHT	200	/* legend: "kmem_cache module" fits */
#define PLOT_TOP	40
#define PLOT_BOTTOM	60

void plot__xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static double plot__log(const struct plot_axis *ax, double v)
{
	return log(v) / log(ax->base > 1 ? ax->base : 10);
}

void plot__range(const struct plot_axis *ax, double min, double max, double *lo, double *hi)
{
	if (!ax->log) {
		double step;

		*lo = 0;
		if (max <= 0) {
			*hi = 1;
			return;
		}
		step = pow(10, floor(log10(max)));
		*hi = ceil(max / step) * step;
		return;
	}
	if (min <= 0 || max <= 0 || min > max) {
		*lo = 1;
		*hi = ax->base;
		return;
	}
	*lo = pow(ax->base, floor(plot__log(ax, min) + 1e-9));
	*hi = pow(ax->base, ceil(plot__log(ax, max) - 1e-9));
	if (*hi <= *lo) {
		*lo /= ax->base;
		*hi *= ax->base;
	}
}

double plot__map(const struct plot_axis *ax, double v, double lo, double hi, double p0,
		 double p1)
{
	double t;

	if (ax->log)
		t = (plot__log(ax, v) - plot__log(ax, lo)) / (plot__log(ax, hi) - plot__log(ax, lo));
	else
		t = (v - lo) / (hi - lo);
	return p0 + t * (p1 - p0);
}

const char *plot__label(enum plot_fmt fmt, double v, char *buf, size_t len)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	static const char *const tunits[] = { "ns", "us", "ms", "s" };
	int u = 0;

	switch (fmt) {
	case PLOT_FMT_SIZE:
		while (v >= 1024 && u < 4) {
			v /= 1024;
			u++;
		}
		snprintf(buf, len, "%g%s", v, units[u]);
		break;
	case PLOT_FMT_NS:
		while (v >= 1000 && u < 3) {
			v /= 1000;
			u++;
		}
		snprintf(buf, len, "%g%s", v, tunits[u]);
		break;
	default:
		snprintf(buf, len, "%g", v);
		break;
	}
	return buf;
}

static bool plot__ok(const struct plot_axis *ax, double v)
{
	return isfinite(v) && (!ax->log || v > 0);
}

/* The drawing area and the data range it shows */
struct plot_frame {
	double xlo, xhi, ylo, yhi;	/* data */
	double x0, x1, y0, y1;		/* pixels */
};

/* The data range over every drawable point; the number of such points */
static size_t plot__bounds(const struct plot *p, struct plot_frame *fr)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	size_t i, k, points = 0;

	for (i = 0; i < p->nr_series; i++) {
		for (k = 0; k < p->series[i].n; k++) {
			double x = p->series[i].x[k], y = p->series[i].y[k];

			if (!plot__ok(&p->x, x) || !plot__ok(&p->y, y))
				continue;
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
			ymin = fmin(ymin, y);
			ymax = fmax(ymax, y);
			points++;
		}
	}
	if (points) {
		plot__range(&p->x, xmin, xmax, &fr->xlo, &fr->xhi);
		plot__range(&p->y, ymin, ymax, &fr->ylo, &fr->yhi);
	}
	return points;
}

/* Ticks, grid lines and labels of one axis (@k 0: x, 1: y) */
static void plot__ticks(const struct plot *p, const struct plot_frame *fr, int k, FILE *f)
{
	const struct plot_axis *ax = k ? &p->y : &p->x;
	double lo = k ? fr->ylo : fr->xlo, hi = k ? fr->yhi : fr->xhi, v, step;
	char lab[32];
	int n = 0;

	/* log: every power (every other one for base 2 over many powers) */
	step = ax->log ? ax->base : (hi - lo) / 5;
	if (ax->log && ax->base == 2 && plot__log(ax, hi / lo) > 12)
		step = 4;
	for (v = lo; v <= hi * (1 + 1e-9) && n < 64; v = ax->log ? v * step : v + step, n++) {
		double px = plot__map(ax, v, lo, hi, k ? fr->y0 : fr->x0, k ? fr->y1 : fr->x1);

		plot__label(ax->fmt, v, lab, sizeof(lab));
		if (!k)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" "
				   "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%g\" "
				   "text-anchor=\"middle\">%s</text>\n",
				px, fr->y0, px, fr->y1, px, fr->y0 + 16, lab);
		else
			fprintf(f, "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" "
				   "stroke=\"#ddd\"/><text x=\"%g\" y=\"%.1f\" "
				   "text-anchor=\"end\">%s</text>\n",
				fr->x0, px, fr->x1, px, fr->x0 - 6, px + 4, lab);
	}
}

/* The frame, both axes and their labels */
static void plot__axes(const struct plot *p, const struct plot_frame *fr, FILE *f)
{
	fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
		   "stroke=\"black\"/>\n", fr->x0, fr->y1, fr->x1 - fr->x0, fr->y0 - fr->y1);
	plot__ticks(p, fr, 0, f);
	plot__ticks(p, fr, 1, f);
	fprintf(f, "<text x=\"%g\" y=\"%d\" text-anchor=\"middle\">", (fr->x0 + fr->x1) / 2,
		PLOT_H - 20);
	plot__xml(f, p->x.label);
	fprintf(f, "</text>\n<text transform=\"translate(18,%g) rotate(-90)\" "
		   "text-anchor=\"middle\">", (fr->y0 + fr->y1) / 2);
	plot__xml(f, p->y.label);
	fputs("</text>\n", f);
}

/* Series @i: a polyline through its drawable points (broken at gaps), dots, legend */
static void plot__series(const struct plot *p, const struct plot_frame *fr, size_t i, FILE *f)
{
	const struct plot_series *s = &p->series[i];
	const char *dash = s->dashed ? " stroke-dasharray=\"6,4\"" : "";
	bool open = false;
	size_t k;

	for (k = 0; k <= s->n; k++) {
		bool ok = k < s->n && plot__ok(&p->x, s->x[k]) && plot__ok(&p->y, s->y[k]);

		if (!ok) {
			if (open)
				fputs("\"/>\n", f);
			open = false;
			continue;
		}
		if (!open)
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s "
				   "points=\"", s->color, dash);
		fprintf(f, "%s%.1f,%.1f", open ? " " : "",
			plot__map(&p->x, s->x[k], fr->xlo, fr->xhi, fr->x0, fr->x1),
			plot__map(&p->y, s->y[k], fr->ylo, fr->yhi, fr->y0, fr->y1));
		open = true;
	}
	for (k = 0; k < s->n; k++) {
		if (plot__ok(&p->x, s->x[k]) && plot__ok(&p->y, s->y[k]))
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
				plot__map(&p->x, s->x[k], fr->xlo, fr->xhi, fr->x0, fr->x1),
				plot__map(&p->y, s->y[k], fr->ylo, fr->yhi, fr->y0, fr->y1),
				s->color);
	}
	fprintf(f, "<line x1=\"%g\" y1=\"%zu\" x2=\"%g\" y2=\"%zu\" stroke=\"%s\" "
		   "stroke-width=\"2\"%s/><text x=\"%g\" y=\"%zu\">",
		fr->x1 + 12, (size_t)fr->y1 + 10 + 18 * i, fr->x1 + 40,
		(size_t)fr->y1 + 10 + 18 * i, s->color, dash, fr->x1 + 46,
		(size_t)fr->y1 + 14 + 18 * i);
	plot__xml(f, s->name);
	fputs("</text>\n", f);
}

int plot__svg(const struct plot *p, FILE *f)
{
	struct plot_frame fr = { .x0 = PLOT_LEFT, .x1 = PLOT_W - PLOT_RIGHT,
				 .y0 = PLOT_H - PLOT_BOTTOM, .y1 = PLOT_TOP };
	size_t i, points = plot__bounds(p, &fr);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		PLOT_W, PLOT_H, PLOT_W, PLOT_H);
	fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">",
		(PLOT_W - PLOT_RIGHT + PLOT_LEFT) / 2);
	plot__xml(f, p->title);
	fputs("</text>\n", f);
	if (!points) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no data</text>\n</svg>\n",
			PLOT_W / 2, PLOT_H / 2);
		return -EINVAL;
	}
	plot__axes(p, &fr, f);
	for (i = 0; i < p->nr_series; i++)
		plot__series(p, &fr, i, f);
	fputs("</svg>\n", f);
	return 0;
}
