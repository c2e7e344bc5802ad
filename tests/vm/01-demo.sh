#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The load-time demo of memalloc.ko tells the truth: its zones are those of
# /proc/zoneinfo, on every node; kmalloc pages sit at VPN - logical base; its
# vmalloc PPNs are vmalloc_to_pfn's and lie in zones; zones lie in System RAM.
. /tests/lib.sh

grep -q '^memalloc ' /proc/modules
ok $? "memalloc.ko is loaded"

klog > /tmp/klog
page_size=4096

# --- zones: demo vs /proc/zoneinfo, as "node name start end" lines ---------
awk '
/^Memory Zones for NUMA Node [0-9]+:/ { node = $6; sub(":", "", node) }
/^Zone [0-9]+ - Start PPN: / {
	name = $10; sub("[(]", "", name); sub(",", "", name)
	start = $6; sub(",", "", start)
	end = $9
	print node, name, start, end
}' /tmp/klog | while read -r node name start end; do
	echo "$node $name $((start)) $((end))"
done | sort > /tmp/demo-zones

awk '
/^Node [0-9]+, zone/ { node = $2; sub(",", "", node); name = $4; present = 0 }
$1 == "spanned" { spanned = $2 }
$1 == "present" { present = $2 }
$1 == "start_pfn:" && present > 0 { print node, name, $2, $2 + spanned }
' /proc/zoneinfo | sort > /tmp/proc-zones

n=$(wc -l < /tmp/proc-zones)
[ "$n" -gt 0 ]
ok $? "/proc/zoneinfo lists $n populated zones"
cmp -s /tmp/demo-zones /tmp/proc-zones
ok $? "demo zone spans equal /proc/zoneinfo's (node, name, start, end)"
cmp -s /tmp/demo-zones /tmp/proc-zones || {
	sed 's/^/#   demo: /' /tmp/demo-zones
	sed 's/^/#   proc: /' /tmp/proc-zones
}

online=$(cat /sys/devices/system/node/online)
nodes=$(echo "$online" | awk -F, '{ for (i = 1; i <= NF; i++) {
	n = split($i, r, "-"); lo = r[1]; hi = (n > 1) ? r[2] : r[1]
	for (j = lo; j <= hi; j++) print j } }')
missing=
for nd in $nodes; do
	grep -q "^Memory Zones for NUMA Node $nd:" /tmp/klog || missing="$missing $nd"
done
is "$missing" "" "demo lists every online node ($online)"

# --- System RAM ranges of /proc/iomem, as PFN ranges [first, last] ---------
grep ': System RAM$' /proc/iomem | grep -v '^ ' | while read -r range _; do
	echo "$(( 0x${range%-*} / page_size )) $(( 0x${range#*-} / page_size ))"
done > /tmp/ram
in_ram() {
	while read -r lo hi; do
		[ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] && return 0
	done < /tmp/ram
	return 1
}
in_zone() {
	while read -r _ _ lo hi; do
		[ "$1" -ge "$lo" ] && [ "$1" -lt "$hi" ] && return 0
	done < /tmp/proc-zones
	return 1
}

bad=
while read -r node name start end; do
	in_ram "$start" && in_ram $((end - 1)) || bad="$bad $node/$name"
done < /tmp/proc-zones
is "$bad" "" "every zone starts and ends in System RAM of /proc/iomem"
bad=
while read -r lo hi; do
	in_zone "$lo" && in_zone "$hi" || bad="$bad $lo-$hi"
done < /tmp/ram
is "$bad" "" "every System RAM range lies in zones"

# --- the logical base and the vmalloc range -------------------------------
base=$(sed -n 's/^Kernel logical VPN: \([0-9a-f]*\).*/\1/p' /tmp/klog)
[ -n "$base" ]
ok $? "demo prints the kernel logical VPN ($base)"
range=$(sed -n 's/^Kernel virtual (VPN - VPN): \([0-9a-f]*\) - \([0-9a-f]*\).*/\1 \2/p' /tmp/klog)
set -- $range
[ $# = 2 ] && [ $((0x$1)) -lt $((0x$2)) ]
ok $? "demo prints a vmalloc VPN range ($range)"
vstart=$((0x${1:-0})) vend=$((0x${2:-0}))

# --- kmalloc: PPN = VPN - logical base, = virt_to_phys --------------------
want=$(( ($(cat /sys/module/memalloc/parameters/kmalloc_size) + page_size - 1) / page_size ))
sed -n 's/^kmalloc - VPN: \([0-9a-f]*\) -> PPN: \([0-9a-f]*\) (\([^,]*\), virt_to_phys PPN: \([0-9a-f]*\)).*/\1 \2 \3 \4/p' \
	/tmp/klog > /tmp/kmalloc
n=$(wc -l < /tmp/kmalloc)
# A buffer that is not page aligned may straddle one more page.
[ "$n" -ge "$want" ] && [ "$n" -le $((want + 1)) ]
ok $? "kmalloc: $n page lines for $want pages"
bad=
while read -r vpn ppn level helper; do
	[ $((0x$ppn)) = $((0x$vpn - 0x$base)) ] && [ "$ppn" = "$helper" ] &&
		in_ram $((0x$ppn)) || bad="$bad $vpn"
	case "$level" in 4K|2M|1G) ;; *) bad="$bad $vpn:$level" ;; esac
done < /tmp/kmalloc
is "$bad" "" "kmalloc: every PPN = VPN - logical base = virt_to_phys, in RAM"

# --- vmalloc: PPN = vmalloc_to_pfn, 4K pages, in a zone ---------------------
want=$(( ($(cat /sys/module/memalloc/parameters/vmalloc_size) + page_size - 1) / page_size ))
sed -n 's/^vmalloc - VPN: \([0-9a-f]*\) -> PPN: \([0-9a-f]*\) (\([^,]*\), vmalloc_to_pfn PPN: \([0-9a-f]*\)).*/\1 \2 \3 \4/p' \
	/tmp/klog > /tmp/vmalloc
n=$(wc -l < /tmp/vmalloc)
is "$n" "$want" "vmalloc: one line per page"
bad=
while read -r vpn ppn level helper; do
	[ "$ppn" = "$helper" ] && [ "$level" = 4K ] && in_zone $((0x$ppn)) &&
		[ $((0x$vpn)) -ge "$vstart" ] && [ $((0x$vpn)) -le "$vend" ] ||
		bad="$bad $vpn"
done < /tmp/vmalloc
is "$bad" "" "vmalloc: every PPN = vmalloc_to_pfn, 4K-mapped, in a zone, VPN in range"

grep -q MISMATCH /tmp/klog
[ $? != 0 ]
ok $? "no walk/helper mismatch reported"

done_testing
