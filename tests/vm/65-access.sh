#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Access and overload.  A user who is not root gets one clear line and the
# "this system cannot" status (4) from every command that needs the device
# or BPF; the device is 0600 and the debugfs view root-only; what a user
# can read prints no kernel address.  A ring buffer flooded past its size
# is reported as drops and the comparison says "incomplete", never "agree".
. /tests/lib.sh

[ "$(id -u)" = 0 ] || bail "needs root"

# --- the files ---------------------------------------------------------------
is "$(stat -c '%a %U' /dev/memalloc)" "600 root" "/dev/memalloc is 0600 root"
is "$(stat -c '%a %U' /sys/kernel/debug/memalloc/allocations)" "400 root" \
	"debugfs view is 0400 root"
as_user() { su -s /bin/sh nobody -c "$*"; }
as_user 'cat /sys/kernel/debug/memalloc/allocations' > /tmp/u 2>&1
isnt "$?" 0 "a user cannot read the debugfs view"

# --- every command, as a user ------------------------------------------------
for cmd in "run --count 1" "compare --count 1" "info" "study --quick"; do
	as_user "memtrace $cmd" > /tmp/u.out 2> /tmp/u.err
	is "$?" 4 "as a user, memtrace $cmd: exit 4 (this system cannot)"
	is "$(wc -l < /tmp/u.err)" 1 "as a user, memtrace $cmd: one line on stderr"
	match "$(cat /tmp/u.err)" 'needs root|not permitted|Permission denied' \
		"as a user, memtrace $cmd: it says why"
	no_match "$(cat /tmp/u.out /tmp/u.err)" 'ffff[0-9a-f]{12}' \
		"as a user, memtrace $cmd: no kernel address printed"
done
# zones reads /proc only: it runs, and says the addresses are hidden
as_user 'memtrace zones' > /tmp/u.out 2> /tmp/u.err
is "$?" 0 "as a user, memtrace zones runs (/proc is readable)"
match "$(cat /tmp/u.out)" 'read /proc/iomem with CAP_SYS_ADMIN' \
	"as a user, memtrace zones says the iomem addresses are hidden"
no_match "$(cat /tmp/u.out)" 'ffff[0-9a-f]{12}' "as a user, memtrace zones prints no kernel address"

# --- a flooded ring buffer: drops, never "agree" -------------------------------
# One page of ring buffer and a poll every 64 allocations: most records drop.
memtrace compare --ringbuf 4K --kind kmalloc --size 64 --count 2000 > /tmp/flood 2>&1
is "$?" 1 "flooded ring buffer: compare exits 1"
drops=$(sed -n 's/^ring buffer drops \([0-9]*\),.*/\1/p' /tmp/flood)
gt "${drops:-0}" 0 "flooded ring buffer: the drops are counted ($drops)"
match "$(cat /tmp/flood)" '^verdict: incomplete' "flooded ring buffer: the verdict is incomplete"
no_match "$(cat /tmp/flood)" '^verdict: agree' "flooded ring buffer: never agree"
done_testing
