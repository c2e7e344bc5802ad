#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace record/report on the real kernel: known allocations made through
# /dev/memalloc while record runs a command show in the report's module
# rows with exactly their counts, bytes and pages; nothing is lost; the
# file is complete and self-contained; bad input gets one clear line.
. /tests/lib.sh

if ! [ -e /sys/kernel/btf/vmlinux ]; then
	echo "# SKIP kernel without BTF"
	exit 4
fi

diag "$(free -m | head -n 2)"
memtrace record -o /tmp/a.mtr -- sh -c \
	'memtrace run --kind kmalloc --size 777 --count 1000 && \
	 memtrace run --kind vmalloc --size 16K --count 100' > /dev/null 2> /tmp/rec.err
is "$?" 0 "record -- CMD exits with CMD's status (0)"
diag "$(cat /tmp/rec.err)"
match "$(head -n 3 /tmp/a.mtr)" '^kernel [0-9]' "the file's header names the kernel"
is "$(tail -n 1 /tmp/a.mtr)" "end" "the file ends with its \"end\" line"
match "$(cat /tmp/rec.err)" '^[0-9]+ records in /tmp/a.mtr, ' "record says how many records"

memtrace -j report /tmp/a.mtr > /tmp/a.json 2> /tmp/rep.err
is "$?" 0 "report -j exits 0"
json_rows /tmp/a.json > /tmp/rows
diag "$(grep '\[memalloc\]' /tmp/rows)"
k1=$(slab_size kmalloc-1k 1024)
set -- $(grep '\[memalloc\]|kmalloc|' /tmp/rows | awk -F'|' '$5 == 777000 { print $3, $4, $6 }')
is "${1-}" 1000 "the module's kmalloc(777) row: 1000 allocations"
is "${2-}" 1000 "the module's kmalloc(777) row: 1000 frees"
is "${3-}" $((1000 * k1)) "the module's kmalloc(777) row: kmalloc-1k's $k1 bytes each"
set -- $(grep '\[memalloc\]|vmalloc|' /tmp/rows | awk -F'|' '$5 == 1638400 { print $3, $4, $6 }')
is "${1-}" 100 "the module's vmalloc(16K) row: 100 allocations"
is "${2-}" 100 "the module's vmalloc(16K) row: 100 frees"
is "${3-}" 1638400 "the module's vmalloc(16K) row: 4 pages each"
drops=$(grep -o '"drops":[0-9]*' /tmp/a.json | cut -d: -f2)
is "$drops" 0 "no record dropped"
match "$(grep -o '"multi_runs":[0-9]*' /tmp/a.json | head -n 1)" '"multi_runs":[0-9]+' \
	"rows carry the contiguity of multi-page allocations"

memtrace report /tmp/a.mtr > /tmp/a.txt 2>&1
is "$?" 0 "report (tables) exits 0"
match "$(head -n 3 /tmp/a.txt)" '^[0-9]+ records, [0-9]+ allocations, over ' \
	"the report's head: records, allocations, duration"
if grep -q '"complete":false' /tmp/a.json; then
	match "$(head -n 1 /tmp/a.txt)" '^LOSSES: ' "a recording with losses says so first"
else
	match "$(head -n 1 /tmp/a.txt)" '^memtrace report - .* no losses$' \
		"a recording without losses says so in its first line"
fi
match "$(cat /tmp/a.txt)" '^Contiguity of multi-page allocations' "the contiguity table"

# --- page callers: memtrace's unwinder, and checked against the kernel's stacks
# Its table comes from /proc/kcore: without it (the debug kernel has no
# CONFIG_PROC_KCORE) the kernel's stacks name the callers, and -v says why.
unwinder=
[ -r /proc/kcore ] && unwinder=1
no_unwinder="no /proc/kcore: the kernel's stacks name page callers"
memtrace record -v -o /tmp/p.mtr -- memtrace run --kind alloc_pages --size 4K --count 500 \
	> /dev/null 2> /tmp/recp.err
is "$?" 0 "record -- memtrace run --kind alloc_pages exits 0"
if [ -n "$unwinder" ]; then
	match "$(cat /tmp/recp.err)" "page callers: memtrace's unwinder" \
		"record names page callers with memtrace's unwinder"
	# with the kfunc bpf_rdonly_cast() (6.2 on), plain loads read the
	# stack: its name in the kernel's BTF (its strings) says whether
	if grep -q -a bpf_rdonly_cast /sys/kernel/btf/vmlinux; then
		how="stack read by loads"
	else
		how="stack read by bpf_probe_read_kernel"
	fi
	match "$(cat /tmp/recp.err)" "memtrace's unwinder \\($how\\)" \
		"kernel $(uname -r): the unwinder's $how"
else
	match "$(cat /tmp/recp.err)" "page callers from the kernel's stacks: no ORC table" \
		"without /proc/kcore, record -v says the kernel's stacks name page callers"
fi
memtrace -j report /tmp/p.mtr > /tmp/p.json 2> /dev/null
json_rows /tmp/p.json > /tmp/prows
diag "$(grep '|alloc_pages|' /tmp/prows | head -n 5)"
n=$(grep '\[memalloc\]|alloc_pages|' /tmp/prows | awk -F'|' '{ s += $3 } END { print s + 0 }')
is "$n" 500 "the module's alloc_pages row: 500 allocations"
diag "page callers left to the kernel's stacks: $(grep -o '"unwind_slow":[0-9]*' /tmp/p.json)"

memtrace record --stacks -o /tmp/p.mtr -- memtrace run --kind alloc_pages --size 4K \
	--count 500 > /dev/null 2> /tmp/recp.err
is "$?" 0 "record --stacks -- memtrace run --kind alloc_pages exits 0"
memtrace -j report /tmp/p.mtr > /tmp/p.json 2> /dev/null
checked=$(grep -o '"callers_checked":[0-9]*' /tmp/p.json | cut -d: -f2)
differ=$(grep -o '"callers_differ":[0-9]*' /tmp/p.json | cut -d: -f2)
memtrace report /tmp/p.mtr > /tmp/p.txt 2>&1
if [ -n "$unwinder" ]; then
	ge "${checked:-0}" 500 \
		"--stacks: page callers checked against the kernel's stacks (${checked:-none})"
	is "${differ-}" 0 "--stacks: memtrace's unwinder and the kernel's stack name the same callers"
	match "$(cat /tmp/p.txt)" "^Page callers: memtrace's unwinder and the kernel's stack name the same caller for [0-9]+ of [0-9]+" \
		"report says how many page callers the stacks confirm"
else
	for i in 1 2 3; do
		skip "$no_unwinder: nothing to check against"
	done
fi
json_rows /tmp/p.json > /tmp/prows
n=$(grep '\[memalloc\]|alloc_pages|' /tmp/prows | awk -F'|' '{ s += $3 } END { print s + 0 }')
# without the unwinder, named by their stack: all 500 or none (below)
lost=$(grep -o '"stacks_lost":[0-9]*' /tmp/p.json | cut -d: -f2)
diag "--stacks: stacks lost: ${lost:-none}"
if [ -z "$unwinder" ] && [ "$n" = 0 ] && [ "${lost:-0}" -ge 500 ]; then
	skip "--stacks: the module's stack lost to a bucket collision ($lost lost)"
else
	is "$n" 500 "--stacks: the module's alloc_pages rows: 500 allocations"
fi

# A kretprobe on the page allocator's entry puts a return trampoline in
# place of its caller's return address: memtrace's unwinder must leave
# those callers to the kernel's stack (which recovers the real one)
K=/sys/kernel/tracing
fn=alloc_pages_noprof
grep -q " $fn\$" /proc/kallsyms || fn=alloc_pages
if echo "r:memtrace_ret $fn" >> $K/kprobe_events 2>/dev/null &&
   echo 1 > $K/events/kprobes/memtrace_ret/enable; then
	memtrace record --stacks -o /tmp/p.mtr -- memtrace run --kind alloc_pages --size 4K \
		--count 200 > /dev/null 2> /tmp/recp.err
	echo 0 > $K/events/kprobes/memtrace_ret/enable
	echo "-:memtrace_ret" >> $K/kprobe_events
	memtrace -j report /tmp/p.mtr > /tmp/p.json 2> /dev/null
	slow=$(grep -o '"unwind_slow":[0-9]*' /tmp/p.json | cut -d: -f2)
	differ=$(grep -o '"callers_differ":[0-9]*' /tmp/p.json | cut -d: -f2)
	if [ -n "$unwinder" ]; then
		ge "${slow:-0}" 200 \
			"a kretprobe on $fn: its callers left to the kernel's stacks (${slow:-none})"
		is "${differ-}" 0 "a kretprobe on $fn: no caller named wrong"
	else
		skip "$no_unwinder"
		skip "$no_unwinder"
	fi
	json_rows /tmp/p.json > /tmp/prows
	n=$(grep '\[memalloc\]|alloc_pages|' /tmp/prows | awk -F'|' '{ s += $3 } END { print s + 0 }')
	# named by their stack, which one bucket collision loses for all 200 (below)
	lost=$(grep -o '"stacks_lost":[0-9]*' /tmp/p.json | cut -d: -f2)
	if [ "$n" = 0 ] && [ "${lost:-0}" -ge 200 ]; then
		skip "a kretprobe on $fn: the module's stack lost to a bucket collision ($lost lost)"
	else
		is "$n" 200 "a kretprobe on $fn: the module's 200 page allocations in its rows"
	fi
else
	for i in 1 2 3; do
		skip "no kretprobe event on $fn (tracefs kprobe_events)"
	done
fi

memtrace record --kernel-unwind -o /tmp/p.mtr -- memtrace run --kind alloc_pages --size 4K \
	--count 500 > /dev/null 2> /tmp/recp.err
is "$?" 0 "record --kernel-unwind exits 0"
if [ -n "$unwinder" ]; then
	no_match "$(cat /tmp/recp.err)" "page callers: memtrace's unwinder" \
		"--kernel-unwind: not memtrace's unwinder"
else
	skip "$no_unwinder anyway"
fi
memtrace -j report /tmp/p.mtr > /tmp/p.json 2> /dev/null
json_rows /tmp/p.json > /tmp/prows
n=$(grep '\[memalloc\]|alloc_pages|' /tmp/prows | awk -F'|' '{ s += $3 } END { print s + 0 }')
# The kernel's stacks share a stack map whose buckets take one stack each
# (16384): a stack whose bucket another stack holds is lost each time, and
# counted.  The module's 500 share one stack: all in its row, or all lost.
lost=$(grep -o '"stacks_lost":[0-9]*' /tmp/p.json | cut -d: -f2)
diag "--kernel-unwind: stacks lost: ${lost:-none}"
if [ "$n" = 0 ] && [ "${lost:-0}" -ge 500 ]; then
	skip "--kernel-unwind: the module's stack lost to a bucket collision ($lost lost)"
else
	is "$n" 500 "--kernel-unwind: the module's alloc_pages row, from the stacks: 500 allocations"
fi
rm -f /tmp/p.mtr /tmp/p.json /tmp/p.txt /tmp/prows

# --- the BPF JIT off: the programs need it (bpf_loop()'s callbacks) -----------------
jit=$(cat /proc/sys/net/core/bpf_jit_enable 2> /dev/null)
if [ "$jit" = 1 ] && echo 0 > /proc/sys/net/core/bpf_jit_enable 2> /dev/null; then
	memtrace record -o /tmp/j.mtr -- true > /dev/null 2> /tmp/jit.err
	rc=$?
	echo 1 > /proc/sys/net/core/bpf_jit_enable
	isnt "$rc" 0 "the BPF JIT off: record fails"
	match "$(cat /tmp/jit.err)" "the BPF JIT is off, and they need it" \
		"the BPF JIT off: record says the programs need it"
	rm -f /tmp/j.mtr
else
	skip "the BPF JIT not on here, or not switchable ($jit)"
	skip "the BPF JIT not on here, or not switchable ($jit)"
fi

# --- -d SECS, and bad input ---------------------------------------------------------
memtrace record -o /tmp/d.mtr -d 1 > /dev/null 2>&1
is "$?" 0 "record -d 1 exits 0"
is "$(tail -n 1 /tmp/d.mtr)" "end" "record -d 1 writes a whole file"
memtrace record -d 1 > /dev/null 2> /tmp/bad.err
is "$?" 64 "record without -o: exit 64"
memtrace report /tmp/nothing.mtr > /dev/null 2> /tmp/bad.err
is "$?" 1 "report of a missing file: exit 1"
memtrace report /proc/zoneinfo > /dev/null 2> /tmp/bad.err
is "$?" 1 "report of another file: exit 1"
match "$(cat /tmp/bad.err)" 'not a memtrace record file' "... saying it is not a recording"
size=$(wc -c < /tmp/a.mtr)
head -c $((size / 2)) /tmp/a.mtr > /tmp/cut.mtr
memtrace report /tmp/cut.mtr > /dev/null 2> /tmp/bad.err
is "$?" 1 "report of a file cut short: exit 1"
match "$(cat /tmp/bad.err)" 'ends inside the records|truncated' "... saying where it ends"

# the recordings live in the guest's RAM (tmpfs): leave it as it was
rm -f /tmp/a.mtr /tmp/d.mtr /tmp/cut.mtr /tmp/a.json /tmp/a.txt
done_testing
