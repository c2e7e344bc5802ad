/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: records shared by the BPF programs (memtrace.bpf.c) and the
 * tool (tool/trace/tracer.c).  Includes nothing and uses only __u32/__u64, so both
 * the vmlinux.h side and the libc side can include it (like libbpf-tools'
 * slabratetop.h).  Every record starts with ts_ns, type, tgid.
 */
#ifndef __BPF_MEMTRACE_H
#define __BPF_MEMTRACE_H

/* memtrace_event.type (and memtrace_pages.type) */
#define MEMTRACE_EV_KMALLOC		1	/* kmem:kmalloc */
#define MEMTRACE_EV_KFREE		2	/* kmem:kfree */
#define MEMTRACE_EV_KMEM_CACHE_ALLOC	3	/* kmem:kmem_cache_alloc */
#define MEMTRACE_EV_KMEM_CACHE_FREE	4	/* kmem:kmem_cache_free */
#define MEMTRACE_EV_PAGE_ALLOC		5	/* kmem:mm_page_alloc: pfn, order */
#define MEMTRACE_EV_PAGE_FREE		6	/* kmem:mm_page_free: pfn, order */
#define MEMTRACE_EV_VMAP_AREA		7	/* vmalloc:alloc_vmap_area: addr, size */
#define MEMTRACE_EV_VMALLOC		8	/* vmalloc done: addr, size, nr_pages */
#define MEMTRACE_EV_VMALLOC_PAGES	9	/* struct memtrace_pages: PFNs of a vmalloc */
#define MEMTRACE_EV_VFREE		10	/* vfree(addr) */
#define MEMTRACE_EV_WALK_PAGES		11	/* struct memtrace_walk: BPF's page-table walk */
#define MEMTRACE_EV_MAX			12
/* A ring-buffer record that only wakes the reader for the per-CPU rings */
#define MEMTRACE_EV_RING_WAKE		0xffff

/* memtrace_event.flags */
#define MEMTRACE_F_PFN		(1U << 0)	/* pfn is valid */
#define MEMTRACE_F_TRUNCATED	(1U << 1)	/* vmalloc: not every PFN was sent */
#define MEMTRACE_F_NO_ARGS	(1U << 2)	/* vmalloc seen by kretprobe: gfp, node
						 * unknown; bytes_req from vm_struct */
#define MEMTRACE_F_FAILED	(1U << 3)	/* allocation failed (addr 0) */

#define MEMTRACE_NO_NODE	0xffffffffU	/* NUMA_NO_NODE */

/* PFNs per MEMTRACE_EV_VMALLOC_PAGES record (4 KiB of PFNs) */
#define MEMTRACE_PFNS_PER_CHUNK	512
/* Largest page list sent: 1 GiB of 4 KiB pages; longer lists are truncated */
#define MEMTRACE_VMALLOC_MAX_PAGES	(1U << 18)

/*
 * The kernel symbols the tracer reads, by index: their addresses are
 * looked up once (bpf/ksyms.bpf.c) and set in memtrace.bpf.c's ksym_addrs
 * before load; 0 where the kernel lacks one.
 */
#define MEMTRACE_KSYM_PAGE_OFFSET_BASE	0	/* the direct map's base (KASLR) */
#define MEMTRACE_KSYM_VMALLOC_BASE	1
#define MEMTRACE_KSYM_VMEMMAP_BASE	2	/* struct page array's base */
#define MEMTRACE_KSYM_INIT_TOP_PGT	3	/* the BPF walk's root */
#define MEMTRACE_KSYM_PGTABLE_L5	4	/* __pgtable_l5_enabled: LA57 on */
#define MEMTRACE_KSYM_ORC_IP		5	/* __start_orc_unwind_ip: the ORC table */
#define MEMTRACE_KSYM_ORC_IP_END	6	/* __stop_orc_unwind_ip */
#define MEMTRACE_KSYM_ORC		7	/* __start_orc_unwind: its entries */
#define MEMTRACE_KSYM_MAX		8
/* The first this many are 8-byte variables whose values are read too */
#define MEMTRACE_KSYM_NR_BASES		3

/**
 * struct memtrace_event - one allocator event
 * @ts_ns:	bpf_ktime_get_ns()
 * @type:	MEMTRACE_EV_*
 * @tgid:	process (thread group) id of the allocating task
 * @cpu:	CPU the event fired on
 * @node:	NUMA node requested, or MEMTRACE_NO_NODE
 * @call_site:	caller's return address (kmem events, vmalloc's caller)
 * @addr:	kernel virtual address (ptr); 0 for page events
 * @bytes_req:	bytes requested (vmap area: size with guard page)
 * @bytes_alloc: bytes the allocator handed out (page events: 4096 << order;
 *		vmalloc: nr_pages * 4096)
 * @gfp:	gfp_t flags
 * @pfn:	page frame number when MEMTRACE_F_PFN: direct-map address
 *		(addr - page_offset_base) >> 12, page events from struct page,
 *		vmalloc: the first page
 * @order:	page order (page events, vmalloc's vm_struct page_order)
 * @flags:	MEMTRACE_F_*
 * @nr_pages:	vmalloc: pages in the area (its PFNs follow in
 *		MEMTRACE_EV_VMALLOC_PAGES records, sent BEFORE this record)
 * @stack_id:	the kernel stack in the "agg_stack_map" map (record_stacks:
 *		page allocations, or every allocation with stacks on), or
 *		MEMTRACE_NO_STACK
 */
struct memtrace_event {
	__u64 ts_ns;
	__u32 type;
	__u32 tgid;
	__u32 cpu;
	__u32 node;
	__u64 call_site;
	__u64 addr;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 gfp;
	__u64 pfn;
	__u32 order;
	__u32 flags;
	__u32 nr_pages;
	__u32 stack_id;
};

#define MEMTRACE_NO_STACK	0xffffffffU

/**
 * struct memtrace_rec - a slab or page event in memtrace record's per-CPU
 * rings and file: struct memtrace_event's fields these events fill, in 64
 * bytes rather than 88 (under TCG the reader's file costs per byte)
 * @ts_ns, @tgid, @call_site, @addr, @pfn, @bytes_req, @gfp, @stack_id:
 *		as in struct memtrace_event
 * @type, @flags, @order: as there, in a byte each (MEMTRACE_EV_* and
 *		MEMTRACE_F_* fit; page orders are at most 10)
 * @bytes_alloc: as there (a slab object or a page block is at most 4 MiB);
 *		0xffffffff: it did not fit (a failed kmalloc of more), and @pfn
 *		holds it (a failed allocation has no PFN)
 * @cpu:	as there (x86-64 has at most 8192 CPUs)
 * @node:	as there (at most 1024 nodes); MEMTRACE_REC_NO_NODE: none
 *
 * tool/lib/rings.c reads them in place; tool/record turns each back into
 * a struct memtrace_event (record__expand()).
 */
struct memtrace_rec {
	__u64 ts_ns;
	__u8 type;
	__u8 flags;
	__u8 order;
	__u8 pad;
	__u32 tgid;
	__u64 call_site;
	__u64 addr;
	__u64 pfn;
	__u64 bytes_req;
	__u32 bytes_alloc;
	__u32 gfp;
	__u16 cpu;
	__u16 node;
	__u32 stack_id;
};

#define MEMTRACE_REC_NO_NODE	0xffffU

/**
 * struct memtrace_pages - PFNs of one vmalloc area, MEMTRACE_PFNS_PER_CHUNK at a time
 * @ts_ns, @type, @tgid: as in struct memtrace_event (type MEMTRACE_EV_VMALLOC_PAGES)
 * @addr:	the vmalloc address the pages belong to
 * @first_index: index in vm_struct->pages[] of pfns[0]
 * @count:	valid entries in @pfns
 */
struct memtrace_pages {
	__u64 ts_ns;
	__u32 type;
	__u32 tgid;
	__u64 addr;
	__u32 first_index;
	__u32 count;
	__u64 pfns[MEMTRACE_PFNS_PER_CHUNK];
};

/*
 * The BPF page-table walk (opt-in, walk_pages): pages per
 * MEMTRACE_EV_WALK_PAGES record, and the most pages walked per allocation
 * (64 MiB of 4 KiB pages, 32 records, at most 5 reads per page); the pages
 * beyond are not walked and counted in MEMTRACE_CNT_WALK_TRUNCATED.
 */
#define MEMTRACE_WALK_PER_CHUNK		512
#define MEMTRACE_WALK_MAX_PAGES		(1U << 14)

/* memtrace_walk.level[]: MEMALLOC_LEVEL_* numbering */
#define MEMTRACE_LEVEL_NONE	0	/* not mapped: a level not present */
#define MEMTRACE_LEVEL_PTE	1	/* 4K */
#define MEMTRACE_LEVEL_PMD	2	/* 2M leaf (PSE) */
#define MEMTRACE_LEVEL_PUD	3	/* 1G leaf (PSE) */

/**
 * struct memtrace_walk - the BPF program's own walk of the kernel page
 * tables (from init_top_pgt, through the direct map) for the pages of one
 * traced allocation, MEMTRACE_WALK_PER_CHUNK at a time
 * @ts_ns, @type, @tgid: as in struct memtrace_event (MEMTRACE_EV_WALK_PAGES);
 *		every chunk of one walk has the same @ts_ns
 * @addr:	page-aligned virtual address of page 0 of the allocation
 * @first_index: index (from @addr, in 4 KiB pages) of pfn[0]
 * @count:	valid entries in @pfn and @level
 * @pfn:	frame mapping @addr + (first_index + i) * 4096 (a huge leaf's
 *		frame plus the page's offset in it); ~0 when not mapped
 * @level:	MEMTRACE_LEVEL_*
 */
struct memtrace_walk {
	__u64 ts_ns;
	__u32 type;
	__u32 tgid;
	__u64 addr;
	__u32 first_index;
	__u32 count;
	__u64 pfn[MEMTRACE_WALK_PER_CHUNK];
	__u8 level[MEMTRACE_WALK_PER_CHUNK];
};

/*
 * In-kernel aggregation (memtrace top): instead of a record per event, one
 * row per caller and allocator kind (numbered by the hash "agg_row_ids",
 * counted in the per-CPU array "agg_rows"),
 * counters only.  A row's kind is the allocation event's type:
 * MEMTRACE_EV_KMALLOC, _KMEM_CACHE_ALLOC, _PAGE_ALLOC or _VMALLOC.
 */
#define MEMTRACE_AGG_ZONES	16	/* zone table entries (node x zone) */
#define MEMTRACE_AGG_ORDERS	11	/* page orders 0..9, and 10 or more */
#define MEMTRACE_AGG_LEVELS	4	/* MEMTRACE_LEVEL_*: unmapped, 4K, 2M, 1G */
#define MEMTRACE_AGG_STACK_DEPTH 32	/* frames kept per stack, at most */
/*
 * Frames taken when a stack only names a page allocation's caller: the
 * unwinding costs per frame, and the caller is within the first few
 * (the program, bpf_trace_run, the page allocator's 2 to 4, the caller)
 */
#define MEMTRACE_CALLER_STACK_DEPTH 12
#define MEMTRACE_AGG_NO_STACK	(-1)

/*
 * memtrace's own unwinder for a page allocation's caller (bpf/unwind.bpf.h):
 * the kernel's ORC data for the page allocator and the tracepoint's glue,
 * copied by the loader (tool/trace/unwind.c) into the array "unwind_table",
 * sorted by address.  An entry holds from its @ip to the next entry's.
 */
#define MEMTRACE_UNWIND_OUT	0	/* neither: the first such frame is the caller */
#define MEMTRACE_UNWIND_GLUE	1	/* between the BPF program and the tracepoint */
#define MEMTRACE_UNWIND_ALLOC	2	/* the page allocator */
#define MEMTRACE_UNWIND_SLOW	3	/* a frame only the kernel's unwinder steps */
#define MEMTRACE_UNWIND_MAX_FRAMES 16	/* glue and allocator frames, at most */
#define MEMTRACE_UNWIND_MAX_LOG2 17	/* the table: 1 << 17 entries at most */

/**
 * struct memtrace_unwind_entry - how to step out of a frame at @ip
 * @ip:		the first address it holds for
 * @sp_offset:	the caller's stack pointer is the frame's plus this (the
 *		return address is 8 bytes below it)
 * @kind:	MEMTRACE_UNWIND_*
 */
struct memtrace_unwind_entry {
	__u64 ip;
	__s32 sp_offset;
	__u32 kind;
};

/**
 * struct memtrace_agg_range - one zone of the zone table, set before load
 * @start_pfn, @end_pfn: the zone's span [start, end); end 0: an unused entry
 */
struct memtrace_agg_range {
	__u64 start_pfn;
	__u64 end_pfn;
};

/**
 * struct memtrace_agg_key - a row: who allocated, with which allocator
 * @call_site:	the caller's return address (kmem, vmalloc); 0 when the
 *		caller is known only from the stack (page allocations)
 * @stack_id:	the kernel stack in the "agg_stacks" map (page allocations,
 *		every row with stacks on); MEMTRACE_AGG_NO_STACK otherwise or
 *		when the stack could not be taken
 * @kind:	MEMTRACE_EV_KMALLOC, _KMEM_CACHE_ALLOC, _PAGE_ALLOC, _VMALLOC
 */
struct memtrace_agg_key {
	__u64 call_site;
	__s32 stack_id;
	__u32 kind;
};

/**
 * struct memtrace_agg - a row's counters since the tracer started (per CPU;
 * the reader sums the CPUs and takes differences between two reads)
 * @allocs:	allocations that succeeded
 * @failed:	allocations that failed (NULL)
 * @frees:	frees of allocations counted in @allocs
 * @bytes_req:	bytes requested
 * @bytes_alloc: bytes handed out (slab object size, 4096 << order, vmalloc
 *		pages * 4096)
 * @bytes_freed: @bytes_alloc of the allocations freed
 * @zone_pages:	4 KiB pages per entry of the zone table; the last entry:
 *		pages in no zone of the table.  A slab object counts each page
 *		it spans (small objects sharing a page each count it)
 * @level_pages: the same pages by the page size that maps them
 *		(MEMTRACE_LEVEL_*; NONE: not mapped or not walked)
 * @orders:	page allocations (and huge vmalloc areas) by order
 */
struct memtrace_agg {
	__u64 allocs;
	__u64 failed;
	__u64 frees;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 bytes_freed;
	__u64 zone_pages[MEMTRACE_AGG_ZONES + 1];
	__u64 level_pages[MEMTRACE_AGG_LEVELS];
	__u64 orders[MEMTRACE_AGG_ORDERS];
};

/**
 * struct memtrace_agg_row - a row in the per-CPU array "agg_rows" (by the
 * number "agg_row_ids" gives its key)
 * @key:	the row's key, on each CPU that counted in it (the CPU's row
 *		cache checks it); zero on the others
 * @c:		the counters on this CPU
 */
struct memtrace_agg_row {
	struct memtrace_agg_key key;
	struct memtrace_agg c;
};

/*
 * memtrace record's per-CPU rings (memtrace.bpf.c, ring_slots): slab and
 * page events written in place, each CPU's in its own ring per nesting
 * level (a task's event, an interrupt's inside it, one more inside that),
 * so that each ring has one writer at a time and needs no lock; read in
 * place by the tool (tool/trace/rings.c), which merges them by time.
 */
#define MEMTRACE_RING_LEVELS	3
/* Levels 1 and 2 each have level 0's records >> this (nested events are few) */
#define MEMTRACE_RING_NESTED_SHIFT	3

/**
 * struct memtrace_ring_ctl - one CPU's rings: where BPF writes, the reader reads
 * @depth:	BPF programs writing a record on this CPU now (a level each);
 *		0: none, so every record of this CPU stamped before was published
 * @head:	records published per level (written by BPF only)
 * @base:	per level, the index in ring_events of the ring's first record
 * @slots:	per level, the ring's records (a power of 2)
 * @tail:	records read per level (written by the reader only)
 *
 * Level 0 has ring_slots records, levels 1 and 2 an eighth of that each.
 * The reader lays the rings out (tool/lib/rings.c) and writes @base and
 * @slots before the programs attach: BPF reads a ring's place, it does not
 * compute it (0 slots: every record counted as a drop).
 */
struct memtrace_ring_ctl {
	__u64 depth;
	__u64 head[MEMTRACE_RING_LEVELS];
	__u32 base[MEMTRACE_RING_LEVELS];
	__u32 slots[MEMTRACE_RING_LEVELS];
	__u64 pad0;
	__u64 tail[MEMTRACE_RING_LEVELS];
	__u64 pad1[5];
};

/* Indices of the per-CPU "counters" map */
#define MEMTRACE_CNT_DROPS	0	/* ring-buffer reserve failures, full rings */
#define MEMTRACE_CNT_TRUNCATED	1	/* vmalloc areas with an incomplete page list */
#define MEMTRACE_CNT_WALK_TRUNCATED 2	/* allocations not walked in full by BPF */
#define MEMTRACE_CNT_ROWS_FULL	3	/* aggregation: events lost, the row map full */
#define MEMTRACE_CNT_LIVE_FULL	4	/* aggregation: allocations whose free cannot be
					 * matched, the live map full */
#define MEMTRACE_CNT_STACK_LOST	5	/* aggregation: stacks not taken (map full) */
#define MEMTRACE_CNT_UNWIND_SLOW 6	/* page callers memtrace's unwinder left to the
					 * kernel's (a frame it cannot step) */
#define MEMTRACE_CNT_MAX	7

/**
 * struct memtrace_counters - what the tracer saw and lost, for every report
 * @events:	records received, indexed by MEMTRACE_EV_*
 * @drops:	records lost: ring-buffer reservations that failed (all CPUs)
 * @recursion_misses: program runs the kernel skipped to avoid recursion,
 *		summed over the programs (bpf_prog_info.recursion_misses)
 * @truncated:	vmalloc areas whose page list was not sent in full
 * @walk_truncated: allocations whose BPF page-table walk was not sent in
 *		full (over MEMTRACE_WALK_MAX_PAGES, a chunk the ring buffer refused,
 *		or the per-CPU walk buffer taken by a nested program)
 * @rows_full:	aggregation: events not counted, the row map full
 * @live_full:	aggregation: allocations not in the live map (map full): their
 *		frees are not counted and live bytes are an upper bound
 * @stack_lost:	aggregation: stacks not taken (stack map full or a collision);
 *		the event is counted in a row without a stack
 * @unwind_slow: page allocations whose caller memtrace's unwinder left to
 *		the kernel's stack (a frame it cannot step); not a loss
 *
 * Filled by the loader (tool/trace/tracer.c), read by the reports.
 */
struct memtrace_counters {
	__u64 events[MEMTRACE_EV_MAX];
	__u64 drops;
	__u64 recursion_misses;
	__u64 truncated;
	__u64 walk_truncated;
	__u64 rows_full;
	__u64 live_full;
	__u64 stack_lost;
	__u64 unwind_slow;
};

#endif /* __BPF_MEMTRACE_H */
