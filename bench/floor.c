// SPDX-License-Identifier: GPL-2.0
/*
 * bench-floor: what a raw_tp tracer of the bench's loops pays before its
 * own work (bench/floor.bpf.c), for the rows floor-count and floor-ringbuf
 * of `make bench`: the per-event cost splits into the kernel's (program
 * dispatch, one helper call, a counter; a ring-buffer record of memtrace's
 * size, woken as memtrace wakes its reader) and what memtrace does on top.
 *
 *   bench-floor --pid PID --count kmem|page --mode count|ringbuf
 *
 * Prints "ready" once attached; at SIGINT or SIGTERM, after reading what
 * the ring buffer still holds, one line "records=N matched=N drops=N":
 * records read, events of process PID the programs counted (every call
 * site and order: a few more than the loop's), and records not reserved
 * (ring buffer full).  Guest only, as root.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "lib/warn.h"
#include "floor.skel.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int on_record(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	(*(unsigned long long *)ctx)++;
	return 0;
}

/* Counter @idx of floor_counts, summed over the CPUs */
static unsigned long long floor__sum(struct floor_bpf *skel, __u32 idx)
{
	int n = libbpf_num_possible_cpus(), i;
	unsigned long long s = 0;
	__u64 *v;

	if (n <= 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (v && !bpf_map__lookup_elem(skel->maps.floor_counts, &idx, sizeof(idx), v,
				       n * sizeof(*v), 0)) {
		for (i = 0; i < n; i++)
			s += v[i];
	}
	free(v);
	return s;
}

struct floor_args {
	long pid;
	bool page;	/* the page loop's tracepoints (else kmalloc, kfree) */
	bool ringbuf;	/* --mode ringbuf (else count) */
};

/* 0, or -EINVAL for anything but the one usage */
static int floor__args(int argc, char **argv, struct floor_args *a)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{},
	};
	const char *kind = NULL, *mode = NULL;
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "p:c:m:", longopts, NULL)) != -1) {
		switch (o) {
		case 'p':
			errno = 0;
			a->pid = strtol(optarg, &end, 10);
			if (errno || *end || a->pid <= 0)
				return -EINVAL;
			break;
		case 'c':
			kind = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if (!a->pid || optind != argc || !kind || !mode ||
	    (strcmp(kind, "kmem") && strcmp(kind, "page")) ||
	    (strcmp(mode, "count") && strcmp(mode, "ringbuf")))
		return -EINVAL;
	a->page = !strcmp(kind, "page");
	a->ringbuf = !strcmp(mode, "ringbuf");
	return 0;
}

/* Load the pair of programs @a asks for (no other) and attach them into @links */
static int floor__attach(struct floor_bpf *skel, const struct floor_args *a,
			 struct bpf_link *links[2])
{
	struct bpf_program *progs[2], *p;
	int i, err;

	skel->rodata->target_tgid = a->pid;
	if (!a->page) {
		progs[0] = a->ringbuf ? skel->progs.floor__rb_kmalloc : skel->progs.floor__count_kmalloc;
		progs[1] = a->ringbuf ? skel->progs.floor__rb_kfree : skel->progs.floor__count_kfree;
	} else {
		progs[0] = a->ringbuf ? skel->progs.floor__rb_page_alloc :
					skel->progs.floor__count_page_alloc;
		progs[1] = a->ringbuf ? skel->progs.floor__rb_page_free :
					skel->progs.floor__count_page_free;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == progs[0] || p == progs[1]);
	err = floor_bpf__load(skel);
	if (err) {
		warn("loading the BPF programs: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; i < 2; i++) {
		links[i] = bpf_program__attach(progs[i]);
		if (!links[i]) {
			err = -errno;
			warn("attaching %s: %s\n", bpf_program__name(progs[i]), strerror(-err));
			return err;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct floor_args a = {};
	unsigned long long records = 0;
	struct ring_buffer *rb = NULL;
	struct bpf_link *links[2] = {};
	struct floor_bpf *skel;
	int i, err;

	if (floor__args(argc, argv, &a)) {
		fprintf(stderr, "usage: bench-floor --pid PID --count kmem|page --mode count|ringbuf\n");
		return EXIT_USAGE;
	}
	skel = floor_bpf__open();
	if (!skel) {
		warn("opening the BPF object: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	err = floor__attach(skel, &a, links);
	if (err)
		goto out;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.floor_rb), on_record, &records, NULL);
	if (!rb) {
		err = -errno;
		warn("ring buffer: %s\n", strerror(-err));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	/* woken by fill; what waits below a quarter is read on the timeout */
	while (!exiting) {
		if (ring_buffer__poll(rb, 100) < 0 && errno != EINTR)
			break;
		ring_buffer__consume(rb);
	}
	for (i = 0; i < 2; i++) {
		bpf_link__destroy(links[i]);
		links[i] = NULL;
	}
	ring_buffer__consume(rb);
	printf("records=%llu matched=%llu drops=%llu\n", records, floor__sum(skel, 0),
	       floor__sum(skel, 1));
out:
	for (i = 0; i < 2; i++)
		bpf_link__destroy(links[i]);
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
