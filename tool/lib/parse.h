/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: parsing of command-line values (pure C, unit-tested).
 */
#ifndef __MEMTRACE_PARSE_H
#define __MEMTRACE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse a byte count: a decimal number with an optional K, M or G suffix
 * (powers of 1024, case-insensitive, optional trailing "B" or "iB"):
 * "4096", "4K", "2M", "1GiB".  Return 0 or -EINVAL (junk, zero, overflow).
 */
int parse_size(const char *s, uint64_t *out);

/*
 * Parse a comma-separated list of sizes into @out (capacity @max): count or
 * -EINVAL (also for an empty element: "64,", ",64", "64,,4K").
 */
int size__parse_list(const char *s, uint64_t *out, int max);

/* Parse a whole number in [min, max]; 0 or -EINVAL / -ERANGE. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Parse a comma-separated kind list ("kmalloc,vmalloc" or "all") into
 * @kinds (capacity @max); return the count or -EINVAL (also for an empty
 * element: "kmalloc,", ",kmalloc", "kmalloc,,vmalloc").
 */
int kind__parse_list(const char *s, uint32_t *kinds, int max);

/* A kernel release: "6.12.117+deb12-cloud-amd64" -> 6, 12; -EINVAL when it does not start so */
int release__parse(const char *release, int *major, int *minor);

/* Whether @release is @major.@minor or later; false when it cannot be read */
bool release__at_least(const char *release, int major, int minor);

/* Format @bytes as "64", "4K", "1.5M" into @buf; returns @buf. */
const char *size__format(uint64_t bytes, char *buf, int len);

#endif /* __MEMTRACE_PARSE_H */
