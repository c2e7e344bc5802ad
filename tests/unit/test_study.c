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

#include "memalloc.h"
#include "study/study.h"
#include "render/render.h"
#include "tap.h"

/* The reader (json-c): serial-line noise, exact u64, and what it refuses */
static void test_read(void)
{
	const char noise[] = "\r\n\x01garbage{\"schema\": \"memtrace-study/1\",\r\n"
			     " \"layout\": {\"limit_bytes\": 18446744073709551615}}\r\n";
	const char truncated[] = "{\"schema\": \"memtrace-study/1\", \"cells\": [";
	const char other[] = "{\"schema\": \"memtrace/1\", \"cmd\": \"run\"}";
	const char none[] = "no document here";
	struct study s;

	tap_err(study__read_json(&s, noise, sizeof(noise) - 1), 0,
		   "read: noise and CRs before and inside the document are skipped");
	tap_eq_u64(s.limit_bytes, UINT64_MAX, "read: a u64 above 2^63 is exact");
	study__free(&s);
	tap_err(study__read_json(&s, truncated, sizeof(truncated) - 1), -EINVAL,
		   "read: a truncated document is refused");
	tap_err(study__read_json(&s, other, sizeof(other) - 1), -EPROTO,
		   "read: another schema is refused");
	tap_err(study__read_json(&s, none, sizeof(none) - 1), -EINVAL,
		   "read: text without a document is refused");
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
	snprintf(s->accel, sizeof(s->accel), "tcg");
	snprintf(s->host_cpu, sizeof(s->host_cpu), "AMD EPYC 9654");
	s->nr_cpus = 2;
	s->mem_bytes = 512 << 20;
	s->page_size = 4096;
	s->kmalloc_max_size = 4 << 20;
	s->max_order = 10;
	s->limit_bytes = 256 << 20;
	s->nr_nodes = 2;
	s->zones[0] = (struct memalloc_zone){ 0, 0, "DMA", 1, 0x1000, 3998, 3840 };
	s->zones[1] = (struct memalloc_zone){ 0, 1, "DMA32", 0x1000, 0x8000, 0x7000, 0x6000 };
	s->zones[2] = (struct memalloc_zone){ 1, 1, "DMA32", 0x8000, 0x10000, 0x8000, 0x7000 };
	s->nr_zones = 3;
	r = study__add_iomem(s);
	if (!r)
		tap_bail("study__add_iomem: out of memory");
	*r = (struct study_iomem){ 0x1000, 0x9fbff, "System RAM" };

	c = study__add_cell(s);
	if (!c)
		tap_bail("study__add_cell: out of memory");
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
	if (!c)
		tap_bail("study__add_cell: out of memory");
	c->kind = MEMALLOC_KIND_KMEM_CACHE;
	c->size = 64 << 10;
	c->err = -EINVAL;

	s->limits[0] = (struct study_limit){ MEMALLOC_KIND_KMALLOC, 4 << 20, (4 << 20) + 1,
					     -ENOMEM, 4 << 20, 23 };
	s->nr_limits = 1;
	p = study__add_place(s);
	if (!p)
		tap_bail("study__add_place: out of memory");
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
	tap_eq_u64(c->nr_runs, 3, "walk: runs (pfn_runs: a hole and a backward step split)");
	tap_eq_u64(c->levels[0], 1, "walk: 1 page unmapped");
	tap_eq_u64(c->levels[1], 4, "walk: 4 pages at level 1 (4K)");
	tap_eq_u64(c->levels[2], 1, "walk: 1 page at level 2 (2M)");
	tap_eq_u64(c->nodes[0], 3, "walk: 3 pages on node 0 (from zone spans)");
	tap_eq_u64(c->nodes[1], 2, "walk: 2 pages on node 1 (from zone spans)");
	tap_eq_u64(c->nr_runs_kept, 3, "walk: 3 runs kept for the map");
	tap_eq_u64(c->runs[0].pfn, 0x100, "walk: run 0 starts at 0x100");
	tap_eq_u64(c->runs[0].pages, 3, "walk: run 0 is 3 pages");
	tap_eq_u64(c->runs[2].pfn, 0x8fff, "walk: run 2 starts at 0x8fff");
	tap_eq_str(study__levels_str(c, buf, sizeof(buf)), "4K+2M+unmapped", "walk: level summary");
	tap_eq_s64(study__node_of_pfn(&s, 0x8000), 1, "node_of_pfn: span start included");
	tap_eq_s64(study__node_of_pfn(&s, 0x10000), -1, "node_of_pfn: span end excluded");
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
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_json(&s, f, true);
	fclose(f);
	tap_has_str(text, "\"schema\": \"memtrace-study/1\"", "json: schema named");

	/* What a tty without raw mode makes of it: every \n a \r\n */
	crlf = malloc(2 * len + 1);
	if (!crlf)
		tap_bail("malloc: out of memory");
	for (i = 0, o = crlf; i < len; i++) {
		if (text[i] == '\n')
			*o++ = '\r';
		*o++ = text[i];
	}
	err = study__read_json(&r, crlf, o - crlf);
	if (!tap_err(err, 0, "json: reads back through CRLF")) {
		study__free(&s);
		free(text);
		free(crlf);
		return;
	}
	/* What was written comes back: each field against the sample's */
	tap_eq_str(r.kernel, s.kernel, "json: kernel (with a quote in it)");
	tap_eq_str(r.accel, s.accel, "json: accelerator");
	tap_eq_str(r.host_cpu, s.host_cpu, "json: host CPU");
	tap_eq_u64(r.nr_nodes, s.nr_nodes, "json: node count");
	tap_eq_u64(r.nr_zones, s.nr_zones, "json: zone count");
	tap_eq_u64(r.zones[2].start_pfn, s.zones[2].start_pfn, "json: zone 2 start_pfn");
	tap_eq_u64(r.nr_iomem, s.nr_iomem, "json: iomem range count");
	if (r.nr_iomem)
		tap_eq_u64(r.iomem[0].end, s.iomem[0].end, "json: iomem range 0 end");
	tap_eq_u64(r.nr_cells, s.nr_cells, "json: cell count");
	if (r.nr_cells == s.nr_cells) {
		const struct study_cell *rc = &r.cells[0], *sc = &s.cells[0];

		tap_eq_u64(rc->mod_alloc.median_ns, sc->mod_alloc.median_ns,
			   "json: cell 0 module alloc median");
		tap_eq_u64(rc->bpf_alloc.n, sc->bpf_alloc.n, "json: cell 0 BPF alloc samples");
		tap_eq_u64(rc->nr_runs, sc->nr_runs, "json: cell 0 run count");
		tap_eq_u64(rc->levels[2], sc->levels[2], "json: cell 0 pages at level 2");
		tap_eq_u64(rc->nodes[1], sc->nodes[1], "json: cell 0 pages on node 1");
		tap_eq_u64(rc->nr_runs_kept, sc->nr_runs_kept, "json: cell 0 runs kept");
		tap_eq_u64(rc->runs[2].pfn, sc->runs[2].pfn, "json: cell 0 run 2 start");
		tap_eq_str(rc->bpf_alloc_fn, sc->bpf_alloc_fn, "json: cell 0 BPF function");
		tap_err(r.cells[1].err, s.cells[1].err, "json: a failed cell keeps its error");
		tap_eq_u64(r.cells[1].kind, s.cells[1].kind, "json: ... and its kind");
	}
	tap_eq_u64(r.nr_limits, s.nr_limits, "json: limit count");
	tap_eq_u64(r.limits[0].largest, s.limits[0].largest, "json: limit 0 largest");
	tap_err(r.limits[0].fail_err, s.limits[0].fail_err, "json: limit 0 error");
	tap_eq_u64(r.nr_places, s.nr_places, "json: placement count");
	if (r.nr_places) {
		tap_eq_s64(r.places[0].node_req, s.places[0].node_req,
			   "json: placement 0 requested node");
		tap_eq_u64(r.places[0].nodes[1], s.places[0].nodes[1],
			   "json: placement 0 pages on node 1");
	}
	study__free(&r);
	tap_ok(study__read_json(&r, crlf, (o - crlf) / 2) != 0, "json: a cut document is an error");
	study__free(&s);
	free(text);
	free(crlf);
}

static void test_outputs(void)
{
	char dir[] = "/tmp/memtrace-test-XXXXXX", path[256], line[1024], start[32];
	char *text = NULL;
	size_t len = 0;
	struct study s;
	FILE *f;
	int err, rows = 0;

	study__sample(&s);
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_csv(&s, f);
	fclose(f);
	snprintf(start, sizeof(start), "%.22s", text);
	tap_eq_str(start, "kind,size_bytes,error,", "csv: the header comes first");
	tap_has_str(text, "\nvmalloc,24576,0,", "csv: a row for the vmalloc cell");
	tap_has_str(text, "\nkmem_cache,65536,-22,", "csv: a row for the failed cell");
	free(text);

	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__print_table(&s, f);
	fclose(f);
	{
		char *l = text, *nl;
		int wide = 0;

		for (; (nl = strchr(l, '\n')); l = nl + 1)
			if (nl - l > 80) {
				printf("#   %.*s\n", (int)(nl - l), l);
				wide++;
			}
		tap_eq_u64(wide, 0, "table: every line fits 80 columns (those above do not)");
	}
	free(text);

	if (!mkdtemp(dir))
		tap_bail("mkdtemp %s: %s", dir, strerror(errno));
	err = study__render(&s, dir, NULL);
	tap_err(err, 0, "render: writes the folder");
	snprintf(path, sizeof(path), "%s/physmap.svg", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		rows += strstr(line, "<rect") != NULL;
	if (f)
		fclose(f);
	tap_ge_u64(rows, 1 + 3 + 3, "render: physmap has iomem, zone and run bands");
	snprintf(path, sizeof(path), "%s/report.md", dir);
	f = fopen(path, "r");
	text = calloc(1, 65536);
	if (f) {
		len = fread(text, 1, 65535, f);
		fclose(f);
	}
	tap_has_str(text, "TCG", "render: report states the CPU (TCG)");
	tap_has_str(text, "6.12.0", "render: report states the kernel");
	tap_has_str(text, "latency-alloc.svg", "render: report links the latency plot");
	tap_has_str(text, "physmap.svg", "render: report links the physical map");
	free(text);
	{
		static const char *const names[] = { "study.csv", "limits.csv", "placement.csv",
			"latency-alloc.svg", "latency-free.svg", "contiguity.svg", "access.svg",
			"physmap.svg", "report.md" };
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			tap_err(access(path, R_OK) ? -errno : 0, 0, "render: writes %s", names[i]);
			unlink(path);
		}
	}
	rmdir(dir);
	study__free(&s);
}

/* report.md of @s, in memory; free() it */
static char *report_of(const struct study *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_report(s, f);
	fclose(f);
	return text;
}

/* How the CPU ran, and what the report says about timings because of it */
static void test_accel(void)
{
	struct study s;
	char *t;

	tap_eq_str(study__accel_of("kvm", true, "TCGTCGTCGTCG"), "kvm",
		   "accel: the launcher's word first");
	tap_eq_str(study__accel_of(NULL, true, "TCGTCGTCGTCG"), "tcg", "accel: TCG's CPUID");
	tap_eq_str(study__accel_of(NULL, true, "KVMKVMKVM"), "kvm", "accel: KVM's CPUID");
	tap_eq_str(study__accel_of(NULL, true, "Microsoft Hv"), "vm",
		   "accel: another hypervisor");
	tap_eq_str(study__accel_of(NULL, false, ""), "none", "accel: bare metal");
	tap_eq_str(study__accel_of("bogus", false, ""), "none",
		   "accel: an unknown launcher word is not believed");

	study__sample(&s);
	t = report_of(&s);
	tap_has_str(t, "| accelerator | QEMU TCG: every guest instruction emulated",
		    "report: TCG named in the conditions");
	tap_has_str(t, "| host CPU | AMD EPYC 9654 |", "report: the host CPU in the conditions");
	tap_has_str(t, "Under TCG the guest's TLB is QEMU's software TLB",
		    "report: TCG: the access cost is not the hardware's");
	tap_no_str(t, "ran at hardware speed", "report: TCG: no hardware claim");
	free(t);
	snprintf(s.accel, sizeof(s.accel), "kvm");
	t = report_of(&s);
	tap_has_str(t, "The CPU ran at hardware speed (kvm)", "report: KVM: hardware timings");
	tap_has_str(t, "the MAP column's 4K and 2M rows of one size show the TLB's cost",
		    "report: KVM: the access cost is the TLB's");
	tap_no_str(t, "Under TCG", "report: KVM: no TCG wording");
	free(t);
	s.accel[0] = '\0';
	tap_ok(study__emulated(&s), "accel: a study that did not record it was under TCG");
	study__free(&s);
}

int main(void)
{
	test_read();
	test_walk();
	test_roundtrip();
	test_outputs();
	test_accel();
	return tap_finish();
}
