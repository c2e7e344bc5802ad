// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tool/physmap.c against canned /proc/iomem and /proc/zoneinfo files of a
 * 128 MiB single-node x86_64 QEMU guest and a 256 MiB two-node one (Linux 6.12).
 * Data comes from $TEST_DATA_DIR (default tests/unit/data). Output is TAP.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zones/physmap.h"
#include "tap.h"

typedef int (*parse_fn)(struct physmap *pm, FILE *f);

static const char *data_dir;

static int parse_file(struct physmap *pm, parse_fn parse, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "r");
	if (!f)
		tap_bail("open %s: %s", path, strerror(errno));
	err = parse(pm, f);
	fclose(f);
	return err;
}

static int parse_str(struct physmap *pm, parse_fn parse, const char *s)
{
	FILE *f = tmpfile();
	int err;

	if (!f)
		tap_bail("tmpfile: %s", strerror(errno));
	fputs(s, f);
	rewind(f);
	err = parse(pm, f);
	fclose(f);
	return err;
}

/* The output line starting with @prefix, copied into @line; NULL if there is none. */
static const char *find_line(const char *buf, const char *prefix, char *line, size_t size)
{
	const char *p = buf, *nl;
	size_t len;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)))
			continue;
		if (len >= size)
			len = size - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		return line;
	}
	return NULL;
}

/* Widest line in display columns (UTF-8 continuation bytes take no column). */
static size_t max_columns(const char *buf)
{
	size_t cols = 0, max = 0;

	for (; *buf; buf++) {
		if (*buf == '\n') {
			cols = 0;
			continue;
		}
		if ((*buf & 0xc0) != 0x80 && ++cols > max)
			max = cols;
	}
	return max;
}

/* "node N NAME" of a zone, or "none": compared as a string, shown when it differs */
static const char *zone_str(const struct memalloc_zone *z)
{
	static char buf[4][64];
	static int i;

	if (!z)
		return "none";
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "node %d %s", z->node, z->name);
	return buf[i];
}

static void test_iomem(struct physmap *pm)
{
	const struct physmap_resource *r;
	size_t i, top = 0;

	tap_err(parse_file(pm, physmap__parse_iomem, "iomem-128m.txt"), 0,
		"iomem: parse iomem-128m.txt");
	tap_eq_u64(pm->nr_res, 20, "iomem: 20 lines");
	for (i = 0; i < pm->nr_res; i++)
		top += pm->res[i].depth == 0;
	tap_eq_u64(top, 14, "iomem: 14 top-level resources");
	if (pm->nr_res != 20)
		return;		/* the line contents would be read at the wrong places */
	r = &pm->res[0];
	tap_eq_str(r->name, "Reserved", "iomem: line 1 is Reserved");
	tap_eq_u64(r->start, 0, "iomem: line 1 starts at 0");
	tap_eq_u64(r->end, 0xfff, "iomem: line 1 ends at 0xfff (inclusive)");
	tap_eq_u64(r->depth, 0, "iomem: line 1 is top-level");
	r = &pm->res[1];
	tap_eq_u64(r->end, 0x9fbff, "iomem: first System RAM ends at 0x9fbff (inclusive)");
	r = &pm->res[6];
	tap_eq_u64(r->depth, 1, "iomem: System ROM is nested one level");
	tap_eq_str(r->name, "System ROM", "iomem: line 7 is System ROM");
	tap_eq_u64(r->start, 0xf0000, "iomem: System ROM starts at 0xf0000");
	tap_eq_u64(r->end, 0xfffff, "iomem: System ROM ends at 0xfffff");
	r = &pm->res[7];
	tap_eq_str(r->name, "System RAM", "iomem: line 8 is the main System RAM");
	tap_eq_u64(r->depth, 0, "iomem: main System RAM is top-level");
	tap_eq_u64(r->start, 0x100000, "iomem: main System RAM starts at 1 MiB");
	tap_eq_u64(r->end, 0x7fdffff, "iomem: main System RAM ends at 0x7fdffff");
	r = &pm->res[8];
	tap_eq_str(r->name, "Kernel code", "iomem: line 9 is Kernel code");
	tap_eq_u64(r->depth, 1, "iomem: Kernel code nested");
	tap_eq_u64(r->start, 0x1000000, "iomem: Kernel code starts at 16 MiB");
	r = &pm->res[13];
	tap_eq_str(r->name, "PCI Bus 0000:00", "iomem: line 14 is the PCI hole");
	tap_eq_u64(r->end, 0xfebfffff, "iomem: PCI hole 08000000-febfffff ends at 0xfebfffff");
	r = &pm->res[16];
	tap_eq_str(r->name, "PNP0103:00", "iomem: line 17 is PNP0103:00");
	tap_eq_u64(r->depth, 1, "iomem: PNP0103:00 under HPET 0");
	r = &pm->res[18];
	tap_eq_u64(r->start, 0x100000000ULL, "iomem: 9-digit start above 4 GiB");
	tap_eq_u64(r->end, 0x17fffffffULL, "iomem: 9-digit end above 4 GiB");
	r = &pm->res[19];
	tap_eq_u64(r->start, 0xfd00000000ULL, "iomem: last line starts at 0xfd00000000");
	tap_eq_u64(r->end, 0xffffffffffULL, "iomem: last line ends at 0xffffffffff");
}

static void test_zoneinfo(struct physmap *pm)
{
	const struct memalloc_zone *z;

	tap_err(parse_file(pm, physmap__parse_zoneinfo, "zoneinfo-128m.txt"), 0,
		"zoneinfo: parse zoneinfo-128m.txt");
	tap_eq_u64(pm->nr_zones, 2, "zoneinfo: 2 populated zones (Normal/Movable/Device empty)");
	if (pm->nr_zones != 2)
		return;		/* the zone contents would be read at the wrong places */
	z = &pm->zones[0];
	tap_eq_str(zone_str(z), "node 0 DMA", "zoneinfo: zone 0 is Node 0 DMA");
	tap_eq_u64(z->start_pfn, 1, "zoneinfo: DMA start_pfn");
	tap_eq_u64((z->end_pfn - z->start_pfn), 4095, "zoneinfo: DMA spanned");
	tap_eq_u64(z->present_pages, 3998, "zoneinfo: DMA present");
	tap_eq_u64(z->managed_pages, 3840, "zoneinfo: DMA managed");
	z = &pm->zones[1];
	tap_eq_str(zone_str(z), "node 0 DMA32", "zoneinfo: zone 1 is Node 0 DMA32");
	tap_eq_u64(z->start_pfn, 4096, "zoneinfo: DMA32 start_pfn");
	tap_eq_u64((z->end_pfn - z->start_pfn), 28640, "zoneinfo: DMA32 spanned");
	tap_eq_u64(z->present_pages, 28640, "zoneinfo: DMA32 present");
	tap_eq_u64(z->managed_pages, 18545, "zoneinfo: DMA32 managed");
}

static void test_zone_of_pfn(const struct physmap *pm)
{
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 0)), "none",
		   "zone_of_pfn: PFN 0 is in no zone");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 1)), "node 0 DMA",
		   "zone_of_pfn: 1 (DMA start)");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 0x9f)), "node 0 DMA",
		   "zone_of_pfn: 0x9f (hole inside DMA) is still DMA");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 4095)), "node 0 DMA",
		   "zone_of_pfn: 4095 (DMA end-1)");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 4096)), "node 0 DMA32",
		   "zone_of_pfn: 4096 (DMA end = DMA32 start)");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 32735)), "node 0 DMA32",
		   "zone_of_pfn: 32735 (DMA32 end-1)");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, 32736)), "none",
		   "zone_of_pfn: 32736 (DMA32 end) is in no zone");
	tap_eq_str(zone_str(physmap__zone_of_pfn(pm, UINT64_MAX)), "none",
		   "zone_of_pfn: UINT64_MAX is in no zone");
}

static void test_pfn_is_ram(const struct physmap *pm)
{
	static const struct {
		uint64_t pfn;
		bool ram;
		const char *what;
	} cases[] = {
		{ 0x0,		false,	"0x0: Reserved (real-mode IVT/BDA)" },
		{ 0x1,		true,	"0x1: first System RAM page" },
		{ 0x9e,		true,	"0x9e: last whole RAM page below 640K" },
		{ 0x9f,		false,	"0x9f: RAM ends at 0x9fbff, page not whole" },
		{ 0xa0,		false,	"0xa0: PCI Bus (VGA window)" },
		{ 0xc0,		false,	"0xc0: Video ROM" },
		{ 0xf0,		false,	"0xf0: Reserved / System ROM" },
		{ 0x100,	true,	"0x100: System RAM at 1 MiB" },
		{ 0x1000,	true,	"0x1000: Kernel code is still System RAM" },
		{ 0x7fdf,	true,	"0x7fdf: last RAM page" },
		{ 0x7fe0,	false,	"0x7fe0: Reserved (firmware, top of RAM)" },
		{ 0x10000,	false,	"0x10000: PCI hole at 256 MiB" },
		{ 0xfee00,	false,	"0xfee00: Local APIC, not listed" },
		{ 0x100000,	false,	"0x100000: 4 GiB, PCI Bus 64-bit window" },
		{ UINT64_MAX,	false,	"UINT64_MAX" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_eq_u64(physmap__pfn_is_ram(pm, cases[i].pfn), cases[i].ram,
			   "pfn_is_ram: %s -> %s", cases[i].what, cases[i].ram ? "RAM" : "not RAM");

	tap_eq_u64(physmap__count_ram_pfns(pm, 1, 4095), 3998,
		   "count_ram_pfns: DMA span holds 3998 RAM pages = present");
	tap_eq_u64(physmap__count_ram_pfns(pm, 4096, 28640), 28640,
		   "count_ram_pfns: DMA32 span is all RAM = present");
	tap_eq_u64(physmap__count_ram_pfns(pm, 0, UINT64_MAX), 158 + 32480,
		   "count_ram_pfns: whole address space (no overflow)");
	tap_eq_u64(physmap__count_ram_pfns(pm, 0x9f, 0x61), 0,
		   "count_ram_pfns: 0x9f-0xff is all hole");
}

static void test_numa2(void)
{
	struct physmap pm = { 0 };
	const struct memalloc_zone *z;

	tap_err(parse_file(&pm, physmap__parse_zoneinfo, "zoneinfo-numa2.txt"), 0,
		"numa2: parse zoneinfo-numa2.txt");
	tap_eq_u64(pm.nr_zones, 3, "numa2: 3 populated zones");
	if (pm.nr_zones != 3)
		goto out;	/* the zone contents would be read at the wrong places */
	tap_eq_str(zone_str(&pm.zones[0]), "node 0 DMA", "numa2: zone 0 is node 0 DMA");
	tap_eq_str(zone_str(&pm.zones[1]), "node 0 DMA32", "numa2: zone 1 is node 0 DMA32");
	tap_eq_u64((pm.zones[1].end_pfn - pm.zones[1].start_pfn), 28672, "numa2: node 0 DMA32 spans up to 128 MiB");
	z = &pm.zones[2];
	tap_eq_str(zone_str(z), "node 1 DMA32", "numa2: node 1 has DMA32 only");
	tap_eq_u64(z->start_pfn, 32768, "numa2: node 1 DMA32 start_pfn");
	tap_eq_u64((z->end_pfn - z->start_pfn), 32736, "numa2: node 1 DMA32 spanned");
	tap_eq_u64(z->present_pages, 32736, "numa2: node 1 DMA32 present");
	tap_eq_u64(z->managed_pages, 31712, "numa2: node 1 DMA32 managed");
	tap_eq_u64(z->zone, 1, "numa2: node 1 DMA32 is zone index 1 (after an empty DMA)");
	tap_eq_u64(pm.zones[0].zone, 0, "numa2: node 0 DMA is zone index 0");
	tap_eq_str(zone_str(physmap__zone_of_pfn(&pm, 32767)), "node 0 DMA32",
		   "numa2: zone_of_pfn 32767 is node 0 DMA32");
	tap_eq_str(zone_str(physmap__zone_of_pfn(&pm, 32768)), "node 1 DMA32",
		   "numa2: zone_of_pfn 32768 is node 1 DMA32");
	tap_eq_str(zone_str(physmap__zone_of_pfn(&pm, 65503)), "node 1 DMA32",
		   "numa2: zone_of_pfn 65503 (end-1) is node 1 DMA32");
	tap_eq_str(zone_str(physmap__zone_of_pfn(&pm, 65504)), "none",
		   "numa2: zone_of_pfn 65504 (end) is none");
out:
	physmap__free(&pm);
}

static void test_iomem_malformed(struct physmap *pm)
{
	static const struct {
		const char *text;
		const char *what;
	} cases[] = {
		{ "", "empty file" },
		{ "\n\n", "blank lines only" },
		{ "garbage\n", "not a range" },
		{ "00000000-00000fff Reserved\n", "no ' : ' separator" },
		{ "00000000 : Reserved\n", "no end address" },
		{ "-00000fff : Reserved\n", "no start address" },
		{ "0000000g-00000fff : Reserved\n", "bad hex digit" },
		{ "00000000-+0000fff : Reserved\n", "sign in address" },
		{ "00000000-10000000000000000 : Too wide\n", "address over 64 bits" },
		{ "00001000-00000fff : Reversed\n", "start > end" },
		{ "  00000000-00000fff : Orphan\n", "first line indented" },
		{ "00000000-0000ffff : A\n   00000000-00000fff : B\n", "odd indentation" },
		{ "00000000-0000ffff : A\n    00000000-00000fff : B\n", "skipped level" },
		{ "00000000-00000fff : A\n  00000000-00001fff : B\n", "child outside parent" },
		{ "00001000-00001fff : A\n00000000-00000fff : B\n", "siblings unsorted" },
		{ "00000000-00000fff : A\n00000800-00001fff : B\n", "siblings overlap" },
		{ "00000000-00000fff : A\n\x01\n", "trailing junk line" },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = parse_str(pm, physmap__parse_iomem, cases[i].text);
		tap_err(err, -EINVAL, "iomem malformed: %s -> -EINVAL", cases[i].what);
	}
	tap_eq_u64(pm->nr_res, 20, "iomem malformed: failed parses keep the previous 20 lines");
}

#define ZONE_HDR	"Node 0, zone   Normal\n  pages free     10\n"
#define ZONE_COUNTS	"        spanned  100\n        present  90\n        managed  80\n"
#define ZONE_START	"  start_pfn:           4096\n"

static void test_zoneinfo_malformed(struct physmap *pm)
{
	static const struct {
		const char *text;
		const char *what;
	} cases[] = {
		{ "", "empty file" },
		{ "garbage\n", "no zone header" },
		{ "  pages free 3\n" ZONE_HDR ZONE_COUNTS ZONE_START, "field before any header" },
		{ "Node x, zone DMA\n" ZONE_COUNTS ZONE_START, "node id not a number" },
		{ "Node -1, zone DMA\n" ZONE_COUNTS ZONE_START, "negative node id" },
		{ "Node 99999999999, zone DMA\n" ZONE_COUNTS ZONE_START, "node id overflow" },
		{ "Node 0, zone\n" ZONE_COUNTS ZONE_START, "no zone name" },
		{ "Node 0, zone DMA extra\n" ZONE_COUNTS ZONE_START, "junk after zone name" },
		{ "Node 0, zone ThisNameIsTooLong\n" ZONE_COUNTS ZONE_START, "zone name too long" },
		{ ZONE_HDR "        spanned  abc\n        present  90\n        managed  80\n"
		  ZONE_START, "spanned not a number" },
		{ ZONE_HDR "        spanned  100 200\n        present  90\n        managed  80\n"
		  ZONE_START, "two values" },
		{ ZONE_HDR "        spanned\n        present  90\n        managed  80\n"
		  ZONE_START, "no value" },
		{ ZONE_HDR "        spanned  99999999999999999999\n        present  90\n"
		  "        managed  80\n" ZONE_START, "value over 64 bits" },
		{ ZONE_HDR "        spanned  100\n        present  90\n" ZONE_START,
		  "managed missing" },
		{ ZONE_HDR ZONE_COUNTS, "populated zone without start_pfn (truncated)" },
		{ ZONE_HDR "        spanned  100\n        present  101\n        managed  80\n"
		  ZONE_START, "present > spanned" },
		{ ZONE_HDR ZONE_COUNTS "        spanned  100\n" ZONE_START, "spanned twice" },
		{ ZONE_HDR ZONE_COUNTS "  start_pfn:           4503599627370400\n",
		  "span beyond 64-bit addresses" },
		{ ZONE_HDR ZONE_COUNTS ZONE_START "trailing junk\n", "junk after the last zone" },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = parse_str(pm, physmap__parse_zoneinfo, cases[i].text);
		tap_err(err, -EINVAL, "zoneinfo malformed: %s -> -EINVAL", cases[i].what);
	}
	tap_eq_u64(pm->nr_zones, 2, "zoneinfo malformed: failed parses keep the previous zones");
}

/* What physmap__print() writes, as a string to free */
static char *print_str(const struct physmap *pm)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	if (!out)
		tap_bail("open_memstream: %s", strerror(errno));
	physmap__print(pm, out);
	fclose(out);
	return buf;
}

static void test_edge_inputs(void)
{
	struct physmap pm = { 0 };
	char *buf = NULL;

	tap_err(parse_str(&pm, physmap__parse_zoneinfo,
			  "Node 0, zone   Normal\n  pages free     0\n        spanned  0\n"
			  "        present  0\n        managed  0\n"
			  "        protection: (0, 0, 0, 0, 0)\n"), 0,
		"zoneinfo: only unpopulated zones parse");
	tap_eq_u64(pm.nr_zones, 0, "zoneinfo: ... to 0 zones");
	tap_err(parse_str(&pm, physmap__parse_zoneinfo, ZONE_HDR ZONE_COUNTS ZONE_START "\r\n"),
		0, "zoneinfo: minimal zone block with CRLF tail parses");
	tap_eq_u64(pm.nr_zones, 1, "zoneinfo: minimal zone block: 1 zone");
	if (pm.nr_zones)
		tap_eq_u64(pm.zones[0].start_pfn, 4096, "zoneinfo: minimal zone block: start_pfn");
	tap_err(parse_str(&pm, physmap__parse_iomem,
			  "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n"
			  "  00000000-00000000 : Kernel code\n"), 0,
		"iomem: the all-zero listing of non-root readers parses");
	tap_eq_u64(pm.nr_res, 3, "iomem: ... to its 3 lines");
	tap_ok(physmap__iomem_is_censored(&pm), "iomem: ... and is reported as censored");
	buf = print_str(&pm);
	tap_has_str(buf, "CAP_SYS_ADMIN", "print: censored iomem says why (CAP_SYS_ADMIN)");
	tap_no_str(buf, "System RAM +", "print: censored iomem counts no RAM");
	free(buf);
	physmap__free(&pm);
	physmap__free(&pm);
	tap_ok(!pm.res, "free: no resource array left");
	tap_eq_u64(pm.nr_res, 0, "free: no resources counted");
	tap_ok(!pm.zones, "free: no zone array left");
	tap_eq_u64(pm.nr_zones, 0, "free: no zones counted (safe to call twice)");
}

/* The /proc/iomem tree with the zones' marks beside it */
static void test_print_iomem(const char *buf)
{
	static const char * const iomem_lines[] = {
		"00000000-00000fff : Reserved", "00001000-0009fbff : System RAM",
		"0009fc00-0009ffff : Reserved", "000a0000-000bffff : PCI Bus 0000:00",
		"000c0000-000c05ff : Video ROM", "000f0000-000fffff : Reserved",
		"  000f0000-000fffff : System ROM", "00100000-07fdffff : System RAM",
		"  01000000-01ffffff : Kernel code", "  02000000-02aa7fff : Kernel rodata",
		"  02c00000-02e72c7f : Kernel data", "  036d6000-03bfffff : Kernel bss",
		"07fe0000-07ffffff : Reserved", "08000000-febfffff : PCI Bus 0000:00",
		"fec00000-fec003ff : IOAPIC 0", "fed00000-fed003ff : HPET 0",
		"  fed00000-fed003ff : PNP0103:00", "fffc0000-ffffffff : Reserved",
		"100000000-17fffffff : PCI Bus 0000:00", "fd00000000-ffffffffff : Reserved",
	};
	char line[256];
	const char *l;
	size_t i, found = 0;

	for (i = 0; i < sizeof(iomem_lines) / sizeof(iomem_lines[0]); i++) {
		if (find_line(buf, iomem_lines[i], line, sizeof(line)))
			found++;
		else
			printf("#   not shown: \"%s\"\n", iomem_lines[i]);
	}
	tap_eq_u64(found, 20, "print: every /proc/iomem line is shown, indented as in the file");
	l = find_line(buf, "00001000-0009fbff : System RAM", line, sizeof(line));
	tap_has_str(l, "\u2191", "print: DMA starts (up arrow) on the low System RAM line");
	tap_has_str(l, "Node 0 DMA", "print: ... labelled Node 0 DMA");
	tap_no_str(l, "DMA32", "print: ... and not DMA32");
	l = find_line(buf, "000c0000-000c05ff : Video ROM", line, sizeof(line));
	tap_has_str(l, "|", "print: Video ROM is inside DMA (a bar)");
	tap_no_str(l, "Node", "print: ... without a zone label");
	l = find_line(buf, "00100000-07fdffff : System RAM", line, sizeof(line));
	tap_has_str(l, "\u2193 \u2191", "print: DMA ends and DMA32 starts on the 1 MiB System RAM line");
	tap_has_str(l, "Node 0 DMA32", "print: ... labelled Node 0 DMA32");
	l = find_line(buf, "  01000000-01ffffff : Kernel code", line, sizeof(line));
	tap_has_str(l, "|", "print: Kernel code inside DMA32 (a bar)");
	tap_no_str(l, "\u2193", "print: ... where no zone ends");
	l = find_line(buf, "  036d6000-03bfffff : Kernel bss", line, sizeof(line));
	tap_has_str(l, "\u2193", "print: DMA32 ends (down arrow) on Kernel bss, its last line");
	tap_no_str(l, "\u2191", "print: ... where no zone starts");
	l = find_line(buf, "00000000-00000fff : Reserved", line, sizeof(line));
	tap_eq_str(l, "00000000-00000fff : Reserved", "print: PFN 0 Reserved line has no zone mark");
	l = find_line(buf, "07fe0000-07ffffff : Reserved", line, sizeof(line));
	tap_eq_str(l, "07fe0000-07ffffff : Reserved", "print: Reserved above RAM has no zone mark");
}

/* The summary of each zone: spans, RAM and holes, present and managed */
static void test_print_zones(const char *buf)
{
	char line[256];
	const char *l;

	l = find_line(buf, "Node 0 DMA ", line, sizeof(line));
	tap_has_str(l, "pfn 0x1-0xfff", "print: DMA summary gives the PFN span");
	tap_has_str(l, "phys 00001000-00ffffff", "print: DMA summary gives the physical span");
	tap_has_str(buf, "  spanned 4095 = 3998 System RAM + 97 hole\n",
		    "print: DMA spanned = RAM + holes");
	tap_has_str(buf, "  spanned 4095 = 3998 System RAM + 97 hole\n"
			 "  present 3998, managed 3840 (158 reserved)\n",
		    "print: DMA present and managed follow");
	l = find_line(buf, "Node 0 DMA32", line, sizeof(line));
	tap_has_str(l, "pfn 0x1000-0x7fdf", "print: DMA32 summary gives the PFN span");
	tap_has_str(l, "phys 01000000-07fdffff", "print: DMA32 summary gives the physical span");
	tap_has_str(buf, "  spanned 28640 = 28640 System RAM + 0 hole\n",
		    "print: DMA32 has no holes");
	tap_has_str(buf, "  spanned 28640 = 28640 System RAM + 0 hole\n"
			 "  present 28640, managed 18545 (10095 reserved)\n",
		    "print: DMA32 managed < present follows");
}

static void test_print(const struct physmap *pm)
{
	struct physmap empty = { 0 };
	const char *l, *nl;
	char *buf;
	size_t i;

	buf = print_str(pm);
	for (l = buf; l && *l; l = nl ? nl + 1 : NULL) {	/* show it as TAP diagnostics */
		nl = strchr(l, '\n');
		i = nl ? (size_t)(nl - l) : strlen(l);
		printf("#%s%.*s\n", i ? " " : "", (int)i, l);
	}
	test_print_iomem(buf);
	test_print_zones(buf);
	tap_lt_u64(max_columns(buf), 100, "print: lines under 100 columns");
	free(buf);

	buf = print_str(&empty);
	tap_eq_str(buf, "", "print: an empty physmap prints nothing");
	free(buf);
}

static void test_print_zones_only(void)
{
	struct physmap pm = { 0 };
	char *buf = NULL;

	if (parse_file(&pm, physmap__parse_zoneinfo, "zoneinfo-numa2.txt"))
		tap_bail("parse zoneinfo-numa2.txt failed (tested above)");
	buf = print_str(&pm);
	tap_has_str(buf, "Node 1 DMA32", "print: zoneinfo without iomem: node 1's zone summary");
	tap_has_str(buf, "phys 08000000-0ffdffff", "print: ... with its physical span");
	tap_no_str(buf, "System RAM", "print: ... and no iomem lines");
	free(buf);
	physmap__free(&pm);
}

int main(void)
{
	struct physmap pm = { 0 };

	data_dir = getenv("TEST_DATA_DIR");
	if (!data_dir || !*data_dir)
		data_dir = "tests/unit/data";

	test_iomem(&pm);
	test_zoneinfo(&pm);
	test_zone_of_pfn(&pm);
	test_pfn_is_ram(&pm);
	test_numa2();
	test_iomem_malformed(&pm);
	test_zoneinfo_malformed(&pm);
	test_edge_inputs();
	test_print(&pm);
	test_print_zones_only();
	physmap__free(&pm);
	return tap_finish();
}
