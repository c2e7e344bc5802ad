// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace record: every allocator event, system-wide, into a file (the
 * format is in record.h), until Ctrl-C, for SECS, or while a command runs.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memtrace.h"
#include "lib/array.h"
#include "lib/parse.h"
#include "lib/stop.h"
#include "record/record.h"
#include "trace/tracer.h"
#include "zones/physmap.h"

static const char record_doc[] =
	"Record every allocator event of the kernel, system-wide, into a file.\n"
	"\n"
	"USAGE: memtrace record -o FILE [-d SECS] [--stacks] [-- CMD [ARGS...]]\n"
	"\n"
	"kmalloc, kmem_cache_alloc, page allocations, vmalloc (with every physical page) and\n"
	"their frees, as 'memtrace run' traces them, until Ctrl-C, for SECS, or while CMD\n"
	"runs.  Page allocations carry no call site: memtrace's own unwinder finds each one's\n"
	"caller in the kernel's ORC data, a few frames up, where the kernel's unwinder would\n"
	"walk a dozen (--kernel-unwind: its stacks instead).  --stacks takes every\n"
	"allocation's kernel stack, and report then checks each page caller against its\n"
	"stack.  The file has a small text header (kernel, zones, System\n"
	"RAM), the records, and a trailer (losses, stacks, the symbols of every caller), so\n"
	"'memtrace report FILE' needs nothing else, on any machine.  A recording with\n"
	"losses says so in the report's first line.  memtrace's own allocations (the\n"
	"file's pages) are left out.  Needs root; not the module.\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace record -o boot.mtr -d 10           # ten seconds of the whole system\n"
	"    memtrace record -o ls.mtr -- ls -R /sys     # while a command runs\n"
	"    memtrace report ls.mtr                      # the tables (also on the host)\n";

enum { OPT_STACKS = 0x300, OPT_RINGBUF, OPT_KERNEL_UNWIND };

static const struct argp_option record_opts[] = {
	{ "output", 'o', "FILE", 0, "The file to write (required)", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "stacks", OPT_STACKS, NULL, 0, "Every allocation's kernel stack", 0 },
	{ "kernel-unwind", OPT_KERNEL_UNWIND, NULL, 0,
	  "Page callers from the kernel's stacks, not memtrace's unwinder (slower)", 0 },
	{ "ringbuf", OPT_RINGBUF, "S", 0,
	  "The per-CPU rings' size in all, and a quarter more for the ring buffer\n"
	  "(default 8M: pinned kernel memory)", 0 },
	{},
};

struct record_args {
	const char *output;
	uint64_t duration;
	bool stacks;
	bool kernel_unwind;
	uint64_t ringbuf;
	char **cmd;
};

static error_t record_parse(int key, char *arg, struct argp_state *state)
{
	struct record_args *a = state->input;

	switch (key) {
	case 'o':
		if (!*arg)
			argp_error(state, "bad --output ''");
		a->output = arg;
		break;
	case 'd':
		if (parse_uint(arg, 1, 86400, &a->duration))
			argp_error(state, "bad --duration '%s' (1 to 86400 seconds)", arg);
		break;
	case OPT_STACKS:
		a->stacks = true;
		break;
	case OPT_KERNEL_UNWIND:
		a->kernel_unwind = true;
		break;
	case OPT_RINGBUF:
		if (parse_size(arg, &a->ringbuf) || a->ringbuf > (1ULL << 30))
			argp_error(state, "bad --ringbuf '%s' (up to 1G)", arg);
		break;
	case ARGP_KEY_ARG:
		a->cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!a->output)
			argp_error(state, "where to? give -o FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A set of addresses (call sites, stack ids): open addressing, 0 = empty */
struct addr_set {
	__u64 *v;
	size_t cap;
	size_t nr;
};

/* 1: added, 0: there already (or 0), -ENOMEM */
static int set__add(struct addr_set *s, __u64 x)
{
	size_t i;

	if (!x)
		return 0;
	if ((s->nr + 1) * 2 > s->cap) {
		struct addr_set n = { calloc(s->cap ? s->cap * 2 : 1024, sizeof(__u64)),
				      s->cap ? s->cap * 2 : 1024, 0 };

		if (!n.v)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->v[i])
				set__add(&n, s->v[i]);
		free(s->v);
		*s = n;
	}
	for (i = (x * 0x9e3779b97f4a7c15ULL) >> 40 & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == x)
			return 0;
	s->v[i] = x;
	s->nr++;
	return 1;
}

/*
 * Records are gathered here and written a MiB at a time: two fwrite()s per
 * record cost the reader, which shares the CPU with what it records, more
 * than the BPF program that made the record
 */
#define RECORD_BUF_BYTES	(1U << 20)

struct recorder {
	FILE *f;
	char *buf;
	size_t used;
	struct trace *t;
	struct addr_set sites;	/* call sites, then every frame too */
	struct addr_set stacks;	/* stack id + 1 */
	struct record_pack pack;
	__u64 last_site[2];
	__u32 last_stack;
	__u64 records;
	int err;
};

static int record__flush(struct recorder *r)
{
	if (r->used && fwrite(r->buf, r->used, 1, r->f) != 1)
		r->err = -EIO;
	r->used = 0;
	return r->err;
}

/* The file's framing: the length (with @flags), then @len bytes */
static int record__frame(struct recorder *r, const void *data, __u32 len, __u32 flags)
{
	__u32 n = len | flags;

	if (r->used + sizeof(n) + len > RECORD_BUF_BYTES && record__flush(r))
		return r->err;
	memcpy(r->buf + r->used, &n, sizeof(n));
	memcpy(r->buf + r->used + sizeof(n), data, len);
	r->used += sizeof(n) + len;
	return 0;
}

/* A record's call site and stack, for the trailer's symbols and stacks */
static void record__names(struct recorder *r, __u64 call_site, __u32 stack_id)
{
	/*
	 * a busy caller repeats itself, often in turn with its free's: the
	 * set is asked only for a site that is neither of the last two
	 */
	if (call_site != r->last_site[0] && call_site != r->last_site[1]) {
		if (set__add(&r->sites, call_site) < 0)
			r->err = -ENOMEM;
		r->last_site[1] = r->last_site[0];
		r->last_site[0] = call_site;
	}
	if (stack_id != MEMTRACE_NO_STACK && stack_id != r->last_stack &&
	    set__add(&r->stacks, stack_id + 1ULL) < 0)
		r->err = -ENOMEM;
	r->last_stack = stack_id;
}

/* A record of the ring buffer (vmalloc's, and the tracer's other records) */
static int record__event(void *ctx, const void *data, size_t len)
{
	const struct memtrace_event *e = data;
	struct recorder *r = ctx;

	if (record__frame(r, data, (__u32)len, 0))
		return r->err;
	r->records++;
	if (len < sizeof(*e) || e->type == MEMTRACE_EV_VMALLOC_PAGES ||
	    e->type == MEMTRACE_EV_WALK_PAGES)
		return 0;
	record__names(r, e->call_site, e->stack_id);
	return r->err;
}

/*
 * A run of slab and page records from the per-CPU rings: packed from the
 * ring into the buffer, in frames of half a buffer at most
 */
static int record__run(void *ctx, const struct memtrace_rec *ev, size_t n)
{
	struct recorder *r = ctx;
	size_t i, k;

	for (; n; n -= k, ev += k) {
		k = n < RECORD_RUN_RECS / 2 ? n : RECORD_RUN_RECS / 2;
		if (r->used + sizeof(__u32) + k * RECORD_PACKED_MAX > RECORD_BUF_BYTES &&
		    record__flush(r))
			return r->err;
		r->used += record__pack_run(&r->pack, ev, k, r->buf + r->used);
		r->records += k;
		for (i = 0; i < k; i++)
			record__names(r, ev[i].call_site, ev[i].stack_id);
	}
	return r->err;
}

/* The header: the kernel, the zones, System RAM */
static int record__layout(struct record_header *h, bool all_stacks)
{
	struct physmap pm = {};
	struct utsname u;
	FILE *f;
	size_t i;
	int err;

	uname(&u);
	snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	h->all_stacks = all_stacks;
	f = fopen("/proc/zoneinfo", "r");
	err = f ? physmap__parse_zoneinfo(&pm, f) : -errno;
	if (f)
		fclose(f);
	if (err) {
		warn("/proc/zoneinfo: %s\n", strerror(-err));
		return err;
	}
	f = fopen("/proc/iomem", "r");
	if (f && !physmap__parse_iomem(&pm, f)) {
		for (i = 0; i < pm.nr_res && h->nr_ram < RECORD_MAX_RAM; i++) {
			if (!pm.res[i].depth && !strcmp(pm.res[i].name, "System RAM"))
				h->ram[h->nr_ram++] = (struct record_range){ pm.res[i].start,
									      pm.res[i].end };
		}
	}
	if (f)
		fclose(f);
	h->nr_zones = pm.nr_zones < MEMTRACE_AGG_ZONES ? (int)pm.nr_zones : MEMTRACE_AGG_ZONES;
	memcpy(h->zones, pm.zones, h->nr_zones * sizeof(*h->zones));
	physmap__free(&pm);
	return 0;
}

/* The stacks the events named, from the stack map */
static int record__stacks(struct recorder *r, struct record_header *h)
{
	size_t i;
	int k, n;

	for (i = 0; i < r->stacks.cap; i++) {
		struct record_stack *s;

		if (!r->stacks.v[i])
			continue;
		if (array__reserve((void **)&h->stacks, &h->cap_stacks, h->nr_stacks + 1,
				   sizeof(*s)))
			return -ENOMEM;
		s = &h->stacks[h->nr_stacks];
		s->id = (__u32)(r->stacks.v[i] - 1);
		n = trace__agg_stack(r->t, (int)s->id, s->ips, MEMTRACE_AGG_STACK_DEPTH);
		if (n < 0)
			continue;
		s->nr = n;
		h->nr_stacks++;
		for (k = 0; k < n; k++)
			if (set__add(&r->sites, s->ips[k]) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* The kallsyms line of each symbol a call site or frame falls in */
static int record__syms(struct recorder *r, struct record_header *h)
{
	struct addr_set done = {};
	struct ksyms *ks;
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "r"), *out;
	size_t i;

	ks = f ? ksyms__read(f) : NULL;
	if (f)
		fclose(f);
	if (!ks) {
		warn("/proc/kallsyms: %s (the report names callers by address)\n", strerror(errno));
		return 0;
	}
	out = open_memstream(&h->syms, &h->syms_len);
	for (i = 0; out && i < r->sites.cap; i++) {
		const struct ksym *k = r->sites.v[i] ? ksyms__find(ks, r->sites.v[i]) : NULL;

		if (!k || set__add(&done, k->addr) != 1)
			continue;
		snprintf(line, sizeof(line), "%llx t %s%s%s%s\n", (unsigned long long)k->addr,
			 k->name, k->module ? " [" : "", k->module ? k->module : "",
			 k->module ? "]" : "");
		fputs(line, out);
	}
	if (out)
		fclose(out);
	free(done.v);
	ksyms__free(ks);
	return out ? 0 : -ENOMEM;
}

/* Start CMD; its pid, or -errno */
static pid_t record__spawn(char **cmd)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "memtrace: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Poll until Ctrl-C, the duration, or CMD's end; then drain.  CMD's status or -errno */
static int record__loop(struct recorder *r, const struct record_args *a, double start)
{
	pid_t child = 0;
	int status = 0, n;

	if (a->cmd) {
		child = record__spawn(a->cmd);
		if (child < 0)
			return child;
	}
	while (!stop_requested && !r->err && (!a->duration || mono_s() - start < a->duration)) {
		n = trace__poll(r->t, 100);
		if (n < 0)
			return n;
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	if (child) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	while ((n = trace__poll(r->t, 0)) > 0 && !r->err)
		;
	if (n >= 0 && !r->err)
		n = trace__drain(r->t);
	if (n < 0)
		return n;
	if (r->err)
		return r->err;
	return a->cmd && WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

static int record__finish(struct recorder *r, struct record_header *h, double start)
{
	int err;

	h->duration_ns = (__u64)((mono_s() - start) * 1e9);
	err = record__flush(r);
	err = err ?: trace__stats(r->t, &h->st);
	err = err ?: record__stacks(r, h);
	err = err ?: record__syms(r, h);
	err = err ?: record__write_trailer(r->f, h);
	if (err)
		warn("finishing the recording: %s\n", strerror(-err));
	return err;
}

int cmd_record(int argc, char **argv)
{
	struct record_args a = {};
	const struct argp argp = { record_opts, record_parse, "[-- CMD [ARGS...]]", record_doc,
				   common_children, NULL, NULL };
	struct record_header h = {};
	struct recorder r = { .last_stack = MEMTRACE_NO_STACK };
	struct trace_opts o = {};
	char losses[256];
	double start;
	int err, rc;

	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a))
		return EXIT_USAGE;
	err = record__layout(&h, a.stacks);
	if (err)
		return exit_status_of(err);
	r.f = fopen(a.output, "w");
	if (!r.f) {
		warn("%s: %s\n", a.output, strerror(errno));
		return EXIT_FAILURE;
	}
	r.buf = malloc(RECORD_BUF_BYTES);
	if (!r.buf) {
		warn("%s\n", strerror(ENOMEM));
		fclose(r.f);
		unlink(a.output);
		return EXIT_FAILURE;
	}
	o.verbose = env.verbose;
	o.ringbuf_bytes = a.ringbuf ? a.ringbuf : 8UL << 20;
	o.run_fn = record__run;
	o.record_page_stacks = true;
	o.record_stacks = a.stacks;
	o.kernel_unwind = a.kernel_unwind;
	/* the file's own pages would be recorded, each with its stack */
	o.skip_self = true;
	err = trace__open(&r.t, &o, record__event, &r);
	if (err) {
		free(r.buf);
		fclose(r.f);
		unlink(a.output);
		return exit_status_of(err);
	}
	stop__catch();
	record__write_header(r.f, &h);
	fprintf(stderr, "recording to %s (%s); %s\n", a.output, trace__describe(r.t),
		a.cmd ? "until the command ends" : a.duration ? "for the duration" : "Ctrl-C ends");
	start = mono_s();
	rc = record__loop(&r, &a, start);
	err = rc < 0 ? rc : record__finish(&r, &h, start);
	trace__close(r.t);
	if (fclose(r.f) && !err)
		err = -EIO;
	top__losses(&h.st, losses, sizeof(losses));
	if (!err)
		fprintf(stderr, "%llu records in %s, %s\n", (unsigned long long)r.records,
			a.output, losses);
	else
		warn("%s: %s\n", a.output, strerror(-err));
	free(r.buf);
	free(r.sites.v);
	free(r.stacks.v);
	record__header_free(&h);
	return err ? EXIT_FAILURE : rc;
}
