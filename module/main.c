// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: a kernel-memory study module.  This file holds every module
 * parameter and the load and unload order: the zone and mapping demo
 * (demo.c), the debugfs view (debugfs.c), then /dev/memalloc (dev.c),
 * through which userspace allocates (alloc.c), walks (walk.c), benches
 * (bench.c) and frees.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "memalloc.h"

/*
 * As lib/test_vmalloc.c's __param, with a permission: the parameter @name
 * lives in memalloc_<name>, declared in memalloc.h for the other files.
 */
#define __param(type, name, init, perm, msg)			\
	type memalloc_##name = init;				\
	module_param_named(name, memalloc_##name, type, perm);	\
	MODULE_PARM_DESC(name, msg)

/* Limits of /dev/memalloc (alloc.c), writable at run time. */
__param(ulong, max_bytes, 0, 0644,
	"Bytes all open files may hold at once (default: half of RAM)");
__param(uint, max_count, 65536, 0644,
	"Allocations all open files may hold at once (default: 65536)");

/* The load-time demo (demo.c). */
__param(bool, demo, true, 0444,
	"Run the zone and mapping demo at load time (default: 1)");
__param(ulong, kmalloc_size, 4 * PAGE_SIZE, 0444,
	"Bytes the demo allocates with kmalloc (default: 4 pages)");
__param(ulong, vmalloc_size, 4 * PAGE_SIZE, 0444,
	"Bytes the demo allocates with vmalloc (default: 4 pages)");

static int __init memalloc_init(void)
{
	int ret;

	if (!memalloc_max_bytes)
		memalloc_max_bytes = (totalram_pages() << PAGE_SHIFT) / 2;

	ret = memalloc_demo_init();
	if (ret)
		return ret;
	memalloc_debugfs_init();
	/* The device last: once registered it can be opened. */
	ret = memalloc_dev_init();
	if (ret)
		goto out_remove_debugfs;
	return 0;

out_remove_debugfs:
	memalloc_debugfs_exit();
	memalloc_demo_exit();
	return ret;
}

static void __exit memalloc_exit(void)
{
	memalloc_dev_exit();
	memalloc_debugfs_exit();
	/* No file is open any more: nothing uses a cache. */
	memalloc_destroy_caches();
	memalloc_demo_exit();
}

module_init(memalloc_init);
module_exit(memalloc_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("memtrace developers");
MODULE_DESCRIPTION("Kernel memory study: zones, allocations and page-table walks");
