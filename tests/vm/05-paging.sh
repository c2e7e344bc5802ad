#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The paging mode the module walks is the CPU's: 5 levels when the guest CPU
# has LA57 (the la57 boot of make vmtest, QEMU -cpu max), else 4; and the
# layout memtrace info reports is the one the kernel uses.
. /tests/lib.sh

memtrace info > /tmp/info 2>&1
is "$?" 0 "memtrace info exits 0"
sed 's/^/#   /' /tmp/info
levels=$(sed -n 's/^paging levels *\([0-9]\)$/\1/p' /tmp/info)
if grep -qw la57 /proc/cpuinfo; then want=5; else want=4; fi
is "$levels" "$want" "paging levels = $want (la57 in /proc/cpuinfo: $([ $want = 5 ] && echo yes || echo no))"

# The demo's logical base is PAGE_OFFSET >> 12: the same number.
base=$(dmesg | sed -n 's/.*Kernel logical VPN: \([0-9a-f]*\).*/\1/p' | head -n1)
po=$(sed -n 's/^PAGE_OFFSET *0x\([0-9a-f]*\) .*/\1/p' /tmp/info)
match "$base" '^[0-9a-f]+$' "the demo printed its logical VPN ($base)"
match "$po" '^[0-9a-f]+$' "memtrace info prints PAGE_OFFSET (0x$po)"
is $(( (0x${po:-0} >> 12) & 0xfffffffffffff )) $((0x${base:-0})) \
	"PAGE_OFFSET of memtrace info = demo's logical VPN << 12"

# With 5 levels the direct map lives above the 4-level canonical hole.
# (Both sides have bit 63 set: the signed comparison orders them right.)
if [ "$want" = 5 ]; then
	lt $((0x${po:-0})) $((0xffff800000000000)) \
		"5-level PAGE_OFFSET 0x$po lies below the 4-level kernel half"
else
	ge $((0x${po:-0})) $((0xffff800000000000)) \
		"4-level PAGE_OFFSET 0x$po lies in the 4-level kernel half"
fi

match "$(memtrace -j info)" '^\{"schema":"memtrace/1","cmd":"info","page_size":4096,"levels":'"$want"',' \
	"memtrace -j info: one JSON document with the levels"

done_testing
