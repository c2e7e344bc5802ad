// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: a small recursive-descent JSON reader (jsonread.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

#define JV_MAX_DEPTH	64

struct jv_parser {
	const char *p;
	const char *end;
	int depth;
};

static void jv__skip_ws(struct jv_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int jv__value(struct jv_parser *ps, struct jv *v);

static int jv__hex4(const char *s, unsigned int *out)
{
	unsigned int c = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char h = s[i];

		c <<= 4;
		if (h >= '0' && h <= '9')
			c |= h - '0';
		else if (h >= 'a' && h <= 'f')
			c |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			c |= h - 'A' + 10;
		else
			return -EINVAL;
	}
	*out = c;
	return 0;
}

static size_t jv__utf8(unsigned int c, char *o)
{
	if (c < 0x80) {
		o[0] = c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = 0xc0 | (c >> 6);
		o[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	o[0] = 0xe0 | (c >> 12);
	o[1] = 0x80 | ((c >> 6) & 0x3f);
	o[2] = 0x80 | (c & 0x3f);
	return 3;
}

/* A string after its opening quote; *out is malloc'ed */
static int jv__string(struct jv_parser *ps, char **out)
{
	const char *s = ps->p;
	char *buf, *o;
	unsigned int c;

	/* The decoded string is never longer than the encoded one */
	while (s < ps->end && *s != '"') {
		if (*s == '\\')
			s++;
		s++;
	}
	if (s >= ps->end)
		return -EINVAL;
	buf = malloc(s - ps->p + 1);
	if (!buf)
		return -ENOMEM;
	for (o = buf; ps->p < s; ps->p++) {
		if (*ps->p != '\\') {
			*o++ = *ps->p;
			continue;
		}
		ps->p++;
		switch (*ps->p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'u':
			if (s - ps->p < 5 || jv__hex4(ps->p + 1, &c) || !c) {
				free(buf);
				return -EINVAL;
			}
			o += jv__utf8(c, o);
			ps->p += 4;
			break;
		default: *o++ = *ps->p; break;	/* \" \\ \/ */
		}
	}
	*o = '\0';
	ps->p = s + 1;
	*out = buf;
	return 0;
}

static int jv__push(struct jv *v, size_t *cap)
{
	struct jv *items;
	char **keys;

	if (v->n < *cap)
		return 0;
	*cap = *cap ? 2 * *cap : 8;
	items = realloc(v->items, *cap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	v->items = items;
	if (v->type == JV_OBJECT) {
		keys = realloc(v->keys, *cap * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		v->keys = keys;
	}
	return 0;
}

static int jv__container(struct jv_parser *ps, struct jv *v, char close)
{
	size_t cap = 0;
	int err;

	ps->p++;
	jv__skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		jv__skip_ws(ps);
		if (close == '}') {
			if (ps->p >= ps->end || *ps->p != '"')
				return -EINVAL;
			ps->p++;
			err = jv__string(ps, &key);
			if (err)
				return err;
			jv__skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return -EINVAL;
			}
			ps->p++;
		}
		err = jv__push(v, &cap);
		if (err) {
			free(key);
			return err;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (close == '}')
			v->keys[v->n] = key;
		v->n++;
		err = jv__value(ps, &v->items[v->n - 1]);
		if (err)
			return err;
		jv__skip_ws(ps);
		if (ps->p >= ps->end)
			return -EINVAL;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != close)
			return -EINVAL;
		ps->p++;
		return 0;
	}
}

static int jv__number(struct jv_parser *ps, struct jv *v)
{
	const char *s = ps->p;
	char buf[64];
	size_t len;
	bool whole = true;
	char *end;

	while (s < ps->end && strchr("+-0123456789.eE", *s)) {
		if (!(*s >= '0' && *s <= '9'))
			whole = false;
		s++;
	}
	len = s - ps->p;
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, ps->p, len);
	buf[len] = '\0';
	v->num = strtod(buf, &end);
	if (*end)
		return -EINVAL;
	v->u = whole ? strtoull(buf, NULL, 10) : v->num > 0 ? (uint64_t)v->num : 0;
	v->type = JV_NUMBER;
	ps->p = s;
	return 0;
}

static int jv__word(struct jv_parser *ps, const char *w)
{
	size_t len = strlen(w);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, w, len))
		return -EINVAL;
	ps->p += len;
	return 0;
}

static int jv__value(struct jv_parser *ps, struct jv *v)
{
	int err;

	jv__skip_ws(ps);
	if (ps->p >= ps->end)
		return -EINVAL;
	if (++ps->depth > JV_MAX_DEPTH)
		return -EINVAL;
	switch (*ps->p) {
	case '{':
		v->type = JV_OBJECT;
		err = jv__container(ps, v, '}');
		break;
	case '[':
		v->type = JV_ARRAY;
		err = jv__container(ps, v, ']');
		break;
	case '"':
		ps->p++;
		v->type = JV_STRING;
		err = jv__string(ps, &v->str);
		break;
	case 't':
		v->type = JV_BOOL;
		v->b = true;
		err = jv__word(ps, "true");
		break;
	case 'f':
		v->type = JV_BOOL;
		err = jv__word(ps, "false");
		break;
	case 'n':
		v->type = JV_NULL;
		err = jv__word(ps, "null");
		break;
	default:
		err = jv__number(ps, v);
		break;
	}
	ps->depth--;
	return err;
}

static void jv__release(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jv__release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void jv__free(struct jv *v)
{
	if (!v)
		return;
	jv__release(v);
	free(v);
}

int jv__parse(const char *text, size_t len, struct jv **out)
{
	struct jv_parser ps = { text, text + len, 0 };
	struct jv *v;
	int err;

	*out = NULL;
	while (ps.p < ps.end && *ps.p != '{' && *ps.p != '[')
		ps.p++;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = jv__value(&ps, v);
	if (!err) {
		/* Trailing NULs or blanks (a serial file padded) are fine, anything else not */
		jv__skip_ws(&ps);
		while (ps.p < ps.end && *ps.p == '\0')
			ps.p++;
		if (ps.p != ps.end)
			err = -EINVAL;
	}
	if (err) {
		jv__free(v);
		return err;
	}
	*out = v;
	return 0;
}

const struct jv *jv__get(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != JV_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++) {
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	}
	return NULL;
}

uint64_t jv__u64(const struct jv *v, const char *key, uint64_t def)
{
	const struct jv *m = jv__get(v, key);

	return m && m->type == JV_NUMBER ? m->u : def;
}

int64_t jv__i64(const struct jv *v, const char *key, int64_t def)
{
	const struct jv *m = jv__get(v, key);

	return m && m->type == JV_NUMBER ? (int64_t)m->num : def;
}

double jv__num(const struct jv *v, const char *key, double def)
{
	const struct jv *m = jv__get(v, key);

	return m && m->type == JV_NUMBER ? m->num : def;
}

const char *jv__str(const struct jv *v, const char *key, const char *def)
{
	const struct jv *m = jv__get(v, key);

	return m && m->type == JV_STRING ? m->str : def;
}

bool jv__bool(const struct jv *v, const char *key, bool def)
{
	const struct jv *m = jv__get(v, key);

	return m && m->type == JV_BOOL ? m->b : def;
}
