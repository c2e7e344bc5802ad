// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace vtop: the translation of one address, level by level (vtop.h).
 */
#include <stdio.h>
#include <string.h>

#include "lib/names.h"
#include "lib/stats.h"
#include "vtop/vtop.h"

/* The shifts of this paging's indices, top first: 39 30 21 12, or 48 39 ... */
static unsigned int vtop__shifts(const struct memalloc_vtop *vt, unsigned int *shifts)
{
	unsigned int n = vt->paging_levels == 5 ? 5 : 4, i;

	for (i = 0; i < n; i++)
		shifts[i] = 12 + 9 * (n - 1 - i);
	return n;
}

/* The lowest address bit a level read selects, or 12 if none was read */
static unsigned int vtop__leaf_shift(const struct memalloc_vtop *vt)
{
	if (vt->stop != MEMALLOC_STOP_LEAF || !vt->nr_levels)
		return 12;
	return vt->levels[vt->nr_levels - 1].shift;
}

uint64_t vtop__recompose(const struct memalloc_vtop *vt)
{
	unsigned int top = vt->paging_levels == 5 ? 56 : 47, low = 64, i;
	uint64_t a = 0;

	for (i = 0; i < vt->nr_levels && i < MEMALLOC_VTOP_MAX_LEVELS; i++) {
		a |= (uint64_t)vt->levels[i].index << vt->levels[i].shift;
		if (vt->levels[i].shift < low)
			low = vt->levels[i].shift;
	}
	if (low == 64)
		return vt->addr;	/* nothing read: nothing to rebuild */
	a |= vt->addr & ((1ULL << low) - 1);
	if (a & (1ULL << top))
		a |= ~((1ULL << (top + 1)) - 1);
	return a;
}

const char *vtop__entry_flags(uint64_t entry, char *buf, size_t len)
{
	static const struct {
		int bit;
		const char *name;
	} bits[] = {
		{ 0, "P" }, { 1, "RW" }, { 2, "USR" }, { 3, "PWT" }, { 4, "PCD" },
		{ 5, "A" }, { 6, "D" }, { 7, "PSE" }, { 8, "GLB" }, { 63, "NX" },
	};
	size_t i, off = 0;

	buf[0] = '\0';
	if (!(entry & 1)) {
		snprintf(buf, len, "not present");
		return buf;
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]) && off < len; i++) {
		if (entry & (1ULL << bits[i].bit))
			off += snprintf(buf + off, len - off, "%s%s", off ? " " : "",
					bits[i].name);
	}
	return buf;
}

/* "bits 47-39  281  pgd index" for every index of the paging, then the offset */
static void vtop__print_bits(const struct memalloc_vtop *vt, FILE *out)
{
	static const char *const names4[] = { "pgd", "pud", "pmd", "pte" };
	static const char *const names5[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	unsigned int shifts[5], n = vtop__shifts(vt, shifts), leaf = vtop__leaf_shift(vt), i;
	unsigned int top = n == 5 ? 56 : 47;

	fprintf(out, "  bits 63-%-2u  %-8s sign extension: copies of bit %u\n", top + 1,
		(vt->addr >> top) & 1 ? "all 1" : "all 0", top);
	for (i = 0; i < n && shifts[i] >= leaf; i++)
		fprintf(out, "  bits %2u-%-2u  %-8llu %s index\n", shifts[i] + 8, shifts[i],
			(unsigned long long)((vt->addr >> shifts[i]) & 511),
			n == 5 ? names5[i] : names4[i]);
	fprintf(out, "  bits %2u-0   %#-8llx offset in the %s page\n", leaf - 1,
		(unsigned long long)(vt->addr & ((1ULL << leaf) - 1)),
		leaf == 30 ? "1G" : leaf == 21 ? "2M" : "4K");
}

static void vtop__print_stop(const struct memalloc_vtop *vt, FILE *out)
{
	const char *t = vt->nr_levels ?
			table__name(vt->levels[vt->nr_levels - 1].table) : "-";

	switch (vt->stop) {
	case MEMALLOC_STOP_LEAF:
		fprintf(out, "stop   %s leaf in the %s: its entry maps the page%s\n",
			level__name(vt->level), t, vt->level == MEMALLOC_LEVEL_PTE ? "" :
			" (PSE: a huge page)");
		break;
	case MEMALLOC_STOP_NOT_PRESENT:
		fprintf(out, "stop   not present: the %s entry has P=0, nothing maps "
			"this address\n", t);
		break;
	case MEMALLOC_STOP_NONCANONICAL:
		fprintf(out, "stop   non-canonical: the top bits are not copies of bit %u, "
			"the CPU\n       faults before it reads any table\n",
			vt->paging_levels == 5 ? 56 : 47);
		break;
	default:
		fprintf(out, "stop   %s: the next table could not be read\n",
			stop__name(vt->stop));
		break;
	}
}

void vtop__print(const struct memalloc_vtop *vt, FILE *out)
{
	char fl[64];
	uint32_t i;

	fprintf(out, "address 0x%016llx (%s, %u-level paging)\n", (unsigned long long)vt->addr,
		region__name(vt->region), vt->paging_levels);
	if (vt->stop != MEMALLOC_STOP_NONCANONICAL)
		vtop__print_bits(vt, out);
	if (vt->nr_levels)
		fprintf(out, "%-6s %-14s %5s  %-18s %s\n", "TABLE", "AT (PHYS)", "INDEX",
			"ENTRY", "FLAGS");
	for (i = 0; i < vt->nr_levels && i < MEMALLOC_VTOP_MAX_LEVELS; i++) {
		const struct memalloc_vtop_level *l = &vt->levels[i];

		fprintf(out, "%-6s 0x%012llx %5u  0x%016llx %s\n", table__name(l->table),
			(unsigned long long)l->table_pa, l->index,
			(unsigned long long)l->entry, vtop__entry_flags(l->entry, fl, sizeof(fl)));
	}
	vtop__print_stop(vt, out);
	if (vt->stop != MEMALLOC_STOP_LEAF)
		return;
	fprintf(out, "result pa 0x%llx, pfn 0x%llx, %s\n", (unsigned long long)vt->pa,
		(unsigned long long)vt->pfn, pte_flags__format(vt->pte_flags, fl, sizeof(fl)));
	if (vt->helper_pfn == PFN_NONE)
		fprintf(out, "       (the kernel has no helper for this region)\n");
	else
		fprintf(out, "       the kernel's helper says pfn 0x%llx: %s\n",
			(unsigned long long)vt->helper_pfn,
			vt->helper_pfn == vt->pfn ? "the same" : "DIFFERENT");
}

static void vtop__json_pfn(struct json *j, const char *name, uint64_t pfn)
{
	json__name(j, name);
	if (pfn == PFN_NONE)
		json__null(j);
	else
		json__uint(j, pfn);
}

void vtop__json(const struct memalloc_vtop *vt, struct json *j)
{
	char fl[64];
	uint32_t i;

	json__start_object(j);
	json__kv_hex(j, "addr", vt->addr);
	json__kv_string(j, "region", region__name(vt->region));
	json__kv_uint(j, "paging_levels", vt->paging_levels);
	json__name(j, "levels");
	json__start_array(j);
	for (i = 0; i < vt->nr_levels && i < MEMALLOC_VTOP_MAX_LEVELS; i++) {
		const struct memalloc_vtop_level *l = &vt->levels[i];

		json__start_object(j);
		json__kv_string(j, "table", table__name(l->table));
		json__kv_hex(j, "table_pa", l->table_pa);
		json__kv_uint(j, "index", l->index);
		json__kv_uint(j, "shift", l->shift);
		json__kv_hex(j, "entry", l->entry);
		json__kv_string(j, "flags", vtop__entry_flags(l->entry, fl, sizeof(fl)));
		json__end_object(j);
	}
	json__end_array(j);
	json__kv_string(j, "stop", stop__name(vt->stop));
	json__kv_string(j, "level", level__name(vt->level));
	if (vt->stop == MEMALLOC_STOP_LEAF) {
		json__kv_hex(j, "pa", vt->pa);
	} else {
		json__name(j, "pa");
		json__null(j);
	}
	vtop__json_pfn(j, "pfn", vt->pfn);
	vtop__json_pfn(j, "helper_pfn", vt->helper_pfn);
	json__kv_string(j, "pte_flags", pte_flags__format(vt->pte_flags, fl, sizeof(fl)));
	json__end_object(j);
}
