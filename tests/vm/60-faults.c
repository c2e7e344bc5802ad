// SPDX-License-Identifier: GPL-2.0
/*
 * Faults: what is left behind when things go wrong.
 *  - memtrace run killed with SIGKILL in each phase (loading the tracer,
 *    allocating, walking, holding): nothing stays held in the module and no
 *    BPF program or link of memtrace stays in the kernel (BPF_PROG_GET_NEXT_ID,
 *    BPF_LINK_GET_NEXT_ID);
 *  - insmod/rmmod 100 times with allocations held by an open file at rmmod
 *    time: refused while the file is open, clean once it is closed;
 *  - on a kernel with fault injection (KERNEL=debug): failslab and
 *    fail_page_alloc make ALLOC fail with a clean ENOMEM, and memtrace compare
 *    says so in its report.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "dev/device.h"
#include "memalloc.h"
#include "sysfs.h"
#include "tap.h"

#define MODULE_PATH	"/lib/modules/memalloc.ko"
#define MEMTRACE	"/usr/bin/memtrace"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* BPF programs whose name starts with "memtrace__", and BPF links of any kind */
static void bpf_census(int *progs, int *links)
{
	union bpf_attr attr;
	__u32 id = 0;

	*progs = 0;
	*links = 0;
	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;	/* freed meanwhile */
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (__u64)(unsigned long)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) &&
		    !strncmp(info.name, "memtrace__", 10))
			(*progs)++;
		close(fd);
	}
	id = 0;
	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(BPF_LINK_GET_NEXT_ID, &attr))
			break;
		id = attr.next_id;
		(*links)++;
	}
}

/* What the module holds now; a failing INFO is a bail-out */
static uint32_t held_count(void)
{
	struct memalloc_info in;
	int fd = device__open(), err;

	if (fd < 0)
		tap_bail("open %s: %s", MEMALLOC_DEVICE, strerror(-fd));
	err = device__info(fd, &in);
	close(fd);
	if (err)
		tap_bail("INFO: %s", strerror(-err));
	return in.held_count;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Run memtrace with @argv, its stdout and stderr into a pipe (*@out_fd, for
 * the caller to read on and close: the child must not die of SIGPIPE);
 * return when the output holds @marker, or false after @timeout_s.
 */
static bool spawn_until(char *const argv[], const char *marker, int timeout_s, pid_t *out_pid,
			int *out_fd, char *seen, size_t seen_len)
{
	int p[2], n;
	size_t len = 0;
	pid_t pid;
	time_t end = time(NULL) + timeout_s;

	if (pipe(p))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out_pid = pid;
	*out_fd = p[0];
	seen[0] = '\0';
	while (time(NULL) < end && len < seen_len - 1) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(p[0], seen + len, seen_len - 1 - len);
		if (n <= 0)
			break;
		len += n;
		seen[len] = '\0';
		if (strstr(seen, marker))
			return true;
	}
	return false;
}

/* The rest of the child's output, appended to @seen, until it closes it */
static void read_rest(int fd, char *seen, size_t seen_len)
{
	size_t len = strlen(seen);
	char sink[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, len < seen_len - 1 ? seen + len : sink,
			 len < seen_len - 1 ? seen_len - 1 - len : sizeof(sink));
		if (n <= 0)
			break;
		if (len < seen_len - 1) {
			len += n;
			seen[len] = '\0';
		}
	}
}

/* Poll until nothing of memtrace is left, at most 10 s (BPF frees after RCU) */
static void settle(int *progs, int *links, uint32_t *held)
{
	int i;

	for (i = 0; i < 100; i++) {
		bpf_census(progs, links);
		*held = held_count();
		if (!*progs && !*links && !*held)
			return;
		sleep_ms(100);
	}
}

static void test_kill_in(const char *phase, const char *marker, char *const argv[])
{
	char seen[8192];
	int progs, links, status, fd;
	uint32_t held;
	pid_t pid;

	if (!tap_ok(spawn_until(argv, marker, 300, &pid, &fd, seen, sizeof(seen)),
		    "kill while %s: memtrace reached '%s'", phase, marker)) {
		printf("#   it printed: %.400s\n", seen);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fd);
		return;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fd);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "kill while %s: memtrace died of SIGKILL (status %#x)", phase, status);
	settle(&progs, &links, &held);
	tap_eq_u64(held, 0, "kill while %s: the module holds nothing", phase);
	tap_eq_u64(progs, 0, "kill while %s: no memtrace BPF program left", phase);
	tap_eq_u64(links, 0, "kill while %s: no BPF link left", phase);
}

static void test_kills(void)
{
	char *load[] = { MEMTRACE, "run", "--count", "10", NULL };
	char *alloc[] = { MEMTRACE, "run", "--kind", "kmalloc,vmalloc", "--size", "4K",
			  "--count", "3000", NULL };
	char *walk[] = { MEMTRACE, "run", "--kind", "vmalloc", "--size", "64K", "--count", "400",
			 NULL };
	char *hold[] = { MEMTRACE, "run", "--kind", "vmalloc", "--count", "4", "--hold", NULL };
	int progs, links;

	bpf_census(&progs, &links);
	if (progs || links)
		tap_bail("BPF programs (%d) or links (%d) before the test", progs, links);
	test_kill_in("loading", "loading the BPF tracer", load);
	test_kill_in("allocating", "allocated", alloc);
	test_kill_in("walking", "walking", walk);
	test_kill_in("holding", "holding", hold);
}

static int load_module(void)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = syscall(__NR_finit_module, fd, "demo=0", 0) ? -errno : 0;
	close(fd);
	return err;
}

static int unload_module(void)
{
	return syscall(__NR_delete_module, "memalloc", O_NONBLOCK) ? -errno : 0;
}

/* 100 times: load, hold two allocations, rmmod (refused: the open file holds
 * a reference to the module, delete_module() says EWOULDBLOCK), close, rmmod */
static void test_reload(void)
{
	int i, loaded = 0, refused = 0, unloaded = 0, held_ok = 0, err;
	struct memalloc_alloc a;

	err = unload_module();
	if (err)
		tap_bail("rmmod memalloc before the reloads: %s", strerror(-err));
	for (i = 0; i < 100; i++) {
		int fd;

		if (load_module())
			break;
		loaded++;
		fd = device__open();
		if (fd < 0)
			break;
		held_ok += !device__alloc(fd, MEMALLOC_KIND_KMALLOC, 4096, -1, &a) &&
			   !device__alloc(fd, MEMALLOC_KIND_VMALLOC, 8192, -1, &a);
		refused += unload_module() == -EWOULDBLOCK;
		close(fd);
		unloaded += !unload_module();
	}
	tap_eq_u64(loaded, 100, "reload: insmod 100 times");
	tap_eq_u64(held_ok, 100, "reload: each time 2 allocations held");
	tap_eq_u64(refused, 100, "reload: rmmod refused while a file holds them (EWOULDBLOCK)");
	tap_eq_u64(unloaded, 100, "reload: rmmod clean once the file is closed");
	err = load_module();
	if (err)
		tap_bail("insmod memalloc after the reloads: %s", strerror(-err));
	tap_eq_u64(held_count(), 0, "reload: nothing held after the last load");
}

/* Mark this task for fault injection (or not), through an fd opened before */
static void mark_task(int fd, bool on)
{
	if (pwrite(fd, on ? "1" : "0", 1, 0) != 1)
		tap_bail("make-it-fail %d: %s", on, strerror(errno));
}

/* Configure failslab or fail_page_alloc (@dir) to fail @times calls of marked tasks */
static void fault_setup(const char *dir, const char *times)
{
	static const char *const keys[][2] = {
		{ "probability", "100" }, { "interval", "1" }, { "verbose", "0" },
		{ "task-filter", "Y" }, { "ignore-gfp-wait", "N" }, { "space", "0" },
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, keys[i][0]);
		if (sysfs_write(path, keys[i][1]))
			tap_bail("write %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/times", dir);
	if (sysfs_write(path, times))
		tap_bail("write %s: %s", path, strerror(errno));
}

static void test_fault_injection(void)
{
	const char *slab = "/sys/kernel/debug/failslab", *pages = "/sys/kernel/debug/fail_page_alloc";
	/* compare: the summary only, so the whole report fits in seen[] */
	char *run[] = { MEMTRACE, "compare", "--kind", "kmalloc", "--size", "64", "--count", "300",
			NULL };
	struct memalloc_alloc a;
	static char seen[65536];
	char path[64];
	int fd, status, out, mif;
	pid_t pid;

	if (access(slab, F_OK) || access(pages, F_OK)) {
		tap_skip("fault injection: not in this kernel (make test KERNEL=debug)");
		return;
	}
	fd = device__open();
	if (fd < 0)
		tap_bail("open: %s", strerror(-fd));
	/* Opened before: once marked, even open() fails (struct file is slab) */
	mif = open("/proc/self/make-it-fail", O_WRONLY);
	if (mif < 0)
		tap_bail("open /proc/self/make-it-fail: %s", strerror(errno));
	fault_setup(slab, "-1");
	mark_task(mif, true);
	tap_err(device__alloc(fd, MEMALLOC_KIND_KMALLOC, 64, -1, &a), -ENOMEM,
		"failslab: ALLOC kmalloc fails cleanly with ENOMEM");
	mark_task(mif, false);
	sysfs_write("/sys/kernel/debug/failslab/probability", "0");
	fault_setup(pages, "-1");
	mark_task(mif, true);
	tap_err(device__alloc(fd, MEMALLOC_KIND_ALLOC_PAGES, 1 << 20, -1, &a), -ENOMEM,
		"fail_page_alloc: ALLOC alloc_pages 1M fails cleanly with ENOMEM");
	mark_task(mif, false);
	close(mif);
	sysfs_write("/sys/kernel/debug/fail_page_alloc/probability", "0");
	close(fd);
	tap_eq_u64(held_count(), 0, "fault injection: nothing held after the failures");

	/* memtrace's own ALLOCs fail once it traces: 5 slab failures, then a report */
	fault_setup(slab, "5");
	if (!tap_ok(spawn_until(run, "tracing", 300, &pid, &out, seen, sizeof(seen)),
		    "failslab: memtrace compare starts tracing")) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(out);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/make-it-fail", pid);
	sysfs_write(path, "1");
	read_rest(out, seen, sizeof(seen));	/* the run goes on and reports */
	close(out);
	waitpid(pid, &status, 0);
	sysfs_write("/sys/kernel/debug/failslab/probability", "0");
	tap_ok(WIFEXITED(status), "failslab: memtrace compare ended by itself (status %#x)", status);
	tap_eq_u64(WIFEXITED(status) ? WEXITSTATUS(status) : 255, 1,
		   "failslab: memtrace compare exits 1 (allocations failed)");
	tap_has_str(seen, "Cannot allocate memory", "failslab: the report names ENOMEM");
	tap_has_str(seen, "allocations failed", "failslab: the report counts the failures");
	tap_has_str(seen, "verdict:", "failslab: the report still compares what was made");
	tap_eq_u64(held_count(), 0, "failslab: nothing held after memtrace compare");
}

int main(void)
{
	if (getuid())
		tap_bail("needs root");
	test_kills();
	test_reload();
	test_fault_injection();
	return tap_finish();
}
