#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The build and boot times of `make bench`: `make run` (boot, demo,
# memtrace zones and memtrace run, power off) N times, then one warm
# `make rebuild` (the kernel fetched, the caches warm).  Run from the top of
# the tree; wall times in milliseconds, one line each, for bench/report.sh:
#   boot run I MS
#   boot rebuild 1 MS
#
#   boot.sh [N] [MAKE ARGS...]      (N defaults to 5)
set -eu

runs=${1:-5}
[ $# = 0 ] || shift
ms() { echo $(($(date +%s%N) / 1000000)); }

i=1
while [ "$i" -le "$runs" ]; do
	t0=$(ms)
	make run "$@" > /dev/null 2>&1 || { echo "bench/boot: make run failed" >&2; exit 1; }
	echo "boot run $i $(($(ms) - t0))"
	i=$((i + 1))
done
t0=$(ms)
make rebuild "$@" > /dev/null 2>&1 || { echo "bench/boot: make rebuild failed" >&2; exit 1; }
echo "boot rebuild 1 $(($(ms) - t0))"
