#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the guest as few times as possible and run the guest tests:
#   1. the default guest (one node): every test;
#   2. NUMA=2 (256 MiB, 2 vCPUs): the tests that depend on the topology,
#      and record (its per-CPU rings merged across CPUs);
#   3. a CPU with LA57 (QEMU -cpu max): 5-level paging for the walker;
# then, on the host, that the console reaches a pipe line by line.
# A boot that hangs, panics or ends without "# guest tests done" is a
# failure of its own.  The first boot also brings a host file into /host/
# (make vm FILES=), which 06-host-files.sh checks.
#   run-vm.sh LOGDIR "QEMU COMMAND"
set -u
logdir=$1
qemu=$2
mkdir -p "$logdir"

rc=0
boot() {
	tag=$1
	extra=$2
	tests=$3
	log=$logdir/vm-$tag.log
	echo "# ---- guest boot: $tag"
	start=$(date +%s)
	# shellcheck disable=SC2086
	eval "$qemu $extra -l '$log' -c '/tests/run.sh $tests'"
	brc=$?
	echo "# guest boot $tag: exit $brc after $(( $(date +%s) - start ))s"
	if ! grep -q '^# guest tests done' "$log"; then
		echo "not ok - guest boot $tag did not finish (exit $brc)" | tee -a "$log"
		rc=1
	fi
	[ "$brc" = 0 ] || rc=1
}

# The guest prints a marker, then sleeps far longer than the marker may take
# to reach a reader of the pipe: it arrives only if nothing buffers the
# console (tr once did: the lines came when the guest ended).
console() {
	log=$logdir/host-console.log
	fifo=$logdir/console.fifo
	echo "# ---- console through a pipe" | tee "$log"
	rm -f "$fifo"
	mkfifo "$fifo"
	# shellcheck disable=SC2086
	setsid sh -c "$qemu -t 300 -c 'echo console-marker; sleep 600'" > "$fifo" 2>/dev/null &
	qpid=$!
	if timeout 120 grep -q -m1 console-marker < "$fifo"; then
		echo "ok 1 - console: the marker reached the pipe while the guest ran" | tee -a "$log"
	else
		echo "not ok 1 - console: no marker in the pipe within 120 s" | tee -a "$log"
		rc=1
	fi
	# The whole session: timeout(1) runs QEMU in a process group of its
	# own; TERM, which it passes on to QEMU
	pkill -TERM -s "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	rm -f "$fifo"
	echo "1..1" >> "$log"
}

boot numa1 "-f tests/vm/lib.sh" ""
boot numa2 "-n 2 -m 256M -s 2" "01-demo.sh 30-study.sh 80-top.sh 81-record.sh 99-kernel-log.sh"
boot la57 "-a '-cpu max'" "01-demo.sh 05-paging.sh 10-memalloc 70-vtop 99-kernel-log.sh"
console
exit $rc
