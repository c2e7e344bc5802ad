#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace study --quick tells facts, not folklore: a vmalloc of N pages is
# N 4K entries; a kmalloc of at most 4 MiB is one physically contiguous run;
# every latency (module and BPF clocks) is positive; the largest kmalloc
# found by probing is the kernel's KMALLOC_MAX_SIZE; the tracer's hooks it
# records are memtrace run's; Ctrl-C leaves a valid, partial document.
. /tests/lib.sh

[ "$(id -u)" = 0 ] || { echo "# SKIP not root"; exit 4; }
[ -c /dev/memalloc ] || { echo "# SKIP /dev/memalloc missing"; exit 4; }

out=/tmp/study-test
rm -rf $out
mkdir -p $out
# How long it takes is no test of the code (TCG, a busy host): the time
# limit is only a hang guard, and a generous one.
start=$(date +%s)
timeout -s KILL 600 memtrace study --quick --json --output $out/study.json \
	> $out/table.txt 2> $out/progress.txt
is "$?" 0 "memtrace study --quick --json runs (137: killed by the 600 s hang guard)" ||
	diag "$(tail -n 20 $out/progress.txt)"
diag "the quick study took $(( $(date +%s) - start )) s"
memtrace study --render $out/study.json --outdir $out > $out/render.txt 2>&1
ok $? "its JSON renders (CSV, SVG, report.md)" || diag "$(tail -n 20 $out/render.txt)"

# The conditions: how the CPU ran, as the launcher chose it and as CPUID says
# it (QEMU's TCG signs leaf 0x40000000 TCGTCGTCGTCG, KVM KVMKVMKVM), and the
# host's CPU model from the launcher
case "${MEMTRACE_ACCEL-}" in
tcg) sig=TCGTCGTCGTCG ;;
kvm) sig=KVMKVMKVM ;;
*) sig= ;;
esac
if [ -n "$sig" ]; then
	match "$(cat $out/study.json)" "\"accel\":\"$MEMTRACE_ACCEL\"" \
		"conditions: accel is the launcher's $MEMTRACE_ACCEL"
	match "$(cat $out/study.json)" "\"hypervisor_id\":\"$sig\"" \
		"conditions: CPUID's hypervisor signature is $sig"
	match "$(cat $out/study.json)" "\"host_cpu\":\"$MEMTRACE_HOST_CPU\"" \
		"conditions: the host's CPU model ($MEMTRACE_HOST_CPU)"
else
	skip "no MEMTRACE_ACCEL from the launcher (/etc/memtrace/env)"
fi
if [ "${MEMTRACE_ACCEL-}" = tcg ]; then
	match "$(cat $out/report.md)" '^> Under QEMU.s TCG' "report: the TCG wording under TCG"
fi

csv=$out/study.csv
for f in study.csv limits.csv report.md latency-alloc.svg contiguity.svg physmap.svg; do
	[ -s $out/$f ]
	ok $? "the report folder holds $f"
done

# Columns of study.csv (see its header)
col() { head -n1 $csv | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
c_size=$(col size_bytes) c_err=$(col error) c_pages=$(col pages) c_runs=$(col runs)
c_4k=$(col pages_4k) c_ma=$(col module_alloc_median_ns) c_mf=$(col module_free_median_ns)
c_bn=$(col bpf_alloc_n) c_ba=$(col bpf_alloc_median_ns) c_bfn=$(col bpf_free_n)
c_bf=$(col bpf_free_median_ns)

bad=$(awk -F, -v s=$c_size -v e=$c_err -v p=$c_pages '
	$1 == "vmalloc" && $e == 0 {
		n++; want = int(($s + 4095) / 4096)
		if ($p != want) print $s ":" $p "/" want }
	END { if (!n) print "no vmalloc rows" }' $csv)
is "$bad" "" "vmalloc of N pages: N pages walked (size:walked/N)"
bad=$(awk -F, -v s=$c_size -v e=$c_err -v k=$c_4k '
	$1 == "vmalloc" && $e == 0 {
		n++; want = int(($s + 4095) / 4096)
		if ($k != want) print $s ":" $k "/" want }
	END { if (!n) print "no vmalloc rows" }' $csv)
is "$bad" "" "vmalloc of N pages: all N mapped by 4K entries (size:4K/N)"

bad=$(awk -F, -v s=$c_size -v e=$c_err -v r=$c_runs '
	$1 == "kmalloc" && $e == 0 && $s <= 4194304 { n++; if ($r != 1) print $s ":" $r }
	END { if (!n) print "no kmalloc rows" }' $csv)
is "$bad" "" "kmalloc of at most 4 MiB: one physically contiguous run"

bad=$(awk -F, -v e=$c_err -v m=$c_ma '
	NR > 1 && $e == 0 { n++; if (!($m > 0)) print $1 "/" $2 }
	END { if (!n) print "no rows" }' $csv)
is "$bad" "" "every module alloc latency (median) is positive"
bad=$(awk -F, -v e=$c_err -v m=$c_mf '
	NR > 1 && $e == 0 { n++; if (!($m > 0)) print $1 "/" $2 }
	END { if (!n) print "no rows" }' $csv)
is "$bad" "" "every module free latency (median) is positive"

if grep -q '"bpf":true' $out/study.json; then
	bad=$(awk -F, -v e=$c_err -v bn=$c_bn -v ba=$c_ba '
		NR > 1 && $e == 0 && $bn > 0 { n++; if (!($ba > 0)) print $1 "/" $2 }
		END { if (!n) print "no BPF samples" }' $csv)
	is "$bad" "" "every BPF alloc latency (fentry->fexit median) is positive"
	bad=$(awk -F, -v e=$c_err -v bfn=$c_bfn -v bf=$c_bf '
		NR > 1 && $e == 0 && $bfn > 0 && !($bf > 0) { print $1 "/" $2 }' $csv)
	is "$bad" "" "every BPF free latency (fentry->fexit median) is positive"
else
	skip "BPF timing unavailable: $(grep -o '"bpf_note":"[^"]*"' $out/study.json)"
fi

# The tracer's hooks: the study records what it attached (the trampoline
# where the kernel takes it); `memtrace run` asks for kprobes on the same
# function (its exit is shorter: README, "run")
hook=$(grep -o '"vmalloc":{"attach":"[a-z_]*","target":"[^"]*"}' $out/study.json |
	sed 's/.*"attach":"\([^"]*\)","target":"\([^"]*\)".*/\1 \2/')
match "$hook" '^(fexit|kretprobe) __vmalloc_node_range' \
	"the study records the tracer's vmalloc hook ('$hook')"
run=$(memtrace -j run --kind kmalloc --size 64 --count 1 2>/dev/null |
	grep -o '"hooks":"[^"]*"' | sed -n 's/.* vmalloc: \([^ ]* [^ ]*\) + .*/\1/p')
is "$run" "kretprobe ${hook#* }" "memtrace run's vmalloc hook is a kretprobe on the study's target"

line=$(grep '^kmalloc,' $out/limits.csv)
match "$line" '^kmalloc,[0-9]+,' "limits.csv has the largest kmalloc found by probing"
is "$(echo "$line" | cut -d, -f2)" "$(echo "$line" | cut -d, -f5)" \
	"largest kmalloc found by probing = KMALLOC_MAX_SIZE from INFO"

line=$(grep '^alloc_pages,' $out/limits.csv)
match "$line" '^alloc_pages,[0-9]+,' "limits.csv has the largest alloc_pages found by probing"
is "$(echo "$line" | cut -d, -f2)" "$(echo "$line" | cut -d, -f5)" \
	"largest alloc_pages found by probing = PAGE_SIZE << MAX_PAGE_ORDER"

# NUMA: a node-bound allocation (the _node variants) prefers its node; the
# page allocator may still serve it from the next node of the zonelist when
# the node is short of free blocks of that order (seen for an order-8
# alloc_pages_node), so a fallback is the kernel's answer, not the study's
# error.  What must hold: each row's per-node pages add up to its pages,
# and most node-bound rows (9 in 10) are wholly on their node.
# (placement.csv has a pages_nodeN column per node; node_requested -1 is
# the default policy.)
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
if [ "$nodes" -gt 1 ]; then
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["error"] == 0 {
			s = 0
			for (c in col) if (c ~ /^pages_node/) s += $col[c]
			if (s != $col["pages"]) { nbad++; bad = bad " " $1 "/" $2 }
		}
		$col["node_requested"] >= 0 && $col["error"] == 0 {
			n++; c = col["pages_node" $col["node_requested"]]
			if (c && $c == $col["pages"]) on++
			else off = off " " $1 "/" $2 "/node" $col["node_requested"]
		}
		END { print n + 0, on + 0, nbad + 0; print "off:" off; print "bad:" bad }' \
		$out/placement.csv > /tmp/placement.sum
	set -- $(head -n 1 /tmp/placement.sum)
	diag "node-bound rows: $1, wholly on their node: $2; $(sed -n 2p /tmp/placement.sum)"
	is "$3" 0 "$nodes nodes: every row's pages per node add up to its pages ($(sed -n 3p /tmp/placement.sum))"
	gt "$1" 0 "$nodes nodes: placement.csv has node-bound rows"
	ge "$(( $2 * 10 ))" "$(( $1 * 9 ))" \
		"$nodes nodes: at least 9 in 10 node-bound allocations have all their pages on their node ($2 of $1)"
	rm -f /tmp/placement.sum
else
	for d in "pages per node add up" "node-bound rows" "node-bound placement"; do
		skip "$d: one NUMA node (the NUMA=2 boot runs it)"
	done
fi

# Ctrl-C: a clean stop with a complete, partial document.  The signal goes
# once the study has begun (its handler is set before its first progress
# line), not after a guessed delay; the wait is only a hang guard.
memtrace study --json --output $out/int.json > /dev/null 2> $out/int.progress &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^study \[' $out/int.progress && kill -0 $pid 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
done
match "$(cat $out/int.progress)" '^study \[' "the full study starts (its first progress line)"
kill -INT $pid
wait $pid
is "$?" 0 "SIGINT stops the study with exit status 0"
match "$(cat $out/int.json)" '"interrupted":true' "the interrupted study's JSON says so"
memtrace study --render $out/int.json --outdir $out/int > $out/int.render 2>&1
ok $? "the interrupted study's JSON renders" || diag "$(tail -n 20 $out/int.render)"

done_testing
