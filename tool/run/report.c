// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: the mapping report and the comparison summary (see report.h).
 */
#include <string.h>

#include "lib/json.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "run/report.h"


/* The page size of an allocation: its pages' common level, or "mixed". */
static const char *alloc_level(const struct corr_alloc *a)
{
	uint32_t i;

	if (!a->nr_pages)
		return "-";
	for (i = 1; i < a->nr_pages; i++) {
		if (a->pages[i].level != a->pages[0].level)
			return "mixed";
	}
	return level__name(a->pages[0].level);
}

/* With the BPF walk: how it compares with the module's WALK, per allocation */
static const char *walk_marker(const struct report *r, const struct corr_alloc *a)
{
	if (!r->sum->walk)
		return "";
	if (a->walk_differed)
		return " bpfwalk:DIFFERS";
	if (a->walk_missing)
		return " bpfwalk:partial";
	return " bpfwalk:=";
}

/* ... and per page */
static const char *walk_page_marker(const struct report *r, const struct corr_alloc *a,
				    uint32_t p)
{
	if (!r->sum->walk || !a->walk_level)
		return "";
	if (a->walk_level[p] == WALK_LEVEL_NONE)
		return " bpf:-";
	if (a->walk_level[p] == a->pages[p].level && a->walk_pfn[p] == a->pages[p].pfn)
		return " bpf:=";
	return " bpf:DIFFERENT";
}

static void print_pfn(FILE *out, uint64_t pfn)
{
	if (pfn == PFN_NONE)
		fprintf(out, " %-10s", "-");
	else
		fprintf(out, " 0x%08llx", (unsigned long long)pfn);
}

/*
 * "@label item<sep>item..." wrapped before 80 columns, continuation lines
 * indented by two; items are cut at @sep (kept at the end of a line).
 */
static void print_list(FILE *out, const char *label, const char *items, const char *sep)
{
	size_t col = strlen(label), seplen = strlen(sep);
	const char *p = items;

	fputs(label, out);
	while (*p) {
		const char *end = strstr(p, sep);
		size_t len = end ? (size_t)(end - p) + seplen : strlen(p);

		if (col + 1 + len > 79 && col > 2) {
			fputs("\n ", out);
			col = 1;
		}
		fprintf(out, " %.*s", (int)(end ? len - 1 : len), p);
		col += 1 + len;
		p += len;
		if (end)
			col--;
	}
	fputc('\n', out);
}

void report__print_table(const struct report *r, FILE *out)
{
	char sz[16], fl[32];
	size_t i;
	uint32_t p;

	/* 80 columns: the longest event name and verdict never meet on one row */
	fprintf(out, "%-11s %5s %-18s %5s %-5s %4s %-8s %s\n", "KIND", "SIZE", "VA", "PAGES",
		"LEVEL", "RUNS", "VERDICT", "TRACED BY");
	if (r->pages && r->nr)
		fprintf(out, "  %-18s %-10s %-10s %-5s %-13s %s\n", "PAGE", "WALKED", "TRACED",
			"LEVEL", "FLAGS", "MATCH");
	for (i = 0; i < r->nr; i++) {
		const struct corr_alloc *a = &r->allocs[i];

		fprintf(out, "%-11s %5s 0x%016llx %5u %-5s %4u %-8s %s%s\n", kind__name(a->kind),
			size__format(a->size, sz, sizeof(sz)), (unsigned long long)a->addr,
			a->nr_pages, alloc_level(a), a->runs, corr__verdict_name(a->verdict),
			event__name(a->traced_by), walk_marker(r, a));
		if (!r->pages)
			continue;
		for (p = 0; p < a->nr_pages; p++) {
			if (r->pages == REPORT_PAGES_SOME && p == REPORT_SOME_PAGES &&
			    a->nr_pages > p + 1) {
				fprintf(out, "  ... %u more pages (--pages shows all)\n",
					a->nr_pages - p);
				break;
			}
			const struct memalloc_pte *e = &a->pages[p];
			uint64_t t = a->traced_pfn ? a->traced_pfn[p] : PFN_NONE;

			fprintf(out, "  0x%016llx", (unsigned long long)e->addr);
			print_pfn(out, e->pfn);
			print_pfn(out, t);
			fprintf(out, " %-5s %-13s %s%s\n", level__name(e->level),
				pte_flags__format(e->flags, fl, sizeof(fl)),
				t == PFN_NONE ? "untraced" :
				t == e->pfn ? "=" : "DIFFERENT", walk_page_marker(r, a, p));
		}
	}
	fputc('\n', out);
	report__print_summary(r, out);
}

void report__print_summary(const struct report *r, FILE *out)
{
	const struct corr_summary *s = r->sum;
	const struct memtrace_counters *st = &s->stats;
	char ev[512];
	int t, n = 0;

	fprintf(out, "kernel %s\n", r->kernel ? r->kernel : "?");
	print_list(out, "hooks:", r->hooks ? r->hooks : "?", "; ");
	fprintf(out, "allocations %llu, pages compared %llu: agreed %llu, disagreed %llu, "
		     "untraced %llu\n",
		(unsigned long long)s->allocations, (unsigned long long)s->pages,
		(unsigned long long)s->agreed, (unsigned long long)s->disagreed,
		(unsigned long long)s->untraced);
	fprintf(out, "walk vs kernel helper mismatches %llu; ",
		(unsigned long long)s->helper_mismatch);
	if (s->frees)
		fprintf(out, "frees traced %llu of %llu\n", (unsigned long long)s->frees_traced,
			(unsigned long long)s->frees);
	else
		fprintf(out, "nothing freed yet\n");
	for (t = 1; t < MEMTRACE_EV_MAX; t++) {
		if (st->events[t])
			n += snprintf(ev + n, sizeof(ev) - n, "%s%s %llu", n ? ", " : "",
				      event__name(t), (unsigned long long)st->events[t]);
	}
	print_list(out, "events:", n ? ev : "none", ", ");
	if (s->walk) {
		fprintf(out, "BPF walk vs module walk: %llu pages, agreed %llu, differed %llu, "
			     "not walked %llu\n",
			(unsigned long long)s->walk_pages, (unsigned long long)s->walk_agreed,
			(unsigned long long)s->walk_differed, (unsigned long long)s->walk_missing);
		/* Never silently incomplete: the walks BPF cut short, always said */
		fprintf(out, "BPF walks cut short %llu (past the page cap, or no room to send)\n",
			(unsigned long long)st->walk_truncated);
	}
	fprintf(out, "ring buffer drops %llu, recursion misses %llu, truncated page lists %llu\n",
		(unsigned long long)st->drops, (unsigned long long)st->recursion_misses,
		(unsigned long long)st->truncated);
	switch (s->verdict) {
	case CORR_AGREE:
		fprintf(out, "verdict: agree - traced and walked PFNs are equal for every page\n");
		break;
	case CORR_UNTRACED:
		fprintf(out, "verdict: untraced - %llu pages have no traced PFN (missing events)\n",
			(unsigned long long)s->untraced);
		break;
	case CORR_INCOMPLETE:
		if (s->walk && (s->walk_missing || st->walk_truncated))
			fprintf(out, "verdict: incomplete - records were lost (drops %llu, truncated "
				     "%llu, BPF walk: not walked %llu, truncated %llu); not a full "
				     "comparison\n",
				(unsigned long long)st->drops, (unsigned long long)st->truncated,
				(unsigned long long)s->walk_missing,
				(unsigned long long)st->walk_truncated);
		else
			fprintf(out, "verdict: incomplete - records were lost (drops %llu, truncated "
				     "%llu); not a full comparison\n",
				(unsigned long long)st->drops, (unsigned long long)st->truncated);
		break;
	case CORR_DISAGREE:
		if (s->walk && s->walk_differed)
			fprintf(out, "verdict: DISAGREE - %llu pages differ, %llu walk/helper "
				     "mismatches, %llu BPF-walk pages differ\n",
				(unsigned long long)s->disagreed,
				(unsigned long long)s->helper_mismatch,
				(unsigned long long)s->walk_differed);
		else
			fprintf(out, "verdict: DISAGREE - %llu pages differ, %llu walk/helper "
				     "mismatches\n",
				(unsigned long long)s->disagreed,
				(unsigned long long)s->helper_mismatch);
		break;
	}
}

static void json_summary(struct json *j, const struct corr_summary *s)
{
	int t;

	json__name(j, "summary");
	json__start_object(j);
	json__kv_uint(j, "allocations", s->allocations);
	json__kv_uint(j, "pages", s->pages);
	json__kv_uint(j, "agreed", s->agreed);
	json__kv_uint(j, "disagreed", s->disagreed);
	json__kv_uint(j, "untraced", s->untraced);
	json__kv_uint(j, "helper_mismatch", s->helper_mismatch);
	json__kv_uint(j, "frees", s->frees);
	json__kv_uint(j, "frees_traced", s->frees_traced);
	json__kv_uint(j, "drops", s->stats.drops);
	json__kv_uint(j, "recursion_misses", s->stats.recursion_misses);
	json__kv_uint(j, "truncated", s->stats.truncated);
	if (s->walk) {
		json__name(j, "bpf_walk");
		json__start_object(j);
		json__kv_uint(j, "pages", s->walk_pages);
		json__kv_uint(j, "agreed", s->walk_agreed);
		json__kv_uint(j, "differed", s->walk_differed);
		json__kv_uint(j, "not_walked", s->walk_missing);
		json__kv_uint(j, "truncated", s->stats.walk_truncated);
		json__end_object(j);
	}
	json__name(j, "events");
	json__start_object(j);
	for (t = 1; t < MEMTRACE_EV_MAX; t++) {
		if (t != MEMTRACE_EV_WALK_PAGES || s->walk)
			json__kv_uint(j, event__name(t), s->stats.events[t]);
	}
	json__end_object(j);
	json__kv_string(j, "verdict", corr__verdict_name(s->verdict));
	json__end_object(j);
}

int report__print_json(const struct report *r, FILE *out)
{
	struct json j;
	size_t i;
	uint32_t p;

	json__init(&j, out, r->pretty);
	json__start_object(&j);
	json__kv_string(&j, "schema", MEMTRACE_SCHEMA);
	json__kv_string(&j, "cmd", r->cmd);
	json__kv_string(&j, "kernel", r->kernel ? r->kernel : "");
	json__kv_string(&j, "hooks", r->hooks ? r->hooks : "");
	json__kv_hex(&j, "page_offset", r->layout.page_offset);
	json__kv_hex(&j, "vmalloc_start", r->layout.vmalloc_start);
	json__kv_hex(&j, "vmalloc_end", r->layout.vmalloc_end);
	if (strcmp(r->cmd, "compare")) {
		json__name(&j, "allocations");
		json__start_array(&j);
		for (i = 0; i < r->nr; i++) {
			const struct corr_alloc *a = &r->allocs[i];

			json__start_object(&j);
			json__kv_string(&j, "kind", kind__name(a->kind));
			json__kv_uint(&j, "size_bytes", a->size);
			json__kv_uint(&j, "size_alloc_bytes", a->size_alloc);
			json__kv_hex(&j, "addr", a->addr);
			json__kv_uint(&j, "latency_ns", a->latency_ns);
			json__kv_string(&j, "page_size", alloc_level(a));
			json__kv_uint(&j, "runs", a->runs);
			json__kv_string(&j, "traced_by", event__name(a->traced_by));
			json__kv_string(&j, "verdict", corr__verdict_name(a->verdict));
			if (r->sum->walk) {
				json__name(&j, "bpf_walk");
				json__start_object(&j);
				json__kv_uint(&j, "agreed", a->walk_agreed);
				json__kv_uint(&j, "differed", a->walk_differed);
				json__kv_uint(&j, "not_walked", a->walk_missing);
				json__end_object(&j);
			}
			json__name(&j, "pages");
			json__start_array(&j);
			for (p = 0; p < a->nr_pages; p++) {
				const struct memalloc_pte *e = &a->pages[p];
				uint64_t t = a->traced_pfn ? a->traced_pfn[p] : PFN_NONE;

				json__start_object(&j);
				json__kv_hex(&j, "addr", e->addr);
				json__name(&j, "walked_pfn");
				e->pfn == PFN_NONE ? json__null(&j) : json__uint(&j, e->pfn);
				json__name(&j, "traced_pfn");
				t == PFN_NONE ? json__null(&j) : json__uint(&j, t);
				json__name(&j, "helper_pfn");
				e->helper_pfn == PFN_NONE ? json__null(&j) :
							       json__uint(&j, e->helper_pfn);
				json__kv_string(&j, "level", level__name(e->level));
				if (r->sum->walk && a->walk_level) {
					bool none = a->walk_level[p] == WALK_LEVEL_NONE;

					json__name(&j, "bpf_pfn");
					none || a->walk_pfn[p] == PFN_NONE ? json__null(&j) :
						json__uint(&j, a->walk_pfn[p]);
					json__name(&j, "bpf_level");
					none ? json__null(&j) :
					       json__string(&j, level__name(a->walk_level[p]));
				}
				json__kv_uint(&j, "flags", e->flags);
				json__end_object(&j);
			}
			json__end_array(&j);
			json__end_object(&j);
		}
		json__end_array(&j);
	}
	json_summary(&j, r->sum);
	json__end_object(&j);
	return json__end(&j);
}
