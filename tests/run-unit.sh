#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the host unit tests, each a TAP producer; logs go to LOGDIR/unit-*.tap.
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
	echo "# ---- unit: $name"
	"$t" > "$logdir/unit-$name.tap" 2>&1
	trc=$?
	cat "$logdir/unit-$name.tap"
	if [ "$trc" != 0 ] && ! grep -q '^not ok ' "$logdir/unit-$name.tap"; then
		echo "not ok - $name exited $trc" | tee -a "$logdir/unit-$name.tap"
	fi
	[ "$trc" = 0 ] || rc=1
done
exit $rc
