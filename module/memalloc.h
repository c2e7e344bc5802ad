/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memalloc: module-internal declarations.  The userspace ABI lives in
 * uapi/memalloc.h.
 */
#ifndef _MEMALLOC_H
#define _MEMALLOC_H

#include <linux/types.h>
#include "uapi/memalloc.h"

/* Module parameters (main.c): the parameter "name" is memalloc_<name>. */
extern ulong memalloc_max_bytes;
extern uint memalloc_max_count;
extern bool memalloc_demo;
extern ulong memalloc_kmalloc_size;
extern ulong memalloc_vmalloc_size;

/**
 * struct memalloc_map - how the kernel page tables map one virtual address
 * @pfn:	page frame of the address (the 4K frame inside a huge page),
 *		or ULLONG_MAX when unmapped
 * @entry:	raw value of the entry that maps it (or stopped the walk)
 * @level:	MEMALLOC_LEVEL_*: PTE (4K), PMD (2M), PUD (1G) or NONE
 * @flags:	MEMALLOC_PTE_*
 */
struct memalloc_map {
	u64 pfn;
	u64 entry;
	u32 level;
	u32 flags;
};

/*
 * MAX_ORDER was exclusive until commit 23baf831a32c ("mm, treewide: redefine
 * MAX_ORDER sanely", 6.4) and is MAX_PAGE_ORDER since commit 5e0a760b4441
 * ("mm, treewide: rename MAX_ORDER to MAX_PAGE_ORDER", 6.8).
 */
#ifndef MAX_PAGE_ORDER
#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER	(MAX_ORDER - 1)
#else
#define MAX_PAGE_ORDER	MAX_ORDER
#endif
#endif

bool memalloc_follow_phys(unsigned long addr, struct memalloc_map *map);
u64 memalloc_helper_pfn(unsigned long addr);
const char *memalloc_level_name(u32 level);

int memalloc_dev_init(void);
void memalloc_dev_exit(void);
int memalloc_demo_init(void);
void memalloc_demo_exit(void);

#endif /* _MEMALLOC_H */
