#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Count the TAP results of every log in LOGDIR and print the final line
# "N passed, N failed" (skips count as passed and are listed).
logdir=$1
pass=0 fail=0 skip=0
if [ -d "$logdir" ]; then
	pass=$(cat "$logdir"/* 2>/dev/null | grep -c '^ok ')
	fail=$(cat "$logdir"/* 2>/dev/null | grep -c '^not ok ')
	skip=$(cat "$logdir"/* 2>/dev/null | grep -c '^ok .*# SKIP')
fi
if [ "$fail" -gt 0 ]; then
	echo "# failed:"
	cat "$logdir"/* | grep '^not ok ' | sed 's/^/#   /'
fi
[ "$skip" = 0 ] || echo "# skipped: $skip"
if [ $((pass + fail)) = 0 ]; then
	echo "# no test ran"
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
