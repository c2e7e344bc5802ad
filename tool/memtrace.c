// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: see where the kernel puts memory and what each allocator costs.
 * The front end: common options and a bpftool-style subcommand table.
 */
#include <argp.h>
#include <stdlib.h>
#include <string.h>

#include "memtrace.h"

struct env env;

const char *argp_program_version = "memtrace 0.1";
const char *argp_program_bug_address = "the memtrace issue tracker";

static const struct cmd cmds[] = {
	{ "run", cmd_run, "allocate while tracing; report traced vs walked pages" },
	{ "compare", cmd_compare, "the same, summary only; exit 1 unless all agree" },
	{ "info", cmd_info, "the kernel's memory layout and zones (from memalloc.ko)" },
	{ "zones", cmd_zones, "/proc/iomem annotated with the zones that span it" },
	{ "study", cmd_study, "what each allocator costs and what memory it gives" },
	{ NULL, NULL, NULL },
};

static const struct argp_option common_opts[] = {
	{ "verbose", 'v', NULL, 0, "Verbose output (libbpf debug messages)", 100 },
	{ "json", 'j', NULL, 0, "Print one JSON document on stdout", 100 },
	{},
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	(void)state;
	switch (key) {
	case 'v':
		env.verbose = true;
		break;
	case 'j':
		env.json = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp common_argp = { common_opts, common_parse, NULL, NULL, NULL, NULL, NULL };

const struct argp_child common_children[] = {
	{ &common_argp, 0, "Common options:", 100 },
	{},
};

static void usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "Usage: memtrace [-v] [-j] COMMAND [OPTION...]\n\n"
		   "See where the kernel puts memory and what each allocator costs.\n\n"
		   "Commands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'memtrace COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i;

	/* Common flags may come before the command too: memtrace -v run. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			env.verbose = true;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			env.json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("%s\n", argp_program_version);
			return 0;
		} else {
			warn("unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 64;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 64;
	}
	/* Usage lines of argp read "memtrace run", help text up to 100 columns. */
	setenv("ARGP_HELP_FMT", "rmargin=100", 0);
	for (c = cmds; c->name; c++) {
		char prog[64];

		if (strcmp(argv[i], c->name))
			continue;
		snprintf(prog, sizeof(prog), "memtrace %s", c->name);
		argv[i] = prog;
		return c->fn(argc - i, argv + i);
	}
	warn("unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 64;
}
