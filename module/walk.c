// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: walk the kernel page tables by hand, pgd -> p4d -> pud -> pmd ->
 * pte, and find the frame, level and flags that map one virtual address;
 * name the levels; ask the kernel's own helpers for a frame, to compare.
 * init_mm is not exported, so the walk starts from the page table that CR3
 * holds: every process shares the kernel half of it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/vmalloc.h>
#include <asm/cpu_entry_area.h>
#include <asm/fixmap.h>
#include <asm/pgtable.h>

#include "memalloc.h"

/* Indexed by MEMALLOC_LEVEL_*: "unmapped", "4K", "2M", "1G". */
static const char *const memalloc_level_names[] = MEMALLOC_LEVEL_NAMES;
static_assert(ARRAY_SIZE(memalloc_level_names) == MEMALLOC_NR_LEVELS);
static_assert(MEMALLOC_LEVEL_PUD < MEMALLOC_NR_LEVELS);

/**
 * memalloc_level_name() - the name of a level, as the uapi header spells it
 * @level:	MEMALLOC_LEVEL_*
 *
 * Return: the page size the level maps ("4K", "2M", "1G"), "unmapped" for
 * MEMALLOC_LEVEL_NONE, or "?" for an unknown level.
 */
const char *memalloc_level_name(u32 level)
{
	if (level >= ARRAY_SIZE(memalloc_level_names))
		return "?";
	return memalloc_level_names[level];
}

/* Canonical: the bits above the virtual address width copy its top bit. */
static bool memalloc_canonical(unsigned long addr)
{
	unsigned int shift = 64 - (__VIRTUAL_MASK_SHIFT + 1);

	return ((long)(addr << shift) >> shift) == (long)addr;
}

/*
 * Read one entry without faulting and without KASAN's check
 * (copy_from_kernel_nofault() is uninstrumented and catches faults): a
 * table the kernel frees under a raw walk, or a garbage entry leading to an
 * unmapped "table", must give a stale or empty answer, never an oops or a
 * report.  False if the entry could not be read.
 */
static bool memalloc_read_entry(const void *p, unsigned long *val)
{
	return !copy_from_kernel_nofault(val, p, sizeof(*val));
}

/* Accumulate the effective permissions of one level, as the MMU does. */
static void memalloc_note_level(struct memalloc_map *map, u64 val)
{
	if (!(val & _PAGE_RW))
		map->flags &= ~MEMALLOC_PTE_RW;
	if (!(val & _PAGE_USER))
		map->flags &= ~MEMALLOC_PTE_USER;
	if (val & _PAGE_NX)
		map->flags |= MEMALLOC_PTE_NX;
	map->entry = val;
}

static void memalloc_note_leaf(struct memalloc_map *map, u32 level, u64 pfn,
			       u64 val)
{
	memalloc_note_level(map, val);
	map->level = level;
	map->pfn = pfn;
	map->flags |= MEMALLOC_PTE_PRESENT;
	if (val & _PAGE_ACCESSED)
		map->flags |= MEMALLOC_PTE_ACCESSED;
	if (val & _PAGE_DIRTY)
		map->flags |= MEMALLOC_PTE_DIRTY;
	if (val & _PAGE_GLOBAL)
		map->flags |= MEMALLOC_PTE_GLOBAL;
}

/* The tables of this boot's paging, top first: shift of each index */
static unsigned int memalloc_tables(u32 *tables, unsigned int *shifts)
{
	unsigned int n = 0;

	tables[n] = MEMALLOC_TABLE_PGD;
	shifts[n++] = PGDIR_SHIFT;
	if (pgtable_l5_enabled()) {
		tables[n] = MEMALLOC_TABLE_P4D;
		shifts[n++] = P4D_SHIFT;
	}
	tables[n] = MEMALLOC_TABLE_PUD;
	shifts[n++] = PUD_SHIFT;
	tables[n] = MEMALLOC_TABLE_PMD;
	shifts[n++] = PMD_SHIFT;
	tables[n] = MEMALLOC_TABLE_PTE;
	shifts[n++] = PAGE_SHIFT;
	return n;
}

/* MEMALLOC_LEVEL_* of a leaf found in @table */
static u32 memalloc_leaf_level(u32 table)
{
	switch (table) {
	case MEMALLOC_TABLE_PUD:
		return MEMALLOC_LEVEL_PUD;
	case MEMALLOC_TABLE_PMD:
		return MEMALLOC_LEVEL_PMD;
	default:
		return MEMALLOC_LEVEL_PTE;
	}
}

/**
 * memalloc_translate() - walk the kernel page tables for @addr
 * @addr:	any virtual address
 * @map:	out: frame, level, flags and raw entry
 * @vt:		out, may be NULL: every table consulted, and why the walk
 *		stopped (MEMALLOC_IOC_VTOP)
 *
 * One loop over this boot's tables (pgd, p4d with 5-level paging, pud,
 * pmd, pte), from the table CR3 holds.  The walk only reads entries, each
 * once, with memalloc_read_entry(), and stops at the first non-present or
 * unreadable one, so it is safe on any kernel address; it never
 * dereferences the address itself.  It takes no lock (init_mm's is not
 * exported): WALK and VTOP only let it into the vmalloc area inside an
 * allocation the device holds, under memalloc_lock, where no table can be
 * freed (dev.c).  A present entry with _PAGE_PSE in a pud or pmd is a
 * 1G or 2M leaf; "present" is the hardware bit (pmd_present() would also
 * accept a non-present huge entry).
 *
 * Return: true if @addr is mapped, false if not (then @map->level is
 * MEMALLOC_LEVEL_NONE and @map->pfn is ULLONG_MAX).
 */
bool memalloc_translate(unsigned long addr, struct memalloc_map *map,
			struct memalloc_vtop *vt)
{
	u32 tables[MEMALLOC_VTOP_MAX_LEVELS], stop = MEMALLOC_STOP_NONCANONICAL;
	unsigned int shifts[MEMALLOC_VTOP_MAX_LEVELS], n, i;
	u64 table_pa = read_cr3_pa(), size;
	unsigned long val;

	map->pfn = ULLONG_MAX;
	map->entry = 0;
	map->level = MEMALLOC_LEVEL_NONE;
	map->flags = MEMALLOC_PTE_RW | MEMALLOC_PTE_USER;
	n = memalloc_tables(tables, shifts);
	if (vt)
		vt->paging_levels = n;
	if (!memalloc_canonical(addr))
		goto unmapped;

	for (i = 0; i < n; i++) {
		u64 *table = __va(table_pa);
		unsigned int index = (addr >> shifts[i]) & (PTRS_PER_PTE - 1);

		stop = MEMALLOC_STOP_UNREADABLE;
		if (!memalloc_read_entry(table + index, &val))
			goto unmapped;
		if (vt) {
			vt->levels[i] = (struct memalloc_vtop_level){
				.table_pa = table_pa, .entry = val, .table = tables[i],
				.index = index, .shift = shifts[i] };
			vt->nr_levels = i + 1;
		}
		map->entry = val;
		stop = MEMALLOC_STOP_NOT_PRESENT;
		if (!(val & _PAGE_PRESENT))
			goto unmapped;
		if (tables[i] == MEMALLOC_TABLE_PTE ||
		    ((tables[i] == MEMALLOC_TABLE_PUD ||
		      tables[i] == MEMALLOC_TABLE_PMD) && (val & _PAGE_PSE))) {
			/* The frame of the leaf, then the 4K frame inside it */
			size = 1ULL << shifts[i];
			memalloc_note_leaf(map, memalloc_leaf_level(tables[i]),
					   ((val & PTE_PFN_MASK & ~(size - 1)) +
					    (addr & (size - 1))) >> PAGE_SHIFT,
					   val);
			if (vt)
				vt->stop = MEMALLOC_STOP_LEAF;
			return true;
		}
		memalloc_note_level(map, val);
		table_pa = val & PTE_PFN_MASK;
	}

unmapped:
	/* map->entry keeps the entry that stopped the walk. */
	map->flags = 0;
	map->level = MEMALLOC_LEVEL_NONE;
	map->pfn = ULLONG_MAX;
	if (vt)
		vt->stop = stop;
	return false;
}

/**
 * memalloc_follow_phys() - how the kernel page tables map @addr
 * @addr:	any virtual address
 * @map:	out: frame, level, flags and raw entry
 *
 * memalloc_translate() without the record of each level.
 *
 * Return: true if @addr is mapped.
 */
bool memalloc_follow_phys(unsigned long addr, struct memalloc_map *map)
{
	return memalloc_translate(addr, map, NULL);
}

/**
 * memalloc_region() - the region of the kernel's layout holding @addr
 * @addr:	any virtual address
 *
 * Return: MEMALLOC_REGION_*, from the same constants and bases the kernel
 * uses (Documentation/arch/x86/x86_64/mm.rst).
 */
u32 memalloc_region(unsigned long addr)
{
	unsigned long vmemmap_end = (unsigned long)vmemmap +
		(1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT)) * sizeof(struct page);

	if (!memalloc_canonical(addr))
		return MEMALLOC_REGION_NONCANONICAL;
	if (addr < TASK_SIZE_MAX)
		return MEMALLOC_REGION_USER;
	if (addr >= PAGE_OFFSET && addr < PAGE_OFFSET + (1UL << MAX_PHYSMEM_BITS))
		return MEMALLOC_REGION_DIRECT_MAP;
	if (addr >= VMALLOC_START && addr <= VMALLOC_END)
		return MEMALLOC_REGION_VMALLOC;
	if (addr >= (unsigned long)vmemmap && addr < vmemmap_end)
		return MEMALLOC_REGION_VMEMMAP;
	if (addr >= CPU_ENTRY_AREA_BASE &&
	    addr < CPU_ENTRY_AREA_BASE + CPU_ENTRY_AREA_MAP_SIZE)
		return MEMALLOC_REGION_CPU_ENTRY_AREA;
	if (addr >= __START_KERNEL_map &&
	    addr < __START_KERNEL_map + KERNEL_IMAGE_SIZE)
		return MEMALLOC_REGION_KERNEL_TEXT;
	if (addr >= MODULES_VADDR && addr < MODULES_END)
		return MEMALLOC_REGION_MODULES;
	if (addr >= FIXADDR_START && addr < FIXADDR_TOP)
		return MEMALLOC_REGION_FIXMAP;
	return MEMALLOC_REGION_OTHER;
}

/**
 * memalloc_helper_pfn() - the frame of @addr according to the kernel
 * @addr:	a mapped kernel virtual address
 *
 * The kernel's own answer, to cross-check memalloc_follow_phys():
 * vmalloc_to_page() in the vmalloc area, virt_to_phys() for RAM in the
 * direct map, lookup_address() in the kernel image, fixmap and modules;
 * none for the rest of the direct map and for vmemmap.
 *
 * Return: the frame, or ULLONG_MAX if the kernel says it is not mapped.
 */
u64 memalloc_helper_pfn(unsigned long addr)
{
	u32 region = memalloc_region(addr);
	struct page *page;
	unsigned int level;
	pte_t *ptep, pte;

	if (is_vmalloc_addr((void *)addr)) {
		/* vmalloc_to_pfn() would turn "no page" into a garbage frame */
		page = vmalloc_to_page((void *)addr);
		return page ? page_to_pfn(page) : ULLONG_MAX;
	}
	if (virt_addr_valid((void *)addr))
		return PHYS_PFN(virt_to_phys((void *)addr));
	/*
	 * lookup_address() dereferences each level as it stands: not where
	 * memory hot-remove frees tables (the direct map beyond RAM, vmemmap).
	 * There the kernel has no answer to give.
	 */
	if (region == MEMALLOC_REGION_DIRECT_MAP || region == MEMALLOC_REGION_VMEMMAP)
		return ULLONG_MAX;

	ptep = lookup_address(addr, &level);
	if (!ptep)
		return ULLONG_MAX;
	pte = ptep_get(ptep);	/* once: a split may change it meanwhile */
	if (!pte_present(pte))
		return ULLONG_MAX;
	switch (level) {
	case PG_LEVEL_1G:
		return pte_pfn(pte) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
	case PG_LEVEL_2M:
		return pte_pfn(pte) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	default:
		return pte_pfn(pte);
	}
}
