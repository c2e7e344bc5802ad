/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: a small JSON reader (a tree of values) for documents this tool
 * wrote, e.g. the study's JSON coming back from the guest over a serial
 * line: whitespace includes the CRs a tty adds, and bytes before the first
 * '{' or '[' (line noise) are skipped.  Pure C, unit-tested.
 */
#ifndef __MEMTRACE_JSONREAD_H
#define __MEMTRACE_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

/**
 * struct jv - one JSON value
 * @type:	JV_*
 * @b:		JV_BOOL
 * @num:	JV_NUMBER as a double
 * @u:		JV_NUMBER as read when it is a whole non-negative number (exact
 *		above 2^53), else (uint64_t)@num
 * @str:	JV_STRING, NUL-terminated (embedded NULs are cut)
 * @keys:	JV_OBJECT: the names of @items
 * @items:	JV_ARRAY, JV_OBJECT: the elements
 * @n:		number of @items
 */
struct jv {
	enum jv_type type;
	bool b;
	double num;
	uint64_t u;
	char *str;
	char **keys;
	struct jv *items;
	size_t n;
};

/* Parse @len bytes of @text into *@out (free with jv__free); 0 or -EINVAL/-ENOMEM */
int jv__parse(const char *text, size_t len, struct jv **out);

void jv__free(struct jv *v);

/* Member @key of object @v, or NULL (also when @v is NULL or not an object) */
const struct jv *jv__get(const struct jv *v, const char *key);

/* Typed access with a default for absent or mistyped values */
uint64_t jv__u64(const struct jv *v, const char *key, uint64_t def);
int64_t jv__i64(const struct jv *v, const char *key, int64_t def);
double jv__num(const struct jv *v, const char *key, double def);
const char *jv__str(const struct jv *v, const char *key, const char *def);
bool jv__bool(const struct jv *v, const char *key, bool def);

#endif /* __MEMTRACE_JSONREAD_H */
