#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The bench guest's initramfs: the usual one (BASE) followed by a second
# newc archive (the kernel unpacks concatenated archives in order) holding
# the host's perf and bpftrace, every library `ldd` lists for them (the
# loader included, at the paths ldd prints), and the bench's own files.
#
#   mkinitramfs.sh OUT.cpio BASE.cpio SRC:DEST...
#
# perf and bpftrace come from Debian's linux-perf and bpftrace packages
# (`make bench` installs them); BTF comes from the guest kernel, so no
# headers are needed.  About 240 MB, uncompressed: unpacking is faster than
# decompressing under TCG, and the guest needs 1 GiB (the root is a tmpfs
# of half of RAM).
set -eu

out=$1
base=$2
shift 2

die() { echo "bench/mkinitramfs: $*" >&2; exit 1; }

[ -f "$base" ] || die "no base initramfs '$base'"
stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/usr/bin"
for tool in perf bpftrace; do
	bin=$(command -v "$tool") || die "no $tool (apt-get install linux-perf bpftrace)"
	cp -L "$bin" "$stage/usr/bin/$tool"
	# "libx.so => /lib/.../libx.so (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
	ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done
# Debian's ldd paths are /lib/...; the loader also searches /usr/lib.
[ -e "$stage/usr/lib" ] || ln -s ../lib "$stage/usr/lib"

for spec in "$@"; do
	src=${spec%%:*}
	dst=${spec#*:}
	mkdir -p "$stage/$(dirname "$dst")"
	cp -r "$src" "$stage/$dst"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
cat "$base" "$out.tmp" > "$out"
rm -f "$out.tmp"
