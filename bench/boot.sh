#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The build and boot times of `make bench`: `make run` (boot, demo,
# memtrace zones and memtrace run, power off) N times, then one warm
# `make rebuild` (the kernel fetched, the caches warm).  Run from the top of
# the tree; wall times in milliseconds, one line each, for bench/report.sh:
#   boot run I MS
#   boot demo I MS
#   boot floor I MS
#   boot rebuild 1 MS
#
#   boot.sh [N] [MAKE ARGS...]      (N defaults to 5)
#
# Beside each make run, interleaved with it, two boots that split its time:
# "demo", make run with nothing after the demo (RUN_CMD=true: the kernel,
# memtrace's archive, /init, memalloc.ko), and "floor", make run's kernel
# and QEMU with an archive whose /init powers off at once: what this host
# takes to boot and stop any guest, which no change to memtrace can lower.
set -eu

runs=${1:-5}
[ $# = 0 ] || shift
ms() { echo $(($(date +%s%N) / 1000000)); }
busybox=${BUSYBOX:-/bin/busybox}

# The floor's archive: busybox and an /init that reports success (qemu.sh
# counts a guest that reports no exit status as failed) and powers off
tmp=$(mktemp -d /tmp/memtrace-floor.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/init" <<-'INIT'
	#!/bin/busybox sh
	/bin/busybox mkdir -p /dev
	/bin/busybox mount -t devtmpfs devtmpfs /dev
	echo "memtrace-exit-status: 0" > /dev/ttyS1
	/bin/busybox poweroff -f
INIT
chmod 0755 "$tmp/init"
rootfs/mkinitramfs.sh --only "$tmp/floor.cpio" "$busybox:/bin/busybox" "$tmp/init:/init"

# boot NAME I MAKE-ARGS...: one make run, timed
boot() {
	name=$1 i=$2
	shift 2
	t0=$(ms)
	make run "$@" > /dev/null 2>&1 || { echo "bench/boot: make run ($name) failed" >&2; exit 1; }
	echo "boot $name $i $(($(ms) - t0))"
}

i=1
while [ "$i" -le "$runs" ]; do
	boot run "$i" "$@"
	boot demo "$i" "$@" RUN_CMD=true
	boot floor "$i" "$@" RUN_CMD=true GUEST_CPIO="$tmp/floor.cpio"
	i=$((i + 1))
done
t0=$(ms)
make rebuild "$@" > /dev/null 2>&1 || { echo "bench/boot: make rebuild failed" >&2; exit 1; }
echo "boot rebuild 1 $(($(ms) - t0))"
