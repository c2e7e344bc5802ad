// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: the page-caller unwinder's table, from the kernel's ORC data
 * (see orc.h).  Pure C.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "orc.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ORC types (orc_types.h): a call frame, by layout */
#define ORC_TYPE2_CALL	0
#define ORC_TYPE3_CALL	2

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

bool orc__page_allocator(const char *name)
{
	static const char *const prefixes[] = {
		"__alloc_pages", "alloc_pages", "__alloc_frozen_pages", "alloc_frozen_pages",
		"get_page_from_freelist", "__folio_alloc", "folio_alloc", "__get_free_pages",
		"get_zeroed_page", "get_free_pages", "vma_alloc_folio", "rmqueue", "__rmqueue",
		"prep_new_page", "post_alloc_hook", "alloc_slab_page",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(prefixes); i++) {
		if (has_prefix(name, prefixes[i]))
			return true;
	}
	return false;
}

__u32 orc__kind(const char *name)
{
	/* the first letters of every name below: most symbols stop here */
	if (!strchr("_abfgkprv", name[0]) || !name[0])
		return MEMTRACE_UNWIND_OUT;
	/*
	 * Return trampolines (kretprobe/rethook, the function graph tracer):
	 * a return address there stands for another, which only the kernel's
	 * unwinder recovers
	 */
	static const char *const trampolines[] = {
		"arch_rethook_trampoline", "__kretprobe_trampoline", "kretprobe_trampoline",
		"return_to_handler",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(trampolines); i++) {
		if (!strcmp(name, trampolines[i]))
			return MEMTRACE_UNWIND_SLOW;
	}
	/* only mm_page_alloc's glue: a smaller table, a shorter search */
	if (has_prefix(name, "bpf_trace_run") || !strcmp(name, "__bpf_trace_mm_page_alloc") ||
	    !strcmp(name, "__traceiter_mm_page_alloc"))
		return MEMTRACE_UNWIND_GLUE;
	return orc__page_allocator(name) ? MEMTRACE_UNWIND_ALLOC : MEMTRACE_UNWIND_OUT;
}

bool orc__decode(const unsigned char raw[ORC_ENTRY_SIZE], enum orc_layout l, __s16 *sp_offset)
{
	__u16 bits = (__u16)(raw[4] | raw[5] << 8);
	unsigned int sp_reg = bits & 0xf, type;
	bool call;

	*sp_offset = (__s16)(raw[0] | raw[1] << 8);
	if (l == ORC_LAYOUT_TYPE2) {
		type = (bits >> 8) & 0x3;
		/* bit 10: end of the stack */
		call = type == ORC_TYPE2_CALL && !(bits & (1U << 10));
	} else {
		type = (bits >> 8) & 0x7;
		/* bit 11: a signal frame, whose next lookup is not at ip - 1 */
		call = type == ORC_TYPE3_CALL && !(bits & (1U << 11));
	}
	return call && sp_reg == ORC_REG_SP && *sp_offset >= 8;
}

static void entry__set(struct memtrace_unwind_entry *e, __u64 ip, const unsigned char *raw,
		       enum orc_layout l, __u32 kind)
{
	__s16 off = 0;

	e->ip = ip;
	e->sp_offset = 0;
	e->kind = MEMTRACE_UNWIND_SLOW;
	if (kind != MEMTRACE_UNWIND_SLOW && raw && orc__decode(raw, l, &off)) {
		e->sp_offset = off;
		e->kind = kind;
	}
}

int orc__build(const struct orc_fn *fns, size_t nfns, const __u64 *ips,
	       const unsigned char *ents, size_t n, enum orc_layout l,
	       struct memtrace_unwind_entry **out, __u32 *log2)
{
	struct memtrace_unwind_entry *t;
	size_t cap = 1, len = 0, i, j, f;
	__u32 lg = 0;

	*out = NULL;
	*log2 = 0;
	/* the size: entry 0, each function's start, the ORC entries inside, its end */
	for (f = 0, j = 0; f < nfns; f++) {
		if (fns[f].start >= fns[f].end || (f && fns[f].start < fns[f - 1].end))
			return -EINVAL;
		while (j < n && ips[j] <= fns[f].start)
			j++;
		len += 2;
		for (; j < n && ips[j] < fns[f].end; j++)
			len++;
	}
	len++;
	while (cap < len || cap < 2) {
		cap <<= 1;
		if (++lg > MEMTRACE_UNWIND_MAX_LOG2)
			return -E2BIG;
	}
	t = calloc(cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	len = 0;
	t[len++].kind = MEMTRACE_UNWIND_OUT;
	for (f = 0, j = 0; f < nfns; f++) {
		/* j: the first ORC address past the start; j - 1 holds at it */
		while (j < n && ips[j] <= fns[f].start)
			j++;
		entry__set(&t[len++], fns[f].start, j ? ents + (j - 1) * ORC_ENTRY_SIZE : NULL,
			   l, fns[f].kind);
		for (; j < n && ips[j] < fns[f].end; j++)
			entry__set(&t[len++], ips[j], ents + j * ORC_ENTRY_SIZE, l, fns[f].kind);
		if (f + 1 < nfns && fns[f + 1].start == fns[f].end)
			continue;
		t[len].ip = fns[f].end;
		t[len++].kind = MEMTRACE_UNWIND_OUT;
	}
	for (i = len; i < cap; i++) {
		t[i].ip = ~0ULL;
		t[i].kind = MEMTRACE_UNWIND_OUT;
	}
	*out = t;
	*log2 = lg;
	return 0;
}

static void fns__push(struct orc_fns *f, __u64 start, __u64 end, __u32 kind)
{
	/*
	 * a return trampoline's address is its first byte, which the
	 * unwinder looks up at the byte before (a return address's call)
	 */
	if (kind == MEMTRACE_UNWIND_SLOW)
		start--;
	if (f->n && f->v[f->n - 1].end > start)
		f->v[f->n - 1].end = start;	/* the function before: its padding */
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct orc_fn *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			f->err = -ENOMEM;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct orc_fn){ start, end, kind };
}

void orc__fns_add(struct orc_fns *f, __u64 addr, const char *name)
{
	__u32 kind = orc__kind(name);

	if (f->err)
		return;
	if (f->pend_kind && addr < f->pend_addr) {
		f->err = -EINVAL;	/* not in address order */
		return;
	}
	if (f->pend_kind && addr > f->pend_addr) {
		/* a function ends where the next symbol starts (its padding: __pfx_) */
		fns__push(f, f->pend_addr, addr, f->pend_kind);
		f->pend_kind = MEMTRACE_UNWIND_OUT;
	}
	/* aliases: the function is in the table if any of its names is */
	if (kind != MEMTRACE_UNWIND_OUT && !f->pend_kind) {
		f->pend_addr = addr;
		f->pend_kind = kind;
	}
}

const struct memtrace_unwind_entry *orc__find(const struct memtrace_unwind_entry *t,
					      __u32 log2, __u64 ip)
{
	__u32 lo = 0, k, i;

	for (i = 1; i <= log2; i++) {
		k = lo + (1U << (log2 - i));
		if (t[k].ip <= ip)
			lo = k;
	}
	return &t[lo];
}

long long orc__kcore_offset(const unsigned char *hdr, size_t len_hdr, __u64 addr, __u64 len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i;

	if (len_hdr < sizeof(eh))
		return -1;
	memcpy(&eh, hdr, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		__u64 at = eh.e_phoff + i * sizeof(ph);

		if (at > len_hdr || len_hdr - at < sizeof(ph))
			return -1;
		memcpy(&ph, hdr + at, sizeof(ph));
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (addr - ph.p_vaddr))
			continue;
		return (long long)(ph.p_offset + (addr - ph.p_vaddr));
	}
	return -1;
}
