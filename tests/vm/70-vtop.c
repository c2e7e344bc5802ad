// SPDX-License-Identifier: GPL-2.0
/*
 * MEMALLOC_IOC_VTOP: one address translated level by level.  For every
 * allocator, kernel text, module text, the direct map and a vmalloc area:
 * the walk ends in a leaf whose frame is WALK's and the kernel helper's,
 * and the indices it read rebuild the address.  A non-canonical or an
 * unmapped address says where and why the walk stopped; user addresses,
 * vmalloc memory the device does not hold and malformed requests are
 * refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/device.h"
#include "memalloc.h"
#include "tap.h"

static struct memalloc_info info;

/* The address rebuilt from the indices read, computed here on its own */
static uint64_t rebuild(const struct memalloc_vtop *vt)
{
	unsigned int top = vt->paging_levels == 5 ? 56 : 47, low = 64, i;
	uint64_t a = 0;

	for (i = 0; i < vt->nr_levels; i++) {
		a |= (uint64_t)vt->levels[i].index << vt->levels[i].shift;
		low = vt->levels[i].shift < low ? vt->levels[i].shift : low;
	}
	a |= vt->addr & ((1ULL << low) - 1);
	return (a & (1ULL << top)) ? a | ~((1ULL << (top + 1)) - 1) : a;
}

/* A leaf translation of @addr: frame = @want_pfn (unless ~0) = helper, region */
static void check_leaf(int fd, const char *what, uint64_t addr, uint64_t want_pfn,
		       uint32_t want_level, uint32_t want_region)
{
	struct memalloc_vtop vt;

	if (!tap_err(device__vtop(fd, addr, &vt), 0, "%s: VTOP succeeds", what))
		return;
	tap_eq_u64(vt.stop, MEMALLOC_STOP_LEAF, "%s: the walk ends in a leaf", what);
	tap_eq_u64(vt.paging_levels, info.levels, "%s: paging levels as INFO says", what);
	if (want_pfn != ~0ULL)
		tap_eq_u64(vt.pfn, want_pfn, "%s: the frame is WALK's", what);
	tap_eq_u64(vt.pfn, vt.helper_pfn, "%s: the frame is the kernel helper's", what);
	if (want_level)
		tap_eq_u64(vt.level, want_level, "%s: the leaf level is WALK's", what);
	tap_eq_u64(vt.pa, (vt.pfn << 12) | (addr & 4095), "%s: pa = pfn and page offset", what);
	tap_eq_u64(rebuild(&vt), addr, "%s: the indices rebuild the address", what);
	tap_eq_u64(vt.region, want_region, "%s: region", what);
	tap_eq_u64(vt.levels[vt.nr_levels - 1].entry & 1, 1, "%s: the leaf entry is present",
		   what);
}

static void test_kinds(int fd)
{
	static const struct { uint32_t kind; uint64_t size; uint32_t region; } k[] = {
		{ MEMALLOC_KIND_KMALLOC, 64, MEMALLOC_REGION_DIRECT_MAP },
		{ MEMALLOC_KIND_KZALLOC, 4096, MEMALLOC_REGION_DIRECT_MAP },
		{ MEMALLOC_KIND_VMALLOC, 16384, MEMALLOC_REGION_VMALLOC },
		{ MEMALLOC_KIND_VZALLOC, 8192, MEMALLOC_REGION_VMALLOC },
		{ MEMALLOC_KIND_KVMALLOC, 16384, MEMALLOC_REGION_DIRECT_MAP },
		{ MEMALLOC_KIND_ALLOC_PAGES, 8192, MEMALLOC_REGION_DIRECT_MAP },
		{ MEMALLOC_KIND_KMEM_CACHE, 1000, MEMALLOC_REGION_DIRECT_MAP },
	};
	struct memalloc_alloc a;
	struct memalloc_pte *pages;
	uint32_t nr;
	char what[64];
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(what, sizeof(what), "kind %u (%llu B)", k[i].kind,
			 (unsigned long long)k[i].size);
		if (device__alloc(fd, k[i].kind, k[i].size, -1, &a))
			tap_bail("set-up ALLOC %s: %s", what, strerror(errno));
		if (device__walk(fd, a.handle, &pages, &nr) || !nr)
			tap_bail("set-up WALK %s", what);
		check_leaf(fd, what, a.addr, pages[0].pfn, pages[0].level, k[i].region);
		free(pages);
		device__free(fd, a.handle, NULL);
	}
}

/* The address of a symbol in /proc/kallsyms, or 0 */
static uint64_t kallsym(const char *name)
{
	char line[256], sym[128], type;
	unsigned long long addr = 0, v;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &v, &type, sym) == 3 && !strcmp(sym, name)) {
			addr = v;
			break;
		}
	}
	fclose(f);
	return addr;
}

/* The base of memalloc.ko's text, from /proc/modules, or 0 */
static uint64_t module_base(void)
{
	char line[512], name[64];
	unsigned long long size, base = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size, &base) == 3 &&
		    !strcmp(name, "memalloc"))
			break;
		base = 0;
	}
	fclose(f);
	return base;
}

static void test_places(int fd)
{
	uint64_t text = kallsym("_text"), mod = module_base();

	if (!text || !mod)
		tap_bail("no _text in /proc/kallsyms (%#llx) or memalloc in /proc/modules (%#llx)",
			 (unsigned long long)text, (unsigned long long)mod);
	check_leaf(fd, "kernel text (_text)", text, ~0ULL, 0, MEMALLOC_REGION_KERNEL_TEXT);
	check_leaf(fd, "module text (memalloc.ko)", mod, ~0ULL, 0, MEMALLOC_REGION_MODULES);
	check_leaf(fd, "direct map at PAGE_OFFSET + 1 MiB", info.page_offset + 0x100000, 0x100,
		   0, MEMALLOC_REGION_DIRECT_MAP);
}

static void test_stops(int fd)
{
	struct memalloc_vtop vt;
	/* Far beyond the guest's RAM, inside the direct map's range */
	uint64_t hole = info.page_offset + (1ULL << 44);

	tap_err(device__vtop(fd, 0x8000000000000000ULL, &vt), 0, "non-canonical: VTOP answers");
	tap_eq_u64(vt.stop, MEMALLOC_STOP_NONCANONICAL, "non-canonical: says why it stopped");
	tap_eq_u64(vt.nr_levels, 0, "non-canonical: no table read");
	tap_eq_u64(vt.region, MEMALLOC_REGION_NONCANONICAL, "non-canonical: region");
	tap_eq_u64(vt.pfn, ~0ULL, "non-canonical: no frame");

	tap_err(device__vtop(fd, hole, &vt), 0, "unmapped: VTOP answers");
	tap_eq_u64(vt.stop, MEMALLOC_STOP_NOT_PRESENT, "unmapped: stops at a non-present entry");
	tap_ge_u64(vt.nr_levels, 1, "unmapped: says at which table");
	if (vt.nr_levels)
		tap_eq_u64(vt.levels[vt.nr_levels - 1].entry & 1, 0,
			   "unmapped: the last entry read has P=0");
	tap_eq_u64(vt.level, MEMALLOC_LEVEL_NONE, "unmapped: no leaf");
	tap_eq_u64(vt.pfn, ~0ULL, "unmapped: no frame");
	tap_eq_u64(rebuild(&vt), hole, "unmapped: the indices read rebuild the address");
}

static void test_refusals(int fd)
{
	struct memalloc_vtop vt;

	tap_err(device__vtop(fd, 0x400000, &vt), -EINVAL, "a user address: EINVAL");
	tap_err(device__vtop(fd, info.vmalloc_start, &vt), -EINVAL,
		"vmalloc memory the device does not hold: EINVAL");
	memset(&vt, 0, sizeof(vt));
	vt.addr = info.page_offset;
	vt.flags = 1;
	tap_err(device__ioctl(fd, MEMALLOC_IOC_VTOP, &vt), -EINVAL, "flags set: EINVAL");
	memset(&vt, 0, sizeof(vt));
	vt.addr = info.page_offset;
	vt.pfn = 5;
	tap_err(device__ioctl(fd, MEMALLOC_IOC_VTOP, &vt), -EINVAL, "an out field set: EINVAL");
	tap_err(device__ioctl(fd, MEMALLOC_IOC_VTOP, (void *)8), -EFAULT, "a bad pointer: EFAULT");
}

int main(void)
{
	int fd = device__open();

	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(-fd));
	if (device__info(fd, &info))
		tap_bail("INFO failed");
	test_kinds(fd);
	test_places(fd);
	test_stops(fd);
	test_refusals(fd);
	close(fd);
	return tap_finish();
}
