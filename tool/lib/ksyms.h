/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: kernel symbols from a /proc/kallsyms listing, to name callers
 * ("kmalloc_trace+0x2a", "memalloc_alloc+0x5a [memalloc]").  Pure C: the
 * caller opens the file, tests feed canned text.
 */
#ifndef __MEMTRACE_KSYMS_H
#define __MEMTRACE_KSYMS_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

/**
 * struct ksym - one text symbol
 * @addr:	its address
 * @name:	its name
 * @module:	the module it belongs to, or NULL (the kernel image)
 */
struct ksym {
	__u64 addr;
	const char *name;
	const char *module;
};

struct ksyms;

/*
 * Read a kallsyms listing ("ADDR TYPE NAME [MODULE]" per line); keeps the
 * text symbols (t, T, w, W) with a non-zero address, sorted.  NULL with
 * errno set on a read error, no memory, or no usable symbol (EPERM: every
 * address is 0, as for a reader without CAP_SYSLOG).
 */
struct ksyms *ksyms__read(FILE *f);

/*
 * No function is this long: an address further past the last symbol below
 * it lies in text kallsyms does not name (BPF programs, trampolines).
 */
#define KSYMS_MAX_OFFSET	(1ULL << 20)

/* The symbol holding @addr (the last at or below it, within KSYMS_MAX_OFFSET), or NULL */
const struct ksym *ksyms__find(const struct ksyms *ks, __u64 addr);

/* The number of symbols kept */
size_t ksyms__count(const struct ksyms *ks);

/* The symbol of index @i, by address (i < ksyms__count()) */
const struct ksym *ksyms__at(const struct ksyms *ks, size_t i);

/* "name+0xoff [module]", or "0x<addr>" when unknown, into @buf */
const char *ksyms__format(const struct ksyms *ks, __u64 addr, char *buf, size_t len);

void ksyms__free(struct ksyms *ks);

#endif /* __MEMTRACE_KSYMS_H */
