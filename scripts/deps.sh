#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that memtrace needs, only those missing.
# Run as root on Debian 12; prints what it installs.  NO_DEPS=1 skips it.
#   deps.sh [PACKAGE...]   the given packages instead (e.g. the debug
#                          kernel's build tools)
set -eu

# zstd/lz4/gzip: vmlinux/extract-vmlinux.sh; pahole: module BTF; kmod: insmod;
# help2man: memtrace.1; xz-utils: modules_install compresses (6.12's config)
pkgs="make gcc libc6-dev qemu-system-x86 busybox-static clang libbpf-dev
bpftool libelf-dev zlib1g-dev libzstd-dev libjson-c-dev pahole cpio zstd lz4
gzip kmod help2man xz-utils"
[ $# = 0 ] || pkgs="$*"

# One dpkg-query for all (0.03 s; one per package took 0.5 s): a line per
# package it knows, "name status"; an unknown one is missing.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
	      sed -n 's/ install ok installed$//p' | tr '\n' ' ' || true) "
missing=
for p in $pkgs; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root (or install them) to continue" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be stale or empty.
apt-get -q update >/dev/null
apt-get -q install -y --no-install-recommends $missing >/dev/null
echo "deps: done"
