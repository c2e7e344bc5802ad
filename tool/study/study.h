/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace study: the results of an allocation study and their forms: the
 * JSON document ("memtrace-study/1") written in the guest and read back on
 * the host, the CSV tables and the terminal table.  Pure C (no libbpf, no
 * device), unit-tested; cmd_study.c fills it, tool/render/ draws it.
 */
#ifndef __MEMTRACE_STUDY_H
#define __MEMTRACE_STUDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/hooks.h"
#include "lib/stats.h"
#include "memalloc.h"

/*
 * The JSON document's schema.  Members added since (a cell's "area", the
 * layout's addresses, the conditions' "hooks") are optional: a document
 * without them reads as "not recorded", and readers of before skip them,
 * so the name stays.
 */
#define STUDY_SCHEMA		"memtrace-study/1"
#define STUDY_MAX_NODES		8
#define STUDY_MAX_ZONES		64
#define STUDY_MAX_RUNS		32	/* PFN runs kept per allocation for the map */

/**
 * struct study_cell - one allocator and size
 * @kind, @size:	MEMALLOC_KIND_*, bytes requested
 * @err:		0, or -errno why the cell has no results (-E2BIG: above a
 *			limit, -ENOMEM: the allocator failed)
 * @size_alloc:		bytes the allocator reserved (ALLOC)
 * @iterations, @failures: of the module's BENCH
 * @mod_alloc, @mod_free: the module's timing, BPF detached
 * @modbpf_alloc, @modbpf_free: the module's timing of the BPF pass
 * @bpf_alloc, @bpf_free: fentry-to-fexit of the same calls (n = 0: not measured)
 * @bpf_alloc_fn, @bpf_free_fn: the functions BPF timed
 * @touch_lines, @touch_pages, @seq_line_ns ... @rand_page_ns: BENCH's access passes
 * @pages:		pages WALK found
 * @nr_runs:		physically contiguous runs among them (pfn_runs())
 * @levels:		pages per mapping level (index MEMALLOC_LEVEL_*)
 * @nodes:		pages per NUMA node (from the zones' spans)
 * @runs, @nr_runs_kept: the first runs, for the physical map
 * @area:		STUDY_AREA_*: where the address WALK walked lies (UNKNOWN in
 *			documents from before it was recorded)
 */
struct study_cell {
	uint32_t kind;
	uint64_t size;
	int err;
	uint64_t size_alloc;
	uint32_t iterations;
	uint32_t failures;
	struct stats mod_alloc, mod_free;
	struct stats modbpf_alloc, modbpf_free;
	struct stats bpf_alloc, bpf_free;
	char bpf_alloc_fn[48];
	char bpf_free_fn[48];
	uint64_t touch_lines, touch_pages;
	uint64_t seq_line_ns, rand_line_ns, seq_page_ns, rand_page_ns;
	uint32_t pages;
	uint32_t nr_runs;
	uint32_t levels[MEMALLOC_NR_LEVELS];
	uint32_t nodes[STUDY_MAX_NODES];
	struct pfn_run runs[STUDY_MAX_RUNS];
	uint32_t nr_runs_kept;
	uint32_t area;
};

/* Where a cell's buffer lies in the kernel's address space (study_cell.area) */
#define STUDY_AREA_UNKNOWN	0	/* not recorded (older documents) */
#define STUDY_AREA_DIRECT_MAP	1
#define STUDY_AREA_VMALLOC	2
#define STUDY_AREA_OTHER	3
#define STUDY_NR_AREAS		4

/**
 * struct study_limit - the largest allocation of a kind that succeeded
 * @kind:	MEMALLOC_KIND_KMALLOC or MEMALLOC_KIND_ALLOC_PAGES
 * @largest:	bytes of the largest success (alloc_pages: PAGE_SIZE << order)
 * @first_fail:	bytes of the smallest failure above it
 * @fail_err:	its -errno (-ENOMEM from the allocator, -E2BIG from a limit)
 * @kernel_max:	what the kernel says (INFO: KMALLOC_MAX_SIZE, PAGE_SIZE << max_order)
 * @probes:	allocations tried
 */
struct study_limit {
	uint32_t kind;
	uint64_t largest;
	uint64_t first_fail;
	int fail_err;
	uint64_t kernel_max;
	uint32_t probes;
};

/* Where one allocation landed: @node_req -1 is the default policy */
struct study_place {
	uint32_t kind;
	uint64_t size;
	int node_req;
	int err;
	uint32_t pages;
	uint32_t nodes[STUDY_MAX_NODES];
};


/* A top-level /proc/iomem range */
struct study_iomem {
	uint64_t start, end;	/* end inclusive */
	char name[48];
};

/**
 * struct study - a whole study
 * Conditions: @kernel (uname -r and -v), @machine, @cpu (model name),
 * @nr_cpus, @mem_bytes (MemTotal), @hypervisor (cpuinfo flag), @accel (how
 * the CPU ran: "tcg", "kvm", "vm" another hypervisor, "none" bare metal; ""
 * not recorded, a study from before, all of them under TCG), @hypervisor_id
 * (CPUID 0x40000000's signature), @host_cpu (the host's model name, from
 * the launcher; the CPU itself on bare metal), @quick,
 * @interrupted (SIGINT: partial), @duration_s, @bpf (second clock used),
 * @bpf_note (hooks that are off and why), @hooks (the tracer's on this kernel,
 * lib/hooks.h; all HOOK_NOT_RECORDED: not recorded, @hooks_note says why).
 * The kernel's layout: @page_size,
 * @kmalloc_max_size, @max_order, @limit_bytes (module), @nr_nodes, @zones,
 * @page_offset, @vmalloc_start, @vmalloc_end (inclusive; 0: not recorded).
 */
struct study {
	char kernel[160];
	char machine[32];
	char cpu[96];
	uint32_t nr_cpus;
	uint64_t mem_bytes;
	bool hypervisor;
	char accel[8];
	char hypervisor_id[16];
	char host_cpu[96];
	bool quick;
	bool interrupted;
	double duration_s;
	bool bpf;
	char bpf_note[512];
	struct hook hooks[NR_HOOKS];
	char hooks_note[160];
	uint32_t page_size;
	uint64_t kmalloc_max_size;
	uint32_t max_order;
	uint64_t limit_bytes;
	uint32_t nr_nodes;
	uint64_t page_offset, vmalloc_start, vmalloc_end;
	struct memalloc_zone zones[STUDY_MAX_ZONES];
	uint32_t nr_zones;
	struct study_iomem *iomem;
	size_t nr_iomem, cap_iomem;
	struct study_cell *cells;
	size_t nr_cells, cap_cells;
	struct study_limit limits[4];
	size_t nr_limits;
	struct study_place *places;
	size_t nr_places, cap_places;
};

/* Append a zeroed cell / place / iomem range; NULL on -ENOMEM */
struct study_cell *study__add_cell(struct study *s);
struct study_place *study__add_place(struct study *s);
struct study_iomem *study__add_iomem(struct study *s);

/* The node whose zones span @pfn, or -1 */
int study__node_of_pfn(const struct study *s, uint64_t pfn);

/*
 * Fill @c's walk results from @n frames @pfns and mapping @levels (MEMALLOC_LEVEL_*)
 * in virtual order: pages, runs, levels, nodes, the first runs.
 */
void study__cell_walk(const struct study *s, struct study_cell *c, const uint64_t *pfns,
		      const uint32_t *levels, size_t n);

/* Free what study__add_*() (and study__read_json()) allocated; @s is left zeroed */
void study__free(struct study *s);

/* The JSON document, one line (pretty: indented) */
int study__write_json(const struct study *s, FILE *f, bool pretty);


/* CSV: one row per cell; per limit; per placement (with a header line each) */
void study__write_csv(const struct study *s, FILE *f);
void study__write_limits_csv(const struct study *s, FILE *f);
void study__write_places_csv(const struct study *s, FILE *f);

/* The smallest failing size of @l: "8M", or "+1 B" where rounding would hide it */
const char *study__fail_size(const struct study_limit *l, char *buf, size_t len);

/* The terminal table and summary (under 100 columns) */
void study__print_table(const struct study *s, FILE *f);

/* The STUDY_AREA_* of kernel address @addr from @s's layout (UNKNOWN without one) */
uint32_t study__area_of(const struct study *s, uint64_t addr);

/* "direct map", "vmalloc", "other", or "" (UNKNOWN) */
const char *study__area_name(uint32_t area);

/* The STUDY_AREA_* named @name (study__area_name()); UNKNOWN for any other */
uint32_t study__area_from_name(const char *name);

/* Mapping levels of a cell as "4K", "2M", "4K+2M", "-" */
const char *study__levels_str(const struct study_cell *c, char *buf, size_t len);

/*
 * How the CPU ran: @launcher (the launcher's word, MEMTRACE_ACCEL, or NULL),
 * else CPUID's hypervisor signature @sig ("TCGTCGTCGTCG", "KVMKVMKVM"), else
 * "none" without the @hypervisor flag.  Returns "tcg", "kvm", "vm" or "none".
 */
const char *study__accel_of(const char *launcher, bool hypervisor, const char *sig);

/* Whether @s's timings come from an emulated CPU (TCG, or not recorded) */
bool study__emulated(const struct study *s);

/* "QEMU TCG: every instruction emulated" and the like, for the conditions */
const char *study__accel_text(const struct study *s);

#endif /* __MEMTRACE_STUDY_H */
