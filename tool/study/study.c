// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace study: the results model and its JSON, CSV and table forms
 * (study.h).  The JSON keys carry units; every number of a cell is written,
 * so the host can render without the guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hooks.h"
#include "lib/json.h"
#include "memalloc.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "study/study.h"

/* Append a zeroed element to *@arr (@n used, @cap room); NULL on -ENOMEM */
static void *study__grow(void **arr, size_t *n, size_t *cap, size_t elem)
{
	void *p;

	if (array__reserve(arr, cap, *n + 1, elem))
		return NULL;
	p = (char *)*arr + *n * elem;
	memset(p, 0, elem);
	(*n)++;
	return p;
}

struct study_cell *study__add_cell(struct study *s)
{
	return study__grow((void **)&s->cells, &s->nr_cells, &s->cap_cells, sizeof(*s->cells));
}

struct study_place *study__add_place(struct study *s)
{
	return study__grow((void **)&s->places, &s->nr_places, &s->cap_places, sizeof(*s->places));
}

struct study_iomem *study__add_iomem(struct study *s)
{
	return study__grow((void **)&s->iomem, &s->nr_iomem, &s->cap_iomem, sizeof(*s->iomem));
}

void study__free(struct study *s)
{
	free(s->cells);
	free(s->places);
	free(s->iomem);
	memset(s, 0, sizeof(*s));
}

int study__node_of_pfn(const struct study *s, uint64_t pfn)
{
	uint32_t i;

	for (i = 0; i < s->nr_zones; i++) {
		if (pfn >= s->zones[i].start_pfn && pfn < s->zones[i].end_pfn)
			return s->zones[i].node;
	}
	return -1;
}

void study__cell_walk(const struct study *s, struct study_cell *c, const uint64_t *pfns,
		      const uint32_t *levels, size_t n)
{
	size_t i;

	c->pages = n;
	c->nr_runs = pfn_runs(pfns, n, c->runs, STUDY_MAX_RUNS);
	c->nr_runs_kept = c->nr_runs < STUDY_MAX_RUNS ? c->nr_runs : STUDY_MAX_RUNS;
	memset(c->levels, 0, sizeof(c->levels));
	memset(c->nodes, 0, sizeof(c->nodes));
	for (i = 0; i < n; i++) {
		int node = pfns[i] == PFN_NONE ? -1 : study__node_of_pfn(s, pfns[i]);

		if (levels[i] < MEMALLOC_NR_LEVELS)
			c->levels[levels[i]]++;
		if (node >= 0 && node < STUDY_MAX_NODES)
			c->nodes[node]++;
	}
}

const char *study__levels_str(const struct study_cell *c, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i < MEMALLOC_NR_LEVELS + 1; i++) {
		int l = i % MEMALLOC_NR_LEVELS;	/* 4K, 2M, 1G, then unmapped */

		if (!c->levels[l] || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? "+" : "", level__name(l));
	}
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
}

uint32_t study__area_of(const struct study *s, uint64_t addr)
{
	if (!s->vmalloc_start || !s->page_offset)
		return STUDY_AREA_UNKNOWN;
	if (addr >= s->vmalloc_start && addr <= s->vmalloc_end)
		return STUDY_AREA_VMALLOC;
	/* x86-64: the direct map starts at PAGE_OFFSET and ends below the vmalloc area */
	if (addr >= s->page_offset && addr < s->vmalloc_start)
		return STUDY_AREA_DIRECT_MAP;
	return STUDY_AREA_OTHER;
}

static const char *const study_area_names[STUDY_NR_AREAS] = {
	[STUDY_AREA_UNKNOWN] = "",
	[STUDY_AREA_DIRECT_MAP] = "direct map",
	[STUDY_AREA_VMALLOC] = "vmalloc",
	[STUDY_AREA_OTHER] = "other",
};

const char *study__area_name(uint32_t area)
{
	return area < STUDY_NR_AREAS ? study_area_names[area] : "";
}

uint32_t study__area_from_name(const char *name)
{
	uint32_t a;

	for (a = 1; name && a < STUDY_NR_AREAS; a++) {
		if (!strcmp(name, study_area_names[a]))
			return a;
	}
	return STUDY_AREA_UNKNOWN;
}

/* ---- JSON out ---------------------------------------------------------- */

static void study__json_stats(struct json *j, const char *name, const struct stats *st)
{
	json__name(j, name);
	json__start_object(j);
	json__kv_uint(j, "n", st->n);
	json__kv_uint(j, "min_ns", st->min_ns);
	json__kv_uint(j, "median_ns", st->median_ns);
	json__kv_uint(j, "p99_ns", st->p99_ns);
	json__kv_uint(j, "max_ns", st->max_ns);
	json__end_object(j);
}

static void study__json_u32s(struct json *j, const char *name, const uint32_t *v, size_t n)
{
	size_t i;

	json__name(j, name);
	json__start_array(j);
	for (i = 0; i < n; i++)
		json__uint(j, v[i]);
	json__end_array(j);
}

static void study__json_cell(struct json *j, const struct study *s, const struct study_cell *c)
{
	uint32_t i, l;

	json__start_object(j);
	json__kv_string(j, "kind", kind__name(c->kind));
	json__kv_uint(j, "size_bytes", c->size);
	json__kv_int(j, "error", c->err);
	if (c->err) {
		json__kv_string(j, "error_name", strerror(-c->err));
		json__end_object(j);
		return;
	}
	json__kv_uint(j, "size_alloc_bytes", c->size_alloc);
	json__kv_uint(j, "iterations", c->iterations);
	json__kv_uint(j, "failures", c->failures);
	study__json_stats(j, "module_alloc", &c->mod_alloc);
	study__json_stats(j, "module_free", &c->mod_free);
	study__json_stats(j, "module_bpf_alloc", &c->modbpf_alloc);
	study__json_stats(j, "module_bpf_free", &c->modbpf_free);
	study__json_stats(j, "bpf_alloc", &c->bpf_alloc);
	study__json_stats(j, "bpf_free", &c->bpf_free);
	json__kv_string(j, "bpf_alloc_fn", c->bpf_alloc_fn);
	json__kv_string(j, "bpf_free_fn", c->bpf_free_fn);
	json__kv_uint(j, "touch_lines", c->touch_lines);
	json__kv_uint(j, "touch_pages", c->touch_pages);
	json__kv_uint(j, "seq_line_ns", c->seq_line_ns);
	json__kv_uint(j, "rand_line_ns", c->rand_line_ns);
	json__kv_uint(j, "seq_page_ns", c->seq_page_ns);
	json__kv_uint(j, "rand_page_ns", c->rand_page_ns);
	json__kv_uint(j, "pages", c->pages);
	json__kv_uint(j, "runs", c->nr_runs);
	if (c->area)
		json__kv_string(j, "area", study__area_name(c->area));
	json__name(j, "pages_by_level");
	json__start_object(j);
	for (l = 0; l < MEMALLOC_NR_LEVELS; l++)
		json__kv_uint(j, level__name(l), c->levels[l]);
	json__end_object(j);
	study__json_u32s(j, "pages_by_node", c->nodes, s->nr_nodes && s->nr_nodes <= STUDY_MAX_NODES ?
			 s->nr_nodes : 1);
	json__name(j, "pfn_runs");
	json__start_array(j);
	for (i = 0; i < c->nr_runs_kept; i++) {
		json__start_array(j);
		json__uint(j, c->runs[i].pfn);
		json__uint(j, c->runs[i].pages);
		json__end_array(j);
	}
	json__end_array(j);
	json__end_object(j);
}

/* "hooks": {"vmalloc": {"attach": "fexit", "target": "..."}, ...}, or why not */
static void study__json_hooks(struct json *j, const struct study *s)
{
	uint32_t i;

	if (!hooks__recorded(s->hooks)) {
		json__kv_string(j, "hooks_note", s->hooks_note);
		return;
	}
	json__name(j, "hooks");
	json__start_object(j);
	for (i = 0; i < NR_HOOKS; i++) {
		json__name(j, hook__name(i));
		json__start_object(j);
		json__kv_string(j, "attach", hook__attach_name(s->hooks[i].attach));
		json__kv_string(j, "target", s->hooks[i].target);
		json__end_object(j);
	}
	json__end_object(j);
}

static void study__json_conditions(struct json *j, const struct study *s)
{
	json__name(j, "conditions");
	json__start_object(j);
	json__kv_string(j, "kernel", s->kernel);
	json__kv_string(j, "machine", s->machine);
	json__kv_string(j, "cpu", s->cpu);
	json__kv_uint(j, "nr_cpus", s->nr_cpus);
	json__kv_uint(j, "mem_bytes", s->mem_bytes);
	json__kv_bool(j, "hypervisor", s->hypervisor);
	json__kv_string(j, "accel", s->accel);
	json__kv_string(j, "hypervisor_id", s->hypervisor_id);
	json__kv_string(j, "host_cpu", s->host_cpu);
	json__kv_bool(j, "quick", s->quick);
	json__kv_bool(j, "interrupted", s->interrupted);
	json__kv_double(j, "duration_s", s->duration_s);
	json__kv_bool(j, "bpf", s->bpf);
	json__kv_string(j, "bpf_note", s->bpf_note);
	study__json_hooks(j, s);
	json__end_object(j);
}

static void study__json_layout(struct json *j, const struct study *s)
{
	size_t i;

	json__name(j, "layout");
	json__start_object(j);
	json__kv_uint(j, "page_size", s->page_size);
	json__kv_uint(j, "kmalloc_max_size", s->kmalloc_max_size);
	json__kv_uint(j, "max_order", s->max_order);
	json__kv_uint(j, "limit_bytes", s->limit_bytes);
	json__kv_uint(j, "nr_nodes", s->nr_nodes);
	if (s->vmalloc_start) {
		json__kv_hex(j, "page_offset", s->page_offset);
		json__kv_hex(j, "vmalloc_start", s->vmalloc_start);
		json__kv_hex(j, "vmalloc_end", s->vmalloc_end);
	}
	json__name(j, "zones");
	json__start_array(j);
	for (i = 0; i < s->nr_zones; i++) {
		json__start_object(j);
		json__kv_uint(j, "node", s->zones[i].node);
		json__kv_string(j, "name", s->zones[i].name);
		json__kv_uint(j, "start_pfn", s->zones[i].start_pfn);
		json__kv_uint(j, "end_pfn", s->zones[i].end_pfn);
		json__kv_uint(j, "zone", s->zones[i].zone);
		json__kv_uint(j, "present_pages", s->zones[i].present_pages);
		json__kv_uint(j, "managed_pages", s->zones[i].managed_pages);
		json__end_object(j);
	}
	json__end_array(j);
	json__name(j, "iomem");
	json__start_array(j);
	for (i = 0; i < s->nr_iomem; i++) {
		json__start_object(j);
		json__kv_hex(j, "start", s->iomem[i].start);
		json__kv_hex(j, "end", s->iomem[i].end);
		json__kv_string(j, "name", s->iomem[i].name);
		json__end_object(j);
	}
	json__end_array(j);
	json__end_object(j);
}

static void study__json_limits(struct json *j, const struct study *s)
{
	size_t i;

	json__name(j, "limits");
	json__start_array(j);
	for (i = 0; i < s->nr_limits; i++) {
		const struct study_limit *l = &s->limits[i];

		json__start_object(j);
		json__kv_string(j, "kind", kind__name(l->kind));
		json__kv_uint(j, "largest_bytes", l->largest);
		json__kv_uint(j, "first_fail_bytes", l->first_fail);
		json__kv_int(j, "fail_error", l->fail_err);
		json__kv_uint(j, "kernel_max_bytes", l->kernel_max);
		json__kv_uint(j, "probes", l->probes);
		json__end_object(j);
	}
	json__end_array(j);
}

static void study__json_placement(struct json *j, const struct study *s)
{
	size_t i;

	json__name(j, "placement");
	json__start_array(j);
	for (i = 0; i < s->nr_places; i++) {
		const struct study_place *p = &s->places[i];

		json__start_object(j);
		json__kv_string(j, "kind", kind__name(p->kind));
		json__kv_uint(j, "size_bytes", p->size);
		json__kv_int(j, "node_requested", p->node_req);
		json__kv_int(j, "error", p->err);
		json__kv_uint(j, "pages", p->pages);
		study__json_u32s(j, "pages_by_node", p->nodes,
				 s->nr_nodes && s->nr_nodes <= STUDY_MAX_NODES ? s->nr_nodes : 1);
		json__end_object(j);
	}
	json__end_array(j);
}

int study__write_json(const struct study *s, FILE *f, bool pretty)
{
	struct json j;
	size_t i;

	json__init(&j, f, pretty);
	json__start_object(&j);
	json__kv_string(&j, "schema", STUDY_SCHEMA);
	json__kv_string(&j, "cmd", "study");
	study__json_conditions(&j, s);
	study__json_layout(&j, s);
	json__name(&j, "cells");
	json__start_array(&j);
	for (i = 0; i < s->nr_cells; i++)
		study__json_cell(&j, s, &s->cells[i]);
	json__end_array(&j);
	study__json_limits(&j, s);
	study__json_placement(&j, s);
	json__end_object(&j);
	return json__end(&j);
}

/* ---- CSV and the table ------------------------------------------------- */

void study__write_csv(const struct study *s, FILE *f)
{
	size_t i;

	fprintf(f, "kind,size_bytes,error,size_alloc_bytes,iterations,failures,"
		   "module_alloc_median_ns,module_alloc_p99_ns,module_free_median_ns,"
		   "module_free_p99_ns,module_bpf_alloc_median_ns,module_bpf_free_median_ns,"
		   "bpf_alloc_n,bpf_alloc_median_ns,bpf_alloc_p99_ns,bpf_free_n,"
		   "bpf_free_median_ns,bpf_free_p99_ns,pages,runs,pages_4k,pages_2m,pages_1g,"
		   "pages_unmapped,seq_line_ns,rand_line_ns,seq_page_ns,rand_page_ns,"
		   "touch_lines,touch_pages\n");
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		fprintf(f, "%s,%llu,%d,%llu,%u,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
			   "%llu,%llu,%llu,%u,%u,%u,%u,%u,%u,%llu,%llu,%llu,%llu,%llu,%llu\n",
			kind__name(c->kind), (unsigned long long)c->size, c->err,
			(unsigned long long)c->size_alloc, c->iterations, c->failures,
			(unsigned long long)c->mod_alloc.median_ns,
			(unsigned long long)c->mod_alloc.p99_ns,
			(unsigned long long)c->mod_free.median_ns,
			(unsigned long long)c->mod_free.p99_ns,
			(unsigned long long)c->modbpf_alloc.median_ns,
			(unsigned long long)c->modbpf_free.median_ns,
			(unsigned long long)c->bpf_alloc.n,
			(unsigned long long)c->bpf_alloc.median_ns,
			(unsigned long long)c->bpf_alloc.p99_ns,
			(unsigned long long)c->bpf_free.n,
			(unsigned long long)c->bpf_free.median_ns,
			(unsigned long long)c->bpf_free.p99_ns,
			c->pages, c->nr_runs, c->levels[1], c->levels[2], c->levels[3],
			c->levels[0], (unsigned long long)c->seq_line_ns,
			(unsigned long long)c->rand_line_ns, (unsigned long long)c->seq_page_ns,
			(unsigned long long)c->rand_page_ns, (unsigned long long)c->touch_lines,
			(unsigned long long)c->touch_pages);
	}
}

void study__write_limits_csv(const struct study *s, FILE *f)
{
	size_t i;

	fprintf(f, "kind,largest_bytes,first_fail_bytes,fail_error,kernel_max_bytes,probes\n");
	for (i = 0; i < s->nr_limits; i++) {
		const struct study_limit *l = &s->limits[i];

		fprintf(f, "%s,%llu,%llu,%d,%llu,%u\n", kind__name(l->kind),
			(unsigned long long)l->largest, (unsigned long long)l->first_fail,
			l->fail_err, (unsigned long long)l->kernel_max, l->probes);
	}
}

void study__write_places_csv(const struct study *s, FILE *f)
{
	uint32_t nn = s->nr_nodes && s->nr_nodes <= STUDY_MAX_NODES ? s->nr_nodes : 1, n;
	size_t i;

	fprintf(f, "kind,size_bytes,node_requested,error,pages");
	for (n = 0; n < nn; n++)
		fprintf(f, ",pages_node%u", n);
	fputc('\n', f);
	for (i = 0; i < s->nr_places; i++) {
		const struct study_place *p = &s->places[i];

		fprintf(f, "%s,%llu,%d,%d,%u", kind__name(p->kind), (unsigned long long)p->size,
			p->node_req, p->err, p->pages);
		for (n = 0; n < nn; n++)
			fprintf(f, ",%u", p->nodes[n]);
		fputc('\n', f);
	}
}

/* Short name of -errno, for the table */
static const char *study__errname(int err)
{
	switch (-err) {
	case 0: return "-";
	case ENOMEM: return "ENOMEM";
	case E2BIG: return "E2BIG";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	default: return strerror(-err);
	}
}

/* ns per access of one touch pass, as text */
static const char *study__per(uint64_t ns, uint64_t n, char *buf, size_t len)
{
	if (!n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", (double)ns / n);
	return buf;
}

const char *study__fail_size(const struct study_limit *l, char *buf, size_t len)
{
	/* Exact when rounding would hide it: 4M works, 4M + 1 B fails */
	if (l->first_fail == l->largest + 1)
		snprintf(buf, len, "+1 B");
	else
		size__format(l->first_fail, buf, len);
	return buf;
}

void study__print_table(const struct study *s, FILE *f)
{
	char b[12][24];
	size_t i;

	fprintf(f, "%-11s %5s %5s %7s %7s %7s %7s %7s\n", "KIND", "SIZE", "ITER", "ALLOC",
		"P99", "BPF", "FREE", "BPF");
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		size__format(c->size, b[0], sizeof(b[0]));
		if (c->err) {
			fprintf(f, "%-11s %5s  (%s)\n", kind__name(c->kind), b[0],
				strerror(-c->err));
			continue;
		}
		fprintf(f, "%-11s %5s %5u %7s %7s %7s %7s %7s\n", kind__name(c->kind), b[0],
			c->iterations,
			stats__fmt_of(&c->mod_alloc, c->mod_alloc.median_ns, b[1], sizeof(b[1])),
			stats__fmt_of(&c->mod_alloc, c->mod_alloc.p99_ns, b[2], sizeof(b[2])),
			stats__fmt_of(&c->bpf_alloc, c->bpf_alloc.median_ns, b[3], sizeof(b[3])),
			stats__fmt_of(&c->mod_free, c->mod_free.median_ns, b[4], sizeof(b[4])),
			stats__fmt_of(&c->bpf_free, c->bpf_free.median_ns, b[5], sizeof(b[5])));
	}
	fprintf(f, "ALLOC, FREE: the module's median (P99: its 99th percentile); BPF: fentry\n"
		   "to fexit median of the same calls.\n\n");
	fprintf(f, "%-11s %5s %6s %5s %-14s %6s %6s\n", "KIND", "SIZE", "PAGES", "RUNS", "MAP",
		"SEQ/L", "RAND/L");
	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		if (c->err)
			continue;
		size__format(c->size, b[0], sizeof(b[0]));
		fprintf(f, "%-11s %5s %6u %5u %-14s %6s %6s\n", kind__name(c->kind), b[0],
			c->pages, c->nr_runs, study__levels_str(c, b[6], sizeof(b[6])),
			study__per(c->seq_line_ns, c->touch_lines, b[7], sizeof(b[7])),
			study__per(c->rand_line_ns, c->touch_lines, b[8], sizeof(b[8])));
	}
	fprintf(f, "RUNS: physically contiguous runs; MAP: page sizes that map it; SEQ/L,\n"
		   "RAND/L: ns per cache-line write, in order and shuffled.\n");
	for (i = 0; i < s->nr_limits; i++) {
		const struct study_limit *l = &s->limits[i];

		size__format(l->largest, b[0], sizeof(b[0]));
		size__format(l->kernel_max, b[2], sizeof(b[2]));
		study__fail_size(l, b[1], sizeof(b[1]));
		fprintf(f, "largest %-11s %s, %s fails (%s); kernel says %s: %s\n",
			kind__name(l->kind), b[0], b[1], study__errname(l->fail_err), b[2],
			l->largest == l->kernel_max ? "match" : "MISMATCH");
	}
	for (i = 0; i < s->nr_places; i++) {
		const struct study_place *p = &s->places[i];
		uint32_t n;

		size__format(p->size, b[0], sizeof(b[0]));
		if (i == 0)
			fprintf(f, "NUMA placement (pages per node):\n");
		fprintf(f, "  %-11s %5s node %-7s", kind__name(p->kind), b[0],
			p->node_req < 0 ? "default" : (snprintf(b[1], sizeof(b[1]), "%d",
							 p->node_req), b[1]));
		if (p->err) {
			fprintf(f, " (%s)\n", strerror(-p->err));
			continue;
		}
		for (n = 0; n < s->nr_nodes && n < STUDY_MAX_NODES; n++)
			fprintf(f, " n%u:%-6u", n, p->nodes[n]);
		fputc('\n', f);
	}
	if (s->bpf_note[0])
		fprintf(f, "BPF: %s\n", s->bpf_note);
	if (s->interrupted)
		fprintf(f, "INTERRUPTED: partial results\n");
}

const char *study__accel_of(const char *launcher, bool hypervisor, const char *sig)
{
	if (launcher && (!strcmp(launcher, "tcg") || !strcmp(launcher, "kvm")))
		return launcher;
	if (!hypervisor)
		return "none";
	if (sig && !strcmp(sig, "TCGTCGTCGTCG"))
		return "tcg";
	if (sig && !strncmp(sig, "KVMKVMKVM", 9))
		return "kvm";
	return "vm";
}

bool study__emulated(const struct study *s)
{
	return !s->accel[0] || !strcmp(s->accel, "tcg");
}

const char *study__accel_text(const struct study *s)
{
	if (!s->accel[0])
		return "not recorded (QEMU TCG when this study was made)";
	if (!strcmp(s->accel, "tcg"))
		return "QEMU TCG: every guest instruction emulated in software";
	if (!strcmp(s->accel, "kvm"))
		return "KVM: the guest runs on the host's CPU (hardware virtualization)";
	if (!strcmp(s->accel, "vm"))
		return "a hypervisor other than QEMU TCG or KVM (hardware virtualization)";
	return "none: bare metal";
}
