#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Count the TAP results of every log in LOGDIR (or in several, e.g. one per
# kernel) and print the final line "N passed, N failed" (skips count as
# passed and are listed).
#   summary.sh LOGDIR...   (vm:LOGDIR: a run of the guest tests only)
#
# The runners (run-unit.sh, vm/run.sh, run-vm.sh) add a "not ok" line for a
# program that bailed out, died before its trailing plan, or a boot that did
# not finish.  A test program that left no trace at all (not built, or its
# boot never started) is a failure here: every tests/unit/test_*.c needs a
# log, and every tests/vm/NN-* test a "# ---- NN-*" header in a guest log.
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
for logdir in "$@"; do
	units=yes
	case "$logdir" in vm:*) logdir=${logdir#vm:} units= ;; esac
	p=0 f=0 k=0
	if [ -d "$logdir" ]; then
		p=$(cat "$logdir"/* 2>/dev/null | grep -c '^ok ')
		f=$(cat "$logdir"/* 2>/dev/null | grep -c '^not ok ')
		k=$(cat "$logdir"/* 2>/dev/null | grep -c '^ok .*# SKIP')
	fi
	missing=
	for src in "$here"/unit/test_*.c "$here"/host/test_*.sh; do
		[ -e "$src" ] && [ -n "$units" ] || continue
		name=$(basename "$src" .c)
		[ -f "$logdir/unit-$name.tap" ] || missing="$missing $name"
	done
	for src in "$here"/vm/[0-9]*-*.sh "$here"/vm/[0-9]*-*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src")
		name=${name%.c}
		cat "$logdir"/vm-*.log 2>/dev/null | grep -qx "# ---- $name" ||
			missing="$missing $name"
	done
	if [ "$f" -gt 0 ] || [ -n "$missing" ]; then
		echo "# failed ($logdir):"
		cat "$logdir"/* 2>/dev/null | grep '^not ok ' | sed 's/^/#   /'
		for name in $missing; do
			echo "#   not ok - $name: never ran (no log)"
			f=$((f + 1))
		done
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
done
[ "$skip" = 0 ] || echo "# skipped: $skip"
if [ $((pass + fail)) = 0 ]; then
	echo "# no test ran"
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
