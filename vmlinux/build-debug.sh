#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build memtrace's debug guest kernel (KASAN, kmemleak, lockdep, fault
# injection; vmlinux/debug.config) from Debian's linux-source-6.12, once per
# machine, into a cache outside the clone.
#
#   build-debug.sh CACHE_DIR
#
# CACHE_DIR/<key>/ ends up holding bzImage, vmlinux.btf (BTF for the tool),
# kdir/ (the build tree, for out-of-tree modules: Module.symvers, headers),
# modules/ (the kernel's test modules: test_vmalloc.ko, slub_kunit.ko ...),
# config and version.  The key is the source version and a hash of the
# fragment: a changed fragment builds anew.  About 20 minutes on 2 cores.
set -euo pipefail

cache=$1
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
jobs=${JOBS:-$(nproc)}

say() { echo "debug-kernel: $*"; }
die() { echo "debug-kernel: $*" >&2; exit 1; }

ver=$(apt-cache policy linux-source-6.12 | sed -n 's/^  Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "linux-source-6.12 is not in apt's lists (apt-get update?)"
key=6.12-$ver-$(sha256sum "$frag" | cut -c1-12)
out=$cache/$key
if [ -f "$out/done" ]; then
	say "cached: $out"
	ln -sfn "$key" "$cache/current"
	exit 0
fi
mkdir -p "$cache"
work=$cache/$key.work
src=$cache/source-$ver
kdir=$work/kdir
rm -rf "$work"
mkdir -p "$work"

# The source is unpacked once per version (a failed build keeps it)
if [ ! -f "$src/Makefile" ]; then
	say "fetching linux-source-6.12 $ver (about 150 MB)"
	(cd "$work" && apt-get download -q "linux-source-6.12=$ver" >/dev/null 2>&1) ||
		die "apt-get download linux-source-6.12=$ver failed"
	dpkg -x "$work"/linux-source-6.12_*.deb "$work/pkg"
	say "unpacking the source (1.7 GB)"
	rm -rf "$src.tmp" && mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$work"/pkg/usr/src/linux-source-6.12.tar.xz
	mv "$src.tmp/linux-source-6.12" "$src"
	rm -rf "$src.tmp" "$work/pkg" "$work"/linux-source-6.12_*.deb
fi

say "configuring: tinyconfig + $(basename "$frag")"
make -s -C "$src" O="$kdir" tinyconfig >/dev/null
"$src"/scripts/kconfig/merge_config.sh -m -O "$kdir" "$kdir/.config" "$frag" >/dev/null
make -s -C "$src" O="$kdir" olddefconfig >/dev/null
# Every option of the fragment must have stuck
missing=
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%%=*}
		grep -q "^$opt=" "$kdir/.config" && missing="$missing $line" ;;
	CONFIG_*=*) grep -qx "$line" "$kdir/.config" || missing="$missing $line" ;;
	esac
done < "$frag"
[ -z "$missing" ] || die "options that did not stick:$missing"

say "building bzImage and modules with $jobs jobs (about 20 minutes on 2 cores)"
start=$(date +%s)
make -C "$src" O="$kdir" -j"$jobs" bzImage modules > "$work/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 60
	n=$(grep -c '^  CC' "$work/build.log" || true)
	say "$(( ($(date +%s) - start) / 60 )) min, $n files compiled"
done
wait $pid || { tail -30 "$work/build.log" >&2; die "build failed (log: $work/build.log)"; }
say "built in $(( ($(date +%s) - start) / 60 )) min"

# What the guest and the module build need; kdir refers to the source by
# absolute path (kdir/source), which stays in the cache.
mkdir -p "$out/modules"
cp "$kdir/arch/x86/boot/bzImage" "$out/bzImage"
objcopy --only-section=.BTF --set-section-flags .BTF=alloc,readonly \
	"$kdir/vmlinux" "$out/vmlinux.btf.o" 2>/dev/null || true
cp "$kdir/vmlinux" "$out/vmlinux.btf"
strip --strip-debug "$out/vmlinux.btf" 2>/dev/null || true
rm -f "$out/vmlinux.btf.o"
find "$kdir" -name '*.ko' -exec cp {} "$out/modules/" \;
cp "$kdir/.config" "$out/config"
echo "$ver" > "$out/version"
mv "$kdir" "$out/kdir"
rm -rf "$work"
touch "$out/done"
ln -sfn "$key" "$cache/current"
# Builds of an older fragment are not used any more
for old in "$cache"/6.12-*; do
	[ "$old" != "$out" ] && [ -f "$old/done" ] && rm -rf "$old"
done
say "done: $out"
