// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace record's per-CPU rings, the reader's half (rings.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/rings.h"

__u32 rings__slots_for(size_t bytes, int ncpus)
{
	__u64 n = ncpus > 0 ? (__u64)ncpus : 1;
	__u64 per = bytes / n / sizeof(struct memtrace_rec);
	__u32 s = RINGS_MIN_SLOTS;

	/* three levels: level 0, and an eighth of it twice; every index in 32 bits */
	while (rings__cpu_slots(s * 2) <= per && n * rings__cpu_slots(s * 2) <= UINT32_MAX)
		s <<= 1;
	return s;
}

/* Ring @k (CPU k / LEVELS, level k % LEVELS): its first record and size */
static const struct memtrace_rec *ring__base(const struct rings *r, int k, __u32 *slots)
{
	int cpu = k / MEMTRACE_RING_LEVELS, level = k % MEMTRACE_RING_LEVELS;
	__u64 off = (__u64)cpu * rings__cpu_slots(r->slots);

	*slots = level ? r->slots >> MEMTRACE_RING_NESTED_SHIFT : r->slots;
	if (level)
		off += r->slots + (__u64)(level - 1) * (r->slots >> MEMTRACE_RING_NESTED_SHIFT);
	return r->ev + off;
}

int rings__init(struct rings *r, const struct memtrace_rec *ev, struct memtrace_ring_ctl *ctl,
		int ncpus, __u32 slots)
{
	size_t nk = (size_t)ncpus * MEMTRACE_RING_LEVELS;
	__u32 n;
	int k;

	*r = (struct rings){ ev, ctl, ncpus, slots, calloc(ncpus, sizeof(__u64)),
			     calloc(nk, sizeof(__u64)), calloc(nk, sizeof(__u64)) };
	if (!r->bound || !r->head || !r->tail) {
		rings__free(r);
		*r = (struct rings){};
		return -ENOMEM;
	}
	/* each ring's place, for BPF to read (struct memtrace_ring_ctl) */
	for (k = 0; k < (int)nk; k++) {
		const struct memtrace_rec *base = ring__base(r, k, &n);

		ctl[k / MEMTRACE_RING_LEVELS].base[k % MEMTRACE_RING_LEVELS] = (__u32)(base - ev);
		ctl[k / MEMTRACE_RING_LEVELS].slots[k % MEMTRACE_RING_LEVELS] = n;
	}
	return 0;
}

void rings__free(struct rings *r)
{
	free(r->bound);
	free(r->head);
	free(r->tail);
	r->bound = r->head = r->tail = NULL;
}

/* The first unread record of ring @k, or NULL */
static const struct memtrace_rec *ring__front(const struct rings *r, int k)
{
	const struct memtrace_rec *base;
	__u32 slots;

	if (r->tail[k] == r->head[k])
		return NULL;
	base = ring__base(r, k, &slots);
	return &base[r->tail[k] & (slots - 1)];
}

long rings__drain(struct rings *r, __u64 now, bool all, rings_run_fn fn, void *ctx)
{
	int nk = r->ncpus * MEMTRACE_RING_LEVELS, k, c, best;
	const struct memtrace_rec *front, *first, *base;
	__u64 bound = UINT64_MAX, second;
	long done = 0;
	__u32 slots;
	size_t n, hi, i;
	int err;

	/* the clock was read before the depths: see memtrace.bpf.c, ring__reserve() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (c = 0; c < r->ncpus; c++) {
		if (!__atomic_load_n(&r->ctl[c].depth, __ATOMIC_ACQUIRE))
			r->bound[c] = now;
		if (r->bound[c] < bound)
			bound = r->bound[c];
	}
	if (all)
		bound = UINT64_MAX;
	for (k = 0; k < nk; k++) {
		struct memtrace_ring_ctl *ctl = &r->ctl[k / MEMTRACE_RING_LEVELS];

		r->head[k] = __atomic_load_n(&ctl->head[k % MEMTRACE_RING_LEVELS], __ATOMIC_ACQUIRE);
		r->tail[k] = ctl->tail[k % MEMTRACE_RING_LEVELS];
	}
	for (;;) {
		/* the ring with the earliest first record, and the next earliest's stamp */
		best = -1;
		first = NULL;
		second = bound;
		for (k = 0; k < nk; k++) {
			front = ring__front(r, k);
			if (!front || front->ts_ns > bound)
				continue;
			if (!first || front->ts_ns < first->ts_ns) {
				if (first && first->ts_ns < second)
					second = first->ts_ns;
				best = k;
				first = front;
			} else if (front->ts_ns < second) {
				second = front->ts_ns;
			}
		}
		if (best < 0)
			break;
		/*
		 * its records up to the next ring's first, contiguous in
		 * memory: a ring's records are stamped in its order (a
		 * level's programs do not interleave), so a binary search
		 * finds the last at or before @second, not a look at each
		 */
		base = ring__base(r, best, &slots);
		i = r->tail[best] & (slots - 1);
		hi = r->head[best] - r->tail[best];
		if (hi > slots - i)
			hi = slots - i;
		if (hi > RINGS_RUN_MAX)
			hi = RINGS_RUN_MAX;
		n = 1;	/* base[i], the first, is at or before @second */
		while (n < hi) {
			size_t mid = n + (hi - n + 1) / 2;

			if (base[i + mid - 1].ts_ns <= second)
				n = mid;
			else
				hi = mid - 1;
		}
		err = fn(ctx, first, n);
		r->tail[best] += n;
		__atomic_store_n(&r->ctl[best / MEMTRACE_RING_LEVELS].tail[best % MEMTRACE_RING_LEVELS],
				 r->tail[best], __ATOMIC_RELEASE);
		done += (long)n;
		if (err < 0)
			return err;
	}
	return done;
}

bool rings__behind(const struct rings *r)
{
	int k, nk = r->ncpus * MEMTRACE_RING_LEVELS;
	__u32 slots;

	for (k = 0; k < nk; k++) {
		const struct memtrace_ring_ctl *ctl = &r->ctl[k / MEMTRACE_RING_LEVELS];
		__u64 head = __atomic_load_n(&ctl->head[k % MEMTRACE_RING_LEVELS], __ATOMIC_ACQUIRE);

		ring__base(r, k, &slots);
		if (head - ctl->tail[k % MEMTRACE_RING_LEVELS] >= slots / 4)
			return true;
	}
	return false;
}

bool rings__quiet(const struct rings *r)
{
	int c;

	for (c = 0; c < r->ncpus; c++)
		if (__atomic_load_n(&r->ctl[c].depth, __ATOMIC_ACQUIRE))
			return false;
	return true;
}
