/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: one way to complain, and one table of exit statuses for every
 * command of memtrace and memtrace-render (README, "Exit status").
 */
#ifndef __MEMTRACE_WARN_H
#define __MEMTRACE_WARN_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* One line on stderr: "memtrace: what failed: why (what to do)\n" */
#define warn(...) fprintf(stderr, "memtrace: " __VA_ARGS__)

/*
 * Exit statuses.  EXIT_SUCCESS (0): done, and the result is good.
 * EXIT_FAILURE (1): done, but the result is not: a verdict other than
 * "agree", an allocation or a write that failed.  EXIT_ENV (4, kselftest's
 * KSFT_SKIP): this system cannot do it: memalloc.ko not loaded, not root, no
 * BTF, no bpffs, programs the kernel refuses.  EXIT_USAGE (64, EX_USAGE,
 * argp's): a bad command line.
 */
#define EXIT_ENV	4
#define EXIT_USAGE	64

/* The exit status for a -errno from opening the device or the tracer */
static inline int exit_status_of(int err)
{
	switch (-err) {
	case 0:
		return EXIT_SUCCESS;
	case ENOENT:	/* no device, no BTF, no bpffs */
	case EPERM:
	case EACCES:
	case EOPNOTSUPP:
	case 524:	/* the kernel's ENOTSUPP: an attach it refuses */
		return EXIT_ENV;
	default:
		return EXIT_FAILURE;
	}
}

#endif /* __MEMTRACE_WARN_H */
