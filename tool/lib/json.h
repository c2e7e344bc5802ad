/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: a small streaming JSON writer, after bpftool's json_writer.h:
 * it tracks nesting and commas; the caller names keys and writes values.
 * Pure C, unit-tested.
 */
#ifndef __MEMTRACE_JSON_H
#define __MEMTRACE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The schema of memtrace's JSON documents (the study's has its own) */
#define MEMTRACE_SCHEMA "memtrace/1"

/**
 * struct json - the writer's state
 * @out:	where the document goes
 * @depth:	open objects and arrays (no limit)
 * @need_sep:	a value was written at this depth: the next needs a comma
 * @pretty:	indent by two, one member per line (-p/--pretty)
 * @after_name:	a name was written: the next value is its value
 * @broken:	a close without an open, or after a bare name (a writer bug)
 */
struct json {
	FILE *out;
	unsigned int depth;
	bool need_sep;
	bool pretty;
	bool after_name;
	bool broken;
};

void json__init(struct json *j, FILE *out, bool pretty);
void json__start_object(struct json *j);
void json__end_object(struct json *j);
void json__start_array(struct json *j);
void json__end_array(struct json *j);
void json__name(struct json *j, const char *name);
void json__string(struct json *j, const char *s);
void json__uint(struct json *j, uint64_t v);
void json__int(struct json *j, int64_t v);
void json__double(struct json *j, double v);
void json__bool(struct json *j, bool v);
void json__null(struct json *j);
/*
 * Finish the document: a newline after the top-level value, flushed.
 * Returns 0, -EINVAL if the document is not whole (a container left open,
 * a close too many: a bug, said loudly rather than papered over) or -EIO
 * if it could not be written.
 */
int json__end(struct json *j);

/* name + value shorthands */
void json__kv_string(struct json *j, const char *name, const char *s);
void json__kv_uint(struct json *j, const char *name, uint64_t v);
void json__kv_int(struct json *j, const char *name, int64_t v);
void json__kv_double(struct json *j, const char *name, double v);
void json__kv_bool(struct json *j, const char *name, bool v);
/* An address as a "0x..." string: JSON numbers lose bits above 2^53. */
void json__kv_hex(struct json *j, const char *name, uint64_t v);

#endif /* __MEMTRACE_JSON_H */
