/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the tracer's hooks, named once.  The tracer (trace/tracer.c)
 * fills a struct hook per HOOK_* with what it attached on the running
 * kernel; the study records them (study/study.c, "hooks" in its JSON
 * conditions) and the comparison of two studies sets them side by side
 * (render/compare.c).  Pure C.
 */
#ifndef __MEMTRACE_HOOKS_H
#define __MEMTRACE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hooks; each name (hook__name()) is its key in JSON */
#define HOOK_KMEM		0	/* kmem tracepoints every kernel has */
#define HOOK_KMALLOC_NODE	1	/* kmem:kmalloc_node */
#define HOOK_KMEM_CACHE_ALLOC_NODE 2	/* kmem:kmem_cache_alloc_node */
#define HOOK_ALLOC_VMAP_AREA	3	/* vmalloc:alloc_vmap_area */
#define HOOK_VMALLOC		4	/* the vmalloc core, at its return */
#define HOOK_GET_VM_AREA	5	/* __get_vm_area_node, at its return */
#define HOOK_VFREE		6	/* vfree, at its entry */
#define NR_HOOKS		7

/* How a hook is attached (struct hook.attach) */
#define HOOK_NOT_RECORDED	0	/* a study from before hooks were recorded */
#define HOOK_ABSENT		1	/* the kernel lacks it: nothing attached */
#define HOOK_RAW_TP		2
#define HOOK_FENTRY		3
#define HOOK_FEXIT		4
#define HOOK_KPROBE		5
#define HOOK_KRETPROBE		6
#define NR_HOOK_ATTACH		7

/* The kmem tracepoints of HOOK_KMEM, as its target */
#define HOOK_KMEM_TARGET \
	"kmem:kmalloc,kmem_cache_alloc,kfree,kmem_cache_free,mm_page_alloc,mm_page_free"

/**
 * struct hook - how the tracer attached one HOOK_*
 * @attach:	HOOK_NOT_RECORDED ... HOOK_KRETPROBE
 * @target:	the tracepoint ("vmalloc:alloc_vmap_area") or the function
 *		("__vmalloc_node_range_noprof"); "" when absent or not recorded
 */
struct hook {
	uint32_t attach;
	char target[96];
};

/* "kmem", "kmalloc_node", ..., "vfree" for HOOK_*, or "?" */
const char *hook__name(uint32_t id);

/* HOOK_* named @name, or -1 */
int hook__from_name(const char *name);

/* "raw_tp", "fexit", "kretprobe", "absent", ...; "" for HOOK_NOT_RECORDED */
const char *hook__attach_name(uint32_t attach);

/* HOOK_ABSENT ... HOOK_KRETPROBE named @name; HOOK_NOT_RECORDED for any other */
uint32_t hook__attach_from_name(const char *name);

/* Whether @attach is the kprobe twin of a trampoline (kprobe, kretprobe) */
bool hook__is_twin(uint32_t attach);

/* One hook as text: "fexit __vmalloc_node_range_noprof", "absent", "not recorded" */
const char *hook__format(const struct hook *h, char *buf, size_t len);

/* Whether @hooks (NR_HOOKS) were recorded: any attach other than HOOK_NOT_RECORDED */
bool hooks__recorded(const struct hook *hooks);

/*
 * The tracer's one-line summary of @hooks (NR_HOOKS), as `memtrace run`
 * prints it: "kmem: raw_tp; vmap_area: raw_tp; vmalloc: fexit
 * __vmalloc_node_range_noprof + fexit __get_vm_area_node; vfree: fentry"
 */
const char *hooks__describe(const struct hook *hooks, char *buf, size_t len);

#endif /* __MEMTRACE_HOOKS_H */
