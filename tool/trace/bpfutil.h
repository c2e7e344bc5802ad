/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: what every libbpf user in the tool shares (the tracer, the
 * latency clock): one print callback, the environment checks, BTF lookups
 * and bcc's fentry_can_attach() probe.
 */
#ifndef __MEMTRACE_BPFUTIL_H
#define __MEMTRACE_BPFUTIL_H

#include <stdbool.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

/* Route libbpf's messages to stderr, only with @verbose (-v) */
void bpfutil__init(bool verbose);

/*
 * Check what loading needs: root, the kernel's BTF, bpffs.  Prints one line
 * naming the remedy and returns -EPERM or -ENOENT; 0 with *@btf the kernel's
 * BTF (free with btf__free()).
 */
int bpfutil__open_env(struct btf **btf);

/* Whether @btf has a type @name of BTF_KIND_@kind */
bool bpfutil__has(const struct btf *btf, const char *name, int kind);

/* The first of @names (NULL-terminated, newest first) that is a function, or NULL */
const char *bpfutil__first_func(const struct btf *btf, const char *const *names);

/*
 * Whether a fentry or fexit (@type BPF_TRACE_FENTRY/FEXIT) on @func attaches:
 * loads and attaches a two-instruction program, as bcc's fentry_can_attach()
 * does.  False when @func is absent or the trampoline refuses it (more than
 * six arguments before 6.5).
 */
bool bpfutil__can_attach(const struct btf *btf, const char *func, enum bpf_attach_type type);

/*
 * Whether a fentry/fexit (@type) on @func loads here (the kernel has the
 * function in BTF and kallsyms, and tracing programs): the load half of
 * bpfutil__can_attach().  Cheap: detaching a trampoline waits for RCU tasks
 * grace periods (about 0.1 s each under TCG), attaching does not.
 */
bool bpfutil__can_load_tracing(const struct btf *btf, const char *func,
			       enum bpf_attach_type type);

/*
 * Whether a trampoline certainly takes @func's arguments: 6 or fewer, or
 * a kernel of 6.6 or later (x86-64 takes up to 12 from there).  When not,
 * the attach may fail (-ENOTSUPP) and a kprobe twin must stand by.
 */
bool bpfutil__tramp_fits(const struct btf *btf, const char *func);

/* Whether a raw_tp program attaches to tracepoint @tp (e.g. "kmalloc") */
bool bpfutil__can_attach_raw_tp(const char *tp);

/* Whether the kernel creates a BPF ring buffer (BPF_MAP_TYPE_RINGBUF, 5.8) */
bool bpfutil__has_ringbuf(void);

#endif /* __MEMTRACE_BPFUTIL_H */
