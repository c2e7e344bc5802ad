// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace study: what each allocator costs and what memory it gives.  A
 * matrix of allocators x sizes, each measured through /dev/memalloc (BENCH:
 * in-kernel timing and access passes; ALLOC + WALK: pages, contiguity,
 * page size, node) and timed a second way by BPF fentry/fexit on the same
 * calls (trace/clock.c); limits found by probing.  --render turns the
 * JSON into a report folder on the host (memtrace-render, tool/render/).
 */
#include <argp.h>
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "bpf/alloclat.h"
#include "trace/clock.h"
#include "trace/tracer.h"
#include "dev/device.h"
#include "memtrace.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "zones/physmap.h"
#include "study/study.h"

static const char study_doc[] =
	"Measure each allocator: latency (module and BPF clocks), contiguity, page size,\n"
	"access cost, limits and NUMA placement.\n"
	"\n"
	"USAGE: memtrace study [--quick] [-j | --csv] [--output FILE] [--kinds LIST]\n"
	"       memtrace study --render STUDY.json --outdir DIR\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace study --quick                # small matrix, table on the terminal\n"
	"    memtrace study --json --output s.json # the full study as one JSON document\n"
	"    memtrace study --kinds kmalloc,vmalloc --max-size 1M --csv\n"
	"    memtrace study --render s.json --outdir report   # host: SVG plots, report.md\n";

enum {
	OPT_CSV = 0x100,
	OPT_RENDER,
	OPT_OUTDIR,
	OPT_NO_BPF,
	OPT_MAX_SIZE,
};

static const struct argp_option study_opts[] = {
	{ "quick", 'q', NULL, 0, "Small matrix (a few sizes, few iterations)", 0 },
	{ "csv", OPT_CSV, NULL, 0, "Print the cells as CSV", 0 },
	{ "output", 'o', "FILE", 0, "Write the JSON or CSV to FILE (a tty is set raw)", 0 },
	{ "kinds", 'k', "LIST", 0,
	  "Allocators (default kmalloc,kvmalloc,vmalloc,alloc_pages,kmem_cache)", 0 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "Largest size (default 64M, quick 1M)", 0 },
	{ "iterations", 'n', "N", 0, "BENCH iterations per cell (default: by size)", 0 },
	{ "no-bpf", OPT_NO_BPF, NULL, 0, "No BPF: the module's clock only, no tracer's hooks", 0 },
	{ "render", OPT_RENDER, "JSON", 0, "Render a study's JSON (no root, no device)", 0 },
	{ "outdir", OPT_OUTDIR, "DIR", 0, "Report folder for --render (default: study)", 0 },
	{},
};

struct study_args {
	bool quick, csv, no_bpf;
	const char *output, *render, *outdir;
	uint32_t kinds[8];
	int nr_kinds;
	uint64_t max_size;
	uint32_t iterations;
};

static volatile sig_atomic_t exiting;

static void study__sigint(int sig)
{
	(void)sig;
	exiting = 1;
}

/* The matrix has at most 32 sizes, powers of two from 64 B: up to 128G */
#define STUDY_MAX_SIZE	(64ULL << 31)

/* The first option given that measures, which --render does not; or NULL */
static const char *study__measure_opt(const struct study_args *a)
{
	return a->quick ? "--quick" : a->csv ? "--csv" : a->output ? "--output" :
	       a->nr_kinds ? "--kinds" : a->max_size ? "--max-size" :
	       a->iterations ? "--iterations" : a->no_bpf ? "--no-bpf" :
	       env.json ? "--json" : NULL;
}

/* Options that go together, once all are known (-j may come before the command) */
static void study__check(const struct study_args *a, struct argp_state *state)
{
	const char *m = study__measure_opt(a);

	if (env.json && a->csv)
		argp_error(state, "--json and --csv: choose one");
	if (a->render && m)
		argp_error(state, "--render and %s: --render only renders (with --outdir)", m);
	if (a->outdir && !a->render)
		argp_error(state, "--outdir goes with --render");
	if (a->output && !env.json && !a->csv)
		argp_error(state, "--output needs --json or --csv (the table goes to stdout)");
}

static error_t study_parse(int key, char *arg, struct argp_state *state)
{
	struct study_args *a = state->input;
	uint64_t v;

	switch (key) {
	case 'q':
		a->quick = true;
		break;
	case OPT_CSV:
		a->csv = true;
		break;
	case 'o':
		if (!*arg)
			argp_error(state, "bad --output '' (a file name)");
		a->output = arg;
		break;
	case 'k':
		a->nr_kinds = kind__parse_list(arg, a->kinds, 8);
		if (a->nr_kinds < 0)
			argp_error(state, "bad --kinds '%s' (kmalloc kzalloc vmalloc vzalloc "
					  "kvmalloc alloc_pages kmem_cache all)", arg);
		break;
	case OPT_MAX_SIZE:
		if (parse_size(arg, &a->max_size) || a->max_size < 64 ||
		    a->max_size > STUDY_MAX_SIZE)
			argp_error(state, "bad --max-size '%s' (64 to 128G)", arg);
		break;
	case 'n':
		if (parse_uint(arg, 1, 100000, &v))
			argp_error(state, "bad --iterations '%s' (1 to 100000)", arg);
		a->iterations = v;
		break;
	case OPT_NO_BPF:
		a->no_bpf = true;
		break;
	case OPT_RENDER:
		if (!*arg)
			argp_error(state, "bad --render '' (a study's JSON file)");
		a->render = arg;
		break;
	case OPT_OUTDIR:
		if (!*arg)
			argp_error(state, "bad --outdir '' (a folder)");
		a->outdir = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		study__check(a, state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- progress ---------------------------------------------------------- */

static struct {
	bool tty;
	int done, total;
	time_t t0;
} progress;

static void study__progress(const char *what, uint32_t kind, uint64_t size)
{
	char sz[16];

	size__format(size, sz, sizeof(sz));
	fprintf(stderr, "%sstudy [%3d/%3d] %3lds %-9s %-11s %-5s%s", progress.tty ? "\r" : "",
		progress.done, progress.total, (long)(time(NULL) - progress.t0), what,
		kind ? kind__name(kind) : "", kind ? sz : "", progress.tty ? "\033[K" : "\n");
	fflush(stderr);
}

/* ---- conditions -------------------------------------------------------- */

/*
 * The hypervisor's signature, CPUID leaf 0x40000000 (meaningful only with
 * the hypervisor flag): QEMU's TCG says "TCGTCGTCGTCG", KVM "KVMKVMKVM".
 */
static void study__hypervisor_id(char *sig, size_t size)
{
	unsigned int r[4] = {};

	__cpuid(0x40000000, r[0], r[1], r[2], r[3]);
	snprintf(sig, size, "%.4s%.4s%.4s", (char *)&r[1], (char *)&r[2], (char *)&r[3]);
}

/* How the CPU ran, and the host's CPU: from the launcher, else from here */
static void study__accel(struct study *s)
{
	const char *host = getenv("MEMTRACE_HOST_CPU");

	if (s->hypervisor)
		study__hypervisor_id(s->hypervisor_id, sizeof(s->hypervisor_id));
	snprintf(s->accel, sizeof(s->accel), "%s",
		 study__accel_of(getenv("MEMTRACE_ACCEL"), s->hypervisor, s->hypervisor_id));
	if (host && *host)
		snprintf(s->host_cpu, sizeof(s->host_cpu), "%s", host);
	else if (!s->hypervisor)
		snprintf(s->host_cpu, sizeof(s->host_cpu), "%s", s->cpu);
}

static void study__conditions(struct study *s)
{
	struct utsname u;
	char line[512];
	FILE *f;

	if (!uname(&u)) {
		snprintf(s->kernel, sizeof(s->kernel), "%s %s", u.release, u.version);
		snprintf(s->machine, sizeof(s->machine), "%.31s", u.machine);
	}
	s->nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = '\0';
		if (!strncmp(line, "model name", 10) && !s->cpu[0])
			snprintf(s->cpu, sizeof(s->cpu), "%s", v);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			s->hypervisor = true;
	}
	if (f)
		fclose(f);
	study__accel(s);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long kb;

		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			s->mem_bytes = kb << 10;
	}
	if (f)
		fclose(f);
}

/* Top-level ranges of /proc/iomem, for the physical map */
static void study__iomem(struct study *s)
{
	struct physmap pm = {};
	FILE *f = fopen("/proc/iomem", "r");
	size_t i;

	if (!f)
		return;
	if (!physmap__parse_iomem(&pm, f) && !physmap__iomem_is_censored(&pm)) {
		for (i = 0; i < pm.nr_res; i++) {
			struct study_iomem *r;

			if (pm.res[i].depth)
				continue;
			r = study__add_iomem(s);
			if (!r)
				break;
			r->start = pm.res[i].start;
			r->end = pm.res[i].end;
			snprintf(r->name, sizeof(r->name), "%s", pm.res[i].name);
		}
	}
	physmap__free(&pm);
	fclose(f);
}

/* ---- measurements ------------------------------------------------------ */

/* Allocate, walk, free: fills the walk results of @c; 0 or -errno */
static int study__walk_one(int fd, struct study *s, struct study_cell *c, int node,
			   struct study_place *p)
{
	struct memalloc_pte *e = NULL;
	struct memalloc_alloc a;
	uint64_t *pfns = NULL;
	uint32_t *levels = NULL, nr = 0, i;
	int err, ferr;

	err = device__alloc(fd, c->kind, c->size, node, &a);
	if (err)
		return err;
	c->size_alloc = a.size_alloc;
	c->area = study__area_of(s, a.addr);
	err = device__walk(fd, a.handle, &e, &nr);
	if (!err) {
		pfns = calloc(nr + 1, sizeof(*pfns));
		levels = calloc(nr + 1, sizeof(*levels));
		if (!pfns || !levels)
			err = -ENOMEM;
	}
	if (!err) {
		for (i = 0; i < nr; i++) {
			pfns[i] = e[i].level ? e[i].pfn : UINT64_MAX;
			levels[i] = e[i].level;
		}
		study__cell_walk(s, c, pfns, levels, nr);
		if (p) {
			p->pages = c->pages;
			memcpy(p->nodes, c->nodes, sizeof(p->nodes));
		}
	}
	ferr = device__free(fd, a.handle, NULL);
	free(e);
	free(pfns);
	free(levels);
	return err ? err : ferr;
}

static uint32_t study__iterations(const struct study_args *a, uint64_t size)
{
	if (a->iterations)
		return a->iterations;
	if (a->quick)
		return size <= (64 << 10) ? 64 : 16;
	if (size <= (64 << 10))
		return 512;
	if (size <= (1 << 20))
		return 128;
	if (size <= (8 << 20))
		return 32;
	return 8;
}

static int study__bench(int fd, struct study_cell *c, struct memalloc_bench *b)
{
	memset(b, 0, sizeof(*b));
	b->kind = c->kind;
	b->size = c->size;
	b->iterations = c->iterations;
	return device__bench(fd, b);
}

static void study__from_bench(struct stats *st, const struct memalloc_stat *m, uint32_t n)
{
	st->n = n;
	st->min_ns = m->min_ns;
	st->median_ns = m->median_ns;
	st->p99_ns = m->p99_ns;
	st->max_ns = m->max_ns;
}

/* The module's clock: BPF detached */
static int study__cell_module(int fd, struct study_cell *c)
{
	struct memalloc_bench b;
	int err = study__bench(fd, c, &b);

	if (err)
		return err;
	c->failures = b.failures;
	if (b.failures == b.iterations)
		return -ENOMEM;
	study__from_bench(&c->mod_alloc, &b.alloc, b.iterations - b.failures);
	study__from_bench(&c->mod_free, &b.free, b.iterations - b.failures);
	c->touch_lines = b.touch_lines;
	c->touch_pages = b.touch_pages;
	c->seq_line_ns = b.seq_line_ns;
	c->rand_line_ns = b.rand_line_ns;
	c->seq_page_ns = b.seq_page_ns;
	c->rand_page_ns = b.rand_page_ns;
	return 0;
}

/* Both clocks on the same calls: BPF attached */
static int study__cell_bpf(int fd, struct alloclat *al, struct study_cell *c, uint64_t *buf)
{
	int ha = alloclat__hook(al, c->kind, false), hf = alloclat__hook(al, c->kind, true);
	struct memalloc_bench b;
	uint32_t kept;
	int err;

	alloclat__reset(al);
	err = study__bench(fd, c, &b);
	if (err)
		return err;
	study__from_bench(&c->modbpf_alloc, &b.alloc, b.iterations - b.failures);
	study__from_bench(&c->modbpf_free, &b.free, b.iterations - b.failures);
	if (ha >= 0) {
		alloclat__read(al, ha, buf, ALLOCLAT_MAX_SAMPLES, &kept);
		stats__summarize(buf, kept, &c->bpf_alloc);
		snprintf(c->bpf_alloc_fn, sizeof(c->bpf_alloc_fn), "%s", alloclat__func(al, ha));
	}
	if (hf >= 0) {
		alloclat__read(al, hf, buf, ALLOCLAT_MAX_SAMPLES, &kept);
		stats__summarize(buf, kept, &c->bpf_free);
		snprintf(c->bpf_free_fn, sizeof(c->bpf_free_fn), "%s", alloclat__func(al, hf));
	}
	return 0;
}

/* Try one allocation of @size; 0 or -errno */
static int study__try(int fd, uint32_t kind, uint64_t size, uint32_t *probes)
{
	struct memalloc_alloc a;
	int err;

	(*probes)++;
	err = device__alloc(fd, kind, size, -1, &a);
	if (!err)
		device__free(fd, a.handle, NULL);
	return err;
}

/*
 * The largest kmalloc: double from one page until an allocation fails, then
 * bisect in bytes between the last success and the first failure.
 */
static void study__probe_kmalloc(int fd, struct study *s, struct study_limit *l)
{
	uint64_t lo = 0, hi, mid;
	int err;

	l->kind = MEMALLOC_KIND_KMALLOC;
	l->kernel_max = s->kmalloc_max_size;
	for (hi = s->page_size; hi <= s->limit_bytes; hi <<= 1) {
		err = study__try(fd, l->kind, hi, &l->probes);
		if (err) {
			l->fail_err = err;
			break;
		}
		lo = hi;
	}
	if (hi > s->limit_bytes) {
		l->largest = lo;
		l->first_fail = 0;
		return;
	}
	while (lo && hi - lo > 1 && !exiting) {
		mid = lo + (hi - lo) / 2;
		err = study__try(fd, l->kind, mid, &l->probes);
		if (err) {
			hi = mid;
			l->fail_err = err;
		} else {
			lo = mid;
		}
	}
	l->largest = lo;
	l->first_fail = hi;
}

/* The largest alloc_pages order: orders up from 0 until one fails */
static void study__probe_pages(int fd, struct study *s, struct study_limit *l)
{
	uint32_t order;
	int err;

	l->kind = MEMALLOC_KIND_ALLOC_PAGES;
	l->kernel_max = (uint64_t)s->page_size << s->max_order;
	for (order = 0; order < 20 && !exiting; order++) {
		uint64_t size = (uint64_t)s->page_size << order;

		err = study__try(fd, l->kind, size, &l->probes);
		if (err) {
			l->first_fail = size;
			l->fail_err = err;
			return;
		}
		l->largest = size;
	}
}

static void study__placement(int fd, struct study *s)
{
	static const struct { uint32_t kind; uint64_t size; } what[] = {
		{ MEMALLOC_KIND_KMALLOC, 64 << 10 },
		{ MEMALLOC_KIND_KVMALLOC, 1 << 20 },
		{ MEMALLOC_KIND_VMALLOC, 1 << 20 },
		{ MEMALLOC_KIND_ALLOC_PAGES, 1 << 20 },
		{ MEMALLOC_KIND_KMEM_CACHE, 4096 },
	};
	size_t i;
	int node;

	for (i = 0; i < sizeof(what) / sizeof(what[0]) && !exiting; i++) {
		for (node = -1; node < (int)s->nr_nodes && node < STUDY_MAX_NODES; node++) {
			struct study_cell c = { .kind = what[i].kind, .size = what[i].size };
			struct study_place *p = study__add_place(s);

			if (!p)
				return;
			p->kind = c.kind;
			p->size = c.size;
			p->node_req = node;
			study__progress("placement", c.kind, c.size);
			p->err = study__walk_one(fd, s, &c, node, p);
		}
	}
}

/* The kernel's layout from INFO, and the conditions of the run */
static int study__setup(int fd, const struct study_args *a, struct study *s)
{
	struct memalloc_info *info = calloc(1, sizeof(*info));
	uint32_t i;
	int err;

	if (!info)
		return -ENOMEM;
	err = device__info(fd, info);
	if (err) {
		warn("MEMALLOC_IOC_INFO: %s\n", strerror(-err));
		free(info);
		return err;
	}
	study__conditions(s);
	study__iomem(s);
	s->quick = a->quick;
	s->page_size = info->page_size;
	s->kmalloc_max_size = info->kmalloc_max_size;
	s->max_order = info->max_order;
	s->limit_bytes = info->limit_bytes;
	s->nr_nodes = info->nr_nodes;
	s->page_offset = info->page_offset;
	s->vmalloc_start = info->vmalloc_start;
	s->vmalloc_end = info->vmalloc_end;
	for (i = 0; i < info->nr_zones && i < STUDY_MAX_ZONES; i++)
		s->zones[s->nr_zones++] = info->zones[i];
	free(info);
	return 0;
}

/* The sizes of the matrix: powers of two from 64 B, or the quick four */
static int study__sizes(const struct study_args *a, uint64_t *sizes, int max)
{
	static const uint64_t quick_sizes[] = { 64, 4096, 64 << 10, 1 << 20 };
	uint64_t sz, max_size = a->max_size ? a->max_size : a->quick ? (1 << 20) : (64ULL << 20);
	int n = 0;

	if (a->quick && !a->max_size) {
		for (; n < 4; n++)
			sizes[n] = quick_sizes[n];
		return n;
	}
	for (sz = 64; sz <= max_size && n < max; sz <<= 1)
		sizes[n++] = sz;
	return n;
}

/* The largest kmalloc and alloc_pages, by probing */
static void study__limits(int fd, struct study *s)
{
	study__progress("probe", MEMALLOC_KIND_KMALLOC, 0);
	study__probe_kmalloc(fd, s, &s->limits[s->nr_limits++]);
	progress.done++;
	study__progress("probe", MEMALLOC_KIND_ALLOC_PAGES, 0);
	study__probe_pages(fd, s, &s->limits[s->nr_limits++]);
	progress.done++;
}

/* Pass 1: every cell's walk and the module's clock, BPF detached */
static int study__module_pass(int fd, const struct study_args *a, struct study *s,
			      const uint32_t *kinds, int nr_kinds, const uint64_t *sizes,
			      int nr_sizes)
{
	int k, i;

	for (k = 0; k < nr_kinds && !exiting; k++) {
		for (i = 0; i < nr_sizes && !exiting; i++) {
			struct study_cell *cell = study__add_cell(s);

			if (!cell)
				return -ENOMEM;
			cell->kind = kinds[k];
			cell->size = sizes[i];
			cell->iterations = study__iterations(a, sizes[i]);
			progress.done++;
			/* Half the module's limit: more would invite the OOM killer */
			if (sizes[i] > s->limit_bytes / 2) {
				cell->err = -E2BIG;
				break;
			}
			study__progress("walk", cell->kind, cell->size);
			cell->err = study__walk_one(fd, s, cell, -1, NULL);
			if (!cell->err) {
				study__progress("bench", cell->kind, cell->size);
				cell->err = study__cell_module(fd, cell);
			}
			/* Larger sizes of a kind that failed fail too (ENOMEM, E2BIG, EINVAL) */
			if (cell->err)
				break;
		}
	}
	return 0;
}

/* Pass 2: both clocks on the same calls, BPF attached; what it could not says why */
static int study__bpf_pass(int fd, const struct study_args *a, struct study *s)
{
	struct alloclat *al = NULL;
	uint64_t *buf;
	size_t c;
	int err;

	if (a->no_bpf) {
		snprintf(s->bpf_note, sizeof(s->bpf_note), "BPF timing off (--no-bpf)");
		return 0;
	}
	buf = calloc(ALLOCLAT_MAX_SAMPLES, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	study__progress("bpf-load", 0, 0);
	err = alloclat__open(&al, getpid(), env.verbose);
	if (err)
		snprintf(s->bpf_note, sizeof(s->bpf_note), "BPF timing unavailable: %s",
			 strerror(-err));
	s->bpf = !err;
	for (c = 0; al && c < s->nr_cells && !exiting; c++) {
		struct study_cell *cell = &s->cells[c];

		progress.done++;
		if (cell->err)
			continue;
		if (!c || cell->kind != s->cells[c - 1].kind)
			alloclat__select(al, cell->kind);
		study__progress("bpf-bench", cell->kind, cell->size);
		err = study__cell_bpf(fd, al, cell, buf);
		if (err)
			warn("BENCH %s %llu with BPF: %s\n", kind__name(cell->kind),
			     (unsigned long long)cell->size, strerror(-err));
	}
	if (al)
		snprintf(s->bpf_note, sizeof(s->bpf_note), "%s", alloclat__note(al));
	alloclat__close(al);
	free(buf);
	return 0;
}

/*
 * The hooks `memtrace run`'s tracer attaches on this kernel: the tracer is
 * loaded, asked and unloaded, after every measurement (its programs never
 * run during one).  Its choices (raw_tp on tracepoints this kernel has,
 * fexit or its kretprobe twin, the vmalloc core's name) are the kernel's
 * facts a comparison of kernels shows.
 */
static void study__hooks(const struct study_args *a, struct study *s)
{
	struct trace_opts opts = { .tgid = getpid(), .ringbuf_bytes = 1 << 16,
				   .verbose = env.verbose };
	struct trace *t;
	int err;

	if (a->no_bpf) {
		snprintf(s->hooks_note, sizeof(s->hooks_note), "not loaded (--no-bpf)");
		return;
	}
	study__progress("hooks", 0, 0);
	err = trace__open(&t, &opts, NULL, NULL);
	if (err) {
		snprintf(s->hooks_note, sizeof(s->hooks_note), "the tracer did not load: %s",
			 strerror(-err));
		return;
	}
	trace__hooks(t, s->hooks);
	trace__close(t);
}

/*
 * The study: set-up, limits, module pass, BPF pass, placement (with more
 * than one node), the tracer's hooks.  Ctrl-C ends it early with what was
 * measured.
 */
static int study__run(const struct study_args *a, struct study *s)
{
	static const uint32_t default_kinds[] = {
		MEMALLOC_KIND_KMALLOC, MEMALLOC_KIND_KVMALLOC, MEMALLOC_KIND_VMALLOC,
		MEMALLOC_KIND_ALLOC_PAGES, MEMALLOC_KIND_KMEM_CACHE,
	};
	const uint32_t *kinds = a->nr_kinds > 0 ? a->kinds : default_kinds;
	int nr_kinds = a->nr_kinds > 0 ? a->nr_kinds : 5, nr_sizes, fd, err;
	struct timespec t0, t1;
	uint64_t sizes[32];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress.t0 = time(NULL);
	progress.tty = isatty(STDERR_FILENO);
	fd = device__open();
	if (fd < 0)
		return fd;
	err = study__setup(fd, a, s);
	if (err)
		goto cleanup;
	nr_sizes = study__sizes(a, sizes, 32);
	/* per cell: walk + module bench + BPF bench; then probes, placement, hooks */
	progress.total = nr_kinds * nr_sizes * 2 + 2 + (s->nr_nodes > 1) + 1;
	study__limits(fd, s);
	err = study__module_pass(fd, a, s, kinds, nr_kinds, sizes, nr_sizes);
	if (!err && !exiting)
		err = study__bpf_pass(fd, a, s);
	if (!err && s->nr_nodes > 1 && !exiting) {
		study__placement(fd, s);
		progress.done++;
	}
	if (!err && !exiting) {
		study__hooks(a, s);
		progress.done++;
	} else if (exiting) {
		snprintf(s->hooks_note, sizeof(s->hooks_note), "not asked (interrupted)");
	}
cleanup:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->duration_s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	s->interrupted = exiting;
	if (progress.tty)
		fputc('\n', stderr);
	fprintf(stderr, "study: %s after %.1f s (%zu cells)\n",
		exiting ? "interrupted, partial results," : "done", s->duration_s, s->nr_cells);
	close(fd);
	return err;
}

/* ---- output ------------------------------------------------------------ */

static FILE *study__open_output(const char *path)
{
	struct termios t;
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0) {
		warn("open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	/* A serial line (the guest's data port): no "\n" -> "\r\n", no echo */
	if (isatty(fd) && !tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	f = fdopen(fd, "w");
	if (!f) {
		warn("fdopen %s: %s\n", path, strerror(errno));
		close(fd);
	}
	return f;
}

static int study__close_output(FILE *f, const char *path)
{
	int err = 0;

	if (fflush(f))
		err = -errno;
	if (isatty(fileno(f)))
		tcdrain(fileno(f));
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		warn("write %s: %s\n", path, strerror(-err));
	return err;
}

/*
 * --render: the renderer is a host program of its own (memtrace-render, with
 * json-c), not linked into this binary; run the one installed beside it, or
 * the one on PATH.
 */
static int study__do_render(const struct study_args *a)
{
	const char *outdir = a->outdir ? a->outdir : "study";
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/memtrace-render", dirname(self));
		if (!access(path, X_OK))
			execl(path, path, a->render, "--outdir", outdir, (char *)NULL);
	}
	execlp("memtrace-render", "memtrace-render", a->render, "--outdir", outdir, (char *)NULL);
	warn("memtrace-render: %s (it is built beside memtrace on the host: make tool)\n",
	     strerror(errno));
	return EXIT_ENV;
}

int cmd_study(int argc, char **argv)
{
	struct study_args a = {};
	const struct argp argp = { study_opts, study_parse, NULL, study_doc,
				   common_children, NULL, NULL };
	struct sigaction sa = {};
	struct study s = {};
	FILE *out = stdout;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (err)
		return EXIT_USAGE;
	if (a.render)
		return study__do_render(&a);

	sa.sa_handler = study__sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = study__run(&a, &s);
	if (err && !s.nr_cells) {
		study__free(&s);
		return exit_status_of(err);
	}
	if (a.output && (env.json || a.csv)) {
		out = study__open_output(a.output);
		if (!out) {
			study__free(&s);
			return EXIT_FAILURE;
		}
	}
	if (env.json)
		err = study__write_json(&s, out, env.pretty) ?: err;
	else if (a.csv)
		study__write_csv(&s, out);
	if (out != stdout) {
		err = study__close_output(out, a.output) ? -EIO : err;
		study__print_table(&s, stdout);
	} else if (!env.json && !a.csv) {
		study__print_table(&s, stdout);
	}
	study__free(&s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
