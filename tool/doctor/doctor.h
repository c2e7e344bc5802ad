/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace doctor: what memtrace needs from the running kernel, one check
 * per requirement.  The checks are made by cmd_doctor.c (root, files,
 * BPF probes); this part is pure: the table of requirements and their
 * fixes, the kernel release, /proc/mounts, the verdict, text and JSON.
 */
#ifndef __MEMTRACE_DOCTOR_H
#define __MEMTRACE_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/json.h"

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_FAIL,		/* a requirement this system does not meet */
	DOCTOR_NOTE,		/* not met, but optional or only a warning */
	DOCTOR_UNCHECKED,	/* could not be checked (e.g. needs root) */
};

/* The requirements, in the order they are printed */
enum doctor_req {
	DOCTOR_ROOT,
	DOCTOR_BTF,
	DOCTOR_BPFFS,
	DOCTOR_RINGBUF,
	DOCTOR_RAW_TP,
	DOCTOR_FENTRY,
	DOCTOR_MODULE,
	DOCTOR_KERNEL,
	DOCTOR_DEBUGFS,
	DOCTOR_NR,
};

/**
 * struct doctor_check - the result of one requirement
 * @status:	DOCTOR_*
 * @detail:	what was seen (a path, an error, a version)
 */
struct doctor_check {
	enum doctor_status status;
	char detail[160];
};

/* The requirement's short name ("btf"), and the fix printed when it fails */
const char *doctor__name(enum doctor_req r);
const char *doctor__fix(enum doctor_req r);
/* Whether memtrace cannot run without it (debugfs and the version are not) */
bool doctor__required(enum doctor_req r);
const char *doctor__status_name(enum doctor_status s);

/* The kernel-version check for @release: OK from 6.1, a NOTE before */
void doctor__check_release(struct doctor_check *c, const char *release);

/*
 * Whether @mounts (the text of /proc/mounts) mounts a file system of type
 * @fstype on @dir
 */
bool doctor__mounted(const char *mounts, const char *fstype, const char *dir);

/* The exit status: EXIT_ENV (4) if a required check is not OK, else 0 */
int doctor__exit_status(const struct doctor_check *checks);

/*
 * One line per requirement, a "fix:" line under each that is not OK; words
 * wrapped under 80 columns
 */
void doctor__print(const struct doctor_check *checks, FILE *f);
/* {"schema":...,"cmd":"doctor","ready":bool,"checks":[{name,status,...}]} */
void doctor__json(const struct doctor_check *checks, struct json *j);

#endif /* __MEMTRACE_DOCTOR_H */
