#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace run/compare on the real kernel: the BPF tracer and the module's
# walks agree on every page of 1000 mixed allocations; a missing event is
# reported as untraced, never as a match; bad input and a missing module or
# bpffs give one clear error line and the right exit status.
. /tests/lib.sh

if ! [ -e /sys/kernel/btf/vmlinux ]; then
	echo "# SKIP kernel without BTF"
	exit 4
fi

# --- 1000 allocations of mixed kinds and sizes: full agreement -------------
memtrace compare --count 1000 --size 64,1000,4096,12288,65536 > /tmp/cmp 2> /tmp/cmp.err
rc=$?
sed 's/^/#   /' /tmp/cmp
is "$rc" 0 "compare over 1000 mixed allocations exits 0"
grep -q '^allocations 1000, pages compared [0-9]*: agreed [0-9]*, disagreed 0, untraced 0$' /tmp/cmp
ok $? "1000 allocations compared, none disagreed, none untraced"
pages=$(sed -n 's/^allocations 1000, pages compared \([0-9]*\): agreed \([0-9]*\),.*/\1 \2/p' /tmp/cmp)
set -- $pages
[ "${1:-0}" -ge 1000 ] && [ "$1" = "$2" ]
ok $? "every compared page agreed (${1:-?} pages)"
grep -q '^ring buffer drops 0, recursion misses [0-9]*, truncated page lists 0$' /tmp/cmp
ok $? "no ring-buffer drops, no truncated page list"
grep -q '^verdict: agree' /tmp/cmp
ok $? "verdict: agree"
grep -q 'frees traced 1000 of 1000' /tmp/cmp
ok $? "every free was traced"

# Every kind took part.
memtrace run --count 14 --json > /tmp/run.json 2> /tmp/run.err
rc=$?
is "$rc" 0 "run --json exits 0"
grep -q '^{"schema":"memtrace/1","cmd":"run"' /tmp/run.json
ok $? "run --json prints one document with its schema"
kinds=$(grep -o '"kind":"[a-z_]*"' /tmp/run.json | sort -u | wc -l)
is "$kinds" 7 "run covers all 7 kinds"
grep -q '"verdict":"DISAGREE"\|"verdict":"untraced"' /tmp/run.json
[ $? != 0 ]
ok $? "no allocation in the JSON report disagrees or is untraced"

# --- a missing event is untraced, never a match ------------------------------
memtrace compare --kind kmalloc --size 64 --count 20 --trace-min-size 4096 > /tmp/untr 2>&1
rc=$?
is "$rc" 1 "compare exits 1 when events are missing"
grep -q 'agreed 0, disagreed 0, untraced 20$' /tmp/untr
ok $? "20 pages without events are counted untraced, not agreed"
grep -q '^verdict: untraced' /tmp/untr
ok $? "the verdict says untraced"

# --- the call-site filter: only memalloc.ko's calls ----------------------------
memtrace compare --module-callers --kind kmalloc,kvmalloc,vmalloc,kmem_cache \
	--size 64,8K,64K --count 30 > /tmp/mc 2>&1
is "$?" 0 "compare --module-callers: the module's own allocations all agree (kvmalloc too)"
n=$(sed -n 's/^events: kmalloc \([0-9]*\),.*/\1/p' /tmp/mc)
m=$(memtrace compare --kind kmalloc,vmalloc,kmem_cache --count 30 2>&1 |
	sed -n 's/^events: kmalloc \([0-9]*\),.*/\1/p')
[ -n "$n" ] && [ -n "$m" ] && [ "$n" -lt "$m" ]
ok $? "the filter drops kmalloc events of other callers ($n < $m)"

# --- vmalloc physical pages: 4K entries, PFNs traced from vm_struct ---------
memtrace run --kind vmalloc --size 64K --count 3 --pages > /tmp/vm 2>&1
n=$(grep -c '^  0x[0-9a-f]* 0x[0-9a-f]* 0x[0-9a-f]* 4K .* =$' /tmp/vm)
is "$n" 48 "vmalloc 64K x 3: 48 pages, all 4K, traced = walked"

# --- --hold keeps the allocations visible from outside -----------------------
mkfifo /tmp/hold
memtrace run --kind vmalloc --size 8K --count 2 --hold < /tmp/hold > /tmp/held 2>&1 &
pid=$!
exec 3> /tmp/hold
i=0
while [ $i -lt 100 ] && ! grep -q holding /tmp/held; do
	sleep 0.2
	i=$((i + 1))
done
n=$(grep -c '^handle [0-9]* vmalloc size 8192' /sys/kernel/debug/memalloc/allocations)
is "$n" 2 "with --hold the debugfs view shows the 2 allocations"
echo >&3
exec 3>&-
wait $pid
is "$?" 0 "Enter ends the hold; exit 0"
n=$(grep -c '^handle [0-9]* vmalloc size 8192' /sys/kernel/debug/memalloc/allocations)
is "$n" 0 "after the hold nothing is held"

# --- bad input -----------------------------------------------------------------
memtrace run --count 0 > /dev/null 2>&1
is "$?" 64 "run --count 0: usage error (64)"
memtrace run --kind nope > /dev/null 2>&1
is "$?" 64 "run --kind nope: usage error (64)"
memtrace run --size 12Q > /dev/null 2>&1
is "$?" 64 "run --size 12Q: usage error (64)"
memtrace frobnicate > /dev/null 2>&1
is "$?" 64 "unknown command: usage error (64)"
memtrace --help | grep -q '^  run '
ok $? "memtrace --help lists run"
memtrace run --help | grep -q EXAMPLES
ok $? "memtrace run --help has examples"
memtrace run --kind kmem_cache --size 64K --count 1 > /tmp/e 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q 'ALLOC kmem_cache 65536: Invalid argument' /tmp/e
ok $? "a kmem_cache of 64K objects is refused with a clear error"

# --- missing pieces: one clear line ------------------------------------------
umount /sys/fs/bpf
memtrace run --count 1 > /tmp/e 2>&1
rc=$?
mount -t bpf bpf /sys/fs/bpf
[ "$rc" = 4 ] && grep -q 'bpffs is not mounted' /tmp/e
ok $? "without bpffs: a clear error, exit 4 (exit $rc)"

su -s /bin/sh nobody -c 'memtrace run --count 1' > /tmp/e 2>&1
rc=$?
[ "$rc" = 4 ] && grep -q 'needs root' /tmp/e
ok $? "as a user: 'needs root', exit 4 (exit $rc)"

rmmod memalloc
memtrace run --count 1 > /tmp/e 2>&1
rc=$?
insmod /lib/modules/memalloc.ko demo=0
[ "$rc" = 4 ] && grep -q 'is memalloc.ko loaded?' /tmp/e
ok $? "without the module: 'is memalloc.ko loaded?', exit 4 (exit $rc)"

done_testing
