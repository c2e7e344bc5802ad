#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/report.sh on a made-up run of two rounds (bench/run.sh --rounds 2):
# a tool's counts over its sessions are added, its repetitions from both
# rounds make its median, and the JSON says how the run was made (the
# guest's clock: wall time, or its instructions under -icount).
. "$(dirname "$0")/../vm/lib.sh"

tmp=$(mktemp -d /tmp/memtrace-bench-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/guest.txt" <<-'G'
info kernel 6.12.0-test
info cpus 1
info reps 3
info rounds 2
info pairs 1000
rep bare kmem 1 100
count bare kmem 2000 2000 0
rep memtrace-record kmem 1 300
count memtrace-record kmem 2000 2000 1
rep perf kmem 1 1100
count perf kmem 2000 1990 10
rep bare kmem 1 120
count bare kmem 2000 2000 0
rep memtrace-record kmem 1 340
count memtrace-record kmem 2000 2000 2
rep perf kmem 1 1300
count perf kmem 2000 1995 5
rep bare kmem 1 110
count bare kmem 2000 2000 0
rep memtrace-record kmem 1 320
count memtrace-record kmem 2000 1999 0
rep perf kmem 1 1200
count perf kmem 2000 2000 0
G
echo "corr events=1000 allocs=10 ingest_s=0.001 match_s=0.001 free_s=0.000 events_per_s=1000000 verdict=agree frees_traced=10" > "$tmp/corr.txt"
printf 'host load before: load average: 0.10, 0.20, 0.30\nafter: load average: 0.40, 0.50, 0.60\n' > "$tmp/host.txt"

# bench/boot.sh: make run, its boot and demo alone, the host's floor, interleaved
printf 'boot run 1 4100\nboot demo 1 3000\nboot floor 1 2600\nboot run 2 3900\nboot demo 2 3200\nboot floor 2 2400\nboot run 3 4000\nboot demo 3 3100\nboot floor 3 2500\nboot rebuild 1 30000\n' \
	> "$tmp/boot.txt"

bench/report.sh "$tmp" > "$tmp/out" 2> "$tmp/err"
is "$?" 0 "report.sh: exit 0"
table=$(cat "$tmp/out")
match "$table" '3 repetitions of 1000 alloc\+free pairs per tool and loop \(the table 2 times over\)' \
	"report.sh: says the repetitions and the rounds"
# record: median 320 of 300 340 320, bare 110: (320 - 110) / 2 = 105 added
# per event; 6000 events, 1 missed (5999 seen), 3 said lost
match "$table" '^kmalloc memtrace-record +320 +\(300-340\) +105 +2\.9x +6000 +1 +3$' \
	"report.sh: record's row: median, spread, added, ratio, events and losses over 3 sessions"
match "$table" '^kmalloc perf +1200 +\(1100-1300\) +545 +10\.9x +6000 +15 +15$' \
	"report.sh: perf's row: the 15 events missed over its sessions, and the 15 it said"
json=$(cat "$tmp/bench.json")
match "$json" '"reps":3,"rounds":2,' "bench.json: the repetitions and the rounds"
match "$json" '"tool":"perf","loop":"kmalloc".*"events":6000,"seen":5985,"lost":15,' \
	"bench.json: perf's events, seen and lost added over its sessions"
match "$table" '^make run, boot to report: median 4\.00 s \(3\.90-4\.10\) of 3$' \
	"report.sh: make run's median, spread and count"
match "$table" '^  boot and demo alone .*: median 3\.10 s \(3\.00-3\.20\) of 3$' \
	"report.sh: the boot and demo alone, its own median and spread"
match "$table" "^  the host's floor .*: median 2\\.50 s \\(2\\.40-2\\.60\\) of 3\$" \
	"report.sh: the host's floor, its own median and spread"
match "$table" '^  of the median: memtrace zones and run 0\.90 s, archive, /init and demo 0\.60 s, floor 2\.50 s$' \
	"report.sh: make run's median split by the differences of the medians"
match "$json" '"make_run_s":\{"median":4\.00,"min":3\.90,"max":4\.10,"runs":3,"demo":\{"median":3\.10,"min":3\.00,"max":3\.20,"runs":3\},"floor":\{"median":2\.50,"min":2\.40,"max":2\.60,"runs":3\}\}' \
	"bench.json: make run with its demo and floor boots"
match "$table" '^make bench: TCG-relative \(QEMU TCG, 1 vCPU' "report.sh: a run by wall time says TCG-relative"
match "$json" '"label":"TCG-relative","kernel"' "bench.json: a run by wall time is labelled TCG-relative"

# the same run with the guest's clock counting instructions (BENCH_ICOUNT=0)
echo "info icount 0" >> "$tmp/guest.txt"
bench/report.sh "$tmp" > "$tmp/out" 2> "$tmp/err"
is "$?" 0 "report.sh, icount: exit 0"
match "$(cat "$tmp/out")" '^make bench: instruction-relative \(QEMU TCG -icount shift=0:' \
	"report.sh, icount: says instruction-relative and the shift"
match "$(cat "$tmp/bench.json")" '"label":"instruction-relative","icount_shift":0,"kernel"' \
	"bench.json, icount: the label and the shift"
done_testing
