// SPDX-License-Identifier: GPL-2.0
/*
 * physmap - parse /proc/iomem (the kernel's resource tree, kernel/resource.c r_show()) and
 * /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print()) and draw the zone spans over the
 * resource tree: the lesson of the memalloc demo, where DMA covers PFNs 0x1-0xfff but only
 * the "System RAM" pages inside it are present.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "zones/physmap.h"

#define PAGE_SIZE	(1ULL << PHYSMAP_PAGE_SHIFT)
/* the first PFN whose address no longer fits in 64 bits */
#define PFN_LIMIT	(1ULL << (64 - PHYSMAP_PAGE_SHIFT))
/* physmap__print() keeps its lines under 100 columns */
#define PRINT_COLS	99
#define PRINT_MIN_TEXT	32

/* Returns 1 with a line (newline stripped), 0 at end of file, or -errno. */
static int line__read(char **buf, size_t *cap, FILE *f)
{
	ssize_t n;

	errno = 0;
	n = getline(buf, cap, f);
	if (n < 0) {
		if (feof(f) && !ferror(f) && errno != ENOMEM)
			return 0;
		return errno ? -errno : -EIO;
	}
	while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
		(*buf)[--n] = '\0';
	/* an embedded NUL would silently cut the line short */
	if (strlen(*buf) != (size_t)n)
		return -EINVAL;
	return 1;
}

static int parse_hex(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int d;

	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (p == *pp)
		return -EINVAL;
	*pp = p;
	*out = v;
	return 0;
}

static int parse_dec(const char *s, uint64_t *out)
{
	uint64_t v = 0, d;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static void resources__free(struct physmap_resource *res, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(res[i].name);
	free(res);
}

/* "  000f0000-000fffff : System ROM": the name is returned as a pointer into @line */
static int iomem__parse_line(const char *line, struct physmap_resource *r, const char **name)
{
	const char *p = line;
	size_t spaces = strspn(p, " ");

	if (spaces % 2)
		return -EINVAL;
	p += spaces;
	if (parse_hex(&p, &r->start) || *p++ != '-' || parse_hex(&p, &r->end))
		return -EINVAL;
	if (strncmp(p, " : ", 3) || r->start > r->end)
		return -EINVAL;
	r->depth = (unsigned int)(spaces / 2);
	*name = p + 3;
	return 0;
}

/* The resource tree invariants of kernel/resource.c, checked against the lines so far. */
static int iomem__check(const struct physmap_resource *res, size_t nr,
			const struct physmap_resource *r)
{
	const struct physmap_resource *o;
	size_t i;

	if (!nr)
		return r->depth ? -EINVAL : 0;
	if (r->depth > res[nr - 1].depth + 1)
		return -EINVAL;
	/* readers without CAP_SYS_ADMIN see every range as 0-0 */
	if (!r->start && !r->end)
		return 0;
	for (i = nr; i-- > 0;) {
		o = &res[i];
		if (o->depth > r->depth)
			continue;
		if (o->depth == r->depth)	/* previous sibling */
			return r->start > o->end ? 0 : -EINVAL;
		return r->start >= o->start && r->end <= o->end ? 0 : -EINVAL;	/* parent */
	}
	return 0;
}

int physmap__parse_iomem(struct physmap *pm, FILE *f)
{
	struct physmap_resource *res = NULL, r;
	size_t nr = 0, cap = 0, line_cap = 0;
	const char *name;
	char *line = NULL;
	int err;

	while ((err = line__read(&line, &line_cap, f)) > 0) {
		if (!*line)
			continue;
		err = iomem__parse_line(line, &r, &name);
		if (!err)
			err = iomem__check(res, nr, &r);
		if (err)
			goto cleanup;
		if (array__reserve((void **)&res, &cap, nr + 1, sizeof(*res))) {
			err = -ENOMEM;
			goto cleanup;
		}
		r.name = strdup(name);
		if (!r.name) {
			err = -ENOMEM;
			goto cleanup;
		}
		res[nr++] = r;
	}
	if (err)
		goto cleanup;
	if (!nr) {
		err = -EINVAL;
		goto cleanup;
	}
	resources__free(pm->res, pm->nr_res);
	pm->res = res;
	pm->nr_res = nr;
	res = NULL;
	nr = 0;
cleanup:
	resources__free(res, nr);
	free(line);
	return err;
}

enum {
	ZI_SPANNED	= 1 << 0,
	ZI_PRESENT	= 1 << 1,
	ZI_MANAGED	= 1 << 2,
	ZI_START_PFN	= 1 << 3,
	ZI_COUNTS	= ZI_SPANNED | ZI_PRESENT | ZI_MANAGED,
};

/* A zone block as /proc/zoneinfo gives it, before it becomes a memalloc_zone */
struct zi_block {
	int node;
	uint32_t index;		/* zone index in its node: blocks come in order */
	char name[sizeof(((struct memalloc_zone *)0)->name)];
	uint64_t start_pfn;
	uint64_t spanned;
	uint64_t present;
	uint64_t managed;
};

/* The only keys we need; the zone block holds many more (vmstat items, per-cpu pagesets). */
static const struct {
	const char *key;
	unsigned int bit;
	size_t off;
} zone_fields[] = {
	{ "spanned",	ZI_SPANNED,	offsetof(struct zi_block, spanned) },
	{ "present",	ZI_PRESENT,	offsetof(struct zi_block, present) },
	{ "managed",	ZI_MANAGED,	offsetof(struct zi_block, managed) },
	{ "start_pfn:",	ZI_START_PFN,	offsetof(struct zi_block, start_pfn) },
};

/* "Node 0, zone    DMA32" (the name is printed "%8s") */
static int zone__parse_header(const char *line, struct zi_block *z)
{
	const char *p = line;
	uint64_t node = 0;
	size_t n;

	if (strncmp(p, "Node ", 5))
		return -EINVAL;
	p += 5;
	n = strspn(p, "0123456789");
	if (!n || n > 10)
		return -EINVAL;
	for (; n; n--, p++)
		node = node * 10 + (uint64_t)(*p - '0');
	if (node > INT32_MAX || strncmp(p, ", zone ", 7))
		return -EINVAL;
	p += 7;
	p += strspn(p, " ");
	n = strlen(p);
	if (!n || n >= sizeof(z->name) || strcspn(p, " \t") != n)
		return -EINVAL;
	z->node = (int)node;
	memcpy(z->name, p, n + 1);
	return 0;
}

static int zone__parse_field(struct zi_block *z, unsigned int *seen, char *line)
{
	char *save, *key, *val;
	uint64_t v;
	size_t i;

	key = strtok_r(line, " \t", &save);
	for (i = 0; i < sizeof(zone_fields) / sizeof(zone_fields[0]); i++) {
		if (strcmp(key, zone_fields[i].key))
			continue;
		val = strtok_r(NULL, " \t", &save);
		if (!val || strtok_r(NULL, " \t", &save) || parse_dec(val, &v))
			return -EINVAL;
		if (*seen & zone_fields[i].bit)
			return -EINVAL;
		*seen |= zone_fields[i].bit;
		memcpy((char *)z + zone_fields[i].off, &v, sizeof(v));
		return 0;
	}
	return 0;
}

/* Validate a finished zone block and append it if populated. */
static int zones__push(struct memalloc_zone **zones, size_t *nr, size_t *cap,
		       const struct zi_block *z, unsigned int seen)
{

	if ((seen & ZI_COUNTS) != ZI_COUNTS || z->present > z->spanned)
		return -EINVAL;
	/* an unpopulated zone stops after "protection:", without start_pfn */
	if (!z->present)
		return 0;
	if (!(seen & ZI_START_PFN) || z->start_pfn > PFN_LIMIT ||
	    z->spanned > PFN_LIMIT - z->start_pfn)
		return -EINVAL;
	if (array__reserve((void **)zones, cap, *nr + 1, sizeof(**zones)))
		return -ENOMEM;
	(*zones)[*nr] = (struct memalloc_zone){ .node = z->node, .zone = z->index,
						.start_pfn = z->start_pfn,
						.end_pfn = z->start_pfn + z->spanned,
						.present_pages = z->present,
						.managed_pages = z->managed };
	memcpy((*zones)[(*nr)++].name, z->name, sizeof(z->name));
	return 0;
}

int physmap__parse_zoneinfo(struct physmap *pm, FILE *f)
{
	struct memalloc_zone *zones = NULL;
	struct zi_block z;
	uint32_t index = 0;
	int prev_node = -1;
	size_t nr = 0, cap = 0, line_cap = 0;
	unsigned int seen = 0;
	bool in_zone = false;
	char *line = NULL;
	int err;

	while ((err = line__read(&line, &line_cap, f)) > 0) {
		if (!*line)
			continue;
		if (*line == ' ' || *line == '\t') {
			err = in_zone ? zone__parse_field(&z, &seen, line) : -EINVAL;
			if (err)
				goto cleanup;
			continue;
		}
		if (in_zone) {
			err = zones__push(&zones, &nr, &cap, &z, seen);
			if (err)
				goto cleanup;
		}
		memset(&z, 0, sizeof(z));
		seen = 0;
		err = zone__parse_header(line, &z);
		if (err)
			goto cleanup;
		/* Every zone of a node has a block, in index order */
		index = in_zone && z.node == prev_node ? index + 1 : 0;
		z.index = index;
		prev_node = z.node;
		in_zone = true;
	}
	if (err)
		goto cleanup;
	if (!in_zone) {
		err = -EINVAL;
		goto cleanup;
	}
	err = zones__push(&zones, &nr, &cap, &z, seen);
	if (err)
		goto cleanup;
	free(pm->zones);
	pm->zones = zones;
	pm->nr_zones = nr;
	zones = NULL;
cleanup:
	free(zones);
	free(line);
	return err;
}

void physmap__free(struct physmap *pm)
{
	if (!pm)
		return;
	resources__free(pm->res, pm->nr_res);
	free(pm->zones);
	memset(pm, 0, sizeof(*pm));
}

const struct memalloc_zone *physmap__zone_of_pfn(const struct physmap *pm, uint64_t pfn)
{
	const struct memalloc_zone *z;
	size_t i;

	for (i = 0; i < pm->nr_zones; i++) {
		z = &pm->zones[i];
		if (pfn >= z->start_pfn && pfn < z->end_pfn)
			return z;
	}
	return NULL;
}

/* [*first, *end) = the whole pages inside the inclusive byte range of @r */
static void resource__pfns(const struct physmap_resource *r, uint64_t *first, uint64_t *end)
{
	*first = (r->start >> PHYSMAP_PAGE_SHIFT) + !!(r->start & (PAGE_SIZE - 1));
	*end = (r->end >> PHYSMAP_PAGE_SHIFT) + ((r->end & (PAGE_SIZE - 1)) == PAGE_SIZE - 1);
}

static bool resource__is_ram(const struct physmap_resource *r)
{
	return !r->depth && !strcmp(r->name, "System RAM");
}

uint64_t physmap__count_ram_pfns(const struct physmap *pm, uint64_t start_pfn,
				 uint64_t nr_pfns)
{
	uint64_t end_pfn, first, end, lo, hi, n = 0;
	size_t i;

	end_pfn = nr_pfns > UINT64_MAX - start_pfn ? UINT64_MAX : start_pfn + nr_pfns;
	for (i = 0; i < pm->nr_res; i++) {
		if (!resource__is_ram(&pm->res[i]))
			continue;
		resource__pfns(&pm->res[i], &first, &end);
		lo = first > start_pfn ? first : start_pfn;
		hi = end < end_pfn ? end : end_pfn;
		if (lo < hi)
			n += hi - lo;
	}
	return n;
}

bool physmap__pfn_is_ram(const struct physmap *pm, uint64_t pfn)
{
	return physmap__count_ram_pfns(pm, pfn, 1) == 1;
}

bool physmap__iomem_is_censored(const struct physmap *pm)
{
	size_t i;

	for (i = 0; i < pm->nr_res; i++)
		if (pm->res[i].start || pm->res[i].end)
			return false;
	return pm->nr_res > 0;
}

/* The line as the kernel prints it ("%*s%0*llx-%0*llx : %s", width 8 for iomem). */
static int resource__format(const struct physmap_resource *r, char *buf, size_t size)
{
	return snprintf(buf, size, "%*s%08" PRIx64 "-%08" PRIx64 " : %s", (int)r->depth * 2, "",
			r->start, r->end, r->name);
}

/* "Node 0 DMA, Node 1 DMA32": the zones whose span starts on line @line */
static int zones__format_labels(const struct physmap *pm, const size_t *first, size_t line,
				char *buf, size_t size)
{
	size_t i, len = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < pm->nr_zones; i++) {
		if (first[i] != line)
			continue;
		n = snprintf(buf + len, size - len, "%sNode %d %s", len ? ", " : "",
			     pm->zones[i].node, pm->zones[i].name);
		if (n < 0 || (size_t)n >= size - len)
			return (int)(size - 1);
		len += (size_t)n;
	}
	return (int)len;
}

static void physmap__print_iomem(const struct physmap *pm, FILE *out, size_t *first,
				 size_t *last)
{
	char text[PRINT_COLS + 1], labels[PRINT_COLS + 1];
	uint64_t zs, ze;
	int textw = 0, labelw = 0, budget, n;
	size_t i, j, ncols = 0, blank;
	const char *glyph;

	/* first[j] = last[j] = nr_res: zone j touches no line and gets no column */
	for (j = 0; j < pm->nr_zones; j++) {
		first[j] = last[j] = pm->nr_res;
		zs = pm->zones[j].start_pfn << PHYSMAP_PAGE_SHIFT;
		ze = (pm->zones[j].end_pfn << PHYSMAP_PAGE_SHIFT) - 1;
		for (i = 0; i < pm->nr_res; i++) {
			if (pm->res[i].end < zs || pm->res[i].start > ze)
				continue;
			if (first[j] == pm->nr_res)
				first[j] = i;
			last[j] = i;
		}
		ncols += first[j] != pm->nr_res;
	}
	for (i = 0; i < pm->nr_res; i++) {
		n = resource__format(&pm->res[i], NULL, 0);
		textw = n > textw ? n : textw;
		n = zones__format_labels(pm, first, i, labels, sizeof(labels));
		labelw = n > labelw ? n : labelw;
	}
	budget = PRINT_COLS - 3 - 2 * (int)ncols - labelw;
	if (ncols && textw > budget)
		textw = budget > PRINT_MIN_TEXT ? budget : PRINT_MIN_TEXT;
	if (textw > PRINT_COLS)
		textw = PRINT_COLS;

	fprintf(out, "/proc/iomem; at the right the span of each zone in /proc/zoneinfo:\n");
	for (i = 0; i < pm->nr_res; i++) {
		n = resource__format(&pm->res[i], text, sizeof(text));
		if (n > textw) {
			text[textw - 1] = '~';
			text[textw] = '\0';
		}
		n = zones__format_labels(pm, first, i, labels, sizeof(labels));
		/* columns after the last mark stay blank unless a label must line up */
		blank = 0;
		for (j = 0; j < pm->nr_zones; j++)
			if (first[j] != pm->nr_res && !(n == 0 && (i < first[j] || i > last[j])))
				blank = j + 1;
		if (!blank) {
			fprintf(out, "%s\n", text);
			continue;
		}
		fprintf(out, "%-*s ", textw, text);
		for (j = 0; j < blank; j++) {
			if (first[j] == pm->nr_res)
				continue;
			if (i < first[j] || i > last[j])
				glyph = " ";
			else if (first[j] == last[j])
				glyph = "\u2195";
			else if (i == first[j])
				glyph = "\u2191";
			else if (i == last[j])
				glyph = "\u2193";
			else
				glyph = "|";
			fprintf(out, " %s", glyph);
		}
		fprintf(out, "%s%s\n", n ? "  " : "", labels);
	}
	if (physmap__iomem_is_censored(pm))
		fprintf(out, "# all addresses read as 0: read /proc/iomem with CAP_SYS_ADMIN\n");
}

static void physmap__print_zones(const struct physmap *pm, FILE *out)
{
	const struct memalloc_zone *z;
	uint64_t end_pfn, ram;
	bool have_ram = pm->nr_res && !physmap__iomem_is_censored(pm);
	char label[32], pfns[48];
	size_t i;

	fprintf(out, "Zones (pages of %llu bytes): spanned = present + holes, "
		"managed = present - boot reservations\n", PAGE_SIZE);
	for (i = 0; i < pm->nr_zones; i++) {
		z = &pm->zones[i];
		end_pfn = z->end_pfn;
		snprintf(label, sizeof(label), "Node %d %s", z->node, z->name);
		snprintf(pfns, sizeof(pfns), "%#" PRIx64 "-%#" PRIx64, (uint64_t)z->start_pfn,
			 end_pfn - 1);
		fprintf(out, "%-16s pfn %-19s phys %08" PRIx64 "-%08" PRIx64 "\n", label, pfns,
			(uint64_t)z->start_pfn << PHYSMAP_PAGE_SHIFT,
			(end_pfn << PHYSMAP_PAGE_SHIFT) - 1);
		fprintf(out, "  spanned %" PRIu64, (uint64_t)(z->end_pfn - z->start_pfn));
		if (have_ram) {
			ram = physmap__count_ram_pfns(pm, z->start_pfn, z->end_pfn - z->start_pfn);
			fprintf(out, " = %" PRIu64 " System RAM + %" PRIu64 " hole", ram,
				(uint64_t)(z->end_pfn - z->start_pfn - ram));
		}
		fprintf(out, "\n  present %" PRIu64 ", managed %" PRIu64,
			(uint64_t)z->present_pages, (uint64_t)z->managed_pages);
		if (z->managed_pages <= z->present_pages)
			fprintf(out, " (%" PRIu64 " reserved)",
				(uint64_t)(z->present_pages - z->managed_pages));
		fprintf(out, "\n");
	}
}

void physmap__print(const struct physmap *pm, FILE *out)
{
	size_t *first = NULL, *last = NULL;

	if (pm->nr_res) {
		first = calloc(pm->nr_zones + 1, sizeof(*first));
		last = calloc(pm->nr_zones + 1, sizeof(*last));
		if (first && last)
			physmap__print_iomem(pm, out, first, last);
		else
			fprintf(out, "# out of memory drawing /proc/iomem\n");
		free(first);
		free(last);
	}
	if (pm->nr_res && pm->nr_zones)
		fprintf(out, "\n");
	if (pm->nr_zones)
		physmap__print_zones(pm, out);
}
