/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: a page allocation's caller, by memtrace's own unwinder.
 *
 * kmem:mm_page_alloc carries no call site.  bpf_get_stackid() finds it,
 * but the kernel's unwinder walks a dozen frames to do so, which costs a
 * page allocation several times what the event does.  The caller is only
 * a few frames up: the tracepoint's glue (bpf_trace_runN, __bpf_trace_*,
 * __traceiter_*), the page allocator's 2 to 4 functions, then the caller.
 * The loader (tool/trace/unwind.c) copies the kernel's own ORC entries
 * for exactly those functions into "unwind_table", and this file steps
 * through them the way the kernel's ORC unwinder does
 * (arch/x86/kernel/unwind_orc.c, ORC_TYPE_CALL, ORC_REG_SP): the caller's
 * stack pointer is the frame's plus sp_offset, the return address the 8
 * bytes below it.
 *
 * The walk starts from this program's frame: the x86 JIT keeps BPF's frame
 * pointer, r10, in rbp (push rbp; mov rbp, rsp), so the program's return
 * address (into bpf_trace_runN) is 8 bytes above r10.  Any step it
 * cannot vouch for (the first return address not in the glue, a frame
 * kind other than a call, a frame not in the table before the allocator's,
 * too many frames, a read that faults) returns 0, and the caller takes the
 * kernel's stack instead (counted in MEMTRACE_CNT_UNWIND_SLOW).
 */
#ifndef __UNWIND_BPF_H
#define __UNWIND_BPF_H

/* log2 of unwind_table's entries; 0: no table, the kernel's stacks only */
const volatile __u32 unwind_log2 = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct memtrace_unwind_entry);
} unwind_table SEC(".maps");

/*
 * Per CPU, the unwinder's state, in one map (one lookup a walk):
 *
 * @cache: the steps of return addresses seen, direct-mapped, so that a
 * frame seen before costs one lookup, not the table's binary search.  An
 * entry is one word (a nested program on the CPU cannot see it torn): the
 * return address's low 32 bits (the table covers kernel text, whose high
 * 32 bits are all ones), the step's sp_offset, its kind, and bit 0 set
 * (0: empty).
 *
 * @n, @ip, @pos: the memo of the last walk that found a caller: the return
 * addresses it read and where, as offsets from the program's frame.  A walk
 * is a function of the return addresses it reads (each one's step and kind
 * come from the table), so a walk that reads the same ones at the same
 * places ends at the same caller: the next event on the same path checks
 * them with a load and a compare each, where the cache's lookup and the
 * kinds' checks take about 35 BPF instructions a frame.  @busy: a walk on
 * this CPU is using the memo; a program nested in an interrupt (a kernel
 * without bpf_trace_run's recursion check) walks without it, writing
 * @memo[1] instead: where the memo goes is an index, not a branch a frame,
 * so that the verifier walks the frames once, not once for each.
 */
#define UNWIND_CACHE	256

struct unwind_memo {
	__u64 n;	/* return addresses read, the caller's the last; 0: none */
	__u64 ip[MEMTRACE_UNWIND_MAX_FRAMES + 1];
	__u64 pos[MEMTRACE_UNWIND_MAX_FRAMES + 1];
};

struct unwind_cpu {
	__u64 busy;
	struct unwind_memo memo[2];	/* [1]: a nested walk's, written, never read */
	__u64 cache[UNWIND_CACHE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_cpu);
} unwind_cpu SEC(".maps");

#define UNWIND_WORD(ip, off, kind) \
	((__u64)(__u32)(ip) << 32 | (__u64)(__u16)(off) << 16 | (__u64)(kind) << 8 | 1)

/* The entry that holds for @ip: the last at or below it (entry 0 holds 0) */
static __always_inline const struct memtrace_unwind_entry *unwind__find(__u64 ip)
{
	const struct memtrace_unwind_entry *e;
	__u32 lo = 0, k, i;

	for (i = 1; i <= MEMTRACE_UNWIND_MAX_LOG2; i++) {
		__u32 step;

		if (i > unwind_log2)
			break;
		step = 1U << (unwind_log2 - i);
		k = lo + step;
		e = bpf_map_lookup_elem(&unwind_table, &k);
		if (!e)
			return NULL;
		/*
		 * lo = e->ip <= ip ? k : lo, without a branch: one path for the
		 * verifier, not two per step.  Table addresses and @ip are
		 * kernel text, within 2^63 of each other (the padding's ~0 too).
		 */
		lo = k - (__u32)((ip - e->ip) >> 63) * step;
	}
	return bpf_map_lookup_elem(&unwind_table, &lo);
}

/*
 * Reading the stack.  bpf_probe_read_kernel() is a helper call that checks
 * the address, disables page faults and copies, nine or so times a walk:
 * under TCG the page program ran 1249-1575 ns with it, 678-933 with loads.  From 6.2 the kfunc bpf_rdonly_cast()
 * turns an address into an untrusted pointer, which the program reads with
 * a plain load the JIT guards (a fault gives 0, as the helper's does): the
 * mm_page_alloc program comes in two builds, the loader loads the one this
 * kernel takes (tool/trace/tracer.c).  struct pt_regs only lends its first
 * member, an unsigned long at offset 0.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline int unwind__read(bool fast, __u64 *v, const void *addr)
{
	if (fast) {
		const struct pt_regs *w = bpf_rdonly_cast(addr,
							  bpf_core_type_id_kernel(struct pt_regs));

		*v = w->r15;
		return 0;
	}
	return bpf_probe_read_kernel(v, sizeof(*v), addr);
}

/*
 * The program's frame pointer, as a number: the x86 JIT keeps BPF's r10 in
 * rbp, set by the program's prologue (push rbp; mov rbp, rsp), so the
 * program's return address (into bpf_trace_runN) is 8 bytes above it.
 * Read from where it is spilled: the verifier hands out no stack address
 * as a number.  In the program itself only (inlined: a subprogram's r10 is
 * its own frame's).  Where BPF's stack is elsewhere (an interpreted
 * program, a private stack), the first return address is not the glue's
 * and the walk gives up.
 */
static __always_inline __u64 unwind__prog_fp(bool fast)
{
	__u64 fp = 0;
	void *p;

	asm volatile("%[p] = r10" : [p] "=r"(p));
	if (unwind__read(fast, &fp, &p))
		return 0;
	return fp;
}

/* Where the walk is */
#define AT_START	0	/* the program's return address */
#define AT_GLUE		1	/* in the tracepoint's glue */
#define AT_ALLOC	2	/* past an allocator frame */

/*
 * The memo's caller if the stack above @fp holds the memo's return
 * addresses at the memo's places, else 0.  Unrolled, each place an offset
 * from @fp: a frame costs the load's guard, the load and a compare.
 */
static __always_inline __u64 unwind__memo_caller(bool fast, const struct unwind_memo *m, __u64 fp)
{
	__u64 ip = 0, n = m->n;
	__u32 i;

#pragma unroll
	for (i = 0; i < MEMTRACE_UNWIND_MAX_FRAMES + 1; i++) {
		if (i == n)
			return ip;
		if (unwind__read(fast, &ip, (void *)(fp + m->pos[i])) || ip != m->ip[i])
			return 0;
	}
	return 0;
}

/*
 * The caller of the page allocation the program runs for, or 0 when this
 * unwinder cannot vouch for it.  Called from the program itself (not from
 * a subprogram or a callback: the walk starts from its frame).  Written
 * for the verifier: one path through each frame's lookup (a branchless
 * search, the cache's two ways meeting again), three places the walk can
 * be at, the memo's place an index (not a branch a frame): 125,325
 * instructions verified for the general page program on 6.12 (with the
 * memo; 22,437 for record's own build, page__emit()'s rec), where a
 * branch per search step made it 450,000 before the memo.
 * The memo first (struct unwind_cpu): on the path of the last walk, a
 * load and a compare a frame.
 */
static __always_inline __u64 unwind__page_caller(bool fast)
{
	const struct memtrace_unwind_entry *e;
	__u64 fp, sp, ip = 0, w, caller = 0, nested;
	__u32 i, zero = 0, kind, slot;
	struct unwind_memo *mw;
	struct unwind_cpu *m;
	__u32 at = AT_START;
	__s32 off;

	if (!unwind_log2)
		return 0;
	m = bpf_map_lookup_elem(&unwind_cpu, &zero);
	if (!m)
		return 0;
	fp = unwind__prog_fp(fast);
	if (!fp)
		return 0;
	/* the program's return address, into bpf_trace_runN */
	sp = fp + 16;
	/*
	 * 1 when nested in a walk: its memo is left alone.  An index, not a
	 * branch: the verifier learns nothing of @nested from the test below.
	 */
	nested = m->busy & 1;
	mw = &m->memo[nested];
	if (!m->busy) {
		m->busy = 1;
		caller = m->memo[0].n ? unwind__memo_caller(fast, &m->memo[0], fp) : 0;
		if (caller)
			goto out;
		m->memo[0].n = 0;
	}
	if (unwind__read(fast, &ip, (void *)(sp - 8)))
		goto out;
	for (i = 0; i < MEMTRACE_UNWIND_MAX_FRAMES; i++) {
		mw->ip[i] = ip;
		mw->pos[i] = sp - 8 - fp;
		/* kernel text only: the search compares within 2^63 */
		if ((ip >> 32) != 0xffffffffULL)
			goto out;
		/* a return address: the call is the byte before it */
		slot = (__u32)(ip ^ ip >> 8) & (UNWIND_CACHE - 1);
		w = m->cache[slot];
		if ((w >> 32) == (__u32)ip && (w & 1)) {
			off = (__s16)(w >> 16);
			kind = (w >> 8) & 0xff;
		} else {
			e = unwind__find(ip - 1);
			if (!e)
				goto out;
			off = e->sp_offset;
			kind = e->kind;
			if (off == (__s16)off)
				m->cache[slot] = UNWIND_WORD(ip, off, kind);
		}
		if (kind == MEMTRACE_UNWIND_OUT) {
			/* before the allocator: not the path this program knows */
			if (at == AT_ALLOC) {
				caller = ip;
				mw->n = i + 1;
			}
			goto out;
		}
		/* the glue first, then the allocator */
		if (kind == MEMTRACE_UNWIND_GLUE && at <= AT_GLUE)
			at = AT_GLUE;
		else if (kind == MEMTRACE_UNWIND_ALLOC && at >= AT_GLUE)
			at = AT_ALLOC;
		else
			goto out;
		sp += off;
		if (unwind__read(fast, &ip, (void *)(sp - 8)))
			goto out;
	}
out:
	/* the walk's own busy back: 0, or 1 where nested */
	m->busy = nested;
	return caller;
}

#endif /* __UNWIND_BPF_H */
