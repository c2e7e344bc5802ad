// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace top: the kernel's own allocations, live, one row per caller and
 * allocator, aggregated in the kernel (bpf/agg.bpf.h) and read once per
 * interval, in the manner of slabratetop and top.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memtrace.h"
#include "lib/parse.h"
#include "lib/stop.h"
#include "top/top.h"
#include "trace/tracer.h"
#include "zones/physmap.h"

static const char top_doc[] =
	"The kernel's own allocations, live: who allocates, how much, how fast, and where the\n"
	"pages land physically.\n"
	"\n"
	"USAGE: memtrace top [-i SECS] [-n COUNT] [--sort KEY] [--kind K[,K...]] [-p PID]\n"
	"                    [--stacks] [-j]\n"
	"\n"
	"One row per caller and allocator (kmalloc, kmem_cache, alloc_pages, vmalloc), counted\n"
	"in the kernel by BPF: allocations, frees and bytes per second, the waste (bytes\n"
	"handed out beyond those requested), live bytes (handed out since start and not yet\n"
	"freed), and the pages of the interval by NUMA node (n0:, n1:), by the page size that\n"
	"maps them (4K:, 2M:, 1G:) and, for page allocations, by order (o0:, o1:, ...).\n"
	"A slab object counts each 4 KiB page it spans.  The caller is the call site of\n"
	"kmalloc, kmem_cache_alloc and vmalloc; page allocations carry none, so theirs is the\n"
	"first frame outside the page allocator, found by memtrace's own unwinder in the\n"
	"kernel's ORC data (--kernel-unwind: by the kernel's stack, slower).\n"
	"\n"
	"The page size is found by a page-table walk in BPF (at most 5 reads): once per 2 MiB\n"
	"region of each vmalloc area, and for the direct map (kmalloc, kmem_cache,\n"
	"alloc_pages) once per 2 MiB region per interval, cached in between.  Frees count\n"
	"only allocations made since top started.  Losses are never silent: a row map or\n"
	"live map that fills up, stacks not taken and recursion misses head the table and\n"
	"are in every JSON document.  top's own allocations are left out.\n"
	"\n"
	"With -j, or when stdout is not a terminal: one JSON document per interval, one per\n"
	"line, with interval_s, drops, misses and rows (caller, kind, allocs, frees,\n"
	"bytes_req, bytes_alloc, live_bytes, nodes, zones, levels, orders), each count for\n"
	"that interval.  Ctrl-C ends with the interval under way.  Needs root; not the\n"
	"module.\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace top                          # refresh every second\n"
	"    memtrace top -i 5 --sort live         # who holds the most\n"
	"    memtrace top --kind vmalloc --stacks  # vmalloc callers with their stacks\n"
	"    memtrace top -n 10 -j > top.ndjson    # ten intervals, JSON lines\n"
	"    memtrace top --table -n 3 | tee top.txt # tables into a pipe\n";

enum {
	OPT_STACKS = 0x200, OPT_LIVE_MAX, OPT_ROWS_MAX, OPT_ROWS, OPT_TABLE, OPT_NO_WALK,
	OPT_KERNEL_UNWIND,
};

static const struct argp_option top_opts[] = {
	{ "interval", 'i', "SECS", 0, "Seconds between updates (default 1; 0.1 to 3600)", 0 },
	{ "count", 'n', "COUNT", 0, "Stop after COUNT intervals (default: until Ctrl-C)", 0 },
	{ "sort", 's', "KEY", 0, "bytes (default), allocs, frees, live, waste, pages", 0 },
	{ "kind", 'k', "K[,K...]", 0, "kmalloc, kmem_cache, alloc_pages, vmalloc (default all)",
	  0 },
	{ "pid", 'p', "PID", 0, "Only allocations made by this process", 0 },
	{ "stacks", OPT_STACKS, NULL, 0, "One row per kernel stack, printed under it", 0 },
	{ "rows", OPT_ROWS, "N", 0, "Rows in the table (default 20; JSON: all)", 0 },
	{ "table", OPT_TABLE, NULL, 0, "Tables even when stdout is not a terminal", 0 },
	{ "no-page-size", OPT_NO_WALK, NULL, 0, "No page-table walk (cheaper; no page sizes)", 0 },
	{ "kernel-unwind", OPT_KERNEL_UNWIND, NULL, 0,
	  "Page callers from the kernel's stacks, not memtrace's unwinder (slower)", 0 },
	{ "map-rows", OPT_ROWS_MAX, "N", 0, "Rows the kernel can hold (default 4096)", 0 },
	{ "live-max", OPT_LIVE_MAX, "N", 0, "Allocations followed to their free (default 32768)",
	  0 },
	{},
};

struct top_args {
	double interval;
	uint64_t count;
	int sort;
	__u32 kinds;
	pid_t pid;
	bool stacks;
	bool table;
	bool no_walk;
	bool kernel_unwind;
	uint64_t rows;
	uint64_t rows_max;
	uint64_t live_max;
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	uint64_t v;
	char *end;

	switch (key) {
	case 'i':
		errno = 0;
		a->interval = strtod(arg, &end);
		if (errno || end == arg || *end || !(a->interval >= 0.1 && a->interval <= 3600))
			argp_error(state, "bad --interval '%s' (seconds, 0.1 to 3600)", arg);
		break;
	case 'n':
		if (parse_uint(arg, 1, UINT32_MAX, &a->count))
			argp_error(state, "bad --count '%s'", arg);
		break;
	case 's':
		a->sort = top__sort_parse(arg);
		if (a->sort < 0)
			argp_error(state, "bad --sort '%s' (" TOP_SORT_KEYS ")", arg);
		break;
	case 'k':
		if (top__kinds_parse(arg, &a->kinds))
			argp_error(state, "bad --kind '%s' (kmalloc, kmem_cache, alloc_pages, "
				   "vmalloc, all)", arg);
		break;
	case 'p':
		if (parse_uint(arg, 1, INT32_MAX, &v))
			argp_error(state, "bad --pid '%s'", arg);
		a->pid = (pid_t)v;
		break;
	case OPT_STACKS:
		a->stacks = true;
		break;
	case OPT_TABLE:
		a->table = true;
		break;
	case OPT_NO_WALK:
		a->no_walk = true;
		break;
	case OPT_KERNEL_UNWIND:
		a->kernel_unwind = true;
		break;
	case OPT_ROWS:
		if (parse_uint(arg, 1, 100000, &a->rows))
			argp_error(state, "bad --rows '%s'", arg);
		break;
	case OPT_ROWS_MAX:
		if (parse_uint(arg, 16, 1 << 20, &a->rows_max))
			argp_error(state, "bad --map-rows '%s' (16 to 1048576)", arg);
		break;
	case OPT_LIVE_MAX:
		if (parse_uint(arg, 16, 1 << 24, &a->live_max))
			argp_error(state, "bad --live-max '%s' (16 to 16777216)", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct top_ctx {
	struct top top;
	struct trace *trace;
	struct ksyms *ks;
	bool stacks;
};

/* One aggregated row into the model, named by its call site or its stack */
static int top__row(void *data, const struct memtrace_agg_key *k, const struct memtrace_agg *a)
{
	struct top_ctx *c = data;
	__u64 ips[MEMTRACE_AGG_STACK_DEPTH];
	__u64 caller = k->call_site;
	int n = 0;

	if (k->stack_id != MEMTRACE_AGG_NO_STACK) {
		n = trace__agg_stack(c->trace, k->stack_id, ips, MEMTRACE_AGG_STACK_DEPTH);
		if (n < 0)
			n = 0;
		if (!caller)
			caller = top__pick_caller(c->ks, ips, n);
	}
	n = top__add(&c->top, k->kind, caller, c->stacks ? k->stack_id : MEMTRACE_AGG_NO_STACK,
		     ips, n, a);
	return n < 0 ? n : 0;
}

static int top__zones(struct top *t, struct trace_opts *o,
		      struct memtrace_agg_range ranges[MEMTRACE_AGG_ZONES])
{
	struct physmap pm = {};
	FILE *f = fopen("/proc/zoneinfo", "r");
	int err, i;

	if (!f) {
		err = -errno;
		warn("/proc/zoneinfo: %s\n", strerror(-err));
		return err;
	}
	err = physmap__parse_zoneinfo(&pm, f);
	fclose(f);
	if (err) {
		warn("/proc/zoneinfo: %s\n", strerror(-err));
		return err;
	}
	if (pm.nr_zones > MEMTRACE_AGG_ZONES)
		warn("%zu zones: the pages of those past the first %d count as in no zone\n",
		     pm.nr_zones, MEMTRACE_AGG_ZONES);
	o->nr_zones = top__set_zones(t, pm.zones, (int)pm.nr_zones);
	for (i = 0; i < o->nr_zones; i++) {
		ranges[i].start_pfn = t->zones[i].start_pfn;
		ranges[i].end_pfn = t->zones[i].end_pfn;
	}
	o->agg_zones = ranges;
	physmap__free(&pm);
	return 0;
}

static struct ksyms *top__ksyms(void)
{
	struct ksyms *ks;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f) {
		warn("/proc/kallsyms: %s (callers shown as addresses)\n", strerror(errno));
		return NULL;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "reading /proc/kallsyms...\r");
	ks = ksyms__read(f);
	if (!ks)
		warn("/proc/kallsyms: %s (callers shown as addresses)\n", strerror(errno));
	fclose(f);
	return ks;
}

/* Sleep @secs, or less when a signal comes */
static void top__sleep(double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - floor(secs)) * 1e9) };

	nanosleep(&ts, NULL);
}

/* Read, then print one interval; 0 or -errno */
static int top__interval(struct top_ctx *c, const struct top_args *a, double secs, bool json)
{
	const struct top_row **rows = NULL;
	struct top_frame f = { .interval_s = secs, .stacks = a->stacks, .no_levels = a->no_walk };
	char when[16];
	time_t t = time(NULL);
	size_t n;
	int err;

	top__begin(&c->top);
	err = trace__agg_read(c->trace, top__row, c);
	if (err)
		return err;
	top__end(&c->top);
	trace__agg_tick(c->trace);
	err = trace__stats(c->trace, &f.st);
	if (err)
		return err;
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
	f.when = when;
	f.max_rows = a->rows ? a->rows : 20;
	rows = calloc(c->top.nr + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	n = top__active(&c->top, a->sort, rows, c->top.nr);
	if (json) {
		err = top__print_json(stdout, &c->top, rows, n, &f, c->ks, env.pretty);
		fflush(stdout);
	} else {
		if (isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		top__print_table(stdout, &c->top, rows, n, &f, c->ks);
	}
	free(rows);
	return err;
}

static int top__loop(struct top_ctx *c, const struct top_args *a, bool json)
{
	double start = mono_s(), end;
	uint64_t i;
	int err = 0;

	for (i = 0; !err && (!a->count || i < a->count); i++) {
		top__sleep(a->interval);
		end = mono_s();
		err = top__interval(c, a, end - start, json);
		start = end;
		if (stop_requested)
			break;
	}
	if (err)
		warn("reading the rows: %s\n", strerror(-err));
	return err;
}

int cmd_top(int argc, char **argv)
{
	struct top_args a = { .interval = 1, .sort = TOP_SORT_BYTES };
	const struct argp argp = { top_opts, top_parse, NULL, top_doc, common_children, NULL,
				   NULL };
	struct memtrace_agg_range ranges[MEMTRACE_AGG_ZONES] = {};
	struct trace_opts o = { .aggregate = true };
	struct top_ctx c = {};
	bool json;
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (env.json && a.table) {
		warn("-j and --table: choose one\n");
		return EXIT_USAGE;
	}
	json = env.json || (!a.table && !isatty(STDOUT_FILENO));
	o.tgid = a.pid;
	o.verbose = env.verbose;
	o.agg_stacks = a.stacks;
	o.agg_no_walk = a.no_walk;
	o.kernel_unwind = a.kernel_unwind;
	o.agg_kinds = a.kinds;
	if (!o.agg_kinds)
		top__kinds_parse("all", &o.agg_kinds);
	o.rows_max = (__u32)a.rows_max;
	o.live_max = (__u32)a.live_max;
	c.stacks = a.stacks;
	err = top__zones(&c.top, &o, ranges);
	if (err)
		return exit_status_of(err);
	c.ks = top__ksyms();
	o.ksyms = c.ks;
	err = trace__open(&c.trace, &o, NULL, NULL);
	if (err) {
		ksyms__free(c.ks);
		top__free(&c.top);
		return exit_status_of(err);
	}
	stop__catch();
	fprintf(stderr, "tracing (%s); Ctrl-C ends\n", trace__describe(c.trace));
	err = top__loop(&c, &a, json);
	trace__close(c.trace);
	ksyms__free(c.ks);
	top__free(&c.top);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
