// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace top: an interval as a table or as one JSON document (top.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "top/top.h"

/* A rate per second: "0.3", "850", "12.3k", "4.5M" */
static const char *rate__format(double v, char *buf, size_t len)
{
	if (v < 9.95)
		snprintf(buf, len, "%.1f", v);
	else if (v < 9999.5)
		snprintf(buf, len, "%.0f", v);
	else if (v < 999950)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.1fM", v / 1e6);
	return buf;
}

/* Pages per node: the zones of the table summed by their node */
static void row__nodes(const struct top *t, const struct memtrace_agg *a, __u64 *nodes, int max)
{
	int i;

	memset(nodes, 0, (size_t)max * sizeof(*nodes));
	for (i = 0; i < t->nr_zones; i++) {
		if ((int)t->zones[i].node < max)
			nodes[t->zones[i].node] += a->zone_pages[i];
	}
}

#define TOP_NODES	64

/* " n0:12 n1:3" style lists: label, then each non-zero count */
static void list__append(char *buf, size_t len, const char *label, __u64 v)
{
	size_t used = strlen(buf);

	if (v && used < len)
		snprintf(buf + used, len - used, "%s%s:%llu", used ? " " : "", label,
			 (unsigned long long)v);
}

static void row__where(const struct top *t, const struct top_row *r, bool levels, char *buf,
		       size_t len)
{
	__u64 nodes[TOP_NODES];
	char label[16];
	int i;

	buf[0] = 0;
	row__nodes(t, &r->delta, nodes, TOP_NODES);
	for (i = 0; i < TOP_NODES; i++) {
		snprintf(label, sizeof(label), "n%d", i);
		list__append(buf, len, label, nodes[i]);
	}
	list__append(buf, len, "n?", r->delta.zone_pages[MEMTRACE_AGG_ZONES]);
	for (i = 1; levels && i < MEMTRACE_AGG_LEVELS; i++)
		list__append(buf, len, level__name(i), r->delta.level_pages[i]);
	if (r->kind != MEMTRACE_EV_PAGE_ALLOC)
		return;
	for (i = 0; i < MEMTRACE_AGG_ORDERS; i++) {
		snprintf(label, sizeof(label), "o%d%s", i, i == MEMTRACE_AGG_ORDERS - 1 ? "+" : "");
		list__append(buf, len, label, r->delta.orders[i]);
	}
}

static void table__header(FILE *out, const struct top *t, size_t n, const struct top_frame *f)
{
	char losses[256];
	bool lost = top__losses(&f->st, losses, sizeof(losses));
	__u64 allocs = 0, bytes = 0;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		allocs += t->rows[i].delta.allocs;
		bytes += t->rows[i].delta.bytes_alloc;
	}
	if (lost)
		fprintf(out, "%s\n", losses);
	fprintf(out, "%s - %s  interval %.2f s  rows %zu  allocs %llu  bytes %llu%s%s\n",
		f->title ? f->title : "memtrace top", f->when, f->interval_s, n, (unsigned long long)allocs, (unsigned long long)bytes,
		lost ? "" : "  ", lost ? "" : losses);
	if (f->note)
		fprintf(out, "%s\n", f->note);
	fprintf(out, "%-34s %-11s %7s %7s %7s %5s %7s  %s\n", "CALLER", "KIND", "ALLOC/s",
		"FREE/s", "BYTES/s", "WASTE", "LIVE", "PAGES: NODE, SIZE, ORDER");
}

void top__print_table(FILE *out, const struct top *t, const struct top_row **rows, size_t n,
		      const struct top_frame *f, const struct ksyms *ks)
{
	char name[160], a[16], fr[16], b[16], live[16], where[256], waste[8];
	double s = f->interval_s > 0 ? f->interval_s : 1;
	size_t i;
	int k;

	table__header(out, t, n, f);
	for (i = 0; i < n && i < f->max_rows; i++) {
		const struct top_row *r = rows[i];
		const struct memtrace_agg *d = &r->delta;

		if (r->caller)
			ksyms__format(ks, r->caller, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "[unknown caller]");
		if (d->bytes_alloc)
			snprintf(waste, sizeof(waste), "%.0f%%",
				 100.0 * (double)(d->bytes_alloc - d->bytes_req) / d->bytes_alloc);
		else
			snprintf(waste, sizeof(waste), "-");
		row__where(t, r, !f->no_levels, where, sizeof(where));
		fprintf(out, "%-34.34s %-11s %7s %7s %7s %5s %7s  %s\n", name,
			top__kind_name(r->kind), rate__format(d->allocs / s, a, sizeof(a)),
			rate__format(d->frees / s, fr, sizeof(fr)),
			size__format((__u64)(d->bytes_alloc / s), b, sizeof(b)), waste,
			size__format(r->now.bytes_alloc - r->now.bytes_freed, live, sizeof(live)),
			where);
		for (k = 0; f->stacks && k < r->nr_stack; k++)
			fprintf(out, "    %s\n", ksyms__format(ks, r->stack[k], name, sizeof(name)));
	}
	fflush(out);
}

static void json__pages(struct json *j, const struct top *t, const struct memtrace_agg *d,
			bool levels)
{
	__u64 nodes[TOP_NODES];
	char label[40];
	int i;

	row__nodes(t, d, nodes, TOP_NODES);
	json__name(j, "nodes");
	json__start_object(j);
	for (i = 0; i < TOP_NODES; i++) {
		snprintf(label, sizeof(label), "%d", i);
		if (nodes[i])
			json__kv_uint(j, label, nodes[i]);
	}
	json__end_object(j);
	json__name(j, "zones");
	json__start_object(j);
	for (i = 0; i <= t->nr_zones; i++) {
		if (i == t->nr_zones)
			snprintf(label, sizeof(label), "none");
		else
			snprintf(label, sizeof(label), "%u/%s", t->zones[i].node, t->zones[i].name);
		if (d->zone_pages[i < t->nr_zones ? i : MEMTRACE_AGG_ZONES])
			json__kv_uint(j, label, d->zone_pages[i < t->nr_zones ? i :
							      MEMTRACE_AGG_ZONES]);
	}
	json__end_object(j);
	if (!levels)
		return;
	json__name(j, "levels");
	json__start_object(j);
	for (i = 0; i < MEMTRACE_AGG_LEVELS; i++)
		json__kv_uint(j, level__name(i), d->level_pages[i]);
	json__end_object(j);
}

void top__json_row(struct json *j, const struct top *t, const struct top_row *r, bool stacks,
		   bool levels, const struct ksyms *ks,
		   void (*more)(struct json *j, const void *arg), const void *arg)
{
	const struct memtrace_agg *d = &r->delta;
	char name[160];
	int i;

	json__start_object(j);
	json__kv_string(j, "caller", r->caller ? ksyms__format(ks, r->caller, name, sizeof(name)) :
					    "[unknown caller]");
	json__kv_hex(j, "caller_addr", r->caller);
	json__kv_string(j, "kind", top__kind_name(r->kind));
	json__kv_uint(j, "allocs", d->allocs);
	json__kv_uint(j, "frees", d->frees);
	json__kv_uint(j, "failed", d->failed);
	json__kv_uint(j, "bytes_req", d->bytes_req);
	json__kv_uint(j, "bytes_alloc", d->bytes_alloc);
	json__kv_uint(j, "bytes_freed", d->bytes_freed);
	json__kv_uint(j, "live_bytes", r->now.bytes_alloc - r->now.bytes_freed);
	json__kv_uint(j, "pages", top__pages(d));
	json__pages(j, t, d, levels);
	if (r->kind == MEMTRACE_EV_PAGE_ALLOC || r->kind == MEMTRACE_EV_VMALLOC) {
		json__name(j, "orders");
		json__start_array(j);
		for (i = 0; i < MEMTRACE_AGG_ORDERS; i++)
			json__uint(j, d->orders[i]);
		json__end_array(j);
	}
	if (stacks) {
		json__name(j, "stack");
		json__start_array(j);
		for (i = 0; i < r->nr_stack; i++)
			json__string(j, ksyms__format(ks, r->stack[i], name, sizeof(name)));
		json__end_array(j);
	}
	if (more)
		more(j, arg);
	json__end_object(j);
}

int top__print_json(FILE *out, const struct top *t, const struct top_row **rows, size_t n,
		    const struct top_frame *f, const struct ksyms *ks, bool pretty)
{
	char losses[256];
	struct json j;
	size_t i;

	json__init(&j, out, pretty);
	json__start_object(&j);
	json__kv_string(&j, "schema", MEMTRACE_SCHEMA);
	json__kv_string(&j, "cmd", "top");
	json__kv_string(&j, "time", f->when);
	json__kv_double(&j, "interval_s", f->interval_s);
	json__kv_bool(&j, "complete", !top__losses(&f->st, losses, sizeof(losses)));
	json__kv_uint(&j, "drops", f->st.rows_full);
	json__kv_uint(&j, "live_untracked", f->st.live_full);
	json__kv_uint(&j, "stacks_lost", f->st.stack_lost);
	json__kv_uint(&j, "misses", f->st.recursion_misses);
	json__kv_uint(&j, "truncated", f->st.truncated);
	json__name(&j, "rows");
	json__start_array(&j);
	for (i = 0; i < n; i++)
		top__json_row(&j, t, rows[i], f->stacks, !f->no_levels, ks, NULL, NULL);
	json__end_array(&j);
	json__end_object(&j);
	return json__end(&j);
}
