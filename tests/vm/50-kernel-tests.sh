#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The debug kernel's own allocator tests, built as modules and put in its
# initramfs: a workload nobody here wrote, with known counts.  test_vmalloc
# (lib/test_vmalloc.c) runs the tests of run_test_mask, each
# test_loop_count times, prints one "Summary:" line per test and refuses to
# stay loaded (-EAGAIN) by design; slub_kunit (lib/slub_kunit.c) runs as a
# KUnit suite whose TAP goes to the kernel log.
. /tests/lib.sh

dir=/lib/modules/kernel-tests
if [ ! -f $dir/test_vmalloc.ko ]; then
	echo "# SKIP the kernel's test modules come with the debug kernel (KERNEL=debug)"
	exit 4
fi

# fix_size_alloc_test (bit 0) and random_size_alloc_test (bit 3), 1000 loops each
mark=$(dmesg | wc -l)
insmod $dir/test_vmalloc.ko nr_threads=1 run_test_mask=0x9 test_loop_count=1000 \
	2> /tmp/tv.err
isnt "$?" 0 "test_vmalloc: insmod fails by design (the module returns -EAGAIN)"
match "$(cat /tmp/tv.err)" 'temporarily unavailable' "test_vmalloc: ... with EAGAIN"
dmesg | tail -n +$((mark + 1)) > /tmp/tv.log
for t in fix_size_alloc_test random_size_alloc_test; do
	match "$(cat /tmp/tv.log)" "Summary: $t passed: 1 failed: 0 repeat: 1 loops: 1000" \
		"test_vmalloc: $t passed, 1000 loops"
done
no_match "$(lsmod)" '^test_vmalloc' "test_vmalloc: not left loaded"

mark=$(dmesg | wc -l)
insmod $dir/kunit.ko
is "$?" 0 "kunit: loads"
insmod $dir/slub_kunit.ko
is "$?" 0 "slub_kunit: loads and runs"
dmesg | tail -n +$((mark + 1)) > /tmp/slub.log
match "$(cat /tmp/slub.log)" '# slub_test: pass:[0-9]+ fail:0 ' "slub_kunit: every case passed"
match "$(cat /tmp/slub.log)" 'ok [0-9]+ slub_test' "slub_kunit: the suite says ok"
rmmod slub_kunit
is "$?" 0 "slub_kunit: unloads"
rmmod kunit
is "$?" 0 "kunit: unloads"
done_testing
