// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace doctor: check, on the running kernel, what memtrace needs (root,
 * BTF, bpffs, the BPF ring buffer, raw_tp and fentry attach, memalloc.ko,
 * the kernel version, debugfs), one line per requirement with the fix for
 * each that fails.  The probes load two-instruction programs and a ring
 * buffer, and attach nothing that stays.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>

#include "doctor/doctor.h"
#include "memtrace.h"
#include "trace/bpfutil.h"

#define BTF_PATH	"/sys/kernel/btf/vmlinux"
#define BPFFS_PATH	"/sys/fs/bpf"
#define DEVICE_PATH	"/dev/memalloc"

static const char doctor_doc[] =
	"Check whether this kernel can run memtrace: one line per requirement, with the\n"
	"fix for each that fails.  Exit status 0 when every requirement is met, 4 when\n"
	"one is not (the kernel version and debugfs are notes, never failures).\n"
	"\n"
	"USAGE: memtrace doctor [--json]\n"
	"\n"
	"EXAMPLES:\n"
	"    sudo memtrace doctor      # root, BTF, bpffs, ring buffer, raw_tp, fentry,\n"
	"                              # memalloc.ko, kernel version, debugfs\n"
	"    memtrace -j doctor        # the same as JSON\n"
	"    memtrace doctor || echo \"not ready: exit $?\"\n";

static error_t doctor_parse(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG) {
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

#define set(c, st, ...) \
	((c)->status = (st), snprintf((c)->detail, sizeof((c)->detail), __VA_ARGS__))

/* The file the tracer reads, parsed as the tracer parses it */
static struct btf *check_btf(struct doctor_check *c)
{
	struct btf *btf;
	int err;

	if (access(BTF_PATH, F_OK)) {
		set(c, DOCTOR_FAIL, "no %s: %s", BTF_PATH, strerror(errno));
		return NULL;
	}
	btf = btf__parse(BTF_PATH, NULL);
	if (!btf) {
		err = errno;
		set(c, DOCTOR_FAIL, "%s does not parse: %s", BTF_PATH, strerror(err));
		return NULL;
	}
	set(c, DOCTOR_OK, "%s, %u types", BTF_PATH, btf__type_cnt(btf));
	return btf;
}

static void check_bpffs(struct doctor_check *c)
{
	struct statfs sfs;
	char line[128];
	bool known = false;
	FILE *f;

	if (!statfs(BPFFS_PATH, &sfs) && sfs.f_type == BPF_FS_MAGIC) {
		set(c, DOCTOR_OK, "mounted at %s", BPFFS_PATH);
		return;
	}
	f = fopen("/proc/filesystems", "r");
	while (f && fgets(line, sizeof(line), f))
		known |= !strcmp(line, "nodev\tbpf\n");
	if (f)
		fclose(f);
	set(c, DOCTOR_FAIL, "not mounted at %s; %s", BPFFS_PATH,
	    known ? "the kernel has bpffs" : "the kernel lists no bpffs");
}

/* Ring buffer, raw_tp, fentry: each loads something, so each needs root */
static void check_bpf(struct doctor_check *checks, const struct btf *btf, bool root)
{
	struct doctor_check *rb = &checks[DOCTOR_RINGBUF], *tp = &checks[DOCTOR_RAW_TP];
	struct doctor_check *fe = &checks[DOCTOR_FENTRY];

	if (!root) {
		set(rb, DOCTOR_UNCHECKED, "not checked: needs root");
		set(tp, DOCTOR_UNCHECKED, "not checked: needs root");
		set(fe, DOCTOR_UNCHECKED, "not checked: needs root");
		return;
	}
	if (bpfutil__has_ringbuf())
		set(rb, DOCTOR_OK, "a BPF_MAP_TYPE_RINGBUF map was created");
	else
		set(rb, DOCTOR_FAIL, "no BPF_MAP_TYPE_RINGBUF map: %s", strerror(errno));
	if (bpfutil__can_attach_raw_tp("kmalloc"))
		set(tp, DOCTOR_OK, "a raw_tp program attached to kmalloc");
	else
		set(tp, DOCTOR_FAIL, "raw_tp on kmalloc refused: %s", strerror(errno));
	if (!btf)
		set(fe, DOCTOR_UNCHECKED, "not checked: needs the kernel's BTF");
	else if (bpfutil__can_attach(btf, "vfree", BPF_TRACE_FENTRY))
		set(fe, DOCTOR_OK, "an fentry program attached to vfree");
	else
		set(fe, DOCTOR_FAIL, "fentry on vfree refused: %s", strerror(errno));
}

static void check_module(struct doctor_check *c)
{
	struct stat st;
	bool loaded = !access("/sys/module/memalloc", F_OK);

	if (!stat(DEVICE_PATH, &st) && S_ISCHR(st.st_mode))
		set(c, DOCTOR_OK, "%s (memalloc.ko loaded)", DEVICE_PATH);
	else if (loaded)
		set(c, DOCTOR_FAIL, "memalloc.ko is loaded but there is no %s (devtmpfs?)",
		    DEVICE_PATH);
	else
		set(c, DOCTOR_FAIL, "memalloc.ko is not loaded (no %s)", DEVICE_PATH);
}

static void check_debugfs(struct doctor_check *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen("/proc/mounts", "r");

	if (f) {
		/* one read up to EOF; /proc/mounts has no size */
		text = calloc(1, 1 << 16);
		if (text)
			len = fread(text, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	if (text && doctor__mounted(text, "debugfs", "/sys/kernel/debug"))
		set(c, DOCTOR_OK, "mounted at /sys/kernel/debug");
	else
		set(c, DOCTOR_NOTE, "not mounted at /sys/kernel/debug (optional)%s",
		    text && len ? "" : ": /proc/mounts unreadable");
	free(text);
}

int cmd_doctor(int argc, char **argv)
{
	const struct argp argp = { NULL, doctor_parse, NULL, doctor_doc, common_children, NULL,
				   NULL };
	struct doctor_check checks[DOCTOR_NR] = {};
	struct utsname u;
	struct btf *btf;
	bool root;
	struct json j;
	int err;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return EXIT_USAGE;
	bpfutil__init(env.verbose);
	root = geteuid() == 0;
	if (root)
		set(&checks[DOCTOR_ROOT], DOCTOR_OK, "euid 0");
	else
		set(&checks[DOCTOR_ROOT], DOCTOR_FAIL, "euid %u, not root", geteuid());
	btf = check_btf(&checks[DOCTOR_BTF]);
	check_bpffs(&checks[DOCTOR_BPFFS]);
	check_bpf(checks, btf, root);
	btf__free(btf);
	check_module(&checks[DOCTOR_MODULE]);
	if (uname(&u))
		set(&checks[DOCTOR_KERNEL], DOCTOR_NOTE, "uname: %s", strerror(errno));
	else
		doctor__check_release(&checks[DOCTOR_KERNEL], u.release);
	check_debugfs(&checks[DOCTOR_DEBUGFS]);

	if (!env.json) {
		doctor__print(checks, stdout);
		return doctor__exit_status(checks);
	}
	json__init(&j, stdout, env.pretty);
	doctor__json(checks, &j);
	err = json__end(&j);
	if (err) {
		warn("writing JSON: %s\n", strerror(-err));
		return EXIT_FAILURE;
	}
	return doctor__exit_status(checks);
}
