// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace top: rows, intervals, sorting and printing (top.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/json.h"
#include "lib/names.h"
#include "lib/orc.h"
#include "lib/parse.h"
#include "top/top.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Each row kind is spelled as the module's allocator of the same family */
static const struct {
	__u32 ev;
	__u32 kind;
} row_kinds[] = {
	{ MEMTRACE_EV_KMALLOC, MEMALLOC_KIND_KMALLOC },
	{ MEMTRACE_EV_KMEM_CACHE_ALLOC, MEMALLOC_KIND_KMEM_CACHE },
	{ MEMTRACE_EV_PAGE_ALLOC, MEMALLOC_KIND_ALLOC_PAGES },
	{ MEMTRACE_EV_VMALLOC, MEMALLOC_KIND_VMALLOC },
};

const char *top__kind_name(__u32 kind)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(row_kinds); i++) {
		if (row_kinds[i].ev == kind)
			return kind__name(row_kinds[i].kind);
	}
	return "?";
}

int top__kind_parse(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(row_kinds); i++) {
		if (!strcmp(name, kind__name(row_kinds[i].kind)))
			return row_kinds[i].ev;
	}
	return -EINVAL;
}

int top__kinds_parse(const char *s, __u32 *bits)
{
	char buf[128], *tok, *save = NULL;
	size_t i;
	int k;

	if (!s || strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == ',' || *s == ',' ||
	    strstr(s, ",,"))
		return -EINVAL;
	strcpy(buf, s);
	*bits = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (i = 0; i < ARRAY_LEN(row_kinds); i++)
				*bits |= 1U << row_kinds[i].ev;
			continue;
		}
		k = top__kind_parse(tok);
		if (k < 0)
			return k;
		*bits |= 1U << k;
	}
	return 0;
}

int top__sort_parse(const char *s)
{
	static const char *const names[] = {
		[TOP_SORT_BYTES] = "bytes", [TOP_SORT_ALLOCS] = "allocs",
		[TOP_SORT_FREES] = "frees", [TOP_SORT_LIVE] = "live",
		[TOP_SORT_WASTE] = "waste", [TOP_SORT_PAGES] = "pages",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (s && !strcmp(s, names[i]))
			return (int)i;
	}
	return -EINVAL;
}

int top__set_zones(struct top *t, const struct memalloc_zone *zones, int nr)
{
	t->nr_zones = nr < MEMTRACE_AGG_ZONES ? nr : MEMTRACE_AGG_ZONES;
	memcpy(t->zones, zones, (size_t)t->nr_zones * sizeof(*zones));
	return t->nr_zones;
}

void top__begin(struct top *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		memset(&t->rows[i].now, 0, sizeof(t->rows[i].now));
}

static struct top_row *top__find(struct top *t, __u32 kind, __u64 caller, int stack_id)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		struct top_row *r = &t->rows[i];

		if (r->kind == kind && r->caller == caller && r->stack_id == stack_id)
			return r;
	}
	return NULL;
}

int top__add(struct top *t, __u32 kind, __u64 caller, int stack_id, const __u64 *stack,
	     int nr_stack, const struct memtrace_agg *a)
{
	struct top_row *r = top__find(t, kind, caller, stack_id);
	const __u64 *src = (const __u64 *)a;
	__u64 *dst;
	size_t i;

	if (!r) {
		if (array__reserve((void **)&t->rows, &t->cap, t->nr + 1, sizeof(*t->rows)))
			return -ENOMEM;
		r = &t->rows[t->nr++];
		memset(r, 0, sizeof(*r));
		r->kind = kind;
		r->caller = caller;
		r->stack_id = stack_id;
		r->nr_stack = nr_stack < MEMTRACE_AGG_STACK_DEPTH ? nr_stack :
								    MEMTRACE_AGG_STACK_DEPTH;
		if (r->nr_stack > 0)
			memcpy(r->stack, stack, (size_t)r->nr_stack * sizeof(*stack));
	}
	dst = (__u64 *)&r->now;
	for (i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		dst[i] += src[i];
	return (int)(r - t->rows);
}

void top__end(struct top *t)
{
	size_t i, k;

	for (i = 0; i < t->nr; i++) {
		struct top_row *r = &t->rows[i];
		const __u64 *now = (const __u64 *)&r->now, *prev = (const __u64 *)&r->prev;
		__u64 *d = (__u64 *)&r->delta;

		for (k = 0; k < sizeof(r->now) / sizeof(__u64); k++)
			d[k] = now[k] - prev[k];
		r->prev = r->now;
	}
}

/* The tracer's own frames, above the allocator on every stack it takes */
static bool frame__tracing(const char *name)
{
	static const char *const prefixes[] = {
		"__traceiter_", "trace_", "perf_", "bpf_", "__bpf", "___bpf",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(prefixes); i++) {
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	}
	return false;
}

__u64 top__pick_caller(const struct ksyms *ks, const __u64 *ips, int n)
{
	bool below = false;	/* past the first page allocator frame */
	int i;

	for (i = 0; i < n; i++) {
		const struct ksym *k = ksyms__find(ks, ips[i]);

		/* an unnamed frame (a BPF program, a trampoline) is skipped */
		if (!k)
			continue;
		if (!k->module && orc__page_allocator(k->name)) {
			below = true;
			continue;
		}
		/* as memtrace's unwinder does (lib/orc.c): the glue only above */
		if (!below && frame__tracing(k->name))
			continue;
		return ips[i];
	}
	return 0;
}

__u64 top__pages(const struct memtrace_agg *a)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i <= MEMTRACE_AGG_ZONES; i++)
		sum += a->zone_pages[i];
	return sum;
}

static __u64 row__live(const struct top_row *r)
{
	return r->now.bytes_alloc - r->now.bytes_freed;
}

static __u64 row__key(const struct top_row *r, enum top_sort key)
{
	switch (key) {
	case TOP_SORT_ALLOCS:
		return r->delta.allocs;
	case TOP_SORT_FREES:
		return r->delta.frees;
	case TOP_SORT_LIVE:
		return row__live(r);
	case TOP_SORT_WASTE:
		return r->delta.bytes_alloc - r->delta.bytes_req;
	case TOP_SORT_PAGES:
		return top__pages(&r->delta);
	case TOP_SORT_BYTES:
	default:
		return r->delta.bytes_alloc;
	}
}

static enum top_sort sort_key;

static int row__cmp(const void *a, const void *b)
{
	const struct top_row *x = *(const struct top_row *const *)a;
	const struct top_row *y = *(const struct top_row *const *)b;
	__u64 kx = row__key(x, sort_key), ky = row__key(y, sort_key);

	if (kx != ky)
		return kx > ky ? -1 : 1;
	if (x->delta.allocs != y->delta.allocs)
		return x->delta.allocs > y->delta.allocs ? -1 : 1;
	return x->caller < y->caller ? -1 : x->caller > y->caller;
}

size_t top__active(const struct top *t, enum top_sort key, const struct top_row **out,
		   size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr && n < max; i++) {
		const struct memtrace_agg *d = &t->rows[i].delta;

		if (d->allocs || d->frees || d->failed)
			out[n++] = &t->rows[i];
	}
	sort_key = key;
	qsort(out, n, sizeof(*out), row__cmp);
	return n;
}

bool top__losses(const struct memtrace_counters *st, char *buf, size_t len)
{
	bool lost = st->drops || st->rows_full || st->live_full || st->stack_lost ||
		    st->recursion_misses || st->truncated;
	size_t used = 0;

	if (!lost) {
		snprintf(buf, len, "no losses");
		return false;
	}
	used = snprintf(buf, len, "LOSSES:");
#define LOSS(v, what)							\
	do {								\
		if ((v) && used < len)					\
			used += snprintf(buf + used, len - used, " %llu %s,",	\
					 (unsigned long long)(v), what);	\
	} while (0)
	LOSS(st->drops, "records dropped (ring buffer full)");
	LOSS(st->rows_full, "events not counted (row map full)");
	LOSS(st->live_full, "allocations untracked (live map full)");
	LOSS(st->stack_lost, "stacks lost");
	LOSS(st->recursion_misses, "recursion misses");
	LOSS(st->truncated, "vmalloc page lists cut");
#undef LOSS
	if (used < len && buf[used - 1] == ',')
		buf[used - 1] = 0;
	return true;
}

void top__free(struct top *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
