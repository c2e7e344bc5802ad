#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Last in every boot: the kernel's own bug catchers found nothing.  On the
# debug kernel kmemleak scans first (twice, after objects are old enough to
# be reported); then the kernel log of this boot, from memalloc.ko's first
# line (before it, memtrace has not run), is searched for the
# reports of KASAN, kmemleak, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# WARN and BUG.  Each kind is its own assertion and shows the lines found.
. /tests/lib.sh

leaks=/sys/kernel/debug/kmemleak
if [ -w "$leaks" ]; then
	sleep 6		# kmemleak reports objects older than 5 s
	echo scan > "$leaks"
	echo scan > "$leaks"
	cat "$leaks" > /tmp/leaks
	# KUnit test threads (comm "kunit_try_catch": the kernel's own
	# slub_kunit, 50-kernel-tests.sh) leak on purpose; all else counts.
	awk '/^unreferenced object/ { if (blk != "") print blk; blk = $0; next }
	     { blk = blk "\\n" $0 }
	     END { if (blk != "") print blk }' /tmp/leaks |
		grep -v 'comm "kunit_try_catch"' > /tmp/ours
	n=$(grep -c '^unreferenced object' /tmp/ours)
	[ "$n" = 0 ] || head -c 4000 /tmp/ours | sed 's/\\n/\n/g' | sed 's/^/#   /'
	is "$n" 0 "kmemleak: no unreferenced object after two scans (KUnit's own aside)"
else
	skip "kmemleak: not in this kernel (make test KERNEL=debug)"
fi

# From memalloc.ko's first line on: a report before it is the boot's, of
# the kernel alone (none of memtrace has run), shown but not counted (one
# came once, in an interrupt at boot of the debug kernel with LA57 under
# TCG).  No such line: the whole log.
dmesg > /tmp/klog-all
if grep -q 'memalloc' /tmp/klog-all; then
	awk 'f || /memalloc/ { f = 1; print }' /tmp/klog-all > /tmp/klog
	awk '/memalloc/ { exit } { print }' /tmp/klog-all |
		grep -E -A12 'BUG: |KASAN|WARNING: |UBSAN: ' | head -n 40 > /tmp/klog-boot
	[ -s /tmp/klog-boot ] && diag "the kernel's own, at boot, before memalloc.ko: $(cat /tmp/klog-boot)"
else
	cp /tmp/klog-all /tmp/klog
fi
# check NAME ERE: no line of the kernel log matches
check() {
	n=$(grep -cE "$2" /tmp/klog)
	[ "$n" = 0 ] || grep -E -A12 "$2" /tmp/klog | head -n 40 | sed 's/^/#   /'
	is "$n" 0 "kernel log: no $1"
}
check "KASAN report" 'BUG: KASAN|KASAN: '
check "kmemleak failure" 'kmemleak: .*(Cannot allocate|disabled|Kernel memory leak detector disabled)'
check "lockdep report" 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lock held when returning|bad unlock balance|BUG: held lock freed|INFO: possible irq lock inversion'
check "sleep in atomic context" 'sleeping function called from invalid context|scheduling while atomic'
check "debugobjects report" 'ODEBUG: '
check "WARN" 'WARNING: CPU: |------------\[ cut here \]'
check "BUG or oops" 'BUG: |kernel BUG at|Oops: |general protection fault|Unable to handle'
check "UBSAN report" 'UBSAN: '
done_testing
