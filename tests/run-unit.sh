#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the host unit tests, each a TAP producer; logs go to LOGDIR/unit-*.tap.
# A test whose trailing plan is missing (it died first) or does not match
# the results it printed, or that exits non-zero without a failed result,
# gets a "not ok" line of its own, which tests/summary.sh counts.
#   run-unit.sh LOGDIR TEST...
set -u
logdir=$1
shift
mkdir -p "$logdir"
here=$(cd "$(dirname "$0")" && pwd)
export TEST_DATA_DIR="$here/unit/data"
rc=0
for t in "$@"; do
	name=$(basename "$t")
	log=$logdir/unit-$name.tap
	echo "# ---- unit: $name"
	"$t" > "$log" 2>&1
	trc=$?
	cat "$log"
	nok=$(grep -c '^ok ' "$log")
	nnot=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | tail -n1)
	bail=$(grep -m1 '^Bail out!' "$log")
	if [ -n "$bail" ]; then
		echo "not ok - $name: $bail (exit $trc)" | tee -a "$log"
	elif [ -z "$plan" ] || [ $((nok + nnot)) != "$plan" ]; then
		echo "not ok - $name: planned ${plan:-nothing}, ran $((nok + nnot)) (exit $trc)" |
			tee -a "$log"
	elif [ "$trc" != 0 ] && [ "$nnot" = 0 ]; then
		echo "not ok - $name: exit status $trc" | tee -a "$log"
	fi
	[ "$trc" = 0 ] || rc=1
done
exit $rc
