/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: allocator call latency seen by BPF (bpf/alloclat.bpf.c), the
 * study's second, independent clock next to the module's BENCH timing.
 */
#ifndef __MEMTRACE_ALLOCLAT_H
#define __MEMTRACE_ALLOCLAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct alloclat;

/*
 * Load the fentry/fexit pairs for the calls of process @tgid.  Hooks whose
 * function this kernel lacks stay off (alloclat__note() says which).
 * Return 0 or -errno, one line on stderr.
 */
int alloclat__open(struct alloclat **out, pid_t tgid, bool verbose);

/*
 * Attach only the pairs of MEMALLOC_KIND_@kind (its allocation and free),
 * detaching the others: a hooked function nested in the timed one (vfree()
 * calls __free_pages()) would add its trampoline to the interval.  An
 * attach the kernel refuses turns the hook off with a note.  Return 0.
 */
int alloclat__select(struct alloclat *a, uint32_t kind);

/* The hook (ALLOCLAT_*) timing the allocation or the free of MEMALLOC_KIND_@kind, or -1 */
int alloclat__hook(const struct alloclat *a, uint32_t kind, bool free);

/* The kernel function @hook is attached to, or NULL */
const char *alloclat__func(const struct alloclat *a, int hook);

/* One line naming the hooks that are off and why ("" when all are on) */
const char *alloclat__note(const struct alloclat *a);

/* Forget the samples of every hook */
void alloclat__reset(struct alloclat *a);

/*
 * Copy at most @cap samples (ns per call) of @hook into @buf; *@kept gets
 * the number copied.  Return the number of calls seen since the last reset.
 */
uint64_t alloclat__read(const struct alloclat *a, int hook, uint64_t *buf, uint32_t cap,
			uint32_t *kept);

void alloclat__close(struct alloclat *a);

#endif /* __MEMTRACE_ALLOCLAT_H */
