// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace: load and read bpf/alloclat.bpf.c.  The kernel's BTF decides
 * each hook's function: 6.10 renamed the allocator entry points with a
 * _noprof suffix, commit 7bd230a26648 ("mm/slab: enable slab allocation
 * tagging for kmalloc and friends"), commit b951aaff5035 ("mm: enable page
 * allocation tagging") and commit 88ae5fb755b0 ("mm: vmalloc: enable memory
 * allocation profiling"); a function the kernel lacks leaves
 * its pair unloaded, an attach the kernel refuses leaves it detached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/alloclat.h"
#include "alloclat.skel.h"
#include "lib/warn.h"
#include "trace/bpfutil.h"
#include "trace/clock.h"
#include "memalloc.h"

struct alloclat {
	struct alloclat_bpf *skel;
	struct bpf_link *links[2 * ALLOCLAT_NR_HOOKS];
	const char *func[ALLOCLAT_NR_HOOKS];	/* NULL: hook off */
	char note[512];
};

struct alloclat_target {
	const char *names[3];	/* newest first, NULL-terminated */
};

/* Indexed by ALLOCLAT_* */
static const struct alloclat_target alloclat_targets[ALLOCLAT_NR_HOOKS] = {
	[ALLOCLAT_KMALLOC] = { { "__kmalloc_noprof", "__kmalloc" } },
	[ALLOCLAT_KVMALLOC] = { { "__kvmalloc_node_noprof", "kvmalloc_node" } },
	[ALLOCLAT_VMALLOC] = { { "__vmalloc_noprof", "__vmalloc" } },
	[ALLOCLAT_ALLOC_PAGES] = { { "alloc_pages_noprof", "alloc_pages" } },
	[ALLOCLAT_CACHE_ALLOC] = { { "kmem_cache_alloc_noprof", "kmem_cache_alloc" } },
	[ALLOCLAT_KFREE] = { { "kfree" } },
	[ALLOCLAT_KVFREE] = { { "kvfree" } },
	[ALLOCLAT_VFREE] = { { "vfree" } },
	[ALLOCLAT_FREE_PAGES] = { { "__free_pages" } },
	[ALLOCLAT_CACHE_FREE] = { { "kmem_cache_free" } },
};

static void alloclat__progs(struct alloclat_bpf *skel, int hook, struct bpf_program **entry,
			    struct bpf_program **exit)
{
	struct bpf_program *p[ALLOCLAT_NR_HOOKS][2] = {
		[ALLOCLAT_KMALLOC] = { skel->progs.alloclat__kmalloc_entry,
				       skel->progs.alloclat__kmalloc_exit },
		[ALLOCLAT_KVMALLOC] = { skel->progs.alloclat__kvmalloc_entry,
					skel->progs.alloclat__kvmalloc_exit },
		[ALLOCLAT_VMALLOC] = { skel->progs.alloclat__vmalloc_entry,
				       skel->progs.alloclat__vmalloc_exit },
		[ALLOCLAT_ALLOC_PAGES] = { skel->progs.alloclat__alloc_pages_entry,
					   skel->progs.alloclat__alloc_pages_exit },
		[ALLOCLAT_CACHE_ALLOC] = { skel->progs.alloclat__cache_alloc_entry,
					   skel->progs.alloclat__cache_alloc_exit },
		[ALLOCLAT_KFREE] = { skel->progs.alloclat__kfree_entry,
				     skel->progs.alloclat__kfree_exit },
		[ALLOCLAT_KVFREE] = { skel->progs.alloclat__kvfree_entry,
				      skel->progs.alloclat__kvfree_exit },
		[ALLOCLAT_VFREE] = { skel->progs.alloclat__vfree_entry,
				     skel->progs.alloclat__vfree_exit },
		[ALLOCLAT_FREE_PAGES] = { skel->progs.alloclat__free_pages_entry,
					  skel->progs.alloclat__free_pages_exit },
		[ALLOCLAT_CACHE_FREE] = { skel->progs.alloclat__cache_free_entry,
					  skel->progs.alloclat__cache_free_exit },
	};

	*entry = p[hook][0];
	*exit = p[hook][1];
}

static void alloclat__add_note(struct alloclat *a, const char *fmt, ...)
{
	size_t len = strlen(a->note);
	va_list ap;

	if (len >= sizeof(a->note) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(a->note + len, sizeof(a->note) - len, fmt, ap);
	va_end(ap);
}

int alloclat__open(struct alloclat **out, pid_t tgid, bool verbose)
{
	struct bpf_program *entry, *exit;
	struct btf *btf = NULL;
	struct alloclat *a;
	int err, hook;

	*out = NULL;
	bpfutil__init(verbose);
	err = bpfutil__open_env(&btf);
	if (err)
		return err;
	a = calloc(1, sizeof(*a));
	if (!a) {
		btf__free(btf);
		return -ENOMEM;
	}
	a->skel = alloclat_bpf__open();
	if (!a->skel) {
		err = -errno;
		warn("opening the BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	a->skel->rodata->target_tgid = tgid;

	for (hook = 0; hook < ALLOCLAT_NR_HOOKS; hook++) {
		const char *name = bpfutil__first_func(btf, alloclat_targets[hook].names);

		alloclat__progs(a->skel, hook, &entry, &exit);
		if (!name) {
			bpf_program__set_autoload(entry, false);
			bpf_program__set_autoload(exit, false);
			alloclat__add_note(a, "%s%s: no such function", a->note[0] ? "; " : "",
					   alloclat_targets[hook].names[0]);
			continue;
		}
		err = bpf_program__set_attach_target(entry, 0, name);
		if (!err)
			err = bpf_program__set_attach_target(exit, 0, name);
		if (err) {
			warn("attach target %s: %s\n", name, strerror(-err));
			goto cleanup;
		}
		a->func[hook] = name;
	}

	err = alloclat_bpf__load(a->skel);
	if (err) {
		warn("the kernel rejected the latency programs: %s%s\n", strerror(-err),
		     verbose ? "" : " (-v shows the verifier log)");
		goto cleanup;
	}
	if (!a->skel->bss) {
		err = -EOPNOTSUPP;
		warn("the kernel cannot mmap BPF global data\n");
		goto cleanup;
	}
	btf__free(btf);
	*out = a;
	return 0;

cleanup:
	btf__free(btf);
	alloclat__close(a);
	return err;
}

static void alloclat__detach(struct alloclat *a)
{
	int i;

	for (i = 2 * ALLOCLAT_NR_HOOKS - 1; i >= 0; i--) {
		bpf_link__destroy(a->links[i]);
		a->links[i] = NULL;
	}
}

int alloclat__select(struct alloclat *a, uint32_t kind)
{
	struct bpf_program *entry, *exit;
	int i, hook, err;

	alloclat__detach(a);
	for (i = 0; i < 2; i++) {
		hook = alloclat__hook(a, kind, i);
		if (hook < 0)
			continue;
		alloclat__progs(a->skel, hook, &entry, &exit);
		a->links[2 * hook] = bpf_program__attach(entry);
		a->links[2 * hook + 1] = a->links[2 * hook] ? bpf_program__attach(exit) : NULL;
		if (!a->links[2 * hook + 1]) {
			/* e.g. -ENOTSUPP: the trampoline refuses this prototype (before 6.5) */
			err = -errno;
			bpf_link__destroy(a->links[2 * hook]);
			a->links[2 * hook] = NULL;
			alloclat__add_note(a, "%sfentry/fexit %s: %s", a->note[0] ? "; " : "",
					   a->func[hook], strerror(-err));
			a->func[hook] = NULL;
		}
	}
	memset(a->skel->bss->depth, 0, sizeof(a->skel->bss->depth));
	return 0;
}

int alloclat__hook(const struct alloclat *a, uint32_t kind, bool free)
{
	int hook;

	switch (kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		hook = free ? ALLOCLAT_KFREE : ALLOCLAT_KMALLOC;
		break;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		hook = free ? ALLOCLAT_VFREE : ALLOCLAT_VMALLOC;
		break;
	case MEMALLOC_KIND_KVMALLOC:
		hook = free ? ALLOCLAT_KVFREE : ALLOCLAT_KVMALLOC;
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		hook = free ? ALLOCLAT_FREE_PAGES : ALLOCLAT_ALLOC_PAGES;
		break;
	case MEMALLOC_KIND_KMEM_CACHE:
		hook = free ? ALLOCLAT_CACHE_FREE : ALLOCLAT_CACHE_ALLOC;
		break;
	default:
		return -1;
	}
	return a && a->func[hook] ? hook : -1;
}

const char *alloclat__func(const struct alloclat *a, int hook)
{
	if (!a || hook < 0 || hook >= ALLOCLAT_NR_HOOKS)
		return NULL;
	return a->func[hook];
}

const char *alloclat__note(const struct alloclat *a)
{
	return a ? a->note : "";
}

void alloclat__reset(struct alloclat *a)
{
	memset(a->skel->bss->nr_calls, 0, sizeof(a->skel->bss->nr_calls));
}

uint64_t alloclat__read(const struct alloclat *a, int hook, uint64_t *buf, uint32_t cap,
			uint32_t *kept)
{
	uint64_t n;

	*kept = 0;
	if (hook < 0 || hook >= ALLOCLAT_NR_HOOKS)
		return 0;
	n = a->skel->bss->nr_calls[hook];
	*kept = n < ALLOCLAT_MAX_SAMPLES ? n : ALLOCLAT_MAX_SAMPLES;
	if (*kept > cap)
		*kept = cap;
	memcpy(buf, a->skel->bss->samples[hook], *kept * sizeof(*buf));
	return n;
}

void alloclat__close(struct alloclat *a)
{

	if (!a)
		return;
	alloclat__detach(a);
	alloclat_bpf__destroy(a->skel);
	free(a);
}
