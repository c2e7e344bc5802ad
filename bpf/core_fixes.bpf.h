/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: CO-RE drift of the allocator tracepoints and of struct vm_struct,
 * in one place.  Each check is a relocation resolved by libbpf at load time
 * against the running kernel's BTF; the branch not taken is dead code the
 * verifier never walks (so a raw_tp never reads an argument its kernel lacks).
 */
#ifndef __CORE_FIXES_BPF_H
#define __CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * commit 2c1d697fb8ba ("mm/slab_common: drop kmem_alloc & avoid dereferencing
 * fields when not using") dropped the kmem_alloc event class.  Before it,
 * kmem:kmalloc and kmem:kmem_cache_alloc were (call_site, ptr, bytes_req,
 * bytes_alloc, gfp_flags); after it kmem_cache_alloc is (call_site, ptr, s,
 * gfp_flags[, node]) and the sizes come from s->object_size and s->size.
 */
struct trace_event_raw_kmem_alloc___x {
	const void *ptr;
	size_t bytes_alloc;
} __attribute__((preserve_access_index));

static __always_inline bool has_kmem_alloc(void)
{
	return bpf_core_type_exists(struct trace_event_raw_kmem_alloc___x);
}

/*
 * commit 11e9734bcb6a ("mm/slab_common: unify NUMA and UMA version of
 * tracepoints") removed kmem:kmalloc_node and kmem:kmem_cache_alloc_node and
 * appended "int node" to kmem:kmalloc and kmem:kmem_cache_alloc.  Before it,
 * a raw_tp on kmalloc must not read ctx[5]: the attach would fail (the
 * program would read past the tracepoint's arguments).
 */
struct trace_event_raw_kmalloc___x {
	int node;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_cache_alloc___x {
	int node;
} __attribute__((preserve_access_index));

static __always_inline bool kmalloc_has_node(void)
{
	return bpf_core_field_exists(struct trace_event_raw_kmalloc___x, node);
}

static __always_inline bool kmem_cache_alloc_has_node(void)
{
	return bpf_core_field_exists(struct trace_event_raw_kmem_cache_alloc___x, node);
}

/*
 * commit 3544de8ee6e4 ("mm, tracing: record slab name for kmem_cache_free()")
 * gave kmem:kmem_cache_free its own (call_site, ptr, s) prototype; before it,
 * kfree and kmem_cache_free shared (call_site, ptr).  memtrace reads only the
 * first two arguments, which are the same in both.
 */

/*
 * struct vm_struct gained requested_size after 6.1: it is in the BTF of
 * Debian's 6.12 and not in that of 6.1.  Without it the requested size of a
 * vmalloc seen only by a kretprobe is vm->size minus the guard page.
 */
struct vm_struct___x {
	unsigned long requested_size;
	unsigned int page_order;
} __attribute__((preserve_access_index));

static __always_inline bool vm_struct_has_requested_size(void)
{
	return bpf_core_field_exists(struct vm_struct___x, requested_size);
}

/* vm_struct.page_order exists only with CONFIG_HAVE_ARCH_HUGE_VMALLOC. */
static __always_inline bool vm_struct_has_page_order(void)
{
	return bpf_core_field_exists(struct vm_struct___x, page_order);
}

#endif /* __CORE_FIXES_BPF_H */
