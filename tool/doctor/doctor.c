// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace doctor, the pure part (doctor.h): the requirements, their
 * fixes, the kernel release, /proc/mounts, the verdict, text and JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"
#include "lib/parse.h"
#include "lib/warn.h"

static const struct {
	const char *name;
	bool required;
	const char *fix;
} reqs[DOCTOR_NR] = {
	[DOCTOR_ROOT] = { "root", true,
		"run as root (sudo): BPF needs CAP_BPF and CAP_PERFMON, /dev/memalloc "
		"CAP_SYS_ADMIN" },
	[DOCTOR_BTF] = { "btf", true,
		"a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora kernels "
		"have it): it provides /sys/kernel/btf/vmlinux" },
	[DOCTOR_BPFFS] = { "bpffs", true, "mount -t bpf bpf /sys/fs/bpf" },
	[DOCTOR_RINGBUF] = { "ringbuf", true,
		"a kernel with CONFIG_BPF_SYSCALL=y and the BPF ring buffer (5.8 or later)" },
	[DOCTOR_RAW_TP] = { "raw_tp", true,
		"a kernel with CONFIG_BPF_EVENTS=y and the kmem tracepoints (kmalloc)" },
	[DOCTOR_FENTRY] = { "fentry", true,
		"a kernel with BPF trampolines: CONFIG_BPF_JIT=y, CONFIG_FUNCTION_TRACER=y, "
		"CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y (x86-64, 5.5 or later)" },
	[DOCTOR_MODULE] = { "module", true,
		"load memalloc.ko: modprobe memalloc (after make install) or insmod "
		"build/<kernel>/module/memalloc.ko" },
	[DOCTOR_KERNEL] = { "kernel", false,
		"memtrace is tested on 6.1 and 6.12; on older kernels memalloc.ko may not "
		"build and some BPF programs may be refused" },
	[DOCTOR_DEBUGFS] = { "debugfs", false,
		"optional: mount -t debugfs none /sys/kernel/debug for "
		"/sys/kernel/debug/memalloc/allocations" },
};

const char *doctor__name(enum doctor_req r)
{
	return r < DOCTOR_NR ? reqs[r].name : "?";
}

const char *doctor__fix(enum doctor_req r)
{
	return r < DOCTOR_NR ? reqs[r].fix : "";
}

bool doctor__required(enum doctor_req r)
{
	return r < DOCTOR_NR && reqs[r].required;
}

const char *doctor__status_name(enum doctor_status s)
{
	switch (s) {
	case DOCTOR_OK:
		return "ok";
	case DOCTOR_FAIL:
		return "FAIL";
	case DOCTOR_NOTE:
		return "note";
	default:
		return "unchecked";
	}
}

void doctor__check_release(struct doctor_check *c, const char *release)
{
	int major, minor;

	if (release__parse(release, &major, &minor)) {
		c->status = DOCTOR_NOTE;
		snprintf(c->detail, sizeof(c->detail), "%s: not a version I can read", release);
	} else if (major > 6 || (major == 6 && minor >= 1)) {
		c->status = DOCTOR_OK;
		snprintf(c->detail, sizeof(c->detail), "%s (6.1 or later)", release);
	} else {
		c->status = DOCTOR_NOTE;
		snprintf(c->detail, sizeof(c->detail), "%s: older than 6.1, not tested", release);
	}
}

bool doctor__mounted(const char *mounts, const char *fstype, const char *dir)
{
	const char *line = mounts;
	char d[256], t[64];

	while (line && *line) {
		/* "source dir type options dump pass" */
		if (sscanf(line, "%*s %255s %63s", d, t) == 2 && !strcmp(d, dir) &&
		    !strcmp(t, fstype))
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

int doctor__exit_status(const struct doctor_check *checks)
{
	int r;

	for (r = 0; r < DOCTOR_NR; r++) {
		if (doctor__required(r) && checks[r].status != DOCTOR_OK)
			return EXIT_ENV;
	}
	return EXIT_SUCCESS;
}

#define DOCTOR_COLS	79

/*
 * @text from column @col on, words wrapped under 80 columns, continuation
 * lines indented to @indent; then a newline
 */
static void doctor__wrap(FILE *f, const char *text, int col, int indent)
{
	const char *w = text;

	while (*w) {
		int len = strcspn(w, " ");

		if (w != text && col + 1 + len > DOCTOR_COLS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (w != text) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", len, w);
		col += len;
		w += len;
		w += strspn(w, " ");
	}
	fputc('\n', f);
}

void doctor__print(const struct doctor_check *checks, FILE *f)
{
	int r, bad = 0, unchecked = 0;

	fprintf(f, "%-9s %-9s %s\n", "CHECK", "STATUS", "DETAIL");
	for (r = 0; r < DOCTOR_NR; r++) {
		const struct doctor_check *c = &checks[r];

		fprintf(f, "%-9s %-9s ", doctor__name(r), doctor__status_name(c->status));
		doctor__wrap(f, c->detail, 20, 20);
		if (c->status != DOCTOR_OK) {
			fprintf(f, "          fix: ");
			doctor__wrap(f, doctor__fix(r), 15, 15);
		}
		bad += doctor__required(r) && c->status == DOCTOR_FAIL;
		unchecked += doctor__required(r) && c->status == DOCTOR_UNCHECKED;
	}
	if (bad || unchecked)
		fprintf(f, "verdict: not ready - %d requirement%s not met, %d not checked\n",
			bad, bad == 1 ? "" : "s", unchecked);
	else
		fprintf(f, "verdict: ready - memtrace can run here\n");
}

void doctor__json(const struct doctor_check *checks, struct json *j)
{
	int r;

	json__start_object(j);
	json__kv_string(j, "schema", MEMTRACE_SCHEMA);
	json__kv_string(j, "cmd", "doctor");
	json__kv_bool(j, "ready", doctor__exit_status(checks) == EXIT_SUCCESS);
	json__name(j, "checks");
	json__start_array(j);
	for (r = 0; r < DOCTOR_NR; r++) {
		json__start_object(j);
		json__kv_string(j, "name", doctor__name(r));
		json__kv_string(j, "status", doctor__status_name(checks[r].status));
		json__kv_bool(j, "required", doctor__required(r));
		json__kv_string(j, "detail", checks[r].detail);
		if (checks[r].status != DOCTOR_OK)
			json__kv_string(j, "fix", doctor__fix(r));
		json__end_object(j);
	}
	json__end_array(j);
	json__end_object(j);
}
