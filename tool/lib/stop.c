// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: stop requests and the monotonic clock (stop.h).
 */
#include <string.h>
#include <time.h>

#include "lib/stop.h"

volatile sig_atomic_t stop_requested;

static void stop__on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void stop__catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop__on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
