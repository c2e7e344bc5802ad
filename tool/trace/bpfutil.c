// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * memtrace: shared libbpf helpers (bpfutil.h).  libbpf 1.1 API.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lib/parse.h"
#include "lib/warn.h"
#include "trace/bpfutil.h"

static bool bpfutil_verbose;

static int bpfutil__print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return bpfutil_verbose ? vfprintf(stderr, fmt, args) : 0;
}

void bpfutil__init(bool verbose)
{
	bpfutil_verbose = verbose;
	libbpf_set_print(bpfutil__print);
}

int bpfutil__open_env(struct btf **btf)
{
	struct statfs sfs;
	int err;

	*btf = NULL;
	if (geteuid() != 0) {
		warn("tracing needs root (CAP_BPF and CAP_PERFMON)\n");
		return -EPERM;
	}
	*btf = btf__load_vmlinux_btf();
	if (!*btf) {
		err = -errno;
		warn("kernel has no BTF (/sys/kernel/btf/vmlinux): %s\n", strerror(-err));
		return -ENOENT;
	}
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		warn("bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)\n");
		btf__free(*btf);
		*btf = NULL;
		return -ENOENT;
	}
	return 0;
}

bool bpfutil__has(const struct btf *btf, const char *name, int kind)
{
	return btf__find_by_name_kind(btf, name, kind) >= 0;
}

const char *bpfutil__first_func(const struct btf *btf, const char *const *names)
{
	for (; *names; names++) {
		if (bpfutil__has(btf, *names, BTF_KIND_FUNC))
			return *names;
	}
	return NULL;
}

/* A two-instruction program ("return 0") of @type loaded with @opts: its fd or -errno */
static int probe__load(enum bpf_prog_type type, const struct bpf_prog_load_opts *opts)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(type, "probe", "GPL", insns, sizeof(insns) / sizeof(insns[0]), opts);
}

/* A tracing probe of @func with @type: its fd, or -errno (-ENOENT: no such function) */
static int probe__load_tracing(const struct btf *btf, const char *func,
			       enum bpf_attach_type type)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type, .attach_btf_id = id);

	return id < 0 ? -ENOENT : probe__load(BPF_PROG_TYPE_TRACING, &opts);
}

/* Attach @prog_fd as a raw tracepoint (@tp NULL: a trampoline), detach, close */
static bool probe__attach(int prog_fd, const char *tp)
{
	int link_fd;

	if (prog_fd < 0)
		return false;
	link_fd = bpf_raw_tracepoint_open(tp, prog_fd);
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return link_fd >= 0;
}

bool bpfutil__can_attach(const struct btf *btf, const char *func, enum bpf_attach_type type)
{
	return probe__attach(probe__load_tracing(btf, func, type), NULL);
}

bool bpfutil__can_load_tracing(const struct btf *btf, const char *func,
			       enum bpf_attach_type type)
{
	int prog_fd = probe__load_tracing(btf, func, type);

	if (prog_fd < 0)
		return false;
	close(prog_fd);
	return true;
}

/*
 * x86-64's trampolines take up to 12 arguments from 6.6 (commit 473e3150e30a,
 * "bpf, x86: allow function arguments up to 12 for TRACING"), 6 before.
 */
#define TRAMP_MAX_ARGS_OLD	6

bool bpfutil__tramp_fits(const struct btf *btf, const char *func)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto;
	struct utsname u;

	if (id < 0)
		return false;
	proto = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (proto && btf_is_func_proto(proto) && btf_vlen(proto) <= TRAMP_MAX_ARGS_OLD)
		return true;
	return !uname(&u) && release__at_least(u.release, 6, 6);
}

bool bpfutil__can_attach_raw_tp(const char *tp)
{
	return probe__attach(probe__load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL), tp);
}

bool bpfutil__has_ringbuf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "probe", 0, 0, 4096, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
