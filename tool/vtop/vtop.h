/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace vtop: one kernel virtual address translated level by level, as
 * the MMU does it: how the bits of the address select an entry in each
 * table, what each entry holds, where the walk stops, and the physical
 * address.  Pure C (formatting and checks of a struct memalloc_vtop),
 * unit-tested.
 */
#ifndef __MEMTRACE_VTOP_H
#define __MEMTRACE_VTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/json.h"
#include "memalloc.h"

/*
 * The address rebuilt from the indices of @vt's levels and @vt->addr's page
 * offset, sign-extended from the top bit the paging uses (bit 47 or 56):
 * equal to @vt->addr when the walk read every level down to a 4K leaf.
 * Levels not read (a huge leaf, a stop) contribute @vt->addr's own bits.
 */
uint64_t vtop__recompose(const struct memalloc_vtop *vt);

/* The raw bits of a page-table entry as "P RW USR PWT PCD A D PSE GLB NX" */
const char *vtop__entry_flags(uint64_t entry, char *buf, size_t len);

/* The step-by-step text for people (under 80 columns) */
void vtop__print(const struct memalloc_vtop *vt, FILE *out);

/* One JSON object for @vt (inside the caller's document) */
void vtop__json(const struct memalloc_vtop *vt, struct json *j);

#endif /* __MEMTRACE_VTOP_H */
