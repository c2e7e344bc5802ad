// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render: read a study's JSON document (study__write_json()) back
 * into struct study, with json-c.  Absent or mistyped members read as their
 * defaults; a document of another schema is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "lib/hooks.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "render/render.h"
#include "study/study.h"

/* Member @key of object @o, or NULL (also when @o is NULL or not an object) */
static struct json_object *js_get(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static uint64_t js_u64(struct json_object *o, const char *key, uint64_t def)
{
	struct json_object *v = js_get(o, key);

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return def;
	return json_object_get_uint64(v);
}

static int64_t js_i64(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v = js_get(o, key);

	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}

static double js_num(struct json_object *o, const char *key, double def)
{
	struct json_object *v = js_get(o, key);

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return def;
	return json_object_get_double(v);
}

static const char *js_str(struct json_object *o, const char *key, const char *def)
{
	struct json_object *v = js_get(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : def;
}

static bool js_bool(struct json_object *o, const char *key, bool def)
{
	struct json_object *v = js_get(o, key);

	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : def;
}

/* Elements of array @a (0 when @a is not an array) */
static size_t js_len(struct json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static struct json_object *js_at(struct json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/*
 * Parse the document in @text: it may come over a serial line, so noise
 * before the first '{' is skipped (the CRs a tty adds are JSON whitespace).
 * 0, -EINVAL or -ENOMEM.
 */
static int js_parse(const char *text, size_t len, struct json_object **out)
{
	const char *start = memchr(text, '{', len);
	struct json_tokener *tok;

	if (!start)
		return -EINVAL;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	*out = json_tokener_parse_ex(tok, start, (int)(len - (start - text)));
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(*out);
		*out = NULL;
	}
	json_tokener_free(tok);
	return *out ? 0 : -EINVAL;
}

static void study__copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void study__read_stats(struct json_object *o, const char *name, struct stats *st)
{
	struct json_object *v = js_get(o, name);

	st->n = js_u64(v, "n", 0);
	st->min_ns = js_u64(v, "min_ns", 0);
	st->median_ns = js_u64(v, "median_ns", 0);
	st->p99_ns = js_u64(v, "p99_ns", 0);
	st->max_ns = js_u64(v, "max_ns", 0);
}

static void study__read_u32s(struct json_object *o, const char *name, uint32_t *v, size_t max)
{
	struct json_object *a = js_get(o, name);
	size_t i;

	for (i = 0; i < js_len(a) && i < max; i++)
		v[i] = json_object_get_uint64(js_at(a, i));
}

static int study__kind(struct json_object *o)
{
	return kind__from_name(js_str(o, "kind", ""));
}

static uint64_t study__hex(struct json_object *o, const char *key)
{
	const char *s = js_str(o, key, NULL);

	return s ? strtoull(s, NULL, 0) : js_u64(o, key, 0);
}

static int study__read_cell(struct study *s, struct json_object *o)
{
	struct json_object *lv, *runs;
	struct study_cell *c;
	int kind = study__kind(o);
	uint32_t l;
	size_t i;

	if (kind < 0)
		return -EINVAL;
	c = study__add_cell(s);
	if (!c)
		return -ENOMEM;
	c->kind = kind;
	c->size = js_u64(o, "size_bytes", 0);
	c->err = js_i64(o, "error", 0);
	if (c->err)
		return 0;
	c->size_alloc = js_u64(o, "size_alloc_bytes", 0);
	c->iterations = js_u64(o, "iterations", 0);
	c->failures = js_u64(o, "failures", 0);
	study__read_stats(o, "module_alloc", &c->mod_alloc);
	study__read_stats(o, "module_free", &c->mod_free);
	study__read_stats(o, "module_bpf_alloc", &c->modbpf_alloc);
	study__read_stats(o, "module_bpf_free", &c->modbpf_free);
	study__read_stats(o, "bpf_alloc", &c->bpf_alloc);
	study__read_stats(o, "bpf_free", &c->bpf_free);
	study__copy(c->bpf_alloc_fn, sizeof(c->bpf_alloc_fn), js_str(o, "bpf_alloc_fn", ""));
	study__copy(c->bpf_free_fn, sizeof(c->bpf_free_fn), js_str(o, "bpf_free_fn", ""));
	c->touch_lines = js_u64(o, "touch_lines", 0);
	c->touch_pages = js_u64(o, "touch_pages", 0);
	c->seq_line_ns = js_u64(o, "seq_line_ns", 0);
	c->rand_line_ns = js_u64(o, "rand_line_ns", 0);
	c->seq_page_ns = js_u64(o, "seq_page_ns", 0);
	c->rand_page_ns = js_u64(o, "rand_page_ns", 0);
	c->pages = js_u64(o, "pages", 0);
	c->nr_runs = js_u64(o, "runs", 0);
	c->area = study__area_from_name(js_str(o, "area", NULL));
	lv = js_get(o, "pages_by_level");
	for (l = 0; l < MEMALLOC_NR_LEVELS; l++)
		c->levels[l] = js_u64(lv, level__name(l), 0);
	study__read_u32s(o, "pages_by_node", c->nodes, STUDY_MAX_NODES);
	runs = js_get(o, "pfn_runs");
	for (i = 0; i < js_len(runs) && i < STUDY_MAX_RUNS; i++) {
		struct json_object *r = js_at(runs, i);

		if (js_len(r) != 2)
			return -EINVAL;
		c->runs[i].pfn = json_object_get_uint64(js_at(r, 0));
		c->runs[i].pages = json_object_get_uint64(js_at(r, 1));
		c->nr_runs_kept++;
	}
	return 0;
}

/* The tracer's hooks; a document without them (or a hook) reads as not recorded */
static void study__read_hooks(struct study *s, struct json_object *cond)
{
	struct json_object *hooks = js_get(cond, "hooks");
	uint32_t i;

	for (i = 0; i < NR_HOOKS; i++) {
		struct json_object *h = js_get(hooks, hook__name(i));

		s->hooks[i].attach = hook__attach_from_name(js_str(h, "attach", NULL));
		study__copy(s->hooks[i].target, sizeof(s->hooks[i].target),
			    js_str(h, "target", ""));
	}
	study__copy(s->hooks_note, sizeof(s->hooks_note), js_str(cond, "hooks_note", ""));
}

static void study__read_conditions(struct study *s, struct json_object *cond)
{
	study__copy(s->kernel, sizeof(s->kernel), js_str(cond, "kernel", ""));
	study__copy(s->machine, sizeof(s->machine), js_str(cond, "machine", ""));
	study__copy(s->cpu, sizeof(s->cpu), js_str(cond, "cpu", ""));
	s->nr_cpus = js_u64(cond, "nr_cpus", 0);
	s->mem_bytes = js_u64(cond, "mem_bytes", 0);
	s->hypervisor = js_bool(cond, "hypervisor", false);
	study__copy(s->accel, sizeof(s->accel), js_str(cond, "accel", ""));
	study__copy(s->hypervisor_id, sizeof(s->hypervisor_id), js_str(cond, "hypervisor_id", ""));
	study__copy(s->host_cpu, sizeof(s->host_cpu), js_str(cond, "host_cpu", ""));
	s->quick = js_bool(cond, "quick", false);
	s->interrupted = js_bool(cond, "interrupted", false);
	s->duration_s = js_num(cond, "duration_s", 0);
	s->bpf = js_bool(cond, "bpf", false);
	study__copy(s->bpf_note, sizeof(s->bpf_note), js_str(cond, "bpf_note", ""));
	study__read_hooks(s, cond);
}

static int study__read_layout(struct study *s, struct json_object *lay)
{
	struct json_object *a;
	size_t i;

	s->page_size = js_u64(lay, "page_size", 4096);
	s->kmalloc_max_size = js_u64(lay, "kmalloc_max_size", 0);
	s->max_order = js_u64(lay, "max_order", 0);
	s->limit_bytes = js_u64(lay, "limit_bytes", 0);
	s->nr_nodes = js_u64(lay, "nr_nodes", 1);
	s->page_offset = study__hex(lay, "page_offset");
	s->vmalloc_start = study__hex(lay, "vmalloc_start");
	s->vmalloc_end = study__hex(lay, "vmalloc_end");
	a = js_get(lay, "zones");
	for (i = 0; i < js_len(a) && i < STUDY_MAX_ZONES; i++) {
		struct memalloc_zone *z = &s->zones[s->nr_zones++];

		z->node = js_u64(js_at(a, i), "node", 0);
		study__copy(z->name, sizeof(z->name), js_str(js_at(a, i), "name", "?"));
		z->start_pfn = js_u64(js_at(a, i), "start_pfn", 0);
		z->end_pfn = js_u64(js_at(a, i), "end_pfn", 0);
		z->zone = js_u64(js_at(a, i), "zone", 0);
		z->present_pages = js_u64(js_at(a, i), "present_pages", 0);
		z->managed_pages = js_u64(js_at(a, i), "managed_pages", 0);
	}
	a = js_get(lay, "iomem");
	for (i = 0; i < js_len(a); i++) {
		struct study_iomem *r = study__add_iomem(s);

		if (!r)
			return -ENOMEM;
		r->start = study__hex(js_at(a, i), "start");
		r->end = study__hex(js_at(a, i), "end");
		study__copy(r->name, sizeof(r->name), js_str(js_at(a, i), "name", "?"));
	}
	return 0;
}

static void study__read_limits(struct study *s, struct json_object *a)
{
	size_t i;

	for (i = 0; i < js_len(a) && s->nr_limits < 4; i++) {
		struct study_limit *l = &s->limits[s->nr_limits];
		int kind = study__kind(js_at(a, i));

		if (kind < 0)
			continue;
		s->nr_limits++;
		l->kind = kind;
		l->largest = js_u64(js_at(a, i), "largest_bytes", 0);
		l->first_fail = js_u64(js_at(a, i), "first_fail_bytes", 0);
		l->fail_err = js_i64(js_at(a, i), "fail_error", 0);
		l->kernel_max = js_u64(js_at(a, i), "kernel_max_bytes", 0);
		l->probes = js_u64(js_at(a, i), "probes", 0);
	}
}

static int study__read_places(struct study *s, struct json_object *a)
{
	size_t i;

	for (i = 0; i < js_len(a); i++) {
		struct study_place *p;
		int kind = study__kind(js_at(a, i));

		if (kind < 0)
			continue;
		p = study__add_place(s);
		if (!p)
			return -ENOMEM;
		p->kind = kind;
		p->size = js_u64(js_at(a, i), "size_bytes", 0);
		p->node_req = js_i64(js_at(a, i), "node_requested", -1);
		p->err = js_i64(js_at(a, i), "error", 0);
		p->pages = js_u64(js_at(a, i), "pages", 0);
		study__read_u32s(js_at(a, i), "pages_by_node", p->nodes, STUDY_MAX_NODES);
	}
	return 0;
}

int study__read_json(struct study *s, const char *text, size_t len)
{
	struct json_object *doc, *a;
	size_t i;
	int err;

	memset(s, 0, sizeof(*s));
	err = js_parse(text, len, &doc);
	if (err)
		return err;
	if (strcmp(js_str(doc, "schema", ""), STUDY_SCHEMA)) {
		err = -EPROTO;
		goto cleanup;
	}
	study__read_conditions(s, js_get(doc, "conditions"));
	err = study__read_layout(s, js_get(doc, "layout"));
	if (err)
		goto cleanup;
	a = js_get(doc, "cells");
	for (i = 0; i < js_len(a); i++) {
		err = study__read_cell(s, js_at(a, i));
		if (err)
			goto cleanup;
	}
	study__read_limits(s, js_get(doc, "limits"));
	err = study__read_places(s, js_get(doc, "placement"));
cleanup:
	json_object_put(doc);
	if (err)
		study__free(s);
	return err;
}
