// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render --compare: one study on two kernels side by side (see
 * compare.h).  Timing is shown, never reported as a change: under TCG a
 * ratio is noise as much as a kernel's doing.  What is reported is what
 * the kernel decides: which functions run, how the tracer can hook them,
 * where kvmalloc switches to vmalloc and maps huge, the limits, the page
 * sizes of each buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hooks.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "memalloc.h"
#include "render/compare.h"

#define NOPROF		"_noprof"

/* A kernel commit that explains a change: its short id and subject line */
struct kcommit {
	const char *id;
	const char *title;
};

/* Memory allocation profiling (6.10) renamed the allocators *_noprof */
static const struct kcommit commit_slab_tagging = {
	"7bd230a26648", "mm/slab: enable slab allocation tagging for kmalloc and friends" };
static const struct kcommit commit_vmalloc_profiling = {
	"88ae5fb755b0", "mm: vmalloc: enable memory allocation profiling" };
static const struct kcommit commit_page_tagging = {
	"b951aaff5035", "mm: enable page allocation tagging" };
/* The x86 trampoline (fentry/fexit) takes up to 12 arguments, not 6 (6.5) */
static const struct kcommit commit_tracing_12_args = {
	"473e3150e30a", "bpf, x86: allow function arguments up to 12 for TRACING" };
/* kmem:kmalloc_node and kmem:kmem_cache_alloc_node removed (6.1) */
static const struct kcommit commit_slab_tracepoints = {
	"11e9734bcb6a", "mm/slab_common: unify NUMA and UMA version of tracepoints" };

static void compare__cite(struct compare_change *ch, const struct kcommit *k)
{
	ch->commit = k ? k->id : NULL;
	ch->title = k ? k->title : NULL;
}

/* The commit that renamed a kind's functions to *_noprof, or NULL */
static const struct kcommit *compare__rename_commit(uint32_t kind)
{
	switch (kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
	case MEMALLOC_KIND_KVMALLOC:
	case MEMALLOC_KIND_KMEM_CACHE:
		return &commit_slab_tagging;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		return &commit_vmalloc_profiling;
	case MEMALLOC_KIND_ALLOC_PAGES:
		return &commit_page_tagging;
	default:
		return NULL;
	}
}

/*
 * Why a hook's attach type differs between two kernels, where it is known:
 * @hook attached one way (@x) on one kernel and the other (@y) on the other.
 * The vmalloc:alloc_vmap_area tracepoint came after 6.1 (its commit is not
 * cited: not checked against mainline).
 */
static const struct {
	uint32_t hook;
	uint32_t x, y;
	const struct kcommit *commit;
} hook_attach_commits[] = {
	/* __vmalloc_node_range and __get_vm_area_node take more than 6 arguments */
	{ HOOK_VMALLOC, HOOK_KRETPROBE, HOOK_FEXIT, &commit_tracing_12_args },
	{ HOOK_GET_VM_AREA, HOOK_KRETPROBE, HOOK_FEXIT, &commit_tracing_12_args },
	{ HOOK_KMALLOC_NODE, HOOK_ABSENT, HOOK_RAW_TP, &commit_slab_tracepoints },
	{ HOOK_KMEM_CACHE_ALLOC_NODE, HOOK_ABSENT, HOOK_RAW_TP, &commit_slab_tracepoints },
};

/* The commit that explains @hook attached @a on one kernel and @b on the other, or NULL */
static const struct kcommit *compare__hook_commit(uint32_t hook, uint32_t a, uint32_t b)
{
	size_t i;

	for (i = 0; i < sizeof(hook_attach_commits) / sizeof(hook_attach_commits[0]); i++) {
		uint32_t x = hook_attach_commits[i].x, y = hook_attach_commits[i].y;

		if (hook_attach_commits[i].hook == hook &&
		    ((a == x && b == y) || (a == y && b == x)))
			return hook_attach_commits[i].commit;
	}
	return NULL;
}

const char *compare__fn(const struct study *s, uint32_t kind, bool free)
{
	size_t i;

	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];
		const char *fn = free ? c->bpf_free_fn : c->bpf_alloc_fn;

		if (c->kind == kind && !c->err && fn[0])
			return fn;
	}
	return "";
}

const struct study_cell *compare__cell(const struct study *s, uint32_t kind, uint64_t size)
{
	size_t i;

	for (i = 0; i < s->nr_cells; i++) {
		if (s->cells[i].kind == kind && s->cells[i].size == size && !s->cells[i].err)
			return &s->cells[i];
	}
	return NULL;
}

/* The smallest kvmalloc cell that @pred holds for */
static uint64_t compare__kv_first(const struct study *s,
				  bool (*pred)(const struct study *, const struct study_cell *))
{
	uint64_t best = COMPARE_NONE;
	size_t i;

	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		if (c->kind == MEMALLOC_KIND_KVMALLOC && !c->err && pred(s, c) &&
		    (best == COMPARE_NONE || c->size < best))
			best = c->size;
	}
	return best;
}

static bool compare__in_vmalloc(const struct study *s, const struct study_cell *c)
{
	(void)s;
	return c->area == STUDY_AREA_VMALLOC;
}

static bool compare__area_known(const struct study *s, const struct study_cell *c)
{
	(void)s;
	return c->area != STUDY_AREA_UNKNOWN;
}

/*
 * Whether a cell's buffer may lie in the direct map, whose pages are mapped
 * 2M or 4K by where they land: its page sizes are no allocator's doing.
 * Without a recorded area: every kind but vmalloc, vzalloc and kvmalloc.
 */
static bool compare__maybe_direct(const struct study_cell *c)
{
	if (c->area != STUDY_AREA_UNKNOWN)
		return c->area == STUDY_AREA_DIRECT_MAP;
	return c->kind != MEMALLOC_KIND_VMALLOC && c->kind != MEMALLOC_KIND_VZALLOC &&
	       c->kind != MEMALLOC_KIND_KVMALLOC;
}

/*
 * Huge vmap: 2M pages in the vmalloc area (a kmalloc'ed kvmalloc lies in the
 * direct map, 2M-mapped too).  Without a recorded area, only a size above
 * KMALLOC_MAX_SIZE is surely vmalloc's.
 */
static bool compare__is_huge(const struct study *s, const struct study_cell *c)
{
	if (!c->levels[MEMALLOC_LEVEL_PMD])
		return false;
	if (c->area != STUDY_AREA_UNKNOWN)
		return c->area == STUDY_AREA_VMALLOC;
	return s->kmalloc_max_size && c->size > s->kmalloc_max_size;
}

static bool compare__any(const struct study *s, const struct study_cell *c)
{
	(void)s;
	(void)c;
	return true;
}

uint64_t compare__kvmalloc_vmalloc(const struct study *s)
{
	if (compare__kv_first(s, compare__any) != COMPARE_NONE &&
	    compare__kv_first(s, compare__area_known) == COMPARE_NONE)
		return COMPARE_UNKNOWN;
	return compare__kv_first(s, compare__in_vmalloc);
}

uint64_t compare__kvmalloc_huge(const struct study *s)
{
	return compare__kv_first(s, compare__is_huge);
}

uint64_t compare__kvmalloc_max(const struct study *s)
{
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < s->nr_cells; i++) {
		const struct study_cell *c = &s->cells[i];

		if (c->kind == MEMALLOC_KIND_KVMALLOC && !c->err && c->size > max)
			max = c->size;
	}
	return max;
}

/* A size fact as text: "8M", "none up to 1M", "none", "not recorded" */
static const char *compare__size_fact(uint64_t v, uint64_t max, char *buf, size_t len)
{
	char b[16];

	if (v == COMPARE_UNKNOWN)
		snprintf(buf, len, "not recorded");
	else if (v != COMPARE_NONE)
		snprintf(buf, len, "%s", size__format(v, b, sizeof(b)));
	else if (max)
		snprintf(buf, len, "none up to %s", size__format(max, b, sizeof(b)));
	else
		snprintf(buf, len, "no kvmalloc cell");
	return buf;
}

static struct compare_change *compare__add(struct compare *c, uint32_t fact, uint32_t kind,
					   const char *a, const char *b)
{
	struct compare_change *ch;

	if (c->nr_changes == c->cap_changes) {
		size_t cap = c->cap_changes ? 2 * c->cap_changes : 16;
		struct compare_change *n = realloc(c->changes, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->changes = n;
		c->cap_changes = cap;
	}
	ch = &c->changes[c->nr_changes++];
	memset(ch, 0, sizeof(*ch));
	ch->fact = fact;
	ch->kind = kind;
	snprintf(ch->a, sizeof(ch->a), "%s", a);
	snprintf(ch->b, sizeof(ch->b), "%s", b);
	return ch;
}

/* @fn without leading underscores and without the _noprof suffix, into @buf */
static const char *compare__fn_base(const char *fn, char *buf, size_t len)
{
	size_t n;

	while (*fn == '_')
		fn++;
	snprintf(buf, len, "%s", fn);
	n = strlen(buf);
	if (n > strlen(NOPROF) && !strcmp(buf + n - strlen(NOPROF), NOPROF))
		buf[n - strlen(NOPROF)] = '\0';
	return buf;
}

static int compare__fns(const struct study *a, const struct study *b, struct compare *out)
{
	uint32_t kind;
	int free;

	for (free = 0; free < 2; free++) {
		for (kind = 1; kind <= MEMALLOC_KIND_MAX; kind++) {
			const char *fa = compare__fn(a, kind, free), *fb = compare__fn(b, kind, free);
			char ba[64], bb[64];
			struct compare_change *ch;

			if (!fa[0] || !fb[0] || !strcmp(fa, fb))
				continue;
			ch = compare__add(out, free ? COMPARE_FREE_FN : COMPARE_ALLOC_FN, kind, fa, fb);
			if (!ch)
				return -ENOMEM;
			ch->renamed = !strcmp(compare__fn_base(fa, ba, sizeof(ba)),
					      compare__fn_base(fb, bb, sizeof(bb)));
			if (ch->renamed)
				compare__cite(ch, compare__rename_commit(kind));
			snprintf(ch->text, sizeof(ch->text), "%s: BPF%s %.30s, was %.30s%s",
				 kind__name(kind), free ? " free" : "", fb, fa,
				 ch->renamed ? (strstr(fb, NOPROF) ? " (_noprof)" :
						" (_noprof undone)") : "");
		}
	}
	return 0;
}

/* @h's attach type differs between @ha and @hb: one change */
static int compare__hook_attach(uint32_t h, const struct hook *ha, const struct hook *hb,
				struct compare *out)
{
	struct compare_change *ch;

	ch = compare__add(out, COMPARE_HOOK_ATTACH, h, hook__attach_name(ha->attach),
			  hook__attach_name(hb->attach));
	if (!ch)
		return -ENOMEM;
	compare__cite(ch, compare__hook_commit(h, ha->attach, hb->attach));
	snprintf(ch->text, sizeof(ch->text), "hook %s: %s, was %s%s", hook__name(h), ch->b, ch->a,
		 hook__is_twin(ha->attach) != hook__is_twin(hb->attach) &&
		 ha->attach != HOOK_ABSENT && hb->attach != HOOK_ABSENT ?
		 (hook__is_twin(hb->attach) ? " (the trampoline refuses it)" :
		  " (the trampoline takes it)") : "");
	return 0;
}

/* @h's target differs, both attached: one change */
static int compare__hook_target(uint32_t h, const struct hook *ha, const struct hook *hb,
				struct compare *out)
{
	struct compare_change *ch;
	char ba[96], bb[96];

	ch = compare__add(out, COMPARE_HOOK_TARGET, h, ha->target, hb->target);
	if (!ch)
		return -ENOMEM;
	ch->renamed = !strcmp(compare__fn_base(ha->target, ba, sizeof(ba)),
			      compare__fn_base(hb->target, bb, sizeof(bb)));
	/* Of the hooked functions only the vmalloc core was renamed */
	if (ch->renamed && h == HOOK_VMALLOC)
		compare__cite(ch, compare__rename_commit(MEMALLOC_KIND_VMALLOC));
	snprintf(ch->text, sizeof(ch->text), "hook %s: %.40s, was %.40s%s", hook__name(h), ch->b,
		 ch->a, ch->renamed ? (strstr(ch->b, NOPROF) ? " (_noprof)" : " (_noprof undone)") :
		 "");
	return 0;
}

/*
 * The tracer's hooks: how each attaches, and to what.  Only when both
 * studies recorded them: an old document is no evidence of a change.
 */
static int compare__hooks(const struct study *a, const struct study *b, struct compare *out)
{
	uint32_t h;
	int err = 0;

	if (!hooks__recorded(a->hooks) || !hooks__recorded(b->hooks))
		return 0;
	for (h = 0; h < NR_HOOKS && !err; h++) {
		const struct hook *ha = &a->hooks[h], *hb = &b->hooks[h];

		if (ha->attach == HOOK_NOT_RECORDED || hb->attach == HOOK_NOT_RECORDED)
			continue;
		if (ha->attach != hb->attach)
			err = compare__hook_attach(h, ha, hb, out);
		if (!err && ha->attach != HOOK_ABSENT && hb->attach != HOOK_ABSENT &&
		    strcmp(ha->target, hb->target))
			err = compare__hook_target(h, ha, hb, out);
	}
	return err;
}

static int compare__kvmalloc(const struct study *a, const struct study *b, struct compare *out)
{
	uint64_t va = compare__kvmalloc_vmalloc(a), vb = compare__kvmalloc_vmalloc(b);
	uint64_t ha = compare__kvmalloc_huge(a), hb = compare__kvmalloc_huge(b);
	uint64_t ma = compare__kvmalloc_max(a), mb = compare__kvmalloc_max(b);
	struct compare_change *ch;
	char sa[32], sb[32];

	/* Only when both recorded it: an old document is no evidence of a change */
	if (va != vb && va != COMPARE_UNKNOWN && vb != COMPARE_UNKNOWN) {
		ch = compare__add(out, COMPARE_KVMALLOC_VMALLOC, MEMALLOC_KIND_KVMALLOC,
				  compare__size_fact(va, ma, sa, sizeof(sa)),
				  compare__size_fact(vb, mb, sb, sizeof(sb)));
		if (!ch)
			return -ENOMEM;
		snprintf(ch->text, sizeof(ch->text),
			 "kvmalloc: uses vmalloc from %s, was from %s", ch->b, ch->a);
	}
	if (ha != hb) {
		ch = compare__add(out, COMPARE_KVMALLOC_HUGE, MEMALLOC_KIND_KVMALLOC,
				  compare__size_fact(ha, ma, sa, sizeof(sa)),
				  compare__size_fact(hb, mb, sb, sizeof(sb)));
		if (!ch)
			return -ENOMEM;
		snprintf(ch->text, sizeof(ch->text), "kvmalloc: %s 2M pages (huge vmap)%s%s, was %s",
			 hb != COMPARE_NONE ? "maps with" : "no longer maps with",
			 hb != COMPARE_NONE ? " from " : "", hb != COMPARE_NONE ? ch->b : "",
			 ha != COMPARE_NONE ? ch->a : "4K pages only");
	}
	return 0;
}

static int compare__limits(const struct study *a, const struct study *b, struct compare *out)
{
	size_t i, j;

	for (i = 0; i < a->nr_limits; i++) {
		const struct study_limit *la = &a->limits[i];

		for (j = 0; j < b->nr_limits; j++) {
			const struct study_limit *lb = &b->limits[j];
			struct compare_change *ch;
			char sa[16], sb[16];

			if (lb->kind != la->kind || lb->largest == la->largest)
				continue;
			ch = compare__add(out, COMPARE_LIMIT, la->kind,
					  size__format(la->largest, sa, sizeof(sa)),
					  size__format(lb->largest, sb, sizeof(sb)));
			if (!ch)
				return -ENOMEM;
			snprintf(ch->text, sizeof(ch->text), "%s: the largest that succeeds is %s, was %s",
				 kind__name(la->kind), ch->b, ch->a);
		}
	}
	if (a->kmalloc_max_size && b->kmalloc_max_size &&
	    a->kmalloc_max_size != b->kmalloc_max_size) {
		struct compare_change *ch;
		char sa[16], sb[16];

		ch = compare__add(out, COMPARE_KMALLOC_MAX, MEMALLOC_KIND_KMALLOC,
				  size__format(a->kmalloc_max_size, sa, sizeof(sa)),
				  size__format(b->kmalloc_max_size, sb, sizeof(sb)));
		if (!ch)
			return -ENOMEM;
		snprintf(ch->text, sizeof(ch->text), "KMALLOC_MAX_SIZE is %s, was %s", ch->b, ch->a);
	}
	return 0;
}

static int compare__maps(const struct study *a, const struct study *b, struct compare *out)
{
	size_t i;

	for (i = 0; i < a->nr_cells; i++) {
		const struct study_cell *ca = &a->cells[i], *cb;
		struct compare_change *ch;
		char sa[32], sb[32], sz[16];

		if (ca->err)
			continue;
		cb = compare__cell(b, ca->kind, ca->size);
		/* kvmalloc's: the huge vmap line says it once */
		if (!cb || ca->kind == MEMALLOC_KIND_KVMALLOC || compare__maybe_direct(ca) ||
		    compare__maybe_direct(cb))
			continue;
		study__levels_str(ca, sa, sizeof(sa));
		study__levels_str(cb, sb, sizeof(sb));
		if (!strcmp(sa, sb))
			continue;
		ch = compare__add(out, COMPARE_MAP, ca->kind, sa, sb);
		if (!ch)
			return -ENOMEM;
		ch->size = ca->size;
		snprintf(ch->text, sizeof(ch->text), "%s %s: mapped by %s pages, was %s",
			 kind__name(ca->kind), size__format(ca->size, sz, sizeof(sz)), sb, sa);
	}
	return 0;
}

int compare__diff(const struct study *a, const struct study *b, struct compare *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = compare__fns(a, b, out);
	if (!err)
		err = compare__hooks(a, b, out);
	if (!err)
		err = compare__kvmalloc(a, b, out);
	if (!err)
		err = compare__limits(a, b, out);
	if (!err)
		err = compare__maps(a, b, out);
	if (err)
		compare__free(out);
	return err;
}

void compare__free(struct compare *c)
{
	free(c->changes);
	memset(c, 0, sizeof(*c));
}

const struct compare_change *compare__find(const struct compare *c, uint32_t fact, uint32_t kind)
{
	size_t i;

	for (i = 0; i < c->nr_changes; i++) {
		if (c->changes[i].fact == fact && (kind == UINT32_MAX || c->changes[i].kind == kind))
			return &c->changes[i];
	}
	return NULL;
}

/* ---- output ------------------------------------------------------------- */

/* The kernel release: the first word of the kernel string */
static const char *compare__release(const struct study *s, char *buf, size_t len)
{
	size_t n = strcspn(s->kernel, " ");

	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), s->kernel[0] ? s->kernel : "?");
	return buf;
}

/* B/A of the module's alloc medians, "-" without both */
static const char *compare__ratio(const struct study_cell *ca, const struct study_cell *cb,
				  char *buf, size_t len)
{
	if (!ca->mod_alloc.n || !cb->mod_alloc.n || !ca->mod_alloc.median_ns)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f",
			 (double)cb->mod_alloc.median_ns / (double)ca->mod_alloc.median_ns);
	return buf;
}

/* Cells of A (in A's order) that B has too */
#define for_each_common(a, b, i, ca, cb)					\
	for (i = 0; i < (a)->nr_cells; i++)					\
		if (((ca) = &(a)->cells[i])->err ||				\
		    !((cb) = compare__cell((b), (ca)->kind, (ca)->size))) {	\
		} else

static void md__conditions(const struct study *a, const struct study *b, FILE *f)
{
	const struct study *s[2] = { a, b };
	char m[2][16], k[2][16];
	int i;

	fprintf(f, "## Conditions\n\n| | A | B |\n| --- | --- | --- |\n");
	fprintf(f, "| kernel | %s | %s |\n", a->kernel[0] ? a->kernel : "?",
		b->kernel[0] ? b->kernel : "?");
	fprintf(f, "| machine | %s, %u CPU%s | %s, %u CPU%s |\n", a->machine, a->nr_cpus,
		a->nr_cpus == 1 ? "" : "s", b->machine, b->nr_cpus, b->nr_cpus == 1 ? "" : "s");
	for (i = 0; i < 2; i++) {
		size__format(s[i]->mem_bytes, m[i], sizeof(m[i]));
		size__format(s[i]->kmalloc_max_size, k[i], sizeof(k[i]));
	}
	fprintf(f, "| accelerator | %s | %s |\n", a->accel[0] ? a->accel : "tcg (not recorded)",
		b->accel[0] ? b->accel : "tcg (not recorded)");
	fprintf(f, "| host CPU | %s | %s |\n", a->host_cpu[0] ? a->host_cpu : "?",
		b->host_cpu[0] ? b->host_cpu : "?");
	fprintf(f, "| memory | %s | %s |\n", m[0], m[1]);
	fprintf(f, "| KMALLOC_MAX_SIZE, max order | %s, %u | %s, %u |\n", k[0], a->max_order,
		k[1], b->max_order);
	fprintf(f, "| matrix | %s | %s |\n", a->quick ? "quick" : "full", b->quick ? "quick" : "full");
	fprintf(f, "| BPF clock | %s | %s |\n", a->bpf ? "yes" : "no", b->bpf ? "yes" : "no");
}

static void md__cells(const struct study *a, const struct study *b, FILE *f)
{
	const struct study_cell *ca, *cb;
	char b0[16], b1[16], b2[16], r[16], la[32], lb[32];
	size_t i, n = 0, only;

	fprintf(f, "\n## Cells in both\n\nThe module's alloc median (BPF detached), B/A, the page "
		   "sizes that map the buffer (MAP) and its physically contiguous runs.\n\n"
		   "| kind | size | alloc A | alloc B | B/A | MAP A | MAP B | runs A | runs B |\n"
		   "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |\n");
	for_each_common(a, b, i, ca, cb) {
		n++;
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %u | %u |\n", kind__name(ca->kind),
			size__format(ca->size, b0, sizeof(b0)),
			stats__fmt_of(&ca->mod_alloc, ca->mod_alloc.median_ns, b1, sizeof(b1)),
			stats__fmt_of(&cb->mod_alloc, cb->mod_alloc.median_ns, b2, sizeof(b2)),
			compare__ratio(ca, cb, r, sizeof(r)), study__levels_str(ca, la, sizeof(la)),
			study__levels_str(cb, lb, sizeof(lb)), ca->nr_runs, cb->nr_runs);
	}
	only = 0;
	for (i = 0; i < a->nr_cells; i++)
		only += !a->cells[i].err && !compare__cell(b, a->cells[i].kind, a->cells[i].size);
	for (i = 0; i < b->nr_cells; i++)
		only += !b->cells[i].err && !compare__cell(a, b->cells[i].kind, b->cells[i].size);
	fprintf(f, "\n%zu cells in both; %zu in one study only (not compared).\n", n, only);
	if (study__emulated(a) || study__emulated(b))
		fprintf(f, "Under TCG a ratio is the emulator's as much as the kernel's: it is "
			   "shown, never listed as a change.\n");
	else
		fprintf(f, "Both ran at hardware speed (%s, %s): a ratio is shown, never listed "
			   "as a change (one run per kernel is no measurement of a change).\n",
			a->accel, b->accel);
}

static void md__limits(const struct study *a, const struct study *b, FILE *f)
{
	char s[6][16];
	size_t i, j;

	fprintf(f, "\n## Limits found by probing\n\n"
		   "| kind | largest A | largest B | first failure A | first failure B | "
		   "kernel's max A | kernel's max B |\n"
		   "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < a->nr_limits; i++) {
		const struct study_limit *la = &a->limits[i];

		for (j = 0; j < b->nr_limits; j++) {
			const struct study_limit *lb = &b->limits[j];

			if (lb->kind != la->kind)
				continue;
			fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", kind__name(la->kind),
				size__format(la->largest, s[0], 16), size__format(lb->largest, s[1], 16),
				study__fail_size(la, s[2], 16),
				study__fail_size(lb, s[3], 16),
				size__format(la->kernel_max, s[4], 16),
				size__format(lb->kernel_max, s[5], 16));
		}
	}
}

static void md__kvmalloc(const struct study *a, const struct study *b, FILE *f)
{
	uint64_t ma = compare__kvmalloc_max(a), mb = compare__kvmalloc_max(b);
	char s[4][32];

	fprintf(f, "\n## kvmalloc\n\nkvmalloc tries kmalloc (the direct map) and falls back to "
		   "vmalloc; the study records which area each buffer lies in.\n\n"
		   "| | A | B |\n| --- | --- | --- |\n");
	fprintf(f, "| in the vmalloc area from | %s | %s |\n",
		compare__size_fact(compare__kvmalloc_vmalloc(a), ma, s[0], 32),
		compare__size_fact(compare__kvmalloc_vmalloc(b), mb, s[1], 32));
	fprintf(f, "| mapped with 2M pages from | %s | %s |\n",
		compare__size_fact(compare__kvmalloc_huge(a), ma, s[2], 32),
		compare__size_fact(compare__kvmalloc_huge(b), mb, s[3], 32));
}

static void md__fns(const struct study *a, const struct study *b, FILE *f)
{
	uint32_t kind;

	fprintf(f, "\n## The BPF clock's functions\n\n"
		   "| kind | alloc A | alloc B | free A | free B |\n| --- | --- | --- | --- | --- |\n");
	for (kind = 1; kind <= MEMALLOC_KIND_MAX; kind++) {
		const char *aa = compare__fn(a, kind, false), *ab = compare__fn(b, kind, false);
		const char *fa = compare__fn(a, kind, true), *fb = compare__fn(b, kind, true);

		if (!aa[0] && !ab[0] && !fa[0] && !fb[0])
			continue;
		fprintf(f, "| %s | `%s` | `%s` | `%s` | `%s` |\n", kind__name(kind),
			aa[0] ? aa : "-", ab[0] ? ab : "-", fa[0] ? fa : "-", fb[0] ? fb : "-");
	}
}

/* One study's hook @h in a table cell: `fexit target`, absent, not recorded */
static const char *md__hook(const struct study *s, uint32_t h, char *buf, size_t len)
{
	const struct hook *k = &s->hooks[h];

	if (k->attach == HOOK_NOT_RECORDED || k->attach == HOOK_ABSENT || !k->target[0])
		return hook__format(k, buf, len);
	snprintf(buf, len, "%s `%s`", hook__attach_name(k->attach), k->target);
	return buf;
}

static void md__hooks(const struct study *a, const struct study *b, FILE *f)
{
	const struct study *s[2] = { a, b };
	char ha[128], hb[128];
	uint32_t h;
	int i;

	fprintf(f, "\n## The tracer's hooks\n\nHow `memtrace run`'s tracer attaches on each "
		   "kernel: raw_tp on a tracepoint, fentry/fexit (the BPF trampoline) or its "
		   "kprobe/kretprobe twin where the trampoline refuses the function, or absent "
		   "(the kernel lacks it).\n\n| hook | A | B |\n| --- | --- | --- |\n");
	for (h = 0; h < NR_HOOKS; h++)
		fprintf(f, "| %s | %s | %s |\n", hook__name(h), md__hook(a, h, ha, sizeof(ha)),
			md__hook(b, h, hb, sizeof(hb)));
	for (i = 0; i < 2; i++) {
		if (!hooks__recorded(s[i]->hooks))
			fprintf(f, "\n%s: not recorded%s%s.\n", i ? "B" : "A",
				s[i]->hooks_note[0] ? ", " : " (a study from before they were)",
				s[i]->hooks_note);
	}
}

void compare__write_md(const struct study *a, const struct study *b, const struct compare *c,
		       FILE *f)
{
	char ra[64], rb[64];
	size_t i;

	fprintf(f, "# memtrace study: %s (A) vs %s (B)\n\n", compare__release(a, ra, sizeof(ra)),
		compare__release(b, rb, sizeof(rb)));
	md__conditions(a, b, f);
	md__cells(a, b, f);
	md__limits(a, b, f);
	md__kvmalloc(a, b, f);
	md__fns(a, b, f);
	md__hooks(a, b, f);
	fprintf(f, "\n## What changed\n\n");
	if (!c->nr_changes)
		fprintf(f, "Nothing the studies record (functions, hooks, kvmalloc, limits, "
			   "page sizes).\n");
	for (i = 0; i < c->nr_changes; i++) {
		const struct compare_change *ch = &c->changes[i];

		fprintf(f, "- %s", ch->text);
		if (ch->commit)
			fprintf(f, ": commit %s (\"%s\")", ch->commit, ch->title);
		fputc('\n', f);
	}
}

void compare__print_table(const struct study *a, const struct study *b,
			  const struct compare *c, FILE *f)
{
	const struct study_cell *ca, *cb;
	uint64_t ma = compare__kvmalloc_max(a), mb = compare__kvmalloc_max(b);
	char b0[16], b1[16], b2[16], r[16], la[32], lb[32], s[4][32];
	uint32_t kind, h;
	size_t i;

	fprintf(f, "A: %.74s\nB: %.74s\n", a->kernel, b->kernel);
	fprintf(f, "%-11s %5s %7s %7s %5s %-8s %-8s %6s %6s\n", "KIND", "SIZE", "ALLOC-A",
		"ALLOC-B", "B/A", "MAP-A", "MAP-B", "RUNS-A", "RUNS-B");
	for_each_common(a, b, i, ca, cb) {
		fprintf(f, "%-11s %5s %7s %7s %5.5s %-8.8s %-8.8s %6u %6u\n", kind__name(ca->kind),
			size__format(ca->size, b0, sizeof(b0)),
			stats__fmt_of(&ca->mod_alloc, ca->mod_alloc.median_ns, b1, sizeof(b1)),
			stats__fmt_of(&cb->mod_alloc, cb->mod_alloc.median_ns, b2, sizeof(b2)),
			compare__ratio(ca, cb, r, sizeof(r)), study__levels_str(ca, la, sizeof(la)),
			study__levels_str(cb, lb, sizeof(lb)), ca->nr_runs, cb->nr_runs);
	}
	fprintf(f, "kvmalloc in vmalloc from: A %.20s, B %.20s\n",
		compare__size_fact(compare__kvmalloc_vmalloc(a), ma, s[0], 32),
		compare__size_fact(compare__kvmalloc_vmalloc(b), mb, s[1], 32));
	fprintf(f, "kvmalloc 2M pages from:   A %.20s, B %.20s\n",
		compare__size_fact(compare__kvmalloc_huge(a), ma, s[2], 32),
		compare__size_fact(compare__kvmalloc_huge(b), mb, s[3], 32));
	for (kind = 1; kind <= MEMALLOC_KIND_MAX; kind++) {
		const char *fa = compare__fn(a, kind, false), *fb = compare__fn(b, kind, false);

		if (fa[0] || fb[0])
			fprintf(f, "BPF %-11s A %-26.26s B %.26s\n", kind__name(kind),
				fa[0] ? fa : "-", fb[0] ? fb : "-");
	}
	/* The attach types; the functions are in compare.md and in what changed */
	for (h = 0; h < NR_HOOKS; h++)
		fprintf(f, "hook %-21s A %-12s B %s\n", hook__name(h),
			a->hooks[h].attach ? hook__attach_name(a->hooks[h].attach) :
			"not recorded", b->hooks[h].attach ?
			hook__attach_name(b->hooks[h].attach) : "not recorded");
	fprintf(f, "What changed:%s\n", c->nr_changes ? "" : " nothing recorded");
	for (i = 0; i < c->nr_changes; i++) {
		const struct compare_change *ch = &c->changes[i];

		fprintf(f, "- %.77s\n", ch->text);
		if (ch->commit)
			fprintf(f, "  %s %.64s\n", ch->commit, ch->title);
	}
}
