/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace-render --compare: one study on two kernels side by side.  The
 * facts of each study (the BPF clock's functions, the tracer's hooks
 * (lib/hooks.h), where kvmalloc switches
 * to vmalloc and where it maps huge, the limits found by probing, the page
 * sizes of each cell), the differences between them with the kernel commit
 * that explains them where it is known, and compare.md.  Pure C over struct
 * study, unit-tested (tests/unit/test_compare.c).
 */
#ifndef __MEMTRACE_COMPARE_H
#define __MEMTRACE_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "study/study.h"

/* What a change is about (struct compare_change.fact) */
#define COMPARE_ALLOC_FN	0	/* the function BPF timed for a kind's allocations */
#define COMPARE_FREE_FN		1	/* ... for its frees */
#define COMPARE_KVMALLOC_VMALLOC 2	/* the smallest kvmalloc in the vmalloc area */
#define COMPARE_KVMALLOC_HUGE	3	/* the smallest kvmalloc mapped with 2M pages */
#define COMPARE_LIMIT		4	/* the largest success found by probing */
#define COMPARE_MAP		5	/* the page sizes of a cell present in both */
#define COMPARE_KMALLOC_MAX	6	/* KMALLOC_MAX_SIZE */
#define COMPARE_HOOK_ATTACH	7	/* how the tracer attaches a hook (fexit, absent ...) */
#define COMPARE_HOOK_TARGET	8	/* the function or tracepoint a hook attaches to */

/* A size fact of one study: a size, or none up to the largest cell, or not known */
#define COMPARE_NONE		0		/* no cell shows it */
#define COMPARE_UNKNOWN		UINT64_MAX	/* the study did not record it */

/**
 * struct compare_change - one difference between study A and study B
 * @fact:	COMPARE_*
 * @kind:	the allocator (MEMALLOC_KIND_*); for COMPARE_HOOK_*, the hook (HOOK_*)
 * @size:	the cell's size (COMPARE_MAP), else 0
 * @a, @b:	the value in A and in B, as text
 * @renamed:	functions that differ only by the _noprof suffix (and leading _)
 * @commit:	the kernel commit behind it ("7bd230a26648"), or NULL
 * @title:	its subject line, or NULL
 * @text:	one line, without the commit
 */
struct compare_change {
	uint32_t fact;
	uint32_t kind;
	uint64_t size;
	char a[64], b[64];
	bool renamed;
	const char *commit;
	const char *title;
	char text[256];
};

struct compare {
	struct compare_change *changes;
	size_t nr_changes, cap_changes;
};

/*
 * The function BPF timed for @kind's allocations (@free: frees) in @s: the
 * first cell of the kind that names one; "" if none
 */
const char *compare__fn(const struct study *s, uint32_t kind, bool free);

/*
 * The smallest kvmalloc cell whose buffer lies in the vmalloc area; COMPARE_NONE
 * if no kvmalloc cell does, COMPARE_UNKNOWN if the study did not record areas
 */
uint64_t compare__kvmalloc_vmalloc(const struct study *s);

/* The smallest kvmalloc cell mapped with 2M pages; COMPARE_NONE if none */
uint64_t compare__kvmalloc_huge(const struct study *s);

/* The largest kvmalloc cell with results (what "none" means: none up to it); 0 if none */
uint64_t compare__kvmalloc_max(const struct study *s);

/* The cell of @kind and @size in @s with results (err 0), or NULL */
const struct study_cell *compare__cell(const struct study *s, uint32_t kind, uint64_t size);

/* The differences of @b from @a into @out (free with compare__free()); 0 or -ENOMEM */
int compare__diff(const struct study *a, const struct study *b, struct compare *out);

void compare__free(struct compare *c);

/* The first change about @fact and @kind (any kind: UINT32_MAX), or NULL */
const struct compare_change *compare__find(const struct compare *c, uint32_t fact, uint32_t kind);

/* compare.md: conditions, cells, limits, kvmalloc, the BPF clock, what changed */
void compare__write_md(const struct study *a, const struct study *b, const struct compare *c,
		       FILE *f);

/* The same on a terminal, under 80 columns */
void compare__print_table(const struct study *a, const struct study *b,
			  const struct compare *c, FILE *f);

#endif /* __MEMTRACE_COMPARE_H */
