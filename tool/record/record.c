// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace record: the file format (record.h), written and read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/warn.h"
#include "record/record.h"

int record__write_header(FILE *f, const struct record_header *h)
{
	int i;

	fprintf(f, "%s\nkernel %s\nstacks %s\n", RECORD_MAGIC, h->kernel,
		h->all_stacks ? "all" : "pages");
	for (i = 0; i < h->nr_zones; i++) {
		const struct memalloc_zone *z = &h->zones[i];

		fprintf(f, "zone %u %u %s %llu %llu %llu %llu\n", z->node, z->zone, z->name,
			(unsigned long long)z->start_pfn, (unsigned long long)z->end_pfn,
			(unsigned long long)z->present_pages, (unsigned long long)z->managed_pages);
	}
	for (i = 0; i < h->nr_ram; i++)
		fprintf(f, "ram %llx %llx\n", (unsigned long long)h->ram[i].start,
			(unsigned long long)h->ram[i].end);
	fprintf(f, "data\n");
	return ferror(f) ? -EIO : 0;
}

int record__write(FILE *f, const void *data, __u32 len)
{
	if (fwrite(&len, sizeof(len), 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1))
		return -EIO;
	return 0;
}

int record__write_trailer(FILE *f, const struct record_header *h)
{
	const char *p;
	size_t i, n;
	int k;

	record__write(f, NULL, 0);
	fprintf(f, "duration_ns %llu\ndrops %llu\nmisses %llu\ntruncated %llu\n"
		"stacks_lost %llu\nunwind_slow %llu\n", (unsigned long long)h->duration_ns,
		(unsigned long long)h->st.drops, (unsigned long long)h->st.recursion_misses,
		(unsigned long long)h->st.truncated, (unsigned long long)h->st.stack_lost,
		(unsigned long long)h->st.unwind_slow);
	for (i = 0; i < h->nr_stacks; i++) {
		fprintf(f, "stack %u", h->stacks[i].id);
		for (k = 0; k < h->stacks[i].nr; k++)
			fprintf(f, " %llx", (unsigned long long)h->stacks[i].ips[k]);
		fputc('\n', f);
	}
	for (p = h->syms; p && p < h->syms + h->syms_len; p += n + 1) {
		const char *nl = memchr(p, '\n', h->syms + h->syms_len - p);

		n = nl ? (size_t)(nl - p) : (size_t)(h->syms + h->syms_len - p);
		if (n)
			fprintf(f, "sym %.*s\n", (int)n, p);
	}
	fprintf(f, "end\n");
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

static int header__line(struct record_header *h, const char *line)
{
	struct memalloc_zone z = {};
	unsigned long long a, b, c, d;
	char name[16];

	if (!strncmp(line, "kernel ", 7)) {
		snprintf(h->kernel, sizeof(h->kernel), "%.*s", (int)strcspn(line + 7, "\n"),
			 line + 7);
		return 0;
	}
	if (!strcmp(line, "stacks all\n") || !strcmp(line, "stacks pages\n")) {
		h->all_stacks = !strcmp(line, "stacks all\n");
		return 0;
	}
	if (sscanf(line, "zone %u %u %15s %llu %llu %llu %llu", &z.node, &z.zone, name, &a, &b,
		   &c, &d) == 7) {
		if (h->nr_zones == MEMTRACE_AGG_ZONES)
			return 0;
		snprintf(z.name, sizeof(z.name), "%s", name);
		z.start_pfn = a;
		z.end_pfn = b;
		z.present_pages = c;
		z.managed_pages = d;
		h->zones[h->nr_zones++] = z;
		return 0;
	}
	if (sscanf(line, "ram %llx %llx", &a, &b) == 2) {
		if (h->nr_ram < RECORD_MAX_RAM)
			h->ram[h->nr_ram++] = (struct record_range){ a, b };
		return 0;
	}
	return -EINVAL;
}

static int trailer__stack(struct record_header *h, const char *line)
{
	struct record_stack *s;
	const char *p = line + 6;
	char *end;

	if (array__reserve((void **)&h->stacks, &h->cap_stacks, h->nr_stacks + 1, sizeof(*s)))
		return -ENOMEM;
	s = &h->stacks[h->nr_stacks];
	memset(s, 0, sizeof(*s));
	s->id = (__u32)strtoul(p, &end, 10);
	if (end == p)
		return -EINVAL;
	for (p = end; s->nr < MEMTRACE_AGG_STACK_DEPTH; p = end) {
		unsigned long long ip = strtoull(p, &end, 16);

		if (end == p)
			break;
		s->ips[s->nr++] = ip;
	}
	h->nr_stacks++;
	return 0;
}

static int trailer__sym(struct record_header *h, const char *line)
{
	size_t n = strlen(line + 4);
	char *p = realloc(h->syms, h->syms_len + n + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p + h->syms_len, line + 4, n + 1);
	h->syms = p;
	h->syms_len += n;
	return 0;
}

/* 1 at "end", 0 for another line, -errno */
static int trailer__line(struct record_header *h, const char *line)
{
	unsigned long long v;

	if (!strcmp(line, "end\n"))
		return 1;
	if (sscanf(line, "duration_ns %llu", &v) == 1)
		h->duration_ns = v;
	else if (sscanf(line, "drops %llu", &v) == 1)
		h->st.drops = v;
	else if (sscanf(line, "misses %llu", &v) == 1)
		h->st.recursion_misses = v;
	else if (sscanf(line, "truncated %llu", &v) == 1)
		h->st.truncated = v;
	else if (sscanf(line, "stacks_lost %llu", &v) == 1)
		h->st.stack_lost = v;
	else if (sscanf(line, "unwind_slow %llu", &v) == 1)
		h->st.unwind_slow = v;
	else if (!strncmp(line, "stack ", 6))
		return trailer__stack(h, line);
	else if (!strncmp(line, "sym ", 4))
		return trailer__sym(h, line);
	else
		return -EINVAL;
	return 0;
}

void record__expand(const struct memtrace_rec *r, struct memtrace_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = r->ts_ns;
	e->type = r->type;
	e->tgid = r->tgid;
	e->cpu = r->cpu;
	e->node = r->node == MEMTRACE_REC_NO_NODE ? MEMTRACE_NO_NODE : r->node;
	e->call_site = r->call_site;
	e->addr = r->addr;
	e->bytes_req = r->bytes_req;
	e->bytes_alloc = r->bytes_alloc;
	e->gfp = r->gfp;
	e->pfn = r->pfn;
	e->order = r->order;
	e->flags = r->flags;
	e->stack_id = r->stack_id;
	/* a bytes_alloc over 32 bits: in pfn (memtrace.h) */
	if (r->bytes_alloc == 0xffffffffU && !(r->flags & MEMTRACE_F_PFN)) {
		e->bytes_alloc = r->pfn;
		e->pfn = 0;
	}
}

/* The words of a struct memtrace_rec, read without breaking aliasing rules */
typedef __u64 __attribute__((__may_alias__)) rec_word_t;

#define REC_WORDS	(sizeof(struct memtrace_rec) / sizeof(__u64))

/*
 * Each word against the last record of its type, unrolled: an unchanged
 * word is a load, a compare and a branch (the reader's largest cost per
 * record when it was a loop: about 80 instructions a record, 45 now), the
 * mask in a register until the record is done.
 */
size_t record__pack(struct record_pack *p, const struct memtrace_rec *recs, size_t n, void *out)
{
	unsigned char *o = out, *head, mask;
	const rec_word_t *v;
	__u64 *last;
	size_t i;

	for (i = 0; i < n; i++) {
		v = (const rec_word_t *)&recs[i];
		last = p->last[recs[i].type];
		head = o;
		o += 2;
		mask = 0;
#define PACK_WORD(w) do {						\
			if (v[w] != last[w]) {				\
				last[w] = v[w];				\
				memcpy(o, &last[w], sizeof(__u64));	\
				o += sizeof(__u64);			\
				mask |= 1U << (w);			\
			}						\
		} while (0)
		_Static_assert(REC_WORDS == 8, "record__pack: a PACK_WORD a word");
		PACK_WORD(0);
		PACK_WORD(1);
		PACK_WORD(2);
		PACK_WORD(3);
		PACK_WORD(4);
		PACK_WORD(5);
		PACK_WORD(6);
		PACK_WORD(7);
#undef PACK_WORD
		head[0] = recs[i].type;
		head[1] = mask;
	}
	return (size_t)(o - (unsigned char *)out);
}

size_t record__pack_run(struct record_pack *p, const struct memtrace_rec *recs, size_t n,
			void *out)
{
	__u32 len = (__u32)record__pack(p, recs, n, (char *)out + sizeof(len));

	memcpy(out, &(__u32){ len | RECORD_RUN }, sizeof(len));
	return sizeof(len) + len;
}

/* record__write_run()'s frames: at most this many records (17 KB) */
#define RECORD_WRITE_RECS	256

int record__write_run(FILE *f, struct record_pack *p, const struct memtrace_rec *recs, size_t n)
{
	char buf[sizeof(__u32) + RECORD_WRITE_RECS * RECORD_PACKED_MAX];
	size_t k;

	for (; n; n -= k, recs += k) {
		k = n < RECORD_WRITE_RECS ? n : RECORD_WRITE_RECS;
		if (fwrite(buf, record__pack_run(p, recs, k, buf), 1, f) != 1)
			return -EIO;
	}
	return 0;
}

size_t record__unpack(struct record_pack *p, const void *in, size_t len, struct memtrace_rec *r)
{
	const unsigned char *s = in;
	size_t need, w;
	unsigned int mask;
	__u64 *last;

	if (len < 2)
		return 0;
	mask = s[1];
	need = 2 + sizeof(__u64) * (size_t)__builtin_popcount(mask);
	if (len < need)
		return 0;
	last = p->last[s[0]];
	for (w = 0, s += 2; w < REC_WORDS; w++) {
		if (!(mask & (1U << w)))
			continue;
		memcpy(&last[w], s, sizeof(__u64));
		s += sizeof(__u64);
	}
	memcpy(r, last, sizeof(*r));
	return r->type == ((const unsigned char *)in)[0] ? need : 0;
}

/* A packed run's records, each unpacked in turn to @fn as a struct memtrace_event */
static int record__read_packed(struct record_pack *pack, const char *buf, __u32 len,
			       record_fn fn, void *ctx, __u64 *n)
{
	struct memtrace_event ev;
	struct memtrace_rec rec;
	size_t off, took;
	int err;

	for (off = 0; off < len; off += took) {
		took = record__unpack(pack, buf + off, len - off, &rec);
		if (!took) {
			warn("record %llu: a run of partial or damaged records\n",
			     (unsigned long long)*n);
			return -EINVAL;
		}
		(*n)++;
		if (!fn)
			continue;
		record__expand(&rec, &ev);
		err = fn(ctx, &ev, sizeof(ev));
		if (err < 0)
			return err;
	}
	return 0;
}

/*
 * @rec_size: a run's records (struct memtrace_rec, or _event before v4);
 * @packed: runs are packed (v5)
 */
static int record__read_data(FILE *f, record_fn fn, void *ctx, __u64 *n, __u32 rec_size,
			     bool packed)
{
	struct record_pack *pack = packed ? calloc(1, sizeof(*pack)) : NULL;
	void *buf = malloc(RECORD_MAX_LEN);
	struct memtrace_event ev;
	__u32 len, run, step, off;
	int err = 0;

	if (!buf || (packed && !pack)) {
		free(buf);
		free(pack);
		return -ENOMEM;
	}
	for (;;) {
		if (fread(&len, sizeof(len), 1, f) != 1) {
			warn("record %llu: the file ends inside the records\n",
			     (unsigned long long)*n);
			err = -EINVAL;
			break;
		}
		if (!len)
			break;
		run = len & RECORD_RUN;
		len &= ~RECORD_RUN;
		if (len > RECORD_MAX_LEN || (run && !packed && len % rec_size) ||
		    fread(buf, len, 1, f) != 1) {
			warn("record %llu: %s\n", (unsigned long long)*n,
			     len > RECORD_MAX_LEN ? "longer than any record" :
			     run && !packed && len % rec_size ? "a run of partial records" :
			     "truncated");
			err = -EINVAL;
			break;
		}
		if (run && packed) {
			err = record__read_packed(pack, buf, len, fn, ctx, n);
			if (err < 0)
				break;
			continue;
		}
		/* a run: each record in turn, as a struct memtrace_event */
		step = run ? rec_size : len;
		for (off = 0; off < len && err >= 0; off += step) {
			(*n)++;
			if (!fn)
				continue;
			if (run && rec_size == sizeof(struct memtrace_rec)) {
				record__expand((const struct memtrace_rec *)((char *)buf + off), &ev);
				err = fn(ctx, &ev, sizeof(ev));
			} else {
				err = fn(ctx, (char *)buf + off, step);
			}
		}
		if (err < 0)
			break;
		err = 0;
	}
	free(buf);
	free(pack);
	return err;
}

int record__read(FILE *f, struct record_header *h, record_fn fn, void *ctx)
{
	char line[RECORD_LINE_MAX];
	__u32 rec_size;
	bool packed;
	__u64 n = 0;
	int err;

	memset(h, 0, sizeof(*h));
	if (!fgets(line, sizeof(line), f) ||
	    (strcmp(line, RECORD_MAGIC "\n") && strcmp(line, RECORD_MAGIC_V4 "\n") &&
	     strcmp(line, RECORD_MAGIC_V3 "\n") && strcmp(line, RECORD_MAGIC_V2 "\n") &&
	     strcmp(line, RECORD_MAGIC_V1 "\n"))) {
		warn("not a memtrace record file (no \"%s\" line first)\n", RECORD_MAGIC);
		return -EINVAL;
	}
	/* runs: packed from version 5, of struct memtrace_rec from 4, of _event before */
	packed = !strcmp(line, RECORD_MAGIC "\n");
	rec_size = packed || !strcmp(line, RECORD_MAGIC_V4 "\n") ? sizeof(struct memtrace_rec) :
								   sizeof(struct memtrace_event);
	while (fgets(line, sizeof(line), f) && strcmp(line, "data\n")) {
		if (header__line(h, line)) {
			warn("header: unknown line '%.*s'\n", (int)strcspn(line, "\n"), line);
			return -EINVAL;
		}
	}
	if (strcmp(line, "data\n")) {
		warn("header: no \"data\" line\n");
		return -EINVAL;
	}
	err = record__read_data(f, fn, ctx, &n, rec_size, packed);
	if (err)
		return err;
	while (fgets(line, sizeof(line), f)) {
		err = trailer__line(h, line);
		if (err == 1)
			return 0;
		if (err) {
			warn("trailer: %s '%.*s'\n", err == -ENOMEM ? "no memory for" : "unknown line",
			     (int)strcspn(line, "\n"), line);
			return err;
		}
	}
	warn("the file ends before its \"end\" line (the recording was cut short)\n");
	return -EINVAL;
}

void record__header_free(struct record_header *h)
{
	free(h->stacks);
	free(h->syms);
	h->stacks = NULL;
	h->syms = NULL;
	h->nr_stacks = h->cap_stacks = h->syms_len = 0;
}
