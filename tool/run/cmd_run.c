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
	"EXAMPLES:\n"
	"    memtrace run                          # one of each kind, mixed sizes\n"
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
			argp_error(state, "bad --node '%s'", arg);
		a->node = v;
		break;
	case 'H':
		a->hold = true;
		break;
	case 'p':
		a->pages = REPORT_PAGES_ALL;
		break;
	case 'P':
		a->pages = REPORT_PAGES_NONE;
		break;
	case 'm':
		if (parse_size(arg, &a->trace_min_size))
			argp_error(state, "bad --trace-min-size '%s'", arg);
		break;
	case 'M':
		a->module_callers = true;
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

/* Deliver what is buffered until the ring buffer stays quiet. */
static void drain(struct trace *t)
{
	int quiet = 0, n;

	while (quiet < 2) {
		n = trace__poll(t, 50);
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

	fprintf(stderr, "memtrace: holding %zu allocations (cat /sys/kernel/debug/memalloc/"
			"allocations); Enter or Ctrl-C frees them\n", n);
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

static int run_main(struct run_args *a)
{
	struct corr_alloc *allocs = NULL;
	struct corr_summary sum = {};
	struct corr_layout layout;
	struct corr_stats cst = {};
	struct trace_stats tst;
	struct corr_log log = {};
	struct memalloc_info info;
	struct trace_opts topts = {};
	struct trace *t = NULL;
	struct utsname uts;
	struct report r;
	uint64_t i, n = 0, failed = 0;
	int fd, err, ret = 1, k;
	bool tty = isatty(STDERR_FILENO);

	fd = device__open();
	if (fd < 0)
		return 1;
	err = device__info(fd, &info);
	if (err) {
		warn("MEMALLOC_IOC_INFO: %s\n", strerror(-err));
		goto cleanup;
	}
	layout.page_offset = info.page_offset;
	layout.vmalloc_start = info.vmalloc_start;
	layout.vmalloc_end = info.vmalloc_end;

	allocs = calloc(a->count, sizeof(*allocs));
	if (!allocs) {
		warn("out of memory\n");
		goto cleanup;
	}

	topts.tgid = getpid();
	topts.min_size = a->trace_min_size;
	topts.ringbuf_bytes = a->ringbuf;
	if (a->module_callers) {
		err = module_range(&topts.call_site_lo, &topts.call_site_hi);
		if (err) {
			warn("memalloc.ko's address in /proc/modules: %s\n", strerror(-err));
			goto cleanup;
		}
		if (kvmalloc_range(&topts.call_site2_lo, &topts.call_site2_hi))
			warn("kvmalloc not found in /proc/kallsyms: its kmalloc path goes "
			     "untraced\n");
	}
	topts.verbose = env.verbose;
	fprintf(stderr, "memtrace: loading the BPF tracer...\n");
	err = trace__open(&t, &topts, on_record, &log);
	if (err) {
		ret = err == -ENOTSUP || err == -EOPNOTSUPP ? EXIT_ENV : 1;
		goto cleanup;
	}
	fprintf(stderr, "memtrace: tracing (%s); %llu allocations\n", trace__describe(t),
		(unsigned long long)a->count);

	for (i = 0; i < a->count && !exiting; i++) {
		struct corr_alloc *c = &allocs[n];
		struct memalloc_alloc al;
		uint32_t kind;
		uint64_t size;

		pick(a, i, &kind, &size);
		c->t_start = now_ns();
		err = device__alloc(fd, kind, size, a->node, &al);
		c->t_end = now_ns();
		if (err) {
			warn("ALLOC %s %llu: %s\n", kind__name(kind), (unsigned long long)size,
			     strerror(-err));
			failed++;
			if (err == -ENOSPC || err == -E2BIG) {
				warn("the module's limits are reached (see memtrace run --help)\n");
				break;	/* more would fail too */
			}
			continue;
		}
		c->kind = kind;
		c->size = size;
		c->size_alloc = al.size_alloc;
		c->addr = al.addr;
		c->handle = al.handle;
		c->latency_ns = al.latency_ns;
		n++;
		if (n % 64 == 0)
			trace__poll(t, 0);
		if (n % 100 == 0 && !env.json)
			fprintf(stderr, "%smemtrace: %llu/%llu allocated%s", tty ? "\r" : "",
				(unsigned long long)n, (unsigned long long)a->count,
				tty ? "" : "\n");
	}
	if (n >= 100 && !env.json && tty)
		fputc('\n', stderr);

	/* Each WALK and FREE makes records too: keep reading the ring buffer. */
	for (i = 0; i < n; i++) {
		if (i % 64 == 63)
			trace__poll(t, 0);
		err = device__walk(fd, allocs[i].handle, &allocs[i].pages, &allocs[i].nr_pages);
		if (err) {
			warn("WALK handle %llu: %s\n", (unsigned long long)allocs[i].handle,
			     strerror(-err));
			goto cleanup;
		}
	}

	if (a->hold) {
		drain(t);
		err = corr__match(&log, allocs, n, &layout);
		if (err)
			goto cleanup;
		r = (struct report){ .cmd = "run", .layout = layout, .allocs = allocs, .nr = n,
				     .sum = &sum, .pages = a->pages };
		trace__stats(t, &tst);
		memcpy(cst.events, tst.events, sizeof(cst.events));
		corr__summarize(allocs, n, &cst, &sum);
		report__print_table(&r, stdout);
		fflush(stdout);
		wait_enter_or_signal(n);
	}

	/* Free, and see the tracer record each free. */
	for (i = 0; i < n; i++) {
		if (i % 64 == 63)
			trace__poll(t, 0);
		err = device__free(fd, allocs[i].handle, NULL);
		if (err)
			warn("FREE handle %llu: %s\n", (unsigned long long)allocs[i].handle,
			     strerror(-err));
	}
	drain(t);

	err = trace__stats(t, &tst);
	if (err)
		goto cleanup;
	memcpy(cst.events, tst.events, sizeof(cst.events));
	cst.drops = tst.drops;
	cst.recursion_misses = tst.recursion_misses;
	cst.truncated = tst.truncated;

	err = corr__match(&log, allocs, n, &layout);
	if (err) {
		warn("out of memory\n");
		goto cleanup;
	}
	sum.frees = n;
	sum.frees_traced = 0;
	for (i = 0; i < n; i++) {
		/* A free happens after the walk: any free event of it after ALLOC. */
		sum.frees_traced += corr__free_traced(&log, &allocs[i], &layout,
						      allocs[i].t_end, UINT64_MAX);
	}
	corr__summarize(allocs, n, &cst, &sum);

	uname(&uts);
	r = (struct report){ .cmd = a->compare ? "compare" : "run", .kernel = uts.release,
			     .hooks = trace__describe(t), .layout = layout, .allocs = allocs,
			     .nr = n, .sum = &sum, .pages = a->pages };
	if (env.json)
		report__print_json(&r, stdout);
	else if (a->compare)
		report__print_summary(&r, stdout);
	else if (!a->hold)
		report__print_table(&r, stdout);
	else
		report__print_summary(&r, stdout);
	if (log.bad)
		warn("%llu malformed trace records ignored\n", (unsigned long long)log.bad);

	if (failed) {
		warn("%llu of %llu allocations failed\n", (unsigned long long)failed,
		     (unsigned long long)a->count);
		ret = 1;
	} else if (a->compare) {
		ret = sum.verdict == CORR_AGREE ? 0 : 1;
	} else {
		ret = sum.verdict == CORR_DISAGREE ? 1 : 0;
	}
	if (exiting)
		warn("interrupted: partial results\n");

cleanup:
	trace__close(t);
	if (allocs) {
		for (k = 0; (uint64_t)k < n; k++)
			corr_alloc__free(&allocs[k]);
	}
	free(allocs);
	corr_log__free(&log);
	close(fd);	/* frees whatever is still held */
	return ret;
}

static int run_or_compare(int argc, char **argv, bool compare)
{
	struct run_args a = { .compare = compare, .pages = -1, .node = -1 };
	const struct argp argp = { run_opts, run_parse, NULL, compare ? compare_doc : run_doc,
				   common_children, NULL, NULL };
	int k;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 64;
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
