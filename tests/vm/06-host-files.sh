#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make vm FILES='...' brings host files into the guest's /host/: the boot
# that runs every test brings tests/vm/lib.sh, which the initramfs also
# holds as /tests/lib.sh, so the two must be the same bytes.
. /tests/lib.sh

if [ ! -d /host ]; then
	echo "# SKIP no /host in this boot (make vm FILES=tests/vm/lib.sh)"
	exit 4
fi
[ -f /host/lib.sh ]
ok $? "FILES: /host/lib.sh exists"
cmp -s /host/lib.sh /tests/lib.sh
ok $? "FILES: /host/lib.sh has the bytes of the host's tests/vm/lib.sh"
done_testing
