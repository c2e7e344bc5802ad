/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: declarations shared by the subcommands of the memtrace tool.
 */
#ifndef __MEMTRACE_H
#define __MEMTRACE_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/warn.h"

/* Options common to every subcommand. */
struct env {
	bool verbose;
	bool json;
	bool pretty;
};

extern struct env env;
extern const struct argp_child common_children[];

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_zones(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_vtop(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif /* __MEMTRACE_H */
