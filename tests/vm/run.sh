#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests (all of /tests/[0-9]*, or those named) and check each
# one's TAP: a bail-out, a missing trailing plan (the test died first), a
# plan that does not match, or a non-zero exit without a failed result is a
# failure of its own.  Exit 4 without results means "skipped" (kselftest's
# KSFT_SKIP).  Each file's time is printed: a boot has a time limit.
set -o pipefail
cd /tests || exit 1

if [ $# -gt 0 ]; then
	tests="$*"
else
	# Shell tests and C test binaries, in the order of their numbers.
	tests=$(for f in /tests/[0-9]*-*.sh /tests/bin/[0-9]*-*; do
		[ -e "$f" ] && echo "${f##*/} $f"
	done | sort | cut -d' ' -f2)
fi

fail=0
for t in $tests; do
	case "$t" in
	/*) ;;
	*.sh) t=/tests/$t ;;
	*) t=/tests/bin/$t ;;
	esac
	name=${t##*/}
	echo "# ---- $name"
	out=/tmp/tap.out
	start=$(date +%s)
	case "$t" in
	*.sh) sh "$t" 2>&1 | tee "$out" ;;
	*) "$t" 2>&1 | tee "$out" ;;
	esac
	rc=$?
	echo "# $name took $(( $(date +%s) - start )) s"
	nok=$(grep -c '^ok ' "$out")
	nnot=$(grep -c '^not ok ' "$out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | tail -n1)
	bail=$(grep -m1 '^Bail out!' "$out")
	if [ "$rc" = 4 ] && [ $((nok + nnot)) = 0 ]; then
		echo "ok - $name # SKIP $(grep -m1 -i skip "$out")"
	elif [ -n "$bail" ]; then
		echo "not ok - $name: $bail (exit $rc)"
		fail=1
	elif [ -z "$plan" ] || [ $((nok + nnot)) != "$plan" ]; then
		echo "not ok - $name: planned ${plan:-nothing}, ran $((nok + nnot)) (exit $rc)"
		fail=1
	elif [ "$rc" != 0 ] && [ "$nnot" = 0 ]; then
		echo "not ok - $name: exit status $rc"
		fail=1
	fi
	[ "$nnot" = 0 ] || fail=1
done
echo "# guest tests done"
exit $fail
