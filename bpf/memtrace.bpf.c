// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace: kernel allocator events with their physical pages.
 *
 * raw_tp on the kmem tracepoints (kmalloc, kfree, kmem_cache_alloc/free,
 * mm_page_alloc/free) and on vmalloc:alloc_vmap_area; fexit (or a kretprobe
 * twin where the trampoline refuses 9 arguments) on __vmalloc_node_range
 * and __get_vm_area_node to send every physical page of a vmalloc area;
 * fentry (or kprobe) on vfree.  PFNs are computed here from the kernel's
 * page_offset_base and vmemmap_base, without the module's help.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace.h"
#include "core_fixes.bpf.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define VM_ALLOC	0x00000002	/* include/linux/vmalloc.h, 6.1 and 6.12 */
#define VM_NO_GUARD	0x00000040
/*
 * Without CONFIG_DYNAMIC_MEMORY_LAYOUT the bases are constants, not
 * variables: the ksyms are weak and these 4-level defaults stand in.
 */
#define DEFAULT_PAGE_OFFSET	0xffff888000000000ULL
#define DEFAULT_VMALLOC_BASE	0xffffc90000000000ULL
#define DEFAULT_VMEMMAP_BASE	0xffffea0000000000ULL

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid = 0;	/* 0: every process */
const volatile __u64 min_size = 0;	/* skip allocations smaller than this */
/*
 * Only allocations called from [call_site_lo, call_site_hi) or from
 * [call_site2_lo, call_site2_hi) (0, 0: all): a module's text, and the
 * allocator wrapper it calls that makes its own call (kvmalloc's kmalloc).
 */
const volatile __u64 call_site_lo = 0;
const volatile __u64 call_site_hi = 0;
const volatile __u64 call_site2_lo = 0;
const volatile __u64 call_site2_hi = 0;
/* Walk the page tables for every page of each traced allocation (opt-in) */
const volatile bool walk_pages = false;
/*
 * memtrace record: the kernel stack of each page allocation (they carry no
 * call site), or of every allocation; in "agg_stack_map" (agg.bpf.h)
 */
const volatile bool record_page_stacks = false;
const volatile bool record_stacks = false;
/*
 * Wake the reader when at least wakeup_bytes wait in the ring buffer, not at
 * each record it has caught up with: on one CPU that is a wake-up and a
 * switch to the reader per event, which costs more than the event.  The
 * reader also reads on a timeout and before it stops (trace__poll()), so
 * the last records are never left behind.  0: the kernel's adaptive
 * wake-up (a record finding the reader caught up wakes it).
 */
const volatile __u64 wakeup_bytes = 0;
/* A process left out (memtrace's own when it records or aggregates) */
const volatile __u32 self_tgid = 0;
/*
 * memtrace record: slab and page events go to the per-CPU rings
 * (ring_events, ring_ctl), not the ring buffer: ring_slots records at
 * level 0 (a power of 2, at least 32: RINGS_MIN_SLOTS), 0: off.  See ring__reserve().
 */
const volatile __u32 ring_slots = 0;

/*
 * Kernel symbols' addresses (MEMTRACE_KSYM_*), 0 where absent, set by
 * userspace before load: KASLR bases (no BTF VAR for them, so read with
 * probe_read), and for the BPF walk the kernel's top page table (x86-64, in
 * 6.1's and 6.12's kallsyms) and, with CONFIG_X86_5LEVEL, whether LA57 is
 * on (an unsigned int; absent: 4 levels).  Not __ksym externs: libbpf
 * resolves those by reading all of /proc/kallsyms, a second under TCG.
 */
const volatile __u64 ksym_addrs[MEMTRACE_KSYM_MAX] = {};
#define init_top_pgt_addr		ksym_addrs[MEMTRACE_KSYM_INIT_TOP_PGT]
#define pgtable_l5_enabled_addr	ksym_addrs[MEMTRACE_KSYM_PGTABLE_L5]

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* userspace may resize before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEMTRACE_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * vm_struct of each VM_ALLOC area between __get_vm_area_node's return and
 * __vmalloc_node_range's, keyed by area address so that the nested vmalloc
 * of a large pages[] array cannot overwrite the outer area's entry.  LRU:
 * areas whose vmalloc never returns (failures) age out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);	/* vm->addr */
	__type(value, __u64);	/* struct vm_struct * */
} vm_areas SEC(".maps");

/*
 * The per-CPU rings, mapped by the reader: CPU c's records from
 * c * (ring_slots + 2 * (ring_slots >> MEMTRACE_RING_NESTED_SHIFT)): level
 * 0, then levels 1 and 2.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* userspace sizes it before load */
	__type(key, __u32);
	__type(value, struct memtrace_rec);
} ring_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* one per possible CPU */
	__type(key, __u32);
	__type(value, struct memtrace_ring_ctl);
} ring_ctl SEC(".maps");

/* The flags of a ring buffer submit or output: see wakeup_bytes */
static __always_inline __u64 rb__flags(void)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void counter__inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	/* atomic: a program nested on this CPU would lose an increment */
	if (v)
		__sync_fetch_and_add(v, 1);
}

/* No process id read yet (tgid__skip_as()) */
#define TGID_UNREAD	0xffffffffU

/* Whether to leave this process out; its id into @tgid when read for that */
static __always_inline bool tgid__skip_as(__u32 *tgid)
{
	/* each read once: a const volatile is a load at every use */
	__u32 target = target_tgid, self = self_tgid;

	if (!target && !self)
		return false;
	*tgid = bpf_get_current_pid_tgid() >> 32;
	if (*tgid == self)
		return true;
	/* branches, not LLVM's selects: no -p then costs two compares after the call */
	asm volatile("" ::: "memory");
	return target && *tgid != target;
}

static __always_inline bool tgid__skip(void)
{
	__u32 tgid;

	return tgid__skip_as(&tgid);
}

/* Page events carry no call site: this filter applies to kmem and vmalloc. */
static __always_inline bool caller__skip(__u64 call_site)
{
	if (!call_site_hi)
		return false;
	if (call_site >= call_site_lo && call_site < call_site_hi)
		return false;
	return !(call_site >= call_site2_lo && call_site < call_site2_hi);
}

static __always_inline __u64 ksym__read(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (const void *)addr);
	return v;
}

/*
 * The KASLR bases, read once: set early in boot, constant after.  Their
 * values, where userspace could read them before load (bpf/ksyms.bpf.c):
 * known to the verifier, which then drops the code that reads them here.
 */
const volatile __u64 ksym_bases[MEMTRACE_KSYM_NR_BASES] = {};

/* Else read by the first event: a helper call per event costs more under TCG than a kfree's program */
__u64 ksym_vals[MEMTRACE_KSYM_MAX] = {};

static __always_inline __u64 ksym__base(__u32 idx, __u64 dflt)
{
	__u64 v = idx < MEMTRACE_KSYM_NR_BASES ? ksym_bases[idx] : 0;

	if (v)
		return v;
	if (!ksym_addrs[idx])
		return dflt;
	v = ksym_vals[idx];
	if (!v) {
		v = ksym__read(ksym_addrs[idx]);
		ksym_vals[idx] = v;
	}
	return v;
}

#define page_offset_base()	ksym__base(MEMTRACE_KSYM_PAGE_OFFSET_BASE, DEFAULT_PAGE_OFFSET)
#define vmalloc_base()		ksym__base(MEMTRACE_KSYM_VMALLOC_BASE, DEFAULT_VMALLOC_BASE)

static __always_inline __u64 vmemmap__base(void)
{
	return ksym__base(MEMTRACE_KSYM_VMEMMAP_BASE, DEFAULT_VMEMMAP_BASE);
}

static __always_inline __u64 page__pfn(__u64 page, __u64 vmemmap)
{
	/* a shift, not a division (a helper call under TCG), where struct page is 64 bytes */
	if (bpf_core_type_size(struct page) == 64)
		return (page - vmemmap) >> 6;
	return (page - vmemmap) / bpf_core_type_size(struct page);
}

/* A record's common fields, for struct memtrace_event and struct memtrace_rec alike */
#define event__fill(e, t, cpu_, tgid_) ({					\
	__builtin_memset((e), 0, sizeof(*(e)));					\
	(e)->ts_ns = bpf_ktime_get_ns();					\
	(e)->type = (t);							\
	(e)->tgid = (tgid_) != TGID_UNREAD ? (tgid_) : bpf_get_current_pid_tgid() >> 32; \
	(e)->cpu = (cpu_);							\
	(e)->node = (__typeof__((e)->node))MEMTRACE_NO_NODE; /* a rec: 0xffff */ \
	(e)->stack_id = MEMTRACE_NO_STACK;					\
	(e);									\
})

/*
 * event__fill() for a struct memtrace_rec in 8 stores of 8 bytes, not a
 * memset and then 6 narrow ones: under TCG every store is a lookup in
 * QEMU's TLB.  Little-endian (x86): type, flags 0, order 0, pad 0, tgid in
 * one word; cpu, node, stack_id in another.
 */
_Static_assert(__builtin_offsetof(struct memtrace_rec, type) == 8 &&
	       __builtin_offsetof(struct memtrace_rec, tgid) == 12 &&
	       __builtin_offsetof(struct memtrace_rec, bytes_alloc) == 48 &&
	       __builtin_offsetof(struct memtrace_rec, cpu) == 56 &&
	       __builtin_offsetof(struct memtrace_rec, node) == 58 &&
	       __builtin_offsetof(struct memtrace_rec, stack_id) == 60 &&
	       sizeof(struct memtrace_rec) == 64, "struct memtrace_rec's words");

/* A word over narrower fields: may alias them, so the fields' own stores after it stay after it */
typedef __u64 __attribute__((__may_alias__)) rec_word_t;

static __always_inline struct memtrace_rec *rec__fill(struct memtrace_rec *e, __u32 type,
						      __u32 cpu, __u32 tgid)
{
	e->ts_ns = bpf_ktime_get_ns();
	if (tgid == TGID_UNREAD)
		tgid = bpf_get_current_pid_tgid() >> 32;
	*(rec_word_t *)&e->type = type | (__u64)tgid << 32;
	e->call_site = 0;
	e->addr = 0;
	e->pfn = 0;
	e->bytes_req = 0;
	*(rec_word_t *)&e->bytes_alloc = 0;
	*(rec_word_t *)&e->cpu = cpu | (__u64)MEMTRACE_REC_NO_NODE << 16 |
				 (__u64)MEMTRACE_NO_STACK << 32;
	return e;
}

/* @tgid: the process, or TGID_UNREAD */
static __always_inline struct memtrace_event *event__reserve_as(__u32 type, __u32 tgid)
{
	struct memtrace_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		counter__inc(MEMTRACE_CNT_DROPS);
		return NULL;
	}
	return event__fill(e, type, bpf_get_smp_processor_id(), tgid);
}

#define event__reserve(type)	event__reserve_as(type, TGID_UNREAD)

/* A record being written into a per-CPU ring: published by ring__commit() */
struct ring_slot {
	struct memtrace_ring_ctl *ctl;
	__u64 head;
	__u64 level;
	__u32 slots;
	__u32 tgid;	/* the process, read by the filter; TGID_UNREAD */
};

#define compiler_barrier()	asm volatile("" ::: "memory")

/*
 * A slot in this CPU's ring of the nesting level it is at, or NULL (full,
 * or a fourth level: counted as drops).  The level is taken with an atomic
 * add, a full barrier on x86: the reader, seeing depth 0 after its clock
 * read, knows every record of this CPU stamped before was published.  The
 * time stamp is taken after it.  No lock, no copy: the reader reads the
 * slot in place once head passes it, and frees it by moving tail.
 */
static __always_inline struct memtrace_rec *ring__reserve(struct ring_slot *r, __u32 type)
{
	__u32 cpu = bpf_get_smp_processor_id(), idx, slots;
	struct memtrace_ring_ctl *ctl;
	struct memtrace_rec *e;
	__u64 level, head;

	ctl = bpf_map_lookup_elem(&ring_ctl, &cpu);
	if (!ctl)
		goto lost;
	level = __sync_fetch_and_add(&ctl->depth, 1);
	if (level >= MEMTRACE_RING_LEVELS)
		goto full;
	/* the ring's place, as the reader laid it out: two loads, no arithmetic */
	slots = ctl->slots[level];
	r->slots = slots;
	head = ctl->head[level];
	if (head - *(volatile __u64 *)&ctl->tail[level] >= slots)
		goto full;
	idx = ctl->base[level] + (head & (slots - 1));
	e = bpf_map_lookup_elem(&ring_events, &idx);
	if (!e)
		goto full;
	r->ctl = ctl;
	r->head = head;
	r->level = level;
	return rec__fill(e, type, cpu, r->tgid);
full:
	ctl->depth = level;
lost:
	counter__inc(MEMTRACE_CNT_DROPS);
	return NULL;
}

/*
 * Publish the record (x86 keeps stores in order: the record, then head,
 * then depth), and wake the reader when a quarter of the ring waits: a
 * small ring-buffer record with BPF_RB_FORCE_WAKEUP, once per quarter.
 */
static __always_inline void ring__commit(struct ring_slot *r)
{
	struct memtrace_ring_ctl *ctl = r->ctl;
	__u32 level = r->level < MEMTRACE_RING_LEVELS ? r->level : 0;
	__u64 waiting;

	compiler_barrier();
	ctl->head[level] = r->head + 1;
	compiler_barrier();
	waiting = r->head + 1 - *(volatile __u64 *)&ctl->tail[level];
	ctl->depth = r->level;
	if (waiting == r->slots / 4) {
		struct memtrace_event w = { .type = MEMTRACE_EV_RING_WAKE };

		bpf_ringbuf_output(&events, &w, sizeof(w.ts_ns) + 2 * sizeof(__u32),
				   BPF_RB_FORCE_WAKEUP);
	}
}

/*
 * A slab or page event's record, filled by @fill (code naming the record
 * @e, a struct memtrace_rec in a per-CPU ring when @rings, else a struct
 * memtrace_event in the ring buffer: the same field names)
 */
#define event__emit_in(r, type, rings, fill) do {				\
		if (rings) {							\
			struct memtrace_rec *e = ring__reserve(r, type);	\
									\
			if (e) {						\
				fill;						\
				ring__commit(r);				\
			}							\
		} else {							\
			struct memtrace_event *e = event__reserve_as(type, (r)->tgid); \
									\
			if (e) {						\
				fill;						\
				bpf_ringbuf_submit(e, rb__flags());		\
			}							\
		}								\
	} while (0)

#define event__emit(r, type, fill)	event__emit_in(r, type, ring_slots, fill)

/*
 * PFN of a direct-map ("kernel logical") address: kmalloc, slab objects.
 * The direct map lies below the vmalloc area, with 4- and 5-level paging.
 */
static __always_inline bool direct__pfn(__u64 addr, __u64 *pfn)
{
	__u64 base = page_offset_base();
	__u64 end = vmalloc_base();

	if (addr < base || addr >= end)
		return false;
	*pfn = (addr - base) >> PAGE_SHIFT;
	return true;
}

/*
 * bytes_alloc, 32 bits in a struct memtrace_rec: a value that does not fit
 * (a failed kmalloc above the largest page block: PAGE_SIZE <<
 * get_order(size)) goes in the pfn field, which a failed allocation does
 * not use, with bytes_alloc 0xffffffff (no allocation hands out that many)
 */
#define event__set_bytes_alloc(e, alloc) do {					\
		if (sizeof((e)->bytes_alloc) < sizeof(__u64) && (alloc) > 0xffffffffULL) { \
			(e)->bytes_alloc = 0xffffffffU;				\
			if (!((e)->flags & MEMTRACE_F_PFN))			\
				(e)->pfn = (alloc);				\
		} else {							\
			(e)->bytes_alloc = (alloc);				\
		}								\
	} while (0)

#define event__set_direct_pfn(e) do {						\
		__u64 pfn_;							\
									\
		if (direct__pfn((e)->addr, &pfn_)) {				\
			(e)->pfn = pfn_;					\
			(e)->flags |= MEMTRACE_F_PFN;				\
		}								\
	} while (0)

/* ---- the BPF page-table walk (walk_pages) -------------------------------- */

#define PTE_PRESENT	(1ULL << 0)
#define PTE_PSE		(1ULL << 7)
#define PTE_PFN_MASK	0x000ffffffffff000ULL	/* bits 12..51 */
#define WALK_NO_PFN	(~0ULL)

/*
 * Walk the kernel page tables from @top (the virtual address of the top
 * table) for @va: @levels (4 or 5) levels, each entry read once with
 * bpf_probe_read_kernel, the next table through the direct map at @pob.
 * Stops at a non-present entry or a PSE leaf at pud (1G) or pmd (2M).
 * Returns pfn << 2 | level (MEMTRACE_LEVEL_*), or WALK_NO_PFN << 2 for an
 * unmapped address.  Inlined and unrolled: 6.1's verifier refuses a call to
 * a global function from a bpf_loop callback ("back-edge").
 */
static __always_inline __u64 walk__va(__u64 va, __u64 top, __u64 pob, __u32 levels)
{
	__u64 table = top, entry = 0;
	int shift = levels == 5 ? 48 : 39;
	int i;

#pragma unroll
	for (i = 0; i < 5; i++) {
		__u64 idx = (va >> shift) & 511;

		if (bpf_probe_read_kernel(&entry, sizeof(entry), (void *)(table + idx * 8)))
			break;
		if (!(entry & PTE_PRESENT))
			break;
		if (shift == 12)
			return ((entry & PTE_PFN_MASK) >> PAGE_SHIFT) << 2 | MEMTRACE_LEVEL_PTE;
		if ((shift == 30 || shift == 21) && (entry & PTE_PSE)) {
			__u64 off = (va & ((1ULL << shift) - 1)) >> PAGE_SHIFT;
			/* a huge leaf's frame: bits 12..51 less the PAT bit 12 */
			__u64 pfn = ((entry & PTE_PFN_MASK & ~((1ULL << shift) - 1)) >> PAGE_SHIFT);

			return (pfn + off) << 2 | (shift == 30 ? MEMTRACE_LEVEL_PUD :
							       MEMTRACE_LEVEL_PMD);
		}
		table = pob + (entry & PTE_PFN_MASK);
		shift -= 9;
		if (shift < 12)
			break;
	}
	return WALK_NO_PFN << 2 | MEMTRACE_LEVEL_NONE;
}

struct walk_ctx {
	__u64 addr;	/* page-aligned */
	__u64 top;
	__u64 pob;
	__u64 ts_ns;
	__u32 tgid;
	__u32 levels;
	__u32 nr;	/* pages to walk */
	bool failed;
};

/*
 * The record being filled, per CPU: one bpf_loop over the pages (a C loop
 * around the walk is refused by 6.1's verifier, whose loops may not be
 * entered by a plain fall-through), each full chunk copied out with
 * bpf_ringbuf_output.  @busy: a program nested on this CPU (an interrupt's
 * allocation) finds the buffer taken and does not walk (counted).
 */
struct walk_buf {
	struct memtrace_walk w;
	__u32 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_buf);
} walk_bufs SEC(".maps");

/* bpf_loop callback: walk page @idx; send the chunk when it is full or the last */
static long walk__page(__u32 idx, void *data)
{
	struct walk_ctx *c = data;
	__u32 key = 0, slot = idx & (MEMTRACE_WALK_PER_CHUNK - 1);
	struct walk_buf *b = bpf_map_lookup_elem(&walk_bufs, &key);
	__u64 r;

	if (!b) {
		c->failed = true;
		return 1;
	}
	r = walk__va(c->addr + ((__u64)idx << PAGE_SHIFT), c->top, c->pob, c->levels);
	b->w.pfn[slot] = r == (WALK_NO_PFN << 2) ? WALK_NO_PFN : r >> 2;
	b->w.level[slot] = r & 3;
	if (slot != MEMTRACE_WALK_PER_CHUNK - 1 && idx + 1 < c->nr)
		return 0;
	b->w.ts_ns = c->ts_ns;
	b->w.type = MEMTRACE_EV_WALK_PAGES;
	b->w.tgid = c->tgid;
	b->w.addr = c->addr;
	b->w.first_index = idx - slot;
	b->w.count = slot + 1;
	if (bpf_ringbuf_output(&events, &b->w, sizeof(b->w), rb__flags())) {
		counter__inc(MEMTRACE_CNT_DROPS);
		c->failed = true;
		return 1;
	}
	return 0;
}

/* The walk's start: the top table, the direct map's base, 4 or 5 levels */
static __always_inline void walk__root(struct walk_ctx *c)
{
	c->top = init_top_pgt_addr;
	c->pob = page_offset_base();
	c->levels = 4;
	if (pgtable_l5_enabled_addr) {
		__u32 l5 = 0;

		bpf_probe_read_kernel(&l5, sizeof(l5), (const void *)pgtable_l5_enabled_addr);
		if (l5)
			c->levels = 5;
	}
}

/*
 * Walk every page of [addr, addr + bytes) (addr rounded down to its page)
 * and send the results, when walk_pages is set; pages beyond
 * MEMTRACE_WALK_MAX_PAGES, or a walk not sent in full, are counted in
 * MEMTRACE_CNT_WALK_TRUNCATED (once per allocation).
 */
static __always_inline void walk__emit(__u64 addr, __u64 bytes)
{
	struct walk_ctx c = {};
	struct walk_buf *b;
	__u32 key = 0;
	__u64 pages;

	if (!walk_pages || !addr || !bytes)
		return;
	c.addr = addr & ~(PAGE_SIZE - 1);
	pages = (addr + bytes - c.addr + PAGE_SIZE - 1) >> PAGE_SHIFT;
	walk__root(&c);
	c.ts_ns = bpf_ktime_get_ns();
	c.tgid = bpf_get_current_pid_tgid() >> 32;
	c.nr = pages < MEMTRACE_WALK_MAX_PAGES ? pages : MEMTRACE_WALK_MAX_PAGES;
	b = bpf_map_lookup_elem(&walk_bufs, &key);
	if (!b || b->busy || !c.top) {
		counter__inc(MEMTRACE_CNT_WALK_TRUNCATED);
		return;
	}
	b->busy = 1;
	bpf_loop(c.nr, walk__page, &c, 0);
	b->busy = 0;
	if (c.failed || pages > MEMTRACE_WALK_MAX_PAGES)
		counter__inc(MEMTRACE_CNT_WALK_TRUNCATED);
}

#include "unwind.bpf.h"
#include "agg.bpf.h"

static __always_inline int kmalloc__emit(void *ctx, __u32 type, __u64 call_site, __u64 ptr,
					 __u64 req, __u64 alloc, __u64 gfp, __u32 node)
{
	struct ring_slot r = { .tgid = TGID_UNREAD };

	if (req < min_size || caller__skip(call_site) || tgid__skip_as(&r.tgid))
		return 0;
	if (aggregate)
		return agg__on(type) ? agg__slab(ctx, type, call_site, ptr, req, alloc) : 0;
	event__emit(&r, type, ({
		e->call_site = call_site;
		e->addr = ptr;
		e->bytes_req = req;
		e->gfp = gfp;
		e->node = node;
		if (!ptr)
			e->flags |= MEMTRACE_F_FAILED;
		event__set_direct_pfn(e);
		event__set_bytes_alloc(e, alloc);
		event__set_stack(ctx, e, type);
	}));
	walk__emit(ptr, alloc);
	return 0;
}

static __always_inline int kfree__emit(__u32 type, __u64 call_site, __u64 ptr)
{
	struct ring_slot r = { .tgid = TGID_UNREAD };

	/* kfree(NULL) and ZERO_SIZE_PTR fire the tracepoint too */
	if (ptr <= 16)
		return 0;
	if (aggregate)
		return agg__free(ptr, LIVE_SLAB);
	if (tgid__skip_as(&r.tgid))
		return 0;
	event__emit(&r, type, ({
		e->call_site = call_site;
		e->addr = ptr;
		event__set_direct_pfn(e);
	}));
	return 0;
}

/*
 * kmem:kmalloc (call_site, ptr, bytes_req, bytes_alloc, gfp_flags[, node]).
 * Measured on 6.12: a kmalloc above KMALLOC_MAX_CACHE_SIZE through
 * __kmalloc_noprof fires this twice for the same ptr, first with a call_site
 * inside __kmalloc_noprof, then with the real caller (6.1 fires it once).
 */
SEC("raw_tp/kmalloc")
int memtrace__kmalloc(__u64 *ctx)
{
	__u32 node = MEMTRACE_NO_NODE;

	if (kmalloc_has_node()) {
		/* keep the ctx[5] load inside the CO-RE branch */
		asm volatile("" ::: "memory");
		node = (__u32)ctx[5];
	}
	return kmalloc__emit(ctx, MEMTRACE_EV_KMALLOC, ctx[0], ctx[1], ctx[2], ctx[3], ctx[4],
			     node);
}

/* kmem:kmalloc_node, before 11e9734bcb6a: autoload off where it is absent */
SEC("raw_tp/kmalloc_node")
int memtrace__kmalloc_node(__u64 *ctx)
{
	return kmalloc__emit(ctx, MEMTRACE_EV_KMALLOC, ctx[0], ctx[1], ctx[2], ctx[3], ctx[4],
			     (__u32)ctx[5]);
}

/* kmem:kmem_cache_alloc: (call_site, ptr, s, gfp_flags[, node]) since 2c1d697fb8ba */
SEC("raw_tp/kmem_cache_alloc")
int memtrace__kmem_cache_alloc(__u64 *ctx)
{
	struct kmem_cache *s;
	__u32 node = MEMTRACE_NO_NODE;

	if (has_kmem_alloc())
		return kmalloc__emit(ctx, MEMTRACE_EV_KMEM_CACHE_ALLOC, ctx[0], ctx[1], ctx[2],
				     ctx[3], ctx[4], node);
	s = (struct kmem_cache *)ctx[2];
	if (kmem_cache_alloc_has_node()) {
		asm volatile("" ::: "memory");
		node = (__u32)ctx[4];
	}
	return kmalloc__emit(ctx, MEMTRACE_EV_KMEM_CACHE_ALLOC, ctx[0], ctx[1],
			     BPF_CORE_READ(s, object_size), BPF_CORE_READ(s, size), ctx[3], node);
}

/* kmem:kmem_cache_alloc_node, before 11e9734bcb6a (old kmem_alloc_node layout) */
SEC("raw_tp/kmem_cache_alloc_node")
int memtrace__kmem_cache_alloc_node(__u64 *ctx)
{
	return kmalloc__emit(ctx, MEMTRACE_EV_KMEM_CACHE_ALLOC, ctx[0], ctx[1], ctx[2], ctx[3],
			     ctx[4], (__u32)ctx[5]);
}

SEC("raw_tp/kfree")
int memtrace__kfree(__u64 *ctx)
{
	return kfree__emit(MEMTRACE_EV_KFREE, ctx[0], ctx[1]);
}

SEC("raw_tp/kmem_cache_free")
int memtrace__kmem_cache_free(__u64 *ctx)
{
	return kfree__emit(MEMTRACE_EV_KMEM_CACHE_FREE, ctx[0], ctx[1]);
}

/*
 * @fast: the page caller's unwinder reads the stack without helper calls
 * (unwind.bpf.h).  @rec: the build for memtrace record's per-CPU rings
 * (trace__choose_rec(): rings on, page callers on, no aggregation, no
 * walk, no minimum size), whose flags the compiler then knows: a flag is a
 * load at every event, though the verifier knows its value.
 */
static __always_inline int page__emit(__u64 *ctx, __u32 type, bool fast, bool rec)
{
	struct ring_slot r = { .tgid = TGID_UNREAD };
	__u64 page, bytes, gfp, pfn = 0;
	__u32 order;

	if (!rec && type == MEMTRACE_EV_PAGE_FREE && aggregate)
		return ctx[0] ? agg__free(page__pfn(ctx[0], vmemmap__base()), LIVE_PAGE) : 0;
	if ((!rec && type == MEMTRACE_EV_PAGE_ALLOC && (PAGE_SIZE << (__u32)ctx[1]) < min_size) ||
	    tgid__skip_as(&r.tgid))
		return 0;
	/* read after the filter's helper call: not kept across it */
	page = ctx[0];
	order = (__u32)ctx[1];
	gfp = type == MEMTRACE_EV_PAGE_ALLOC ? ctx[2] : 0;
	bytes = PAGE_SIZE << order;
	if (!rec && aggregate)
		return agg__on(type) ? agg__page(ctx, page ? page__pfn(page, vmemmap__base()) : 0,
						 order, !page, fast) : 0;
	if (page)
		pfn = page__pfn(page, vmemmap__base());
	event__emit_in(&r, type, rec || ring_slots, ({
		e->bytes_req = bytes;
		e->bytes_alloc = bytes;
		e->order = order;
		e->gfp = gfp;
		e->pfn = pfn;
		e->flags = page ? MEMTRACE_F_PFN : MEMTRACE_F_FAILED;	/* 0 until now */
		if (type == MEMTRACE_EV_PAGE_ALLOC)
			page__set_caller(ctx, e, fast, rec);
		else
			event__set_stack(ctx, e, type);
	}));
	/*
	 * the pages through the direct map, where page_address() puts them
	 * (walk_pages first: the address's ksym read is not free)
	 */
	if (!rec && type == MEMTRACE_EV_PAGE_ALLOC && walk_pages && page)
		walk__emit(page_offset_base() + (pfn << PAGE_SHIFT), bytes);
	return 0;
}

/* kmem:mm_page_alloc (page, order, gfp_flags, migratetype) */
SEC("raw_tp/mm_page_alloc")
int memtrace__mm_page_alloc(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_ALLOC, false, false);
}

/* The same, for kernels with bpf_rdonly_cast() (6.2 on): the loader loads one of the two */
SEC("raw_tp/mm_page_alloc")
int memtrace__mm_page_alloc_fast(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_ALLOC, true, false);
}

/* kmem:mm_page_free (page, order) */
SEC("raw_tp/mm_page_free")
int memtrace__mm_page_free(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_FREE, false, false);
}

/* The three above, memtrace record's build (page__emit()'s @rec): loaded in their place */
SEC("raw_tp/mm_page_alloc")
int memtrace__mm_page_alloc_rec(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_ALLOC, false, true);
}

SEC("raw_tp/mm_page_alloc")
int memtrace__mm_page_alloc_fast_rec(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_ALLOC, true, true);
}

SEC("raw_tp/mm_page_free")
int memtrace__mm_page_free_rec(__u64 *ctx)
{
	return page__emit(ctx, MEMTRACE_EV_PAGE_FREE, false, true);
}

/*
 * vmalloc:alloc_vmap_area (addr, size, align, vstart, vend, failed): added
 * after 6.1 ("mm: vmalloc: add alloc_vmap_area trace event"; in 6.12's BTF,
 * not in 6.1's), so userspace turns autoload off where it is absent.
 */
SEC("raw_tp/alloc_vmap_area")
int memtrace__alloc_vmap_area(__u64 *ctx)
{
	struct memtrace_event *e;

	if (aggregate || ctx[1] < min_size || tgid__skip())
		return 0;
	e = event__reserve(MEMTRACE_EV_VMAP_AREA);
	if (!e)
		return 0;
	e->addr = ctx[0];
	e->bytes_req = ctx[1];
	e->bytes_alloc = ctx[1];
	if ((int)ctx[5])
		e->flags |= MEMTRACE_F_FAILED;
	bpf_ringbuf_submit(e, rb__flags());
	return 0;
}

static __always_inline void vm_area__stash(struct vm_struct *vm)
{
	__u64 addr, ptr = (__u64)vm;

	if (!vm || !(BPF_CORE_READ(vm, flags) & VM_ALLOC))
		return;
	addr = (__u64)BPF_CORE_READ(vm, addr);
	bpf_map_update_elem(&vm_areas, &addr, &ptr, BPF_ANY);
}

/* __get_vm_area_node(size, align, shift, flags, start, end, node, gfp, caller) */
SEC("fexit/__get_vm_area_node")
int memtrace__get_vm_area_node(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	vm_area__stash((struct vm_struct *)ret);
	return 0;
}

/*
 * kretprobe twin: the x86 trampoline refused more than 6 arguments (attach
 * fails with -ENOTSUPP) before commit 473e3150e30a ("bpf, x86: allow
 * function arguments up to 12 for TRACING").
 */
SEC("kretprobe")
int BPF_KRETPROBE(memtrace__get_vm_area_node_kret, struct vm_struct *vm)
{
	vm_area__stash(vm);
	return 0;
}

struct chunk_ctx {
	__u64 pages;	/* struct page ** */
	__u64 addr;
	__u64 vmemmap;
	__u64 ts_ns;
	__u32 tgid;
	__u32 nr;	/* pages to send */
	bool failed;
};

struct pfn_ctx {
	__u64 *pfns;	/* a memtrace_pages record's pfns[] */
	__u64 vmemmap;
};

/*
 * bpf_loop callback: struct page pointer @idx into its PFN.  A loop of
 * MEMTRACE_PFNS_PER_CHUNK in C is verified once per iteration (27000
 * instructions, 0.14 s under TCG); a callback is verified once.
 */
static long pfn__one(__u32 idx, void *data)
{
	struct pfn_ctx *c = data;

	if (idx >= MEMTRACE_PFNS_PER_CHUNK)
		return 1;
	c->pfns[idx] = page__pfn(c->pfns[idx], c->vmemmap);
	return 0;
}

/* bpf_loop callback: send pages[idx * CHUNK ...] as one memtrace_pages record */
static long chunk__emit(__u32 idx, void *data)
{
	struct chunk_ctx *c = data;
	struct memtrace_pages *p;
	struct pfn_ctx pc;
	__u32 first = idx * MEMTRACE_PFNS_PER_CHUNK, n;
	__u64 sz;

	if (first >= c->nr)
		return 1;
	n = c->nr - first;
	if (n > MEMTRACE_PFNS_PER_CHUNK)
		n = MEMTRACE_PFNS_PER_CHUNK;
	p = bpf_ringbuf_reserve(&events, sizeof(*p), 0);
	if (!p) {
		counter__inc(MEMTRACE_CNT_DROPS);
		c->failed = true;
		return 1;
	}
	p->ts_ns = c->ts_ns;
	p->type = MEMTRACE_EV_VMALLOC_PAGES;
	p->tgid = c->tgid;
	p->addr = c->addr;
	p->first_index = first;
	p->count = n;
	/* read the struct page pointers in place, then turn them into PFNs */
	/*
	 * Clamp in asm: clang drops a C clamp it can prove redundant, and the
	 * verifier then sees an unbounded size.
	 */
	sz = (__u64)n * sizeof(__u64);
	asm volatile("if %0 <= %1 goto +1\n\t%0 = %1" : "+r"(sz) : "i"(sizeof(p->pfns)));
	if (bpf_probe_read_kernel(p->pfns, sz,
				  (void *)(c->pages + (__u64)first * sizeof(__u64)))) {
		p->count = 0;
		c->failed = true;
	}
	pc.pfns = p->pfns;
	pc.vmemmap = c->vmemmap;
	bpf_loop(p->count, pfn__one, &pc, 0);
	bpf_ringbuf_submit(p, rb__flags());
	return c->failed;
}

/*
 * The end of a vmalloc: send the PFNs of the area's pages (chunk records
 * first), then the MEMTRACE_EV_VMALLOC record, flagged TRUNCATED when any
 * PFN is missing.  args: size, gfp, node, caller are known only from fexit.
 */
static __always_inline int vmalloc__emit(void *ctx, __u64 ret, __u64 size, __u64 gfp,
					 __u32 node, __u64 caller, __u32 flags)
{
	struct chunk_ctx c = {};
	struct memtrace_event *e;
	struct vm_struct *vm = NULL;
	__u64 *vmp;
	__u32 nr = 0, order = 0;

	if (ret) {
		vmp = bpf_map_lookup_elem(&vm_areas, &ret);
		if (vmp) {
			vm = (struct vm_struct *)*vmp;
			bpf_map_delete_elem(&vm_areas, &ret);
		}
	}
	if (tgid__skip())
		return 0;
	if (vm) {
		nr = BPF_CORE_READ(vm, nr_pages);
		if (vm_struct_has_page_order())
			order = BPF_CORE_READ((struct vm_struct___x *)vm, page_order);
		if (flags & MEMTRACE_F_NO_ARGS) {
			caller = (__u64)BPF_CORE_READ(vm, caller);
			if (vm_struct_has_requested_size())
				size = BPF_CORE_READ((struct vm_struct___x *)vm, requested_size);
			else
				size = BPF_CORE_READ(vm, size) -
				       ((BPF_CORE_READ(vm, flags) & VM_NO_GUARD) ? 0 : PAGE_SIZE);
		}
	}
	if (size < min_size || caller__skip(caller))
		return 0;
	if (aggregate)
		return agg__on(MEMTRACE_EV_VMALLOC) ?
		       agg__vmalloc(ctx, ret, size, caller, vm, nr, order) : 0;

	c.vmemmap = vmemmap__base();
	if (vm && nr) {
		c.pages = (__u64)BPF_CORE_READ(vm, pages);
		c.addr = ret;
		c.ts_ns = bpf_ktime_get_ns();
		c.tgid = bpf_get_current_pid_tgid() >> 32;
		c.nr = nr < MEMTRACE_VMALLOC_MAX_PAGES ? nr : MEMTRACE_VMALLOC_MAX_PAGES;
		bpf_loop((c.nr + MEMTRACE_PFNS_PER_CHUNK - 1) / MEMTRACE_PFNS_PER_CHUNK,
			 chunk__emit, &c, 0);
	}

	if (ret && (!vm || c.failed || nr > MEMTRACE_VMALLOC_MAX_PAGES)) {
		flags |= MEMTRACE_F_TRUNCATED;
		counter__inc(MEMTRACE_CNT_TRUNCATED);
	}
	e = event__reserve(MEMTRACE_EV_VMALLOC);
	if (!e)
		return 0;
	e->call_site = caller;
	e->addr = ret;
	e->bytes_req = size;
	e->bytes_alloc = (__u64)nr << PAGE_SHIFT;
	e->gfp = gfp;
	e->node = node;
	e->order = order;
	e->nr_pages = nr;
	e->flags = flags | (ret ? 0 : MEMTRACE_F_FAILED);
	if (vm && nr) {
		__u64 page = 0;

		bpf_probe_read_kernel(&page, sizeof(page), (void *)c.pages);
		if (page) {
			e->pfn = page__pfn(page, c.vmemmap);
			e->flags |= MEMTRACE_F_PFN;
		}
	}
	event__set_stack(ctx, e, MEMTRACE_EV_VMALLOC);
	bpf_ringbuf_submit(e, rb__flags());
	if (ret && nr)
		walk__emit(ret, (__u64)nr << PAGE_SHIFT);
	return 0;
}

/*
 * __vmalloc_node_range_noprof(size, align, start, end, gfp_mask, prot,
 * vm_flags, node, caller): named __vmalloc_node_range before commit
 * 88ae5fb755b0 ("mm: vmalloc: enable memory allocation profiling");
 * userspace sets the attach target from the kernel's BTF.
 */
SEC("fexit/__vmalloc_node_range_noprof")
int memtrace__vmalloc_node_range(__u64 *ctx)
{
	__u64 ret = 0, caller = 0;

	/* void * arguments: direct ctx access is refused ("not a struct") */
	bpf_get_func_ret(ctx, &ret);
	bpf_get_func_arg(ctx, 8, &caller);
	return vmalloc__emit(ctx, ret, ctx[0], ctx[4], (__u32)ctx[7], caller, 0);
}

/* kretprobe twin, as for __get_vm_area_node (commit 473e3150e30a) */
SEC("kretprobe")
int BPF_KRETPROBE(memtrace__vmalloc_node_range_kret, void *ret)
{
	return vmalloc__emit(ctx, (__u64)ret, 0, 0, MEMTRACE_NO_NODE, 0, MEMTRACE_F_NO_ARGS);
}

static __always_inline int vfree__emit(__u64 addr)
{
	struct memtrace_event *e;

	if (!addr)
		return 0;
	if (aggregate)
		return agg__free(addr, LIVE_VMALLOC);
	if (tgid__skip())
		return 0;
	e = event__reserve(MEMTRACE_EV_VFREE);
	if (!e)
		return 0;
	e->addr = addr;
	bpf_ringbuf_submit(e, rb__flags());
	return 0;
}

SEC("fentry/vfree")
int memtrace__vfree(__u64 *ctx)
{
	__u64 addr = 0;

	bpf_get_func_arg(ctx, 0, &addr);	/* const void *: no direct ctx access */
	return vfree__emit(addr);
}

SEC("kprobe/vfree")
int BPF_KPROBE(memtrace__vfree_kprobe, const void *addr)
{
	return vfree__emit((__u64)addr);
}
