// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: kernel symbols from a /proc/kallsyms listing (ksyms.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/ksyms.h"

struct ksyms {
	struct ksym *syms;
	size_t nr;
	size_t cap;
	char **strs;	/* every name and module string, owned */
	size_t nr_strs;
	size_t cap_strs;
};

static int ksyms__keep(struct ksyms *ks, char *s)
{
	if (array__reserve((void **)&ks->strs, &ks->cap_strs, ks->nr_strs + 1, sizeof(char *)))
		return -ENOMEM;
	ks->strs[ks->nr_strs++] = s;
	return 0;
}

/* The module name of the previous symbol is shared: modules list theirs together */
static const char *ksyms__module(struct ksyms *ks, const char *mod)
{
	char *s;

	if (!mod)
		return NULL;
	if (ks->nr && ks->syms[ks->nr - 1].module && !strcmp(ks->syms[ks->nr - 1].module, mod))
		return ks->syms[ks->nr - 1].module;
	s = strdup(mod);
	if (!s || ksyms__keep(ks, s)) {
		free(s);
		return NULL;
	}
	return s;
}

static int ksyms__add(struct ksyms *ks, __u64 addr, const char *name, const char *mod)
{
	struct ksym *k;
	char *n;

	if (array__reserve((void **)&ks->syms, &ks->cap, ks->nr + 1, sizeof(*ks->syms)))
		return -ENOMEM;
	n = strdup(name);
	if (!n || ksyms__keep(ks, n)) {
		free(n);
		return -ENOMEM;
	}
	k = &ks->syms[ks->nr];
	k->addr = addr;
	k->name = n;
	k->module = ksyms__module(ks, mod);
	if (mod && !k->module)
		return -ENOMEM;
	ks->nr++;
	return 0;
}

static int ksym__cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * One line, "ADDR TYPE NAME [MODULE]"; 1 when kept, 0 when skipped,
 * -errno.  Parsed by hand: sscanf() took a tenth of record's start under
 * TCG, on a listing of over 100,000 lines.
 */
static int ksyms__line(struct ksyms *ks, char *line, size_t *zeros)
{
	char *p, *name, *mod = NULL, *end, type;
	unsigned long long addr;

	addr = strtoull(line, &p, 16);
	if (p == line)
		return 0;
	p += strspn(p, " \t");
	type = *p;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	p++;
	name = p + strspn(p, " \t");
	end = name + strcspn(name, " \t\n");
	if (end == name)
		return 0;
	if (*end) {
		*end++ = '\0';
		p = end + strspn(end, " \t");
		if (*p == '[') {
			end = strchr(++p, ']');
			if (end && end > p) {
				*end = '\0';
				mod = p;
			}
		}
	}
	if (!addr) {
		(*zeros)++;
		return 0;
	}
	return ksyms__add(ks, addr, name, mod) ?: 1;
}

struct ksyms *ksyms__read(FILE *f)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	size_t zeros = 0;
	char line[512];
	int err = 0;

	if (!ks)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		err = ksyms__line(ks, line, &zeros);
		if (err < 0)
			break;
		err = 0;
	}
	if (!err && ferror(f))
		err = -EIO;
	if (!err && !ks->nr)
		err = zeros ? -EPERM : -ENOENT;
	if (err) {
		ksyms__free(ks);
		errno = -err;
		return NULL;
	}
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), ksym__cmp);
	return ks;
}

const struct ksym *ksyms__find(const struct ksyms *ks, __u64 addr)
{
	size_t lo = 0, hi;
	const struct ksym *k;

	if (!ks || !ks->nr || addr < ks->syms[0].addr)
		return NULL;
	hi = ks->nr;
	/* the last symbol at or below addr: syms[lo].addr <= addr < syms[hi].addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	k = &ks->syms[lo];
	return addr - k->addr <= KSYMS_MAX_OFFSET ? k : NULL;
}

size_t ksyms__count(const struct ksyms *ks)
{
	return ks ? ks->nr : 0;
}

const struct ksym *ksyms__at(const struct ksyms *ks, size_t i)
{
	return &ks->syms[i];
}

const char *ksyms__format(const struct ksyms *ks, __u64 addr, char *buf, size_t len)
{
	const struct ksym *k = ksyms__find(ks, addr);

	if (!k)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (k->module)
		snprintf(buf, len, "%s+0x%llx [%s]", k->name,
			 (unsigned long long)(addr - k->addr), k->module);
	else
		snprintf(buf, len, "%s+0x%llx", k->name, (unsigned long long)(addr - k->addr));
	return buf;
}

void ksyms__free(struct ksyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->nr_strs; i++)
		free(ks->strs[i]);
	free(ks->strs);
	free(ks->syms);
	free(ks);
}
