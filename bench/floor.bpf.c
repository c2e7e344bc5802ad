// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench-floor's programs: what any raw_tp tracer of the bench's loops pays
 * before it does its own work, to split memtrace's cost per event into the
 * kernel's part and memtrace's.  Each mode is a pair of programs on the
 * loop's two tracepoints (the loader attaches one pair):
 *
 *   count:   the process filter (one helper call) and a per-CPU counter
 *   ringbuf: the same, and a record of memtrace's size reserved and
 *            submitted, the reader woken as memtrace's tracer wakes its
 *            own (when a quarter of the ring waits: bpf_ringbuf_query)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "memtrace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);	/* 0: events of the process, 1: records not reserved */
	__type(key, __u32);
	__type(value, __u64);
} floor_counts SEC(".maps");

#define FLOOR_RB_BYTES	(4 << 20)	/* as memtrace's tracer */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FLOOR_RB_BYTES);
} floor_rb SEC(".maps");

static __always_inline bool floor__mine(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void floor__inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&floor_counts, &idx);

	if (v)
		*v += 1;
}

static __always_inline int floor__count(void)
{
	if (floor__mine())
		floor__inc(0);
	return 0;
}

static __always_inline int floor__ringbuf(__u32 type)
{
	struct memtrace_event *e;

	if (!floor__mine())
		return 0;
	floor__inc(0);
	e = bpf_ringbuf_reserve(&floor_rb, sizeof(*e), 0);
	if (!e) {
		floor__inc(1);
		return 0;
	}
	e->type = type;
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&floor_rb, BPF_RB_AVAIL_DATA) >= FLOOR_RB_BYTES / 4 ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("raw_tp/kmalloc")
int floor__count_kmalloc(void *ctx) { return floor__count(); }
SEC("raw_tp/kfree")
int floor__count_kfree(void *ctx) { return floor__count(); }
SEC("raw_tp/mm_page_alloc")
int floor__count_page_alloc(void *ctx) { return floor__count(); }
SEC("raw_tp/mm_page_free")
int floor__count_page_free(void *ctx) { return floor__count(); }

SEC("raw_tp/kmalloc")
int floor__rb_kmalloc(void *ctx) { return floor__ringbuf(MEMTRACE_EV_KMALLOC); }
SEC("raw_tp/kfree")
int floor__rb_kfree(void *ctx) { return floor__ringbuf(MEMTRACE_EV_KFREE); }
SEC("raw_tp/mm_page_alloc")
int floor__rb_page_alloc(void *ctx) { return floor__ringbuf(MEMTRACE_EV_PAGE_ALLOC); }
SEC("raw_tp/mm_page_free")
int floor__rb_page_free(void *ctx) { return floor__ringbuf(MEMTRACE_EV_PAGE_FREE); }
