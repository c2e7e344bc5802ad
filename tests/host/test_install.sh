#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall, into a temporary DESTDIR, once per fetched
# Debian kernel tree (KDIR): every file is where it belongs, the module's
# vermagic names the tree's kernel release, the installed memtrace runs
# (--version), and uninstall leaves none of them.
#   test_install.sh          (run by make check: MEMTRACE_MAKE and
#                             MEMTRACE_BUILD say how to call make, where build/ is)
. "$(dirname "$0")/../vm/lib.sh"

mk=${MEMTRACE_MAKE:?set by make check}
b=${MEMTRACE_BUILD:?set by make check}
tmp=$(mktemp -d /tmp/memtrace-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for series in 6.12 6.1; do
	rel=$(sed -n 's/^release=//p' "$b/kernel/$series/version" 2>/dev/null)
	[ -n "$rel" ] || bail "no fetched $series tree in $b/kernel/$series (make kernel KERNEL=$series)"
	d=$tmp/$series
	$mk install DESTDIR="$d" PREFIX=/usr KDIR="$b/kernel/$series/kdir" > "$tmp/log" 2>&1
	rc=$?
	is "$rc" 0 "$series: make install DESTDIR= KDIR= exits 0" || diag "$(tail -n 20 "$tmp/log")"
	for f in bin/memtrace bin/memtrace-render; do
		ok "$([ -x "$d/usr/$f" ]; echo $?)" "$series: /usr/$f installed, executable"
	done
	cmp -s "$d/usr/include/memalloc.h" module/uapi/memalloc.h
	ok $? "$series: /usr/include/memalloc.h is the uapi header"
	match "$(cat "$d/usr/share/man/man1/memtrace.1" 2>&1)" '^\.TH MEMTRACE "1"' \
		"$series: memtrace.1 installed, a man page"
	match "$(cat "$d/usr/share/man/man1/memtrace.1" 2>&1)" '^doctor' \
		"$series: memtrace.1 lists the commands (doctor)"
	ko=$(find "$d/lib/modules/$rel" -name 'memalloc.ko*' 2>/dev/null | head -n1)
	case "${ko#"$d"}" in
	"/lib/modules/$rel/"*/memalloc.ko*) ok 0 "$series: memalloc.ko under /lib/modules/$rel/" ;;
	*) ok 1 "$series: memalloc.ko under /lib/modules/$rel/"; diag "found: '$ko'" ;;
	esac
	vm=$(modinfo -F vermagic "$ko" 2>&1)
	is "${vm%% *}" "$rel" "$series: the module's vermagic is the tree's release"
	"$d/usr/bin/memtrace" --version > "$tmp/v" 2>&1
	is "$?" 0 "$series: the installed memtrace --version exits 0"
	match "$(cat "$tmp/v")" '^memtrace [0-9]' "$series: --version names memtrace and its version"
	match "$(cat "$tmp/v")" '^BPF objects built against kernel [0-9]' \
		"$series: --version names the kernel of vmlinux.h"
	$mk uninstall DESTDIR="$d" PREFIX=/usr KDIR="$b/kernel/$series/kdir" > "$tmp/log" 2>&1
	is "$?" 0 "$series: make uninstall exits 0"
	left=$(find "$d" -type f -name 'memtrace*' -o -type f -name 'memalloc*' | sed "s|^$d||")
	is "$left" "" "$series: uninstall leaves no memtrace or memalloc file"
done
done_testing
