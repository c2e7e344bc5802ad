/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the loader of the page-caller unwinder's table (lib/orc.h,
 * bpf/unwind.bpf.h): the kernel's ORC arrays from /proc/kcore, the page
 * allocator's and the tracepoint glue's bounds from /proc/kallsyms.
 */
#ifndef __MEMTRACE_UNWIND_H
#define __MEMTRACE_UNWIND_H

#include <linux/types.h>
#include "bpf/memtrace.h"

struct btf;
struct ksyms;

/**
 * unwind__load() - the table for this kernel
 * @btf:	the kernel's BTF (struct orc_entry's layout)
 * @ks:		the kernel's symbols, or NULL: read from /proc/kallsyms
 * @ksym_addrs:	MEMTRACE_KSYM_* addresses (the ORC arrays')
 * @t:		out: the table, malloc'ed
 * @log2:	out: log2 of its length
 *
 * Return: 0, or -errno when this kernel has no usable ORC data (no ORC
 * symbols, an unknown layout, /proc/kcore closed by lockdown): the tracer
 * then takes the kernel's stacks, and says why with -v.
 */
int unwind__load(const struct btf *btf, const struct ksyms *ks, const __u64 *ksym_addrs,
		 struct memtrace_unwind_entry **t, __u32 *log2);

#endif /* __MEMTRACE_UNWIND_H */
