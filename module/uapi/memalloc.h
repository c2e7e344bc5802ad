/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * memalloc: the userspace ABI of memalloc.ko, shared by the module and the
 * memtrace tool.  /dev/memalloc (mode 0600, CAP_SYS_ADMIN: it reveals
 * physical addresses, which defeat KASLR) takes the ioctls below.
 *
 * Fixed-size fields, natural alignment, no implicit padding, pointers as
 * __u64; every reserved field and unknown flag must be 0 (-EINVAL).  The ABI
 * evolves by new ioctl numbers, never by changing a structure.
 */
#ifndef _UAPI_MEMALLOC_H
#define _UAPI_MEMALLOC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MEMALLOC_DEVICE		"/dev/memalloc"
#define MEMALLOC_IOC_MAGIC	0xB7	/* nsfs uses 0xB7 0x01-0x04 only */

/* Allocators (struct memalloc_alloc.kind) */
#define MEMALLOC_KIND_KMALLOC		1	/* kmalloc(), kmalloc_node() */
#define MEMALLOC_KIND_KZALLOC		2	/* kzalloc(), kzalloc_node() */
#define MEMALLOC_KIND_VMALLOC		3	/* vmalloc(), vmalloc_node() */
#define MEMALLOC_KIND_VZALLOC		4	/* vzalloc(), vzalloc_node() */
#define MEMALLOC_KIND_KVMALLOC		5	/* kvmalloc(), kvmalloc_node() */
#define MEMALLOC_KIND_ALLOC_PAGES	6	/* alloc_pages(get_order(size)) */
#define MEMALLOC_KIND_KMEM_CACHE	7	/* a kmem_cache of objects of size
						 * (up to KMALLOC_MAX_CACHE_SIZE) */
#define MEMALLOC_KIND_MAX		7

/* struct memalloc_alloc.flags, struct memalloc_bench.flags */
#define MEMALLOC_F_NODE		(1U << 0)	/* use .node: the _node variant */

/* Level of the page-table entry that maps a page (struct memalloc_pte.level) */
#define MEMALLOC_LEVEL_NONE	0	/* not mapped */
#define MEMALLOC_LEVEL_PTE	1	/* 4K page */
#define MEMALLOC_LEVEL_PMD	2	/* 2M page */
#define MEMALLOC_LEVEL_PUD	3	/* 1G page */

/* Flags of a mapping (struct memalloc_pte.flags); RW, USER and NX are the
 * effective permissions over all levels, the others those of the leaf. */
#define MEMALLOC_PTE_PRESENT	(1U << 0)
#define MEMALLOC_PTE_RW		(1U << 1)
#define MEMALLOC_PTE_USER	(1U << 2)
#define MEMALLOC_PTE_ACCESSED	(1U << 3)
#define MEMALLOC_PTE_DIRTY	(1U << 4)
#define MEMALLOC_PTE_GLOBAL	(1U << 5)
#define MEMALLOC_PTE_NX		(1U << 6)

/*
 * Names, one spelling for the module's debugfs view and for memtrace.  A
 * level is named by the page size its leaf maps; the flags are spelled as
 * ptdump spells them (arch/x86/mm/dump_pagetables.c: "USR", "RW"/"ro",
 * "GLB", "NX"/"x"), with the accessed and dirty bits named as the SDM names
 * them ("A", "D"); allocators by their kernel function.  Use:
 * printf("%s", names[level]) after
 * `static const char *const names[] = MEMALLOC_LEVEL_NAMES;`, and
 * printf(MEMALLOC_PTE_FLAGS_FMT, MEMALLOC_PTE_FLAGS_ARGS(flags)), at most
 * MEMALLOC_PTE_FLAGS_LEN bytes with the NUL ("USR RW GLB NX A D").
 */
#define MEMALLOC_KIND_NAMES	{					\
	[MEMALLOC_KIND_KMALLOC] = "kmalloc",				\
	[MEMALLOC_KIND_KZALLOC] = "kzalloc",				\
	[MEMALLOC_KIND_VMALLOC] = "vmalloc",				\
	[MEMALLOC_KIND_VZALLOC] = "vzalloc",				\
	[MEMALLOC_KIND_KVMALLOC] = "kvmalloc",				\
	[MEMALLOC_KIND_ALLOC_PAGES] = "alloc_pages",			\
	[MEMALLOC_KIND_KMEM_CACHE] = "kmem_cache",			\
}
#define MEMALLOC_NR_LEVELS	4
#define MEMALLOC_LEVEL_NAMES	{ "unmapped", "4K", "2M", "1G" }
#define MEMALLOC_PTE_FLAGS_LEN	18
#define MEMALLOC_PTE_FLAGS_FMT	"%s%s%s %s%s%s"
#define MEMALLOC_PTE_FLAGS_ARGS(f)				\
	((f) & MEMALLOC_PTE_USER) ? "USR " : "",		\
	((f) & MEMALLOC_PTE_RW) ? "RW" : "ro",			\
	((f) & MEMALLOC_PTE_GLOBAL) ? " GLB" : "",		\
	((f) & MEMALLOC_PTE_NX) ? "NX" : "x",			\
	((f) & MEMALLOC_PTE_ACCESSED) ? " A" : "",		\
	((f) & MEMALLOC_PTE_DIRTY) ? " D" : ""

/**
 * struct memalloc_zone - one populated zone of one online node
 * @node:		NUMA node id
 * @zone:		index in the node (ZONE_DMA = 0, ZONE_DMA32, ZONE_NORMAL, ...)
 * @name:		"DMA", "DMA32", "Normal", "Movable", NUL-terminated
 * @start_pfn:		first frame of the span
 * @end_pfn:		first frame after the span
 * @present_pages:	frames of RAM in the span
 * @managed_pages:	frames the page allocator manages
 */
struct memalloc_zone {
	__u32 node;
	__u32 zone;
	char name[16];
	__u64 start_pfn;
	__u64 end_pfn;
	__u64 present_pages;
	__u64 managed_pages;
};

#define MEMALLOC_MAX_ZONES	64

/**
 * struct memalloc_info - MEMALLOC_IOC_INFO: the kernel's memory layout
 * @page_size:		PAGE_SIZE
 * @levels:		paging levels (4 or 5)
 * @page_offset:	PAGE_OFFSET, base of the direct map
 * @vmalloc_start:	VMALLOC_START
 * @vmalloc_end:	VMALLOC_END (inclusive)
 * @vmemmap_base:	address of the struct page of frame 0
 * @kmalloc_max_size:	KMALLOC_MAX_SIZE, the largest kmalloc
 * @max_order:		the largest alloc_pages order
 * @nr_zones:		entries used in @zones
 * @limit_bytes:	module limit on the bytes held at once
 * @limit_count:	module limit on the allocations held at once
 * @nr_nodes:		online nodes
 * @held_bytes:		bytes all open files hold now (charged sizes)
 * @held_count:		allocations all open files hold now
 * @reserved:		0
 * @zones:		populated zones of every online node
 */
struct memalloc_info {
	__u32 page_size;
	__u32 levels;
	__u64 page_offset;
	__u64 vmalloc_start;
	__u64 vmalloc_end;
	__u64 vmemmap_base;
	__u64 kmalloc_max_size;
	__u32 max_order;
	__u32 nr_zones;
	__u64 limit_bytes;
	__u32 limit_count;
	__u32 nr_nodes;
	__u64 held_bytes;
	__u32 held_count;
	__u32 reserved;
	struct memalloc_zone zones[MEMALLOC_MAX_ZONES];
};

/**
 * struct memalloc_alloc - MEMALLOC_IOC_ALLOC: allocate and hold a buffer
 * @kind:	MEMALLOC_KIND_*
 * @flags:	MEMALLOC_F_*
 * @size:	bytes requested (alloc_pages: rounded up to a power-of-two
 *		number of pages)
 * @node:	NUMA node, with MEMALLOC_F_NODE
 * @reserved:	0
 * @handle:	out: id for WALK and FREE, valid on this open file only
 * @addr:	out: kernel virtual address (deliberately exposed: study kit)
 * @size_alloc:	out: bytes actually reserved (ksize, page multiple, ...)
 * @latency_ns:	out: time the allocator call took
 */
struct memalloc_alloc {
	__u32 kind;
	__u32 flags;
	__u64 size;
	__u32 node;
	__u32 reserved;
	__u64 handle;
	__u64 addr;
	__u64 size_alloc;
	__u64 latency_ns;
};

/**
 * struct memalloc_pte - how one page is mapped
 * @addr:	virtual address of the page
 * @pfn:	frame from the module's own page-table walk, ~0 if unmapped
 * @helper_pfn:	frame from the kernel's helper (vmalloc_to_pfn,
 *		virt_to_phys, lookup_address), ~0 if it says unmapped
 * @entry:	raw value of the leaf entry
 * @level:	MEMALLOC_LEVEL_*
 * @flags:	MEMALLOC_PTE_*
 */
struct memalloc_pte {
	__u64 addr;
	__u64 pfn;
	__u64 helper_pfn;
	__u64 entry;
	__u32 level;
	__u32 flags;
};

/**
 * struct memalloc_walk - MEMALLOC_IOC_WALK: walk the pages of a range
 * @handle:	an allocation of this file, or 0 for the raw range below
 * @addr:	with handle 0: start of a kernel virtual range
 * @size:	with handle 0: its length in bytes (at most
 *		%MEMALLOC_WALK_MAX_BYTES).  In the vmalloc area a raw range must
 *		lie inside an allocation the device holds (-EINVAL otherwise):
 *		the kernel changes and frees vmalloc page tables under locks a
 *		module cannot take.  Elsewhere (direct map, kernel image,
 *		modules, fixmap) any range may be walked.
 * @entries:	user pointer to struct memalloc_pte[@nr_entries]
 * @nr_entries:	in: capacity of @entries; out: entries filled
 * @nr_pages:	out: pages in the range (> @nr_entries: buffer too small)
 * @flags:	0
 * @reserved:	0
 */
struct memalloc_walk {
	__u64 handle;
	__u64 addr;
	__u64 size;
	__u64 entries;
	__u32 nr_entries;
	__u32 nr_pages;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct memalloc_free - MEMALLOC_IOC_FREE
 * @handle:	as returned by ALLOC
 * @latency_ns:	out: time the free call took
 */
struct memalloc_free {
	__u64 handle;
	__u64 latency_ns;
};

/* Statistics of one timed operation over the iterations of a bench */
struct memalloc_stat {
	__u64 min_ns;
	__u64 median_ns;
	__u64 p99_ns;
	__u64 max_ns;
};

/**
 * struct memalloc_bench - MEMALLOC_IOC_BENCH: time alloc+free in the kernel
 * @kind, @flags, @size, @node:	as for ALLOC
 * @iterations:	alloc+free pairs (1 to %MEMALLOC_BENCH_MAX_ITER), and
 *		@iterations x @size at most %MEMALLOC_BENCH_MAX_BYTES (-E2BIG):
 *		under emulation a larger BENCH would run for minutes
 * @failures:	out: iterations whose allocation failed
 * @alloc:	out: allocation latency
 * @free:	out: free latency
 * @touch_lines: out: cache lines in one buffer (64-byte lines)
 * @touch_pages: out: pages in one buffer
 * @seq_line_ns: out: one write to every line, in order (median of 5 passes)
 * @rand_line_ns: out: the same in a pseudo-random order
 * @seq_page_ns: out: one write to every page, in order
 * @rand_page_ns: out: the same in a pseudo-random order
 *
 * Touch passes run on one extra buffer after a warm-up pass; divide by
 * @touch_lines or @touch_pages for the cost of one access.
 */
struct memalloc_bench {
	__u32 kind;
	__u32 flags;
	__u64 size;
	__u32 node;
	__u32 iterations;
	__u32 failures;
	__u32 reserved;
	struct memalloc_stat alloc;
	struct memalloc_stat free;
	__u64 touch_lines;
	__u64 touch_pages;
	__u64 seq_line_ns;
	__u64 rand_line_ns;
	__u64 seq_page_ns;
	__u64 rand_page_ns;
};

/**
 * struct memalloc_bench_loop - MEMALLOC_IOC_BENCH_LOOP: alloc+free, timed as
 * a whole (the workload of `make bench`, whose tracers add cost per event)
 * @kind, @flags, @size, @node, @iterations: as for BENCH (the same limits)
 * @failures:	out: iterations whose allocation failed
 * @reserved:	must be 0
 * @loop_ns:	out: the whole loop, one clock read before and one after
 *
 * Unlike BENCH, nothing is timed per iteration, sorted or touched: the loop
 * is the allocation, the free and a cond_resched() per iteration, so the
 * cost a tracer adds to each event is not hidden by the bench's own work.
 */
struct memalloc_bench_loop {
	__u32 kind;
	__u32 flags;
	__u64 size;
	__u32 node;
	__u32 iterations;
	__u32 failures;
	__u32 reserved;
	__u64 loop_ns;
};

/* Page tables, top first (struct memalloc_vtop_level.table): ptdump's names */
#define MEMALLOC_TABLE_PGD	0
#define MEMALLOC_TABLE_P4D	1	/* only with 5-level paging */
#define MEMALLOC_TABLE_PUD	2
#define MEMALLOC_TABLE_PMD	3
#define MEMALLOC_TABLE_PTE	4
#define MEMALLOC_TABLE_NAMES	{ "pgd", "p4d", "pud", "pmd", "pte" }
#define MEMALLOC_VTOP_MAX_LEVELS	5

/* Where a translation stopped (struct memalloc_vtop.stop) */
#define MEMALLOC_STOP_LEAF		0	/* a leaf maps it: translated */
#define MEMALLOC_STOP_NOT_PRESENT	1	/* the last entry read is not present */
#define MEMALLOC_STOP_NONCANONICAL	2	/* no table is consulted */
#define MEMALLOC_STOP_UNREADABLE	3	/* a table could not be read */
#define MEMALLOC_STOP_NAMES	{ "leaf", "not present", "non-canonical", \
				  "unreadable table" }

/* The region of the kernel's layout an address lies in (.region) */
#define MEMALLOC_REGION_OTHER		0
#define MEMALLOC_REGION_USER		1
#define MEMALLOC_REGION_NONCANONICAL	2
#define MEMALLOC_REGION_DIRECT_MAP	3
#define MEMALLOC_REGION_VMALLOC		4
#define MEMALLOC_REGION_VMEMMAP		5
#define MEMALLOC_REGION_KERNEL_TEXT	6	/* the kernel image */
#define MEMALLOC_REGION_MODULES		7
#define MEMALLOC_REGION_FIXMAP		8
#define MEMALLOC_REGION_CPU_ENTRY_AREA	9
#define MEMALLOC_REGION_NAMES	{ "other", "user", "non-canonical",	\
				  "direct map", "vmalloc", "vmemmap",	\
				  "kernel image", "modules", "fixmap",	\
				  "cpu entry area" }

/**
 * struct memalloc_vtop_level - one table the translation consulted
 * @table_pa:	physical address of the table
 * @entry:	raw value of the entry read
 * @table:	MEMALLOC_TABLE_*
 * @index:	entry number in the table (the address bits of this level)
 * @shift:	lowest address bit of the index (39 for a 4-level pgd, ...)
 * @reserved:	0
 */
struct memalloc_vtop_level {
	__u64 table_pa;
	__u64 entry;
	__u32 table;
	__u32 index;
	__u32 shift;
	__u32 reserved;
};

/**
 * struct memalloc_vtop - MEMALLOC_IOC_VTOP: translate one address, level by level
 * @addr:	in: a kernel virtual address (in the vmalloc area: inside an
 *		allocation the device holds, as for a raw WALK)
 * @flags:	in: 0
 * @paging_levels: out: 4 or 5
 * @nr_levels:	out: entries of @levels read, top first
 * @stop:	out: MEMALLOC_STOP_*
 * @level:	out: MEMALLOC_LEVEL_* of the leaf (NONE unless @stop is LEAF)
 * @region:	out: MEMALLOC_REGION_*
 * @pte_flags:	out: MEMALLOC_PTE_* (effective over the levels)
 * @pa:		out: physical address, ~0 if not translated
 * @pfn:	out: its frame, ~0 if not translated
 * @helper_pfn:	out: the kernel's own answer where it has one, else ~0
 * @levels:	out: the tables consulted
 */
struct memalloc_vtop {
	__u64 addr;
	__u32 flags;
	__u32 paging_levels;
	__u32 nr_levels;
	__u32 stop;
	__u32 level;
	__u32 region;
	__u32 pte_flags;
	__u32 reserved;
	__u64 pa;
	__u64 pfn;
	__u64 helper_pfn;
	struct memalloc_vtop_level levels[MEMALLOC_VTOP_MAX_LEVELS];
};

#define MEMALLOC_BENCH_MAX_ITER		100000
#define MEMALLOC_BENCH_MAX_BYTES	(1ULL << 30)	/* iterations x size */
#define MEMALLOC_WALK_MAX_BYTES		(1ULL << 30)	/* a raw WALK's range */

#define MEMALLOC_IOC_INFO	_IOR(MEMALLOC_IOC_MAGIC, 0x40, struct memalloc_info)
#define MEMALLOC_IOC_ALLOC	_IOWR(MEMALLOC_IOC_MAGIC, 0x41, struct memalloc_alloc)
#define MEMALLOC_IOC_WALK	_IOWR(MEMALLOC_IOC_MAGIC, 0x42, struct memalloc_walk)
#define MEMALLOC_IOC_FREE	_IOWR(MEMALLOC_IOC_MAGIC, 0x43, struct memalloc_free)
#define MEMALLOC_IOC_BENCH	_IOWR(MEMALLOC_IOC_MAGIC, 0x44, struct memalloc_bench)
#define MEMALLOC_IOC_VTOP	_IOWR(MEMALLOC_IOC_MAGIC, 0x45, struct memalloc_vtop)
#define MEMALLOC_IOC_BENCH_LOOP	_IOWR(MEMALLOC_IOC_MAGIC, 0x46, struct memalloc_bench_loop)

#endif /* _UAPI_MEMALLOC_H */
