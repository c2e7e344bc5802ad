/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace top: the rows of the in-kernel aggregation, read once per
 * interval, turned into what one interval did (differences of counters
 * that only grow), sorted and printed as a table or one JSON document.
 * Pure C (tests/unit/test_top.c); the driver is cmd_top.c.
 */
#ifndef __MEMTRACE_TOP_H
#define __MEMTRACE_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "bpf/memtrace.h"
#include "memalloc.h"
#include "lib/ksyms.h"

/**
 * struct top_row - one caller and allocator kind
 * @kind:	MEMTRACE_EV_KMALLOC, _KMEM_CACHE_ALLOC, _PAGE_ALLOC, _VMALLOC
 * @caller:	the address named as the caller (a call site, or the first
 *		frame of the stack outside the page allocator)
 * @stack_id:	with stacks, the kernel stack; else MEMTRACE_AGG_NO_STACK
 * @stack, @nr_stack: its frames, innermost first (with stacks)
 * @now:	counters since start, as of the last read
 * @prev:	as of the read before
 * @delta:	@now - @prev: what the last interval did
 */
struct top_row {
	__u32 kind;
	__u64 caller;
	int stack_id;
	__u64 stack[MEMTRACE_AGG_STACK_DEPTH];
	int nr_stack;
	struct memtrace_agg now;
	struct memtrace_agg prev;
	struct memtrace_agg delta;
};

/**
 * struct top - every row seen since start, and the zone table
 * @zones:	the zone table the BPF program classifies PFNs by
 * @nr_zones:	its entries (at most MEMTRACE_AGG_ZONES)
 * Zero-initialise; release with top__free().
 */
struct top {
	struct top_row *rows;
	size_t nr;
	size_t cap;
	struct memalloc_zone zones[MEMTRACE_AGG_ZONES];
	int nr_zones;
};

enum top_sort {
	TOP_SORT_BYTES,		/* bytes handed out in the interval */
	TOP_SORT_ALLOCS,
	TOP_SORT_FREES,
	TOP_SORT_LIVE,		/* live bytes since start */
	TOP_SORT_WASTE,		/* bytes handed out beyond those requested */
	TOP_SORT_PAGES,		/* pages in the interval */
};

#define TOP_SORT_KEYS	"bytes, allocs, frees, live, waste, pages"

/* TOP_SORT_* from one of TOP_SORT_KEYS; or -EINVAL */
int top__sort_parse(const char *s);

/* The row kinds by name: "kmalloc", "kmem_cache", "alloc_pages", "vmalloc" */
const char *top__kind_name(__u32 kind);
/* MEMTRACE_EV_* of a row kind's name, or -EINVAL */
int top__kind_parse(const char *name);
/* A comma-separated list of row kinds ("all": every one) as bits 1 << kind */
int top__kinds_parse(const char *s, __u32 *bits);

/* Zones, from a zoneinfo parse: the first MEMTRACE_AGG_ZONES; how many were kept */
int top__set_zones(struct top *t, const struct memalloc_zone *zones, int nr);

/* A read: top__begin(), top__add() per aggregated row, then top__end() */
void top__begin(struct top *t);
/*
 * Add @a to the row (@kind, @caller, @stack_id), made when new with @stack
 * (@nr_stack frames, may be 0).  The row's index in @t->rows, or -ENOMEM.
 */
int top__add(struct top *t, __u32 kind, __u64 caller, int stack_id, const __u64 *stack,
	     int nr_stack, const struct memtrace_agg *a);
void top__end(struct top *t);

/*
 * The first frame of a stack outside the page allocator (__alloc_pages*,
 * get_page_from_freelist, folio_alloc*, ...: lib/orc.c) and, above it, the
 * tracing machinery (bpf_*, __traceiter_*, ...): the caller of a page
 * allocation, as memtrace's unwinder finds it.  0 when every frame is inside.
 */
__u64 top__pick_caller(const struct ksyms *ks, const __u64 *ips, int n);

/* Pages of a row's @a (the sum of its zone pages) */
__u64 top__pages(const struct memtrace_agg *a);

/* The rows active in the last interval (allocs, frees or failures), sorted; count */
size_t top__active(const struct top *t, enum top_sort key, const struct top_row **out,
		   size_t max);

/**
 * struct top_frame - what one printed interval says besides its rows
 * @interval_s:	seconds the interval lasted (measured)
 * @when:	the wall-clock time at its end, "HH:MM:SS"
 * @st:		the tracer's losses since start (rows_full, live_full,
 *		stack_lost, recursion_misses, truncated)
 * @stacks:	rows are keyed by stack
 * @max_rows:	rows to print in the table (JSON: every active row)
 */
struct top_frame {
	const char *title;	/* "memtrace top" when NULL */
	const char *note;	/* a line under the header, or NULL */
	double interval_s;
	const char *when;
	struct memtrace_counters st;
	bool stacks;
	bool no_levels;		/* page sizes not known: left out */
	size_t max_rows;
};

/* The losses in one line ("no losses" when none); true when there were */
bool top__losses(const struct memtrace_counters *st, char *buf, size_t len);

/* The interval as a table (80 columns and up) */
void top__print_table(FILE *out, const struct top *t, const struct top_row **rows, size_t n,
		      const struct top_frame *f, const struct ksyms *ks);

struct json;

/*
 * One row as a JSON object (with "stack" when @stacks, "levels" when
 * @levels); @more (may be NULL) adds members before it closes
 */
void top__json_row(struct json *j, const struct top *t, const struct top_row *r, bool stacks,
		   bool levels, const struct ksyms *ks,
		   void (*more)(struct json *j, const void *arg), const void *arg);

/* The interval as one JSON document (one line unless @pretty) */
int top__print_json(FILE *out, const struct top *t, const struct top_row **rows, size_t n,
		    const struct top_frame *f, const struct ksyms *ks, bool pretty);

void top__free(struct top *t);

#endif /* __MEMTRACE_TOP_H */
