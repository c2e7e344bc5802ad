// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * alloclat: the latency of each allocator call, measured from outside the
 * module.  An fentry/fexit pair on the allocator and free functions that
 * memalloc.ko's BENCH calls; exit time minus entry time (bpf_ktime_get_ns,
 * the clock the module reads too) of every call of the target process is
 * stored in a per-hook sample array that userspace reads and resets around
 * each BENCH.  Attach targets are chosen by the tool from the kernel's BTF
 * (the _noprof renames of 6.10); the SEC names are 6.12's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "alloclat.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_tgid = 0;	/* 0: every process */

/*
 * Written by the programs, read and zeroed by userspace through the mmap'ed
 * .bss.  Only the study's own thread is timed (target_tgid, one thread):
 * plain globals instead of a per-thread hash map keep the map operations
 * out of the interval, and the non-atomic increment keeps the object within
 * BPF ISA v1 (no fetch-and-add).  start_tid guards against a stray thread.
 */
__u64 start_ns[ALLOCLAT_NR_HOOKS];
__u32 start_tid[ALLOCLAT_NR_HOOKS];
__u32 depth[ALLOCLAT_NR_HOOKS];	/* nesting: vfree() -> kvfree(pages) -> ... */
__u64 nr_calls[ALLOCLAT_NR_HOOKS];
__u64 samples[ALLOCLAT_NR_HOOKS][ALLOCLAT_MAX_SAMPLES];

static __always_inline bool alloclat__mine(void)
{
	return !target_tgid || (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

/*
 * The clock is read last on entry and first on exit: the interval holds as
 * little BPF as can be.  Only the outermost call of a hook is timed: a nested
 * call of the same function (kvfree() of a vmalloc'ed area frees its pages
 * array with kvfree()) belongs to the outer one.
 */
static __always_inline int alloclat__enter(__u32 hook)
{
	if (!alloclat__mine() || hook >= ALLOCLAT_NR_HOOKS)
		return 0;
	if (depth[hook]++)
		return 0;
	start_tid[hook] = (__u32)bpf_get_current_pid_tgid();
	start_ns[hook] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int alloclat__exit(__u32 hook)
{
	__u64 now = bpf_ktime_get_ns(), n;

	if (!alloclat__mine() || hook >= ALLOCLAT_NR_HOOKS || !depth[hook])
		return 0;
	if (--depth[hook] || !start_ns[hook] ||
	    start_tid[hook] != (__u32)bpf_get_current_pid_tgid())
		return 0;
	n = nr_calls[hook];
	if (n < ALLOCLAT_MAX_SAMPLES)
		samples[hook][n] = now - start_ns[hook];
	nr_calls[hook] = n + 1;
	start_ns[hook] = 0;
	return 0;
}

/* The arguments are not read: a context-free program attaches to any prototype. */
#define ALLOCLAT_HOOK(name, func, hook)						\
SEC("fentry/" #func)								\
int alloclat__##name##_entry(void *ctx)						\
{										\
	return alloclat__enter(hook);						\
}										\
SEC("fexit/" #func)								\
int alloclat__##name##_exit(void *ctx)						\
{										\
	return alloclat__exit(hook);						\
}

ALLOCLAT_HOOK(kmalloc, __kmalloc_noprof, ALLOCLAT_KMALLOC)
ALLOCLAT_HOOK(kvmalloc, __kvmalloc_node_noprof, ALLOCLAT_KVMALLOC)
ALLOCLAT_HOOK(vmalloc, __vmalloc_noprof, ALLOCLAT_VMALLOC)
ALLOCLAT_HOOK(alloc_pages, alloc_pages_noprof, ALLOCLAT_ALLOC_PAGES)
ALLOCLAT_HOOK(cache_alloc, kmem_cache_alloc_noprof, ALLOCLAT_CACHE_ALLOC)
ALLOCLAT_HOOK(kfree, kfree, ALLOCLAT_KFREE)
ALLOCLAT_HOOK(kvfree, kvfree, ALLOCLAT_KVFREE)
ALLOCLAT_HOOK(vfree, vfree, ALLOCLAT_VFREE)
ALLOCLAT_HOOK(free_pages, __free_pages, ALLOCLAT_FREE_PAGES)
ALLOCLAT_HOOK(cache_free, kmem_cache_free, ALLOCLAT_CACHE_FREE)
