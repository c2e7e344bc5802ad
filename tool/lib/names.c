// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: the names of kinds, levels, flags and events (names.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

#include "bpf/memtrace.h"
#include "lib/names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_names[] = MEMALLOC_KIND_NAMES;
_Static_assert(ARRAY_LEN(kind_names) == MEMALLOC_KIND_MAX + 1, "a name per kind");

static const char *const level_names[MEMALLOC_NR_LEVELS] = MEMALLOC_LEVEL_NAMES;

static const char *const event_names[MEMTRACE_EV_MAX] = {
	[MEMTRACE_EV_KMALLOC] = "kmalloc",
	[MEMTRACE_EV_KFREE] = "kfree",
	[MEMTRACE_EV_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[MEMTRACE_EV_KMEM_CACHE_FREE] = "kmem_cache_free",
	[MEMTRACE_EV_PAGE_ALLOC] = "mm_page_alloc",
	[MEMTRACE_EV_PAGE_FREE] = "mm_page_free",
	[MEMTRACE_EV_VMAP_AREA] = "alloc_vmap_area",
	[MEMTRACE_EV_VMALLOC] = "vmalloc",
	[MEMTRACE_EV_VMALLOC_PAGES] = "vmalloc_pages",
	[MEMTRACE_EV_VFREE] = "vfree",
	[MEMTRACE_EV_WALK_PAGES] = "walk_pages",
};

const char *kind__name(uint32_t kind)
{
	if (kind >= ARRAY_LEN(kind_names) || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

int kind__from_name(const char *name)
{
	unsigned int i;

	for (i = 1; i < ARRAY_LEN(kind_names); i++) {
		if (kind_names[i] && !strcmp(name, kind_names[i]))
			return i;
	}
	return -EINVAL;
}

const char *level__name(uint32_t level)
{
	return level < ARRAY_LEN(level_names) ? level_names[level] : "?";
}

const char *pte_flags__format(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, MEMALLOC_PTE_FLAGS_FMT, MEMALLOC_PTE_FLAGS_ARGS(flags));
	return buf;
}

static const char *const table_names[] = MEMALLOC_TABLE_NAMES;
static const char *const stop_names[] = MEMALLOC_STOP_NAMES;
static const char *const region_names[] = MEMALLOC_REGION_NAMES;

const char *table__name(uint32_t table)
{
	return table < ARRAY_LEN(table_names) ? table_names[table] : "?";
}

const char *stop__name(uint32_t stop)
{
	return stop < ARRAY_LEN(stop_names) ? stop_names[stop] : "?";
}

const char *region__name(uint32_t region)
{
	return region < ARRAY_LEN(region_names) ? region_names[region] : "?";
}

const char *event__name(uint32_t type)
{
	if (type >= MEMTRACE_EV_MAX || !event_names[type])
		return "-";
	return event_names[type];
}
