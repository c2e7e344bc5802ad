/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - header-only TAP 13 producer for the host unit tests, with the output of the
 * kernel's tools/testing/selftests/kselftest.h: "1..N", "ok N - desc", "not ok N - desc",
 * "ok N # SKIP reason", "# Totals: ...". tap_finish() gives the exit code: 0 pass, 1 fail
 * (or plan not met), 4 every test skipped (KSFT_SKIP).
 */
#ifndef __TAP_H
#define __TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define TAP_PASS	0
#define TAP_FAIL	1
#define TAP_SKIP	4

static struct { unsigned int plan, nr, pass, fail, skip; } tap_cnt;

static inline void tap_plan(unsigned int n)
{
	tap_cnt.plan = n;
	printf("TAP version 13\n1..%u\n", n);
}

static inline __attribute__((format(printf, 2, 3))) bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	cond ? tap_cnt.pass++ : tap_cnt.fail++;
	printf("%sok %u - ", cond ? "" : "not ", ++tap_cnt.nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static inline __attribute__((format(printf, 1, 2))) void tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_cnt.skip++;
	printf("ok %u # SKIP ", ++tap_cnt.nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline bool tap__eq_u64(uint64_t a, uint64_t b, const char *sa, const char *sb,
			       const char *desc)
{
	if (tap_ok(a == b, "%s", desc))
		return true;
	printf("# %s = %" PRIu64 " (%#" PRIx64 "), expected %s = %" PRIu64 " (%#" PRIx64 ")\n",
	       sa, a, a, sb, b, b);
	return false;
}

/* tap_eq_u64(got, expected, "description"): on failure a "# " line shows both values */
#define tap_eq_u64(a, b, desc) tap__eq_u64((a), (b), #a, #b, (desc))

static inline int tap_finish(void)
{
	printf("# Totals: pass:%u fail:%u skip:%u\n", tap_cnt.pass, tap_cnt.fail, tap_cnt.skip);
	if (tap_cnt.nr != tap_cnt.plan) {
		printf("# Planned %u tests but ran %u\n", tap_cnt.plan, tap_cnt.nr);
		return TAP_FAIL;
	}
	if (tap_cnt.fail)
		return TAP_FAIL;
	return tap_cnt.skip == tap_cnt.nr && tap_cnt.nr ? TAP_SKIP : TAP_PASS;
}

#endif /* __TAP_H */
