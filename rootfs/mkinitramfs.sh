#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the guest's initramfs: busybox-static, /init, memalloc.ko and any
# extra files, as an uncompressed newc cpio (the fastest to unpack under TCG).
#
#   mkinitramfs.sh OUT.cpio MODULE.ko [SRC:DEST ...]
#   mkinitramfs.sh --only OUT.cpio SRC:DEST ...
#
# --only: an archive of those files alone, to append to another (the kernel
# unpacks concatenated archives in order).
#
# Needs no root: nothing in the archive is a device node (/init mounts
# devtmpfs first).
set -eu

only=0
if [ "${1-}" = --only ]; then
	only=1
	shift
fi
out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}

stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

if [ "$only" = 0 ]; then
	ko=$1
	shift
	[ -x "$busybox" ] || { echo "mkinitramfs: no $busybox (busybox-static)" >&2; exit 1; }
	if readelf -l "$busybox" 2>/dev/null | grep -q INTERP; then
		echo "mkinitramfs: $busybox is dynamically linked (install busybox-static)" >&2
		exit 1
	fi

	mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin \
		"$stage"/dev "$stage"/proc "$stage"/sys "$stage"/tmp "$stage"/root \
		"$stage"/etc/memtrace "$stage"/lib/modules
	cp "$busybox" "$stage/bin/busybox"
	for app in $("$busybox" --list-full); do
		[ -e "$stage/$app" ] || ln -s /bin/busybox "$stage/$app"
	done
	install -m 0755 "$here/init" "$stage/init"
	cp "$ko" "$stage/lib/modules/memalloc.ko"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
		> "$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
	printf 'PS1="memtrace:\\w# "\n' > "$stage/etc/profile"
	# What /init mounts with mount -a, in this order (debugfs and tracefs
	# under /sys)
	cat > "$stage/etc/fstab" <<-'EOF'
	proc	/proc			proc	defaults	0 0
	sysfs	/sys			sysfs	defaults	0 0
	debugfs	/sys/kernel/debug	debugfs	defaults	0 0
	tracefs	/sys/kernel/tracing	tracefs	defaults	0 0
	bpf	/sys/fs/bpf		bpf	defaults	0 0
	devpts	/dev/pts		devpts	defaults	0 0
	tmpfs	/tmp			tmpfs	defaults	0 0
	EOF
fi

for spec in "$@"; do
	src=${spec%%:*}
	dst=${spec#*:}
	mkdir -p "$stage/$(dirname "$dst")"
	cp -r "$src" "$stage/$dst"
done

# No debug info in the guest: nothing there reads it, and the kernel
# unpacks every byte under TCG (the module and the tools' -g are 2.3 of
# 11.9 MB).  --strip-debug keeps the symbols and the module's .BTF, as
# the kernel's INSTALL_MOD_STRIP=1 does.
find "$stage" -type f | while read -r f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	"${STRIP:-strip}" --strip-debug "$f"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
