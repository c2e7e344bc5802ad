// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render: the report folder (render.h).  The plots are SVG
 * written here (plot.c), so rendering needs neither gnuplot nor the guest.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "memalloc.h"
#include "lib/hooks.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "render/plot.h"
#include "render/render.h"

static const uint32_t render_kinds[] = {
	MEMALLOC_KIND_KMALLOC, MEMALLOC_KIND_KVMALLOC, MEMALLOC_KIND_VMALLOC,
	MEMALLOC_KIND_ALLOC_PAGES, MEMALLOC_KIND_KMEM_CACHE,
};
#define NR_RENDER_KINDS (sizeof(render_kinds) / sizeof(render_kinds[0]))

static const char *render__color(uint32_t kind)
{
	switch (kind) {
	case MEMALLOC_KIND_KMALLOC: return "#1f77b4";
	case MEMALLOC_KIND_KVMALLOC: return "#ff7f0e";
	case MEMALLOC_KIND_VMALLOC: return "#2ca02c";
	case MEMALLOC_KIND_ALLOC_PAGES: return "#d62728";
	case MEMALLOC_KIND_KMEM_CACHE: return "#9467bd";
	default: return "#7f7f7f";
	}
}

/* What a plot shows of a cell; NAN leaves the point out */
typedef double (*render_value_fn)(const struct study_cell *c, int variant);

/* One series per kind and variant ("module", "BPF"): x = size */
static int render__plot(const struct study *s, const char *title, const struct plot_axis *y,
			render_value_fn fn, const char *const *variants, int nr_variants,
			FILE *f)
{
	struct plot_series series[NR_RENDER_KINDS * 2] = {};
	char names[NR_RENDER_KINDS * 2][48];
	double *xs, *ys;
	size_t i, k, n = 0, nr = 0;
	struct plot p = {};
	int v, err;

	xs = calloc(s->nr_cells + 1, sizeof(*xs) * NR_RENDER_KINDS * 2);
	ys = calloc(s->nr_cells + 1, sizeof(*ys) * NR_RENDER_KINDS * 2);
	if (!xs || !ys) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (k = 0; k < NR_RENDER_KINDS; k++) {
		for (v = 0; v < nr_variants && v < 2; v++) {
			struct plot_series *ps = &series[nr];
			size_t first = n;

			for (i = 0; i < s->nr_cells; i++) {
				const struct study_cell *c = &s->cells[i];

				if (c->kind != render_kinds[k] || c->err)
					continue;
				xs[n] = c->size;
				ys[n] = fn(c, v);
				n++;
			}
			if (n == first)
				continue;
			snprintf(names[nr], sizeof(names[nr]), "%s%s%s", kind__name(render_kinds[k]),
				 variants[v][0] ? " " : "", variants[v]);
			ps->name = names[nr];
			ps->color = render__color(render_kinds[k]);
			ps->dashed = v == 1;
			ps->x = xs + first;
			ps->y = ys + first;
			ps->n = n - first;
			nr++;
		}
	}
	p.title = title;
	p.x = (struct plot_axis){ "size requested (bytes)", true, 2, PLOT_FMT_SIZE };
	p.y = *y;
	p.series = series;
	p.nr_series = nr;
	err = plot__svg(&p, f);
cleanup:
	free(xs);
	free(ys);
	return err;
}

static double render__alloc_ns(const struct study_cell *c, int v)
{
	const struct stats *st = v ? &c->bpf_alloc : &c->mod_alloc;

	return st->n ? (double)st->median_ns : NAN;
}

static double render__free_ns(const struct study_cell *c, int v)
{
	const struct stats *st = v ? &c->bpf_free : &c->mod_free;

	return st->n ? (double)st->median_ns : NAN;
}

int study__plot_latency(const struct study *s, bool free, FILE *f)
{
	static const char *const variants[] = { "module", "BPF" };
	const struct plot_axis y = { free ? "median free latency" : "median allocation latency",
				     true, 10, PLOT_FMT_NS };

	return render__plot(s, free ? "Free latency vs size (log-log)" :
			    "Allocation latency vs size (log-log)", &y,
			    free ? render__free_ns : render__alloc_ns, variants, 2, f);
}

static double render__runs(const struct study_cell *c, int v)
{
	(void)v;
	return c->nr_runs ? c->nr_runs : NAN;
}

int study__plot_contiguity(const struct study *s, FILE *f)
{
	static const char *const variants[] = { "" };
	const struct plot_axis y = { "physically contiguous runs per allocation", true, 10,
				     PLOT_FMT_NUM };

	return render__plot(s, "Physical contiguity vs size (1 run = contiguous)", &y,
			    render__runs, variants, 1, f);
}

static double render__line(const struct study_cell *c, int v)
{
	if (!c->touch_lines)
		return NAN;
	return (double)(v ? c->rand_line_ns : c->seq_line_ns) / c->touch_lines;
}

int study__plot_access(const struct study *s, FILE *f)
{
	static const char *const variants[] = { "seq", "random" };
	const struct plot_axis y = { "ns per cache-line write", true, 10, PLOT_FMT_NUM };

	return render__plot(s, "Access cost: sequential vs random lines (TLB reach)", &y,
			    render__line, variants, 2, f);
}

/* ---- the physical map -------------------------------------------------- */

#define MAP_W		900
#define MAP_LEFT	110
#define MAP_RIGHT	20
#define MAP_ROW		26

static const char *render__zone_color(const char *name)
{
	if (!strcmp(name, "DMA"))
		return "#fdd49e";
	if (!strcmp(name, "DMA32"))
		return "#a6cee3";
	if (!strcmp(name, "Normal"))
		return "#b2df8a";
	return "#cab2d6";
}

static const char *render__iomem_color(const char *name)
{
	if (!strcmp(name, "System RAM"))
		return "#c7e9c0";
	if (strstr(name, "Reserved") || strstr(name, "reserved"))
		return "#bdbdbd";
	return "#fdae6b";
}

/* The map's horizontal scale: pixels per frame over [0, end_pfn) */
struct map_geom {
	uint64_t end_pfn;
	double scale;
};

static double map_x(const struct map_geom *g, uint64_t pfn)
{
	return MAP_LEFT + (double)pfn * g->scale;
}

static int map_y(size_t row)
{
	return (int)(40 + row * MAP_ROW);
}

/* The iomem row, clipped to the span of the zones (the PCI hole lies far above) */
static void map__iomem(const struct study *s, const struct map_geom *g, size_t row, FILE *f)
{
	size_t i;

	fprintf(f, "<text x=\"4\" y=\"%d\">iomem</text>\n", map_y(row) + 15);
	for (i = 0; i < s->nr_iomem; i++) {
		const struct study_iomem *r = &s->iomem[i];
		uint64_t a = r->start >> 12, b = (r->end >> 12) + 1;

		if (a >= g->end_pfn)
			continue;
		if (b > g->end_pfn)
			b = g->end_pfn;
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\" "
			   "stroke=\"#555\" stroke-width=\"0.3\"><title>",
			map_x(g, a), map_y(row), fmax((b - a) * g->scale, 0.5),
			render__iomem_color(r->name));
		plot__xml(f, r->name);
		fprintf(f, " %#llx-%#llx</title></rect>\n", (unsigned long long)r->start,
			(unsigned long long)r->end);
		if ((b - a) * g->scale > 60) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\">", map_x(g, a) + 3, map_y(row) + 14);
			plot__xml(f, r->name);
			fputs("</text>\n", f);
		}
	}
}

/* Node @n's zones on one row */
static void map__zones(const struct study *s, const struct map_geom *g, uint32_t n,
		       size_t row, FILE *f)
{
	size_t i;

	fprintf(f, "<text x=\"4\" y=\"%d\">node %u zones</text>\n", map_y(row) + 15, n);
	for (i = 0; i < s->nr_zones; i++) {
		const struct memalloc_zone *z = &s->zones[i];

		if (z->node != n)
			continue;
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
			   "fill=\"%s\" stroke=\"#333\"><title>node %u %s pfn %#llx-%#llx, "
			   "%llu present</title></rect>\n<text x=\"%.1f\" y=\"%d\">%s</text>\n",
			map_x(g, z->start_pfn), map_y(row),
			fmax((z->end_pfn - z->start_pfn) * g->scale, 0.5),
			render__zone_color(z->name), n, z->name,
			(unsigned long long)z->start_pfn, (unsigned long long)z->end_pfn,
			(unsigned long long)z->present_pages, map_x(g, z->start_pfn) + 3,
			map_y(row) + 14, z->name);
	}
}

/* Where the pages of one allocator's cells landed: their first runs */
static void map__kind(const struct study *s, const struct map_geom *g, uint32_t kind,
		      size_t row, FILE *f)
{
	size_t i;
	uint32_t r;

	fprintf(f, "<text x=\"4\" y=\"%d\" fill=\"%s\">%s</text>\n", map_y(row) + 15,
		render__color(kind), kind__name(kind));
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n",
		MAP_LEFT, map_y(row) + 10, MAP_W - MAP_RIGHT, map_y(row) + 10);
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		if (c->kind != kind || c->err)
			continue;
		for (r = 0; r < c->nr_runs_kept; r++)
			fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
				   "fill=\"%s\" fill-opacity=\"0.6\"><title>%llu B: pfn "
				   "%#llx +%llu</title></rect>\n",
				map_x(g, c->runs[r].pfn), map_y(row),
				fmax(c->runs[r].pages * g->scale, 1.0), render__color(kind),
				(unsigned long long)c->size, (unsigned long long)c->runs[r].pfn,
				(unsigned long long)c->runs[r].pages);
	}
}

/* Address ticks at multiples of a power of two: at most 8 steps */
static void map__ticks(const struct map_geom *g, size_t row, FILE *f)
{
	uint64_t step = 1, pfn;
	char lab[32];

	while (step * 8 < g->end_pfn)
		step <<= 1;
	for (pfn = 0; pfn <= g->end_pfn; pfn += step)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
			   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			map_x(g, pfn), map_y(row), map_x(g, pfn), map_y(row) + 6, map_x(g, pfn),
			map_y(row) + 20, plot__label(PLOT_FMT_SIZE, (double)(pfn << 12), lab,
						     sizeof(lab)));
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">physical address (first "
		   "%u runs of each allocation shown)</text>\n", MAP_W / 2, map_y(row) + 38,
		STUDY_MAX_RUNS);
}

int study__plot_physmap(const struct study *s, FILE *f)
{
	uint32_t n, nr_nodes = s->nr_nodes ? s->nr_nodes : 1;
	struct map_geom g = { 0, 0 };
	size_t i, k, row = 0;

	for (i = 0; i < s->nr_zones; i++)
		if (s->zones[i].end_pfn > g.end_pfn)
			g.end_pfn = s->zones[i].end_pfn;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		   "font-family=\"sans-serif\" font-size=\"11\">\n"
		   "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		   "<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">Physical "
		   "memory map: iomem, zones per node, where the study's pages landed</text>\n",
		MAP_W, 70 + (1 + nr_nodes + NR_RENDER_KINDS) * MAP_ROW + 50, MAP_W / 2);
	if (!g.end_pfn) {
		fputs("<text x=\"20\" y=\"60\">no zones</text>\n</svg>\n", f);
		return -EINVAL;
	}
	g.scale = (double)(MAP_W - MAP_LEFT - MAP_RIGHT) / g.end_pfn;
	map__iomem(s, &g, row++, f);
	for (n = 0; n < nr_nodes; n++)
		map__zones(s, &g, n, row++, f);
	for (k = 0; k < NR_RENDER_KINDS; k++)
		map__kind(s, &g, render_kinds[k], row++, f);
	map__ticks(&g, row, f);
	fputs("</svg>\n", f);
	return 0;
}

/* ---- report.md ---------------------------------------------------------- */

/* Median over the cells of (module-with-BPF median - BPF median), and of the BPF cost */
static void render__overheads(const struct study *s, double *wrapper, double *tramp, int *n)
{
	double *a = calloc(s->nr_cells + 1, sizeof(double));
	double *b = calloc(s->nr_cells + 1, sizeof(double));
	size_t i, m = 0, j, l;

	*wrapper = *tramp = NAN;
	*n = 0;
	if (!a || !b)
		goto out;
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		if (c->err || !c->bpf_alloc.n || !c->modbpf_alloc.n)
			continue;
		a[m] = (double)c->modbpf_alloc.median_ns - (double)c->bpf_alloc.median_ns;
		b[m] = (double)c->modbpf_alloc.median_ns - (double)c->mod_alloc.median_ns;
		m++;
	}
	/* insertion sort: a few hundred values */
	for (i = 1; i < m; i++)
		for (j = i; j > 0 && a[j] < a[j - 1]; j--) {
			double t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	for (i = 1; i < m; i++)
		for (l = i; l > 0 && b[l] < b[l - 1]; l--) {
			double t = b[l];

			b[l] = b[l - 1];
			b[l - 1] = t;
		}
	if (m) {
		*wrapper = a[m / 2];
		*tramp = b[m / 2];
		*n = m;
	}
out:
	free(a);
	free(b);
}

/* report.md, part by part */
static void report__conditions(const struct study *s, FILE *f)
{
	char b[2][24], hooks[256];

	fprintf(f, "# memtrace study: what each kernel allocator costs and what memory it "
		   "gives\n\n");
	if (s->interrupted)
		fprintf(f, "**Interrupted (Ctrl-C): partial results.**\n\n");
	fprintf(f, "## Conditions\n\n| | |\n| --- | --- |\n");
	fprintf(f, "| kernel | `%s` (%s) |\n", s->kernel, s->machine);
	fprintf(f, "| CPU | %s, %u online%s |\n", s->cpu, s->nr_cpus,
		s->hypervisor ? ", virtual machine (hypervisor flag set)" : "");
	fprintf(f, "| accelerator | %s |\n", study__accel_text(s));
	fprintf(f, "| host CPU | %s |\n", s->host_cpu[0] ? s->host_cpu : "not recorded");
	fprintf(f, "| memory | %s (MemTotal), %u NUMA node%s, module limit %s |\n",
		size__format(s->mem_bytes, b[0], sizeof(b[0])), s->nr_nodes,
		s->nr_nodes == 1 ? "" : "s", size__format(s->limit_bytes, b[1], sizeof(b[1])));
	fprintf(f, "| matrix | %s, %zu cells, %.1f s |\n", s->quick ? "quick" : "full",
		s->nr_cells, s->duration_s);
	fprintf(f, "| second clock | %s |\n", s->bpf ? "BPF fentry/fexit" : "none (BPF off)");
	fprintf(f, "| tracer's hooks | %s%s%s |\n\n", hooks__recorded(s->hooks) ?
		hooks__describe(s->hooks, hooks, sizeof(hooks)) : "not recorded",
		s->hooks_note[0] ? ": " : "", s->hooks_note);
	if (study__emulated(s))
		fprintf(f, "> Under QEMU's TCG (no KVM) the guest CPU is emulated: every timing "
			   "below is relative (compare allocators and sizes with each other), not "
			   "a hardware figure. Page sizes, contiguity, placement and limits are "
			   "real.\n\n");
	else
		fprintf(f, "> The CPU ran at hardware speed (%s): the timings below are the "
			   "hardware's, as seen through the kernel's clock; a guest's still "
			   "include exits to the hypervisor. Page sizes, contiguity, placement and "
			   "limits are real.\n\n", s->accel);
}

static void report__cells(const struct study *s, FILE *f)
{
	char b[7][24];
	size_t i;

	fprintf(f, "## Latency and memory per allocator and size\n\n"
		   "| kind | size | iter | alloc median | alloc p99 | alloc BPF | free median | "
		   "free BPF | pages | runs | map | ns/line seq | ns/line rand |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- "
		   "| ---: | ---: |\n");
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		size__format(c->size, b[0], sizeof(b[0]));
		if (c->err) {
			fprintf(f, "| %s | %s | | %s | | | | | | | | | |\n", kind__name(c->kind),
				b[0], strerror(-c->err));
			continue;
		}
		fprintf(f, "| %s | %s | %u | %s | %s | %s | %s | %s | %u | %u | %s | %.2f | "
			   "%.2f |\n", kind__name(c->kind), b[0], c->iterations,
			stats__fmt_of(&c->mod_alloc, c->mod_alloc.median_ns, b[1], sizeof(b[1])),
			stats__fmt_of(&c->mod_alloc, c->mod_alloc.p99_ns, b[2], sizeof(b[2])),
			stats__fmt_of(&c->bpf_alloc, c->bpf_alloc.median_ns, b[3], sizeof(b[3])),
			stats__fmt_of(&c->mod_free, c->mod_free.median_ns, b[4], sizeof(b[4])),
			stats__fmt_of(&c->bpf_free, c->bpf_free.median_ns, b[5], sizeof(b[5])),
			c->pages, c->nr_runs, study__levels_str(c, b[6], sizeof(b[6])),
			c->touch_lines ? (double)c->seq_line_ns / c->touch_lines : 0.0,
			c->touch_lines ? (double)c->rand_line_ns / c->touch_lines : 0.0);
	}
}

static void report__clocks(const struct study *s, FILE *f)
{
	double wrapper, tramp;
	int n;

	fprintf(f, "\n![allocation latency](latency-alloc.svg)\n\n"
		   "![free latency](latency-free.svg)\n\n");

	fprintf(f, "## Two clocks, and why they differ\n\n"
		   "*module* is memalloc.ko's BENCH: `ktime_get_ns()` before and after each "
		   "allocator call, in the kernel, BPF detached. *BPF* is the fexit program's "
		   "`bpf_ktime_get_ns()` minus the fentry program's, on the allocator function "
		   "itself (named in study.json), for the same calls of a second BENCH pass run "
		   "with the programs attached (filtered to the study's process).\n\n"
		   "- With the programs attached every call goes through a BPF trampoline: "
		   "program entry and exit bookkeeping (RCU, migrate-disable, recursion check) "
		   "twice, and the two programs. The BPF interval starts at the end of the fentry "
		   "program and ends at the start of the fexit program, so it still holds part "
		   "of that bookkeeping; the module's clock of the BPF pass holds all of it.\n"
		   "- The module's interval also covers its own wrapper (`memalloc_do_alloc()`: a "
		   "switch, and `ksize()` after kmalloc), the inlined `kmalloc()`/`alloc_pages()` "
		   "wrappers that pick the entry point, and a clock read.\n"
		   "- So BPF > module means the trampoline costs more than the wrapper (%s); on "
		   "hardware the trampoline costs tens of nanoseconds. The BPF sample set may "
		   "also hold a few "
		   "other calls of the same function made by the ioctl itself (its bookkeeping "
		   "arrays, the access-pass buffer): medians are robust to them.\n",
		study__emulated(s) ? "typical under TCG, where each emulated instruction is slow"
				   : "this run was on hardware: compare with tens of nanoseconds");
	render__overheads(s, &wrapper, &tramp, &n);
	if (n)
		fprintf(f, "- Measured here (median over %d cells, allocation): module clock "
			   "with minus without BPF = %.0f ns (the whole trampoline); module clock "
			   "of the BPF pass minus BPF interval = %.0f ns (wrapper, clock reads and "
			   "the part of the trampoline outside the BPF interval).\n",
			n, tramp, wrapper);
	if (s->bpf_note[0])
		fprintf(f, "- Hooks not used on this kernel: %s.\n", s->bpf_note);
}

static void report__limits(const struct study *s, FILE *f)
{
	size_t i;

	fprintf(f, "\n## Contiguity and page size\n\n"
		   "*runs* counts physically contiguous runs of page frames in one allocation "
		   "(from the module's page-table walk, WALK); 1 = contiguous. *map* is the "
		   "level of the page-table entry mapping the pages: vmalloc is mapped with 4K "
		   "entries, the direct map (kmalloc, alloc_pages, kmem_cache) with 2M/1G where "
		   "not split.\n\n![contiguity](contiguity.svg)\n\n"
		   "## Access cost\n\nBENCH writes one byte per 64-byte line of a buffer, in order "
		   "and in a shuffled order (median of 5 passes). On hardware, shuffled accesses "
		   "over 4K-mapped memory need more TLB entries than over 2M-mapped memory. %s"
		   "\n\n![access cost](access.svg)\n\n",
		study__emulated(s) ?
		"Under TCG the guest's TLB is QEMU's software TLB, with its own costs: compare "
		"4K- and 2M-mapped rows of the same size (the MAP column) before concluding "
		"anything about the hardware." :
		"This run was on hardware, so the MAP column's 4K and 2M rows of one size show "
		"the TLB's cost (under KVM with the host's nested page tables on top).");

	fprintf(f, "## Limits found by probing\n\n| kind | largest that succeeded | first "
		   "failure | error | kernel says | probes |\n| --- | ---: | ---: | --- | ---: | "
		   "---: |\n");
	for (i = 0; i < s->nr_limits; i++) {
		const struct study_limit *l = &s->limits[i];

		fprintf(f, "| %s | %llu | %llu | %s | %llu%s | %u |\n", kind__name(l->kind),
			(unsigned long long)l->largest, (unsigned long long)l->first_fail,
			l->fail_err ? strerror(-l->fail_err) : "-",
			(unsigned long long)l->kernel_max,
			l->largest == l->kernel_max ? " (match)" : " (differs)", l->probes);
	}
}

static void report__places(const struct study *s, FILE *f)
{
	uint32_t nn = s->nr_nodes && s->nr_nodes <= STUDY_MAX_NODES ? s->nr_nodes : 1, k;
	char b[2][24];
	size_t i;

	if (!s->nr_places)
		return;
	fprintf(f, "\n## NUMA placement\n\nPages per node (PFN -> node by the zones' "
		   "spans) for the default policy and for `_node` calls (MEMALLOC_F_NODE)."
		   "\n\n| kind | size | node asked |");
	for (k = 0; k < nn; k++)
		fprintf(f, " node %u |", k);
	fprintf(f, "\n| --- | ---: | --- |");
	for (k = 0; k < nn; k++)
		fprintf(f, " ---: |");
	fputc('\n', f);
	for (i = 0; i < s->nr_places; i++) {
		const struct study_place *p = &s->places[i];

		fprintf(f, "| %s | %s | %s |", kind__name(p->kind),
			size__format(p->size, b[0], sizeof(b[0])),
			p->node_req < 0 ? "default" :
			(snprintf(b[1], sizeof(b[1]), "%d", p->node_req), b[1]));
		for (k = 0; k < nn; k++) {
			if (p->err)
				fprintf(f, " %s |", k ? "" : strerror(-p->err));
			else
				fprintf(f, " %u |", p->nodes[k]);
		}
		fputc('\n', f);
	}
}

void study__write_report(const struct study *s, FILE *f)
{
	report__conditions(s, f);
	report__cells(s, f);
	report__clocks(s, f);
	report__limits(s, f);
	report__places(s, f);
	fprintf(f, "\n## Physical memory map\n\n![physical map](physmap.svg)\n\n"
		   "Data: study.json, study.csv, limits.csv, placement.csv.\n");
}

static int render__file(const char *dir, const char *name, FILE *log,
			int (*fn)(const struct study *, FILE *), const struct study *s)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	err = fn(s, f);
	if (fclose(f) && !err)
		err = -errno;
	if (log)
		fprintf(log, "  %s%s\n", path, err == -EINVAL ? " (no data)" : "");
	return err == -EINVAL ? 0 : err;
}

static int render__csv(const struct study *s, FILE *f)
{
	study__write_csv(s, f);
	return 0;
}

static int render__limits(const struct study *s, FILE *f)
{
	study__write_limits_csv(s, f);
	return 0;
}

static int render__places(const struct study *s, FILE *f)
{
	study__write_places_csv(s, f);
	return 0;
}

static int render__alloc(const struct study *s, FILE *f)
{
	return study__plot_latency(s, false, f);
}

static int render__free(const struct study *s, FILE *f)
{
	return study__plot_latency(s, true, f);
}

static int render__report(const struct study *s, FILE *f)
{
	study__write_report(s, f);
	return 0;
}

int study__render(const struct study *s, const char *outdir, FILE *log)
{
	static const struct {
		const char *name;
		int (*fn)(const struct study *, FILE *);
	} files[] = {
		{ "study.csv", render__csv },
		{ "limits.csv", render__limits },
		{ "placement.csv", render__places },
		{ "latency-alloc.svg", render__alloc },
		{ "latency-free.svg", render__free },
		{ "contiguity.svg", study__plot_contiguity },
		{ "access.svg", study__plot_access },
		{ "physmap.svg", study__plot_physmap },
		{ "report.md", render__report },
	};
	size_t i;
	int err;

	if (mkdir(outdir, 0755) && errno != EEXIST)
		return -errno;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		err = render__file(outdir, files[i].name, log, files[i].fn, s);
		if (err)
			return err;
	}
	return 0;
}
