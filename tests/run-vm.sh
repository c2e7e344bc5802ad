#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot the guest as few times as possible and run the guest tests:
#   1. the default guest (one node): every test;
#   2. NUMA=2 (256 MiB, 2 vCPUs): the tests that depend on the topology;
#   3. a CPU with LA57 (QEMU -cpu max): 5-level paging for the walker.
# A boot that hangs, panics or ends without "# guest tests done" is a
# failure of its own.
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

boot numa1 "" ""
boot numa2 "-n 2 -m 256M -s 2" "01-demo.sh 30-study.sh"
boot la57 "-a '-cpu max'" "01-demo.sh 05-paging.sh 10-memalloc"
exit $rc
