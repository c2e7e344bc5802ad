// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render --physmap: the physical map of a recording's report
 * ('memtrace report -j'): the physical address axis with System RAM and the
 * zones of each node, and a band per top caller showing where its pages
 * landed, coloured by allocator.  SVG, no other tool needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "lib/warn.h"
#include "render/physmap.h"
#include "render/plot.h"

#define W		1100
#define LEFT		300
#define RIGHT		20
#define BAND		22
#define MAX_ROWS	16

static const char *kind__color(const char *kind)
{
	if (!strcmp(kind, "kmalloc"))
		return "#1f77b4";
	if (!strcmp(kind, "kmem_cache"))
		return "#17becf";
	if (!strcmp(kind, "alloc_pages"))
		return "#ff7f0e";
	if (!strcmp(kind, "vmalloc"))
		return "#9467bd";
	return "#7f7f7f";
}

static const char *zone__color(int i)
{
	static const char *const c[] = { "#fde0c5", "#c6dbef", "#c7e9c0", "#e5d8f0" };

	return c[i % 4];
}

static __u64 get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (__u64)json_object_get_int64(v) : 0;
}

static __u64 get_hex(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       strtoull(json_object_get_string(v), NULL, 16) : 0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "?";
}

static double px(double pfn, double max_pfn)
{
	return LEFT + (W - LEFT - RIGHT) * pfn / max_pfn;
}

static void svg__axis(FILE *f, double max_pfn, int y)
{
	char label[32];
	int i;

	fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#444'/>\n", LEFT, y, W - RIGHT, y);
	for (i = 0; i <= 8; i++) {
		double pfn = max_pfn * i / 8;

		plot__label(PLOT_FMT_SIZE, pfn * 4096, label, sizeof(label));
		fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#444'/>"
			"<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>\n",
			px(pfn, max_pfn), y, px(pfn, max_pfn), y + 4, px(pfn, max_pfn), y + 16,
			label);
	}
	fprintf(f, "<text x='%d' y='%d' font-size='12'>physical address</text>\n", 10, y + 16);
}

/* System RAM, then the zones, one band per node */
static int svg__layout(FILE *f, json_object *doc, double max_pfn, int y)
{
	json_object *ram, *zones, *z;
	int i, node, nodes = 0;

	fprintf(f, "<text x='10' y='%d' font-size='12'>System RAM (/proc/iomem)</text>\n", y + 15);
	if (json_object_object_get_ex(doc, "ram", &ram)) {
		for (i = 0; i < (int)json_object_array_length(ram); i++) {
			json_object *r = json_object_array_get_idx(ram, i);
			double a = get_hex(r, "start") / 4096.0, b = (get_hex(r, "end") + 1) / 4096.0;

			fprintf(f, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#999'/>\n",
				px(a, max_pfn), y + 3, px(b, max_pfn) - px(a, max_pfn), BAND - 6);
		}
	}
	y += BAND;
	if (!json_object_object_get_ex(doc, "zones", &zones))
		return y;
	for (i = 0; i < (int)json_object_array_length(zones); i++)
		if ((int)get_u64(json_object_array_get_idx(zones, i), "node") + 1 > nodes)
			nodes = (int)get_u64(json_object_array_get_idx(zones, i), "node") + 1;
	for (node = 0; node < nodes; node++, y += BAND) {
		fprintf(f, "<text x='10' y='%d' font-size='12'>node %d zones</text>\n", y + 15, node);
		for (i = 0; i < (int)json_object_array_length(zones); i++) {
			double a, b;

			z = json_object_array_get_idx(zones, i);
			if ((int)get_u64(z, "node") != node)
				continue;
			a = get_u64(z, "start_pfn");
			b = get_u64(z, "end_pfn");
			fprintf(f, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' "
				"stroke='#666'/><text x='%.1f' y='%d' font-size='11'>%s</text>\n",
				px(a, max_pfn), y + 2, px(b, max_pfn) - px(a, max_pfn), BAND - 4,
				zone__color(i), px(a, max_pfn) + 3, y + 15, get_str(z, "name"));
		}
	}
	return y;
}

/* One caller's band: each slice of the axis as dark as its share of the pages */
static void svg__row(FILE *f, json_object *row, double max_pfn, int nbins, int y)
{
	json_object *bins;
	const char *kind = get_str(row, "kind");
	__u64 max = 0, v;
	int i;

	fprintf(f, "<text x='10' y='%d' font-size='11'>", y + 15);
	plot__xml(f, get_str(row, "caller"));
	fprintf(f, " (%s, %llu pages)</text>\n", kind, (unsigned long long)get_u64(row, "pages"));
	fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#f4f4f4'/>\n", LEFT, y + 3,
		W - LEFT - RIGHT, BAND - 6);
	if (!json_object_object_get_ex(row, "bins", &bins))
		return;
	for (i = 0; i < nbins && i < (int)json_object_array_length(bins); i++) {
		v = (__u64)json_object_get_int64(json_object_array_get_idx(bins, i));
		max = v > max ? v : max;
	}
	for (i = 0; max && i < nbins && i < (int)json_object_array_length(bins); i++) {
		double a = max_pfn * i / nbins, b = max_pfn * (i + 1) / nbins;

		v = (__u64)json_object_get_int64(json_object_array_get_idx(bins, i));
		if (v)
			fprintf(f, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' "
				"fill-opacity='%.2f'><title>%llu pages</title></rect>\n",
				px(a, max_pfn), y + 3, px(b, max_pfn) - px(a, max_pfn), BAND - 6,
				kind__color(kind), 0.25 + 0.75 * v / max, (unsigned long long)v);
	}
}

static int pages__cmp(const void *a, const void *b)
{
	__u64 x = get_u64(*(json_object *const *)a, "pages");
	__u64 y = get_u64(*(json_object *const *)b, "pages");

	return x < y ? 1 : x > y ? -1 : 0;
}

int physmap__svg(const char *text, size_t len, FILE *f)
{
	json_object *doc, *rows, *top[MAX_ROWS];
	struct json_tokener *tok = json_tokener_new();
	double max_pfn;
	int i, n = 0, y = 40, nbins;

	doc = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	json_tokener_free(tok);
	if (!doc || strcmp(get_str(doc, "cmd"), "report")) {
		json_object_put(doc);
		return -EINVAL;
	}
	max_pfn = (double)get_u64(doc, "max_pfn");
	nbins = (int)get_u64(doc, "nr_bins");
	if (max_pfn <= 0 || nbins <= 0 || !json_object_object_get_ex(doc, "rows", &rows)) {
		json_object_put(doc);
		return -EINVAL;
	}
	/* the callers with the most pages */
	{
		size_t k, m = json_object_array_length(rows);
		json_object **all = calloc(m + 1, sizeof(*all));

		for (k = 0; all && k < m; k++)
			all[k] = json_object_array_get_idx(rows, k);
		if (all)
			qsort(all, m, sizeof(*all), pages__cmp);
		for (k = 0; all && k < m && n < MAX_ROWS; k++)
			if (get_u64(all[k], "pages"))
				top[n++] = all[k];
		free(all);
	}
	fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
		W, 40 + BAND * (n + 6) + 60);
	fprintf(f, "<text x='10' y='24' font-size='15'>Where the pages landed: kernel ");
	plot__xml(f, get_str(doc, "kernel"));
	fprintf(f, ", %s</text>\n", json_object_get_boolean(json_object_object_get(doc, "complete"))
		? "complete recording" : "INCOMPLETE recording (losses)");
	y = svg__layout(f, doc, max_pfn, y);
	for (i = 0; i < n; i++, y += BAND)
		svg__row(f, top[i], max_pfn, nbins, y);
	svg__axis(f, max_pfn, y + 6);
	fprintf(f, "<text x='10' y='%d' font-size='11'>colour: kmalloc <tspan fill='%s'>&#9632;"
		"</tspan> kmem_cache <tspan fill='%s'>&#9632;</tspan> alloc_pages <tspan "
		"fill='%s'>&#9632;</tspan> vmalloc <tspan fill='%s'>&#9632;</tspan>; darker: more "
		"of the caller's pages in that slice of the axis</text>\n</svg>\n", y + 44,
		kind__color("kmalloc"), kind__color("kmem_cache"), kind__color("alloc_pages"),
		kind__color("vmalloc"));
	json_object_put(doc);
	return ferror(f) ? -EIO : 0;
}
