/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - header-only TAP 13 producer for the unit and guest tests, with the output of the
 * kernel's kselftest.h ("ok N - desc", "not ok N - desc", "ok N # SKIP reason", "# Totals:")
 * and the counting of kselftest_harness.h: nobody writes a plan, tap_finish() prints the
 * count it saw as a trailing "1..N".  A program that dies first leaves no plan, and the
 * runners count that as a failure.  tap_finish() gives the exit code: 0 pass, 1 fail,
 * 4 every test skipped (KSFT_SKIP).
 *
 * One fact per assertion; the typed ones print what they saw when they fail:
 *   tap_ok(cond, fmt, ...)             a boolean, for facts no helper below expresses
 *   tap_eq_u64(got, want, fmt, ...)    and tap_ne_, _lt_, _le_, _gt_, _ge_u64: unsigned
 *   tap_eq_s64(got, want, fmt, ...)    signed equality
 *   tap_err(got, want, fmt, ...)       0 / -errno results, shown with strerror()
 *   tap_eq_str(got, want, fmt, ...)    strings (NULL allowed)
 *   tap_has_str(text, needle, fmt, ...) and tap_no_str(): needle in / not in text
 *   tap_near(got, want, tol, fmt, ...) doubles within tol
 * A set-up step that fails is no test result: tap_bail(fmt, ...) prints "Bail out!" and
 * exits 1.
 */
#ifndef __TAP_H
#define __TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PASS	0
#define TAP_FAIL	1
#define TAP_SKIP	4

#define TAP_FMT(a, b)	__attribute__((format(printf, a, b)))

static struct { unsigned int nr, pass, fail, skip; } tap_cnt;

/*
 * Before main(): the version line, and stdout line-buffered so that every line is out
 * before a crash and none is pending at a fork().
 */
static void __attribute__((constructor)) tap__start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
}

static inline bool tap__vok(bool cond, const char *fmt, va_list ap)
{
	cond ? tap_cnt.pass++ : tap_cnt.fail++;
	printf("%sok %u - ", cond ? "" : "not ", ++tap_cnt.nr);
	vprintf(fmt, ap);
	putchar('\n');
	return cond;
}

static inline TAP_FMT(2, 3) bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap__vok(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static inline TAP_FMT(1, 2) void tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_cnt.skip++;
	printf("ok %u # SKIP ", ++tap_cnt.nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A set-up failure: not a result of the code under test. Stops the program. */
static inline TAP_FMT(1, 2) __attribute__((noreturn)) void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(TAP_FAIL);
}

enum tap_op { TAP_EQ, TAP_NE, TAP_LT, TAP_LE, TAP_GT, TAP_GE };

static inline TAP_FMT(6, 7) bool tap__cmp_u64(uint64_t a, enum tap_op op, uint64_t b,
					      const char *sa, const char *sb, const char *fmt, ...)
{
	static const char *const want[] = { "==", "!=", "<", "<=", ">", ">=" };
	bool cond = op == TAP_EQ ? a == b : op == TAP_NE ? a != b : op == TAP_LT ? a < b :
		    op == TAP_LE ? a <= b : op == TAP_GT ? a > b : a >= b;
	va_list ap;

	va_start(ap, fmt);
	tap__vok(cond, fmt, ap);
	va_end(ap);
	if (!cond) {
		char lit[24];

		/* "want == 100 (0x64)", or with an expression "want == c0 + 3 = 10 (0xa)" */
		snprintf(lit, sizeof(lit), "%" PRIu64, b);
		printf("#   %s = %" PRIu64 " (%#" PRIx64 "), want %s %s", sa, a, a, want[op], sb);
		if (strcmp(lit, sb))
			printf(" = %" PRIu64, b);
		printf(" (%#" PRIx64 ")\n", b);
	}
	return cond;
}

/* tap_eq_u64(got, want, "fmt", ...): on failure a "#" line shows both values */
#define tap_eq_u64(a, b, ...) tap__cmp_u64((a), TAP_EQ, (b), #a, #b, __VA_ARGS__)
#define tap_ne_u64(a, b, ...) tap__cmp_u64((a), TAP_NE, (b), #a, #b, __VA_ARGS__)
#define tap_lt_u64(a, b, ...) tap__cmp_u64((a), TAP_LT, (b), #a, #b, __VA_ARGS__)
#define tap_le_u64(a, b, ...) tap__cmp_u64((a), TAP_LE, (b), #a, #b, __VA_ARGS__)
#define tap_gt_u64(a, b, ...) tap__cmp_u64((a), TAP_GT, (b), #a, #b, __VA_ARGS__)
#define tap_ge_u64(a, b, ...) tap__cmp_u64((a), TAP_GE, (b), #a, #b, __VA_ARGS__)

static inline TAP_FMT(5, 6) bool tap__eq_s64(int64_t a, int64_t b, const char *sa,
					     const char *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap__vok(a == b, fmt, ap);
	va_end(ap);
	if (a != b)
		printf("#   %s = %" PRId64 ", want %s = %" PRId64 "\n", sa, a, sb, b);
	return a == b;
}

#define tap_eq_s64(a, b, ...) tap__eq_s64((a), (b), #a, #b, __VA_ARGS__)

/* 0 or -errno, as the kernel and tool/ return it */
static inline const char *tap__errstr(int64_t err)
{
	return err == 0 ? "success" : err < 0 && err > -4096 ? strerror((int)-err) : "not an errno";
}

static inline TAP_FMT(5, 6) bool tap__err(int64_t a, int64_t b, const char *sa, const char *sb,
					  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap__vok(a == b, fmt, ap);
	va_end(ap);
	if (a != b) {
		printf("#   %s = %" PRId64 " (%s),", sa, a, tap__errstr(a));
		printf(" want %s = %" PRId64 " (%s)\n", sb, b, tap__errstr(b));
	}
	return a == b;
}

/* tap_err(got, want, "fmt", ...): results that are 0 or -errno, e.g. tap_err(ret, -EINVAL, ..) */
#define tap_err(a, b, ...) tap__err((a), (b), #a, #b, __VA_ARGS__)

static inline TAP_FMT(5, 6) bool tap__eq_str(const char *a, const char *b, const char *sa,
					     const char *sb, const char *fmt, ...)
{
	bool cond = a && b ? !strcmp(a, b) : a == b;
	va_list ap;

	va_start(ap, fmt);
	tap__vok(cond, fmt, ap);
	va_end(ap);
	if (!cond) {
		printf("#   %s = %s%s%s\n", sa, a ? "\"" : "", a ? a : "NULL", a ? "\"" : "");
		if (sb[0] == '"')	/* a literal: once is enough */
			printf("#   want %s\n", sb);
		else
			printf("#   want %s = %s%s%s\n", sb, b ? "\"" : "", b ? b : "NULL",
			       b ? "\"" : "");
	}
	return cond;
}

#define tap_eq_str(a, b, ...) tap__eq_str((a), (b), #a, #b, __VA_ARGS__)

/* Text shown on failure: at most this many bytes of it, a line per "#" line. */
#define TAP_SHOW_MAX	2000

static inline void tap__show(const char *name, const char *text)
{
	const char *l, *nl;
	size_t shown = 0;

	if (!text) {
		printf("#   %s = NULL\n", name);
		return;
	}
	printf("#   %s (%zu bytes):\n", name, strlen(text));
	for (l = text; *l && shown < TAP_SHOW_MAX; l = nl ? nl + 1 : l + strlen(l)) {
		int len;

		nl = strchr(l, '\n');
		len = nl ? (int)(nl - l) : (int)strlen(l);
		printf("#   | %.*s\n", len, l);
		shown += len + 1;
	}
	if (shown < strlen(text))
		printf("#   | ...\n");
}

static inline TAP_FMT(5, 6) bool tap__str_has(const char *text, const char *needle, bool want,
					      const char *st, const char *fmt, ...)
{
	bool cond = text && needle && (strstr(text, needle) != NULL) == want;
	va_list ap;

	va_start(ap, fmt);
	tap__vok(cond, fmt, ap);
	va_end(ap);
	if (!cond) {
		printf("#   %s %s \"%s\"\n", st, want ? "lacks" : "holds",
		       needle ? needle : "NULL");
		tap__show(st, text);
	}
	return cond;
}

/* tap_has_str(text, needle, "fmt", ...): needle occurs in text; on failure shows text */
#define tap_has_str(t, n, ...) tap__str_has((t), (n), true, #t, __VA_ARGS__)
/* tap_no_str(text, needle, "fmt", ...): needle does not occur in (non-NULL) text */
#define tap_no_str(t, n, ...) tap__str_has((t), (n), false, #t, __VA_ARGS__)

static inline TAP_FMT(6, 7) bool tap__near(double a, double b, double tol, const char *sa,
					   const char *sb, const char *fmt, ...)
{
	double d = a > b ? a - b : b - a;
	bool cond = d <= tol;
	va_list ap;

	va_start(ap, fmt);
	tap__vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   %s = %.17g, want %s = %.17g (within %g)\n", sa, a, sb, b, tol);
	return cond;
}

/* tap_near(got, want, tolerance, "fmt", ...): doubles; tolerance 0 asks for equality */
#define tap_near(a, b, tol, ...) tap__near((a), (b), (tol), #a, #b, __VA_ARGS__)

/* The trailing plan: the number of results printed. */
static inline int tap_finish(void)
{
	printf("# Totals: pass:%u fail:%u skip:%u\n", tap_cnt.pass, tap_cnt.fail, tap_cnt.skip);
	printf("1..%u\n", tap_cnt.nr);
	if (tap_cnt.fail)
		return TAP_FAIL;
	return tap_cnt.skip == tap_cnt.nr && tap_cnt.nr ? TAP_SKIP : TAP_PASS;
}

#endif /* __TAP_H */
