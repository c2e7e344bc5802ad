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

/**
 * memalloc_follow_phys() - walk the kernel page tables for @addr
 * @addr:	any virtual address
 * @map:	out: frame, level, flags and raw entry
 *
 * The walk only reads entries, each once, with memalloc_read_entry(), and
 * stops at the first non-present or unreadable one, so it is safe on any
 * kernel address; it never dereferences the address itself.  It takes no
 * lock (init_mm's is not exported): WALK only lets it into the vmalloc
 * area inside an allocation the device holds, under memalloc_lock, where
 * no table can be freed (dev.c).
 *
 * Return: true if @addr is mapped, false if a level is empty or not present
 * (then @map->level is MEMALLOC_LEVEL_NONE and @map->pfn is ULLONG_MAX).
 */
bool memalloc_follow_phys(unsigned long addr, struct memalloc_map *map)
{
	unsigned long v;
	pgd_t pgdv;
	p4d_t p4dv;
	pud_t pudv;
	pmd_t pmdv;
	pte_t ptev;

	map->pfn = ULLONG_MAX;
	map->entry = 0;
	map->level = MEMALLOC_LEVEL_NONE;
	map->flags = MEMALLOC_PTE_RW | MEMALLOC_PTE_USER;

	if (!memalloc_canonical(addr))
		goto unmapped;

	/*
	 * Each level is read once and the next table is found
	 * from that copy, never by re-reading the entry.  "Present" is the
	 * hardware bit: pmd_present() also accepts a non-present huge entry
	 * (_PAGE_PSE) and pte_present() a PROT_NONE one.
	 */
	if (!memalloc_read_entry(pgd_offset_pgd((pgd_t *)__va(read_cr3_pa()),
						addr), &v))
		goto unmapped;
	pgdv = __pgd(v);
	map->entry = pgd_val(pgdv);
	if (!(pgd_flags(pgdv) & _PAGE_PRESENT))
		goto unmapped;
	memalloc_note_level(map, pgd_val(pgdv));

	/* With 4-level paging p4d_offset() folds back onto the pgd copy. */
	if (!memalloc_read_entry(p4d_offset(&pgdv, addr), &v))
		goto unmapped;
	p4dv = __p4d(v);
	map->entry = p4d_val(p4dv);
	if (!(p4d_flags(p4dv) & _PAGE_PRESENT))
		goto unmapped;
	memalloc_note_level(map, p4d_val(p4dv));

	if (!memalloc_read_entry(pud_offset(&p4dv, addr), &v))
		goto unmapped;
	pudv = __pud(v);
	map->entry = pud_val(pudv);
	if (!(pud_flags(pudv) & _PAGE_PRESENT))
		goto unmapped;
	if (pud_leaf(pudv)) {
		memalloc_note_leaf(map, MEMALLOC_LEVEL_PUD,
				   pud_pfn(pudv) +
				   ((addr & ~PUD_MASK) >> PAGE_SHIFT),
				   pud_val(pudv));
		return true;
	}
	memalloc_note_level(map, pud_val(pudv));

	if (!memalloc_read_entry(pmd_offset(&pudv, addr), &v))
		goto unmapped;
	pmdv = __pmd(v);
	map->entry = pmd_val(pmdv);
	if (!(pmd_flags(pmdv) & _PAGE_PRESENT))
		goto unmapped;
	if (pmd_leaf(pmdv)) {
		memalloc_note_leaf(map, MEMALLOC_LEVEL_PMD,
				   pmd_pfn(pmdv) +
				   ((addr & ~PMD_MASK) >> PAGE_SHIFT),
				   pmd_val(pmdv));
		return true;
	}
	memalloc_note_level(map, pmd_val(pmdv));

	if (!memalloc_read_entry(pte_offset_kernel(&pmdv, addr), &v))
		goto unmapped;
	ptev = __pte(v);
	map->entry = pte_val(ptev);
	if (!(pte_flags(ptev) & _PAGE_PRESENT))
		goto unmapped;
	memalloc_note_leaf(map, MEMALLOC_LEVEL_PTE, pte_pfn(ptev),
			   pte_val(ptev));
	return true;

unmapped:
	/* map->entry keeps the entry that stopped the walk. */
	map->flags = 0;
	map->level = MEMALLOC_LEVEL_NONE;
	map->pfn = ULLONG_MAX;
	return false;
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
	unsigned long dmap_end = PAGE_OFFSET + (1UL << MAX_PHYSMEM_BITS);
	unsigned long vmemmap_end = (unsigned long)vmemmap +
		(1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT)) * sizeof(struct page);
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
	if ((addr >= PAGE_OFFSET && addr < dmap_end) ||
	    (addr >= (unsigned long)vmemmap && addr < vmemmap_end))
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
