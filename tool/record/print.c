// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace report: a recording's rows as tables or one JSON document (record.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "record/record.h"

static struct top_frame report__frame(const struct report *r, size_t max_rows)
{
	struct top_frame f = {
		.title = "memtrace report", .when = r->h->kernel,
		.interval_s = r->h->duration_ns / 1e9, .st = r->h->st,
		.stacks = r->all_stacks, .no_levels = true, .max_rows = max_rows,
	};

	return f;
}

static const struct top_row **report__rows(struct report *r, enum top_sort key, size_t *n)
{
	const struct top_row **rows = calloc(r->top.nr + 1, sizeof(*rows));

	*n = rows ? top__active(&r->top, key, rows, r->top.nr) : 0;
	return rows;
}

static void report__contiguity(FILE *out, const struct report *r, const struct top_row **rows,
			       size_t n, size_t max_rows)
{
	char name[160];
	size_t i, shown = 0;

	fprintf(out, "\nContiguity of multi-page allocations (a run: physically consecutive "
		"frames)\n%-34s %-11s %8s %9s %8s %9s\n", "CALLER", "KIND", "ALLOCS", "PAGES",
		"RUNS", "PAGES/RUN");
	for (i = 0; i < n && shown < max_rows; i++) {
		const struct report_extra *x = &r->extra[rows[i] - r->top.rows];

		if (!x->multi)
			continue;
		shown++;
		fprintf(out, "%-34.34s %-11s %8llu %9llu %8llu %9.1f\n",
			rows[i]->caller ? ksyms__format(r->ks, rows[i]->caller, name, sizeof(name)) :
					  "[unknown caller]",
			top__kind_name(rows[i]->kind), (unsigned long long)x->multi,
			(unsigned long long)x->multi_pages, (unsigned long long)x->multi_runs,
			x->multi_runs ? (double)x->multi_pages / x->multi_runs : 0);
	}
	if (!shown)
		fprintf(out, "(none)\n");
}

void report__print(FILE *out, struct report *r, enum top_sort key, size_t max_rows)
{
	struct top_frame f = report__frame(r, max_rows);
	const struct top_row **rows;
	char note[160];
	size_t n;

	rows = report__rows(r, key, &n);
	snprintf(note, sizeof(note), "%llu records, %llu allocations, over %.2f s; the page sizes "
		 "are not recorded", (unsigned long long)r->records,
		 (unsigned long long)r->events, f.interval_s);
	f.note = note;
	top__print_table(out, &r->top, rows, n, &f, r->ks);
	if (r->callers_checked)
		fprintf(out, "\nPage callers: memtrace's unwinder and the kernel's stack name the same "
			"caller for %llu of %llu page allocations%s\n",
			(unsigned long long)(r->callers_checked - r->callers_differ),
			(unsigned long long)r->callers_checked,
			r->callers_undecided ? " (and the stack names none for more)" : "");
	report__contiguity(out, r, rows, n, max_rows);
	free(rows);
}

struct extra_arg {
	const struct report *r;
	const struct top_row *row;
};

static void json__extra(struct json *j, const void *arg)
{
	const struct extra_arg *a = arg;
	const struct report_extra *x = &a->r->extra[a->row - a->r->top.rows];
	int i;

	json__kv_uint(j, "multi_allocs", x->multi);
	json__kv_uint(j, "multi_pages", x->multi_pages);
	json__kv_uint(j, "multi_runs", x->multi_runs);
	json__name(j, "bins");
	json__start_array(j);
	for (i = 0; i < REPORT_BINS; i++)
		json__uint(j, x->bins[i]);
	json__end_array(j);
}

static void json__layout(struct json *j, const struct report *r)
{
	int i;

	json__kv_uint(j, "max_pfn", r->max_pfn);
	json__kv_uint(j, "nr_bins", REPORT_BINS);
	json__name(j, "zones");
	json__start_array(j);
	for (i = 0; i < r->top.nr_zones; i++) {
		json__start_object(j);
		json__kv_uint(j, "node", r->top.zones[i].node);
		json__kv_string(j, "name", r->top.zones[i].name);
		json__kv_uint(j, "start_pfn", r->top.zones[i].start_pfn);
		json__kv_uint(j, "end_pfn", r->top.zones[i].end_pfn);
		json__end_object(j);
	}
	json__end_array(j);
	json__name(j, "ram");
	json__start_array(j);
	for (i = 0; i < r->h->nr_ram; i++) {
		json__start_object(j);
		json__kv_hex(j, "start", r->h->ram[i].start);
		json__kv_hex(j, "end", r->h->ram[i].end);
		json__end_object(j);
	}
	json__end_array(j);
}

int report__json(FILE *out, struct report *r, enum top_sort key, bool pretty)
{
	char losses[256];
	const struct top_row **rows;
	struct extra_arg arg = { r, NULL };
	struct json j;
	size_t i, n;

	rows = report__rows(r, key, &n);
	json__init(&j, out, pretty);
	json__start_object(&j);
	json__kv_string(&j, "schema", MEMTRACE_SCHEMA);
	json__kv_string(&j, "cmd", "report");
	json__kv_string(&j, "kernel", r->h->kernel);
	json__kv_double(&j, "duration_s", r->h->duration_ns / 1e9);
	json__kv_uint(&j, "records", r->records);
	json__kv_bool(&j, "complete", !top__losses(&r->h->st, losses, sizeof(losses)) &&
				      !r->h->st.drops);
	json__kv_uint(&j, "drops", r->h->st.drops);
	json__kv_uint(&j, "misses", r->h->st.recursion_misses);
	json__kv_uint(&j, "truncated", r->h->st.truncated);
	json__kv_uint(&j, "stacks_lost", r->h->st.stack_lost);
	json__kv_uint(&j, "unwind_slow", r->h->st.unwind_slow);
	json__kv_uint(&j, "callers_checked", r->callers_checked);
	json__kv_uint(&j, "callers_differ", r->callers_differ);
	json__kv_uint(&j, "callers_undecided", r->callers_undecided);
	json__layout(&j, r);
	json__name(&j, "rows");
	json__start_array(&j);
	for (i = 0; i < n; i++) {
		arg.row = rows[i];
		top__json_row(&j, &r->top, rows[i], r->all_stacks, false, r->ks, json__extra,
			      &arg);
	}
	json__end_array(&j);
	json__end_object(&j);
	free(rows);
	return json__end(&j);
}
