/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: the userspace half of the BPF tracer (bpf/memtrace.bpf.c), a
 * small library over the bpftool skeleton.  Records handed to the callback
 * are struct memtrace_event or struct memtrace_pages (bpf/memtrace.h),
 * told apart by their common type field.
 */
#ifndef __MEMTRACE_TRACE_H
#define __MEMTRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* bpf/memtrace.h, by path: tool/memtrace.h is the CLI's own header */
#include "bpf/memtrace.h"
#include "lib/hooks.h"
#include "lib/rings.h"

struct trace;

struct ksyms;

/**
 * struct trace_opts - what to trace
 * @tgid:	only this process (thread group); 0 = every process
 * @min_size:	skip allocations smaller than this many bytes (frees are kept)
 * @call_site_lo, @call_site_hi: only kmem and vmalloc allocations called from
 *		[lo, hi), e.g. a module's text; 0, 0 = any caller
 * @call_site2_lo, @call_site2_hi: a second allowed range (e.g. kvmalloc's)
 * @ringbuf_bytes: ring buffer size, rounded up to a power of two; 0 = 4 MiB
 * @wakeup_every: wake the reader when this many records (of struct
 *		memtrace_event's size) wait in the ring buffer; trace__poll()
 *		reads the others on its timeout.  0 = a quarter of the ring
 *		buffer, 1 = at each record the reader has caught up with (the
 *		kernel's default, a wake-up per event when the reader keeps up)
 * @skip_self:	leave out this process's own allocations (memtrace record:
 *		its file's pages; memtrace top does so always)
 * @verbose:	let libbpf print its debug output and the verifier log
 * @run_fn:	non-NULL: slab and page events go through per-CPU rings
 *		(lib/rings.h: no lock, no copy in the kernel), handed to @run_fn
 *		in runs, in time order across CPUs, from trace__poll() and
 *		trace__drain(); their size is @ringbuf_bytes, and the ring
 *		buffer, which takes the other records, a quarter of it
 * @kprobes:	the vmalloc hooks as kprobes (kretprobe on __get_vm_area_node
 *		and the vmalloc core, kprobe on vfree), not trampolines.  A
 *		kprobe attaches and detaches in milliseconds; a trampoline's
 *		detach waits for an RCU Tasks Rude and an RCU Tasks grace
 *		period (0.1-0.2 s each under TCG, most of a short run's exit).
 *		But a kretprobe has a pool of return instances (10, or 2 per
 *		CPU): a call made while all are taken goes unseen; and the
 *		vmalloc's gfp and node are not known (MEMTRACE_F_NO_ARGS; its
 *		caller and size come from its vm_struct).  For memtrace run:
 *		short, and its own allocations one at a time.
 */
struct trace_opts {
	pid_t tgid;
	__u64 min_size;
	__u64 call_site_lo;
	__u64 call_site_hi;
	__u64 call_site2_lo;
	__u64 call_site2_hi;
	size_t ringbuf_bytes;
	__u32 wakeup_every;
	bool skip_self;
	bool verbose;
	rings_run_fn run_fn;
	bool kprobes;
	bool walk_pages;	/* the BPF page-table walk of every traced allocation */
	/*
	 * In-kernel aggregation (memtrace top): no records, rows read with
	 * trace__agg_read().  @agg_kinds: bit (1 << MEMTRACE_EV_*) per
	 * allocation kind; @agg_zones: the zone table (@nr_zones entries);
	 * @rows_max, @live_max: map sizes (0: defaults).
	 */
	bool aggregate;
	bool agg_no_walk;	/* no page-table walk: page sizes unknown */
	/* memtrace record: stacks of page allocations, or of every allocation */
	bool record_page_stacks;
	bool record_stacks;
	bool agg_stacks;	/* whole stacks (else only as deep as a caller needs) */
	/*
	 * Page allocations' callers from the kernel's stacks, not memtrace's
	 * unwinder (bpf/unwind.bpf.h): slower, for comparison
	 */
	bool kernel_unwind;
	const struct ksyms *ksyms;	/* the unwinder's symbols (NULL: read them) */
	__u32 agg_kinds;
	const struct memtrace_agg_range *agg_zones;
	int nr_zones;
	__u32 rows_max;
	__u32 live_max;
};

#define TRACE_ROWS_MAX		4096
#define TRACE_LIVE_MAX		32768
#define TRACE_STACKS_MAX	16384


/*
 * Called for each record; a negative return stops trace__poll() with it.
 * With trace_opts.run_fn, records of the per-CPU rings go there instead.
 */
typedef int (*trace_event_fn)(void *ctx, const void *data, size_t len);

/**
 * trace__open() - load and attach the tracer
 * @tp:		out: the tracer
 * @opts:	filters and sizes
 * @fn:		record callback, run from trace__poll()
 * @ctx:	passed to @fn
 *
 * Probes the kernel's BTF, picks the hook variant each kernel supports
 * (fexit or kretprobe, renamed functions, absent tracepoints) and attaches.
 * On failure prints one line to stderr and returns -errno.
 */
int trace__open(struct trace **tp, const struct trace_opts *opts, trace_event_fn fn, void *ctx);

/*
 * Deliver buffered records to the callback: wait up to @timeout_ms for a
 * wake-up, then read everything buffered, woken or not; 0 or more records,
 * or -errno
 */
int trace__poll(struct trace *t, int timeout_ms);

/*
 * The end: every record published, the per-CPU rings' too whatever their
 * bound (the tracer still attached may add more); the records or -errno
 */
int trace__drain(struct trace *t);

/* Fill @st; 0 or -errno */
int trace__stats(struct trace *t, struct memtrace_counters *st);

/* One line naming the hooks attached, e.g. "vmalloc: fexit ..." (hooks__describe()) */
const char *trace__describe(struct trace *t);

/* Called with each row, its counters summed over the CPUs */
typedef int (*trace_row_fn)(void *ctx, const struct memtrace_agg_key *key,
			    const struct memtrace_agg *row);

/* Read every row of the aggregation; 0 or -errno (or @fn's negative return) */
int trace__agg_read(struct trace *t, trace_row_fn fn, void *ctx);

/* The frames of stack @id, innermost first, into @ips; their count or -errno */
int trace__agg_stack(struct trace *t, int id, __u64 *ips, int max);

/* A new interval: the direct-map level cache is walked anew */
void trace__agg_tick(struct trace *t);

/* The hooks attached, in structured form: @hooks has NR_HOOKS entries (lib/hooks.h) */
void trace__hooks(const struct trace *t, struct hook *hooks);

void trace__close(struct trace *t);

#endif /* __MEMTRACE_TRACE_H */
