#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace study --quick tells facts, not folklore: a vmalloc of N pages is
# N 4K entries; a kmalloc of at most 4 MiB is one physically contiguous run;
# every latency (module and BPF clocks) is positive; the largest kmalloc
# found by probing is the kernel's KMALLOC_MAX_SIZE; Ctrl-C leaves a valid,
# partial document.
. /tests/lib.sh

[ "$(id -u)" = 0 ] || { echo "# SKIP not root"; exit 4; }
[ -c /dev/memalloc ] || { echo "# SKIP /dev/memalloc missing"; exit 4; }

out=/tmp/study-test
rm -rf $out
mkdir -p $out
start=$(date +%s)
memtrace study --quick --json --output $out/study.json > $out/table.txt 2> $out/progress.txt
ok $? "memtrace study --quick --json runs"
took=$(( $(date +%s) - start ))
[ "$took" -lt 30 ]
ok $? "the quick study takes under 30 s ($took s)"
memtrace study --render $out/study.json --outdir $out > /dev/null 2>&1
ok $? "its JSON renders (CSV, SVG, report.md)"
csv=$out/study.csv
for f in study.csv limits.csv report.md latency-alloc.svg contiguity.svg physmap.svg; do
	[ -s $out/$f ] || echo "#   missing $f"
done
[ -s $csv ] && [ -s $out/limits.csv ] && [ -s $out/physmap.svg ]
ok $? "the report folder holds CSV and SVG files"

# Columns of study.csv (see its header)
col() { head -n1 $csv | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
c_size=$(col size_bytes) c_err=$(col error) c_pages=$(col pages) c_runs=$(col runs)
c_4k=$(col pages_4k) c_ma=$(col module_alloc_median_ns) c_mf=$(col module_free_median_ns)
c_bn=$(col bpf_alloc_n) c_ba=$(col bpf_alloc_median_ns) c_bfn=$(col bpf_free_n)
c_bf=$(col bpf_free_median_ns)

bad=$(awk -F, -v s=$c_size -v e=$c_err -v p=$c_pages -v k=$c_4k '
	$1 == "vmalloc" && $e == 0 {
		n++; want = int(($s + 4095) / 4096)
		if ($p != want || $k != want) print $s ":" $p "/" $k "/" want }
	END { if (!n) print "no vmalloc rows" }' $csv)
is "$bad" "" "vmalloc of N pages: N pages walked, all N mapped by 4K entries"

bad=$(awk -F, -v s=$c_size -v e=$c_err -v r=$c_runs '
	$1 == "kmalloc" && $e == 0 && $s <= 4194304 { n++; if ($r != 1) print $s ":" $r }
	END { if (!n) print "no kmalloc rows" }' $csv)
is "$bad" "" "kmalloc of at most 4 MiB: one physically contiguous run"

bad=$(awk -F, -v e=$c_err -v ma=$c_ma -v mf=$c_mf '
	NR > 1 && $e == 0 { n++; if (!($ma > 0) || !($mf > 0)) print $1 "/" $2 }
	END { if (!n) print "no rows" }' $csv)
is "$bad" "" "every module latency (alloc and free median) is positive"

if grep -q '"bpf":true' $out/study.json; then
	bad=$(awk -F, -v e=$c_err -v bn=$c_bn -v ba=$c_ba -v bfn=$c_bfn -v bf=$c_bf '
		NR > 1 && $e == 0 {
			if ($bn > 0) { n++; if (!($ba > 0)) print $1 "/" $2 "/alloc" }
			if ($bfn > 0 && !($bf > 0)) print $1 "/" $2 "/free" }
		END { if (!n) print "no BPF samples" }' $csv)
	is "$bad" "" "every BPF latency (fentry->fexit median) is positive"
else
	skip "BPF timing unavailable: $(grep -o '"bpf_note":"[^"]*"' $out/study.json)"
fi

line=$(grep '^kmalloc,' $out/limits.csv)
largest=$(echo "$line" | cut -d, -f2)
kmax=$(echo "$line" | cut -d, -f5)
[ -n "$largest" ] && [ "$largest" = "$kmax" ]
ok $? "largest kmalloc found by probing ($largest) = KMALLOC_MAX_SIZE from INFO ($kmax)"

line=$(grep '^alloc_pages,' $out/limits.csv)
[ -n "$line" ] && [ "$(echo "$line" | cut -d, -f2)" = "$(echo "$line" | cut -d, -f5)" ]
ok $? "largest alloc_pages found by probing = PAGE_SIZE << MAX_PAGE_ORDER"

# NUMA: a node-bound allocation lands on its node (placement.csv has a
# pages_nodeN column per node; node_requested -1 is the default policy).
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
if [ "$nodes" -gt 1 ]; then
	bad=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["node_requested"] >= 0 && $col["error"] == 0 {
			n++; c = col["pages_node" $col["node_requested"]]
			if (!c || $c != $col["pages"]) print $1 "/" $2 "/node" $col["node_requested"] }
		END { if (!n) print "no node-bound rows" }' $out/placement.csv)
	is "$bad" "" "$nodes nodes: every node-bound allocation has all its pages on that node"
else
	skip "one NUMA node: placement needs NUMA=2"
fi

# Ctrl-C: a clean stop with a complete, partial document
memtrace study --json --output $out/int.json > /dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
ok $? "SIGINT stops the study with exit status 0"
grep -q '"interrupted":true' $out/int.json &&
	memtrace study --render $out/int.json --outdir $out/int > /dev/null 2>&1
ok $? "the interrupted study's JSON says so and renders"

done_testing
