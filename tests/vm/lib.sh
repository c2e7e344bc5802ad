# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the guest's shell tests (busybox ash), after kselftest.h:
# results as "ok N - desc" / "not ok N - desc", the plan at the end.

_tap_n=0
_tap_fail=0

# ok STATUS DESC: pass when STATUS is 0.
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

# is GOT WANT DESC: pass when the strings are equal; says both otherwise.
is() {
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || echo "#   got '$1', want '$2'"
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
	exit $?
}

# The kernel log without timestamps.
klog() {
	dmesg | sed 's/^\[[^]]*\] //'
}
