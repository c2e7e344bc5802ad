#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The README's worked example: the addresses the demo prints at load
# (its kmalloc buffer in the direct map, its vmalloc buffer) translated by
# memtrace vtop give the frames the demo printed.
. /tests/lib.sh

# Earlier tests reload the module without its demo: load it afresh, with
# the demo, and read only what this load printed.
rmmod memalloc 2> /tmp/rm.err || bail "rmmod memalloc: $(cat /tmp/rm.err)"
mark=$(dmesg | wc -l)
insmod /lib/modules/memalloc.ko demo=1 || bail "insmod memalloc.ko demo=1 failed"
dmesg | tail -n +$((mark + 1)) > /tmp/demo
grep -q 'kmalloc - VPN' /tmp/demo || bail "the demo printed nothing"
for what in kmalloc vmalloc; do
	line=$(grep -m1 "$what - VPN" /tmp/demo)
	vpn=$(echo "$line" | sed -n 's/.*VPN: 0*\([0-9a-f]*\) -> PPN: 0*\([0-9a-f]*\) .*/\1/p')
	ppn=$(echo "$line" | sed -n 's/.*VPN: 0*\([0-9a-f]*\) -> PPN: 0*\([0-9a-f]*\) .*/\2/p')
	memtrace -j vtop "0x${vpn}000" > /tmp/vt 2> /tmp/vt.err
	is "$?" 0 "vtop of the demo's $what VPN $vpn: exit 0"
	pfn=$(sed -n 's/.*"pfn":\([0-9]*\).*/\1/p' /tmp/vt)
	is "$pfn" "$(printf '%d' "0x${ppn:-0}")" "vtop of the demo's $what VPN: the PPN the demo printed"
	match "$(cat /tmp/vt)" '"stop":"leaf"' "vtop of the demo's $what VPN: a leaf maps it"
done
memtrace vtop "0x${vpn}000" > /tmp/vt.txt
match "$(cat /tmp/vt.txt)" '^pte +0x' "text: the vmalloc page's pte is shown"
match "$(cat /tmp/vt.txt)" "helper says pfn 0x$ppn: the same" "text: the helper agrees"
done_testing
