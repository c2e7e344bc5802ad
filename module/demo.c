// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: the teaching demo run at load time.  Prints the populated zones
 * of every online NUMA node, the direct-map ("kernel logical") base and the
 * vmalloc range as page numbers, then allocates one buffer with kmalloc and
 * one with vmalloc and prints, for each page, VPN -> PPN from the module's
 * own page-table walk, cross-checked with the kernel's helpers.  The buffers
 * stay allocated until unload, to be checked from outside.
 */
/*
 * The demo lines keep the format of the original teaching demo: no module
 * prefix; extra facts follow in parentheses.
 */
#define pr_fmt(fmt) fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "memalloc.h"

static void *demo_kbuf;
static void *demo_vbuf;

static void memalloc_demo_zones(void)
{
	int nid, i;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		pr_info("Memory Zones for NUMA Node %d:\n", nid);
		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];

			if (!populated_zone(zone))
				continue;
			pr_info("Zone %d - Start PPN: 0x%lx, End PPN: 0x%lx (%s, present %lu, managed %lu pages)\n",
				i, zone->zone_start_pfn, zone_end_pfn(zone),
				zone->name, zone->present_pages,
				zone_managed_pages(zone));
		}
	}
	pr_info("Kernel logical VPN: %016lx\n", PAGE_OFFSET >> PAGE_SHIFT);
	pr_info("Kernel virtual (VPN - VPN): %016lx - %016lx\n",
		VMALLOC_START >> PAGE_SHIFT, VMALLOC_END >> PAGE_SHIFT);
}

/* Print VPN -> PPN for every page of [buf, buf + size). */
static int memalloc_demo_pages(const char *what, void *buf, size_t size)
{
	unsigned long addr = (unsigned long)buf & PAGE_MASK;
	unsigned long end = (unsigned long)buf + size;
	int mismatches = 0;

	for (; addr < end; addr += PAGE_SIZE) {
		struct memalloc_map map;
		u64 helper = memalloc_helper_pfn(addr);

		memalloc_follow_phys(addr, &map);
		pr_info("%s - VPN: %016lx -> PPN: %016llx (%s, %s PPN: %016llx)\n",
			what, addr >> PAGE_SHIFT, map.pfn,
			memalloc_level_name(map.level),
			is_vmalloc_addr((void *)addr) ? "vmalloc_to_pfn" :
							"virt_to_phys",
			helper);
		if (map.pfn != helper) {
			pr_err("memalloc: MISMATCH: %s VPN %016lx: walk PPN %016llx, kernel helper PPN %016llx\n",
			       what, addr >> PAGE_SHIFT, map.pfn, helper);
			mismatches++;
		}
	}
	return mismatches;
}

/**
 * memalloc_demo_init() - run the demo, unless demo=0
 *
 * Return: 0, -EINVAL for a size of 0, -ENOMEM if a buffer is not allocated.
 */
int memalloc_demo_init(void)
{
	if (!memalloc_demo)
		return 0;
	if (!memalloc_kmalloc_size || !memalloc_vmalloc_size) {
		pr_err("memalloc: kmalloc_size and vmalloc_size must be > 0\n");
		return -EINVAL;
	}

	memalloc_demo_zones();

	demo_kbuf = kmalloc(memalloc_kmalloc_size, GFP_KERNEL | __GFP_NOWARN);
	if (!demo_kbuf) {
		pr_err("memalloc: kmalloc(%lu) failed\n",
		       memalloc_kmalloc_size);
		return -ENOMEM;
	}
	demo_vbuf = vmalloc(memalloc_vmalloc_size);
	if (!demo_vbuf) {
		pr_err("memalloc: vmalloc(%lu) failed\n",
		       memalloc_vmalloc_size);
		kfree(demo_kbuf);
		demo_kbuf = NULL;
		return -ENOMEM;
	}

	memalloc_demo_pages("kmalloc", demo_kbuf, memalloc_kmalloc_size);
	memalloc_demo_pages("vmalloc", demo_vbuf, memalloc_vmalloc_size);
	return 0;
}

/**
 * memalloc_demo_holds() - whether [@start, @end) lies in the demo's vmalloc
 * buffer, which lives until the module unloads: its page tables cannot be
 * freed while the device runs, so VTOP and raw WALKs may read them, and a
 * student can translate the address the demo printed.
 * @start:	page-aligned start
 * @end:	end, excluded
 */
bool memalloc_demo_holds(unsigned long start, unsigned long end)
{
	unsigned long a = (unsigned long)demo_vbuf;

	return demo_vbuf && start >= a && end <= a + PAGE_ALIGN(memalloc_vmalloc_size);
}

/**
 * memalloc_demo_exit() - free the demo's buffers
 */
void memalloc_demo_exit(void)
{
	vfree(demo_vbuf);
	kfree(demo_kbuf);
}
