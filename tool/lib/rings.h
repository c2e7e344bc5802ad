/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader's half of memtrace record's per-CPU rings (bpf/memtrace.h,
 * struct memtrace_ring_ctl): records read in place, merged across CPUs and
 * nesting levels by time stamp, and freed by moving each ring's tail.
 * Pure C over two memory areas (the tracer maps them; the unit tests make
 * them up): tests/unit/test_rings.c.
 */
#ifndef __MEMTRACE_RINGS_H
#define __MEMTRACE_RINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "bpf/memtrace.h"

/*
 * Level 0's records per CPU at least: the nested rings have an eighth, and
 * a quarter of those (the wake-up's mark) must be a record at least
 */
#define RINGS_MIN_SLOTS	32

/* Taken off the reader's clock for rings__drain()'s @now (tracer.c) */
#define RINGS_CLOCK_MARGIN_NS	10000

/* Records per run handed over at most: 256 KiB, under RECORD_MAX_LEN */
#define RINGS_RUN_MAX	4096

/*
 * Called with @n records in time order, back to back in a ring; they stay
 * valid until it returns.  A negative return stops rings__drain() with it.
 */
typedef int (*rings_run_fn)(void *ctx, const struct memtrace_rec *ev, size_t n);

/**
 * struct rings - the rings of every CPU
 * @ev:		ncpus * rings__cpu_slots(slots) records: per CPU level 0
 *		(@slots), then levels 1 and 2 (an eighth of it each)
 * @ctl:	ncpus control blocks
 * @ncpus:	possible CPUs
 * @slots:	level 0's records per CPU, a power of 2, at least RINGS_MIN_SLOTS
 * @bound:	per CPU, the reader's own: every record of the CPU stamped
 *		at or before it has been seen (rings__drain() sets it)
 * @head, @tail: per ring (CPU * MEMTRACE_RING_LEVELS + level), a drain's
 *		snapshot and progress
 */
struct rings {
	const struct memtrace_rec *ev;
	struct memtrace_ring_ctl *ctl;
	int ncpus;
	__u32 slots;
	__u64 *bound;
	__u64 *head;
	__u64 *tail;
};

/* @r over @ev and @ctl (see struct rings); 0 or -ENOMEM */
int rings__init(struct rings *r, const struct memtrace_rec *ev, struct memtrace_ring_ctl *ctl,
		int ncpus, __u32 slots);
void rings__free(struct rings *r);

/* Records of one CPU's three rings */
static inline __u64 rings__cpu_slots(__u32 slots)
{
	return (__u64)slots + 2 * (slots >> MEMTRACE_RING_NESTED_SHIFT);
}

/*
 * Level 0's records per CPU for rings of at most @bytes in all over @ncpus
 * CPUs (but at least RINGS_MIN_SLOTS): a power of 2, and every record's
 * index (ring_events' key) within 32 bits.
 */
__u32 rings__slots_for(size_t bytes, int ncpus);

/**
 * rings__drain() - hand over, in time order, the records no CPU can precede
 * @r:		the rings
 * @now:	CLOCK_MONOTONIC (bpf_ktime_get_ns()'s clock), read just before
 * @all:	every record published (at the end), whatever the bound
 * @fn, @ctx:	the receiver
 *
 * A CPU whose depth is 0 after @now has published every record it stamped
 * before @now: its bound moves to @now.  Records stamped before the least
 * bound of all CPUs are handed over, merged, in runs; the rest wait.
 * Returns the records handed over, or @fn's negative return.
 */
long rings__drain(struct rings *r, __u64 now, bool all, rings_run_fn fn, void *ctx);

/*
 * Whether a ring has a quarter of it or more waiting: its writer wakes the
 * reader only when it reaches a quarter, so a reader that stopped past it
 * must not wait for a wake-up
 */
bool rings__behind(const struct rings *r);

/* Whether no CPU is writing a record now (every depth 0) */
bool rings__quiet(const struct rings *r);

#endif /* __MEMTRACE_RINGS_H */
