// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: the tracer's hooks, their names and their text (hooks.h).
 */
#include <stdio.h>
#include <string.h>

#include "lib/hooks.h"

static const char *const hook_names[NR_HOOKS] = {
	[HOOK_KMEM] = "kmem",
	[HOOK_KMALLOC_NODE] = "kmalloc_node",
	[HOOK_KMEM_CACHE_ALLOC_NODE] = "kmem_cache_alloc_node",
	[HOOK_ALLOC_VMAP_AREA] = "alloc_vmap_area",
	[HOOK_VMALLOC] = "vmalloc",
	[HOOK_GET_VM_AREA] = "get_vm_area",
	[HOOK_VFREE] = "vfree",
};

static const char *const hook_attach_names[NR_HOOK_ATTACH] = {
	[HOOK_NOT_RECORDED] = "",
	[HOOK_ABSENT] = "absent",
	[HOOK_RAW_TP] = "raw_tp",
	[HOOK_FENTRY] = "fentry",
	[HOOK_FEXIT] = "fexit",
	[HOOK_KPROBE] = "kprobe",
	[HOOK_KRETPROBE] = "kretprobe",
};

const char *hook__name(uint32_t id)
{
	return id < NR_HOOKS ? hook_names[id] : "?";
}

int hook__from_name(const char *name)
{
	int i;

	for (i = 0; name && i < NR_HOOKS; i++) {
		if (!strcmp(name, hook_names[i]))
			return i;
	}
	return -1;
}

const char *hook__attach_name(uint32_t attach)
{
	return attach < NR_HOOK_ATTACH ? hook_attach_names[attach] : "";
}

uint32_t hook__attach_from_name(const char *name)
{
	uint32_t a;

	for (a = HOOK_ABSENT; name && a < NR_HOOK_ATTACH; a++) {
		if (!strcmp(name, hook_attach_names[a]))
			return a;
	}
	return HOOK_NOT_RECORDED;
}

bool hook__is_twin(uint32_t attach)
{
	return attach == HOOK_KPROBE || attach == HOOK_KRETPROBE;
}

const char *hook__format(const struct hook *h, char *buf, size_t len)
{
	if (h->attach == HOOK_NOT_RECORDED || h->attach >= NR_HOOK_ATTACH)
		snprintf(buf, len, "not recorded");
	else if (h->attach == HOOK_ABSENT || !h->target[0])
		snprintf(buf, len, "%s", hook__attach_name(h->attach));
	else
		snprintf(buf, len, "%s %s", hook__attach_name(h->attach), h->target);
	return buf;
}

bool hooks__recorded(const struct hook *hooks)
{
	int i;

	for (i = 0; i < NR_HOOKS; i++) {
		if (hooks[i].attach != HOOK_NOT_RECORDED)
			return true;
	}
	return false;
}

const char *hooks__describe(const struct hook *hooks, char *buf, size_t len)
{
	const struct hook *v = &hooks[HOOK_VMALLOC];

	snprintf(buf, len, "kmem: %s; vmap_area: %s; vmalloc: %s %s + %s __get_vm_area_node; "
		 "vfree: %s", hook__attach_name(hooks[HOOK_KMEM].attach),
		 hook__attach_name(hooks[HOOK_ALLOC_VMAP_AREA].attach),
		 hook__attach_name(v->attach), v->target[0] ? v->target : "-",
		 hook__attach_name(hooks[HOOK_GET_VM_AREA].attach),
		 hook__attach_name(hooks[HOOK_VFREE].attach));
	return buf;
}
