// SPDX-License-Identifier: GPL-2.0
/*
 * bench-loop: the workload of `make bench`, run in the guest.  Issues
 * memalloc.ko's MEMALLOC_IOC_BENCH_LOOP (an in-kernel alloc+free loop, timed
 * as a whole) for --pairs pairs, in ioctls of at most --chunk pairs, --reps
 * times with --pause-ms between (a tracer's reader catches up), and prints
 * one line of key=value pairs per repetition: the loop's time per pair (in
 * the kernel, and the wall time of the ioctls) and the events the loop made:
 * one alloc and one free event per pair that did not fail.
 *
 *   bench-loop [--kind kmalloc|alloc_pages] [--size BYTES] [--pairs N]
 *              [--chunk N] [--reps N] [--pause-ms MS] [--stop]
 *              [--rate EV/S [--burst-us US]]
 *
 * --rate: paced, for the capacity bench: the pairs in bursts of --burst-us
 * microseconds' worth (default 10000) at EV/S events per second, each
 * burst due when the rate says (bench/pace.h), slept for with an absolute
 * clock; the line then also gives the rate achieved (the events over the
 * time from the first burst to the end of the last), the target and the
 * bursts that started more than one burst late.  Without it the loop runs
 * its ioctls back to back.
 *
 * --stop: stop (SIGSTOP) before the first repetition and after the last,
 * for the caller to attach a tracer to this process and detach it (SIGCONT
 * goes on), and print only at the very end: between the two stops this
 * process makes no allocation of its own that a tracer of kmalloc, kfree or
 * order-0 pages would count (its output buffer is touched beforehand).
 *
 * Static, for the busybox guest.  Exit 0, 1 on a failed ioctl or a failed
 * allocation in the loop, 4 without memalloc.ko or root, 64 on a bad option.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/device.h"
#include "lib/warn.h"
#include "memalloc.h"
#include "pace.h"

struct loop_args {
	uint32_t kind;
	uint64_t size;
	uint64_t pairs;
	uint32_t chunk;
	uint32_t reps;
	uint32_t pause_ms;
	bool stop;
	uint64_t rate;		/* events/s; 0: not paced */
	uint64_t burst_us;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bench-loop [--kind kmalloc|alloc_pages] [--size BYTES] [--pairs N]\n"
		   "                  [--chunk N] [--reps N] [--pause-ms MS] [--stop]\n"
		   "                  [--rate EV/S [--burst-us US]]\n"
		   "  defaults: kmalloc, 64, 200000, %u, 1, 1000, not paced, 10000\n",
		MEMALLOC_BENCH_MAX_ITER);
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *v < lo || *v > hi ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct loop_args *a)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' }, { "size", required_argument, NULL, 's' },
		{ "pairs", required_argument, NULL, 'n' }, { "chunk", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' }, { "pause-ms", required_argument, NULL, 'w' },
		{ "stop", no_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "rate", required_argument, NULL, 'R' }, { "burst-us", required_argument, NULL, 'B' },
		{},
	};
	uint64_t v;
	int c;

	*a = (struct loop_args){ MEMALLOC_KIND_KMALLOC, 64, 200000, MEMALLOC_BENCH_MAX_ITER, 1,
				 1000, false, 0, 10000 };
	while ((c = getopt_long(argc, argv, "k:s:n:c:r:w:ShR:B:", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (!strcmp(optarg, "kmalloc"))
				a->kind = MEMALLOC_KIND_KMALLOC;
			else if (!strcmp(optarg, "alloc_pages"))
				a->kind = MEMALLOC_KIND_ALLOC_PAGES;
			else
				return -EINVAL;
			break;
		case 's':
			if (parse_u64(optarg, 1, 1 << 20, &a->size))
				return -EINVAL;
			break;
		case 'n':
			if (parse_u64(optarg, 1, 100000000, &a->pairs))
				return -EINVAL;
			break;
		case 'c':
			if (parse_u64(optarg, 1, MEMALLOC_BENCH_MAX_ITER, &v))
				return -EINVAL;
			a->chunk = v;
			break;
		case 'r':
			if (parse_u64(optarg, 1, 100, &v))
				return -EINVAL;
			a->reps = v;
			break;
		case 'w':
			if (parse_u64(optarg, 0, 600000, &v))
				return -EINVAL;
			a->pause_ms = v;
			break;
		case 'S':
			a->stop = true;
			break;
		case 'R':
			if (parse_u64(optarg, 1, 1000000000, &a->rate))
				return -EINVAL;
			break;
		case 'B':
			if (parse_u64(optarg, 1, 10000000, &a->burst_us))
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One repetition: @a->pairs pairs; prints its line (into stdout's buffer) */
static int loop__rep(int fd, const struct loop_args *a, uint32_t rep)
{
	uint64_t done = 0, ioctls = 0, wall = 0, loop = 0, failures = 0, late = 0;
	uint64_t burst = a->rate ? pace__burst(a->rate, a->burst_us, a->chunk) : a->chunk;
	uint64_t start = now_ns(), burst_ns = a->burst_us * 1000;
	int err;

	while (done < a->pairs) {
		struct memalloc_bench_loop b = { .kind = a->kind, .size = a->size };
		uint64_t t0;

		b.iterations = a->pairs - done < burst ? a->pairs - done : burst;
		if (a->rate) {
			uint64_t due = start + pace__due_ns(done, a->rate);
			struct timespec ts = { due / 1000000000ULL, due % 1000000000ULL };

			t0 = now_ns();
			if (t0 < due)
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			else if (t0 - due > burst_ns)
				late++;
		}
		t0 = now_ns();
		err = device__ioctl(fd, MEMALLOC_IOC_BENCH_LOOP, &b);
		wall += now_ns() - t0;
		if (err) {
			warn("MEMALLOC_IOC_BENCH_LOOP of %u pairs: %s%s\n", b.iterations,
			     strerror(-err), err == -ENOTTY ? " (memalloc.ko too old?)" : "");
			return err;
		}
		failures += b.failures;
		loop += b.loop_ns;
		done += b.iterations;
		ioctls++;
	}
	printf("rep=%u pairs=%llu ioctls=%llu failures=%llu loop_ns=%llu wall_ns=%llu "
	       "ns_per_pair=%.1f loop_events=%llu", rep,
	       (unsigned long long)done, (unsigned long long)ioctls,
	       (unsigned long long)failures, (unsigned long long)loop, (unsigned long long)wall,
	       (double)loop / done, (unsigned long long)(2 * (done - failures)));
	if (a->rate)
		printf(" rate=%.0f target=%llu late=%llu", pace__rate(2 * done, now_ns() - start),
		       (unsigned long long)a->rate, (unsigned long long)late);
	putchar('\n');
	return failures ? -ENOMEM : 0;
}

int main(int argc, char **argv)
{
	static char out[1 << 16];
	struct timespec pause;
	struct loop_args a;
	uint32_t rep;
	int fd, err = 0;

	if (parse_args(argc, argv, &a)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	pause = (struct timespec){ a.pause_ms / 1000, (a.pause_ms % 1000) * 1000000L };
	fd = device__open();
	if (fd < 0)
		return exit_status_of(fd);
	/* Touched now: no page of it is faulted in between the stops. */
	memset(out, ' ', sizeof(out));
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	if (a.stop)
		raise(SIGSTOP);
	for (rep = 1; rep <= a.reps && !err; rep++) {
		if (rep > 1)
			nanosleep(&pause, NULL);
		err = loop__rep(fd, &a, rep);
	}
	if (a.stop)
		raise(SIGSTOP);
	close(fd);
	fflush(stdout);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
