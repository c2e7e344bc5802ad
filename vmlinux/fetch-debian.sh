#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch one of Debian's prebuilt cloud kernels and its headers, without
# installing anything on the host: apt-get download + dpkg -x under OUT.
#
#   fetch-debian.sh SERIES OUT [KVER]
#
# SERIES is 6.12 or 6.1.  KVER pins the ABI string (e.g. 6.12.117+deb12,
# 6.1.0-56); by default the newest one apt knows is used.  On success OUT has:
#   vmlinuz      the kernel image to boot
#   kdir         link to the headers tree (KDIR for out-of-tree modules)
#   vmlinux.btf  an ELF whose .BTF section describes the kernel
#   version      the ABI string and package versions used
set -eu

series=$1
out=$2
kver=${3:-}

die() { echo "fetch-debian: $*" >&2; exit 1; }

case "$series" in
6.12) meta=linux-image-6.12-cloud-amd64 ;;
6.1) meta=linux-image-cloud-amd64 ;;
*) die "unknown kernel series '$series' (known: 6.12, 6.1)" ;;
esac

# Resolve the ABI string from the meta package's dependency, e.g.
# linux-image-6.12.117+deb12-cloud-amd64 -> 6.12.117+deb12.
resolve() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)-cloud-amd64.*$/\1/p' |
		grep -v unsigned | head -n1
}
if [ -z "$kver" ]; then
	kver=$(resolve || true)
	if [ -z "$kver" ]; then
		apt-get -q update >/dev/null
		kver=$(resolve || true)
	fi
	[ -n "$kver" ] || die "cannot resolve the newest $meta (apt sources?)"
fi

if [ -f "$out/version" ] && grep -qx "abi=$kver" "$out/version"; then
	exit 0
fi

hdr=linux-headers-$kver-cloud-amd64
img=linux-image-$kver-cloud-amd64-unsigned
if ! apt-cache show "$hdr" >/dev/null 2>&1; then
	apt-get -q update >/dev/null
	apt-cache show "$hdr" >/dev/null 2>&1 ||
		die "no package $hdr (is KVER=$kver right? try: apt-cache search linux-headers-$series)"
fi
common=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-headers-.*-common\)$/\1/p' | head -n1)
kbuild=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-kbuild-[^ ]*\)$/\1/p' | head -n1)
[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the dependencies of $hdr"

echo "fetch-debian: $img $hdr $common $kbuild"
rm -rf "$out"
mkdir -p "$out/debs" "$out/root"
(cd "$out/debs" && apt-get -q download "$img" "$hdr" "$common" "$kbuild" 2>&1 |
	grep -v 'unsandboxed' >&2 || true)
for d in "$out"/debs/*.deb; do
	dpkg -x "$d" "$out/root"
done
[ -e "$out/root/boot/vmlinuz-$kver-cloud-amd64" ] || die "download failed (see above)"

# The cloud headers include their -common half by absolute path.
kdir=$out/root/usr/src/linux-headers-$kver-cloud-amd64
cdir=$(cd "$out/root/usr/src/linux-headers-$kver-common" && pwd)
sed -i "s|^include /usr/src/linux-headers-$kver-common/|include $cdir/|" "$kdir/Makefile"
grep -q "^include $cdir/Makefile" "$kdir/Makefile" || die "could not fix $kdir/Makefile"

ln -sfn "root/usr/src/linux-headers-$kver-cloud-amd64" "$out/kdir"
ln -sfn "root/boot/vmlinuz-$kver-cloud-amd64" "$out/vmlinuz"

# 6.12's headers ship a BTF-only vmlinux; 6.1's do not, so take the BTF from
# the image itself.
if [ -f "$kdir/vmlinux" ]; then
	ln -sfn "kdir/vmlinux" "$out/vmlinux.btf"
else
	"$(dirname "$0")/extract-vmlinux.sh" "$out/vmlinuz" > "$out/vmlinux.elf"
	ln -sfn vmlinux.elf "$out/vmlinux.btf"
fi

{
	echo "abi=$kver"
	echo "release=$kver-cloud-amd64"
	for d in "$out"/debs/*.deb; do
		dpkg-deb -W --showformat='${Package} ${Version}\n' "$d"
	done
} > "$out/version.tmp"
mv "$out/version.tmp" "$out/version"
echo "fetch-debian: kernel $kver-cloud-amd64 ready in $out"
