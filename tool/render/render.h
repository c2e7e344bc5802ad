/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace-render: the report folder made on the host from a study's JSON:
 * CSV tables, SVG plots and report.md.  Host-only (json-c), unit-tested; not
 * linked into the guest's memtrace.
 */
#ifndef __MEMTRACE_STUDY_RENDER_H
#define __MEMTRACE_STUDY_RENDER_H

#include <stdio.h>

#include "study/study.h"

/*
 * Read a document of study__write_json() into @s (CRs and noise before it
 * tolerated; free with study__free()); 0, -EINVAL, -EPROTO (another schema)
 * or -ENOMEM.
 */
int study__read_json(struct study *s, const char *text, size_t len);

/* Latency (module and BPF medians) vs size, one line per allocator; @free: of the frees */
int study__plot_latency(const struct study *s, bool free, FILE *f);

/* Physically contiguous runs per allocation vs size */
int study__plot_contiguity(const struct study *s, FILE *f);

/* ns per cache-line write, sequential and random, vs size */
int study__plot_access(const struct study *s, FILE *f);

/* The physical memory map: iomem ranges, each node's zones, where the pages landed */
int study__plot_physmap(const struct study *s, FILE *f);

/* report.md: conditions, tables, plots, what the two clocks mean */
void study__write_report(const struct study *s, FILE *f);

/*
 * Write study.csv, limits.csv, placement.csv, the SVG plots and report.md
 * into @outdir (created if missing); names what it wrote on @log.
 * Return 0 or -errno.
 */
int study__render(const struct study *s, const char *outdir, FILE *log);

#endif /* __MEMTRACE_STUDY_RENDER_H */
