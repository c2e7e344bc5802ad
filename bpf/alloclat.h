/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * alloclat: types shared by the allocator-latency programs (alloclat.bpf.c)
 * and the tool (tool/trace/clock.c).  Includes nothing, only __u32/__u64.
 */
#ifndef __BPF_ALLOCLAT_H
#define __BPF_ALLOCLAT_H

/* Hooked functions: one fentry + fexit pair each (index into the arrays) */
#define ALLOCLAT_KMALLOC	0	/* __kmalloc_noprof (6.10+) / __kmalloc */
#define ALLOCLAT_KVMALLOC	1	/* __kvmalloc_node_noprof / kvmalloc_node */
#define ALLOCLAT_VMALLOC	2	/* __vmalloc_noprof / __vmalloc */
#define ALLOCLAT_ALLOC_PAGES	3	/* alloc_pages_noprof / alloc_pages */
#define ALLOCLAT_CACHE_ALLOC	4	/* kmem_cache_alloc_noprof / kmem_cache_alloc */
#define ALLOCLAT_KFREE		5
#define ALLOCLAT_KVFREE		6
#define ALLOCLAT_VFREE		7
#define ALLOCLAT_FREE_PAGES	8	/* __free_pages */
#define ALLOCLAT_CACHE_FREE	9	/* kmem_cache_free */
#define ALLOCLAT_NR_HOOKS	10

/* Per-call samples kept per hook between two resets; later calls are only counted */
#define ALLOCLAT_MAX_SAMPLES	4096

#endif /* __BPF_ALLOCLAT_H */
