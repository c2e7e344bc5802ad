// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: parsing of command-line values (see parse.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memalloc.h"
#include "lib/names.h"
#include "lib/parse.h"


int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	else if (!shift && !strcasecmp(end, "B"))
		end++;
	if (*end || !v || (shift && v > (~0ULL >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int kind__parse_list(const char *s, uint32_t *kinds, int max)
{
	char buf[256], *tok, *p;
	int n = 0, k, i;

	if (!strcmp(s, "all")) {
		for (k = 1; k <= MEMALLOC_KIND_MAX && n < max; k++)
			kinds[n++] = k;
		return n;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	/* strsep, not strtok: an empty element ("a,", ",a", "a,,b") is an error */
	for (p = buf; (tok = strsep(&p, ",")); ) {
		k = kind__from_name(tok);
		if (k < 0 || n == max)
			return -EINVAL;
		for (i = 0; i < n && kinds[i] != (uint32_t)k; i++)
			;
		if (i == n)
			kinds[n++] = k;
	}
	return n ? n : -EINVAL;
}

int size__parse_list(const char *s, uint64_t *out, int max)
{
	char buf[512], *tok, *p;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (p = buf; (tok = strsep(&p, ",")); ) {
		if (n == max || parse_size(tok, &out[n]))
			return -EINVAL;
		n++;
	}
	return n ? n : -EINVAL;
}

const char *size__format(uint64_t bytes, char *buf, int len)
{
	static const char units[] = "KMGT";
	double v = bytes;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v == (uint64_t)v)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

int release__parse(const char *release, int *major, int *minor)
{
	char *end;

	errno = 0;
	*major = strtol(release, &end, 10);
	if (errno || end == release || *end != '.')
		return -EINVAL;
	release = end + 1;
	*minor = strtol(release, &end, 10);
	if (errno || end == release || *major < 0 || *minor < 0)
		return -EINVAL;
	return 0;
}

bool release__at_least(const char *release, int major, int minor)
{
	int ma, mi;

	if (release__parse(release, &ma, &mi))
		return false;
	return ma > major || (ma == major && mi >= minor);
}
