// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: a small streaming JSON writer (see json.h).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "lib/json.h"

void json__init(struct json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void json__indent(struct json *j)
{
	unsigned int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Before a value or a name: the comma and the indentation it needs. */
static void json__sep(struct json *j)
{
	if (j->after_name) {
		j->after_name = false;
		return;
	}
	if (j->need_sep)
		fputc(',', j->out);
	j->need_sep = true;
	if (j->depth)
		json__indent(j);
}

/* As bpftool's json_writer: no depth limit, one separator flag. */
static void json__open(struct json *j, char c)
{
	json__sep(j);
	fputc(c, j->out);
	j->depth++;
	j->need_sep = false;
}

static void json__close(struct json *j, char c)
{
	bool empty = !j->need_sep;

	if (!j->depth || j->after_name) {
		j->broken = true;	/* a writer bug: json__end() says so */
		return;
	}
	j->depth--;
	if (!empty)
		json__indent(j);
	fputc(c, j->out);
	j->need_sep = true;
}

void json__start_object(struct json *j)
{
	json__open(j, '{');
}

void json__end_object(struct json *j)
{
	json__close(j, '}');
}

void json__start_array(struct json *j)
{
	json__open(j, '[');
}

void json__end_array(struct json *j)
{
	json__close(j, ']');
}

static void json__quote(struct json *j, const char *s)
{
	fputc('"', j->out);
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':
			fputs("\\\"", j->out);
			break;
		case '\\':
			fputs("\\\\", j->out);
			break;
		case '\n':
			fputs("\\n", j->out);
			break;
		case '\t':
			fputs("\\t", j->out);
			break;
		case '\r':
			fputs("\\r", j->out);
			break;
		default:
			if (c < 0x20)
				fprintf(j->out, "\\u%04x", c);
			else
				fputc(c, j->out);
		}
	}
	fputc('"', j->out);
}

void json__name(struct json *j, const char *name)
{
	json__sep(j);
	json__quote(j, name);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_name = true;
}

void json__string(struct json *j, const char *s)
{
	json__sep(j);
	json__quote(j, s ? s : "");
}

void json__uint(struct json *j, uint64_t v)
{
	json__sep(j);
	fprintf(j->out, "%llu", (unsigned long long)v);
}

void json__int(struct json *j, int64_t v)
{
	json__sep(j);
	fprintf(j->out, "%lld", (long long)v);
}

void json__double(struct json *j, double v)
{
	json__sep(j);
	if (isfinite(v))
		fprintf(j->out, "%.6g", v);
	else
		fputs("null", j->out);
}

void json__bool(struct json *j, bool v)
{
	json__sep(j);
	fputs(v ? "true" : "false", j->out);
}

void json__null(struct json *j)
{
	json__sep(j);
	fputs("null", j->out);
}

int json__end(struct json *j)
{
	fputc('\n', j->out);
	if (fflush(j->out) || ferror(j->out))
		return -EIO;
	return j->depth || j->broken || j->after_name ? -EINVAL : 0;
}

void json__kv_string(struct json *j, const char *name, const char *s)
{
	json__name(j, name);
	json__string(j, s);
}

void json__kv_uint(struct json *j, const char *name, uint64_t v)
{
	json__name(j, name);
	json__uint(j, v);
}

void json__kv_int(struct json *j, const char *name, int64_t v)
{
	json__name(j, name);
	json__int(j, v);
}

void json__kv_double(struct json *j, const char *name, double v)
{
	json__name(j, name);
	json__double(j, v);
}

void json__kv_bool(struct json *j, const char *name, bool v)
{
	json__name(j, name);
	json__bool(j, v);
}

void json__kv_hex(struct json *j, const char *name, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	json__kv_string(j, name, buf);
}
