/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memalloc: module-internal declarations, shared by the files of
 * memalloc.ko: the parameters (main.c), the allocator switch and limits
 * (alloc.c), the device and its table (dev.c), BENCH (bench.c), the
 * debugfs view (debugfs.c), the walker (walk.c) and the demo (demo.c).
 * The userspace ABI lives in uapi/memalloc.h.
 */
#ifndef _MEMALLOC_H
#define _MEMALLOC_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include "uapi/memalloc.h"

struct file;
struct kmem_cache;
struct page;

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

/* Module parameters (main.c): the parameter "name" is memalloc_<name>. */
extern ulong memalloc_max_bytes;
extern uint memalloc_max_count;
extern bool memalloc_demo;
extern ulong memalloc_kmalloc_size;
extern ulong memalloc_vmalloc_size;

/**
 * struct memalloc_obj - one allocation, held by an open file or by a BENCH
 * @node:	in the owner's memalloc_file.objs
 * @owner:	the open file that holds it (NULL for a BENCH buffer)
 * @handle:	its id in memalloc_objs, for WALK and FREE
 * @kind:	MEMALLOC_KIND_*
 * @nid:	NUMA node asked for, NUMA_NO_NODE unless MEMALLOC_F_NODE
 * @size:	bytes asked for
 * @size_alloc:	bytes actually reserved (ksize, page multiple, ...)
 * @charge:	bytes counted against max_bytes
 * @addr:	kernel virtual address
 * @page:	the first page, for alloc_pages
 * @cache:	the cache, for kmem_cache
 */
struct memalloc_obj {
	struct list_head node;
	struct file *owner;
	u64 handle;
	u32 kind;
	int nid;
	size_t size;
	size_t size_alloc;
	u64 charge;
	void *addr;
	struct page *page;
	struct kmem_cache *cache;
};

/* The node of a checked request: NUMA_NO_NODE unless it names one. */
static inline int memalloc_request_nid(u32 flags, u32 node)
{
	return (flags & MEMALLOC_F_NODE) ? (int)node : NUMA_NO_NODE;
}

/*
 * memalloc_lock protects memalloc_objs, every file's list of allocations
 * and the held bytes and count of alloc.c.  Allocator calls run outside it.
 */
extern struct mutex memalloc_lock;
extern struct xarray memalloc_objs;

/* alloc.c: allocators, kmem_cache registry, limits */
int memalloc_check_request(u32 kind, u32 flags, u64 size, u32 node,
			   u32 iterations);
int memalloc_admit(u32 kind, u32 flags, u64 size, u32 node, u32 iterations,
		   u64 max_work, u64 *charge);
const char *memalloc_kind_name(u32 kind);
void memalloc_obj_init(struct memalloc_obj *o, u32 kind, u32 flags,
		       u64 size, u32 node);
int memalloc_do_alloc(struct memalloc_obj *o);
void memalloc_do_free(struct memalloc_obj *o);
void memalloc_destroy_caches(void);
u64 memalloc_charge(u32 kind, u64 size);
int memalloc_reserve(u64 bytes);
void memalloc_unreserve(u64 bytes);
void memalloc_unreserve_locked(u64 bytes);
u64 memalloc_recharge_locked(u64 reserved, size_t size_alloc);
void memalloc_held_locked(u64 *bytes, u32 *count);

/* bench.c */
long memalloc_ioc_bench(void __user *uarg);
long memalloc_ioc_bench_loop(void __user *uarg);

/* dev.c */
int memalloc_dev_init(void);
void memalloc_dev_exit(void);

/* debugfs.c */
void memalloc_debugfs_init(void);
void memalloc_debugfs_exit(void);

/* demo.c */
int memalloc_demo_init(void);
void memalloc_demo_exit(void);
bool memalloc_demo_holds(unsigned long start, unsigned long end);

/* walk.c */

/**
 * struct memalloc_map - how the kernel page tables map one virtual address
 * @pfn:	page frame of the address (the 4K frame inside a huge page),
 *		or ULLONG_MAX when unmapped
 * @entry:	raw value of the entry that maps it (or stopped the walk)
 * @level:	MEMALLOC_LEVEL_*: PTE (4K), PMD (2M), PUD (1G) or NONE
 *		(unmapped)
 * @flags:	MEMALLOC_PTE_*
 */
struct memalloc_map {
	u64 pfn;
	u64 entry;
	u32 level;
	u32 flags;
};

bool memalloc_follow_phys(unsigned long addr, struct memalloc_map *map);
bool memalloc_translate(unsigned long addr, struct memalloc_map *map,
			struct memalloc_vtop *vt);
u32 memalloc_region(unsigned long addr);
u64 memalloc_helper_pfn(unsigned long addr);
const char *memalloc_level_name(u32 level);

#endif /* _MEMALLOC_H */
