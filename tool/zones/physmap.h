/* SPDX-License-Identifier: GPL-2.0 */
/*
 * physmap - the physical address map as the kernel reports it: the resource tree of
 * /proc/iomem and the zone spans of /proc/zoneinfo, side by side, so a student can see that
 * a zone spans RAM *and* holes, and that only the RAM is "present".
 *
 * Pure C (libc only) so that tests/unit/test_physmap.c can drive it with canned files.
 */
#ifndef __PHYSMAP_H
#define __PHYSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "memalloc.h"

/* PFNs in /proc/zoneinfo are in units of PAGE_SIZE; the study guest is x86_64 (4 KiB) */
#define PHYSMAP_PAGE_SHIFT	12

/**
 * struct physmap_resource - one line of /proc/iomem
 * @start:	first byte
 * @end:	last byte, inclusive, as printed
 * @depth:	nesting level in the resource tree (the file indents 2 spaces per level)
 * @name:	owner, e.g. "System RAM", "Kernel code", "PCI Bus 0000:00"
 */
struct physmap_resource {
	uint64_t start;
	uint64_t end;
	unsigned int depth;
	char *name;
};

/*
 * A zone is described by the uapi's struct memalloc_zone, in the tool as in
 * the module: @start_pfn, @end_pfn (excluded; spanned = end - start, holes
 * included), @present_pages (spanned minus holes) and @managed_pages
 * (present minus boot-time reservations: what the buddy allocator owns).
 * From /proc/zoneinfo, @zone is the zone's index in its node.
 */

/**
 * struct physmap - parsed /proc/iomem and /proc/zoneinfo
 * @res:	iomem lines in file order (a pre-order walk of the resource tree)
 * @nr_res:	entries in @res
 * @zones:	populated zones in file order (node by node, then by zone index)
 * @nr_zones:	entries in @zones
 *
 * Zero-initialise before the first parse; release with physmap__free().
 */
struct physmap {
	struct physmap_resource *res;
	size_t nr_res;
	struct memalloc_zone *zones;
	size_t nr_zones;
};

/**
 * physmap__parse_iomem() - read a /proc/iomem listing
 * @pm:	physmap; its previous iomem contents are replaced on success, kept on error
 * @f:	open stream positioned at the first line
 *
 * Checks the resource-tree invariants: indentation by whole levels, no level skipped,
 * start <= end, children inside their parent, siblings sorted and disjoint. The all-zero
 * listing that non-root readers get is accepted (see physmap__iomem_is_censored()).
 *
 * Return: 0, -EINVAL on malformed or empty input, -ENOMEM, or -EIO on a read error.
 */
int physmap__parse_iomem(struct physmap *pm, FILE *f);

/**
 * physmap__parse_zoneinfo() - read a /proc/zoneinfo listing
 * @pm:	physmap; its previous zones are replaced on success, kept on error
 * @f:	open stream positioned at the first line
 *
 * Keeps only populated zones (present > 0). Every zone block must carry spanned, present
 * and managed once, present <= spanned, and a populated zone its "start_pfn:" line.
 *
 * Return: 0, -EINVAL on malformed or empty input, -ENOMEM, or -EIO on a read error.
 */
int physmap__parse_zoneinfo(struct physmap *pm, FILE *f);

/**
 * physmap__free() - release everything parsed; @pm is left zeroed and reusable
 * @pm:	physmap, may be zeroed or NULL
 */
void physmap__free(struct physmap *pm);

/**
 * physmap__zone_of_pfn() - the zone whose span [start_pfn, end_pfn) holds @pfn
 * @pm:		physmap
 * @pfn:	page frame number
 *
 * A PFN in a hole of the span still belongs to the zone. If node spans interleave, the
 * first match in file order wins.
 *
 * Return: the zone, or NULL if no populated zone spans @pfn.
 */
const struct memalloc_zone *physmap__zone_of_pfn(const struct physmap *pm, uint64_t pfn);

/**
 * physmap__pfn_is_ram() - whether the whole page @pfn lies in a top-level "System RAM" range
 * @pm:		physmap
 * @pfn:	page frame number
 *
 * Whole pages only, as the kernel's page_is_ram(): with RAM ending at 0x9fbff, PFN 0x9f
 * is not RAM.
 */
bool physmap__pfn_is_ram(const struct physmap *pm, uint64_t pfn);

/**
 * physmap__count_ram_pfns() - how many of [@start_pfn, @start_pfn + @nr_pfns) are RAM
 * @pm:		physmap
 * @start_pfn:	first PFN
 * @nr_pfns:	number of PFNs
 *
 * Return: the number of PFNs for which physmap__pfn_is_ram() holds.
 */
uint64_t physmap__count_ram_pfns(const struct physmap *pm, uint64_t start_pfn,
				 uint64_t nr_pfns);

/**
 * physmap__iomem_is_censored() - whether every iomem address reads as zero
 * @pm:	physmap
 *
 * The kernel prints 00000000-00000000 to readers without CAP_SYS_ADMIN.
 *
 * Return: true if there is at least one line and all of them are 0-0.
 */
bool physmap__iomem_is_censored(const struct physmap *pm);

/**
 * physmap__print() - /proc/iomem annotated with zone spans, then a per-zone summary
 * @pm:		physmap
 * @out:	stream
 *
 * Each zone gets a column right of the iomem text: U+2191 (up arrow) on the first line
 * its span touches, next to its "Node N ZONE" label, '|' below, U+2193 (down arrow) on the
 * last line, U+2195 if it touches a single line. Output is UTF-8 and under 100 columns
 * unless there are more than about 16 zones.
 */
void physmap__print(const struct physmap *pm, FILE *out);

#endif /* __PHYSMAP_H */
