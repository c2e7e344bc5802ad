/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: /dev/memalloc from userspace.  Thin wrappers over the ioctls of
 * module/uapi/memalloc.h that return 0/-errno and print one clear line on
 * the errors a user can fix (module not loaded, not root).
 */
#ifndef __MEMTRACE_DEVICE_H
#define __MEMTRACE_DEVICE_H

#include <stdint.h>
#include "memalloc.h"

/* Open /dev/memalloc; on failure print why (and what to do), return -errno. */
int device__open(void);

/* ioctl(@fd, @cmd, @arg): 0 or -errno; for requests the wrappers below never make */
int device__ioctl(int fd, unsigned long cmd, void *arg);

int device__info(int fd, struct memalloc_info *info);

/* Allocate @size bytes with @kind (MEMALLOC_KIND_*); node < 0: any node. */
int device__alloc(int fd, uint32_t kind, uint64_t size, int node, struct memalloc_alloc *out);

/* Free; @latency_ns (may be NULL) gets the time the free call took. */
int device__free(int fd, uint64_t handle, uint64_t *latency_ns);

/*
 * Walk an allocation: *@entries gets a malloc'ed array of its pages,
 * *@nr their number.  Return 0 or -errno.
 */
int device__walk(int fd, uint64_t handle, struct memalloc_pte **entries, uint32_t *nr);

int device__bench(int fd, struct memalloc_bench *b);

/* Translate @addr level by level (MEMALLOC_IOC_VTOP) into @vt; 0 or -errno */
int device__vtop(int fd, uint64_t addr, struct memalloc_vtop *vt);

#endif /* __MEMTRACE_DEVICE_H */
