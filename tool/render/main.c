// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render: turn the JSON of `memtrace study --json` into a report
 * folder (table on stdout; CSV, SVG plots and report.md in the folder).
 * Runs on the host, needs no root and no device; `memtrace study --render`
 * runs it.
 */
#include <argp.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/warn.h"
#include "render/compare.h"
#include "render/physmap.h"
#include "render/render.h"
#include "study/study.h"

const char *argp_program_version = "memtrace-render 0.2";

static const char doc[] =
	"Render a study's JSON: the table on stdout, and CSV, SVG plots and report.md in a\n"
	"folder.  No root, no device.\n"
	"\n"
	"USAGE: memtrace-render STUDY.json [--outdir DIR]\n"
	"       memtrace-render --compare A.json B.json [--outdir DIR]\n"
	"       memtrace-render --physmap REPORT.json [--outdir DIR]\n"
	"\n"
	"--compare puts two studies (two kernels) side by side: a table on stdout and\n"
	"DIR/compare.md (default DIR: compare), with what changed from A to B.\n"
	"--physmap draws a recording's report ('memtrace report -j') as DIR/physmap.svg\n"
	"(default DIR: report): the physical address axis, RAM, zones, each top caller's pages.\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace-render build/study/study.json --outdir build/study\n"
	"    memtrace study --render s.json --outdir report   # the same, through memtrace\n"
	"    memtrace-render --compare 6.1/study.json 6.12/study.json --outdir compare\n";

static const struct argp_option opts[] = {
	{ "outdir", 'o', "DIR", 0, "Report folder (default: study; with --compare: compare)", 0 },
	{ "compare", 'c', NULL, 0, "Compare two studies (A.json B.json): compare.md", 0 },
	{ "physmap", 'p', NULL, 0, "Draw a report's physical map (REPORT.json): physmap.svg", 0 },
	{ "render", 'r', "JSON", OPTION_HIDDEN, "The study's JSON (as memtrace study)", 0 },
	{},
};

struct render_args {
	const char *json;
	const char *json_b;
	const char *outdir;
	bool compare;
	bool physmap;
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct render_args *a = state->input;

	switch (key) {
	case 'o':
		if (!*arg)
			argp_error(state, "bad --outdir '' (a folder)");
		a->outdir = arg;
		break;
	case 'c':
		a->compare = true;
		break;
	case 'p':
		a->physmap = true;
		break;
	case 'r':
	case ARGP_KEY_ARG:
		if (!*arg)
			argp_error(state, "bad STUDY.json '' (a file name)");
		/* argp hands over the options first: --compare is known here */
		if (a->json && !a->compare)
			argp_error(state, "one study at a time ('%s' and '%s'; two: --compare)",
				   a->json, arg);
		if (a->json_b)
			argp_error(state, "--compare takes two studies ('%s' and '%s', then '%s')",
				   a->json, a->json_b, arg);
		if (a->json)
			a->json_b = arg;
		else
			a->json = arg;
		break;
	case ARGP_KEY_END:
		if (a->compare && a->physmap)
			argp_error(state, "--compare and --physmap: choose one");
		if (!a->json)
			argp_error(state, "which study? give its JSON file");
		if (a->compare && !a->json_b)
			argp_error(state, "--compare takes two studies: A.json B.json");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The whole file in a malloc'ed buffer; NULL after a message */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *text;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		warn("open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !st.st_size) {
		warn("%s: empty (did the guest study fail? see its console)\n", path);
		fclose(f);
		return NULL;
	}
	text = malloc(st.st_size);
	if (!text || fread(text, 1, st.st_size, f) != (size_t)st.st_size) {
		warn("read %s: %s\n", path, strerror(errno ? errno : EIO));
		free(text);
		text = NULL;
	}
	fclose(f);
	*len = st.st_size;
	return text;
}

/* Read @path into @s; 0, or -1 after a message */
static int read_study(const char *path, struct study *s)
{
	size_t len = 0;
	char *text;
	int err;

	text = slurp(path, &len);
	if (!text)
		return -1;
	err = study__read_json(s, text, len);
	free(text);
	if (err) {
		warn("%s: not a %s document (%s)\n", path, STUDY_SCHEMA, strerror(-err));
		return -1;
	}
	return 0;
}

/* --compare: the table on stdout, @outdir/compare.md */
static int compare_main(const struct render_args *a)
{
	struct study sa, sb;
	struct compare c;
	char path[4096];
	int err = -1;
	FILE *f;

	if (read_study(a->json, &sa))
		return EXIT_FAILURE;
	if (read_study(a->json_b, &sb)) {
		study__free(&sa);
		return EXIT_FAILURE;
	}
	if (compare__diff(&sa, &sb, &c)) {
		warn("compare: out of memory\n");
		goto out;
	}
	compare__print_table(&sa, &sb, &c, stdout);
	snprintf(path, sizeof(path), "%s/compare.md", a->outdir);
	if (mkdir(a->outdir, 0755) && errno != EEXIST) {
		warn("mkdir %s: %s\n", a->outdir, strerror(errno));
	} else if (!(f = fopen(path, "w"))) {
		warn("open %s: %s\n", path, strerror(errno));
	} else {
		compare__write_md(&sa, &sb, &c, f);
		err = fclose(f) ? -1 : 0;
		if (err)
			warn("write %s: %s\n", path, strerror(errno));
		else
			warn("open %s\n", path);
	}
	compare__free(&c);
out:
	study__free(&sa);
	study__free(&sb);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* --physmap: @outdir/physmap.svg */
static int physmap_main(const struct render_args *a)
{
	char path[4096];
	size_t len = 0;
	char *text = slurp(a->json, &len);
	FILE *f;
	int err;

	if (!text)
		return EXIT_FAILURE;
	snprintf(path, sizeof(path), "%s/physmap.svg", a->outdir);
	if (mkdir(a->outdir, 0755) && errno != EEXIST) {
		warn("mkdir %s: %s\n", a->outdir, strerror(errno));
		free(text);
		return EXIT_FAILURE;
	}
	f = fopen(path, "w");
	if (!f) {
		warn("open %s: %s\n", path, strerror(errno));
		free(text);
		return EXIT_FAILURE;
	}
	err = physmap__svg(text, len, f);
	if (fclose(f) && !err)
		err = -EIO;
	free(text);
	if (err == -EINVAL)
		warn("%s: not a 'memtrace report -j' document\n", a->json);
	else if (err)
		warn("write %s: %s\n", path, strerror(-err));
	if (err)
		unlink(path);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct render_args a = { .outdir = NULL };
	const struct argp argp = { opts, parse_arg, "STUDY.json", doc, NULL, NULL, NULL };
	struct study s;
	size_t len = 0;
	char *text;
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	if (!a.outdir)
		a.outdir = a.compare ? "compare" : a.physmap ? "report" : "study";
	if (a.compare)
		return compare_main(&a);
	if (a.physmap)
		return physmap_main(&a);
	text = slurp(a.json, &len);
	if (!text)
		return EXIT_FAILURE;
	err = study__read_json(&s, text, len);
	free(text);
	if (err) {
		warn("%s: not a %s document (%s)\n", a.json, STUDY_SCHEMA, strerror(-err));
		return EXIT_FAILURE;
	}
	study__print_table(&s, stdout);
	warn("writing the report into %s/ (plots drawn as SVG by memtrace):\n", a.outdir);
	err = study__render(&s, a.outdir, stderr);
	if (err)
		warn("render into %s: %s\n", a.outdir, strerror(-err));
	else
		warn("open %s/report.md\n", a.outdir);
	study__free(&s);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
