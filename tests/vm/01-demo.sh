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
gt "$n" 0 "/proc/zoneinfo lists $n populated zones"
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
	in_ram "$start" || bad="$bad $node/$name"
done < /tmp/proc-zones
is "$bad" "" "every zone starts in System RAM of /proc/iomem"
bad=
while read -r node name start end; do
	in_ram $((end - 1)) || bad="$bad $node/$name"
done < /tmp/proc-zones
is "$bad" "" "every zone ends in System RAM of /proc/iomem"
bad=
while read -r lo hi; do
	in_zone "$lo" || bad="$bad $lo-$hi"
done < /tmp/ram
is "$bad" "" "every System RAM range starts in a zone"
bad=
while read -r lo hi; do
	in_zone "$hi" || bad="$bad $lo-$hi"
done < /tmp/ram
is "$bad" "" "every System RAM range ends in a zone"

# --- the logical base and the vmalloc range -------------------------------
base=$(sed -n 's/^Kernel logical VPN: \([0-9a-f]*\).*/\1/p' /tmp/klog)
match "$base" '^[0-9a-f]+$' "demo prints the kernel logical VPN ($base)"
range=$(sed -n 's/^Kernel virtual (VPN - VPN): \([0-9a-f]*\) - \([0-9a-f]*\).*/\1 \2/p' /tmp/klog)
match "$range" '^[0-9a-f]+ [0-9a-f]+$' "demo prints a vmalloc VPN range ($range)"
set -- $range
vstart=$((0x${1:-0})) vend=$((0x${2:-0}))
lt "$vstart" "$vend" "the vmalloc VPN range is not empty"

# --- kmalloc: PPN = VPN - logical base, = virt_to_phys --------------------
want=$(( ($(cat /sys/module/memalloc/parameters/kmalloc_size) + page_size - 1) / page_size ))
sed -n 's/^kmalloc - VPN: \([0-9a-f]*\) -> PPN: \([0-9a-f]*\) (\([^,]*\), virt_to_phys PPN: \([0-9a-f]*\)).*/\1 \2 \3 \4/p' \
	/tmp/klog > /tmp/kmalloc
n=$(wc -l < /tmp/kmalloc)
# A buffer that is not page aligned may straddle one more page.
ge "$n" "$want" "kmalloc: at least a page line per page ($want)"
le "$n" $((want + 1)) "kmalloc: at most one page line more (straddling)"
bad_lin='' bad_helper='' bad_ram='' bad_level=''
while read -r vpn ppn level helper; do
	[ $((0x$ppn)) = $((0x$vpn - 0x$base)) ] || bad_lin="$bad_lin $vpn:$ppn"
	[ "$ppn" = "$helper" ] || bad_helper="$bad_helper $vpn:$ppn/$helper"
	in_ram $((0x$ppn)) || bad_ram="$bad_ram $ppn"
	case "$level" in 4K|2M|1G) ;; *) bad_level="$bad_level $vpn:$level" ;; esac
done < /tmp/kmalloc
is "$bad_lin" "" "kmalloc: every PPN = VPN - logical base"
is "$bad_helper" "" "kmalloc: every PPN = virt_to_phys's"
is "$bad_ram" "" "kmalloc: every PPN in System RAM"
is "$bad_level" "" "kmalloc: every page mapped at 4K, 2M or 1G"

# --- vmalloc: PPN = vmalloc_to_pfn, 4K pages, in a zone ---------------------
want=$(( ($(cat /sys/module/memalloc/parameters/vmalloc_size) + page_size - 1) / page_size ))
sed -n 's/^vmalloc - VPN: \([0-9a-f]*\) -> PPN: \([0-9a-f]*\) (\([^,]*\), vmalloc_to_pfn PPN: \([0-9a-f]*\)).*/\1 \2 \3 \4/p' \
	/tmp/klog > /tmp/vmalloc
n=$(wc -l < /tmp/vmalloc)
is "$n" "$want" "vmalloc: one line per page"
bad_helper='' bad_level='' bad_zone='' bad_vpn=''
while read -r vpn ppn level helper; do
	[ "$ppn" = "$helper" ] || bad_helper="$bad_helper $vpn:$ppn/$helper"
	[ "$level" = 4K ] || bad_level="$bad_level $vpn:$level"
	in_zone $((0x$ppn)) || bad_zone="$bad_zone $ppn"
	[ $((0x$vpn)) -ge "$vstart" ] && [ $((0x$vpn)) -le "$vend" ] || bad_vpn="$bad_vpn $vpn"
done < /tmp/vmalloc
is "$bad_helper" "" "vmalloc: every PPN = vmalloc_to_pfn's"
is "$bad_level" "" "vmalloc: every page 4K-mapped"
is "$bad_zone" "" "vmalloc: every PPN in a zone"
is "$bad_vpn" "" "vmalloc: every VPN in the vmalloc range"

no_match "$(cat /tmp/klog)" MISMATCH "no walk/helper mismatch reported"

done_testing
