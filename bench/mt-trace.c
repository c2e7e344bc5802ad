// SPDX-License-Identifier: GPL-2.0
/*
 * bench-mt-trace: the tracer of `memtrace run` (tool/trace/tracer.c over
 * bpf/memtrace.bpf.c), attached to every process until SIGINT or SIGTERM,
 * its records taken in by the consumer `run` uses (corr_log__add(), which
 * keeps each one).  `run` traces only itself and stops with its own
 * allocations; the bench needs the same tracer on another process's loop.
 *
 *   bench-mt-trace --pid PID --count kmem|page [--sites LO,HI]
 *                  [--wakeup-every N] [--bpf-walk] [--ringbuf BYTES]
 *
 * Prints "ready" once attached, and at the end one line of key=value
 * pairs: records (all), matched (the loop's: kmalloc+kfree events of
 * process PID called from [LO, HI), memalloc.ko's text, or order-0 page
 * alloc+free events of process PID), drops (ring buffer full) and
 * recursion_misses (the kernel skipped a program).  --wakeup-every: as
 * struct trace_opts says (0, the default: the tracer's default);
 * --bpf-walk: the BPF page-table walk of every page traced, as
 * `memtrace run --bpf-walk`; --ringbuf: the ring buffer's size (a power
 * of two; default the tracer's, 4 MiB), printed as ringbuf= at the end.  Guest
 * only, as root.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/warn.h"
#include "run/correlate.h"
#include "trace/tracer.h"

static volatile sig_atomic_t exiting;

struct mt_count {
	pid_t pid;
	bool page;		/* count page events (else kmalloc/kfree) */
	unsigned long long site_lo, site_hi;	/* kmalloc/kfree: the callers counted */
	unsigned long long records;
	unsigned long long matched;
	struct corr_log log;
	bool nomem;
};

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct mt_count *c = ctx;
	const struct memtrace_event *e = data;

	c->records++;
	if (len >= sizeof(*e) && e->tgid == (__u32)c->pid) {
		if (c->page ? (e->type == MEMTRACE_EV_PAGE_ALLOC ||
			       e->type == MEMTRACE_EV_PAGE_FREE) && e->order == 0 :
			      (e->type == MEMTRACE_EV_KMALLOC || e->type == MEMTRACE_EV_KFREE) &&
			      e->call_site >= c->site_lo && e->call_site < c->site_hi)
			c->matched++;
	}
	/* What `run` does with every record; only -ENOMEM stops it. */
	if (corr_log__add(&c->log, data, len) == -ENOMEM) {
		c->nomem = true;
		return -ENOMEM;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct mt_count *c, struct trace_opts *opts)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "sites", required_argument, NULL, 's' },
		{ "wakeup-every", required_argument, NULL, 'w' },
		{ "bpf-walk", no_argument, NULL, 'W' },
		{ "ringbuf", required_argument, NULL, 'r' },
		{},
	};
	char *end;
	int o;

	c->site_hi = ~0ULL;
	while ((o = getopt_long(argc, argv, "p:c:s:w:Wr:", longopts, NULL)) != -1) {
		switch (o) {
		case 'p':
			errno = 0;
			c->pid = strtol(optarg, &end, 10);
			if (errno || *end || c->pid <= 0)
				return -EINVAL;
			break;
		case 'c':
			if (strcmp(optarg, "kmem") && strcmp(optarg, "page"))
				return -EINVAL;
			c->page = !strcmp(optarg, "page");
			break;
		case 's':
			errno = 0;
			c->site_lo = strtoull(optarg, &end, 16);
			if (errno || *end != ',')
				return -EINVAL;
			c->site_hi = strtoull(end + 1, &end, 16);
			if (errno || *end || c->site_hi <= c->site_lo)
				return -EINVAL;
			break;
		case 'w':
			errno = 0;
			opts->wakeup_every = strtoul(optarg, &end, 10);
			if (errno || *end || opts->wakeup_every > 1000000)
				return -EINVAL;
			break;
		case 'W':
			opts->walk_pages = true;
			break;
		case 'r':
			errno = 0;
			opts->ringbuf_bytes = strtoul(optarg, &end, 0);
			if (errno || *end || opts->ringbuf_bytes < 4096 ||
			    opts->ringbuf_bytes > (1UL << 30) ||
			    (opts->ringbuf_bytes & (opts->ringbuf_bytes - 1)))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return optind == argc && c->pid ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct trace_opts opts = { .tgid = 0 };	/* every process */
	struct memtrace_counters st;
	struct mt_count c = {};
	struct trace *t;
	int err, n, quiet = 0;

	if (parse_args(argc, argv, &c, &opts)) {
		fprintf(stderr, "usage: bench-mt-trace --pid PID --count kmem|page [--sites LO,HI]\n"
				"                      [--wakeup-every N] [--bpf-walk] [--ringbuf BYTES]\n");
		return EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = trace__open(&t, &opts, on_record, &c);
	if (err)
		return exit_status_of(err);
	printf("ready\n");
	fflush(stdout);
	while (!exiting) {
		n = trace__poll(t, 100);
		if (n < 0)
			break;
	}
	/* What is still buffered at the signal counts too. */
	while (quiet < 2 && !c.nomem) {
		n = trace__poll(t, 50);
		if (n < 0)
			break;
		quiet = n > 0 ? 0 : quiet + 1;
	}
	err = trace__stats(t, &st);
	if (err)
		warn("reading the tracer's counters: %s\n", strerror(-err));
	else
		printf("records=%llu matched=%llu drops=%llu recursion_misses=%llu ringbuf=%zu\n",
		       c.records, c.matched, (unsigned long long)st.drops,
		       (unsigned long long)st.recursion_misses,
		       opts.ringbuf_bytes ? opts.ringbuf_bytes : (size_t)4 << 20);
	if (c.nomem)
		warn("out of memory keeping the records\n");
	trace__close(t);
	corr_log__free(&c.log);
	return err || c.nomem ? EXIT_FAILURE : EXIT_SUCCESS;
}
