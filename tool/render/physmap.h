/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace-render --physmap: the physical map of 'memtrace report -j' as SVG.
 */
#ifndef __MEMTRACE_RENDER_PHYSMAP_H
#define __MEMTRACE_RENDER_PHYSMAP_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/* Draw the report document @text into @f; 0, -EINVAL (not a report), -EIO */
int physmap__svg(const char *text, size_t len, FILE *f);

#endif /* __MEMTRACE_RENDER_PHYSMAP_H */
