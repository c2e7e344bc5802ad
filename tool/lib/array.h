/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the one way a growing array grows (records, cells, zones, ...).
 */
#ifndef __MEMTRACE_ARRAY_H
#define __MEMTRACE_ARRAY_H

#include <stddef.h>

/*
 * array__reserve() - make room for @need elements of @size bytes
 * @arr:	the array (NULL to start); moved by realloc
 * @cap:	its capacity in elements; grows by doubling, from 8
 * @need:	elements the caller is about to use
 * @size:	bytes per element
 *
 * Returns 0, or -ENOMEM with *@arr and *@cap unchanged.  New room is not
 * cleared.
 */
int array__reserve(void **arr, size_t *cap, size_t need, size_t size);

#endif /* __MEMTRACE_ARRAY_H */
