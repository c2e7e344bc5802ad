// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace: load, attach and read the BPF tracer (bpf/memtrace.bpf.c).
 *
 * One binary serves several kernels: before load the kernel's BTF decides
 * which programs load (absent tracepoints stay off) and which function a
 * fexit attaches to (renamed vmalloc core); at attach time a kretprobe twin
 * replaces a fexit the trampoline refuses (more than 6 arguments before
 * 6.5).  libbpf 1.1 API.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/memtrace.h"
#include "memtrace.skel.h"
#include "trace/tracer.h"

#define DEFAULT_RINGBUF_BYTES	(4UL << 20)

struct trace {
	struct memtrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[16];
	int nr_links;
	trace_event_fn fn;
	void *ctx;
	__u64 events[MEMTRACE_EV_MAX];
	char desc[256];
};

static bool trace_verbose;

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (!trace_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool btf__has(const struct btf *btf, const char *name, int kind)
{
	return btf__find_by_name_kind(btf, name, kind) >= 0;
}

static size_t ringbuf__round(size_t bytes)
{
	size_t sz = (size_t)sysconf(_SC_PAGESIZE);

	while (sz < bytes && sz < ((size_t)1 << 30))
		sz <<= 1;
	return sz;
}

static int trace__link(struct trace *t, struct bpf_link *link)
{
	if (!link)
		return -errno;
	if (t->nr_links >= (int)(sizeof(t->links) / sizeof(t->links[0]))) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	t->links[t->nr_links++] = link;
	return 0;
}

static int trace__attach_prog(struct trace *t, struct bpf_program *prog)
{
	if (!bpf_program__autoload(prog))
		return 0;
	return trace__link(t, bpf_program__attach(prog));
}

/*
 * Attach @fexit (if it loaded), else the kretprobe/kprobe @twin on @func.
 * Returns the variant attached ("fexit", "kretprobe", ...) or NULL, -errno
 * in *err.
 */
static const char *trace__attach_fallback(struct trace *t, struct bpf_program *fexit,
					  struct bpf_program *twin, const char *func,
					  bool retprobe, int *err)
{
	const char *tramp = retprobe ? "fexit" : "fentry";

	if (bpf_program__autoload(fexit)) {
		*err = trace__link(t, bpf_program__attach(fexit));
		if (!*err)
			return tramp;
		if (trace_verbose)
			fprintf(stderr, "memtrace: %s %s: %s, trying a %s\n", tramp, func,
				strerror(-*err), retprobe ? "kretprobe" : "kprobe");
	}
	*err = trace__link(t, bpf_program__attach_kprobe(twin, retprobe, func));
	if (*err)
		return NULL;
	return retprobe ? "kretprobe" : "kprobe";
}

static int trace__handle(void *ctx, void *data, size_t len)
{
	struct trace *t = ctx;
	const struct memtrace_event *e = data;

	if (len >= sizeof(__u64) + sizeof(__u32) && e->type < MEMTRACE_EV_MAX)
		t->events[e->type]++;
	return t->fn ? t->fn(t->ctx, data, len) : 0;
}

int trace__open(struct trace **tp, const struct trace_opts *opts, trace_event_fn fn, void *ctx)
{
	const char *vmalloc_fn, *v_gva, *v_vmalloc, *v_vfree;
	struct memtrace_bpf *skel = NULL;
	struct btf *vmlinux_btf = NULL;
	struct trace *t = NULL;
	struct statfs sfs;
	int err;

	*tp = NULL;
	trace_verbose = opts->verbose;
	libbpf_set_print(libbpf_print_fn);

	if (geteuid() != 0) {
		fprintf(stderr, "memtrace: tracing needs root (CAP_BPF and CAP_PERFMON)\n");
		return -EPERM;
	}
	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf) {
		err = -errno;
		fprintf(stderr, "memtrace: kernel has no BTF (/sys/kernel/btf/vmlinux): %s\n",
			strerror(-err));
		return err;
	}
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "memtrace: bpffs is not mounted at /sys/fs/bpf "
			"(mount -t bpf bpf /sys/fs/bpf)\n");
		err = -ENOENT;
		goto cleanup;
	}

	t = calloc(1, sizeof(*t));
	if (!t) {
		err = -ENOMEM;
		fprintf(stderr, "memtrace: %s\n", strerror(-err));
		goto cleanup;
	}
	t->fn = fn;
	t->ctx = ctx;

	skel = memtrace_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "memtrace: opening the BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	t->skel = skel;
	skel->rodata->target_tgid = opts->tgid > 0 ? (__u32)opts->tgid : 0;
	skel->rodata->min_size = opts->min_size;
	skel->rodata->call_site_lo = opts->call_site_lo;
	skel->rodata->call_site_hi = opts->call_site_hi;
	skel->rodata->call_site2_lo = opts->call_site2_lo;
	skel->rodata->call_site2_hi = opts->call_site2_hi;
	err = bpf_map__set_max_entries(skel->maps.events,
				       ringbuf__round(opts->ringbuf_bytes ? opts->ringbuf_bytes :
							DEFAULT_RINGBUF_BYTES));
	if (err) {
		fprintf(stderr, "memtrace: ring buffer size: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Tracepoints this kernel lacks: a raw_tp on them would fail to load */
	if (!btf__has(vmlinux_btf, "btf_trace_alloc_vmap_area", BTF_KIND_TYPEDEF))
		bpf_program__set_autoload(skel->progs.memtrace__alloc_vmap_area, false);
	if (!btf__has(vmlinux_btf, "btf_trace_kmalloc_node", BTF_KIND_TYPEDEF))
		bpf_program__set_autoload(skel->progs.memtrace__kmalloc_node, false);
	if (!btf__has(vmlinux_btf, "btf_trace_kmem_cache_alloc_node", BTF_KIND_TYPEDEF))
		bpf_program__set_autoload(skel->progs.memtrace__kmem_cache_alloc_node, false);

	/* commit 88ae5fb755b0 ("mm: vmalloc: enable memory allocation profiling") */
	vmalloc_fn = "__vmalloc_node_range_noprof";
	if (!btf__has(vmlinux_btf, vmalloc_fn, BTF_KIND_FUNC))
		vmalloc_fn = "__vmalloc_node_range";
	if (btf__has(vmlinux_btf, vmalloc_fn, BTF_KIND_FUNC)) {
		err = bpf_program__set_attach_target(skel->progs.memtrace__vmalloc_node_range, 0,
						     vmalloc_fn);
		if (err) {
			fprintf(stderr, "memtrace: fexit target %s: %s\n", vmalloc_fn,
				strerror(-err));
			goto cleanup;
		}
	} else {
		bpf_program__set_autoload(skel->progs.memtrace__vmalloc_node_range, false);
	}
	if (!btf__has(vmlinux_btf, "__get_vm_area_node", BTF_KIND_FUNC))
		bpf_program__set_autoload(skel->progs.memtrace__get_vm_area_node, false);
	if (!btf__has(vmlinux_btf, "vfree", BTF_KIND_FUNC))
		bpf_program__set_autoload(skel->progs.memtrace__vfree, false);

	err = memtrace_bpf__load(skel);
	if (err) {
		if (err == -EPERM)
			fprintf(stderr, "memtrace: loading the BPF programs: %s "
				"(need CAP_BPF, CAP_PERFMON)\n", strerror(-err));
		else
			fprintf(stderr, "memtrace: the kernel rejected the BPF programs: %s%s\n",
				strerror(-err),
				trace_verbose ? "" : " (-v shows the verifier log)");
		goto cleanup;
	}

	{
		struct bpf_program *raw[] = {
			skel->progs.memtrace__kmalloc,
			skel->progs.memtrace__kmalloc_node,
			skel->progs.memtrace__kmem_cache_alloc,
			skel->progs.memtrace__kmem_cache_alloc_node,
			skel->progs.memtrace__kfree,
			skel->progs.memtrace__kmem_cache_free,
			skel->progs.memtrace__mm_page_alloc,
			skel->progs.memtrace__mm_page_free,
			skel->progs.memtrace__alloc_vmap_area,
		};
		size_t i;

		for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
			err = trace__attach_prog(t, raw[i]);
			if (err) {
				fprintf(stderr, "memtrace: attaching %s: %s\n",
					bpf_program__name(raw[i]), strerror(-err));
				goto cleanup;
			}
		}
	}
	/* Stash before the vmalloc exit hook, so no area is missed */
	v_gva = trace__attach_fallback(t, skel->progs.memtrace__get_vm_area_node,
				       skel->progs.memtrace__get_vm_area_node_kret,
				       "__get_vm_area_node", true, &err);
	if (!v_gva) {
		fprintf(stderr, "memtrace: attaching to __get_vm_area_node: %s\n", strerror(-err));
		goto cleanup;
	}
	v_vmalloc = trace__attach_fallback(t, skel->progs.memtrace__vmalloc_node_range,
					   skel->progs.memtrace__vmalloc_node_range_kret,
					   vmalloc_fn, true, &err);
	if (!v_vmalloc) {
		fprintf(stderr, "memtrace: attaching to %s: %s\n", vmalloc_fn, strerror(-err));
		goto cleanup;
	}
	v_vfree = trace__attach_fallback(t, skel->progs.memtrace__vfree,
					 skel->progs.memtrace__vfree_kprobe, "vfree", false, &err);
	if (!v_vfree) {
		fprintf(stderr, "memtrace: attaching to vfree: %s\n", strerror(-err));
		goto cleanup;
	}

	t->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), trace__handle, t, NULL);
	if (!t->rb) {
		err = -errno;
		fprintf(stderr, "memtrace: ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}

	snprintf(t->desc, sizeof(t->desc),
		 "kmem: raw_tp; vmap_area: %s; vmalloc: %s %s + %s __get_vm_area_node; vfree: %s",
		 bpf_program__autoload(skel->progs.memtrace__alloc_vmap_area) ? "raw_tp" :
		 "absent", v_vmalloc, vmalloc_fn, v_gva, v_vfree);
	btf__free(vmlinux_btf);
	*tp = t;
	return 0;

cleanup:
	btf__free(vmlinux_btf);
	trace__close(t);
	return err;
}

int trace__poll(struct trace *t, int timeout_ms)
{
	int err = ring_buffer__poll(t->rb, timeout_ms);

	return err == -EINTR ? 0 : err;
}

int trace__stats(struct trace *t, struct memtrace_counters *st)
{
	int ncpus = libbpf_num_possible_cpus();
	struct bpf_program *prog;
	__u64 *vals;
	__u32 key;
	int i, err = 0;

	memset(st, 0, sizeof(*st));
	memcpy(st->events, t->events, sizeof(st->events));
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (key = 0; key < MEMTRACE_CNT_MAX; key++) {
		__u64 sum = 0;

		if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.counters), &key, vals)) {
			err = -errno;
			goto cleanup;
		}
		for (i = 0; i < ncpus; i++)
			sum += vals[i];
		if (key == MEMTRACE_CNT_DROPS)
			st->drops = sum;
		else if (key == MEMTRACE_CNT_TRUNCATED)
			st->truncated = sum;
	}
	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = -errno;
			goto cleanup;
		}
		st->recursion_misses += info.recursion_misses;
	}
cleanup:
	free(vals);
	return err;
}

const char *trace__describe(struct trace *t)
{
	return t->desc;
}

void trace__close(struct trace *t)
{
	int i;

	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (i = t->nr_links - 1; i >= 0; i--)
		bpf_link__destroy(t->links[i]);
	memtrace_bpf__destroy(t->skel);
	free(t);
}
