#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the ELF vmlinux packed inside a bzImage: find a compressed stream
# (zstd, lz4, gzip, xz) and decompress from there until an ELF comes out.
# Like the kernel's scripts/extract-vmlinux, which Debian's kbuild lacks.
set -eu

img=$1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

try() {
	magic=$1
	shift
	for off in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
		tail -c +$((off + 1)) "$img" | "$@" > "$tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
			cat "$tmp"
			exit 0
		fi
	done
}

try '\x28\xb5\x2f\xfd' zstd -dc
try '\x02\x21\x4c\x18' lz4 -dc
try '\x1f\x8b\x08' gzip -dc
try '\xfd\x37\x7a\x58\x5a\x00' xz -dc
echo "extract-vmlinux: no compressed vmlinux found in $img" >&2
exit 1
