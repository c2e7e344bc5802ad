#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace top on the real kernel: known allocations made through
# /dev/memalloc while top -j runs appear in the module's rows with exactly
# their counts, bytes and pages; kernel stacks of live processes are
# vmalloc'd 4-page areas; with two NUMA nodes, node-bound allocations are
# reported on the node asked for; nothing is lost; bad flags are refused.
. /tests/lib.sh

if ! [ -e /sys/kernel/btf/vmlinux ]; then
	echo "# SKIP kernel without BTF"
	exit 4
fi

# top_start FILE ARGS...: top -j in the background until its first document
top_start() {
	out=$1
	shift
	: > "$out"
	memtrace top -j -i 1 "$@" > "$out" 2> "$out.err" &
	top_pid=$!
	i=0
	while ! [ -s "$out" ] && [ $i -lt 120 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	[ -s "$out" ] || { diag "$(cat "$out.err")"; bail "memtrace top did not start"; }
}

# top_stop: SIGINT, after which top prints the interval under way and exits
top_stop() {
	sleep 1.5
	kill -INT "$top_pid"
	wait "$top_pid"
	top_rc=$?
}

# The losses of every document: the largest drops, misses, live_untracked seen
top_losses() {
	for key in drops live_untracked stacks_lost; do
		grep -o "\"$key\":[0-9]*" "$1" | cut -d: -f2 | sort -n | tail -n1
	done | tr '\n' ' '
}

# --- the JSON contract --------------------------------------------------------
top_start /tmp/top0.json
top_stop
is "$top_rc" 0 "top exits 0 after SIGINT"
first=$(head -n1 /tmp/top0.json)
for key in interval_s drops misses rows; do
	match "$first" "\"$key\":" "a document has \"$key\""
done
match "$first" '"rows":\[\{"caller":"[^"]+","caller_addr":"0x[0-9a-f]+","kind":"' \
	"rows name a caller, its address and the allocator kind"
docs=$(wc -l < /tmp/top0.json)
ge "$docs" 2 "one JSON document per interval, and one for the interval under way ($docs)"

# --- 1000 kmalloc(777), 100 kmalloc(64K), 100 vmalloc(16K) through the module
top_start /tmp/top1.json --kind kmalloc,vmalloc
memtrace run --kind kmalloc --size 777 --count 1000 > /dev/null 2>&1
is "$?" 0 "1000 kmalloc of 777 bytes made and freed"
memtrace run --kind kmalloc --size 64K --count 100 > /dev/null 2>&1
is "$?" 0 "100 kmalloc of 64 KiB made and freed"
memtrace run --kind vmalloc --size 16K --count 100 > /dev/null 2>&1
is "$?" 0 "100 vmalloc of 16 KiB made and freed"
top_stop
json_rows /tmp/top1.json > /tmp/rows1
diag "$(grep '\[memalloc\]' /tmp/rows1)"

# One call site in the module makes both kmallocs: 1000 of 777 B (from
# kmalloc-1k: 1 KiB each, more with debug metadata) and 100 of 64 KiB
# (pages; 6.12 reports each twice)
k1=$(slab_size kmalloc-1k 1024)
row=$(grep '\[memalloc\]|kmalloc|' /tmp/rows1 | awk -F'|' '$5 == 777000 + 6553600')
set -- $(echo "$row" | awk -F'|' '{ print $3, $4, $6, $9 + $10 }')
is "${1-}" 1100 "the module's kmalloc row: 1000 + 100 allocations, each counted once"
is "${2-}" 1100 "the module's kmalloc row: 1100 frees"
is "${3-}" $((1000 * k1 + 100 * 65536)) \
	"the module's kmalloc row: kmalloc-1k's $k1 bytes per 777, 64 KiB per 64 KiB"
ge "${4-}" 1100 "the module's kmalloc row: every object's pages have a page size"
twice=$(grep '^__kmalloc' /tmp/rows1 | awk -F'|' '$3 >= 100')
is "$twice" "" "no row inside __kmalloc* holds the 64K allocations a second time"

row=$(grep '\[memalloc\]|vmalloc|' /tmp/rows1 | awk -F'|' '$5 == 1638400')
set -- $(echo "$row" | awk -F'|' '{ print $3, $4, $6, $9 }')
is "${1-}" 100 "the module's vmalloc(16K) row: 100 allocations"
is "${2-}" 100 "the module's vmalloc(16K) row: 100 frees"
is "${3-}" 1638400 "the module's vmalloc(16K) row: 4 pages each"
is "${4-}" 400 "the module's vmalloc(16K) row: 400 pages mapped 4K"
set -- $(top_losses /tmp/top1.json)
is "${1-}" 0 "no event lost (row map full)"
is "${2-}" 0 "no allocation untracked (live map full)"

# --- a live map too small: --live-max 16 (64 slots) for 1000 objects held at once
top_start /tmp/top1s.json --kind kmalloc --live-max 16
memtrace run --kind kmalloc --size 777 --count 1000 > /dev/null 2>&1
is "$?" 0 "--live-max 16: 1000 kmalloc of 777 bytes made and freed"
top_stop
json_rows /tmp/top1s.json > /tmp/rows1s
row=$(grep '\[memalloc\]|kmalloc|' /tmp/rows1s | awk -F'|' '$5 == 777000')
set -- $(echo "$row" | awk -F'|' '{ print $3, $4 }')
is "${1-}" 1000 "--live-max 16: the module's row still counts 1000 allocations"
le "${2-}" 64 "--live-max 16: at most 64 frees matched (the slots there are)"
set -- $(top_losses /tmp/top1s.json)
ge "${2-}" 936 "--live-max 16: at least 936 allocations said untracked"

# --- kernel stacks: N live processes, N vmalloc'd stacks of 4 pages ---------
N=40
# alloc_thread_stack_node is inlined: the vmalloc caller is one of these
fork_fns='kernel_clone|copy_process|dup_task_struct|alloc_thread_stack_node'
# With CONFIG_VMAP_STACK the stacks of live tasks are in /proc/vmallocinfo
if grep -qE "($fork_fns)\+0x" /proc/vmallocinfo; then
	top_start /tmp/top2.json --kind vmalloc
	i=0
	while [ $i -lt $N ]; do
		sleep 30 &
		i=$((i + 1))
	done
	top_stop
	kill $(jobs -p) 2>/dev/null
	json_rows /tmp/top2.json > /tmp/rows2
	diag "$(sort -t'|' -k3 -n -r /tmp/rows2 | head -n 5)"
	row=$(grep -E "^($fork_fns)\+0x[0-9a-f]+\|vmalloc\|" /tmp/rows2)
	set -- $(echo "$row" | awk -F'|' '{ a += $3; b += $6; p += $9 } END { print a + 0, b + 0, p + 0 }')
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	# the kernel keeps up to 2 freed stacks per CPU for the next forks
	ge "${1-}" $((N - 2 * cpus)) "$N live processes: at least $((N - 2 * cpus)) stacks vmalloc'd"
	le "${1-}" $((N + 5)) "$N live processes: at most $((N + 5)) stacks vmalloc'd"
	is "${2-}" $((${1:-0} * 16384)) "each kernel stack is 16 KiB (THREAD_SIZE)"
	is "${3-}" $((${1:-0} * 4)) "each kernel stack's 4 pages are mapped 4K"
else
	for d in "at least" "at most" "16 KiB each" "4K pages"; do
		skip "kernel stacks, $d: none in /proc/vmallocinfo (no CONFIG_VMAP_STACK)"
	done
fi

# --- NUMA: node-bound allocations land on the node asked for --------------------
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
if [ "$nodes" -ge 2 ]; then
	top_start /tmp/top3.json --kind kmalloc,vmalloc
	memtrace run --kind kmalloc --size 4K --count 50 --node 1 > /dev/null 2>&1
	memtrace run --kind vmalloc --size 16K --count 20 --node 1 > /dev/null 2>&1
	top_stop
	json_rows /tmp/top3.json > /tmp/rows3
	diag "$(grep '\[memalloc\]' /tmp/rows3)"
	k4=$(slab_size kmalloc-4k 4096)
	set -- $(grep '\[memalloc\]|kmalloc|' /tmp/rows3 | awk -F'|' '$5 == 204800 { print $7, $8 }')
	is "${1-}" 0 "kmalloc_node(4K, node 1): no page on node 0"
	is "${2-}" $((50 * ((k4 + 4095) / 4096))) \
		"kmalloc_node(4K, node 1): every page on node 1 (50 objects of $k4 bytes)"
	set -- $(grep '\[memalloc\]|vmalloc|' /tmp/rows3 | awk -F'|' '$5 == 327680 { print $7, $8 }')
	is "${1-}" 0 "vmalloc_node(16K, node 1): no page on node 0"
	is "${2-}" 80 "vmalloc_node(16K, node 1): 80 pages on node 1"
else
	for d in "kmalloc_node on node 1" "vmalloc_node on node 1"; do
		skip "$d: this boot has one NUMA node (the NUMA=2 boot runs it)"
		skip "$d: this boot has one NUMA node (the NUMA=2 boot runs it)"
	done
fi

rm -f /tmp/top[0-9].json /tmp/top[0-9].json.err /tmp/rows[0-9]

# --- bad input: one clear line, exit 64 ------------------------------------------
for args in "--sort nope" "--interval 0" "--kind slab" "--count 0" "extra"; do
	# shellcheck disable=SC2086
	memtrace top $args > /tmp/bad.out 2> /tmp/bad.err
	is "$?" 64 "top $args: exit 64"
done

done_testing
