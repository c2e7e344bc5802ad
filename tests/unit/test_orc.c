// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/orc: the page-caller unwinder's table made from
 * made-up ORC data in both entry layouts (before and since 6.4), the
 * functions it covers by name, the lookup bpf/unwind.bpf.h does, and where
 * /proc/kcore holds an address, over a made-up ELF header.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/orc.h"
#include "tap.h"

/* A 6-byte entry: sp_offset, bp_offset 0, then the bits of @layout */
static void orc_entry(unsigned char *raw, __s16 sp_offset, unsigned int sp_reg,
		      unsigned int type, bool flag, enum orc_layout layout)
{
	__u16 bits = sp_reg & 0xf;

	bits |= (__u16)(type << 8);
	if (flag)
		bits |= layout == ORC_LAYOUT_TYPE2 ? 1U << 10 : 1U << 11;
	raw[0] = (unsigned char)sp_offset;
	raw[1] = (unsigned char)((__u16)sp_offset >> 8);
	raw[2] = raw[3] = 0;
	raw[4] = (unsigned char)bits;
	raw[5] = (unsigned char)(bits >> 8);
}

static void test_kind(void)
{
	tap_eq_u64(orc__kind("bpf_trace_run4"), MEMTRACE_UNWIND_GLUE, "kind: bpf_trace_run4 is glue");
	tap_eq_u64(orc__kind("__traceiter_mm_page_alloc"), MEMTRACE_UNWIND_GLUE,
		   "kind: mm_page_alloc's iterator is glue");
	tap_eq_u64(orc__kind("__traceiter_kmalloc"), MEMTRACE_UNWIND_OUT,
		   "kind: another tracepoint's iterator is not in the table");
	tap_eq_u64(orc__kind("__alloc_pages_noprof"), MEMTRACE_UNWIND_ALLOC,
		   "kind: __alloc_pages_noprof is the page allocator");
	tap_eq_u64(orc__kind("alloc_pages_mpol_noprof"), MEMTRACE_UNWIND_ALLOC,
		   "kind: alloc_pages_mpol_noprof is the page allocator");
	tap_eq_u64(orc__kind("get_page_from_freelist.constprop.0"), MEMTRACE_UNWIND_ALLOC,
		   "kind: a compiler's clone keeps its function's kind");
	tap_eq_u64(orc__kind("memalloc_do_alloc"), MEMTRACE_UNWIND_OUT, "kind: a caller is out");
	tap_eq_u64(orc__kind("allocate_slab"), MEMTRACE_UNWIND_OUT,
		   "kind: slab's allocate_slab is a caller");
	tap_eq_u64(orc__kind("arch_rethook_trampoline"), MEMTRACE_UNWIND_SLOW,
		   "kind: a kretprobe's return trampoline is left to the kernel's unwinder");
	tap_eq_u64(orc__kind("return_to_handler"), MEMTRACE_UNWIND_SLOW,
		   "kind: the function graph tracer's return trampoline too");
}

static void test_decode(void)
{
	unsigned char raw[ORC_ENTRY_SIZE];
	__s16 off = 0;

	orc_entry(raw, 24, ORC_REG_SP, 0, false, ORC_LAYOUT_TYPE2);
	tap_ok(orc__decode(raw, ORC_LAYOUT_TYPE2, &off), "decode (6.1): a call frame on sp");
	tap_eq_s64(off, 24, "decode (6.1): its sp_offset");
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE3, &off),
	       "decode (6.12): type 0 is undefined since 6.4, not a call");
	orc_entry(raw, 24, ORC_REG_SP, 0, true, ORC_LAYOUT_TYPE2);
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE2, &off), "decode (6.1): the end of the stack");
	orc_entry(raw, 1, ORC_REG_SP, 1, false, ORC_LAYOUT_TYPE2);
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE2, &off), "decode (6.1): type REGS is not a call");
	orc_entry(raw, 40, ORC_REG_SP, 2, false, ORC_LAYOUT_TYPE3);
	tap_ok(orc__decode(raw, ORC_LAYOUT_TYPE3, &off), "decode (6.12): a call frame on sp");
	tap_eq_s64(off, 40, "decode (6.12): its sp_offset");
	orc_entry(raw, 40, ORC_REG_SP, 2, true, ORC_LAYOUT_TYPE3);
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE3, &off), "decode (6.12): a signal frame is not");
	orc_entry(raw, 16, 4 /* ORC_REG_BP */, 2, false, ORC_LAYOUT_TYPE3);
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE3, &off),
	       "decode (6.12): a frame found through bp is not");
	orc_entry(raw, 0, ORC_REG_SP, 2, false, ORC_LAYOUT_TYPE3);
	tap_ok(!orc__decode(raw, ORC_LAYOUT_TYPE3, &off),
	       "decode (6.12): an sp_offset below the return address is not");
}

/*
 * Three functions: glue [0x1000, 0x1100), the allocator [0x1100, 0x1200)
 * right after it, another allocator function [0x2000, 0x2100) after a gap.
 * ORC: 0x0f00 (before: sp+8, in force at 0x1000), 0x1010 sp+16, 0x1100
 * sp+8, 0x1120 sp+48, 0x1180 undefined, 0x1500 (out), 0x2000 sp+8.
 */
static void test_build(void)
{
	const struct orc_fn fns[] = {
		{ 0x1000, 0x1100, MEMTRACE_UNWIND_GLUE },
		{ 0x1100, 0x1200, MEMTRACE_UNWIND_ALLOC },
		{ 0x2000, 0x2100, MEMTRACE_UNWIND_ALLOC },
	};
	const __u64 ips[] = { 0x0f00, 0x1010, 0x1100, 0x1120, 0x1180, 0x1500, 0x2000 };
	const __s16 offs[] = { 8, 16, 8, 48, 0, 8, 8 };
	unsigned char ents[7 * ORC_ENTRY_SIZE];
	const struct memtrace_unwind_entry *e;
	struct memtrace_unwind_entry *t = NULL;
	__u32 log2 = 0;
	size_t i;
	int err;

	for (i = 0; i < 7; i++)
		orc_entry(ents + i * ORC_ENTRY_SIZE, offs[i], ORC_REG_SP, offs[i] ? 2 : 0, false,
			  ORC_LAYOUT_TYPE3);
	err = orc__build(fns, 3, ips, ents, 7, ORC_LAYOUT_TYPE3, &t, &log2);
	tap_eq_s64(err, 0, "build: a table");
	if (err)
		return;
	/* 0, 0x1000, 0x1010, 0x1100, 0x1120, 0x1180, 0x1200 out, 0x2000, 0x2100 out: 9 -> 16 */
	tap_eq_u64(log2, 4, "build: 9 entries padded to 16");
	tap_eq_u64(t[15].ip, ~0ULL, "build: the padding is past every address");
	e = orc__find(t, log2, 0x0fff);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_OUT, "find: before the first function, out");
	e = orc__find(t, log2, 0x1000);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_GLUE, "find: a function's start is its kind");
	tap_eq_s64(e->sp_offset, 8, "find: the entry in force at the start (from before it)");
	e = orc__find(t, log2, 0x1050);
	tap_eq_s64(e->sp_offset, 16, "find: an entry inside the function");
	e = orc__find(t, log2, 0x1130);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_ALLOC, "find: the next function, adjacent");
	tap_eq_s64(e->sp_offset, 48, "find: its entry");
	e = orc__find(t, log2, 0x1190);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_SLOW, "find: an undefined entry is left to the kernel");
	e = orc__find(t, log2, 0x1300);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_OUT, "find: past a function's end, out");
	e = orc__find(t, log2, 0x1500);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_OUT,
		   "find: an ORC entry between the functions is not copied");
	e = orc__find(t, log2, 0x20ff);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_ALLOC, "find: the last function's last byte");
	e = orc__find(t, log2, 0x2100);
	tap_eq_u64(e->kind, MEMTRACE_UNWIND_OUT, "find: its end");
	free(t);
	{
		const struct orc_fn bad[] = { { 0x1000, 0x1200, 1 }, { 0x1100, 0x1300, 1 } };

		tap_eq_s64(orc__build(bad, 2, ips, ents, 7, ORC_LAYOUT_TYPE3, &t, &log2), -EINVAL,
			   "build: overlapping functions are refused");
	}
	err = orc__build(NULL, 0, NULL, NULL, 0, ORC_LAYOUT_TYPE3, &t, &log2);
	tap_eq_s64(err, 0, "build: no function, a table of its first entry");
	tap_eq_u64(log2, 1, "build: at least 2 entries");
	free(t);
}

/*
 * Edges: a function with no ORC entry at or below its start; duplicate ORC
 * addresses (the kernel sorts a weak entry before the real one: the last
 * holds, as in the kernel's orc_find()); a return trampoline, whose entries
 * are all left to the kernel's unwinder, call frames or not.
 */
static void test_build_edges(void)
{
	const struct orc_fn fns[] = {
		{ 0x0100, 0x0200, MEMTRACE_UNWIND_ALLOC },
		{ 0x1000, 0x1100, MEMTRACE_UNWIND_ALLOC },
		{ 0x3000, 0x3100, MEMTRACE_UNWIND_SLOW },
	};
	const __u64 ips[] = { 0x0f00, 0x1050, 0x1050, 0x3000 };
	const __s16 offs[] = { 8, 0, 24, 8 };
	unsigned char ents[4 * ORC_ENTRY_SIZE];
	struct memtrace_unwind_entry *t = NULL;
	__u32 log2 = 0;
	size_t i;

	for (i = 0; i < 4; i++)
		orc_entry(ents + i * ORC_ENTRY_SIZE, offs[i], ORC_REG_SP, offs[i] ? 2 : 0, false,
			  ORC_LAYOUT_TYPE3);
	if (orc__build(fns, 3, ips, ents, 4, ORC_LAYOUT_TYPE3, &t, &log2)) {
		tap_ok(false, "edges: a table");
		return;
	}
	tap_eq_u64(orc__find(t, log2, 0x0150)->kind, MEMTRACE_UNWIND_SLOW,
		   "edges: no ORC entry at or below a function's start: left to the kernel");
	tap_eq_s64(orc__find(t, log2, 0x1060)->sp_offset, 24,
		   "edges: of two entries at one address, the last holds");
	tap_eq_u64(orc__find(t, log2, 0x3010)->kind, MEMTRACE_UNWIND_SLOW,
		   "edges: a return trampoline's call frame is left to the kernel");
	free(t);
}

/* The table's functions from kallsyms' symbols, in address order */
static void test_fns(void)
{
	struct orc_fns f = {};

	orc__fns_add(&f, 0x1000, "memalloc_do_alloc");
	orc__fns_add(&f, 0x1100, "__alloc_pages_noprof");
	orc__fns_add(&f, 0x1100, "__alloc_pages");	/* an alias */
	orc__fns_add(&f, 0x1200, "return_to_handler");
	orc__fns_add(&f, 0x1280, "arch_rethook_trampoline");
	orc__fns_add(&f, 0x1300, "bpf_trace_run4");
	orc__fns_add(&f, 0x1400, "kernel_clone");
	orc__fns_add(&f, 0x1500, "alloc_pages_noprof");	/* the last: no end known */
	tap_eq_s64(f.err, 0, "fns: symbols in order");
	tap_eq_u64(f.n, 4, "fns: the allocator (once for 2 aliases), 2 trampolines, the glue");
	if (f.n == 4) {
		tap_eq_u64(f.v[0].start, 0x1100, "fns: a function starts at its symbol");
		tap_eq_u64(f.v[2].end, 0x1300, "fns: a function ends at the next symbol");
		tap_eq_u64(f.v[1].start, 0x11ff, "fns: a trampoline starts a byte early");
		tap_eq_u64(f.v[1].end, 0x127f, "fns: the one before it ends there");
		tap_eq_u64(f.v[0].end, 0x11ff, "fns: ... as does a function before a trampoline");
		tap_eq_u64(f.v[3].kind, MEMTRACE_UNWIND_GLUE, "fns: the glue's kind");
	}
	orc__fns_add(&f, 0x100, "alloc_pages_noprof");
	tap_eq_s64(f.err, -EINVAL, "fns: a symbol out of order is refused");
	free(f.v);
}

static void test_kcore(void)
{
	unsigned char hdr[sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)] = {};
	Elf64_Ehdr eh = { .e_phoff = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = 2 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = 0x100, .p_vaddr = 0, .p_filesz = 0x100 },
		{ .p_type = PT_LOAD, .p_offset = 0x200000, .p_vaddr = 0xffffffff81000000ULL,
		  .p_filesz = 0x1000000 },
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	memcpy(hdr, &eh, sizeof(eh));
	memcpy(hdr + sizeof(eh), ph, sizeof(ph));
	tap_eq_s64(orc__kcore_offset(hdr, sizeof(hdr), 0xffffffff81000010ULL, 16), 0x200010,
		   "kcore: an address in a segment");
	tap_eq_s64(orc__kcore_offset(hdr, sizeof(hdr), 0xffffffff81fffff8ULL, 16), -1,
		   "kcore: a range running past its segment");
	tap_eq_s64(orc__kcore_offset(hdr, sizeof(hdr), 0x50, 8), -1,
		   "kcore: only PT_LOAD segments hold memory");
	tap_eq_s64(orc__kcore_offset(hdr, sizeof(hdr) - 8, 0xffffffff81000010ULL, 16), -1,
		   "kcore: a header cut short");
	hdr[EI_CLASS] = ELFCLASS32;
	tap_eq_s64(orc__kcore_offset(hdr, sizeof(hdr), 0xffffffff81000010ULL, 16), -1,
		   "kcore: not ELF64");
}

int main(void)
{
	test_kind();
	test_decode();
	test_build();
	test_build_edges();
	test_fns();
	test_kcore();
	return tap_finish();
}
