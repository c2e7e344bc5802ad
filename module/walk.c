// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: walk the kernel page tables by hand, pgd -> p4d -> pud -> pmd ->
 * pte, and find the frame, level and flags that map one virtual address.
 *
 * init_mm is not exported, so the walk starts from the page table that CR3
 * holds: every process shares the kernel half of it.  The walk only reads
 * entries (READ_ONCE) and stops at the first non-present one, so it is safe
 * on any kernel address; it never dereferences the address itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>

#include "memalloc.h"

static const char *const memalloc_level_names[] = {
	[MEMALLOC_LEVEL_NONE] = "none",
	[MEMALLOC_LEVEL_PTE] = "4K",
	[MEMALLOC_LEVEL_PMD] = "2M",
	[MEMALLOC_LEVEL_PUD] = "1G",
};

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
 * Return: true if @addr is mapped, false if a level is empty or not present
 * (then @map->level is MEMALLOC_LEVEL_NONE and @map->pfn is ULLONG_MAX).
 */
bool memalloc_follow_phys(unsigned long addr, struct memalloc_map *map)
{
	pgd_t *pgd, pgdv;
	p4d_t *p4d, p4dv;
	pud_t *pud, pudv;
	pmd_t *pmd, pmdv;
	pte_t *pte, ptev;

	map->pfn = ULLONG_MAX;
	map->entry = 0;
	map->level = MEMALLOC_LEVEL_NONE;
	map->flags = MEMALLOC_PTE_RW | MEMALLOC_PTE_USER;

	if (!memalloc_canonical(addr))
		goto unmapped;

	pgd = pgd_offset_pgd((pgd_t *)__va(read_cr3_pa()), addr);
	pgdv = READ_ONCE(*pgd);
	if (pgd_none(pgdv) || !pgd_present(pgdv))
		goto unmapped;
	memalloc_note_level(map, pgd_val(pgdv));

	/* With 4-level paging p4d_offset() folds back onto the pgd entry. */
	p4d = p4d_offset(pgd, addr);
	p4dv = READ_ONCE(*p4d);
	if (p4d_none(p4dv) || !p4d_present(p4dv))
		goto unmapped;
	memalloc_note_level(map, p4d_val(p4dv));

	pud = pud_offset(p4d, addr);
	pudv = READ_ONCE(*pud);
	if (pud_none(pudv) || !pud_present(pudv))
		goto unmapped;
	if (pud_leaf(pudv)) {
		memalloc_note_leaf(map, MEMALLOC_LEVEL_PUD,
				   pud_pfn(pudv) +
				   ((addr & ~PUD_MASK) >> PAGE_SHIFT),
				   pud_val(pudv));
		return true;
	}
	memalloc_note_level(map, pud_val(pudv));

	pmd = pmd_offset(pud, addr);
	pmdv = READ_ONCE(*pmd);
	if (pmd_none(pmdv) || !pmd_present(pmdv))
		goto unmapped;
	if (pmd_leaf(pmdv)) {
		memalloc_note_leaf(map, MEMALLOC_LEVEL_PMD,
				   pmd_pfn(pmdv) +
				   ((addr & ~PMD_MASK) >> PAGE_SHIFT),
				   pmd_val(pmdv));
		return true;
	}
	memalloc_note_level(map, pmd_val(pmdv));

	pte = pte_offset_kernel(pmd, addr);
	ptev = READ_ONCE(*pte);
	if (pte_none(ptev) || !pte_present(ptev)) {
		map->entry = pte_val(ptev);
		goto unmapped;
	}
	memalloc_note_leaf(map, MEMALLOC_LEVEL_PTE, pte_pfn(ptev),
			   pte_val(ptev));
	return true;

unmapped:
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
 * vmalloc_to_pfn() in the vmalloc area, virt_to_phys() in the direct map,
 * lookup_address() elsewhere (kernel image, fixmap, modules).
 *
 * Return: the frame, or ULLONG_MAX if the kernel says it is not mapped.
 */
u64 memalloc_helper_pfn(unsigned long addr)
{
	unsigned int level;
	pte_t *pte;

	if (is_vmalloc_addr((void *)addr))
		return vmalloc_to_pfn((void *)addr) ?: ULLONG_MAX;
	if (virt_addr_valid((void *)addr))
		return PHYS_PFN(virt_to_phys((void *)addr));

	pte = lookup_address(addr, &level);
	if (!pte || !pte_present(*pte))
		return ULLONG_MAX;
	switch (level) {
	case PG_LEVEL_1G:
		return pte_pfn(*pte) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
	case PG_LEVEL_2M:
		return pte_pfn(*pte) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	default:
		return pte_pfn(*pte);
	}
}
