/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the table memtrace's own unwinder steps through to find a page
 * allocation's caller (bpf/unwind.bpf.h), made from the kernel's ORC data.
 * Pure C: the loader (tool/trace/unwind.c) reads the kernel's ORC arrays
 * from /proc/kcore and its function bounds from /proc/kallsyms.
 *
 * The kernel's ORC tables (arch/x86/include/asm/orc_types.h): an array of
 * 32-bit offsets, each relative to its own address, giving the sorted
 * instruction addresses at which a new entry holds; and an array of 6-byte
 * entries: s16 sp_offset, s16 bp_offset, then sp_reg:4, bp_reg:4 and the
 * type, whose width and values changed in 6.4 (ORC_TYPE_UNDEFINED).
 */
#ifndef __MEMTRACE_ORC_H
#define __MEMTRACE_ORC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "bpf/memtrace.h"

#define ORC_ENTRY_SIZE	6
#define ORC_REG_SP	5	/* sp_reg: the frame's CFA is sp + sp_offset */

/* The bit layout of an entry's third 16-bit word */
enum orc_layout {
	ORC_LAYOUT_TYPE2,	/* before 6.4: type:2 (CALL 0), end:1 */
	ORC_LAYOUT_TYPE3,	/* 6.4 on: type:3 (UNDEFINED 0, END 1, CALL 2), signal:1 */
};

/*
 * The kind of a kernel function for the unwinder, by its name:
 * MEMTRACE_UNWIND_GLUE (mm_page_alloc's BPF glue: bpf_trace_run*,
 * __bpf_trace_mm_page_alloc, __traceiter_mm_page_alloc),
 * MEMTRACE_UNWIND_ALLOC (the page allocator), MEMTRACE_UNWIND_SLOW (a
 * return trampoline: kretprobe/rethook, fgraph's return_to_handler) or
 * MEMTRACE_UNWIND_OUT (a caller).
 */
__u32 orc__kind(const char *name);

/* A page allocator function (alloc_pages*, __get_free_pages, rmqueue...) */
bool orc__page_allocator(const char *name);

/*
 * An entry a call frame steps through with sp alone (type CALL, sp_reg SP,
 * not the end of the stack): true and its @sp_offset; false otherwise
 */
bool orc__decode(const unsigned char raw[ORC_ENTRY_SIZE], enum orc_layout l, __s16 *sp_offset);

/**
 * struct orc_fn - a function the table covers
 * @start, @end: its text [start, end)
 * @kind:	MEMTRACE_UNWIND_GLUE, _ALLOC or _SLOW
 */
struct orc_fn {
	__u64 start;
	__u64 end;
	__u32 kind;
};

/**
 * struct orc_fns - the functions the table covers, found symbol by symbol
 * @v, @n, @cap: the functions so far
 * @pend_addr, @pend_kind: one waiting for the next symbol's address (its
 *		end); kind MEMTRACE_UNWIND_OUT: none
 * @err:	-ENOMEM, or -EINVAL for symbols out of address order
 */
struct orc_fns {
	struct orc_fn *v;
	size_t n;
	size_t cap;
	__u64 pend_addr;
	__u32 pend_kind;
	int err;
};

/*
 * One text symbol of the kernel image, in address order (kallsyms' order);
 * a function ends where the next symbol starts, a return trampoline one
 * byte early (a return address there is looked up at the byte before).
 * The last symbol's function is left out: give the kernel's last symbol,
 * or stop before a function of the table.
 */
void orc__fns_add(struct orc_fns *f, __u64 addr, const char *name);

/**
 * orc__build() - the unwinder's table
 * @fns:	the functions, sorted by start, not overlapping
 * @ips:	the ORC addresses, sorted (already made absolute)
 * @ents:	their entries, ORC_ENTRY_SIZE bytes each
 * @n:		ORC entries
 * @out:	out: the table, malloc'ed: entry 0 holds from 0 (OUT); in each
 *		function, the ORC entry in force at its start and every one
 *		inside it, of the function's kind (MEMTRACE_UNWIND_SLOW where
 *		a call frame's sp alone cannot step it); OUT from its end; padded
 *		to a power of 2 with entries at ~0
 * @log2:	out: log2 of the table's length
 *
 * Return: 0, -ENOMEM, or -E2BIG past 1 << MEMTRACE_UNWIND_MAX_LOG2 entries.
 */
int orc__build(const struct orc_fn *fns, size_t nfns, const __u64 *ips,
	       const unsigned char *ents, size_t n, enum orc_layout l,
	       struct memtrace_unwind_entry **out, __u32 *log2);

/* The table's entry for @ip, as bpf/unwind.bpf.h finds it (for tests) */
const struct memtrace_unwind_entry *orc__find(const struct memtrace_unwind_entry *t,
					      __u32 log2, __u64 ip);

/*
 * Where /proc/kcore holds [addr, addr + len): @hdr, @len_hdr its first
 * bytes (the ELF header and program headers); the file offset, or -1 when
 * no PT_LOAD segment holds the whole range or the header is not an ELF64
 * one this reads.
 */
long long orc__kcore_offset(const unsigned char *hdr, size_t len_hdr, __u64 addr, __u64 len);

#endif /* __MEMTRACE_ORC_H */
