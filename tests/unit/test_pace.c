// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of bench-loop's pacing (bench/pace.h): the pairs per burst,
 * when each burst is due, the rate achieved.
 */
#include "../../bench/pace.h"
#include "tap.h"

static void test_burst(void)
{
	tap_eq_u64(pace__burst(200000, 10000, 100000), 1000,
		   "burst: 10 ms at 200000 events/s is 2000 events, 1000 pairs");
	tap_eq_u64(pace__burst(100, 10000, 100000), 1, "burst: at least one pair");
	tap_eq_u64(pace__burst(1, 1, 100000), 1, "burst: at least one pair, however slow");
	tap_eq_u64(pace__burst(100000000, 10000000, 100000), 100000,
		   "burst: at most one ioctl's pairs");
	tap_eq_u64(pace__burst(1000000000, 10000000, 100000), 100000,
		   "burst: the largest options do not overflow");
}

static void test_due(void)
{
	tap_eq_u64(pace__due_ns(0, 1000), 0, "due: the first burst at once");
	tap_eq_u64(pace__due_ns(500, 1000), 1000000000ULL,
		   "due: 500 pairs at 1000 events/s take one second");
	tap_eq_u64(pace__due_ns(1, 3), 666666666ULL, "due: 2/3 s, rounded down");
	tap_eq_u64(pace__due_ns(4, 3), 2666666666ULL, "due: 8/3 s, rounded down");
	tap_eq_u64(pace__due_ns(100000000, 1), 200000000000000000ULL,
		   "due: 1e8 pairs at 1 event/s: 2e8 s, no overflow");
	tap_eq_u64(pace__due_ns(100000000, 999999999), 200000000ULL,
		   "due: 1e8 pairs at 999999999 events/s: 0.2 s (rounded down)");
	tap_le_u64(pace__due_ns(999, 1000), pace__due_ns(1000, 1000), "due: never earlier for more pairs");
}

static void test_rate(void)
{
	tap_near(pace__rate(2000000, 2000000000ULL), 1000000, 1e-6,
		 "rate: 2M events in 2 s is 1M/s");
	tap_near(pace__rate(5, 0), 0, 0, "rate: no time, no rate");
}

int main(void)
{
	test_burst();
	test_due();
	test_rate();
	return tap_finish();
}
