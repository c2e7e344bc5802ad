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
# "allocations A, pages compared P: agreed G, disagreed D, untraced U"
counts=$(sed -n 's/^allocations \([0-9]*\), pages compared \([0-9]*\): agreed \([0-9]*\), disagreed \([0-9]*\), untraced \([0-9]*\)$/\1 \2 \3 \4 \5/p' /tmp/cmp)
set -- $counts
is "${1-}" 1000 "1000 allocations compared"
ge "${2-}" 1000 "at least a page each compared (${2:-?} pages)"
is "${3:-missing}" "${2:-?}" "every compared page agreed"
is "${4-}" 0 "no page disagreed"
is "${5-}" 0 "no page untraced"
# "ring buffer drops R, recursion misses M, truncated page lists T"
counts=$(sed -n 's/^ring buffer drops \([0-9]*\), recursion misses [0-9]*, truncated page lists \([0-9]*\)$/\1 \2/p' /tmp/cmp)
set -- $counts
is "${1-}" 0 "no ring-buffer drops"
is "${2-}" 0 "no truncated page list"
match "$(cat /tmp/cmp)" '^verdict: agree' "verdict: agree"
frees=$(sed -n 's/.*frees traced \([0-9]*\) of \([0-9]*\).*/\1 \2/p' /tmp/cmp)
is "$frees" "1000 1000" "every free was traced (traced, of)"

# Every kind took part.
memtrace run --count 14 --json > /tmp/run.json 2> /tmp/run.err
rc=$?
is "$rc" 0 "run --json exits 0"
match "$(cat /tmp/run.json)" '^\{"schema":"memtrace/1","cmd":"run"' \
	"run --json prints one document with its schema"
kinds=$(grep -o '"kind":"[a-z_]*"' /tmp/run.json | sort -u | wc -l)
is "$kinds" 7 "run covers all 7 kinds"
verdicts=$(grep -o '"verdict":"[A-Za-z]*"' /tmp/run.json | sort | uniq -c)
no_match "$verdicts" '"DISAGREE"' "no allocation in the JSON report disagrees"
no_match "$verdicts" '"untraced"' "no allocation in the JSON report is untraced"

# --- --bpf-walk: BPF's own page-table walk equals the module's WALK ----------
memtrace compare --bpf-walk --count 1000 --size 64,1000,4096,12288,65536 > /tmp/bw 2> /tmp/bw.err
rc=$?
sed 's/^/#   /' /tmp/bw
is "$rc" 0 "compare --bpf-walk over 1000 allocations of every kind exits 0"
# "BPF walk vs module walk: N pages, agreed N, differed N, not walked N"
counts=$(sed -n 's/^BPF walk vs module walk: \([0-9]*\) pages, agreed \([0-9]*\), differed \([0-9]*\), not walked \([0-9]*\)$/\1 \2 \3 \4/p' /tmp/bw)
set -- $counts
ge "${1-}" 1000 "BPF walk: at least a page each compared (${1:-?} pages)"
is "${2:-missing}" "${1:-?}" "BPF walk: level and PFN equal to the module's WALK on every page"
is "${3-}" 0 "BPF walk: no page differs"
is "${4-}" 0 "BPF walk: every page walked"
match "$(cat /tmp/bw)" '^BPF walks cut short 0 ' "BPF walk: no walk cut short, and it says so"
match "$(cat /tmp/bw)" '^verdict: agree' "compare --bpf-walk: verdict agree"
match "$(cat /tmp/bw)" 'walk_pages [1-9]' "compare --bpf-walk: walk records received"
no_match "$(cat /tmp/cmp)" 'BPF walk' "without --bpf-walk no BPF walk is reported"
no_match "$(cat /tmp/cmp)" 'walk_pages' "without --bpf-walk no walk records are sent"
match "$(memtrace run --help)" 'bpf-walk' "memtrace run --help explains --bpf-walk"

# --- a missing event is untraced, never a match ------------------------------
memtrace compare --kind kmalloc --size 64 --count 20 --trace-min-size 4096 > /tmp/untr 2>&1
rc=$?
is "$rc" 1 "compare exits 1 when events are missing"
counts=$(sed -n 's/.*: agreed \([0-9]*\), disagreed \([0-9]*\), untraced \([0-9]*\)$/\1 \2 \3/p' /tmp/untr)
set -- $counts
is "${3-}" 20 "20 pages without events are counted untraced"
is "${1-}" 0 "... not agreed"
is "${2-}" 0 "... not disagreed"
# Recursion misses (events the BPF tracer could not take) make an untraced
# run "incomplete" (test_correlate): which of the two depends on the run.
misses=$(sed -n 's/^ring buffer drops [0-9]*, recursion misses \([0-9]*\),.*/\1/p' /tmp/untr)
if [ "${misses:-0}" = 0 ]; then want=untraced; else want=incomplete; fi
match "$(cat /tmp/untr)" "^verdict: $want" \
	"the verdict says $want, never agree (recursion misses: ${misses:-?})"

# --- the call-site filter: only memalloc.ko's calls ----------------------------
memtrace compare --module-callers --kind kmalloc,kvmalloc,vmalloc,kmem_cache \
	--size 64,8K,64K --count 30 > /tmp/mc 2>&1
is "$?" 0 "compare --module-callers: the module's own allocations all agree (kvmalloc too)"
n=$(sed -n 's/^events: kmalloc \([0-9]*\),.*/\1/p' /tmp/mc)
m=$(memtrace compare --kind kmalloc,vmalloc,kmem_cache --count 30 2>&1 |
	sed -n 's/^events: kmalloc \([0-9]*\),.*/\1/p')
lt "$n" "$m" "the filter drops kmalloc events of other callers ($n < $m)"

# --- vmalloc physical pages: 4K entries, PFNs traced from vm_struct ---------
memtrace run --kind vmalloc --size 64K --count 3 --pages > /tmp/vm 2>&1
n=$(grep -c '^  0x[0-9a-f]* 0x[0-9a-f]* 0x[0-9a-f]* ' /tmp/vm)
is "$n" 48 "vmalloc 64K x 3: 48 page lines"
n=$(grep -c '^  0x[0-9a-f]* [^ ]* [^ ]* 4K ' /tmp/vm)
is "$n" 48 "vmalloc 64K x 3: all 48 pages 4K"
n=$(grep -c '^  0x[0-9a-f]* 0x[0-9a-f]* 0x[0-9a-f]* .* =$' /tmp/vm)
is "$n" 48 "vmalloc 64K x 3: all 48 traced = walked"

# --- --hold keeps the allocations visible from outside -----------------------
mkfifo /tmp/hold
memtrace run --kind vmalloc --size 8K --count 2 --hold < /tmp/hold > /tmp/held 2>&1 &
pid=$!
exec 3> /tmp/hold
# A hang guard, not a time limit: up to 2 minutes for "holding".
i=0
while [ $i -lt 600 ] && ! grep -q holding /tmp/held && kill -0 $pid 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
done
match "$(cat /tmp/held)" holding "run --hold says it is holding"
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
match "$(memtrace --help)" '^  run ' "memtrace --help lists run"
match "$(memtrace run --help)" EXAMPLES "memtrace run --help has examples"
memtrace run --kind kmem_cache --size 64K --count 1 > /tmp/e 2>&1
is "$?" 1 "a kmem_cache of 64K objects is refused: exit 1"
match "$(cat /tmp/e)" 'ALLOC kmem_cache 65536: Invalid argument' \
	"a kmem_cache of 64K objects is refused with a clear error"

# --- missing pieces: one clear line ------------------------------------------
umount /sys/fs/bpf || bail "cannot unmount /sys/fs/bpf"
memtrace run --count 1 > /tmp/e 2>&1
rc=$?
mount -t bpf bpf /sys/fs/bpf || bail "cannot mount /sys/fs/bpf again"
is "$rc" 4 "without bpffs: exit 4 (this system cannot)"
match "$(cat /tmp/e)" 'bpffs is not mounted' "without bpffs: a clear error"

su -s /bin/sh nobody -c 'memtrace run --count 1' > /tmp/e 2>&1
is "$?" 4 "as a user: exit 4 (this system cannot)"
match "$(cat /tmp/e)" 'needs root' "as a user: 'needs root'"

rmmod memalloc || bail "cannot unload memalloc.ko"
memtrace run --count 1 > /tmp/e 2>&1
rc=$?
# The later tests of this boot need the module back.
insmod /lib/modules/memalloc.ko demo=0 || bail "cannot load memalloc.ko again"
is "$rc" 4 "without the module: exit 4 (this system cannot)"
match "$(cat /tmp/e)" 'is memalloc\.ko loaded\?' "without the module: 'is memalloc.ko loaded?'"

done_testing
