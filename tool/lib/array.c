// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: growing arrays (array.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "lib/array.h"

/* From here on an array is worth transparent huge pages */
#define ARRAY_HUGE	(4UL << 20)
#define ARRAY_PAGE	4096UL

/*
 * Ask for transparent huge pages under a big array (a million records of
 * a run is about 100 MB): filling it takes a page fault per 2 MB instead of
 * one per 4 KB, and the faults were most of the time spent taking records
 * in.  The range is widened to whole pages, which for an array malloc()
 * mapped on its own is the whole mapping: advising a part of it would split
 * it, and realloc() could no longer move it with mremap() but would copy.
 * Only a hint: where THP is off, madvise() fails and nothing changes.
 */
static void array__advise_huge(void *arr, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = (uintptr_t)arr & ~(ARRAY_PAGE - 1);
	uintptr_t end = ((uintptr_t)arr + bytes + ARRAY_PAGE - 1) & ~(ARRAY_PAGE - 1);

	madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)arr;
	(void)bytes;
#endif
}

int array__reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (!size || n > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*arr, n * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	if (n * size >= ARRAY_HUGE)
		array__advise_huge(p, n * size);
	return 0;
}
