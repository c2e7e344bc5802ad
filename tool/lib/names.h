/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the names people read, each spelled once.  Allocator kinds
 * (MEMALLOC_KIND_*), mapping levels and flags (spelled in the uapi header,
 * ptdump's way, so that debugfs and memtrace agree) and tracer events
 * (MEMTRACE_EV_*).
 */
#ifndef __MEMTRACE_NAMES_H
#define __MEMTRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "memalloc.h"

/* The name of MEMALLOC_KIND_@kind ("kmalloc", ...), or "?" */
const char *kind__name(uint32_t kind);

/* MEMALLOC_KIND_* from its name, or -EINVAL */
int kind__from_name(const char *name);

/* "unmapped", "4K", "2M", "1G" for MEMALLOC_LEVEL_*, or "?" */
const char *level__name(uint32_t level);

/* MEMALLOC_PTE_* flags as "RW GLB NX A D" (ptdump's spelling) into @buf */
const char *pte_flags__format(uint32_t flags, char *buf, size_t len);

/* "pgd", "p4d", "pud", "pmd", "pte" for MEMALLOC_TABLE_*, or "?" */
const char *table__name(uint32_t table);

/* Why a translation stopped (MEMALLOC_STOP_*): "leaf", "not present", ... */
const char *stop__name(uint32_t stop);

/* The layout region of MEMALLOC_REGION_*: "direct map", "vmalloc", ... */
const char *region__name(uint32_t region);

/* The tracepoint or hook of MEMTRACE_EV_@type ("kmalloc", "mm_page_alloc", ...), or "-" */
const char *event__name(uint32_t type);

#endif /* __MEMTRACE_NAMES_H */
