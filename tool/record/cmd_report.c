// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace report: the per-caller tables of a recording, its JSON, and the
 * physical map picture (drawn by memtrace-render on the host).
 */
#include <argp.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memtrace.h"
#include "lib/parse.h"
#include "record/record.h"

static const char report_doc[] =
	"The per-caller tables of a recording ('memtrace record'), as top prints them for\n"
	"one interval, and the contiguity of each caller's multi-page allocations.\n"
	"\n"
	"USAGE: memtrace report FILE [--sort KEY] [--rows N] [--svg DIR] [-j]\n"
	"\n"
	"Reads nothing but FILE: no root, no BPF, any machine.  -j prints one JSON document\n"
	"(the rows, with the pages of each caller over 256 slices of the physical address\n"
	"axis); --svg DIR has memtrace-render draw the physical map from it: RAM and the\n"
	"zones of each node along the physical address axis, and where each top caller's\n"
	"pages landed, coloured by allocator (DIR/physmap.svg).\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace report ls.mtr\n"
	"    memtrace report ls.mtr --sort pages --rows 40\n"
	"    memtrace report ls.mtr --svg ls-report      # host: ls-report/physmap.svg\n";

enum { OPT_ROWS = 0x400, OPT_SVG };

static const struct argp_option report_opts[] = {
	{ "sort", 's', "KEY", 0, "bytes (default), allocs, frees, live, waste, pages", 0 },
	{ "rows", OPT_ROWS, "N", 0, "Rows in the tables (default 25)", 0 },
	{ "svg", OPT_SVG, "DIR", 0, "Draw the physical map into DIR (memtrace-render)", 0 },
	{},
};

struct report_args {
	const char *file;
	int sort;
	uint64_t rows;
	const char *svg;
};

static error_t report_parse(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case 's':
		a->sort = top__sort_parse(arg);
		if (a->sort < 0)
			argp_error(state, "bad --sort '%s' (" TOP_SORT_KEYS ")", arg);
		break;
	case OPT_ROWS:
		if (parse_uint(arg, 1, 100000, &a->rows))
			argp_error(state, "bad --rows '%s'", arg);
		break;
	case OPT_SVG:
		if (!*arg)
			argp_error(state, "bad --svg ''");
		a->svg = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->file)
			argp_error(state, "one FILE only ('%s' too)", arg);
		a->file = arg;
		break;
	case ARGP_KEY_END:
		if (!a->file)
			argp_error(state, "which recording? give FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* memtrace-render --physmap JSON --outdir DIR: beside this binary, else on PATH */
static int report__render(const char *json, const char *dir)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (n > 0) {
			self[n] = 0;
			snprintf(path, sizeof(path), "%s/memtrace-render", dirname(self));
			if (!access(path, X_OK))
				execl(path, path, "--physmap", json, "--outdir", dir, (char *)NULL);
		}
		execlp("memtrace-render", "memtrace-render", "--physmap", json, "--outdir", dir,
		       (char *)NULL);
		warn("memtrace-render: %s (it is built beside memtrace on the host: make tool)\n",
		     strerror(errno));
		_exit(EXIT_ENV);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int report__svg(struct report *r, const struct report_args *a)
{
	char json[PATH_MAX];
	FILE *f;
	int err;

	snprintf(json, sizeof(json), "%s.report.json", a->file);
	f = fopen(json, "w");
	if (!f) {
		warn("%s: %s\n", json, strerror(errno));
		return -errno;
	}
	err = report__json(f, r, a->sort, false);
	if (fclose(f) && !err)
		err = -EIO;
	err = err ?: report__render(json, a->svg);
	if (!err)
		fprintf(stderr, "physical map: %s/physmap.svg (from %s)\n", a->svg, json);
	return err;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .sort = TOP_SORT_BYTES, .rows = 25 };
	const struct argp argp = { report_opts, report_parse, "FILE", report_doc, common_children,
				   NULL, NULL };
	struct record_header h;
	struct ksyms *ks = NULL;
	struct report r;
	FILE *f;
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	f = fopen(a.file, "r");
	if (!f) {
		warn("%s: %s\n", a.file, strerror(errno));
		return EXIT_FAILURE;
	}
	/* two passes: the symbols and stacks are in the trailer */
	err = record__read(f, &h, NULL, NULL);
	if (!err && h.syms_len) {
		FILE *s = fmemopen(h.syms, h.syms_len, "r");

		ks = s ? ksyms__read(s) : NULL;
		if (s)
			fclose(s);
	}
	err = err ?: report__init(&r, &h, ks);
	if (!err) {
		struct record_header h2;

		rewind(f);
		err = record__read(f, &h2, report__add, &r);
		record__header_free(&h2);
		report__finish(&r);
	}
	fclose(f);
	if (!err && env.json)
		err = report__json(stdout, &r, a.sort, env.pretty);
	else if (!err)
		report__print(stdout, &r, a.sort, a.rows);
	if (!err && a.svg)
		err = report__svg(&r, &a);
	if (!err || r.live)
		report__free(&r);
	ksyms__free(ks);
	record__header_free(&h);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
