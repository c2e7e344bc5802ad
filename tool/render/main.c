// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace-render: turn the JSON of `memtrace study --json` into a report
 * folder (table on stdout; CSV, SVG plots and report.md in the folder).
 * Runs on the host, needs no root and no device; `memtrace study --render`
 * runs it.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/warn.h"
#include "render/render.h"
#include "study/study.h"

const char *argp_program_version = "memtrace-render 0.2";

static const char doc[] =
	"Render a study's JSON: the table on stdout, and CSV, SVG plots and report.md in a\n"
	"folder.  No root, no device.\n"
	"\n"
	"USAGE: memtrace-render STUDY.json [--outdir DIR]\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace-render build/study/study.json --outdir build/study\n"
	"    memtrace study --render s.json --outdir report   # the same, through memtrace\n";

static const struct argp_option opts[] = {
	{ "outdir", 'o', "DIR", 0, "Report folder (default: study)", 0 },
	{ "render", 'r', "JSON", OPTION_HIDDEN, "The study's JSON (as memtrace study)", 0 },
	{},
};

struct render_args {
	const char *json;
	const char *outdir;
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
	case 'r':
	case ARGP_KEY_ARG:
		if (!*arg)
			argp_error(state, "bad STUDY.json '' (a file name)");
		if (a->json)
			argp_error(state, "one study at a time ('%s' and '%s')", a->json, arg);
		a->json = arg;
		break;
	case ARGP_KEY_END:
		if (!a->json)
			argp_error(state, "which study? give its JSON file");
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

int main(int argc, char **argv)
{
	struct render_args a = { .outdir = "study" };
	const struct argp argp = { opts, parse_arg, "STUDY.json", doc, NULL, NULL, NULL };
	struct study s;
	size_t len = 0;
	char *text;
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
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
