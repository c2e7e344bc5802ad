// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tool/vtop: rebuilding an address from the indices a walk
 * read (4- and 5-level paging, huge leaves, a stop), decoding an entry's
 * bits, and the text and JSON a student reads.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "memalloc.h"
#include "tap.h"
#include "vtop/vtop.h"

/* A 4-level walk of @addr down to the table @tables (4: pte) */
static struct memalloc_vtop walk4(uint64_t addr, unsigned int tables, uint32_t stop)
{
	static const uint32_t names[] = { MEMALLOC_TABLE_PGD, MEMALLOC_TABLE_PUD,
					  MEMALLOC_TABLE_PMD, MEMALLOC_TABLE_PTE };
	struct memalloc_vtop vt = { .addr = addr, .paging_levels = 4, .stop = stop };
	unsigned int i;

	for (i = 0; i < tables; i++) {
		vt.levels[i].table = names[i];
		vt.levels[i].shift = 39 - 9 * i;
		vt.levels[i].index = (addr >> vt.levels[i].shift) & 511;
		vt.levels[i].entry = i + 1 == tables && stop != MEMALLOC_STOP_LEAF ? 0 : 0x63;
	}
	vt.nr_levels = tables;
	return vt;
}

static void test_recompose(void)
{
	struct memalloc_vtop vt = walk4(0xffff888012345678ULL, 4, MEMALLOC_STOP_LEAF);

	tap_eq_u64(vtop__recompose(&vt), 0xffff888012345678ULL, "recompose: a 4K leaf");
	vt = walk4(0xffff888012345678ULL, 3, MEMALLOC_STOP_LEAF);
	tap_eq_u64(vtop__recompose(&vt), 0xffff888012345678ULL, "recompose: a 2M leaf");
	vt = walk4(0x00007fff12345000ULL, 2, MEMALLOC_STOP_NOT_PRESENT);
	tap_eq_u64(vtop__recompose(&vt), 0x00007fff12345000ULL,
		   "recompose: a stop, bit 47 clear: no sign extension");
	vt.levels[0].index ^= 1;	/* a wrong index must show */
	tap_ne_u64(vtop__recompose(&vt), 0x00007fff12345000ULL,
		   "recompose: a wrong index gives another address");
	vt = walk4(0xff00000000000000ULL, 0, MEMALLOC_STOP_NONCANONICAL);
	tap_eq_u64(vtop__recompose(&vt), 0xff00000000000000ULL,
		   "recompose: nothing read, the address itself");

	memset(&vt, 0, sizeof(vt));
	vt.addr = 0xff11223344556000ULL;	/* canonical with 5-level paging */
	vt.paging_levels = 5;
	vt.nr_levels = 5;
	vt.stop = MEMALLOC_STOP_LEAF;
	for (int i = 0; i < 5; i++) {
		vt.levels[i].shift = 48 - 9 * i;
		vt.levels[i].index = (vt.addr >> vt.levels[i].shift) & 511;
	}
	tap_eq_u64(vtop__recompose(&vt), 0xff11223344556000ULL,
		   "recompose: 5-level, sign-extended from bit 56");
}

static void test_flags(void)
{
	char buf[64];

	tap_eq_str(vtop__entry_flags(0x8000000007a001e3ULL, buf, sizeof(buf)),
		   "P RW A D PSE GLB NX", "entry flags: a 2M kernel data leaf");
	tap_eq_str(vtop__entry_flags(0x3c01067, buf, sizeof(buf)), "P RW USR A D",
		   "entry flags: a table entry");
	tap_eq_str(vtop__entry_flags(0x3c01066, buf, sizeof(buf)), "not present",
		   "entry flags: P clear says not present");
}

static void test_print(void)
{
	struct memalloc_vtop vt = walk4(0xffff888012345678ULL, 4, MEMALLOC_STOP_LEAF);
	char *text = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	vt.level = MEMALLOC_LEVEL_PTE;
	vt.region = MEMALLOC_REGION_DIRECT_MAP;
	vt.pfn = 0x12345;
	vt.helper_pfn = 0x12345;
	vt.pa = 0x12345678;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream");
	vtop__print(&vt, f);
	fclose(f);
	tap_has_str(text, "address 0xffff888012345678 (direct map, 4-level paging)",
		    "print: the address and its region");
	tap_has_str(text, "bits 47-39  273      pgd index", "print: the pgd's bits and index");
	tap_has_str(text, "bits 11-0   0x678", "print: the page offset");
	tap_has_str(text, "stop   4K leaf in the pte", "print: where the walk stopped");
	tap_has_str(text, "helper says pfn 0x12345: the same", "print: the cross-check");
	for (char *l = text, *nl; (nl = strchr(l, '\n')); l = nl + 1)
		if (nl - l > 80)
			tap_ok(false, "print: a line over 80 columns: %.*s", (int)(nl - l), l);
	free(text);

	vt = walk4(0xffff888012345678ULL, 2, MEMALLOC_STOP_NOT_PRESENT);
	vt.pfn = vt.helper_pfn = ~0ULL;
	f = open_memstream(&text, &len);
	if (!f)
		tap_bail("open_memstream");
	json__init(&j, f, false);
	vtop__json(&vt, &j);
	tap_err(json__end(&j), 0, "json: the object is whole");
	fclose(f);
	tap_has_str(text, "\"stop\":\"not present\"", "json: why it stopped");
	tap_has_str(text, "\"pa\":null,\"pfn\":null", "json: no pa, no pfn");
	tap_has_str(text, "{\"table\":\"pud\"", "json: the tables read, by name");
	free(text);
}

int main(void)
{
	test_recompose();
	test_flags();
	test_print();
	return tap_finish();
}
