/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the one way a long command learns it should stop (Ctrl-C,
 * SIGTERM), and the monotonic clock its loops measure with.
 */
#ifndef __MEMTRACE_STOP_H
#define __MEMTRACE_STOP_H

#include <signal.h>

/* Set by SIGINT and SIGTERM once stop__catch() ran */
extern volatile sig_atomic_t stop_requested;

/* SIGINT and SIGTERM set stop_requested (and interrupt a sleep or poll) */
void stop__catch(void);

/* CLOCK_MONOTONIC in seconds */
double mono_s(void);

#endif /* __MEMTRACE_STOP_H */
