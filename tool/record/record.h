/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace record/report: the file 'memtrace record' writes and 'memtrace
 * report' reads, and the report made from it.  Pure C (tests/unit/
 * test_record.c); the drivers are cmd_record.c and cmd_report.c.
 *
 * The file, version 5 (4, with runs not packed, 3, with runs of struct
 * memtrace_event, 2, without unwind_slow, and 1, without runs, are read
 * too): a text header, the records, a text trailer.
 *
 *   memtrace-record 5
 *   kernel 6.12.57+deb13-cloud-amd64     uname -r of the traced kernel
 *   stacks pages | all                   whose kernel stacks were taken
 *   zone NODE INDEX NAME START END PRESENT MANAGED    /proc/zoneinfo, PFNs
 *   ram START END                        System RAM of /proc/iomem, bytes,
 *                                        END inclusive as printed there
 *   data
 *   LEN RECORD  LEN RECORD ...           __u32 LEN, then LEN bytes: a
 *                                        struct memtrace_event, _pages or
 *                                        _walk (bpf/memtrace.h), little-
 *                                        endian x86-64; LEN 0 ends them.
 *                                        LEN | RECORD_RUN: LEN bytes of
 *                                        struct memtrace_rec records,
 *                                        packed (record__pack(); v4:
 *                                        back to back), a run of the
 *                                        per-CPU rings (lib/rings.h),
 *                                        each read as the struct
 *                                        memtrace_event it stands for
 *   duration_ns N                        how long it recorded
 *   drops N   misses N   truncated N   stacks_lost N     one per line: the
 *                                        tracer's losses (0: none)
 *   unwind_slow N                        page callers left to the kernel's
 *                                        stack by memtrace's unwinder
 *   stack ID IP IP ...                   each stack an event names (hex)
 *   sym ADDR NAME [MODULE]               the kallsyms symbol of each call
 *                                        site and stack frame seen
 *   end
 *
 * A report reads nothing but the file: the symbols come with it.
 */
#ifndef __MEMTRACE_RECORD_H
#define __MEMTRACE_RECORD_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "bpf/memtrace.h"
#include "lib/ksyms.h"
#include "top/top.h"

#define RECORD_MAGIC	"memtrace-record 5"	/* 5: runs packed */
#define RECORD_MAGIC_V4	"memtrace-record 4"	/* still read: runs of struct memtrace_rec */
#define RECORD_MAGIC_V3	"memtrace-record 3"	/* still read: unwind_slow */
#define RECORD_MAGIC_V2	"memtrace-record 2"	/* still read: runs (RECORD_RUN) */
#define RECORD_MAGIC_V1	"memtrace-record 1"	/* still read */
#define RECORD_MAX_RAM	64
#define RECORD_MAX_LEN	(1U << 20)	/* no record (or run) is longer */
#define RECORD_RUN	(1U << 31)	/* LEN flag: a run (struct memtrace_rec; v2, v3: _event) */
#define RECORD_LINE_MAX	1024		/* no header or trailer line is longer */

struct record_range {
	__u64 start;
	__u64 end;	/* inclusive */
};

struct record_stack {
	__u32 id;
	int nr;
	__u64 ips[MEMTRACE_AGG_STACK_DEPTH];
};

/**
 * struct record_header - what the file says besides its records
 * @kernel:	the traced kernel's release
 * @all_stacks:	every allocation's stack was taken (else page allocations')
 * @zones, @nr_zones: the zones (node, index, name, PFN span)
 * @ram, @nr_ram: System RAM ranges
 * @st:		the tracer's losses (drops, recursion_misses, truncated, stack_lost)
 * @duration_ns: how long it recorded
 * @stacks, @nr_stacks: the stacks
 * @syms:	the symbols, as kallsyms lines ("ADDR t NAME [MOD]\n")
 */
struct record_header {
	char kernel[128];
	bool all_stacks;
	struct memalloc_zone zones[MEMTRACE_AGG_ZONES];
	int nr_zones;
	struct record_range ram[RECORD_MAX_RAM];
	int nr_ram;
	struct memtrace_counters st;
	__u64 duration_ns;
	struct record_stack *stacks;
	size_t nr_stacks;
	size_t cap_stacks;
	char *syms;
	size_t syms_len;
};

/* Write the header up to and including "data" */
int record__write_header(FILE *f, const struct record_header *h);
/* One record: its length, then its bytes */
int record__write(FILE *f, const void *data, __u32 len);
/* The end of the records and the trailer (losses, stacks, symbols, "end") */
int record__write_trailer(FILE *f, const struct record_header *h);

/* The struct memtrace_event a struct memtrace_rec stands for */
void record__expand(const struct memtrace_rec *r, struct memtrace_event *e);

/*
 * A run's records, packed (version 5): each record as its type, then a
 * byte whose bit i says that its 8-byte word i differs from the same word
 * of the last record of that type before it in the file (all zero before
 * the first), then those words in order.  A busy caller's records differ
 * in little but their time stamp: 10 to 30 bytes, not 64 (under TCG the
 * page cache costs the reader more per byte written than packing does).
 */
#define RECORD_PACKED_MAX	(2 + sizeof(struct memtrace_rec))	/* a record at most */

struct record_pack {
	__u64 last[256][sizeof(struct memtrace_rec) / sizeof(__u64)];	/* by type */
};

/* Pack @n records into @out (room for n * RECORD_PACKED_MAX); the bytes written */
size_t record__pack(struct record_pack *p, const struct memtrace_rec *recs, size_t n, void *out);
/* A run's frame holds at most this many records */
#define RECORD_RUN_RECS		((RECORD_MAX_LEN - 4) / RECORD_PACKED_MAX)
/*
 * A run of @n records (at most RECORD_RUN_RECS) as one frame into @out
 * (room for 4 + n * RECORD_PACKED_MAX): LEN | RECORD_RUN, then the records
 * packed.  The bytes written.
 */
size_t record__pack_run(struct record_pack *p, const struct memtrace_rec *recs, size_t n,
			void *out);
/* A run of @n records (any number) into @f, as frames of record__pack_run() */
int record__write_run(FILE *f, struct record_pack *p, const struct memtrace_rec *recs, size_t n);
/*
 * One record from the @len bytes at @in into @r; the bytes it took, or 0 if
 * they hold no whole record (or its type byte and its type disagree)
 */
size_t record__unpack(struct record_pack *p, const void *in, size_t len, struct memtrace_rec *r);

/* Called with each record; a negative return stops record__read() with it */
typedef int (*record_fn)(void *ctx, const void *data, __u32 len);

/*
 * Read a whole file: the header into @h, each record to @fn, the trailer
 * into @h.  0, or -EINVAL with one line on stderr saying where the file is
 * not a record (a bad magic, a header line, a truncated record, no "end").
 */
int record__read(FILE *f, struct record_header *h, record_fn fn, void *ctx);

void record__header_free(struct record_header *h);

/* Per-row extras of a report: contiguity and where the pages landed */
#define REPORT_BINS	256

struct report_extra {
	__u64 multi;		/* allocations of more than one page */
	__u64 multi_pages;	/* their pages */
	__u64 multi_runs;	/* their physically contiguous runs */
	__u32 bins[REPORT_BINS];	/* pages per slice of the physical address axis */
};

struct report_live;

/**
 * struct report - the rows of a recording, as top's model (one interval:
 * the whole recording), with per-row extras
 * @top:	rows; zones from the header
 * @extra:	per row of @top (same index)
 * @max_pfn:	the physical axis's end (the last zone's end)
 * @records, @events: records read, allocation events counted
 */
struct report {
	struct top top;
	struct report_extra *extra;
	size_t nr_extra;
	size_t cap_extra;
	__u64 max_pfn;
	__u64 records;
	__u64 events;
	struct report_live *live;
	const struct ksyms *ks;
	bool all_stacks;
	const struct record_header *h;
	/* the PFNs of the vmalloc area whose pages records are arriving */
	__u64 *pfns;
	size_t nr_pfns;
	size_t cap_pfns;
	__u64 pfns_addr;
	__u32 last_cpu;
	__u64 last_ptr;
	/*
	 * Page allocations whose caller memtrace's unwinder found and whose
	 * kernel stack was recorded too (--stacks): checked, and how many of
	 * them the stack names another caller for; undecided: the stack
	 * names none (cut short, or every frame inside the allocator)
	 */
	__u64 callers_checked;
	__u64 callers_differ;
	__u64 callers_undecided;
};

/* Start a report of the recording with header @h (zones), naming with @ks */
int report__init(struct report *r, const struct record_header *h, const struct ksyms *ks);
/* One record into the report; a record_fn */
int report__add(void *ctx, const void *data, __u32 len);
/* After the last record: deltas as one interval */
void report__finish(struct report *r);
void report__free(struct report *r);

/* The rows as a table (top's) with contiguity, or one JSON document */
void report__print(FILE *out, struct report *r, enum top_sort key, size_t max_rows);
int report__json(FILE *out, struct report *r, enum top_sort key, bool pretty);

#endif /* __MEMTRACE_RECORD_H */
