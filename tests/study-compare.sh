#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The integration test of `make study-compare` (run by `make
# study-compare-test`, on the host, after the two studies): OUT holds
# 6.1/study.json, 6.12/study.json (each made in its own guest) and
# compare/compare.md.  The report has both kernels' columns; the tracer's
# vmalloc hook is a kretprobe on 6.1 (the trampoline took at most 6
# arguments) and a fexit on 6.12, each study records it and the report
# says so with the commits; whether kvmalloc above 4 MiB maps with 2M pages
# is read from each study, and the report claims a change exactly when the
# two differ.  TAP (`make study-compare-test` counts it).
#   study-compare.sh OUT MEMTRACE-RENDER MAKE-EXIT-STATUS
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/vm/lib.sh"

out=$1
render=$2
make_rc=$3
a=$out/6.1/study.json
b=$out/6.12/study.json
md=$out/compare/compare.md

is "$make_rc" 0 "make study-compare KERNELS='6.1 6.12' exits 0" ||
	diag "$(tail -n 30 "$out.log" 2>/dev/null)"
for f in "$a" "$b" "$md"; do
	[ -s "$f" ]
	ok $? "study-compare wrote ${f#"$out"/}" || bail "no ${f#"$out"/}: see $out.log"
done

# The first word of the kernel string of a study: its release
release() { grep -o '"kernel":"[^" ]*' "$1" | head -n1 | cut -d'"' -f4; }
ra=$(release "$a")
rb=$(release "$b")
match "$ra" '^6\.1\.' "A's study ran on 6.1 (release '$ra')"
match "$rb" '^6\.12\.' "B's study ran on 6.12 (release '$rb')"
# A release as an extended regex matching itself ("6.12.57+deb13")
quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }
qa=$(quote "$ra")
qb=$(quote "$rb")

# ---- both kernels' columns ------------------------------------------------
text=$(cat "$md")
match "$text" "^# memtrace study: $qa \\(A\\) vs $qb \\(B\\)\$" "compare.md's title names both releases"
match "$text" "^\\| kernel \\| $qa .* \\| $qb .* \\|\$" "compare.md's conditions: a column per kernel"
match "$text" '^\| kvmalloc \| 8M \| [0-9.]+[nmu]?s \| [0-9.]+[nmu]?s \| [0-9.]+ \|' \
	"compare.md's cells: kvmalloc 8M with both kernels' medians and B/A"
table=$("$render" --compare "$a" "$b" --outdir "$out/compare" 2>/dev/null)
match "$table" '^KIND +SIZE +ALLOC-A +ALLOC-B +B/A +MAP-A +MAP-B +RUNS-A +RUNS-B$' \
	"the terminal table has A and B columns"
match "$table" "^A: $qa " "the terminal table names A's kernel"
match "$table" "^B: $qb " "the terminal table names B's kernel"

# ---- the tracer's vmalloc hook: each study, then the report ---------------
# attach and target of hook NAME in a study's conditions ("fexit target")
hook() {
	grep -o "\"$2\":{\"attach\":\"[a-z_]*\",\"target\":\"[^\"]*\"}" "$1" | head -n1 |
		sed 's/.*"attach":"\([^"]*\)","target":"\([^"]*\)".*/\1 \2/'
}
ha=$(hook "$a" vmalloc)
hb=$(hook "$b" vmalloc)
is "$ha" "kretprobe __vmalloc_node_range" \
	"6.1's study: the tracer's vmalloc hook is a kretprobe on __vmalloc_node_range"
is "$hb" "fexit __vmalloc_node_range_noprof" \
	"6.12's study: the tracer's vmalloc hook is a fexit on __vmalloc_node_range_noprof"
# The report's row is made of what the studies recorded
fa=${ha#* } fb=${hb#* }
match "$text" "^\\| vmalloc \\| ${ha%% *} \`$fa\` \\| ${hb%% *} \`$fb\` \\|\$" \
	"compare.md's hooks table: vmalloc side by side, as each study recorded it"
changed=$(sed -n '/^## What changed/,$p' "$md")
match "$changed" '^- hook vmalloc: fexit, was kretprobe \(the trampoline takes it\): '\
'commit 473e3150e30a ' \
	"what changed: the vmalloc hook's fexit vs kretprobe, citing 473e3150e30a"
match "$changed" "^- hook vmalloc: $fb, was $fa \\(_noprof\\): commit 88ae5fb755b0 " \
	"what changed: the vmalloc hook's renamed target, citing 88ae5fb755b0"
match "$changed" '^- hook get_vm_area: fexit, was kretprobe \(the trampoline takes it\): '\
'commit 473e3150e30a ' \
	"what changed: __get_vm_area_node's fexit vs kretprobe, citing 473e3150e30a"

# ---- kvmalloc above 4 MiB: 2M pages in the vmalloc area, per study -------
# "area 2M-pages" of the 8 MiB kvmalloc cell of a study, "" if it has none
kv8m() {
	grep -o '{"kind":"kvmalloc","size_bytes":8388608,"error":0,.*' "$1" |
		sed 's/"pfn_runs".*//' |
		sed -n 's/.*"area":"\([^"]*\)".*"2M":\([0-9]*\).*/\1 \2/p'
}
ka=$(kv8m "$a")
kb=$(kv8m "$b")
match "$ka" '^[a-z ]+ [0-9]+$' "6.1's study has a kvmalloc 8M cell with its area and 2M pages ('$ka')"
match "$kb" '^[a-z ]+ [0-9]+$' "6.12's study has a kvmalloc 8M cell with its area and 2M pages ('$kb')"
huge() { case $1 in "vmalloc "0 | "") echo no ;; "vmalloc "*) echo yes ;; *) echo no ;; esac; }
hua=$(huge "$ka")
hub=$(huge "$kb")
diag "kvmalloc 8M huge-mapped (2M pages in the vmalloc area): 6.1 $hua, 6.12 $hub"
row=$(grep '^| mapped with 2M pages from |' "$md")
if [ "$hua" = "$hub" ]; then
	no_match "$changed" '2M pages \(huge vmap\)' \
		"what changed: no huge vmap change, as both studies map kvmalloc 8M alike ($hua)"
	match "$row" '^\| mapped with 2M pages from \| ([^|]+) \| \1 \|$' \
		"compare.md's kvmalloc table: the same huge vmap start on both kernels"
else
	match "$changed" '^- kvmalloc: (no longer )?maps with 2M pages \(huge vmap\)' \
		"what changed: the huge vmap change (6.1 $hua, 6.12 $hub)"
	no_match "$row" '^\| mapped with 2M pages from \| ([^|]+) \| \1 \|$' \
		"compare.md's kvmalloc table: different huge vmap starts"
fi

echo "1..$_tap_n"
[ "$_tap_fail" -eq 0 ]
