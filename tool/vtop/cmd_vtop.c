// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace vtop: translate kernel virtual addresses level by level through
 * memalloc.ko's own walk (MEMALLOC_IOC_VTOP), with the kernel's helper as a
 * cross-check; or allocate first (--kind/--size) and translate that.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/device.h"
#include "lib/json.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "memtrace.h"
#include "vtop/vtop.h"

#define VTOP_MAX_ADDRS	64

static const char vtop_doc[] =
	"Translate kernel virtual addresses step by step: the index bits of each level, each\n"
	"table's physical address and entry, where the walk stops and why, the physical\n"
	"address.\n"
	"\n"
	"USAGE: memtrace vtop ADDR...\n"
	"       memtrace vtop --kind K --size S [--pages]\n"
	"\n"
	"An address in the vmalloc area must lie in an allocation the device holds: allocate\n"
	"it with --kind/--size (the same process).  Needs root and memalloc.ko loaded.\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace vtop 0xffffffff81000000          # kernel text (see /proc/kallsyms)\n"
	"    memtrace vtop --kind vmalloc --size 16K --pages\n"
	"    memtrace -j vtop --kind kmalloc --size 64\n";

static const struct argp_option vtop_opts[] = {
	{ "kind", 'k', "K", 0, "Allocate with this allocator first, and translate that", 0 },
	{ "size", 's', "S", 0, "... of this many bytes (default 4K)", 0 },
	{ "pages", 'P', NULL, 0, "With --kind: translate every page, not only the first", 0 },
	{},
};

struct vtop_args {
	uint64_t addrs[VTOP_MAX_ADDRS];
	int nr_addrs;
	int kind;
	uint64_t size;
	bool pages;
};

static error_t vtop_parse(int key, char *arg, struct argp_state *state)
{
	struct vtop_args *a = state->input;
	char *end;

	switch (key) {
	case 'k':
		a->kind = kind__from_name(arg);
		if (a->kind < 0)
			argp_error(state, "bad --kind '%s'", arg);
		break;
	case 's':
		if (parse_size(arg, &a->size) || !a->size)
			argp_error(state, "bad --size '%s'", arg);
		break;
	case 'P':
		a->pages = true;
		break;
	case ARGP_KEY_ARG:
		if (a->nr_addrs == VTOP_MAX_ADDRS)
			argp_error(state, "too many addresses (at most %d)", VTOP_MAX_ADDRS);
		errno = 0;
		a->addrs[a->nr_addrs] = strtoull(arg, &end, 0);
		if (errno || end == arg || *end || arg[0] == '-')
			argp_error(state, "bad address '%s' (hex, e.g. 0xffffffff81000000)", arg);
		a->nr_addrs++;
		break;
	case ARGP_KEY_END:
		if (a->kind > 0 && a->nr_addrs)
			argp_error(state, "addresses and --kind: choose one");
		if (!a->kind && (a->size || a->pages))
			argp_error(state, "--size and --pages go with --kind");
		if (!a->kind && !a->nr_addrs)
			argp_error(state, "which address? give ADDR... or --kind");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Allocate, and put the address of its first (or every) page in @a->addrs */
static int vtop__allocate(int fd, struct vtop_args *a, struct memalloc_alloc *al)
{
	uint64_t p;
	int err = device__alloc(fd, a->kind, a->size ? a->size : 4096, -1, al);

	if (err) {
		warn("ALLOC %s: %s\n", kind__name(a->kind), strerror(-err));
		return err;
	}
	a->addrs[a->nr_addrs++] = al->addr;
	for (p = (al->addr & ~4095ULL) + 4096; a->pages && p < al->addr + al->size_alloc &&
	     a->nr_addrs < VTOP_MAX_ADDRS; p += 4096)
		a->addrs[a->nr_addrs++] = p;
	return 0;
}

static int vtop__one(int fd, uint64_t addr, struct json *j)
{
	struct memalloc_vtop vt;
	int err = device__vtop(fd, addr, &vt);

	if (err == -EINVAL) {
		warn("0x%llx: not a kernel address, or vmalloc memory the device does not hold "
		     "(see --kind)\n", (unsigned long long)addr);
		return err;
	}
	if (err) {
		warn("VTOP 0x%llx: %s\n", (unsigned long long)addr, strerror(-err));
		return err;
	}
	if (j)
		vtop__json(&vt, j);
	else
		vtop__print(&vt, stdout);
	return 0;
}

int cmd_vtop(int argc, char **argv)
{
	struct vtop_args a = { .kind = 0 };
	const struct argp argp = { vtop_opts, vtop_parse, "ADDR...", vtop_doc, common_children,
				   NULL, NULL };
	struct memalloc_alloc al;
	struct json j;
	int fd, i, failed = 0;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return EXIT_USAGE;
	fd = device__open();
	if (fd < 0)
		return exit_status_of(fd);
	if (a.kind > 0 && vtop__allocate(fd, &a, &al)) {
		close(fd);
		return EXIT_FAILURE;
	}
	if (env.json) {
		json__init(&j, stdout, env.pretty);
		json__start_object(&j);
		json__kv_string(&j, "schema", MEMTRACE_SCHEMA);
		json__kv_string(&j, "cmd", "vtop");
		json__name(&j, "translations");
		json__start_array(&j);
	}
	for (i = 0; i < a.nr_addrs; i++) {
		if (i && !env.json)
			putchar('\n');
		failed += !!vtop__one(fd, a.addrs[i], env.json ? &j : NULL);
	}
	if (env.json) {
		json__end_array(&j);
		json__end_object(&j);
		if (json__end(&j))
			failed++;
	}
	close(fd);	/* frees what --kind allocated */
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
