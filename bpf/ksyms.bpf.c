// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ksyms: the addresses of the few kernel symbols the tracer reads
 * (bpf/memtrace.bpf.c's KASLR bases and the page-table walk's root), looked
 * up in the kernel by one syscall program run once by userspace.  libbpf
 * resolves untyped __ksym externs by reading all of /proc/kallsyms, which
 * takes about a second under TCG; bpf_kallsyms_lookup_name() (5.16) finds
 * a name by binary search (6.2) without printing the table.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "memtrace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The helper wants names in a frozen read-only map: .rodata */
const char name_page_offset_base[] = "page_offset_base";
const char name_vmalloc_base[] = "vmalloc_base";
const char name_vmemmap_base[] = "vmemmap_base";
const char name_init_top_pgt[] = "init_top_pgt";
const char name_pgtable_l5_enabled[] = "__pgtable_l5_enabled";
const char name_orc_ip[] = "__start_orc_unwind_ip";
const char name_orc_ip_end[] = "__stop_orc_unwind_ip";
const char name_orc[] = "__start_orc_unwind";

/*
 * Read the KASLR bases' values too (MEMTRACE_KSYM_NR_BASES): set by
 * userspace, which loads this again without it where the kernel refuses
 * bpf_probe_read_kernel() to a syscall program
 */
const volatile bool read_bases = false;

/* Read by userspace after the run: 0 where the kernel lacks the symbol */
__u64 addrs[MEMTRACE_KSYM_MAX];
__u64 bases[MEMTRACE_KSYM_NR_BASES];
int found;

static __always_inline void lookup(const char *name, int sz, int idx)
{
	__u64 v = 0;

	if (bpf_kallsyms_lookup_name(name, sz, 0, &v) || idx >= MEMTRACE_KSYM_MAX)
		return;
	addrs[idx] = v;
	found++;
	if (read_bases && idx < MEMTRACE_KSYM_NR_BASES &&
	    bpf_probe_read_kernel(&bases[idx], sizeof(bases[idx]), (const void *)v))
		bases[idx] = 0;
}

SEC("syscall")
int ksyms__lookup(void *ctx)
{
	lookup(name_page_offset_base, sizeof(name_page_offset_base),
	       MEMTRACE_KSYM_PAGE_OFFSET_BASE);
	lookup(name_vmalloc_base, sizeof(name_vmalloc_base), MEMTRACE_KSYM_VMALLOC_BASE);
	lookup(name_vmemmap_base, sizeof(name_vmemmap_base), MEMTRACE_KSYM_VMEMMAP_BASE);
	lookup(name_init_top_pgt, sizeof(name_init_top_pgt), MEMTRACE_KSYM_INIT_TOP_PGT);
	lookup(name_pgtable_l5_enabled, sizeof(name_pgtable_l5_enabled),
	       MEMTRACE_KSYM_PGTABLE_L5);
	lookup(name_orc_ip, sizeof(name_orc_ip), MEMTRACE_KSYM_ORC_IP);
	lookup(name_orc_ip_end, sizeof(name_orc_ip_end), MEMTRACE_KSYM_ORC_IP_END);
	lookup(name_orc, sizeof(name_orc), MEMTRACE_KSYM_ORC);
	return 0;
}
