// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: a kernel-memory study module.  On load it runs the zone and
 * mapping demo (demo.c) and registers /dev/memalloc (dev.c), through which
 * userspace allocates, walks and frees; the page-table walker is walk.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "memalloc.h"

static int __init memalloc_init(void)
{
	int ret;

	/* The device last: once registered it can be opened. */
	ret = memalloc_demo_init();
	if (ret)
		return ret;
	ret = memalloc_dev_init();
	if (ret)
		memalloc_demo_exit();
	return ret;
}

static void __exit memalloc_exit(void)
{
	memalloc_dev_exit();
	memalloc_demo_exit();
}

module_init(memalloc_init);
module_exit(memalloc_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("memtrace developers");
MODULE_DESCRIPTION("Kernel memory study: zones, allocations and page-table walks");
