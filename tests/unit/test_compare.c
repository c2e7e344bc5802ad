// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of memtrace-render --compare: two fixture studies, one "6.1"
 * and one "6.12", that differ in the BPF clock's functions (the _noprof
 * renames), in where kvmalloc maps huge, in where it switches to vmalloc,
 * in a limit and in one cell's page sizes, and agree on the rest.  Each
 * difference is detected, one fact per assertion; equal facts are not
 * reported; the area field reaches JSON and back, and old documents read
 * as "not recorded"; the terminal table stays under 80 columns.  The
 * tracer's hooks: two hand-written documents (tests/unit/data/, from
 * $TEST_DATA_DIR) that differ in them as 6.1 and 6.12 do, and one from
 * before hooks were recorded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memalloc.h"
#include "render/compare.h"
#include "render/render.h"
#include "study/study.h"
#include "tap.h"

#define MiB	(1ULL << 20)

static const char *data_dir;

/* A cell with results: @n4k pages of 4K and @n2m of 2M (in 4K pages), in @area */
static struct study_cell *cell(struct study *s, uint32_t kind, uint64_t size, uint32_t area,
			       uint32_t n4k, uint32_t n2m, uint64_t median, const char *afn,
			       const char *ffn)
{
	struct study_cell *c = study__add_cell(s);

	if (!c)
		tap_bail("study__add_cell: out of memory");
	c->kind = kind;
	c->size = size;
	c->area = area;
	c->levels[MEMALLOC_LEVEL_PTE] = n4k;
	c->levels[MEMALLOC_LEVEL_PMD] = n2m;
	c->pages = n4k + n2m;
	c->nr_runs = 1;
	c->iterations = 10;
	c->mod_alloc = (struct stats){ 10, median / 2, median, 2 * median, 3 * median };
	snprintf(c->bpf_alloc_fn, sizeof(c->bpf_alloc_fn), "%s", afn);
	snprintf(c->bpf_free_fn, sizeof(c->bpf_free_fn), "%s", ffn);
	return c;
}

/*
 * @new: 6.12 (the _noprof names, kvmalloc huge from 8M, vmalloc from 8M, alloc_pages
 * up to 4M); else 6.1 (old names, kvmalloc in 4K pages, vmalloc from 4M, alloc_pages
 * up to 8M, and the 1M vmalloc in 4K+2M)
 */
static void fixture(struct study *s, bool new)
{
	const char *kmalloc_fn = new ? "__kmalloc_noprof" : "__kmalloc";
	const char *kv_fn = new ? "__kvmalloc_node_noprof" : "kvmalloc_node";
	const char *v_fn = new ? "__vmalloc_noprof" : "__vmalloc";
	const uint32_t D = STUDY_AREA_DIRECT_MAP, V = STUDY_AREA_VMALLOC;

	memset(s, 0, sizeof(*s));
	snprintf(s->kernel, sizeof(s->kernel), "%s", new ? "6.12.57+deb13-cloud-amd64 #1 SMP" :
		 "6.1.0-40-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.153-1 (2025-09-20)");
	snprintf(s->machine, sizeof(s->machine), "x86_64");
	s->nr_cpus = 2;
	s->mem_bytes = 512 * MiB;
	s->page_size = 4096;
	s->kmalloc_max_size = 4 * MiB;
	s->max_order = 10;
	s->bpf = true;

	cell(s, MEMALLOC_KIND_KMALLOC, 64, D, 1, 0, 400, kmalloc_fn, "kfree");
	cell(s, MEMALLOC_KIND_KMALLOC, 1 * MiB, D, 0, 256, 9000, kmalloc_fn, "kfree");
	cell(s, MEMALLOC_KIND_VMALLOC, 64, V, 1, 0, 5000, v_fn, "vfree");
	cell(s, MEMALLOC_KIND_VMALLOC, 1 * MiB, V, new ? 256 : 0, new ? 0 : 256, 90000, v_fn,
	     "vfree");
	cell(s, MEMALLOC_KIND_KVMALLOC, 64, D, 1, 0, 500, kv_fn, "kvfree");
	cell(s, MEMALLOC_KIND_KVMALLOC, 4 * MiB, new ? D : V, new ? 0 : 1024, new ? 1024 : 0,
	     20000, kv_fn, "kvfree");
	cell(s, MEMALLOC_KIND_KVMALLOC, 8 * MiB, V, new ? 0 : 2048, new ? 2048 : 0, 40000, kv_fn,
	     "kvfree");
	cell(s, MEMALLOC_KIND_KVMALLOC, 16 * MiB, V, new ? 0 : 4096, new ? 4096 : 0, 80000, kv_fn,
	     "kvfree");
	/* Only in the new study: not compared */
	if (new)
		cell(s, MEMALLOC_KIND_ALLOC_PAGES, 64, D, 1, 0, 300, "alloc_pages_noprof",
		     "__free_pages");

	s->limits[0] = (struct study_limit){ MEMALLOC_KIND_KMALLOC, 4 * MiB, 4 * MiB + 1, -ENOMEM,
					     4 * MiB, 23 };
	s->limits[1] = (struct study_limit){ MEMALLOC_KIND_ALLOC_PAGES, new ? 4 * MiB : 8 * MiB,
					     new ? 8 * MiB : 16 * MiB, -ENOMEM, 4 * MiB, 11 };
	s->nr_limits = 2;
}

static void test_facts(void)
{
	struct study a, b;

	fixture(&a, false);
	fixture(&b, true);
	tap_eq_str(compare__fn(&a, MEMALLOC_KIND_KMALLOC, false), "__kmalloc",
		   "fn: 6.1's kmalloc clock");
	tap_eq_str(compare__fn(&b, MEMALLOC_KIND_KMALLOC, false), "__kmalloc_noprof",
		   "fn: 6.12's kmalloc clock");
	tap_eq_str(compare__fn(&b, MEMALLOC_KIND_KVMALLOC, true), "kvfree", "fn: a free function");
	tap_eq_str(compare__fn(&a, MEMALLOC_KIND_KMEM_CACHE, false), "", "fn: no cell, no function");
	tap_eq_u64(compare__kvmalloc_vmalloc(&a), 4 * MiB, "kvmalloc: 6.1 in vmalloc from 4M");
	tap_eq_u64(compare__kvmalloc_vmalloc(&b), 8 * MiB, "kvmalloc: 6.12 in vmalloc from 8M");
	tap_eq_u64(compare__kvmalloc_huge(&a), COMPARE_NONE, "kvmalloc: 6.1 never maps huge");
	tap_eq_u64(compare__kvmalloc_huge(&b), 8 * MiB,
		   "kvmalloc: 6.12 maps huge from 8M (4M: kmalloc'ed, 2M in the direct map)");
	tap_eq_u64(compare__kvmalloc_max(&a), 16 * MiB, "kvmalloc: the largest cell");
	tap_ok(compare__cell(&a, MEMALLOC_KIND_ALLOC_PAGES, 64) == NULL,
	       "cell: absent in one study");
	study__free(&a);
	study__free(&b);
}

static void test_diff(void)
{
	const struct compare_change *ch;
	struct study a, b;
	struct compare c;

	fixture(&a, false);
	fixture(&b, true);
	tap_err(compare__diff(&a, &b, &c), 0, "diff: 6.1 vs 6.12");

	ch = compare__find(&c, COMPARE_ALLOC_FN, MEMALLOC_KIND_KMALLOC);
	tap_ok(ch && ch->renamed, "diff: kmalloc's clock renamed (_noprof)");
	tap_eq_str(ch ? ch->commit : NULL, "7bd230a26648", "diff: kmalloc's rename cites the slab commit");
	tap_eq_str(ch ? ch->b : NULL, "__kmalloc_noprof", "diff: kmalloc's new function");
	ch = compare__find(&c, COMPARE_ALLOC_FN, MEMALLOC_KIND_VMALLOC);
	tap_eq_str(ch ? ch->commit : NULL, "88ae5fb755b0",
		   "diff: vmalloc's rename cites the vmalloc profiling commit");
	ch = compare__find(&c, COMPARE_ALLOC_FN, MEMALLOC_KIND_KVMALLOC);
	tap_ok(ch && ch->renamed, "diff: kvmalloc_node -> __kvmalloc_node_noprof is a rename");
	tap_eq_str(ch ? ch->commit : NULL, "7bd230a26648", "diff: kvmalloc's rename cites the slab commit");
	tap_ok(!compare__find(&c, COMPARE_FREE_FN, UINT32_MAX), "diff: the free functions are equal");
	tap_ok(!compare__find(&c, COMPARE_ALLOC_FN, MEMALLOC_KIND_ALLOC_PAGES),
	       "diff: a kind in one study only is no change");

	ch = compare__find(&c, COMPARE_KVMALLOC_HUGE, MEMALLOC_KIND_KVMALLOC);
	tap_eq_str(ch ? ch->a : NULL, "none up to 16M", "diff: kvmalloc huge: A none up to 16M");
	tap_eq_str(ch ? ch->b : NULL, "8M", "diff: kvmalloc huge: B from 8M");
	ch = compare__find(&c, COMPARE_KVMALLOC_VMALLOC, MEMALLOC_KIND_KVMALLOC);
	tap_eq_str(ch ? ch->a : NULL, "4M", "diff: kvmalloc vmalloc: A from 4M");
	tap_eq_str(ch ? ch->b : NULL, "8M", "diff: kvmalloc vmalloc: B from 8M");

	ch = compare__find(&c, COMPARE_LIMIT, MEMALLOC_KIND_ALLOC_PAGES);
	tap_eq_str(ch ? ch->b : NULL, "4M", "diff: alloc_pages' limit changed");
	tap_ok(!compare__find(&c, COMPARE_LIMIT, MEMALLOC_KIND_KMALLOC),
	       "diff: kmalloc's equal limit is no change");
	tap_ok(!compare__find(&c, COMPARE_KMALLOC_MAX, UINT32_MAX),
	       "diff: equal KMALLOC_MAX_SIZE is no change");

	ch = compare__find(&c, COMPARE_MAP, MEMALLOC_KIND_VMALLOC);
	tap_eq_u64(ch ? ch->size : 0, 1 * MiB, "diff: vmalloc 1M's page sizes changed");
	tap_eq_str(ch ? ch->a : NULL, "2M", "diff: vmalloc 1M: A in 2M");
	tap_ok(!compare__find(&c, COMPARE_MAP, MEMALLOC_KIND_KMALLOC),
	       "diff: kmalloc's direct-map page sizes are no change");
	tap_ok(!compare__find(&c, COMPARE_MAP, MEMALLOC_KIND_KVMALLOC),
	       "diff: kvmalloc's page sizes: the huge line says it, not a cell line");
	compare__free(&c);

	/* A study against itself: nothing */
	tap_err(compare__diff(&b, &b, &c), 0, "diff: 6.12 vs itself");
	tap_eq_u64(c.nr_changes, 0, "diff: a study against itself has no change");
	compare__free(&c);
	study__free(&a);
	study__free(&b);
}

/* Old documents (no area): not recorded, and no change claimed from that */
static void test_unrecorded(void)
{
	struct study a, b;
	struct compare c;
	size_t i;

	fixture(&a, false);
	fixture(&b, false);
	for (i = 0; i < a.nr_cells; i++)
		a.cells[i].area = STUDY_AREA_UNKNOWN;
	tap_eq_u64(compare__kvmalloc_vmalloc(&a), COMPARE_UNKNOWN,
		   "unrecorded: kvmalloc's area is unknown");
	tap_err(compare__diff(&a, &b, &c), 0, "unrecorded: diff");
	tap_ok(!compare__find(&c, COMPARE_KVMALLOC_VMALLOC, UINT32_MAX),
	       "unrecorded: no kvmalloc switch change claimed");
	tap_eq_u64(compare__kvmalloc_huge(&b), COMPARE_NONE, "unrecorded: 6.1 never maps huge");
	compare__free(&c);
	study__free(&b);
	fixture(&b, true);
	for (i = 0; i < b.nr_cells; i++)
		b.cells[i].area = STUDY_AREA_UNKNOWN;
	tap_eq_u64(compare__kvmalloc_huge(&b), 8 * MiB,
		   "unrecorded: 2M pages above KMALLOC_MAX_SIZE are huge vmap");
	tap_err(compare__diff(&a, &b, &c), 0, "unrecorded: diff with 6.12");
	tap_ok(compare__find(&c, COMPARE_KVMALLOC_HUGE, UINT32_MAX) != NULL,
	       "unrecorded: the huge vmap change is still found");
	compare__free(&c);
	study__free(&a);
	study__free(&b);
}

/* The area and the layout's addresses through JSON and back; and a document without them */
static void test_json(void)
{
	const char old[] = "{\"schema\": \"memtrace-study/1\", \"cells\": [{\"kind\": \"kvmalloc\","
			   " \"size_bytes\": 64, \"error\": 0}]}";
	struct study s, r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	fixture(&s, true);
	s.page_offset = 0xffff888000000000ULL;
	s.vmalloc_start = 0xffffc90000000000ULL;
	s.vmalloc_end = 0xffffe8ffffffffffULL;
	tap_eq_u64(study__area_of(&s, 0xffffc90000123000ULL), STUDY_AREA_VMALLOC,
		   "area_of: a vmalloc address");
	tap_eq_u64(study__area_of(&s, 0xffff888001000000ULL), STUDY_AREA_DIRECT_MAP,
		   "area_of: a direct-map address");
	tap_eq_u64(study__area_of(&s, 0xffffffff81000000ULL), STUDY_AREA_OTHER,
		   "area_of: the kernel image is neither");
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_json(&s, f, false);
	fclose(f);
	tap_has_str(text, "\"area\":\"vmalloc\"", "json: a cell's area written");
	tap_err(study__read_json(&r, text, len), 0, "json: read back");
	tap_eq_u64(r.nr_cells, s.nr_cells, "json: every cell back");
	tap_eq_u64(r.cells[7].area, STUDY_AREA_VMALLOC, "json: kvmalloc 16M back in vmalloc");
	tap_eq_u64(r.cells[0].area, STUDY_AREA_DIRECT_MAP, "json: kmalloc 64 back in the direct map");
	tap_eq_u64(r.vmalloc_start, s.vmalloc_start, "json: VMALLOC_START back");
	study__free(&r);
	free(text);
	study__free(&s);

	tap_err(study__read_json(&r, old, sizeof(old) - 1), 0, "json: an old document");
	tap_eq_u64(r.cells[0].area, STUDY_AREA_UNKNOWN, "json: no area reads as unknown");
	tap_eq_u64(study__area_of(&r, 0xffffc90000123000ULL), STUDY_AREA_UNKNOWN,
		   "area_of: without a layout, unknown");
	study__free(&r);
}

/* Every line under 80 columns */
static void check_width(const char *text, const char *what)
{
	size_t longest = 0;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n > longest)
			longest = n;
		p += n + (p[n] == '\n');
	}
	tap_lt_u64(longest, 80, "%s: every line under 80 columns", what);
}

static void test_output(void)
{
	struct study a, b;
	struct compare c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	fixture(&a, false);
	fixture(&b, true);
	if (compare__diff(&a, &b, &c))
		tap_bail("compare__diff: out of memory");

	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	compare__print_table(&a, &b, &c, f);
	fclose(f);
	check_width(text, "table");
	tap_has_str(text, "kvmalloc       8M", "table: a cell in both");
	tap_no_str(text, "alloc_pages    64", "table: a cell in one study only is left out");
	tap_has_str(text, "  7bd230a26648 mm/slab: enable slab allocation tagging for kmalloc and friends",
		    "table: the slab commit cited");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	compare__write_md(&a, &b, &c, f);
	fclose(f);
	tap_has_str(text, "# memtrace study: 6.1.0-40-cloud-amd64 (A) vs 6.12.57+deb13-cloud-amd64 (B)",
		    "md: the title names both releases");
	tap_no_str(text, "| kvmalloc | 1M |", "md: no 1M kvmalloc cell, no row");
	tap_has_str(text, "## What changed", "md: a What changed section");
	tap_has_str(text, "__kmalloc_noprof, was __kmalloc (_noprof): commit 7bd230a26648 "
			  "(\"mm/slab: enable slab allocation tagging for kmalloc and friends\")",
		    "md: the kmalloc rename with its commit");
	tap_has_str(text, "| kvmalloc | 8M | 40.0us | 40.0us | 1.00 | 4K | 2M | 1 | 1 |",
		    "md: a cell row: medians, ratio, page sizes, runs");
	tap_has_str(text, "| mapped with 2M pages from | none up to 16M | 8M |", "md: kvmalloc huge");
	free(text);
	compare__free(&c);
	study__free(&a);
	study__free(&b);
}

/* Read the study $TEST_DATA_DIR/@name into @s, or bail out */
static void read_data(const char *name, struct study *s)
{
	char path[512], *text;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "r");
	if (!f)
		tap_bail("open %s: %s", path, strerror(errno));
	text = calloc(1, 1 << 16);
	if (!text)
		tap_bail("out of memory");
	len = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	if (study__read_json(s, text, len))
		tap_bail("%s: not a study document", path);
	free(text);
}

/* The hook names and attach types: one spelling each, both ways */
static void test_hook_names(void)
{
	struct hook hooks[NR_HOOKS] = {};
	char buf[256];

	tap_eq_str(hook__name(HOOK_VMALLOC), "vmalloc", "hooks: the vmalloc core's hook's name");
	tap_eq_s64(hook__from_name("get_vm_area"), HOOK_GET_VM_AREA, "hooks: a name read back");
	tap_eq_s64(hook__from_name("vmap_area"), -1, "hooks: an unknown name");
	tap_eq_u64(hook__attach_from_name("kretprobe"), HOOK_KRETPROBE, "hooks: kretprobe read back");
	tap_eq_u64(hook__attach_from_name(""), HOOK_NOT_RECORDED, "hooks: no attach, not recorded");
	tap_ok(!hooks__recorded(hooks), "hooks: all HOOK_NOT_RECORDED is not recorded");
	tap_eq_str(hook__format(&hooks[HOOK_VFREE], buf, sizeof(buf)), "not recorded",
		   "hooks: a hook not recorded, as text");
}

static void test_hooks_read(void)
{
	struct study a, b, old;

	read_data("study-6.1-hooks.json", &a);
	read_data("study-6.12-hooks.json", &b);
	read_data("study-6.1-nohooks.json", &old);
	tap_eq_u64(a.hooks[HOOK_VMALLOC].attach, HOOK_KRETPROBE, "read: 6.1's vmalloc hook a kretprobe");
	tap_eq_str(a.hooks[HOOK_VMALLOC].target, "__vmalloc_node_range", "read: 6.1's vmalloc core");
	tap_eq_u64(b.hooks[HOOK_VMALLOC].attach, HOOK_FEXIT, "read: 6.12's vmalloc hook a fexit");
	tap_eq_u64(a.hooks[HOOK_ALLOC_VMAP_AREA].attach, HOOK_ABSENT,
		   "read: 6.1 has no alloc_vmap_area tracepoint");
	tap_eq_str(b.hooks[HOOK_KMEM].target, HOOK_KMEM_TARGET, "read: the kmem tracepoints");
	tap_ok(!hooks__recorded(old.hooks), "read: a document without hooks: not recorded");
	tap_eq_u64(old.hooks[HOOK_VMALLOC].attach, HOOK_NOT_RECORDED,
		   "read: no hooks, the vmalloc hook not recorded");
	study__free(&a);
	study__free(&b);
	study__free(&old);
}

/* The hooks through the study's JSON and back; without them, the note why */
static void test_hooks_json(void)
{
	struct study s, r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	read_data("study-6.12-hooks.json", &s);
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_json(&s, f, false);
	fclose(f);
	tap_has_str(text, "\"vmalloc\":{\"attach\":\"fexit\",\"target\":\"__vmalloc_node_range_noprof\"}",
		    "hooks json: the vmalloc hook written in the conditions");
	tap_no_str(text, "\"hooks_note\"", "hooks json: no note when recorded");
	tap_err(study__read_json(&r, text, len), 0, "hooks json: read back");
	tap_eq_u64(r.hooks[HOOK_GET_VM_AREA].attach, HOOK_FEXIT, "hooks json: get_vm_area back");
	tap_eq_str(r.hooks[HOOK_ALLOC_VMAP_AREA].target, "vmalloc:alloc_vmap_area",
		   "hooks json: a tracepoint target back");
	study__free(&r);
	free(text);

	memset(s.hooks, 0, sizeof(s.hooks));
	snprintf(s.hooks_note, sizeof(s.hooks_note), "not loaded (--no-bpf)");
	text = NULL;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	study__write_json(&s, f, false);
	fclose(f);
	tap_no_str(text, "\"hooks\":", "hooks json: not recorded, no hooks object");
	tap_err(study__read_json(&r, text, len), 0, "hooks json: a study without hooks read back");
	tap_eq_str(r.hooks_note, "not loaded (--no-bpf)", "hooks json: the note back");
	study__free(&r);
	free(text);
	study__free(&s);
}

/* The tracer's line from the structured hooks, as `memtrace run` prints it */
static void test_hooks_describe(void)
{
	struct study a;
	char buf[256];

	read_data("study-6.1-hooks.json", &a);
	tap_eq_str(hooks__describe(a.hooks, buf, sizeof(buf)),
		   "kmem: raw_tp; vmap_area: absent; vmalloc: kretprobe __vmalloc_node_range + "
		   "kretprobe __get_vm_area_node; vfree: fentry", "describe: 6.1's hooks in one line");
	study__free(&a);
}

static void test_hooks_diff(void)
{
	const struct compare_change *ch;
	struct study a, b;
	struct compare c;

	read_data("study-6.1-hooks.json", &a);
	read_data("study-6.12-hooks.json", &b);
	tap_err(compare__diff(&a, &b, &c), 0, "hooks diff: 6.1 vs 6.12");
	ch = compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_VMALLOC);
	tap_eq_str(ch ? ch->a : NULL, "kretprobe", "hooks diff: vmalloc: A's attach");
	tap_eq_str(ch ? ch->b : NULL, "fexit", "hooks diff: vmalloc: B's attach");
	tap_eq_str(ch ? ch->commit : NULL, "473e3150e30a",
		   "hooks diff: vmalloc's fexit cites the 12-argument trampoline");
	ch = compare__find(&c, COMPARE_HOOK_TARGET, HOOK_VMALLOC);
	tap_ok(ch && ch->renamed, "hooks diff: the vmalloc core renamed (_noprof)");
	tap_eq_str(ch ? ch->commit : NULL, "88ae5fb755b0",
		   "hooks diff: the vmalloc core's rename cites the vmalloc profiling commit");
	ch = compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_GET_VM_AREA);
	tap_eq_str(ch ? ch->commit : NULL, "473e3150e30a",
		   "hooks diff: __get_vm_area_node's fexit cites the 12-argument trampoline");
	tap_ok(!compare__find(&c, COMPARE_HOOK_TARGET, HOOK_GET_VM_AREA),
	       "hooks diff: __get_vm_area_node's equal target is no change");
	ch = compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_ALLOC_VMAP_AREA);
	tap_eq_str(ch ? ch->b : NULL, "raw_tp", "hooks diff: alloc_vmap_area appears on 6.12");
	tap_ok(ch && !ch->commit, "hooks diff: alloc_vmap_area cites no unchecked commit");
	tap_ok(!compare__find(&c, COMPARE_HOOK_TARGET, HOOK_ALLOC_VMAP_AREA),
	       "hooks diff: an absent hook has no target to compare");
	tap_ok(!compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_KMEM), "hooks diff: equal kmem is no change");
	tap_ok(!compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_VFREE), "hooks diff: equal vfree is no change");
	tap_ok(!compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_KMALLOC_NODE),
	       "hooks diff: kmalloc_node absent in both is no change");
	compare__free(&c);

	/* The other way round: 6.12 as A */
	tap_err(compare__diff(&b, &a, &c), 0, "hooks diff: 6.12 vs 6.1");
	ch = compare__find(&c, COMPARE_HOOK_ATTACH, HOOK_VMALLOC);
	tap_eq_str(ch ? ch->text : NULL, "hook vmalloc: kretprobe, was fexit (the trampoline refuses it)",
		   "hooks diff: back to the kretprobe, said so");
	tap_eq_str(ch ? ch->commit : NULL, "473e3150e30a", "hooks diff: either way, the same commit");
	compare__free(&c);
	study__free(&a);
	study__free(&b);
}

/* A document without hooks against one with: "not recorded", no change claimed */
static void test_hooks_unrecorded(void)
{
	struct study old, b;
	struct compare c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	read_data("study-6.1-nohooks.json", &old);
	read_data("study-6.12-hooks.json", &b);
	tap_err(compare__diff(&old, &b, &c), 0, "unrecorded hooks: diff");
	tap_ok(!compare__find(&c, COMPARE_HOOK_ATTACH, UINT32_MAX),
	       "unrecorded hooks: no attach change claimed");
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	compare__write_md(&old, &b, &c, f);
	compare__print_table(&old, &b, &c, f);
	fclose(f);
	tap_has_str(text, "| vmalloc | not recorded | fexit `__vmalloc_node_range_noprof` |",
		    "unrecorded hooks: md's row says not recorded for A");
	tap_has_str(text, "\nA: not recorded (a study from before they were).\n",
		    "unrecorded hooks: md says why");
	tap_has_str(text, "hook vmalloc               A not recorded B fexit\n",
		    "unrecorded hooks: the table says not recorded for A");
	free(text);
	compare__free(&c);
	study__free(&old);
	study__free(&b);
}

static void test_hooks_output(void)
{
	struct study a, b;
	struct compare c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	read_data("study-6.1-hooks.json", &a);
	read_data("study-6.12-hooks.json", &b);
	if (compare__diff(&a, &b, &c))
		tap_bail("compare__diff: out of memory");
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	compare__write_md(&a, &b, &c, f);
	fclose(f);
	tap_has_str(text, "| vmalloc | kretprobe `__vmalloc_node_range` | "
			  "fexit `__vmalloc_node_range_noprof` |", "hooks md: vmalloc side by side");
	tap_has_str(text, "| alloc_vmap_area | absent | raw_tp `vmalloc:alloc_vmap_area` |",
		    "hooks md: a tracepoint only B has");
	tap_has_str(text, "- hook vmalloc: fexit, was kretprobe (the trampoline takes it): commit 473e3150e30a "
			  "(\"bpf, x86: allow function arguments up to 12 for TRACING\")",
		    "hooks md: what changed: fexit vs kretprobe with its commit");
	tap_has_str(text, "- hook vmalloc: __vmalloc_node_range_noprof, was __vmalloc_node_range "
			  "(_noprof): commit 88ae5fb755b0", "hooks md: what changed: the rename");
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream: out of memory");
	compare__print_table(&a, &b, &c, f);
	fclose(f);
	check_width(text, "hooks table");
	tap_has_str(text, "hook vmalloc               A kretprobe    B fexit\n",
		    "hooks table: vmalloc's attach types");
	tap_has_str(text, "  473e3150e30a bpf, x86: allow function arguments up to 12 for TRACING\n",
		    "hooks table: the trampoline commit cited");
	free(text);
	compare__free(&c);
	study__free(&a);
	study__free(&b);
}

int main(void)
{
	data_dir = getenv("TEST_DATA_DIR");
	if (!data_dir || !*data_dir)
		data_dir = "tests/unit/data";
	test_facts();
	test_diff();
	test_unrecorded();
	test_json();
	test_output();
	test_hook_names();
	test_hooks_read();
	test_hooks_json();
	test_hooks_describe();
	test_hooks_diff();
	test_hooks_unrecorded();
	test_hooks_output();
	return tap_finish();
}
