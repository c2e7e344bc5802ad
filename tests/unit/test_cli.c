// SPDX-License-Identifier: GPL-2.0
/*
 * Bad command lines (issue 9): every command of memtrace, and memtrace-render,
 * given an invalid, missing, out-of-range or conflicting argument exits by
 * itself with the usage status (64), names the argument on stderr, prints
 * nothing on stdout, and the sanitizers find nothing.  --help and --version
 * exit 0.  The programs run on the host, built with ASan/UBSan by make check
 * from the tool's own sources.  Only command lines that parsing must reject
 * run here: a valid one would open /dev/memalloc.
 *
 *   test_cli [MEMTRACE [MEMTRACE-RENDER]]
 * or $MEMTRACE_ASAN and $MEMTRACE_RENDER_ASAN (set by make check), or
 * memtrace-asan and memtrace-render-asan beside this program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/warn.h"
#include "tap.h"

#define MAX_ARGS	12
#define TIMEOUT_MS	30000	/* a command line that is not refused might wait */
#define OUT_MAX		(1 << 20)

/* Built at start: lists longer than the parsers' buffers (256 and 512 bytes) */
static char long_kinds[4096];
static char long_sizes[4096];
static char many_sizes[256];	/* 33 sizes: one more than run takes */

/* A command line and what it must give; argv[0] picks the program */
struct cli_case {
	const char *argv[MAX_ARGS];
	int status;		/* EXIT_USAGE, or 0 for --help and --version */
	const char *needle;	/* on stderr for 64, on stdout for 0 */
};

#define MT	"memtrace"
#define MR	"memtrace-render"

/* Options of run, checked with run and with compare: ARGS, then the needle */
static const struct { const char *args[6]; const char *needle; } run_bad[] = {
	{ { "--bogus" }, "'--bogus'" },
	{ { "-x" }, "'x'" },
	{ { "extra" }, "'extra'" },
	{ { "--count", "5", "extra" }, "'extra'" },
	/* --kind */
	{ { "--kind" }, "'--kind'" },
	{ { "-k" }, "'k'" },
	{ { "--kind", "" }, "--kind ''" },
	{ { "--kind", "nope" }, "--kind 'nope'" },
	{ { "--kind", "KMALLOC" }, "--kind 'KMALLOC'" },
	{ { "--kind", "kmalloc," }, "--kind 'kmalloc,'" },
	{ { "--kind", ",kmalloc" }, "--kind ',kmalloc'" },
	{ { "--kind", "kmalloc,,vmalloc" }, "--kind 'kmalloc,,vmalloc'" },
	{ { "--kind", "," }, "--kind ','" },
	{ { "--kind", "all,kmalloc" }, "--kind 'all,kmalloc'" },
	{ { "--kind", long_kinds }, "--kind 'kmalloc,kmalloc," },
	{ { "--kind=kmalloc,nope" }, "--kind 'kmalloc,nope'" },
	/* --size */
	{ { "--size" }, "'--size'" },
	{ { "-s" }, "'s'" },
	{ { "--size", "" }, "--size ''" },
	{ { "--size", "12Q" }, "--size '12Q'" },
	{ { "--size", "0" }, "--size '0'" },
	{ { "--size", "0K" }, "--size '0K'" },
	{ { "--size", "1e3" }, "--size '1e3'" },
	{ { "--size", "-4096" }, "--size '-4096'" },
	{ { "--size", "4 K" }, "--size '4 K'" },
	{ { "--size", "4KiBB" }, "--size '4KiBB'" },
	{ { "--size", "0x1000" }, "--size '0x1000'" },
	{ { "--size", "18446744073709551616" }, "--size '18446744073709551616'" },
	{ { "--size", "17179869184G" }, "--size '17179869184G'" },
	{ { "--size", "4K," }, "--size '4K,'" },
	{ { "--size", ",4K" }, "--size ',4K'" },
	{ { "--size", "4K,,8K" }, "--size '4K,,8K'" },
	{ { "--size", many_sizes }, "--size '64,64," },
	{ { "--size", long_sizes }, "--size '4096,4096," },
	/* --count */
	{ { "--count" }, "'--count'" },
	{ { "-c" }, "'c'" },
	{ { "--count", "" }, "--count ''" },
	{ { "--count", "0" }, "--count '0'" },
	{ { "--count", "-1" }, "--count '-1'" },
	{ { "--count", "+5" }, "--count '+5'" },
	{ { "--count", "abc" }, "--count 'abc'" },
	{ { "--count", "5x" }, "--count '5x'" },
	{ { "--count", "1.5" }, "--count '1.5'" },
	{ { "--count", "100001" }, "--count '100001'" },
	{ { "--count", "99999999999999999999" }, "--count '99999999999999999999'" },
	{ { "-c", "0" }, "--count '0'" },
	/* --node */
	{ { "--node" }, "'--node'" },
	{ { "-n" }, "'n'" },
	{ { "--node", "-1" }, "--node '-1'" },
	{ { "--node", "1024" }, "--node '1024'" },
	{ { "--node", "99999999999999999999" }, "--node '99999999999999999999'" },
	{ { "--node", "zero" }, "--node 'zero'" },
	/* --trace-min-size, --ringbuf */
	{ { "--trace-min-size" }, "'--trace-min-size'" },
	{ { "--trace-min-size", "0" }, "--trace-min-size '0'" },
	{ { "--trace-min-size", "12Q" }, "--trace-min-size '12Q'" },
	{ { "--ringbuf" }, "'--ringbuf'" },
	{ { "--ringbuf", "0" }, "--ringbuf '0'" },
	{ { "--ringbuf", "12Q" }, "--ringbuf '12Q'" },
	{ { "--ringbuf", "2G" }, "--ringbuf '2G'" },
	{ { "--ringbuf", "1025M" }, "--ringbuf '1025M'" },
	{ { "--ringbuf", "99999999999G" }, "--ringbuf '99999999999G'" },
	/* flags take no value; --pages and --no-pages conflict */
	{ { "--hold=yes" }, "'--hold'" },
	{ { "--pages=all" }, "'--pages'" },
	{ { "--no-pages=1" }, "'--no-pages'" },
	{ { "--module-callers=1" }, "'--module-callers'" },
	{ { "--pages", "--no-pages" }, "--pages and --no-pages" },
	{ { "-P", "-p" }, "--pages and --no-pages" },
	/* the common options */
	{ { "--verbose=1" }, "'--verbose'" },
	{ { "--json=1" }, "'--json'" },
	{ { "--pretty=1" }, "'--pretty'" },
	{ { "-j", "--count", "0" }, "--count '0'" },
};

static const struct cli_case cases[] = {
	/* the front end */
	{ { MT }, EXIT_USAGE, "which command" },
	{ { MT, "-j" }, EXIT_USAGE, "which command" },
	{ { MT, "-v", "--pretty" }, EXIT_USAGE, "which command" },
	{ { MT, "bogus" }, EXIT_USAGE, "'bogus'" },
	{ { MT, "RUN" }, EXIT_USAGE, "'RUN'" },
	{ { MT, "" }, EXIT_USAGE, "unknown command ''" },
	{ { MT, "-j", "bogus" }, EXIT_USAGE, "'bogus'" },
	{ { MT, "--bogus" }, EXIT_USAGE, "'--bogus'" },
	{ { MT, "--bogus", "run" }, EXIT_USAGE, "'--bogus'" },
	{ { MT, "-x", "run" }, EXIT_USAGE, "'x'" },
	{ { MT, "--count", "5", "run" }, EXIT_USAGE, "'--count'" },
	{ { MT, "--json=1", "info" }, EXIT_USAGE, "'--json'" },
	{ { MT, "-j", "run", "--size", "12Q" }, EXIT_USAGE, "--size '12Q'" },
	{ { MT, "-j", "-v", "compare", "--kind", "nope" }, EXIT_USAGE, "--kind 'nope'" },
	{ { MT, "-j", "study", "--csv" }, EXIT_USAGE, "--json and --csv" },
	{ { MT, "--pretty", "study", "--csv" }, EXIT_USAGE, "--json and --csv" },
	{ { MT, "-j", "zones" }, EXIT_USAGE, "--json" },
	{ { MT, "-j", "info", "extra" }, EXIT_USAGE, "'extra'" },
	/* info: the common options only */
	{ { MT, "info", "extra" }, EXIT_USAGE, "'extra'" },
	{ { MT, "info", "--bogus" }, EXIT_USAGE, "'--bogus'" },
	{ { MT, "info", "-x" }, EXIT_USAGE, "'x'" },
	{ { MT, "info", "--count", "1" }, EXIT_USAGE, "'--count'" },
	{ { MT, "info", "--verbose=1" }, EXIT_USAGE, "'--verbose'" },
	{ { MT, "info", "--pretty=1" }, EXIT_USAGE, "'--pretty'" },
	/* zones */
	{ { MT, "zones", "extra" }, EXIT_USAGE, "'extra'" },
	{ { MT, "zones", "--bogus" }, EXIT_USAGE, "'--bogus'" },
	{ { MT, "zones", "--iomem" }, EXIT_USAGE, "'--iomem'" },
	{ { MT, "zones", "-i" }, EXIT_USAGE, "'i'" },
	{ { MT, "zones", "--iomem", "" }, EXIT_USAGE, "--iomem ''" },
	{ { MT, "zones", "--zoneinfo" }, EXIT_USAGE, "'--zoneinfo'" },
	{ { MT, "zones", "-z" }, EXIT_USAGE, "'z'" },
	{ { MT, "zones", "--zoneinfo", "" }, EXIT_USAGE, "--zoneinfo ''" },
	{ { MT, "zones", "--iomem", "a", "b" }, EXIT_USAGE, "'b'" },
	{ { MT, "vtop" }, EXIT_USAGE, "which address" },
	{ { MT, "vtop", "zz" }, EXIT_USAGE, "'zz'" },
	{ { MT, "vtop", "0x10zz" }, EXIT_USAGE, "'0x10zz'" },
	{ { MT, "vtop", "-1" }, EXIT_USAGE, "'1'" },
	{ { MT, "vtop", "0x1ffffffffffffffff" }, EXIT_USAGE, "'0x1ffffffffffffffff'" },
	{ { MT, "vtop", "--kind", "nope" }, EXIT_USAGE, "--kind 'nope'" },
	{ { MT, "vtop", "--kind" }, EXIT_USAGE, "'--kind'" },
	{ { MT, "vtop", "--kind", "kmalloc", "--size", "0" }, EXIT_USAGE, "--size '0'" },
	{ { MT, "vtop", "--kind", "kmalloc", "0xffff888000000000" }, EXIT_USAGE, "choose one" },
	{ { MT, "vtop", "--size", "4K" }, EXIT_USAGE, "--size" },
	{ { MT, "vtop", "--pages", "0xffff888000000000" }, EXIT_USAGE, "--pages" },
	{ { MT, "zones", "--json" }, EXIT_USAGE, "--json" },
	/* study */
	{ { MT, "study", "extra" }, EXIT_USAGE, "'extra'" },
	{ { MT, "study", "--bogus" }, EXIT_USAGE, "'--bogus'" },
	{ { MT, "study", "-x" }, EXIT_USAGE, "'x'" },
	{ { MT, "study", "--quick=1" }, EXIT_USAGE, "'--quick'" },
	{ { MT, "study", "--csv=1" }, EXIT_USAGE, "'--csv'" },
	{ { MT, "study", "--no-bpf=1" }, EXIT_USAGE, "'--no-bpf'" },
	{ { MT, "study", "--pretty=1" }, EXIT_USAGE, "'--pretty'" },
	{ { MT, "study", "--output" }, EXIT_USAGE, "'--output'" },
	{ { MT, "study", "-o" }, EXIT_USAGE, "'o'" },
	{ { MT, "study", "--json", "--output", "" }, EXIT_USAGE, "--output ''" },
	{ { MT, "study", "--kinds" }, EXIT_USAGE, "'--kinds'" },
	{ { MT, "study", "--kinds", "" }, EXIT_USAGE, "--kinds ''" },
	{ { MT, "study", "--kinds", "nope" }, EXIT_USAGE, "--kinds 'nope'" },
	{ { MT, "study", "--kinds", "kmalloc," }, EXIT_USAGE, "--kinds 'kmalloc,'" },
	{ { MT, "study", "--kinds", ",vmalloc" }, EXIT_USAGE, "--kinds ',vmalloc'" },
	{ { MT, "study", "-k", long_kinds }, EXIT_USAGE, "--kinds 'kmalloc,kmalloc," },
	{ { MT, "study", "--max-size" }, EXIT_USAGE, "'--max-size'" },
	{ { MT, "study", "--max-size", "12Q" }, EXIT_USAGE, "--max-size '12Q'" },
	{ { MT, "study", "--max-size", "0" }, EXIT_USAGE, "--max-size '0'" },
	{ { MT, "study", "--max-size", "32" }, EXIT_USAGE, "--max-size '32'" },
	{ { MT, "study", "--max-size", "1e3" }, EXIT_USAGE, "--max-size '1e3'" },
	{ { MT, "study", "--max-size", "129G" }, EXIT_USAGE, "--max-size '129G'" },
	{ { MT, "study", "--max-size", "18446744073709551615" }, EXIT_USAGE,
	  "--max-size '18446744073709551615'" },
	{ { MT, "study", "--max-size", "18446744073709551616" }, EXIT_USAGE,
	  "--max-size '18446744073709551616'" },
	{ { MT, "study", "--iterations" }, EXIT_USAGE, "'--iterations'" },
	{ { MT, "study", "-n" }, EXIT_USAGE, "'n'" },
	{ { MT, "study", "-n", "0" }, EXIT_USAGE, "--iterations '0'" },
	{ { MT, "study", "--iterations", "-1" }, EXIT_USAGE, "--iterations '-1'" },
	{ { MT, "study", "--iterations", "100001" }, EXIT_USAGE, "--iterations '100001'" },
	{ { MT, "study", "--iterations", "99999999999999999999" }, EXIT_USAGE,
	  "--iterations '99999999999999999999'" },
	{ { MT, "study", "--iterations", "ten" }, EXIT_USAGE, "--iterations 'ten'" },
	{ { MT, "study", "--render" }, EXIT_USAGE, "'--render'" },
	{ { MT, "study", "--render", "" }, EXIT_USAGE, "--render ''" },
	{ { MT, "study", "--outdir" }, EXIT_USAGE, "'--outdir'" },
	{ { MT, "study", "--render", "s.json", "--outdir", "" }, EXIT_USAGE, "--outdir ''" },
	/* study: what conflicts */
	{ { MT, "study", "--json", "--csv" }, EXIT_USAGE, "--json and --csv" },
	{ { MT, "study", "--csv", "-j" }, EXIT_USAGE, "--json and --csv" },
	{ { MT, "study", "--csv", "--pretty" }, EXIT_USAGE, "--json and --csv" },
	{ { MT, "study", "--render", "s.json", "--quick" }, EXIT_USAGE, "--render and --quick" },
	{ { MT, "study", "--csv", "--render", "s.json" }, EXIT_USAGE, "--render and --csv" },
	{ { MT, "study", "--render", "s.json", "--output", "f" }, EXIT_USAGE,
	  "--render and --output" },
	{ { MT, "study", "--render", "s.json", "--kinds", "kmalloc" }, EXIT_USAGE,
	  "--render and --kinds" },
	{ { MT, "study", "--render", "s.json", "--max-size", "1M" }, EXIT_USAGE,
	  "--render and --max-size" },
	{ { MT, "study", "--render", "s.json", "-n", "5" }, EXIT_USAGE, "--render and --iterations" },
	{ { MT, "study", "--render", "s.json", "--no-bpf" }, EXIT_USAGE, "--render and --no-bpf" },
	{ { MT, "study", "--render", "s.json", "--json" }, EXIT_USAGE, "--render and --json" },
	{ { MT, "-j", "study", "--render", "s.json" }, EXIT_USAGE, "--render and --json" },
	{ { MT, "study", "--outdir", "d" }, EXIT_USAGE, "--outdir" },
	{ { MT, "study", "--quick", "--outdir", "d" }, EXIT_USAGE, "--outdir" },
	{ { MT, "study", "--output", "f" }, EXIT_USAGE, "--output" },
	{ { MT, "study", "--quick", "-o", "f" }, EXIT_USAGE, "--output" },
	/* memtrace-render */
	{ { MR }, EXIT_USAGE, "which study" },
	{ { MR, "--outdir", "d" }, EXIT_USAGE, "which study" },
	{ { MR, "a.json", "b.json" }, EXIT_USAGE, "'a.json' and 'b.json'" },
	{ { MR, "a.json", "b.json", "c.json" }, EXIT_USAGE, "'a.json' and 'b.json'" },
	{ { MR, "--render", "a.json", "b.json" }, EXIT_USAGE, "'a.json' and 'b.json'" },
	/* argp takes the options first */
	{ { MR, "a.json", "--render", "b.json" }, EXIT_USAGE, "'b.json' and 'a.json'" },
	{ { MR, "--render" }, EXIT_USAGE, "'--render'" },
	{ { MR, "a.json", "--outdir" }, EXIT_USAGE, "'--outdir'" },
	{ { MR, "a.json", "-o" }, EXIT_USAGE, "'o'" },
	{ { MR, "a.json", "--outdir", "" }, EXIT_USAGE, "--outdir ''" },
	{ { MR, "" }, EXIT_USAGE, "STUDY.json ''" },
	{ { MR, "--bogus", "a.json" }, EXIT_USAGE, "'--bogus'" },
	{ { MR, "-x", "a.json" }, EXIT_USAGE, "'x'" },
	{ { MR, "--json", "a.json" }, EXIT_USAGE, "'--json'" },
	{ { MR, "--compare" }, EXIT_USAGE, "which study" },
	{ { MR, "--compare", "a.json" }, EXIT_USAGE, "--compare takes two studies" },
	{ { MR, "a.json", "--compare" }, EXIT_USAGE, "--compare takes two studies" },
	{ { MR, "--compare", "a.json", "b.json", "c.json" }, EXIT_USAGE, "then 'c.json'" },
	{ { MR, "--compare", "a.json", "b.json", "--outdir", "" }, EXIT_USAGE, "--outdir ''" },
	{ { MR, "--compare", "a.json", "" }, EXIT_USAGE, "STUDY.json ''" },
	{ { MR, "--compare=x", "a.json", "b.json" }, EXIT_USAGE, "'--compare'" },
	/* help and version: exit 0 */
	{ { MT, "--help" }, 0, "Exit status" },
	{ { MT, "--version" }, 0, "memtrace " },
	{ { MT, "--version" }, 0, "commit " },
	{ { MT, "--version" }, 0, "BPF objects built against kernel " },
	{ { MT, "doctor", "--help" }, 0, "EXAMPLES" },
	{ { MT, "doctor", "--bogus" }, EXIT_USAGE, "--bogus" },
	{ { MT, "doctor", "extra" }, EXIT_USAGE, "extra" },
	{ { MT, "run", "--help" }, 0, "EXAMPLES" },
	{ { MT, "compare", "--help" }, 0, "EXAMPLES" },
	{ { MT, "info", "--help" }, 0, "EXAMPLES" },
	{ { MT, "zones", "--help" }, 0, "EXAMPLES" },
	{ { MT, "study", "--help" }, 0, "EXAMPLES" },
	{ { MT, "vtop", "--help" }, 0, "EXAMPLES" },
	{ { MT, "-j", "run", "--help" }, 0, "EXAMPLES" },
	{ { MR, "--help" }, 0, "EXAMPLES" },
	{ { MR, "--version" }, 0, "memtrace-render " },
};

static const char *prog_memtrace, *prog_render;

/* What one command line gave */
struct result {
	int wstatus;
	bool timed_out;
	char *out, *err;
};

/* "memtrace run --kind ''": the command line for the test's description */
static const char *cmdline(const char *const *argv, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && n < len; i++) {
		const char *a = argv[i];
		bool q = !*a || strpbrk(a, " '");

		n += snprintf(buf + n, len - n, "%s%s%.40s%s%s", i ? " " : "", q ? "'" : "", a,
			      strlen(a) > 40 ? "..." : "", q ? "'" : "");
	}
	return buf;
}

/* The whole of a memfd, NUL-terminated (at most OUT_MAX bytes) */
static char *slurp(int fd)
{
	char *buf = calloc(1, OUT_MAX + 1);
	size_t n = 0;
	ssize_t r;

	if (!buf)
		tap_bail("out of memory");
	lseek(fd, 0, SEEK_SET);
	while (n < OUT_MAX && (r = read(fd, buf + n, OUT_MAX - n)) > 0)
		n += r;
	close(fd);
	return buf;
}

/* Run @prog with @argv: stdin /dev/null, stdout and stderr captured */
static void run(const char *prog, const char *const *argv, struct result *r)
{
	int out = memfd_create("stdout", 0), err = memfd_create("stderr", 0), e;
	struct timespec tick = { 0, 1000 * 1000 }, t0, t;
	posix_spawn_file_actions_t fa;
	pid_t pid, w;

	if (out < 0 || err < 0)
		tap_bail("memfd_create: %s", strerror(errno));
	/* posix_spawn, not fork: copying this sanitized process is slow */
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_adddup2(&fa, out, 1) ||
	    posix_spawn_file_actions_adddup2(&fa, err, 2))
		tap_bail("posix_spawn_file_actions: out of memory");
	e = posix_spawn(&pid, prog, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e)
		tap_bail("posix_spawn %s: %s", prog, strerror(e));
	*r = (struct result){};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((w = waitpid(pid, &r->wstatus, WNOHANG)) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= TIMEOUT_MS) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			w = waitpid(pid, &r->wstatus, 0);
			break;
		}
		nanosleep(&tick, NULL);
	}
	if (w < 0)
		tap_bail("waitpid: %s", strerror(errno));
	r->out = slurp(out);
	r->err = slurp(err);
}

static void check(const struct cli_case *c)
{
	const char *prog = strcmp(c->argv[0], MR) ? prog_memtrace : prog_render;
	char cmd[256];
	struct result r;
	bool exited;
	int status;

	cmdline(c->argv, cmd, sizeof(cmd));
	run(prog, c->argv, &r);
	exited = !r.timed_out && WIFEXITED(r.wstatus);
	status = exited ? WEXITSTATUS(r.wstatus) : -1;
	if (!tap_ok(exited, "%s: exits by itself", cmd)) {
		if (r.timed_out)
			printf("#   still running after %d s: killed\n", TIMEOUT_MS / 1000);
		else
			printf("#   killed by signal %d (%s)\n", WTERMSIG(r.wstatus),
			       strsignal(WTERMSIG(r.wstatus)));
		tap__show("stderr", r.err);
	}
	tap_eq_s64(status, c->status, "%s: exit status %d", cmd, c->status);
	if (c->status == EXIT_USAGE) {
		tap_has_str(r.err, c->needle, "%s: stderr names %s", cmd, c->needle);
		if (!tap_ok(!*r.out, "%s: nothing on stdout", cmd))
			tap__show("stdout", r.out);
	} else {
		tap_has_str(r.out, c->needle, "%s: stdout shows %s", cmd, c->needle);
		if (!tap_ok(!*r.err, "%s: nothing on stderr", cmd))
			tap__show("stderr", r.err);
	}
	tap_no_str(r.err, "Sanitizer", "%s: no sanitizer report", cmd);
	tap_no_str(r.err, "runtime error", "%s: no UBSan runtime error", cmd);
	free(r.out);
	free(r.err);
}

/* argv[n], else $env, else @name beside this program; it must be there */
static const char *find_prog(int argc, char **argv, int n, const char *env, const char *name)
{
	static char self[PATH_MAX];
	const char *p = argc > n ? argv[n] : getenv(env);
	ssize_t len;
	char *path;

	if (!p || !*p) {
		len = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (len <= 0)
			tap_bail("readlink /proc/self/exe: %s", strerror(errno));
		self[len] = '\0';
		if (asprintf(&path, "%s/%s", dirname(self), name) < 0)
			tap_bail("out of memory");
		p = path;
	}
	if (access(p, X_OK))
		tap_bail("%s: %s (make check builds it)", p, strerror(errno));
	return p;
}

/* "W,W,...": @word repeated until @len - 1 bytes are filled */
static void fill_list(char *buf, size_t len, const char *word, size_t count)
{
	size_t n = 0, i;

	buf[0] = '\0';
	for (i = 0; i < count && n + strlen(word) + 2 < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? "," : "", word);
}

int main(int argc, char **argv)
{
	size_t i, j, k;

	prog_memtrace = find_prog(argc, argv, 1, "MEMTRACE_ASAN", "memtrace-asan");
	prog_render = find_prog(argc, argv, 2, "MEMTRACE_RENDER_ASAN", "memtrace-render-asan");
	fill_list(long_kinds, sizeof(long_kinds), "kmalloc", SIZE_MAX);
	fill_list(long_sizes, sizeof(long_sizes), "4096", SIZE_MAX);
	fill_list(many_sizes, sizeof(many_sizes), "64", 33);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
	/* run and compare share their options */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(run_bad) / sizeof(run_bad[0]); i++) {
			struct cli_case c = { { MT, k ? "compare" : "run" }, EXIT_USAGE,
					      run_bad[i].needle };

			for (j = 0; j < 6 && run_bad[i].args[j]; j++)
				c.argv[2 + j] = run_bad[i].args[j];
			check(&c);
		}
	}
	return tap_finish();
}
