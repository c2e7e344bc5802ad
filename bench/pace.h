/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-loop's pacing (--rate): the loop's pairs in bursts, each burst due
 * at the time the rate gives for the pairs before it (an absolute
 * schedule: a late burst is not made up for by a pause, the next ones run
 * at once until the loop is back on time).  Pure arithmetic, header only
 * (bench/loop.c is a static guest program; tests/unit/test_pace.c).
 *
 * A pair is two events (an alloc and a free): a rate of R events/s is
 * R / 2 pairs/s.
 */
#ifndef __MEMTRACE_BENCH_PACE_H
#define __MEMTRACE_BENCH_PACE_H

#include <stdint.h>

/*
 * Pairs per burst: the pairs of @burst_us microseconds at @rate events/s,
 * at least 1 and at most @max (one ioctl's limit)
 */
static inline uint64_t pace__burst(uint64_t rate, uint64_t burst_us, uint64_t max)
{
	uint64_t b = rate * burst_us / 2 / 1000000;

	if (b < 1)
		b = 1;
	return b > max ? max : b;
}

/*
 * When the burst after @done pairs is due, in ns after the start: the
 * time @done pairs (2 x @done events) take at @rate events/s
 */
static inline uint64_t pace__due_ns(uint64_t done, uint64_t rate)
{
	/* 2 * done * 1e9 / rate without overflow for done < 2^63 / 1e9 */
	return done / rate * 2000000000ULL + done % rate * 2000000000ULL / rate;
}

/* Events per second of @events in @ns (0 when @ns is 0) */
static inline double pace__rate(uint64_t events, uint64_t ns)
{
	return ns ? (double)events * 1e9 / (double)ns : 0;
}

#endif /* __MEMTRACE_BENCH_PACE_H */
