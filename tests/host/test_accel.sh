#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rootfs/qemu.sh's choice of accelerator, on this host, without booting:
# ACCEL=kvm where KVM cannot run a guest fails at once (exit 2) and says
# why; auto falls back to TCG with exactly one line saying why; a bad value
# is refused.  On a host where KVM can run, the refusals cannot be seen.
. "$(dirname "$0")/../vm/lib.sh"

tmp=$(mktemp -d /tmp/memtrace-accel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/kernel"
: > "$tmp/initrd"
q="rootfs/qemu.sh -k $tmp/kernel -r $tmp/initrd -t 20 -C $tmp/probe"

if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -c /dev/kvm ]; then
	skip "this host has vmx/svm and /dev/kvm: ACCEL=kvm may work here"
	skip "this host has vmx/svm and /dev/kvm: auto may pick KVM"
	done_testing
fi

start=$(date +%s)
timeout --signal=KILL 60 $q -x kvm -c true > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
is "$rc" 2 "ACCEL=kvm without KVM: exit 2"
le "$secs" 5 "ACCEL=kvm without KVM: fails at once (${secs}s)"
match "$(cat "$tmp/err")" '^qemu\.sh: ACCEL=kvm: KVM cannot run a guest here: .*vmx/svm' \
	"ACCEL=kvm without KVM: says it is the missing vmx/svm flag"
is "$(cat "$tmp/out")" "" "ACCEL=kvm without KVM: nothing on stdout (no boot)"

# auto: the one line, then QEMU fails on the empty kernel file
timeout --signal=KILL 60 $q -x auto -c true > "$tmp/out" 2> "$tmp/err"
is "$(grep -c '^qemu\.sh: TCG, not KVM: ' "$tmp/err")" 1 \
	"ACCEL=auto without KVM: one line says TCG and why"
is "$(grep -c 'KVM' "$tmp/err")" 1 "ACCEL=auto without KVM: no other line about KVM"

timeout --signal=KILL 60 $q -x hvf -c true > "$tmp/out" 2> "$tmp/err"
is "$?" 2 "ACCEL=hvf: refused, exit 2"
match "$(cat "$tmp/err")" 'ACCEL=hvf: auto, kvm or tcg' "ACCEL=hvf: the choices are named"
done_testing
