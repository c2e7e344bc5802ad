#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Last in every boot: the kernel's own bug catchers found nothing.  On the
# debug kernel kmemleak scans first (twice, after objects are old enough to
# be reported); then the whole kernel log of this boot is searched for the
# reports of KASAN, kmemleak, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# WARN and BUG.  Each kind is its own assertion and shows the lines found.
. /tests/lib.sh

leaks=/sys/kernel/debug/kmemleak
if [ -w "$leaks" ]; then
	sleep 6		# kmemleak reports objects older than 5 s
	echo scan > "$leaks"
	echo scan > "$leaks"
	cat "$leaks" > /tmp/leaks
	n=$(grep -c '^unreferenced object' /tmp/leaks)
	[ "$n" = 0 ] || head -n 60 /tmp/leaks | sed 's/^/#   /'
	is "$n" 0 "kmemleak: no unreferenced object after two scans"
else
	skip "kmemleak: not in this kernel (make test KERNEL=debug)"
fi

dmesg > /tmp/klog
# check NAME ERE: no line of the kernel log matches
check() {
	n=$(grep -cE "$2" /tmp/klog)
	[ "$n" = 0 ] || grep -E -A12 "$2" /tmp/klog | head -n 40 | sed 's/^/#   /'
	is "$n" 0 "kernel log: no $1"
}
check "KASAN report" 'BUG: KASAN|KASAN: '
check "kmemleak report" 'kmemleak: .*(new suspected memory leak|Cannot allocate|disabled)'
check "lockdep report" 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lock held when returning|bad unlock balance|BUG: held lock freed|INFO: possible irq lock inversion'
check "sleep in atomic context" 'sleeping function called from invalid context|scheduling while atomic'
check "debugobjects report" 'ODEBUG: '
check "WARN" 'WARNING: CPU: |------------\[ cut here \]'
check "BUG or oops" 'BUG: |kernel BUG at|Oops: |general protection fault|Unable to handle'
check "UBSAN report" 'UBSAN: '
done_testing
