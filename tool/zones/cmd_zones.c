// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace zones: the physical memory map of /proc/iomem with the spans of
 * the zones of /proc/zoneinfo beside it, so that one sees which RAM each
 * zone covers and that zones span RAM (and holes), never device ranges.
 */
#include <argp.h>
#include <errno.h>
#include <string.h>

#include "memtrace.h"
#include "zones/physmap.h"

static const char zones_doc[] =
	"Show /proc/iomem annotated with the memory zones that span it.\n"
	"\n"
	"USAGE: memtrace zones [--iomem FILE] [--zoneinfo FILE]\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace zones                  # this machine (root: iomem shows addresses)\n"
	"    memtrace zones --iomem saved-iomem.txt --zoneinfo saved-zoneinfo.txt\n";

static const struct argp_option zones_opts[] = {
	{ "iomem", 'i', "FILE", 0, "Read FILE instead of /proc/iomem", 0 },
	{ "zoneinfo", 'z', "FILE", 0, "Read FILE instead of /proc/zoneinfo", 0 },
	{},
};

struct zones_args {
	const char *iomem;
	const char *zoneinfo;
};

static error_t zones_parse(int key, char *arg, struct argp_state *state)
{
	struct zones_args *a = state->input;

	switch (key) {
	case 'i':
	case 'z':
		if (!*arg)
			argp_error(state, "bad --%s '' (a file)", key == 'i' ? "iomem" : "zoneinfo");
		if (key == 'i')
			a->iomem = arg;
		else
			a->zoneinfo = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		/* -j may come before the command */
		if (env.json)
			argp_error(state, "--json: zones prints no JSON (memtrace -j info does)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int parse_file(struct physmap *pm, const char *path,
		      int (*fn)(struct physmap *, FILE *))
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		err = -errno;
		warn("open %s: %s\n", path, strerror(errno));
		return err;
	}
	err = fn(pm, f);
	fclose(f);
	if (err)
		warn("%s: cannot parse: %s\n", path, strerror(-err));
	return err;
}

int cmd_zones(int argc, char **argv)
{
	struct zones_args a = { "/proc/iomem", "/proc/zoneinfo" };
	const struct argp argp = { zones_opts, zones_parse, NULL, zones_doc,
				   common_children, NULL, NULL };
	struct physmap pm = {};
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (err)
		return EXIT_USAGE;

	err = parse_file(&pm, a.iomem, physmap__parse_iomem);
	if (!err)
		err = parse_file(&pm, a.zoneinfo, physmap__parse_zoneinfo);
	if (!err)
		physmap__print(&pm, stdout);
	physmap__free(&pm);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
