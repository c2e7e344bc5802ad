// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the study's data path: the JSON reader (CRs and serial-line
 * noise tolerated), a study through JSON and back, the walk summary (runs,
 * levels, nodes from zone spans), CSV and the report folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonread.h"
#include "memalloc.h"
#include "study.h"
#include "study_render.h"
#include "tap.h"

static void test_jsonread(void)
{
	const char doc[] = "\r\n\x01garbage{\"a\": [1, 2.5, -3e2, 18446744073709551615],\r\n"
			   " \"s\": \"x\\\"y\\u00e9\\n\", \"t\": true, \"n\": null, \"o\": {}}\r\n";
	const char bad[] = "{\"a\": [1, 2}";
	struct jv *v;
	const struct jv *a;

	tap_ok(!jv__parse(doc, sizeof(doc) - 1, &v), "jsonread: noise, CRs and escapes parse");
	a = jv__get(v, "a");
	tap_ok(a && a->type == JV_ARRAY && a->n == 4 && a->items[0].u == 1 &&
	       a->items[1].num == 2.5 && a->items[2].num == -300 &&
	       a->items[3].u == UINT64_MAX, "jsonread: numbers, u64 exact");
	tap_ok(!strcmp(jv__str(v, "s", ""), "x\"y\xc3\xa9\n"), "jsonread: string escapes, \\u");
	tap_ok(jv__bool(v, "t", false) && jv__get(v, "n")->type == JV_NULL &&
	       jv__get(v, "o")->n == 0, "jsonread: true, null, empty object");
	tap_ok(jv__u64(v, "missing", 42) == 42 && jv__u64(NULL, "a", 7) == 7,
	       "jsonread: defaults for absent members");
	jv__free(v);
	tap_ok(jv__parse(bad, sizeof(bad) - 1, &v) == -EINVAL && !v,
	       "jsonread: a truncated document is rejected");
}

static void study__sample(struct study *s)
{
	static const uint64_t pfns[] = { 0x100, 0x101, 0x102, UINT64_MAX, 0x9000, 0x8fff };
	static const uint32_t levels[] = { 1, 1, 2, 0, 1, 1 };
	struct study_cell *c;
	struct study_place *p;
	struct study_iomem *r;

	memset(s, 0, sizeof(*s));
	snprintf(s->kernel, sizeof(s->kernel), "6.12.0 \"test\"");
	snprintf(s->cpu, sizeof(s->cpu), "QEMU TCG");
	s->nr_cpus = 2;
	s->mem_bytes = 512 << 20;
	s->page_size = 4096;
	s->kmalloc_max_size = 4 << 20;
	s->max_order = 10;
	s->limit_bytes = 256 << 20;
	s->nr_nodes = 2;
	s->zones[0] = (struct study_zone){ 0, "DMA", 1, 0x1000, 3998 };
	s->zones[1] = (struct study_zone){ 0, "DMA32", 0x1000, 0x8000, 0x7000 };
	s->zones[2] = (struct study_zone){ 1, "DMA32", 0x8000, 0x10000, 0x8000 };
	s->nr_zones = 3;
	r = study__add_iomem(s);
	*r = (struct study_iomem){ 0x1000, 0x9fbff, "System RAM" };

	c = study__add_cell(s);
	c->kind = MEMALLOC_KIND_VMALLOC;
	c->size = 6 * 4096;
	c->iterations = 10;
	c->mod_alloc = (struct stats){ 10, 100, 200, 300, 400 };
	c->bpf_alloc = (struct stats){ 11, 90, 190, 290, 390 };
	c->modbpf_alloc = (struct stats){ 10, 150, 260, 300, 400 };
	c->touch_lines = 384;
	c->seq_line_ns = 768;
	snprintf(c->bpf_alloc_fn, sizeof(c->bpf_alloc_fn), "__vmalloc_noprof");
	study__cell_walk(s, c, pfns, levels, 6);

	c = study__add_cell(s);
	c->kind = MEMALLOC_KIND_KMEM_CACHE;
	c->size = 64 << 10;
	c->err = -EINVAL;

	s->limits[0] = (struct study_limit){ MEMALLOC_KIND_KMALLOC, 4 << 20, (4 << 20) + 1,
					     -ENOMEM, 4 << 20, 23 };
	s->nr_limits = 1;
	p = study__add_place(s);
	p->kind = MEMALLOC_KIND_ALLOC_PAGES;
	p->size = 1 << 20;
	p->node_req = 1;
	p->pages = 256;
	p->nodes[1] = 256;
}

static void test_walk(void)
{
	struct study s;
	const struct study_cell *c;
	char buf[32];

	study__sample(&s);
	c = &s.cells[0];
	tap_eq_u64(c->pages, 6, "walk: pages");
	tap_eq_u64(c->nr_runs, 4, "walk: runs (a hole and a backward step split)");
	tap_ok(c->levels[0] == 1 && c->levels[1] == 4 && c->levels[2] == 1,
	       "walk: pages per level");
	tap_ok(c->nodes[0] == 3 && c->nodes[1] == 2, "walk: pages per node from zone spans");
	tap_ok(c->nr_runs_kept == 3 && c->runs[0].pfn == 0x100 && c->runs[0].pages == 3 &&
	       c->runs[2].pfn == 0x8fff, "walk: runs kept for the map");
	tap_ok(!strcmp(study__levels_str(c, buf, sizeof(buf)), "4K+2M+hole"),
	       "walk: level summary");
	tap_ok(study__node_of_pfn(&s, 0x10000) == -1 && study__node_of_pfn(&s, 0x8000) == 1,
	       "node_of_pfn: span end excluded");
	study__free(&s);
}

static void test_roundtrip(void)
{
	struct study s, r;
	char *text = NULL, *crlf, *o;
	size_t len = 0, i;
	FILE *f;
	int err;

	study__sample(&s);
	f = open_memstream(&text, &len);
	study__write_json(&s, f, true);
	fclose(f);
	tap_ok(strstr(text, "\"schema\": \"memtrace-study/1\"") != NULL, "json: schema named");

	/* What a tty without raw mode makes of it: every \n a \r\n */
	crlf = malloc(2 * len + 1);
	for (i = 0, o = crlf; i < len; i++) {
		if (text[i] == '\n')
			*o++ = '\r';
		*o++ = text[i];
	}
	err = study__read_json(&r, crlf, o - crlf);
	tap_ok(!err, "json: reads back through CRLF (%d)", err);
	if (err) {
		study__free(&s);
		free(text);
		free(crlf);
		return;
	}
	tap_ok(!strcmp(r.kernel, s.kernel) && r.nr_nodes == 2 && r.nr_zones == 3 &&
	       r.zones[2].start_pfn == 0x8000 && r.nr_iomem == 1 && r.iomem[0].end == 0x9fbff,
	       "json: conditions, zones, iomem");
	tap_ok(r.nr_cells == 2 && r.cells[0].mod_alloc.median_ns == 200 &&
	       r.cells[0].bpf_alloc.n == 11 && r.cells[0].nr_runs == 4 &&
	       r.cells[0].levels[2] == 1 && r.cells[0].nodes[1] == 2 &&
	       r.cells[0].nr_runs_kept == 3 && r.cells[0].runs[2].pfn == 0x8fff &&
	       !strcmp(r.cells[0].bpf_alloc_fn, "__vmalloc_noprof"), "json: cell values");
	tap_ok(r.cells[1].err == -EINVAL && r.cells[1].kind == MEMALLOC_KIND_KMEM_CACHE,
	       "json: a failed cell keeps its error");
	tap_ok(r.nr_limits == 1 && r.limits[0].largest == 4 << 20 &&
	       r.limits[0].fail_err == -ENOMEM && r.nr_places == 1 &&
	       r.places[0].node_req == 1 && r.places[0].nodes[1] == 256, "json: limits, placement");
	study__free(&r);
	tap_ok(study__read_json(&r, crlf, (o - crlf) / 2) != 0, "json: a cut document is an error");
	study__free(&s);
	free(text);
	free(crlf);
}

static void test_outputs(void)
{
	char dir[] = "/tmp/memtrace-test-XXXXXX", path[256], line[1024];
	char *text = NULL;
	size_t len = 0;
	struct study s;
	FILE *f;
	int err, rows = 0;

	study__sample(&s);
	f = open_memstream(&text, &len);
	study__write_csv(&s, f);
	fclose(f);
	tap_ok(!strncmp(text, "kind,size_bytes,error,", 22) &&
	       strstr(text, "\nvmalloc,24576,0,") && strstr(text, "\nkmem_cache,65536,-22,"),
	       "csv: header and a row per cell");
	free(text);

	f = open_memstream(&text, &len);
	study__print_table(&s, f);
	fclose(f);
	{
		char *l = text, *nl;
		int wide = 0;

		for (; (nl = strchr(l, '\n')); l = nl + 1)
			if (nl - l >= 100) {
				printf("# %.*s\n", (int)(nl - l), l);
				wide = 1;
			}
		tap_ok(!wide, "table: every line under 100 columns");
	}
	free(text);

	tap_ok(mkdtemp(dir) != NULL, "render: temp dir");
	err = study__render(&s, dir, NULL);
	tap_ok(!err, "render: writes the folder (%d)", err);
	snprintf(path, sizeof(path), "%s/physmap.svg", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		rows += strstr(line, "<rect") != NULL;
	if (f)
		fclose(f);
	tap_ok(rows >= 1 + 3 + 3, "render: physmap has iomem, zone and run bands (%d)", rows);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	f = fopen(path, "r");
	text = calloc(1, 65536);
	if (f) {
		len = fread(text, 1, 65535, f);
		fclose(f);
	}
	tap_ok(strstr(text, "TCG") && strstr(text, "latency-alloc.svg") &&
	       strstr(text, "physmap.svg") && strstr(text, "6.12.0"),
	       "render: report states conditions and links plots");
	free(text);
	{
		static const char *const names[] = { "study.csv", "limits.csv", "placement.csv",
			"latency-alloc.svg", "latency-free.svg", "contiguity.svg", "access.svg",
			"physmap.svg", "report.md" };
		size_t i;
		int missing = 0;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			missing += access(path, R_OK) != 0;
			unlink(path);
		}
		tap_ok(!missing, "render: every file written");
	}
	rmdir(dir);
	study__free(&s);
}

int main(void)
{
	test_jsonread();
	test_walk();
	test_roundtrip();
	test_outputs();
	return tap_finish();
}
