// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace: load, attach and read the BPF tracer (bpf/memtrace.bpf.c).
 *
 * One binary serves several kernels.  Before load the kernel's BTF decides
 * which programs load (absent tracepoints stay off) and which function a
 * fexit attaches to (the renamed vmalloc core).  Each fexit and its
 * kretprobe twin both load where the fexit loads, and the attach decides
 * (the trampoline refuses more than 6 arguments before 6.5): a probe attach
 * before load would cost a trampoline's detach, two RCU tasks grace periods
 * (about 0.1 s each under TCG), per hook; for that same cost at exit,
 * trace_opts.kprobes skips the trampolines.  The skeleton owns every link.
 * libbpf 1.1 API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/memtrace.h"
#include "lib/hooks.h"
#include "lib/warn.h"
#include "trace/unwind.h"
#include "ksyms.skel.h"
#include "memtrace.skel.h"
#include "trace/bpfutil.h"
#include "trace/tracer.h"

#define DEFAULT_RINGBUF_BYTES	(4UL << 20)
/*
 * The reader is woken when this share of the ring buffer waits (see
 * wakeup_bytes in memtrace.bpf.c): 1/4, leaving 3/4 for the events that
 * come before it is scheduled
 */
#define WAKEUP_SHARE	4

/*
 * A hook with two variants: a trampoline (fexit/fentry) and its kprobe twin
 * for kernels whose trampoline refuses the function.  Both load where the
 * trampoline loads (else the twin alone); exactly one attaches, the
 * trampoline if it can, and the choice is kept in trace.hooks[@hook].
 */
struct trace_pair {
	struct bpf_program *tramp;
	struct bpf_program *twin;
	struct bpf_link **tramp_link;	/* in the skeleton, which destroys them */
	struct bpf_link **twin_link;
	const char *func;	/* NULL: the kernel lacks it, neither loads */
	bool ret;		/* fexit/kretprobe (else fentry/kprobe) */
	uint32_t hook;		/* HOOK_* */
};

enum { PAIR_GET_VM_AREA, PAIR_VMALLOC, PAIR_VFREE, NR_PAIRS };

struct trace {
	struct memtrace_bpf *skel;
	struct ring_buffer *rb;
	/* trace_opts.run_fn: the per-CPU rings, mapped */
	rings_run_fn run_fn;
	struct rings rings;
	size_t rings_ev_bytes;
	size_t rings_ctl_bytes;
	struct trace_pair pairs[NR_PAIRS];
	struct hook hooks[NR_HOOKS];
	trace_event_fn fn;
	void *ctx;
	__u64 events[MEMTRACE_EV_MAX];
	char desc[256];
	/* the page-caller unwinder's table until it is in its map */
	struct memtrace_unwind_entry *unwind;
	__u32 unwind_log2;
};

static size_t ringbuf__round(size_t bytes)
{
	size_t sz = (size_t)sysconf(_SC_PAGESIZE);

	while (sz < bytes && sz < ((size_t)1 << 30))
		sz <<= 1;
	return sz;
}

static int trace__handle(void *ctx, void *data, size_t len)
{
	struct trace *t = ctx;
	const struct memtrace_event *e = data;

	if (len >= sizeof(__u64) + sizeof(__u32)) {
		if (e->type == MEMTRACE_EV_RING_WAKE)
			return 0;
		if (e->type < MEMTRACE_EV_MAX)
			t->events[e->type]++;
	}
	return t->fn ? t->fn(t->ctx, data, len) : 0;
}

/* A run from the per-CPU rings: counted, then to trace_opts.run_fn */
static int trace__handle_run(void *ctx, const struct memtrace_rec *ev, size_t n)
{
	struct trace *t = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].type < MEMTRACE_EV_MAX)
			t->events[ev[i].type]++;
	}
	return t->run_fn(t->ctx, ev, n);
}

/* The per-CPU rings' sizes, before load (trace_opts.run_fn); the ring buffer's left */
static int trace__configure_rings(struct memtrace_bpf *skel, const struct trace_opts *opts,
				  size_t *rb)
{
	int ncpus = libbpf_num_possible_cpus(), err;
	__u32 slots;

	if (!opts->run_fn)
		return 0;
	if (ncpus < 0)
		return ncpus;
	slots = rings__slots_for(*rb, ncpus);
	skel->rodata->ring_slots = slots;
	err = bpf_map__set_max_entries(skel->maps.ring_events, ncpus * rings__cpu_slots(slots));
	err = err ?: bpf_map__set_max_entries(skel->maps.ring_ctl, ncpus);
	if (err)
		warn("per-CPU ring sizes: %s\n", strerror(-err));
	/* the ring buffer keeps vmalloc's records and the rings' wake-ups */
	*rb /= 4;
	return err;
}

/* @bytes rounded up to whole pages, as mmap() of a map takes them */
static size_t page__round(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (bytes + page - 1) / page * page;
}

/* Map the per-CPU rings, after load */
static int trace__map_rings(struct trace *t)
{
	struct memtrace_bpf *skel = t->skel;
	__u32 slots = skel->rodata->ring_slots;
	int ncpus = (int)bpf_map__max_entries(skel->maps.ring_ctl), err;
	void *ev, *ctl;

	t->rings_ev_bytes = page__round(bpf_map__max_entries(skel->maps.ring_events) *
					     sizeof(struct memtrace_rec));
	t->rings_ctl_bytes = page__round(ncpus * sizeof(struct memtrace_ring_ctl));
	ev = mmap(NULL, t->rings_ev_bytes, PROT_READ, MAP_SHARED,
		  bpf_map__fd(skel->maps.ring_events), 0);
	ctl = mmap(NULL, t->rings_ctl_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(skel->maps.ring_ctl), 0);
	if (ev == MAP_FAILED || ctl == MAP_FAILED) {
		err = -errno;
		warn("mapping the per-CPU rings: %s\n", strerror(-err));
		if (ev != MAP_FAILED)
			munmap(ev, t->rings_ev_bytes);
		if (ctl != MAP_FAILED)
			munmap(ctl, t->rings_ctl_bytes);
		return err;
	}
	err = rings__init(&t->rings, ev, ctl, ncpus, slots);
	if (err) {
		munmap(ev, t->rings_ev_bytes);
		munmap(ctl, t->rings_ctl_bytes);
		warn("%s\n", strerror(-err));
	}
	return err;
}

/* The per-CPU rings' records no CPU can precede any more (@all: every one) */
static long trace__drain_rings(struct trace *t, bool all)
{
	struct timespec ts;

	if (!t->rings.ev)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/*
	 * bpf_ktime_get_ns() (ktime_get_mono_fast_ns()) and the vDSO's
	 * CLOCK_MONOTONIC agree only to a few ns: a margin, which costs only
	 * latency
	 */
	return rings__drain(&t->rings, (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec -
				       RINGS_CLOCK_MARGIN_NS, all, trace__handle_run, t);
}

/*
 * agg.bpf.h's live table for @live_max allocations: buckets of LIVE_WAYS
 * (4) slots, four times the slots asked for (a bucket per allocation), a
 * power of 2 of them.  A simulation of its inserts and deletes at
 * @live_max live: at twice the slots 0.18% of inserts found no slot, at
 * four times none in 155,000.
 */
static __u32 trace__live_buckets(__u32 live_max)
{
	__u32 n = 1;

	while (n < live_max)
		n <<= 1;
	return n;
}

/* Aggregation's settings and map sizes; its maps take one entry when off */
static int trace__configure_agg(struct memtrace_bpf *skel, const struct trace_opts *opts)
{
	bool on = opts->aggregate, stacks = on || opts->record_page_stacks || opts->record_stacks;
	__u32 rows, live;
	int i, ncpus, err = 0;

	skel->rodata->aggregate = on;
	skel->rodata->agg_stacks = opts->agg_stacks;
	skel->rodata->agg_walk = !opts->agg_no_walk;
	skel->rodata->record_page_stacks = opts->record_page_stacks;
	skel->rodata->record_stacks = opts->record_stacks;
	skel->rodata->agg_kinds = opts->agg_kinds;
	for (i = 0; on && i < opts->nr_zones && i < MEMTRACE_AGG_ZONES; i++)
		skel->rodata->agg_zones[i] = opts->agg_zones[i];
	/* agg.bpf.h: a row number per key, and one more per CPU for races */
	rows = opts->rows_max ?: TRACE_ROWS_MAX;
	ncpus = libbpf_num_possible_cpus();
	skel->rodata->agg_rows_max = on ? rows : 0;
	err = ncpus < 0 ? ncpus : 0;
	err = err ?: bpf_map__set_max_entries(skel->maps.agg_rows, !on ? 1 : rows + ncpus);
	err = err ?: bpf_map__set_max_entries(skel->maps.agg_row_ids, !on ? 1 : rows);
	live = on ? trace__live_buckets(opts->live_max ?: TRACE_LIVE_MAX) : 1;
	skel->rodata->agg_live_mask = live - 1;
	err = err ?: bpf_map__set_max_entries(skel->maps.agg_live, live);
	err = err ?: bpf_map__set_max_entries(skel->maps.agg_stack_map,
					      stacks ? TRACE_STACKS_MAX : 1);
	/* the unwinder stops at the map's depth: whole stacks only when asked */
	err = err ?: bpf_map__set_value_size(skel->maps.agg_stack_map, sizeof(__u64) *
					     (opts->agg_stacks || opts->record_stacks ?
					      MEMTRACE_AGG_STACK_DEPTH : MEMTRACE_CALLER_STACK_DEPTH));
	err = err ?: bpf_map__set_max_entries(skel->maps.agg_levels, on ? 4096 : 1);
	if (err)
		warn("aggregation map sizes: %s\n", strerror(-err));
	return err;
}

/* The filters and the ring buffer's size, before load */
static int trace__configure(struct memtrace_bpf *skel, const struct trace_opts *opts)
{
	size_t rb = opts->ringbuf_bytes ? opts->ringbuf_bytes : DEFAULT_RINGBUF_BYTES;
	int err;

	skel->rodata->target_tgid = opts->tgid > 0 ? (__u32)opts->tgid : 0;
	skel->rodata->min_size = opts->min_size;
	skel->rodata->call_site_lo = opts->call_site_lo;
	skel->rodata->call_site_hi = opts->call_site_hi;
	skel->rodata->call_site2_lo = opts->call_site2_lo;
	skel->rodata->call_site2_hi = opts->call_site2_hi;
	skel->rodata->walk_pages = opts->walk_pages;
	skel->rodata->self_tgid = opts->aggregate || opts->skip_self ? (__u32)getpid() : 0;
	if (opts->aggregate)
		rb = 1;	/* unused: one page */
	err = trace__configure_rings(skel, opts, &rb);
	if (err)
		return err;
	rb = ringbuf__round(rb);
	/* a record's size in the ring: its 8-byte header, rounded up to 8 */
	if (opts->wakeup_every == 1)
		skel->rodata->wakeup_bytes = 0;
	else if (opts->wakeup_every)
		skel->rodata->wakeup_bytes = (__u64)opts->wakeup_every *
					     (sizeof(struct memtrace_event) + 8);
	else
		skel->rodata->wakeup_bytes = rb / WAKEUP_SHARE;
	err = bpf_map__set_max_entries(skel->maps.events, rb);
	if (err)
		warn("ring buffer size: %s\n", strerror(-err));
	return err ? err : trace__configure_agg(skel, opts);
}

static const char *const ksym_names[MEMTRACE_KSYM_MAX] = {
	[MEMTRACE_KSYM_PAGE_OFFSET_BASE] = "page_offset_base",
	[MEMTRACE_KSYM_VMALLOC_BASE] = "vmalloc_base",
	[MEMTRACE_KSYM_VMEMMAP_BASE] = "vmemmap_base",
	[MEMTRACE_KSYM_INIT_TOP_PGT] = "init_top_pgt",
	[MEMTRACE_KSYM_PGTABLE_L5] = "__pgtable_l5_enabled",
	[MEMTRACE_KSYM_ORC_IP] = "__start_orc_unwind_ip",
	[MEMTRACE_KSYM_ORC_IP_END] = "__stop_orc_unwind_ip",
	[MEMTRACE_KSYM_ORC] = "__start_orc_unwind",
};

/* The slow way, for kernels without bpf_kallsyms_lookup_name() (before 5.16) */
static int ksyms__scan_kallsyms(__u64 *addrs)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char name[256], type;
	unsigned long long addr;
	int i, left = MEMTRACE_KSYM_MAX;

	if (!f)
		return -errno;
	/* the list is long: stop at the last symbol wanted */
	while (left && fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		/* 0 for a reader without CAP_SYSLOG: absent is safer than wrong */
		for (i = 0; i < MEMTRACE_KSYM_MAX; i++) {
			if (addr && !addrs[i] && !strcmp(name, ksym_names[i])) {
				addrs[i] = addr;
				left--;
			}
		}
	}
	fclose(f);
	return 0;
}

/*
 * The addresses of the symbols the tracer reads (MEMTRACE_KSYM_*), 0 where
 * the kernel lacks one: by bpf/ksyms.bpf.c's syscall program, in
 * milliseconds, where libbpf's __ksym externs read all of /proc/kallsyms
 * (about a second under TCG).
 */
static struct ksyms_bpf *ksyms__load(bool read_bases)
{
	struct ksyms_bpf *skel = ksyms_bpf__open();
	int err;

	if (!skel)
		return NULL;
	skel->rodata->read_bases = read_bases;
	err = ksyms_bpf__load(skel);
	if (err) {
		ksyms_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/*
 * @bases: the values of the first MEMTRACE_KSYM_NR_BASES (KASLR bases), 0
 * where not read (memtrace.bpf.c then reads them at the first event)
 */
static int trace__lookup_ksyms(__u64 *addrs, __u64 *bases)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct ksyms_bpf *skel;
	int err;

	memset(addrs, 0, sizeof(*addrs) * MEMTRACE_KSYM_MAX);
	memset(bases, 0, sizeof(*bases) * MEMTRACE_KSYM_NR_BASES);
	/* bpf_probe_read_kernel() in a syscall program: not on every kernel */
	skel = ksyms__load(true) ?: ksyms__load(false);
	err = skel ? bpf_prog_test_run_opts(bpf_program__fd(skel->progs.ksyms__lookup), &run) :
		     -errno;
	if (!err) {
		memcpy(addrs, skel->bss->addrs, sizeof(*addrs) * MEMTRACE_KSYM_MAX);
		memcpy(bases, skel->bss->bases, sizeof(*bases) * MEMTRACE_KSYM_NR_BASES);
	}
	ksyms_bpf__destroy(skel);
	if (err)
		err = ksyms__scan_kallsyms(addrs);
	if (err)
		warn("kernel symbols (page_offset_base...): %s\n", strerror(-err));
	return err;
}

/* Tracepoints this kernel lacks stay unloaded: a raw_tp on them fails to load */
static void trace__choose_tracepoints(struct trace *t, const struct btf *btf)
{
	struct memtrace_bpf *skel = t->skel;
	const struct {
		struct bpf_program *prog;
		const char *btf_name;	/* the tracepoint's type in BTF */
		uint32_t hook;
		const char *target;
	} tps[] = {
		/* added after 6.1 */
		{ skel->progs.memtrace__alloc_vmap_area, "btf_trace_alloc_vmap_area",
		  HOOK_ALLOC_VMAP_AREA, "vmalloc:alloc_vmap_area" },
		/* removed by commit 11e9734bcb6a (6.1) */
		{ skel->progs.memtrace__kmalloc_node, "btf_trace_kmalloc_node",
		  HOOK_KMALLOC_NODE, "kmem:kmalloc_node" },
		{ skel->progs.memtrace__kmem_cache_alloc_node, "btf_trace_kmem_cache_alloc_node",
		  HOOK_KMEM_CACHE_ALLOC_NODE, "kmem:kmem_cache_alloc_node" },
	};
	size_t i;

	/* mm_page_alloc's build with the unwinder's loads: trace__configure_unwind() */
	bpf_program__set_autoload(skel->progs.memtrace__mm_page_alloc_fast, false);
	/* the page programs' builds for record: trace__choose_rec() */
	bpf_program__set_autoload(skel->progs.memtrace__mm_page_alloc_rec, false);
	bpf_program__set_autoload(skel->progs.memtrace__mm_page_alloc_fast_rec, false);
	bpf_program__set_autoload(skel->progs.memtrace__mm_page_free_rec, false);
	t->hooks[HOOK_KMEM].attach = HOOK_RAW_TP;
	snprintf(t->hooks[HOOK_KMEM].target, sizeof(t->hooks[HOOK_KMEM].target), "%s",
		 HOOK_KMEM_TARGET);
	for (i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		struct hook *h = &t->hooks[tps[i].hook];

		if (!bpfutil__has(btf, tps[i].btf_name, BTF_KIND_TYPEDEF)) {
			bpf_program__set_autoload(tps[i].prog, false);
			h->attach = HOOK_ABSENT;
			continue;
		}
		h->attach = HOOK_RAW_TP;
		snprintf(h->target, sizeof(h->target), "%s", tps[i].target);
	}
}

/*
 * Which variants of @p load: the trampoline alone if it loads here and
 * takes the function's arguments; both if it loads but may be refused at
 * attach (more than 6 arguments before 6.6: trace__attach_pair() decides);
 * else the twin alone, as with @kprobes (trace_opts).  Into @h the
 * trampoline's attach type, provisionally.  A twin not needed is not
 * loaded: the verifier takes 0.14 s over the vmalloc twin under TCG.
 */
static int trace__choose_pair(const struct trace_pair *p, const struct btf *btf, bool kprobes,
			      struct hook *h)
{
	enum bpf_attach_type type = p->ret ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
	int err;

	/* attached by trace__attach_pair(), not by the skeleton */
	bpf_program__set_autoattach(p->tramp, false);
	bpf_program__set_autoattach(p->twin, false);
	if (!p->func) {
		bpf_program__set_autoload(p->tramp, false);
		bpf_program__set_autoload(p->twin, false);
		h->attach = HOOK_ABSENT;
		return 0;
	}
	snprintf(h->target, sizeof(h->target), "%s", p->func);
	if (!kprobes && bpfutil__can_load_tracing(btf, p->func, type)) {
		h->attach = p->ret ? HOOK_FEXIT : HOOK_FENTRY;
		err = bpf_program__set_attach_target(p->tramp, 0, p->func);
		if (err)
			warn("%s target %s: %s\n", hook__attach_name(h->attach), p->func,
			     strerror(-err));
		if (bpfutil__tramp_fits(btf, p->func))
			bpf_program__set_autoload(p->twin, false);
		return err;
	}
	/* kprobes asked for, no trampolines here, or not on this function */
	bpf_program__set_autoload(p->tramp, false);
	h->attach = p->ret ? HOOK_KRETPROBE : HOOK_KPROBE;
	return 0;
}

/* The vmalloc hooks: the core renamed in 6.10, vfree, __get_vm_area_node */
static int trace__choose_pairs(struct trace *t, const struct btf *btf, bool kprobes)
{
	/* commit 88ae5fb755b0 ("mm: vmalloc: enable memory allocation profiling") */
	static const char *const vmalloc_fns[] = { "__vmalloc_node_range_noprof",
						   "__vmalloc_node_range", NULL };
	static const char *const gva_fns[] = { "__get_vm_area_node", NULL };
	static const char *const vfree_fns[] = { "vfree", NULL };
	struct memtrace_bpf *skel = t->skel;
	int i, err;

	t->pairs[PAIR_GET_VM_AREA] = (struct trace_pair){
		skel->progs.memtrace__get_vm_area_node, skel->progs.memtrace__get_vm_area_node_kret,
		&skel->links.memtrace__get_vm_area_node, &skel->links.memtrace__get_vm_area_node_kret,
		bpfutil__first_func(btf, gva_fns), true, HOOK_GET_VM_AREA };
	t->pairs[PAIR_VMALLOC] = (struct trace_pair){
		skel->progs.memtrace__vmalloc_node_range,
		skel->progs.memtrace__vmalloc_node_range_kret,
		&skel->links.memtrace__vmalloc_node_range,
		&skel->links.memtrace__vmalloc_node_range_kret,
		bpfutil__first_func(btf, vmalloc_fns), true, HOOK_VMALLOC };
	t->pairs[PAIR_VFREE] = (struct trace_pair){
		skel->progs.memtrace__vfree, skel->progs.memtrace__vfree_kprobe,
		&skel->links.memtrace__vfree, &skel->links.memtrace__vfree_kprobe,
		bpfutil__first_func(btf, vfree_fns), false, HOOK_VFREE };
	for (i = 0; i < NR_PAIRS; i++) {
		err = trace__choose_pair(&t->pairs[i], btf, kprobes, &t->hooks[t->pairs[i].hook]);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Page allocations' callers by memtrace's unwinder (bpf/unwind.bpf.h) where
 * the tracer names them (record, top), unless asked for the kernel's
 * stacks; without a table (no ORC data, lockdown) the stacks name them
 */
static void trace__configure_unwind(struct trace *t, const struct btf *btf,
				    const struct trace_opts *opts)
{
	bool want = opts->record_page_stacks || opts->record_stacks ||
		    (opts->aggregate && !opts->agg_stacks);
	int err;

	if (!want || opts->kernel_unwind)
		return;
	err = unwind__load(btf, opts->ksyms, (const __u64 *)t->skel->rodata->ksym_addrs,
			   &t->unwind, &t->unwind_log2);
	err = err ?: bpf_map__set_max_entries(t->skel->maps.unwind_table, 1U << t->unwind_log2);
	if (err) {
		if (opts->verbose)
			warn("page callers from the kernel's stacks: no ORC table (%s)\n",
			     strerror(-err));
		free(t->unwind);
		t->unwind = NULL;
		t->unwind_log2 = 0;
		return;
	}
	t->skel->rodata->unwind_log2 = t->unwind_log2;
	/*
	 * from 6.2, the build that reads the stack by plain loads
	 * (unwind.bpf.h; a kfunc call needs the JIT, as bpf_loop()'s
	 * callbacks elsewhere do already)
	 */
	if (bpfutil__has(btf, "bpf_rdonly_cast", BTF_KIND_FUNC)) {
		bpf_program__set_autoload(t->skel->progs.memtrace__mm_page_alloc, false);
		bpf_program__set_autoload(t->skel->progs.memtrace__mm_page_alloc_fast, true);
	}
}

/*
 * memtrace record's page programs (page__emit()'s @rec) in place of the
 * general ones, where the options are those the build assumes: the flags
 * it leaves out are then never read, one load fewer each at every event
 */
static void trace__choose_rec(struct trace *t, const struct trace_opts *opts)
{
	struct memtrace_bpf *s = t->skel;
	struct {
		struct bpf_program *any, *rec;
	} builds[] = {
		{ s->progs.memtrace__mm_page_alloc, s->progs.memtrace__mm_page_alloc_rec },
		{ s->progs.memtrace__mm_page_alloc_fast, s->progs.memtrace__mm_page_alloc_fast_rec },
		{ s->progs.memtrace__mm_page_free, s->progs.memtrace__mm_page_free_rec },
	};
	size_t i;

	if (!opts->run_fn || !opts->record_page_stacks || opts->aggregate || opts->walk_pages ||
	    opts->min_size)
		return;
	for (i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		if (!bpf_program__autoload(builds[i].any))
			continue;
		bpf_program__set_autoload(builds[i].any, false);
		bpf_program__set_autoload(builds[i].rec, true);
	}
}

/*
 * The unwinder's table into its map, after load, then frozen.  Left empty
 * (every lookup gives up), the kernel's stacks name the callers.
 */
static void trace__fill_unwind(struct trace *t, bool verbose)
{
	size_t len = sizeof(*t->unwind) << t->unwind_log2;
	int fd = bpf_map__fd(t->skel->maps.unwind_table);
	void *m;

	if (!t->unwind)
		return;
	m = mmap(NULL, page__round(len), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		memcpy(m, t->unwind, len);
		munmap(m, page__round(len));
		bpf_map_freeze(fd);
	} else if (verbose) {
		warn("page callers from the kernel's stacks: the unwinder's table: %s\n",
		     strerror(errno));
	}
	free(t->unwind);
	t->unwind = NULL;
}

/* Whether the BPF JIT is off (net.core.bpf_jit_enable 0): unreadable, not known off */
static bool trace__jit_off(void)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == '0';
}

static int trace__load(struct trace *t)
{
	int err = memtrace_bpf__load(t->skel);

	if (err == -EPERM)
		warn("loading the BPF programs: %s (need CAP_BPF, CAP_PERFMON)\n", strerror(-err));
	else if (err && trace__jit_off())
		/* bpf_loop()'s callbacks (and kfunc calls) run only JIT-compiled */
		warn("the kernel rejected the BPF programs: %s; the BPF JIT is off, and they "
		     "need it (sysctl net.core.bpf_jit_enable=1)\n", strerror(-err));
	else if (err)
		warn("the kernel rejected the BPF programs: %s (-v shows the verifier log)\n",
		     strerror(-err));
	return err;
}

/*
 * Attach one variant of @p: the trampoline if it attaches (see
 * bpfutil__tramp_fits(): -ENOTSUPP for more than 6 arguments on older
 * kernels), else the twin if loaded, on the function by name (it differs
 * by kernel); the link goes to the skeleton.
 */
static int trace__attach_pair(struct trace *t, struct trace_pair *p)
{
	struct hook *h = &t->hooks[p->hook];
	int err;

	if (h->attach == HOOK_ABSENT)
		return 0;
	if (bpf_program__autoload(p->tramp)) {
		*p->tramp_link = bpf_program__attach_trace(p->tramp);
		if (*p->tramp_link)
			return 0;
		err = -errno;
		if (!bpf_program__autoload(p->twin)) {
			warn("attaching a %s to %s: %s\n", hook__attach_name(h->attach), p->func,
			     strerror(-err));
			return err;
		}
		h->attach = p->ret ? HOOK_KRETPROBE : HOOK_KPROBE;
	}
	*p->twin_link = bpf_program__attach_kprobe(p->twin, p->ret, p->func);
	if (!*p->twin_link) {
		err = -errno;
		warn("attaching a %s to %s: %s\n", hook__attach_name(h->attach), p->func,
		     strerror(-err));
		return err;
	}
	return 0;
}

/* The skeleton attaches the tracepoints and owns every link */
static int trace__attach(struct trace *t)
{
	int i, err;

	err = memtrace_bpf__attach(t->skel);
	if (err) {
		warn("attaching the BPF programs: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < NR_PAIRS; i++) {
		err = trace__attach_pair(t, &t->pairs[i]);
		if (err)
			return err;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), trace__handle, t, NULL);
	if (!t->rb) {
		err = -errno;
		warn("ring buffer: %s\n", strerror(-err));
	}
	return err;
}

int trace__open(struct trace **tp, const struct trace_opts *opts, trace_event_fn fn, void *ctx)
{
	struct btf *btf = NULL;
	struct trace *t = NULL;
	int err;

	*tp = NULL;
	bpfutil__init(opts->verbose);
	err = bpfutil__open_env(&btf);
	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t) {
		err = -ENOMEM;
		warn("%s\n", strerror(-err));
		goto cleanup;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->run_fn = opts->run_fn;
	t->skel = memtrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		warn("opening the BPF object: %s\n", strerror(-err));
		goto cleanup;
	}
	err = trace__configure(t->skel, opts);
	if (err)
		goto cleanup;
	err = trace__lookup_ksyms((__u64 *)t->skel->rodata->ksym_addrs,
				  (__u64 *)t->skel->rodata->ksym_bases);
	if (err)
		goto cleanup;
	trace__choose_tracepoints(t, btf);
	err = trace__choose_pairs(t, btf, opts->kprobes);
	if (err)
		goto cleanup;
	trace__configure_unwind(t, btf, opts);
	trace__choose_rec(t, opts);
	err = trace__load(t);
	if (!err)
		trace__fill_unwind(t, opts->verbose);
	if (!err && t->run_fn)
		err = trace__map_rings(t);
	if (err)
		goto cleanup;
	err = trace__attach(t);
	if (err)
		goto cleanup;
	hooks__describe(t->hooks, t->desc, sizeof(t->desc));
	if (opts->walk_pages)
		strncat(t->desc, "; BPF page-table walk: on",
			sizeof(t->desc) - strlen(t->desc) - 1);
	if (t->skel->rodata->unwind_log2)
		strncat(t->desc, bpf_program__autoload(t->skel->progs.memtrace__mm_page_alloc_fast) ||
				 bpf_program__autoload(t->skel->progs.memtrace__mm_page_alloc_fast_rec) ?
			"; page callers: memtrace's unwinder (stack read by loads)" :
			"; page callers: memtrace's unwinder (stack read by bpf_probe_read_kernel)",
			sizeof(t->desc) - strlen(t->desc) - 1);
	btf__free(btf);
	*tp = t;
	return 0;

cleanup:
	btf__free(btf);
	trace__close(t);
	return err;
}

int trace__poll(struct trace *t, int timeout_ms)
{
	int n, more;

	/* a ring left a quarter full or more will not wake us again */
	if (t->rings.ev && rings__behind(&t->rings))
		timeout_ms = 0;
	n = ring_buffer__poll(t->rb, timeout_ms);

	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/* Records sent without a wake-up (wakeup_every) are read here too */
	more = ring_buffer__consume(t->rb);
	if (more < 0)
		return more;
	n += more;
	more = (int)trace__drain_rings(t, false);
	return more < 0 ? more : n + more;
}

int trace__drain(struct trace *t)
{
	int n = ring_buffer__consume(t->rb), more, i;

	if (n < 0)
		return n;
	/* a record reserved but not yet published would be left behind: up to 10 ms */
	for (i = 0; t->rings.ev && i < 1000 && !rings__quiet(&t->rings); i++)
		usleep(10);
	more = (int)trace__drain_rings(t, true);
	return more < 0 ? more : n + more;
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
		else if (key == MEMTRACE_CNT_WALK_TRUNCATED)
			st->walk_truncated = sum;
		else if (key == MEMTRACE_CNT_ROWS_FULL)
			st->rows_full = sum;
		else if (key == MEMTRACE_CNT_LIVE_FULL)
			st->live_full = sum;
		else if (key == MEMTRACE_CNT_STACK_LOST)
			st->stack_lost = sum;
		else if (key == MEMTRACE_CNT_UNWIND_SLOW)
			st->unwind_slow = sum;
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

static void agg__sum(struct memtrace_agg *sum, const struct memtrace_agg *cpu)
{
	const __u64 *src = (const __u64 *)cpu;
	__u64 *dst = (__u64 *)sum;
	size_t i;

	for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
		dst[i] += src[i];
}

int trace__agg_read(struct trace *t, trace_row_fn fn, void *ctx)
{
	int ids = bpf_map__fd(t->skel->maps.agg_row_ids), ncpus = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(t->skel->maps.agg_rows);
	struct memtrace_agg_key key, next, *prev = NULL;
	struct memtrace_agg_row *vals;
	struct memtrace_agg sum;
	__u32 id;
	int i, err = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	/* rows are numbered once and never removed */
	while (!bpf_map_get_next_key(ids, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(ids, &key, &id) || bpf_map_lookup_elem(fd, &id, vals))
			continue;
		memset(&sum, 0, sizeof(sum));
		for (i = 0; i < ncpus; i++)
			agg__sum(&sum, &vals[i].c);
		err = fn(ctx, &key, &sum);
		if (err < 0)
			break;
	}
	free(vals);
	return err < 0 ? err : 0;
}

int trace__agg_stack(struct trace *t, int id, __u64 *ips, int max)
{
	__u64 frames[MEMTRACE_AGG_STACK_DEPTH] = {};
	__u32 key = (__u32)id;
	int n;

	if (id < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.agg_stack_map), &key, frames))
		return -errno;
	for (n = 0; n < MEMTRACE_AGG_STACK_DEPTH && n < max && frames[n]; n++)
		ips[n] = frames[n];
	return n;
}

void trace__agg_tick(struct trace *t)
{
	__atomic_add_fetch(&t->skel->bss->agg_gen, 1, __ATOMIC_RELAXED);
}

const char *trace__describe(struct trace *t)
{
	return t->desc;
}

void trace__hooks(const struct trace *t, struct hook *hooks)
{
	memcpy(hooks, t->hooks, sizeof(t->hooks));
}

static void *link__destroy(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * The kprobe links, each from a thread of its own: a kprobe's detach waits
 * for an RCU grace period (about 40 ms each under TCG), outside any lock,
 * so the three waits overlap.  A link a thread could not take is destroyed
 * here.
 */
static void trace__destroy_kprobes(struct trace *t)
{
	pthread_t th[NR_PAIRS];
	bool started[NR_PAIRS] = {};
	int i;

	for (i = 0; i < NR_PAIRS; i++) {
		struct bpf_link **l = t->pairs[i].twin_link;

		if (!l || !*l)
			continue;
		started[i] = !pthread_create(&th[i], NULL, link__destroy, *l);
		if (!started[i])
			bpf_link__destroy(*l);
		*l = NULL;
	}
	for (i = 0; i < NR_PAIRS; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
	}
}

void trace__close(struct trace *t)
{
	if (!t)
		return;
	if (t->skel)
		trace__destroy_kprobes(t);
	ring_buffer__free(t->rb);
	if (t->rings.ev) {
		munmap((void *)t->rings.ev, t->rings_ev_bytes);
		munmap(t->rings.ctl, t->rings_ctl_bytes);
		rings__free(&t->rings);
	}
	memtrace_bpf__destroy(t->skel);
	free(t->unwind);
	free(t);
}
