// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tool/doctor: the kernel release and its version note,
 * /proc/mounts, the verdict (exit status) of a set of checks, and the text
 * and JSON a user reads (each failure named, with its fix).
 */
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"
#include "lib/parse.h"
#include "lib/warn.h"
#include "tap.h"

static void test_release(void)
{
	struct doctor_check c = {};
	int major = -1, minor = -1;

	tap_err(release__parse("6.12.117+deb12-cloud-amd64", &major, &minor), 0,
		"release: Debian's 6.12 parses");
	tap_eq_s64(major, 6, "release: major of 6.12.117+deb12");
	tap_eq_s64(minor, 12, "release: minor of 6.12.117+deb12");
	tap_err(release__parse("6.1.0-56-cloud-amd64", &major, &minor), 0,
		"release: Debian's 6.1 parses");
	tap_eq_s64(minor, 1, "release: minor of 6.1.0-56");
	tap_err(release__parse("linux", &major, &minor), -EINVAL,
		"release: no number is refused");
	tap_err(release__parse("6", &major, &minor), -EINVAL,
		"release: a major without a minor is refused");
	tap_ok(release__at_least("6.12.117+deb12-cloud-amd64", 6, 6),
	       "release: 6.12 is 6.6 or later");
	tap_ok(release__at_least("7.0.1", 6, 6), "release: 7.0 is 6.6 or later");
	tap_ok(!release__at_least("6.1.0-56-cloud-amd64", 6, 6), "release: 6.1 is not 6.6 or later");
	tap_ok(!release__at_least("5.19.0", 6, 6), "release: 5.19 is not 6.6 or later");
	tap_ok(!release__at_least("linux", 6, 6), "release: an unreadable release is not 6.6 or later");
	doctor__check_release(&c, "6.1.0-56-cloud-amd64");
	tap_eq_u64(c.status, DOCTOR_OK, "release: 6.1 is OK");
	doctor__check_release(&c, "5.15.0-91-generic");
	tap_eq_u64(c.status, DOCTOR_NOTE, "release: 5.15 is a note");
	tap_has_str(c.detail, "older than 6.1", "release: 5.15's note says older than 6.1");
	doctor__check_release(&c, "10.0.1");
	tap_eq_u64(c.status, DOCTOR_OK, "release: 10.0 is OK (major above 6)");
}

static void test_mounts(void)
{
	const char *m = "sysfs /sys sysfs rw 0 0\n"
			"debugfs /sys/kernel/debug debugfs rw 0 0\n"
			"bpf /sys/fs/bpf bpf rw 0 0";

	tap_ok(doctor__mounted(m, "debugfs", "/sys/kernel/debug"), "mounts: debugfs found");
	tap_ok(doctor__mounted(m, "bpf", "/sys/fs/bpf"),
	       "mounts: the last line, without a newline, found");
	tap_ok(!doctor__mounted(m, "tracefs", "/sys/kernel/tracing"), "mounts: tracefs absent");
	tap_ok(!doctor__mounted(m, "sysfs", "/sys/kernel/debug"),
	       "mounts: a type on another folder does not count");
	tap_ok(!doctor__mounted("", "bpf", "/sys/fs/bpf"), "mounts: empty text");
}

static void all_ok(struct doctor_check *c)
{
	int r;

	for (r = 0; r < DOCTOR_NR; r++) {
		c[r].status = DOCTOR_OK;
		snprintf(c[r].detail, sizeof(c[r].detail), "fine");
	}
}

static void test_verdict(void)
{
	struct doctor_check c[DOCTOR_NR];

	all_ok(c);
	tap_eq_s64(doctor__exit_status(c), EXIT_SUCCESS, "verdict: all OK exits 0");
	c[DOCTOR_DEBUGFS].status = DOCTOR_NOTE;
	c[DOCTOR_KERNEL].status = DOCTOR_NOTE;
	tap_eq_s64(doctor__exit_status(c), EXIT_SUCCESS,
		   "verdict: notes on debugfs and the version still exit 0");
	c[DOCTOR_BTF].status = DOCTOR_FAIL;
	tap_eq_s64(doctor__exit_status(c), EXIT_ENV, "verdict: no BTF exits 4");
	all_ok(c);
	c[DOCTOR_FENTRY].status = DOCTOR_UNCHECKED;
	tap_eq_s64(doctor__exit_status(c), EXIT_ENV, "verdict: fentry not checked exits 4");
	tap_ok(doctor__required(DOCTOR_MODULE), "verdict: the module is required");
	tap_ok(!doctor__required(DOCTOR_DEBUGFS), "verdict: debugfs is optional");
}

/* The text of doctor__print() or doctor__json() for @c; free() it */
static char *render(const struct doctor_check *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		tap_bail("open_memstream: %s", strerror(errno));
	if (json) {
		json__init(&j, f, false);
		doctor__json(c, &j);
		json__end(&j);
	} else {
		doctor__print(c, f);
	}
	fclose(f);
	return buf;
}

static size_t longest_line(const char *t)
{
	size_t max = 0, len;

	for (; *t; t += len + (t[len] == '\n')) {
		len = strcspn(t, "\n");
		max = len > max ? len : max;
	}
	return max;
}

static void test_output(void)
{
	struct doctor_check c[DOCTOR_NR];
	char *t;

	all_ok(c);
	t = render(c, false);
	tap_has_str(t, "\nbtf       ok        fine\n", "text: one line for btf");
	tap_no_str(t, "fix:", "text: no fix when all is well");
	tap_has_str(t, "verdict: ready", "text: ready when all is well");
	free(t);
	c[DOCTOR_BPFFS].status = DOCTOR_FAIL;
	snprintf(c[DOCTOR_BPFFS].detail, sizeof(c[0].detail), "not mounted at /sys/fs/bpf");
	t = render(c, false);
	tap_has_str(t, "\nbpffs     FAIL      not mounted at /sys/fs/bpf\n",
		    "text: the failure is named on its line");
	tap_has_str(t, "fix: mount -t bpf bpf /sys/fs/bpf\n", "text: with its fix under it");
	tap_has_str(t, "verdict: not ready - 1 requirement not met", "text: not ready");
	free(t);
	t = render(c, true);
	tap_has_str(t, "{\"schema\":\"memtrace/1\",\"cmd\":\"doctor\",\"ready\":false,",
		    "json: the schema, the command, not ready");
	tap_has_str(t, "{\"name\":\"bpffs\",\"status\":\"FAIL\",\"required\":true,\"detail\":"
		       "\"not mounted at /sys/fs/bpf\",\"fix\":\"mount -t bpf bpf /sys/fs/bpf\"}",
		    "json: the failure with its fix");
	tap_has_str(t, "{\"name\":\"btf\",\"status\":\"ok\",\"required\":true,\"detail\":"
		       "\"fine\"}", "json: a check that passed has no fix");
	free(t);
	c[DOCTOR_BTF].status = DOCTOR_FAIL;
	t = render(c, false);
	tap_has_str(t, "          fix: a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu,\n"
		       "               Fedora kernels have it)",
		    "text: a long fix wrapped under 80 columns, indented");
	tap_ok(longest_line(t) < 80, "text: every line under 80 columns (longest %zu)",
	       longest_line(t));
	free(t);
}

int main(void)
{
	test_release();
	test_mounts();
	test_verdict();
	test_output();
	return tap_finish();
}
