// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace run / memtrace compare: drive allocations through /dev/memalloc
 * while the BPF tracer records them, walk each one's pages through the
 * module, and compare the PFNs the two independent sources give.
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "run/correlate.h"
#include "dev/device.h"
#include "memtrace.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "run/report.h"
#include "trace/tracer.h"

#define MAX_KINDS	16
#define MAX_SIZES	32
#define MAX_COUNT	100000

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

struct run_args {
	bool compare;
	uint32_t kinds[MAX_KINDS];
	int nr_kinds;
	uint64_t sizes[MAX_SIZES];
	int nr_sizes;
	uint64_t count;
	bool hold;
	int pages;		/* -1: default (on for small runs) */
	uint64_t trace_min_size;
	bool module_callers;
	uint64_t ringbuf;
	int node;
	bool bpf_walk;
};

/* Default mix: sizes that show the slab, the page allocator and vmalloc. */
static const uint64_t default_sizes[] = { 64, 1000, 4096, 12288, 65536, 262144 };

static const char run_doc[] =
	"Allocate through /dev/memalloc while tracing, and report how each page is mapped.\n"
	"\n"
	"USAGE: memtrace run [--kind K[,K...]] [--size S[,S...]] [--count N] [--hold]\n"
	"\n"
	"Each allocation is traced by BPF (its PFNs derived independently of the module: direct\n"
	"map, struct page, vm_struct->pages[]) and walked by the module (pgd..pte); the report\n"
	"shows per allocation: kind, size, VA, pages, page size, physically contiguous runs,\n"
	"which event traced it, and whether traced and walked PFNs agree.\n"
	"Kinds: kmalloc kzalloc vmalloc vzalloc kvmalloc alloc_pages kmem_cache, or all; a\n"
	"kmem_cache takes only the sizes up to 8K.  All allocations are held until the report\n"
	"is made: the module's limits (max_bytes, default half of RAM; max_count) stop a run\n"
	"early.  Needs root and memalloc.ko loaded.\n"
	"\n"
	"--bpf-walk adds a third translation: the BPF program walks the kernel page tables\n"
	"itself (from init_top_pgt, 4 or 5 levels, through the direct map) for every page of\n"
	"each traced allocation, and the report compares its level and PFN with the module's\n"
	"WALK.  Cost, bounded: at most 5 reads per page, 512 pages per record, 16384 pages\n"
	"(64 MiB) per allocation; the rest is not walked (counted truncated; the verdict is\n"
	"then at best incomplete).  Off by default: without it nothing is walked in BPF.\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace run                          # one of each kind, mixed sizes\n"
	"    memtrace run --bpf-walk --kind vmalloc --size 64K --count 2 --pages\n"
	"    memtrace run --kind vmalloc --size 64K --count 4 --pages\n"
	"    memtrace run --kind kmalloc,vmalloc --size 4K,1M --count 100 --json\n"
	"    memtrace run --kind vmalloc --hold    # inspect from outside, Enter frees\n";

static const char compare_doc[] =
	"Run the same as 'memtrace run' and print only the comparison summary: pages compared,\n"
	"agreed, disagreed, untraced, drops.  Exit status 0 only when every page was traced and\n"
	"agrees and nothing was lost; 1 otherwise (\"incomplete\" never reads \"agree\").\n"
	"\n"
	"USAGE: memtrace compare [run options]\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace compare --count 1000         # mixed kinds and sizes\n"
	"    memtrace compare --bpf-walk --count 1000  # and BPF's own walk vs the module's\n"
	"    memtrace compare --kind vmalloc --size 1M --count 50 --json\n";

static const struct argp_option run_opts[] = {
	{ "kind", 'k', "K[,K...]", 0, "Allocators to use, in turn (default: all)", 0 },
	{ "size", 's', "S[,S...]", 0, "Sizes in bytes (4K, 2M ok), in turn (default: a mix)", 0 },
	{ "count", 'c', "N", 0, "Allocations to make (default: 2 per kind)", 0 },
	{ "node", 'n', "NODE", 0, "Allocate on this NUMA node (the _node variants)", 0 },
	{ "hold", 'H', NULL, 0, "Keep the allocations until Enter or Ctrl-C, after the report", 0 },
	{ "pages", 'p', NULL, 0, "Show every page (default: the first 8 of each, for up to 16 "
				 "allocations)", 0 },
	{ "no-pages", 'P', NULL, 0, "Do not show every page", 0 },
	{ "trace-min-size", 'm', "S", 0, "Trace only allocations of at least S bytes", 0 },
	{ "ringbuf", 'r', "S", 0, "Ring buffer size (default 4M)", 0 },
	{ "bpf-walk", 'W', NULL, 0, "Walk the page tables in BPF too, for every traced page, and "
				    "compare with the module's WALK (cost: see above)", 0 },
	{ "module-callers", 'M', NULL, 0, "Trace only kmem/vmalloc calls made from memalloc.ko "
					  "(page events carry no caller)", 0 },
	{},
};

static error_t run_parse(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;
	uint64_t v;

	switch (key) {
	case 'k':
		a->nr_kinds = kind__parse_list(arg, a->kinds, MAX_KINDS);
		if (a->nr_kinds < 0)
			argp_error(state, "bad --kind '%s' (kmalloc kzalloc vmalloc vzalloc kvmalloc "
					  "alloc_pages kmem_cache all)", arg);
		break;
	case 's':
		a->nr_sizes = size__parse_list(arg, a->sizes, MAX_SIZES);
		if (a->nr_sizes < 0)
			argp_error(state, "bad --size '%s' (bytes, e.g. 64,4K,2M)", arg);
		break;
	case 'c':
		if (parse_uint(arg, 1, MAX_COUNT, &a->count))
			argp_error(state, "bad --count '%s' (1 to %d)", arg, MAX_COUNT);
		break;
	case 'n':
		if (parse_uint(arg, 0, 1023, &v))
			argp_error(state, "bad --node '%s' (0 to 1023)", arg);
		a->node = v;
		break;
	case 'H':
		a->hold = true;
		break;
	case 'p':
	case 'P':
		v = key == 'p' ? REPORT_PAGES_ALL : REPORT_PAGES_NONE;
		if (a->pages >= 0 && a->pages != (int)v)
			argp_error(state, "--pages and --no-pages: choose one");
		a->pages = v;
		break;
	case 'm':
		if (parse_size(arg, &a->trace_min_size))
			argp_error(state, "bad --trace-min-size '%s' (bytes, e.g. 4K)", arg);
		break;
	case 'M':
		a->module_callers = true;
		break;
	case 'W':
		a->bpf_walk = true;
		break;
	case 'r':
		if (parse_size(arg, &a->ringbuf) || a->ringbuf > (1ULL << 30))
			argp_error(state, "bad --ringbuf '%s' (up to 1G)", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * The address range of memalloc.ko from /proc/modules ("name size refs deps
 * state base"): its call sites lie inside.  0 or -errno.
 */
static int module_range(__u64 *lo, __u64 *hi)
{
	char line[512], name[64];
	unsigned long long size, base;
	FILE *f = fopen("/proc/modules", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size, &base) == 3 &&
		    !strcmp(name, "memalloc")) {
			*lo = base;
			*hi = base + size;
			err = base ? 0 : -EPERM;
			break;
		}
	}
	fclose(f);
	return err;
}

/*
 * The text of kvmalloc's core from /proc/kallsyms: its kmalloc is called
 * from there, not from the module.  [start, next symbol).  0 or -errno.
 * Reading kallsyms takes a few seconds under TCG: only for --module-callers.
 */
static int kvmalloc_range(__u64 *lo, __u64 *hi)
{
	static const char *const names[] = { "__kvmalloc_node_noprof", "kvmalloc_node", NULL };
	unsigned long long addr, start = 0, end = ~0ULL;
	char line[256], type, name[128];
	FILE *f;
	int i;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	for (i = 0; names[i] && !start; i++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx %c %127s", &addr, &type, name) == 3 &&
			    (type == 'T' || type == 't') && !strcmp(name, names[i])) {
				start = addr;
				break;
			}
		}
	}
	if (start) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx", &addr) == 1 && addr > start && addr < end)
				end = addr;
		}
	}
	fclose(f);
	if (!start || end == ~0ULL)
		return -ENOENT;
	*lo = start;
	*hi = end;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* The clock of bpf_ktime_get_ns() */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct corr_log *log = ctx;
	int err = corr_log__add(log, data, len);

	/* A malformed record is counted (log->bad); only -ENOMEM stops. */
	return err == -ENOMEM ? err : 0;
}

/*
 * Deliver what is buffered until the ring buffer stays quiet.  The records
 * of this run's own allocations were committed before each ioctl returned
 * (the programs run in the allocating task); the rounds only wait out
 * another CPU's record still being written, which holds back the ones
 * behind it.  Three quiet rounds of 10 ms (were two of 50: a tenth of a
 * second of every run).
 */
static void drain(struct trace *t)
{
	int quiet = 0, n;

	while (quiet < 3) {
		n = trace__poll(t, 10);
		if (n < 0 && n != -EINTR)
			break;
		quiet = n > 0 ? 0 : quiet + 1;
	}
}

/* Slab objects of a kmem_cache are at most KMALLOC_MAX_CACHE_SIZE (8K on x86). */
#define KMEM_CACHE_MAX	8192

/*
 * Pick kind and size of allocation @i: kinds in turn, sizes in turn; a
 * kmem_cache takes only the sizes a slab can hold.
 */
static void pick(const struct run_args *a, uint64_t i, uint32_t *kind, uint64_t *size)
{
	const uint64_t *sizes = a->nr_sizes ? a->sizes : default_sizes;
	int nr = a->nr_sizes ? a->nr_sizes : (int)(sizeof(default_sizes) / sizeof(*sizes));
	uint64_t fit[MAX_SIZES];
	int j, nfit = 0;

	*kind = a->kinds[i % a->nr_kinds];
	/* Given sizes go in turn per kind; the default mix varies across kinds too. */
	if (a->nr_sizes)
		i /= a->nr_kinds;
	if (*kind == MEMALLOC_KIND_KMEM_CACHE) {
		for (j = 0; j < nr; j++) {
			if (sizes[j] <= KMEM_CACHE_MAX)
				fit[nfit++] = sizes[j];
		}
		if (nfit) {
			sizes = fit;
			nr = nfit;
		}
	}
	*size = sizes[i % nr];
}

static void wait_enter_or_signal(size_t n)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[64];

	warn("holding %zu allocations (cat /sys/kernel/debug/memalloc/allocations); Enter or\n"
	     "  Ctrl-C frees them\n", n);
	while (!exiting) {
		int r = poll(&pfd, 1, 1000);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			if (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
				break;
			pfd.fd = -1;	/* EOF: only a signal ends the hold */
		}
	}
}

/* What one run holds, from set-up to report */
struct run_state {
	const struct run_args *a;
	int fd;
	struct corr_layout layout;
	struct corr_alloc *allocs;
	uint64_t n;		/* allocations made (and held) */
	uint64_t failed;	/* allocations the module refused */
	struct corr_log log;
	struct trace *t;
	struct corr_summary sum;
};

/* How the result is shown, decided once from the options */
enum run_output { RUN_TABLE, RUN_SUMMARY, RUN_JSON };

/* The tracer's filters: this process, sizes, and callers with --module-callers */
static int run__trace_opts(const struct run_args *a, struct trace_opts *o)
{
	int err;

	*o = (struct trace_opts){ .tgid = getpid(), .min_size = a->trace_min_size,
				  .ringbuf_bytes = a->ringbuf, .verbose = env.verbose,
				  .kprobes = true, .walk_pages = a->bpf_walk };
	if (!a->module_callers)
		return 0;
	err = module_range(&o->call_site_lo, &o->call_site_hi);
	if (err) {
		warn("memalloc.ko's address in /proc/modules: %s\n", strerror(-err));
		return err;
	}
	if (kvmalloc_range(&o->call_site2_lo, &o->call_site2_hi))
		warn("kvmalloc not found in /proc/kallsyms: its kmalloc path goes untraced\n");
	return 0;
}

/* Open the device, learn the layout, load the tracer; 0 or -errno (said) */
static int run__setup(struct run_state *st)
{
	struct memalloc_info info;
	struct trace_opts topts;
	int err;

	st->fd = device__open();
	if (st->fd < 0)
		return st->fd;
	err = device__info(st->fd, &info);
	if (err) {
		warn("MEMALLOC_IOC_INFO: %s\n", strerror(-err));
		return err;
	}
	st->layout = (struct corr_layout){ .page_offset = info.page_offset,
					   .vmalloc_start = info.vmalloc_start,
					   .vmalloc_end = info.vmalloc_end };
	st->allocs = calloc(st->a->count, sizeof(*st->allocs));
	if (!st->allocs) {
		warn("out of memory\n");
		return -ENOMEM;
	}
	err = run__trace_opts(st->a, &topts);
	if (err)
		return err;
	st->log.walk = st->a->bpf_walk;
	warn("loading the BPF tracer...\n");
	err = trace__open(&st->t, &topts, on_record, &st->log);
	if (err)
		return err;
	warn("tracing (%s); %llu allocations\n", trace__describe(st->t),
	     (unsigned long long)st->a->count);
	return 0;
}

/* Make the allocations, timing each ALLOC call for the matcher's window */
static void run__allocate(struct run_state *st)
{
	const struct run_args *a = st->a;
	bool tty = isatty(STDERR_FILENO);
	uint64_t i;

	for (i = 0; i < a->count && !exiting; i++) {
		struct corr_alloc *c = &st->allocs[st->n];
		struct memalloc_alloc al;
		uint32_t kind;
		uint64_t size;
		int err;

		pick(a, i, &kind, &size);
		c->t_start = now_ns();
		err = device__alloc(st->fd, kind, size, a->node, &al);
		c->t_end = now_ns();
		if (err) {
			warn("ALLOC %s %llu: %s\n", kind__name(kind), (unsigned long long)size,
			     strerror(-err));
			st->failed++;
			if (err == -ENOSPC || err == -E2BIG) {
				warn("the module's limits are reached (see memtrace run --help)\n");
				break;	/* more would fail too */
			}
			continue;
		}
		*c = (struct corr_alloc){ .kind = kind, .size = size, .size_alloc = al.size_alloc,
					  .addr = al.addr, .handle = al.handle,
					  .latency_ns = al.latency_ns, .t_start = c->t_start,
					  .t_end = c->t_end };
		if (++st->n % 64 == 0)
			trace__poll(st->t, 0);
		if (st->n % 100 == 0 && !env.json)
			fprintf(stderr, "%smemtrace: %llu/%llu allocated%s", tty ? "\r" : "",
				(unsigned long long)st->n, (unsigned long long)a->count,
				tty ? "" : "\n");
	}
	if (st->n >= 100 && !env.json && tty)
		fputc('\n', stderr);
}

/* Walk every allocation; each WALK makes records too, so keep reading */
static int run__walk(struct run_state *st)
{
	uint64_t i;
	int err;

	if (!env.json)
		warn("walking %llu allocations\n", (unsigned long long)st->n);
	for (i = 0; i < st->n; i++) {
		struct corr_alloc *c = &st->allocs[i];

		if (i % 64 == 63)
			trace__poll(st->t, 0);
		err = device__walk(st->fd, c->handle, &c->pages, &c->nr_pages);
		if (err) {
			warn("WALK handle %llu: %s\n", (unsigned long long)c->handle,
			     strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Free everything, so that the tracer records each free */
static void run__free(struct run_state *st)
{
	uint64_t i;
	int err;

	if (!env.json)
		warn("freeing %llu allocations\n", (unsigned long long)st->n);
	for (i = 0; i < st->n; i++) {
		if (i % 64 == 63)
			trace__poll(st->t, 0);
		err = device__free(st->fd, st->allocs[i].handle, NULL);
		if (err)
			warn("FREE handle %llu: %s\n", (unsigned long long)st->allocs[i].handle,
			     strerror(-err));
	}
}

/*
 * Read what is buffered, match records to allocations and sum up with the
 * tracer's counters; after the frees (@freed), also count the frees traced.
 */
static int run__correlate(struct run_state *st, bool freed)
{
	struct memtrace_counters cnt;
	uint64_t i;
	int err;

	drain(st->t);
	err = trace__stats(st->t, &cnt);
	if (err) {
		warn("reading the tracer's counters: %s\n", strerror(-err));
		return err;
	}
	err = corr__match(&st->log, st->allocs, st->n, &st->layout);
	if (err) {
		warn("out of memory\n");
		return err;
	}
	st->sum = (struct corr_summary){ .walk = st->a->bpf_walk };
	if (freed) {
		st->sum.frees = st->n;
		/* A free happens after the walk: any free event of it after ALLOC. */
		for (i = 0; i < st->n; i++)
			st->sum.frees_traced += corr__free_traced(&st->log, &st->allocs[i],
								  &st->layout, st->allocs[i].t_end,
								  UINT64_MAX);
	}
	corr__summarize(st->allocs, st->n, &cnt, &st->sum);
	return 0;
}

static void run__report(const struct run_state *st, enum run_output out)
{
	const struct run_args *a = st->a;
	struct utsname uts;
	struct report r;

	uname(&uts);
	r = (struct report){ .cmd = a->compare ? "compare" : "run", .kernel = uts.release,
			     .hooks = trace__describe(st->t), .layout = st->layout,
			     .allocs = st->allocs, .nr = st->n, .sum = &st->sum,
			     .pages = a->pages, .pretty = env.pretty };
	if (out == RUN_JSON) {
		if (report__print_json(&r, stdout))
			warn("writing JSON: the document is not whole or not written\n");
	} else if (out == RUN_SUMMARY)
		report__print_summary(&r, stdout);
	else
		report__print_table(&r, stdout);
	fflush(stdout);
	if (st->log.bad)
		warn("%llu malformed trace records ignored\n", (unsigned long long)st->log.bad);
}

/* The exit status (README): 1 unless every allocation was made and agrees */
static int run__exit_status(const struct run_state *st)
{
	if (exiting)
		warn("interrupted: partial results\n");
	if (st->failed) {
		warn("%llu of %llu allocations failed\n", (unsigned long long)st->failed,
		     (unsigned long long)st->a->count);
		return EXIT_FAILURE;
	}
	return st->sum.verdict == CORR_AGREE ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void run__cleanup(struct run_state *st)
{
	uint64_t i;

	trace__close(st->t);
	for (i = 0; st->allocs && i < st->n; i++)
		corr_alloc__free(&st->allocs[i]);
	free(st->allocs);
	corr_log__free(&st->log);
	if (st->fd >= 0)
		close(st->fd);	/* frees whatever is still held */
}

/*
 * Set up, allocate, walk, (with --hold: report and wait,) free, report.
 * With --hold the table is shown while the memory is held and the summary
 * after the frees, so the frees traced and every counter are in it.
 */
static int run_main(const struct run_args *a)
{
	struct run_state st = { .a = a, .fd = -1 };
	enum run_output out = env.json ? RUN_JSON : a->compare || a->hold ? RUN_SUMMARY :
				RUN_TABLE;
	int err, ret;

	err = run__setup(&st);
	if (err) {
		ret = exit_status_of(err);
		goto cleanup;
	}
	run__allocate(&st);
	ret = EXIT_FAILURE;
	if (run__walk(&st))
		goto cleanup;
	if (a->hold) {
		if (run__correlate(&st, false))
			goto cleanup;
		if (!env.json)
			run__report(&st, RUN_TABLE);
		wait_enter_or_signal(st.n);
	}
	run__free(&st);
	if (run__correlate(&st, true))
		goto cleanup;
	run__report(&st, out);
	ret = run__exit_status(&st);
cleanup:
	run__cleanup(&st);
	return ret;
}

static int run_or_compare(int argc, char **argv, bool compare)
{
	struct run_args a = { .compare = compare, .pages = -1, .node = -1 };
	const struct argp argp = { run_opts, run_parse, NULL, compare ? compare_doc : run_doc,
				   common_children, NULL, NULL };
	int k;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (!a.nr_kinds) {
		for (k = MEMALLOC_KIND_KMALLOC; k <= MEMALLOC_KIND_MAX; k++)
			a.kinds[a.nr_kinds++] = k;
	}
	if (!a.count)
		a.count = 2 * a.nr_kinds;
	if (a.pages < 0)
		a.pages = a.count <= 16 ? REPORT_PAGES_SOME : REPORT_PAGES_NONE;

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	return run_main(&a);
}

int cmd_run(int argc, char **argv)
{
	return run_or_compare(argc, argv, false);
}

int cmd_compare(int argc, char **argv)
{
	return run_or_compare(argc, argv, true);
}
