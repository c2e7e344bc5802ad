// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tool/record and memtrace-render --physmap: the record file
 * written and read back, refused when it is not one or cut short; the report
 * model on hand-made events (frees matched, 6.12's second event of a large
 * kmalloc taken back, a vmalloc area's pages and contiguous runs); and the
 * physical map drawn from the report's JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "render/physmap.h"
#include "tap.h"

#define SITE_A	0xffffffffc0000010ULL	/* memalloc_do_alloc+0x10 [memalloc] */
#define SITE_IN	0xffffffff81100010ULL	/* __kmalloc_noprof+0x10 */

static const char syms[] = "ffffffff81100000 t __kmalloc_noprof\n"
			   "ffffffffc0000000 t memalloc_do_alloc [memalloc]\n";

static struct record_header header(void)
{
	struct record_header h = { .kernel = "6.12.0-test", .nr_zones = 2, .nr_ram = 1 };

	h.zones[0] = (struct memalloc_zone){ .node = 0, .zone = 1, .name = "DMA",
					     .start_pfn = 1, .end_pfn = 4096 };
	h.zones[1] = (struct memalloc_zone){ .node = 0, .zone = 2, .name = "DMA32",
					     .start_pfn = 4096, .end_pfn = 32768 };
	h.ram[0] = (struct record_range){ 0x1000, 0x7ffffff };
	h.st.recursion_misses = 2;
	h.st.unwind_slow = 7;
	h.duration_ns = 2000000000ULL;
	h.syms = strdup(syms);
	h.syms_len = strlen(syms);
	return h;
}

static struct memtrace_event ev(__u32 type, __u64 site, __u64 addr, __u64 req, __u64 alloc,
				__u64 pfn)
{
	struct memtrace_event e = { .type = type, .call_site = site, .addr = addr,
				    .bytes_req = req, .bytes_alloc = alloc, .pfn = pfn,
				    .flags = MEMTRACE_F_PFN, .stack_id = MEMTRACE_NO_STACK };

	return e;
}

/* A recording: 3 kmallocs (one freed), one 64K kmalloc told twice, a vmalloc of 4 pages */
static char *recording(size_t *len)
{
	struct record_header h = header();
	struct memtrace_event e[8];
	struct memtrace_pages p = { .type = MEMTRACE_EV_VMALLOC_PAGES, .addr = 0xffffc90000010000,
				    .count = 4, .pfns = { 5000, 5001, 5002, 6000 } };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int i, n = 0;

	e[n++] = ev(MEMTRACE_EV_KMALLOC, SITE_A, 0xffff888001000000, 777, 1024, 0x1000);
	e[n++] = ev(MEMTRACE_EV_KMALLOC, SITE_A, 0xffff888001000400, 777, 1024, 0x1000);
	e[n++] = ev(MEMTRACE_EV_KFREE, 0, 0xffff888001000000, 0, 0, 0x1000);
	e[n++] = ev(MEMTRACE_EV_KMALLOC, SITE_IN, 0xffff888002000000, 65536, 65536, 0x2000);
	e[n++] = ev(MEMTRACE_EV_KMALLOC, SITE_A, 0xffff888002000000, 65536, 65536, 0x2000);
	e[n] = ev(MEMTRACE_EV_VMALLOC, SITE_A, p.addr, 16384, 16384, 5000);
	e[n++].nr_pages = 4;
	record__write_header(f, &h);
	for (i = 0; i < n; i++) {
		if (e[i].type == MEMTRACE_EV_VMALLOC)
			record__write(f, &p, sizeof(p));
		record__write(f, &e[i], sizeof(e[i]));
	}
	record__write_trailer(f, &h);
	fclose(f);
	record__header_free(&h);
	return buf;
}

/* @buf read back with its version line saying @version */
static int read_as(const char *buf, size_t len, char version)
{
	struct record_header h;
	char *old = malloc(len);
	FILE *f;
	int err;

	memcpy(old, buf, len);
	old[strlen("memtrace-record ")] = version;
	f = fmemopen(old, len, "r");
	err = record__read(f, &h, NULL, NULL);
	fclose(f);
	free(old);
	record__header_free(&h);
	return err;
}

static void test_file(const char *buf, size_t len)
{
	struct record_header h;
	FILE *f = fmemopen((void *)buf, len, "r");
	int err = record__read(f, &h, NULL, NULL);

	fclose(f);
	tap_eq_s64(err, 0, "file: written, then read back");
	tap_eq_str(h.kernel, "6.12.0-test", "file: the kernel");
	tap_eq_s64(h.nr_zones, 2, "file: the zones");
	tap_eq_u64(h.zones[1].end_pfn, 32768, "file: a zone's span");
	tap_eq_u64(h.ram[0].end, 0x7ffffff, "file: System RAM");
	tap_eq_u64(h.st.recursion_misses, 2, "file: the losses");
	tap_eq_u64(h.st.unwind_slow, 7, "file: the page callers left to the kernel's stacks");
	tap_eq_u64(h.duration_ns, 2000000000ULL, "file: the duration");
	tap_has_str(h.syms, "memalloc_do_alloc [memalloc]", "file: the symbols");
	record__header_free(&h);

	tap_eq_s64(read_as(buf, len, '1'), 0, "file: version 1 (no runs) is read too");
	tap_eq_s64(read_as(buf, len, '2'), 0, "file: version 2 (no unwind_slow) is read too");
	f = fmemopen((void *)buf, len - 40, "r");
	err = record__read(f, &h, NULL, NULL);
	fclose(f);
	tap_eq_s64(err, -EINVAL, "file: one cut short is refused");
	record__header_free(&h);
	f = fmemopen((void *)"memtrace-study 1\n", 17, "r");
	err = record__read(f, &h, NULL, NULL);
	fclose(f);
	tap_eq_s64(err, -EINVAL, "file: another file is refused");
	record__header_free(&h);
}

static int count_kmalloc(void *ctx, const void *data, __u32 len)
{
	const struct memtrace_event *e = data;
	__u64 *sum = ctx;

	if (len == sizeof(*e) && e->type == MEMTRACE_EV_KMALLOC)
		*sum += e->addr;
	return 0;
}

/* A file holding one run of @len bytes at @run (the magic line then says @version) */
static char *run_file(const void *run, __u32 len, char version, size_t *n)
{
	struct record_header h = header();
	__u32 hdr = len | RECORD_RUN;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, n);

	record__write_header(f, &h);
	fwrite(&hdr, sizeof(hdr), 1, f);
	fwrite(run, len, 1, f);
	record__write_trailer(f, &h);
	fclose(f);
	buf[strlen("memtrace-record ")] = version;
	record__header_free(&h);
	return buf;
}

static int read_fn(const char *buf, size_t n, record_fn fn, void *ctx)
{
	struct record_header h;
	FILE *f = fmemopen((void *)buf, n, "r");
	int err = record__read(f, &h, fn, ctx);

	fclose(f);
	record__header_free(&h);
	return err;
}

/*
 * A run of the per-CPU rings (LEN | RECORD_RUN): each of its records in
 * turn, as a struct memtrace_event (version 3's runs were of those); and a
 * run whose length is not whole records is refused
 */
static void test_run_frame(void)
{
	struct memtrace_rec r[3] = {
		{ .type = MEMTRACE_EV_KMALLOC, .call_site = SITE_A, .addr = 0x1000 },
		{ .type = MEMTRACE_EV_KMALLOC, .call_site = SITE_A, .addr = 0x2000 },
		{ .type = MEMTRACE_EV_KFREE, .addr = 0x1000 },
	};
	struct memtrace_event e[3] = {
		ev(MEMTRACE_EV_KMALLOC, SITE_A, 0x4000, 8, 8, 1),
		ev(MEMTRACE_EV_KMALLOC, SITE_A, 0x8000, 8, 8, 2),
		ev(MEMTRACE_EV_KFREE, 0, 0x4000, 0, 0, 1),
	};
	__u64 sum = 0;
	size_t n;
	char *buf;

	buf = run_file(r, sizeof(r), '4', &n);
	tap_eq_s64(read_fn(buf, n, count_kmalloc, &sum), 0, "run: a file with a run read back");
	tap_eq_u64(sum, 0x3000, "run: both kmallocs of the run handed over, one by one");
	free(buf);
	buf = run_file(r, sizeof(r) - 8, '4', &n);
	tap_eq_s64(read_fn(buf, n, NULL, NULL), -EINVAL, "run: one of partial records is refused");
	free(buf);
	sum = 0;
	buf = run_file(e, sizeof(e), '3', &n);
	tap_eq_s64(read_fn(buf, n, count_kmalloc, &sum), 0,
		   "run: version 3's run of struct memtrace_event read back");
	tap_eq_u64(sum, 0xc000, "run: version 3's kmallocs handed over, one by one");
	free(buf);
	buf = run_file(r, sizeof(r), '3', &n);
	tap_eq_s64(read_fn(buf, n, NULL, NULL), -EINVAL,
		   "run: 192 bytes are not whole records of version 3 (88 bytes)");
	free(buf);
}

/* The first byte where two records differ, or -1: what a failed round trip shows */
static int rec_diff(const struct memtrace_rec *a, const struct memtrace_rec *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;
	size_t i;

	for (i = 0; i < sizeof(*a); i++)
		if (x[i] != y[i])
			return (int)i;
	return -1;
}

/*
 * Packed runs (version 5): each record as its type, a mask of the 8-byte
 * words that differ from the last record of its type, and those words
 */
static void test_pack(void)
{
	struct memtrace_rec r[4] = {
		{ .ts_ns = 1000, .type = MEMTRACE_EV_KMALLOC, .tgid = 7, .call_site = SITE_A,
		  .addr = 0xffff888000123440ULL, .pfn = 0x123, .bytes_req = 64, .bytes_alloc = 64,
		  .gfp = 0xcc0, .node = MEMTRACE_REC_NO_NODE, .stack_id = MEMTRACE_NO_STACK },
		{ .ts_ns = 1200, .type = MEMTRACE_EV_KFREE, .tgid = 7, .call_site = SITE_A + 0x40,
		  .addr = 0xffff888000123440ULL, .pfn = 0x123, .node = MEMTRACE_REC_NO_NODE,
		  .stack_id = MEMTRACE_NO_STACK },
	}, back;
	struct record_pack *p = calloc(1, sizeof(*p)), *q = calloc(1, sizeof(*q));
	unsigned char out[4 * RECORD_PACKED_MAX], frame[4 + 4 * RECORD_PACKED_MAX];
	size_t n[4], off, took, i;
	__u64 sum = 0;
	char *buf;
	int bad;

	if (!p || !q)
		tap_bail("test_pack: out of memory");
	/* the kmalloc again, 400 ns later; then the kfree again, from another CPU */
	r[2] = r[0];
	r[2].ts_ns = 1400;
	r[3] = r[1];
	r[3].ts_ns = 1600;
	r[3].cpu = 1;
	for (i = 0, off = 0; i < 4; off += n[i++])
		n[i] = record__pack(p, &r[i], 1, out + off);
	tap_eq_u64(n[0], 2 + 8 * 8, "pack: a type's first record: every word (none is zero)");
	tap_eq_u64(out[0], MEMTRACE_EV_KMALLOC, "pack: a record starts with its type");
	tap_eq_u64(out[1], 0xff, "pack: ... then the mask of the words it carries");
	tap_eq_u64(n[1], 2 + 8 * 6, "pack: the kfree's first: no bytes, no gfp, so 6 words");
	tap_eq_u64(n[2], 2 + 8, "pack: the kmalloc again: its time alone, 10 bytes");
	tap_eq_u64(out[n[0] + n[1] + 1], 0x01, "pack: ... mask 0x01 (word 0, the time)");
	tap_eq_u64(n[3], 2 + 16, "pack: the kfree again on CPU 1: its time and the CPU's word");
	tap_eq_u64(record__pack(q, r, 4, frame), off, "pack: four at once, the same bytes");
	tap_ok(!memcmp(frame, out, off), "pack: ... byte for byte");

	memset(q, 0, sizeof(*q));
	for (i = 0, off = 0; i < 4; i++, off += took) {
		took = record__unpack(q, out + off, sizeof(out) - off, &back);
		bad = rec_diff(&back, &r[i]);
		tap_eq_u64(took, n[i], "unpack %zu: takes the bytes its pack wrote", i);
		tap_eq_s64(bad, -1, "unpack %zu: the record, byte for byte (-1: no byte differs)", i);
	}
	memset(q, 0, sizeof(*q));
	tap_eq_u64(record__unpack(q, out, n[0] - 1, &back), 0, "unpack: a record cut short: 0");
	tap_eq_u64(record__unpack(q, out, 1, &back), 0, "unpack: a type byte alone: 0");
	memset(q, 0, sizeof(*q));
	out[0] = MEMTRACE_EV_KFREE;
	tap_eq_u64(record__unpack(q, out, n[0], &back), 0,
		   "unpack: a type byte its record's type disagrees with: 0");
	out[0] = MEMTRACE_EV_KMALLOC;

	/* in a file: a packed run's frame, read back; cut inside a record, refused */
	memset(p, 0, sizeof(*p));
	off = record__pack_run(p, r, 4, frame);
	tap_eq_u64(off, 4 + n[0] + n[1] + n[2] + n[3], "pack_run: LEN, then the records");
	buf = run_file(frame + 4, (__u32)(off - 4), '5', &i);
	tap_eq_s64(read_fn(buf, i, count_kmalloc, &sum), 0, "run: a packed run read back");
	tap_eq_u64(sum, 2 * 0xffff888000123440ULL, "run: both kmallocs of it handed over");
	free(buf);
	buf = run_file(frame + 4, (__u32)(off - 5), '5', &i);
	tap_eq_s64(read_fn(buf, i, NULL, NULL), -EINVAL, "run: a packed run cut in a record is refused");
	free(buf);
	free(p);
	free(q);
}

/* A struct memtrace_rec turned back into the struct memtrace_event it stands for */
static void test_expand(void)
{
	struct memtrace_rec r = { .ts_ns = 123456789, .type = MEMTRACE_EV_PAGE_ALLOC,
				  .flags = MEMTRACE_F_PFN, .order = 9, .tgid = 42,
				  .call_site = SITE_A, .pfn = 0x12345, .bytes_req = 2 << 20,
				  .bytes_alloc = 2 << 20, .gfp = 0xcc0, .cpu = 3,
				  .node = MEMTRACE_REC_NO_NODE, .stack_id = 17 };
	struct memtrace_event e;

	record__expand(&r, &e);
	tap_eq_u64(e.ts_ns, 123456789, "expand: the time");
	tap_eq_u64(e.type, MEMTRACE_EV_PAGE_ALLOC, "expand: the type");
	tap_eq_u64(e.tgid, 42, "expand: the process");
	tap_eq_u64(e.cpu, 3, "expand: the CPU");
	tap_eq_u64(e.node, MEMTRACE_NO_NODE, "expand: no node stays no node");
	tap_eq_u64(e.order, 9, "expand: the order");
	tap_eq_u64(e.pfn, 0x12345, "expand: the PFN");
	tap_eq_u64(e.bytes_alloc, 2 << 20, "expand: bytes handed out");
	tap_eq_u64(e.gfp, 0xcc0, "expand: the gfp flags");
	tap_eq_u64(e.stack_id, 17, "expand: the stack");
	tap_eq_u64(e.flags, MEMTRACE_F_PFN, "expand: the flags");
	r.node = 1;
	record__expand(&r, &e);
	tap_eq_u64(e.node, 1, "expand: node 1");
	/* a failed kmalloc of 8 GiB: bytes_alloc does not fit, pfn holds it */
	r = (struct memtrace_rec){ .type = MEMTRACE_EV_KMALLOC, .flags = MEMTRACE_F_FAILED,
				   .bytes_req = 8ULL << 30, .bytes_alloc = 0xffffffffU,
				   .pfn = 8ULL << 30 };
	record__expand(&r, &e);
	tap_eq_u64(e.bytes_alloc, 8ULL << 30, "expand: a bytes_alloc over 32 bits, from pfn");
	tap_eq_u64(e.pfn, 0, "expand: ... and no PFN");
	tap_eq_u64(e.bytes_req, 8ULL << 30, "expand: bytes requested, 64 bits");
}

static const struct top_row *row_of(const struct report *r, __u32 kind, __u64 site)
{
	size_t i;

	for (i = 0; i < r->top.nr; i++)
		if (r->top.rows[i].kind == kind && r->top.rows[i].caller == site)
			return &r->top.rows[i];
	return NULL;
}

static void test_report(const char *buf, size_t len, struct report *r, struct record_header *h,
			struct ksyms **ks)
{
	const struct top_row *k, *in, *v;
	FILE *f = fmemopen((void *)buf, len, "r"), *s;

	record__read(f, h, NULL, NULL);
	s = fmemopen(h->syms, h->syms_len, "r");
	*ks = ksyms__read(s);
	fclose(s);
	report__init(r, h, *ks);
	rewind(f);
	{
		struct record_header h2;

		tap_eq_s64(record__read(f, &h2, report__add, r), 0, "report: every record read");
		record__header_free(&h2);
	}
	fclose(f);
	report__finish(r);
	k = row_of(r, MEMTRACE_EV_KMALLOC, SITE_A);
	in = row_of(r, MEMTRACE_EV_KMALLOC, SITE_IN);
	v = row_of(r, MEMTRACE_EV_VMALLOC, SITE_A);
	tap_ok(k && v && in, "report: the rows of the module and of the inner site");
	if (!k || !v || !in)
		return;
	tap_eq_u64(k->delta.allocs, 3, "report: 2 kmallocs + the large one, counted once");
	tap_eq_u64(in->delta.allocs, 0, "report: the inner event of the large kmalloc taken back");
	tap_eq_u64(k->delta.bytes_alloc, 1024 * 2 + 65536, "report: the bytes handed out");
	tap_eq_u64(k->delta.frees, 1, "report: the free matched");
	tap_eq_u64(k->now.bytes_alloc - k->now.bytes_freed, 1024 + 65536, "report: live bytes");
	tap_eq_u64(k->delta.zone_pages[1], 2 + 16, "report: pages by zone (DMA32)");
	tap_eq_u64(r->extra[k - r->top.rows].multi, 1, "report: one multi-page kmalloc");
	tap_eq_u64(v->delta.zone_pages[1], 4, "report: the vmalloc's 4 pages in DMA32");
	tap_eq_u64(r->extra[v - r->top.rows].multi_runs, 2,
		   "report: 5000 5001 5002 6000 are 2 contiguous runs");
}

/*
 * Many rows: report.c indexes them by (kind, caller, stack) in a table that
 * grows; every event must still reach its own row.  3000 sites x 2 kinds,
 * per row 2 allocations and 1 free, interleaved over the whole set.
 */
static void test_many_rows(void)
{
	struct record_header h = header();
	size_t i, wrong = 0, nr = 3000;
	struct report r;
	int pass, kind;

	tap_err(report__init(&r, &h, NULL), 0, "many rows: report__init");
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < nr; i++) {
			for (kind = 0; kind < 2; kind++) {
				__u32 a = kind ? MEMTRACE_EV_KMEM_CACHE_ALLOC : MEMTRACE_EV_KMALLOC;
				__u32 fr = kind ? MEMTRACE_EV_KMEM_CACHE_FREE : MEMTRACE_EV_KFREE;
				__u64 addr = 0xffff888010000000ULL + ((i * 2 + kind) * 4 + pass) * 64;
				__u64 site = 0xffffffff81000000ULL + i * 16;
				struct memtrace_event e;

				/* pass 0, 1: an allocation; pass 2: pass 0's freed */
				if (pass < 2)
					e = ev(a, site, addr, 64, 64, 0x1000);
				else
					e = ev(fr, 0, addr - 2 * 64, 0, 0, 0);
				e.cpu = (__u32)(i % 2);
				report__add(&r, &e, sizeof(e));
			}
		}
	}
	report__finish(&r);
	tap_eq_u64(r.top.nr, 2 * nr, "many rows: one row per site and kind");
	for (i = 0; i < r.top.nr; i++) {
		const struct top_row *row = &r.top.rows[i];

		if (row->delta.allocs != 2 || row->delta.frees != 1 ||
		    row->now.bytes_alloc - row->now.bytes_freed != 64)
			wrong++;
	}
	tap_eq_u64(wrong, 0, "many rows: every row has its 2 allocations and its free");
	report__free(&r);
	record__header_free(&h);
}

static void test_physmap(struct report *r)
{
	char *json = NULL, *svg = NULL;
	size_t jl = 0, sl = 0;
	FILE *f = open_memstream(&json, &jl);

	tap_eq_s64(report__json(f, r, TOP_SORT_BYTES, false), 0, "report JSON: written");
	fclose(f);
	tap_has_str(json, "\"cmd\":\"report\",\"kernel\":\"6.12.0-test\"", "report JSON: header");
	tap_has_str(json, "\"complete\":false", "report JSON: losses make it incomplete");
	tap_has_str(json, "\"multi_runs\":2,\"bins\":[", "report JSON: contiguity and bins");
	f = open_memstream(&svg, &sl);
	tap_eq_s64(physmap__svg(json, jl, f), 0, "physmap: drawn");
	fclose(f);
	tap_has_str(svg, "<svg", "physmap: an SVG");
	tap_has_str(svg, ">DMA32</text>", "physmap: the zones");
	tap_has_str(svg, "memalloc_do_alloc+0x10 [memalloc] (kmalloc, 18 pages)",
		    "physmap: a caller's band, with its pages");
	tap_has_str(svg, "INCOMPLETE recording", "physmap: the losses said");
	free(svg);
	svg = NULL;
	f = open_memstream(&svg, &sl);
	tap_eq_s64(physmap__svg("{\"cmd\":\"top\"}", 13, f), -EINVAL,
		   "physmap: another document is refused");
	fclose(f);
	free(svg);
	free(json);
}

/*
 * --stacks: a page allocation with both memtrace's caller and the kernel's
 * stack is checked, one against the other.  Stack 1 names SITE_A under
 * __alloc_pages; stack 2 names __kmalloc_noprof.
 */
static void test_callers_checked(void)
{
	static const char s2[] = "ffffffff81000000 t __alloc_pages_noprof\n"
				 "ffffffff81100000 t __kmalloc_noprof\n"
				 "ffffffffc0000000 t memalloc_do_alloc [memalloc]\n";
	struct record_stack st[2] = {
		{ .id = 1, .nr = 2, .ips = { 0xffffffff81000040ULL, SITE_A } },
		{ .id = 2, .nr = 2, .ips = { 0xffffffff81000040ULL, SITE_IN } },
	};
	struct record_header h = header();
	struct memtrace_event e = ev(MEMTRACE_EV_PAGE_ALLOC, SITE_A, 0, 4096, 4096, 0x1000);
	FILE *f = fmemopen((void *)s2, sizeof(s2) - 1, "r");
	struct ksyms *ks = ksyms__read(f);
	struct report r;

	fclose(f);
	h.stacks = st;
	h.nr_stacks = 2;
	h.all_stacks = true;
	report__init(&r, &h, ks);
	e.stack_id = 1;
	report__add(&r, &e, sizeof(e));
	e.stack_id = 2;
	report__add(&r, &e, sizeof(e));
	e.flags |= MEMTRACE_F_FAILED;
	report__add(&r, &e, sizeof(e));
	e.flags &= ~MEMTRACE_F_FAILED;
	e.call_site = 0;
	report__add(&r, &e, sizeof(e));
	report__finish(&r);
	tap_eq_u64(r.callers_checked, 2,
		   "report: page callers with a stack are checked, a failed allocation not");
	tap_eq_u64(r.callers_differ, 1, "report: a stack naming another caller is counted");
	report__free(&r);
	h.stacks = NULL;
	h.nr_stacks = 0;
	record__header_free(&h);
	ksyms__free(ks);
}

int main(void)
{
	struct record_header h;
	struct ksyms *ks = NULL;
	struct report r;
	size_t len = 0;
	char *buf = recording(&len);

	test_file(buf, len);
	test_run_frame();
	test_pack();
	test_expand();
	test_report(buf, len, &r, &h, &ks);
	test_physmap(&r);
	test_many_rows();
	test_callers_checked();
	report__free(&r);
	record__header_free(&h);
	ksyms__free(ks);
	free(buf);
	return tap_finish();
}
