// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: the debugfs view, memalloc/allocations.  For people, not for
 * programs: what every open file of /dev/memalloc holds, one line per
 * allocation, then how its first pages are mapped, with the level and flag
 * names of the uapi header (ptdump's spelling), e.g.
 * "  0xffffc90000a01000 -> pfn 0x5e80 4K RW GLB NX A D".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "memalloc.h"

#define MEMALLOC_DEBUGFS_PAGES	16	/* pages shown per allocation */

static struct dentry *memalloc_debugfs;

/* The first pages of @o, then a count of the others. */
static void memalloc_show_pages(struct seq_file *m, struct memalloc_obj *o)
{
	unsigned long addr = (unsigned long)o->addr & PAGE_MASK;
	unsigned long end = (unsigned long)o->addr + o->size_alloc;
	int shown = 0;

	for (; addr < end; addr += PAGE_SIZE) {
		struct memalloc_map map;

		if (shown++ == MEMALLOC_DEBUGFS_PAGES) {
			seq_printf(m, "  ... %lu more pages\n",
				   (PAGE_ALIGN(end) - addr) >> PAGE_SHIFT);
			break;
		}
		memalloc_follow_phys(addr, &map);
		seq_printf(m, "  0x%016lx -> pfn 0x%llx %s "
			   MEMALLOC_PTE_FLAGS_FMT "\n",
			   addr, map.pfn, memalloc_level_name(map.level),
			   MEMALLOC_PTE_FLAGS_ARGS(map.flags));
	}
}

static int memalloc_allocations_show(struct seq_file *m, void *v)
{
	struct memalloc_obj *o;
	unsigned long id;
	u64 bytes;
	u32 count;

	mutex_lock(&memalloc_lock);
	memalloc_held_locked(&bytes, &count);
	seq_printf(m, "# held: %u allocations, %llu bytes (limits %u, %lu)\n",
		   count, bytes, memalloc_max_count, memalloc_max_bytes);
	xa_for_each(&memalloc_objs, id, o) {
		seq_printf(m, "handle %lu %s size %zu alloc %zu node %d addr 0x%px\n",
			   id, memalloc_kind_name(o->kind), o->size,
			   o->size_alloc, o->nid, o->addr);
		memalloc_show_pages(m, o);
	}
	mutex_unlock(&memalloc_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memalloc_allocations);

/**
 * memalloc_debugfs_init() - create memalloc/allocations in debugfs
 *
 * A debugfs failure is not an error (the kernel's rule): the module works
 * without its view.
 */
void memalloc_debugfs_init(void)
{
	memalloc_debugfs = debugfs_create_dir("memalloc", NULL);
	debugfs_create_file("allocations", 0400, memalloc_debugfs, NULL,
			    &memalloc_allocations_fops);
}

/**
 * memalloc_debugfs_exit() - remove the debugfs view
 */
void memalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(memalloc_debugfs);
}
