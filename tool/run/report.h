/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the mapping report of `memtrace run` and the summary of
 * `memtrace compare`, as a table or as JSON.  Pure C, unit-tested.
 */
#ifndef __MEMTRACE_REPORT_H
#define __MEMTRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "run/correlate.h"


#define REPORT_PAGES_NONE	0
#define REPORT_PAGES_SOME	1	/* the first REPORT_SOME_PAGES of each */
#define REPORT_PAGES_ALL	2
#define REPORT_SOME_PAGES	8

/**
 * struct report - what a run report shows
 * @cmd:	"run" or "compare"
 * @kernel:	the kernel release (uname -r)
 * @hooks:	the tracer's hooks (trace__describe())
 * @layout:	memory layout from INFO
 * @allocs:	the allocations, @nr of them
 * @sum:	the comparison
 * @pages:	REPORT_PAGES_*: lines per page under each allocation
 */
struct report {
	const char *cmd;
	const char *kernel;
	const char *hooks;
	struct corr_layout layout;
	const struct corr_alloc *allocs;
	size_t nr;
	const struct corr_summary *sum;
	int pages;
	bool pretty;
};

/* The table of allocations (and pages), then the summary. */
void report__print_table(const struct report *r, FILE *out);

/* The summary only: pages compared, agreed, disagreed, untraced, drops. */
void report__print_summary(const struct report *r, FILE *out);

/* One JSON document {"schema":"memtrace/1","cmd":...}; 0 or json__end()'s error */
int report__print_json(const struct report *r, FILE *out);


#endif /* __MEMTRACE_REPORT_H */
