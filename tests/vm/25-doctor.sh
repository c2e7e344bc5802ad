#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memtrace doctor on the real kernel: every requirement met on the default
# guest (exit 0); then one taken away at a time (BTF hidden under an empty
# file, memalloc.ko unloaded, bpffs unmounted, not root): it is named on
# its line with its fix, the exit status is 4, and what it hides breaks
# memtrace itself too; each is put back before the next.
. /tests/lib.sh

[ "$(id -u)" = 0 ] || bail "needs root"

# doctor_rc ARGS...: run memtrace doctor, its output in /tmp/doc, its status in $rc
doctor() {
	memtrace "$@" doctor > /tmp/doc 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/doc
}

# --- everything there ------------------------------------------------------
doctor
is "$rc" 0 "doctor on the default guest exits 0"
for c in root btf bpffs ringbuf raw_tp fentry module kernel debugfs; do
	match "$(cat /tmp/doc)" "^$c +ok " "doctor: $c ok"
done
no_match "$(cat /tmp/doc)" 'fix:' "doctor: no fix printed when all is met"
match "$(cat /tmp/doc)" '^verdict: ready' "doctor: verdict ready"
memtrace -j doctor > /tmp/doc.json
is "$?" 0 "doctor -j exits 0"
match "$(cat /tmp/doc.json)" '^\{"schema":"memtrace/1","cmd":"doctor","ready":true,' \
	"doctor -j: one document, ready"

# --- BTF hidden: an empty file bound over /sys/kernel/btf/vmlinux ----------
: > /tmp/empty
mount -o bind /tmp/empty /sys/kernel/btf/vmlinux || bail "cannot hide the BTF file"
doctor
memtrace compare --count 1 > /tmp/cmp 2>&1
crc=$?
umount /sys/kernel/btf/vmlinux || bail "cannot put the BTF file back"
is "$rc" 4 "no BTF: doctor exits 4"
match "$(cat /tmp/doc)" '^btf +FAIL +/sys/kernel/btf/vmlinux does not parse' "no BTF: named"
match "$(cat /tmp/doc)" 'fix: .*CONFIG_DEBUG_INFO_BTF=y' "no BTF: the fix names the config"
match "$(cat /tmp/doc)" '^bpffs +ok ' "no BTF: bpffs still ok"
is "$crc" 4 "no BTF: memtrace compare exits 4 too"

# --- memalloc.ko not loaded -----------------------------------------------
rmmod memalloc 2> /tmp/rm.err || bail "rmmod memalloc: $(cat /tmp/rm.err)"
doctor
insmod /lib/modules/memalloc.ko demo=0 || bail "cannot load memalloc.ko again"
is "$rc" 4 "no module: doctor exits 4"
match "$(cat /tmp/doc)" '^module +FAIL +memalloc.ko is not loaded' "no module: named"
match "$(cat /tmp/doc)" 'fix: load memalloc.ko' "no module: the fix says load it"
match "$(cat /tmp/doc)" '^btf +ok ' "no module: BTF ok again"

# --- bpffs unmounted ------------------------------------------------------
umount /sys/fs/bpf || bail "cannot unmount bpffs"
doctor
memtrace compare --count 1 > /tmp/cmp 2>&1
crc=$?
mount -t bpf bpf /sys/fs/bpf || bail "cannot mount bpffs again"
is "$rc" 4 "no bpffs: doctor exits 4"
match "$(cat /tmp/doc)" '^bpffs +FAIL +not mounted at /sys/fs/bpf; the kernel has bpffs$' \
	"no bpffs: named, and mountable"
match "$(cat /tmp/doc)" 'fix: mount -t bpf bpf /sys/fs/bpf' "no bpffs: the fix mounts it"
is "$crc" 4 "no bpffs: memtrace compare exits 4 too"

# --- not root ---------------------------------------------------------------
su -s /bin/sh nobody -c 'memtrace doctor' > /tmp/doc 2>&1
is "$?" 4 "as a user: doctor exits 4"
match "$(cat /tmp/doc)" '^root +FAIL +euid [0-9]+, not root' "as a user: root named"
match "$(cat /tmp/doc)" '^ringbuf +unchecked +not checked: needs root' \
	"as a user: the BPF probes are not checked, and it says why"

# --- all back -----------------------------------------------------------------
doctor
is "$rc" 0 "everything put back: doctor exits 0 again"

done_testing
