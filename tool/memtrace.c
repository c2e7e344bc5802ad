// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: see where the kernel puts memory and what each allocator costs.
 * The front end: the common options, parsed by one argp parser before the
 * command and after it, and a bpftool-style command table.
 */
#include <argp.h>
#include <stdlib.h>
#include <string.h>

#include "memtrace.h"
#include "version.h"	/* generated: MEMTRACE_GIT_COMMIT, MEMTRACE_BTF_KERNEL */

struct env env;

enum { OPT_PRETTY = 0x200 };

#define MEMTRACE_VERSION "0.2"

/* --version: the release, the commit built, the kernel vmlinux.h came from */
static void print_version(FILE *f, struct argp_state *state)
{
	(void)state;
	fprintf(f, "memtrace %s\ncommit %s\nBPF objects built against kernel %s (vmlinux.h)\n",
		MEMTRACE_VERSION, MEMTRACE_GIT_COMMIT, MEMTRACE_BTF_KERNEL);
}

void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;
const char *argp_program_bug_address = "the memtrace issue tracker";

static const struct cmd cmds[] = {
	{ "run", cmd_run, "allocate while tracing; report traced vs walked pages" },
	{ "compare", cmd_compare, "the same, summary only" },
	{ "info", cmd_info, "the kernel's memory layout and zones (from memalloc.ko)" },
	{ "zones", cmd_zones, "/proc/iomem annotated with the zones that span it" },
	{ "vtop", cmd_vtop, "translate kernel addresses level by level, as the MMU does" },
	{ "top", cmd_top, "the kernel's own allocations, live: callers, rates, where pages land" },
	{ "record", cmd_record, "every allocator event of the kernel into a file" },
	{ "report", cmd_report, "the per-caller tables and physical map of a recording" },
	{ "study", cmd_study, "what each allocator costs and what memory it gives" },
	{ "doctor", cmd_doctor, "check what memtrace needs from this kernel, and the fixes" },
	{ NULL, NULL, NULL },
};

static const struct argp_option common_opts[] = {
	{ "verbose", 'v', NULL, 0, "Verbose output (libbpf debug messages)", 100 },
	{ "json", 'j', NULL, 0, "Print one JSON document on stdout", 100 },
	/* long only: -p is run's --pages */
	{ "pretty", OPT_PRETTY, NULL, 0, "JSON indented, one member per line (implies -j)", 100 },
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
	case OPT_PRETTY:
		env.pretty = true;
		/* fall through */
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

static const char exit_doc[] =
	"Exit status (every command):\n"
	"  0   done, and the result is good\n"
	"  1   done, but not good: a verdict other than agree, an allocation or a\n"
	"      write that failed\n"
	"  4   this system cannot: memalloc.ko not loaded, not root, no BTF, no\n"
	"      bpffs, BPF programs the kernel refuses\n"
	"  64  usage error\n";

/* Before the command: the common options; stop at the command's name */
static error_t front_parse(int key, char *arg, struct argp_state *state)
{
	int *cmd = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_ARG:
		*cmd = state->next - 1;
		state->next = state->argc;	/* the rest is the command's */
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "which command? (memtrace --help lists them)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* The --help text after the options: the commands, then the exit statuses */
static char *front_help(int key, const char *text, void *input)
{
	const struct cmd *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "Commands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'memtrace COMMAND --help' describes a command.\n\n%s", exit_doc);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const struct argp front = { NULL, front_parse, "COMMAND [OPTION...]",
				    "See where the kernel puts memory and what each allocator "
				    "costs.\v", common_children, front_help, NULL };
	const struct cmd *c;
	char prog[64];
	int i = 0;

	/* Help lines up to 100 columns; usage lines read "memtrace run" */
	setenv("ARGP_HELP_FMT", "rmargin=100", 0);
	if (argp_parse(&front, argc, argv, ARGP_IN_ORDER, NULL, &i))
		return EXIT_USAGE;
	for (c = cmds; c->name; c++) {
		if (strcmp(argv[i], c->name))
			continue;
		snprintf(prog, sizeof(prog), "memtrace %s", c->name);
		argv[i] = prog;
		return c->fn(argc - i, argv + i);
	}
	warn("unknown command '%s' (memtrace --help lists them)\n", argv[i]);
	return EXIT_USAGE;
}
