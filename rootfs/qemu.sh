#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the memtrace guest under QEMU.
#
#   qemu.sh [options] -k KERNEL -r INITRAMFS
#     -c CMD      batch: run CMD in the guest after memalloc.ko has loaded,
#                 stream the console, exit with CMD's exit status
#                 (without -c: an interactive shell on this terminal)
#     -m MEM      guest memory, MiB or with a K/M/G suffix (default 128M)
#     -s SMP      vCPUs (default 1; raised to NUMA when smaller)
#     -n NUMA     NUMA nodes, memory split evenly (default 1)
#     -a ARGS     extra QEMU arguments (e.g. "-s -S" for gdb)
#     -p PARAMS   memalloc.ko parameters, e.g. "kmalloc_size=65536"
#     -A APPEND   extra kernel command line
#     -t SECS     batch time limit (default 600); a hang is killed
#     -w SECS     batch: also kill the guest when its console has been
#                 silent for SECS (a guest that hangs early in a long job)
#     -l LOG      also write the console, without CRs, to LOG
#     -o FILE     batch: the guest's /dev/ttyS2 is written to FILE on the host
#                 (a data channel, e.g. for the study's JSON)
#     -f "PATH..." copy host files or folders into the guest's /host/ (by
#                 their base names) before CMD or the shell starts
#     -x ACCEL    auto (default), kvm or tcg: KVM with -cpu host only when
#                 it can run a guest (see accel()), else TCG with one line
#                 saying why; kvm where it cannot fails at once (exit 2)
#     -C FILE     where the answer of the KVM probe is cached (a tiny guest
#                 is run once; without -C, at every boot)
#
# The guest gets the accelerator and the host's CPU model in
# /etc/memtrace/env (MEMTRACE_ACCEL, MEMTRACE_HOST_CPU), for the study.
#
# The guest's exit status travels over a second serial port into a file
# (virtme-ng's trick); a panic (panic=-1 + -no-reboot) or a kill leaves it
# empty, which counts as a failure.
set -euo pipefail

die() { echo "qemu.sh: $*" >&2; exit 2; }

cmd= mem=128M smp=1 numa=1 qargs= params= append= timeout=600 log= kernel= initrd= data=
files= batch=0 accel=auto cache= silence=
while getopts "c:m:s:n:a:p:A:t:w:l:k:r:o:f:x:C:" opt; do
	case $opt in
	c) cmd=$OPTARG; batch=1 ;;
	m) mem=$OPTARG ;;
	s) smp=$OPTARG ;;
	n) numa=$OPTARG ;;
	a) qargs=$OPTARG ;;
	p) params=$OPTARG ;;
	A) append=$OPTARG ;;
	t) timeout=$OPTARG ;;
	w) silence=$OPTARG ;;
	l) log=$OPTARG ;;
	k) kernel=$OPTARG ;;
	r) initrd=$OPTARG ;;
	o) data=$OPTARG ;;
	f) files=$OPTARG ;;
	x) accel=$OPTARG ;;
	C) cache=$OPTARG ;;
	*) die "bad option (see the header of $0)" ;;
	esac
done
[ -f "$kernel" ] || die "no kernel image '$kernel'"
[ -f "$initrd" ] || die "no initramfs '$initrd'"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (make deps)"
case $accel in
auto | kvm | tcg) ;;
*) die "ACCEL=$accel: auto, kvm or tcg" ;;
esac

case $mem in
*[gG]) mib=$(( ${mem%[gG]} * 1024 )) ;;
*[mM]) mib=${mem%[mM]} ;;
*[kK]) mib=$(( ${mem%[kK]} / 1024 )) ;;
*) mib=$mem ;;
esac
[[ $mib =~ ^[0-9]+$ ]] && [ "$mib" -ge 64 ] || die "MEM=$mem: need at least 64 MiB"
[[ $numa =~ ^[0-9]+$ ]] && [ "$numa" -ge 1 ] && [ "$numa" -le 8 ] || die "NUMA=$numa: 1 to 8 nodes"
[[ $smp =~ ^[0-9]+$ ]] && [ "$smp" -ge 1 ] || die "SMP=$smp: need at least 1"
[ "$smp" -ge "$numa" ] || smp=$numa
[ $((mib % numa)) -eq 0 ] || die "MEM=$mem does not split evenly over $numa nodes"

tmp=$(mktemp -d /tmp/memtrace-qemu.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# /proc/cpuinfo's first CPU, read by the shell itself: every command forked
# here delays the guest (tens of ms each on a loaded host)
cpu_flags= host_cpu=
while IFS= read -r line; do
	case $line in
	"model name"*) [ -n "$host_cpu" ] || host_cpu=${line#*: } ;;
	flags*) cpu_flags=" ${line#*: } " ;;
	"") break ;;
	esac
done < /proc/cpuinfo

# A guest of five instructions: its reset vector writes 0x2a to the
# isa-debug-exit port, and QEMU exits with (0x2a << 1) | 1 = 85.  Under a
# KVM that cannot run guests QEMU aborts or hangs ("KVM internal error"):
# the timeout ends it.
kvm_probe() {
	local bios=$tmp/probe.bin rc
	# 64 KiB of hlt; the last 16 bytes (at 0xffff0): mov al,0x2a;
	# out 0xf4,al; hlt; jmp $-1
	head -c 65520 /dev/zero | tr '\0' '\364' > "$bios"
	printf '\260\052\346\364\364\353\375\364\364\364\364\364\364\364\364\364' >> "$bios"
	timeout --signal=KILL 10 qemu-system-x86_64 -accel kvm -cpu host -machine pc \
		-nographic -nodefaults -no-reboot -m 16M -bios "$bios" \
		-device isa-debug-exit,iobase=0xf4,iosize=1 < /dev/null > "$tmp/probe.log" 2>&1
	rc=$?
	[ "$rc" = 85 ] && return 0
	case $rc in
	137) probe_why="a tiny KVM guest hung (killed after 10 s)" ;;
	*) probe_why="a tiny KVM guest failed (qemu exit $rc: $(grep -m1 . "$tmp/probe.log"))" ;;
	esac
	return 1
}

# Whether KVM can run a guest here; if not, $why says what is missing.
# /dev/kvm alone is no proof: with it and without vmx/svm in the CPU flags
# (no nested virtualization) KVM_CREATE_VM succeeds, yet a guest aborts
# ("failed to set MSR 0x10a") or hangs ("KVM internal error").
kvm_usable() {
	local c
	if [[ $cpu_flags != *" vmx "* && $cpu_flags != *" svm "* ]]; then
		why="the CPU has no vmx/svm flag (no hardware virtualization; /proc/cpuinfo)"
		return 1
	fi
	if ! [ -c /dev/kvm ]; then
		why="no /dev/kvm (modprobe kvm_intel or kvm_amd)"
		return 1
	fi
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		why="/dev/kvm is not readable and writable by $(id -un) (the kvm group)"
		return 1
	fi
	# Cached per host kernel and QEMU
	c="$(uname -r) $(qemu-system-x86_64 --version | head -n1)"
	if [ -n "$cache" ] && [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$c" ]; then
		why=$(sed -n 2p "$cache")
		[ -z "$why" ]
		return
	fi
	probe_why=
	kvm_probe || true
	why=$probe_why
	if [ -n "$cache" ]; then
		mkdir -p "$(dirname "$cache")"
		printf '%s\n%s\n' "$c" "$why" > "$cache"
	fi
	[ -z "$why" ]
}

why=
if [ "$accel" != tcg ]; then
	if kvm_usable; then
		accel=kvm
	elif [ "$accel" = kvm ]; then
		die "ACCEL=kvm: KVM cannot run a guest here: $why (ACCEL=tcg or auto)"
	else
		echo "qemu.sh: TCG, not KVM: $why" >&2
		accel=tcg
	fi
fi

if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
else
	# Single-threaded TCG: with 2 vCPUs, multi-threaded TCG once oopsed the
	# guest at boot ("Oops: int3" in enqueue_timer) while the kernel patched
	# its own text (text_poke_bp) on one vCPU and ran it on the other.
	accel_args=(-accel tcg,thread=single)
fi
# No ACPI PCI hotplug: its AML (methods per slot) is a fifth of the kernel's
# acpi_init under TCG (0.13-0.21 s), and nothing is hot-plugged here.
args=(-nographic -no-reboot -nodefaults "${accel_args[@]}" -m "${mib}M" -kernel "$kernel"
      -global PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off
      -global PIIX4_PM.acpi-root-pci-hotplug=off)
if [ "$numa" -gt 1 ]; then
	# A socket per node: CPUs of one last-level cache on two nodes make
	# the kernel WARN at boot (topology_sane(), "llc-sibling ... not on
	# the same node")
	[ $((smp % numa)) -eq 0 ] || die "SMP=$smp does not split evenly over $numa nodes"
	args+=(-smp "$smp,sockets=$numa")
	per=$((mib / numa)) cps=$((smp / numa))
	for ((i = 0; i < numa; i++)); do
		cpus=
		for ((c = i * cps; c < (i + 1) * cps; c++)); do
			cpus+=",cpus=$c"
		done
		args+=(-object "memory-backend-ram,id=m$i,size=${per}M"
		       -numa "node,nodeid=$i$cpus,memdev=m$i")
	done
else
	args+=(-smp "$smp")
fi

# cryptomgr.notests and crypto_kdf108_init (whose initcall is only its
# self-test): the crypto self-tests are a third of the kernel's initcall
# time under TCG (about 0.45 s of 1.46 s) and nothing in the guest uses
# crypto.  jent_mod_init: the jitter entropy RNG's start-up health test
# (SHA3 rounds over timing noise, about 0.07 s; nothing asks the crypto
# API for that RNG).  noreplace-smp: a 1-vCPU guest otherwise patches every
# LOCK prefix of the kernel to UP code, one text_poke() and TLB flush each
# (about 0.15 s).  no_timer_check: skips the boot's check that the PIT
# timer interrupt works (QEMU's does).  None of them changes what the
# guest prints or its memory layout (KASLR is untouched).  ipv6.disable=1:
# the guest has no network device, and IPv6's init (inet6_init) took
# 0.13-0.2 s.  init_encrypted and load_system_certificate_list: the
# encrypted-key type and the built-in X.509 certificates (0.03-0.05 s each);
# nothing in the guest uses a keyring (memalloc.ko is unsigned either way).
kappend="console=ttyS0 panic=-1 quiet cryptomgr.notests ipv6.disable=1"
kappend+=" initcall_blacklist=crypto_kdf108_init,jent_mod_init,init_encrypted,load_system_certificate_list"
kappend+=" noreplace-smp no_timer_check"
for p in $params; do
	kappend+=" memalloc.$p"
done
[ -z "$append" ] || kappend+=" $append"

# A second cpio appended to the initramfs (the kernel unpacks concatenated
# archives in order) holds the command, so CMD needs no quoting on the
# command line and has no length limit, and the files of -f under /host/.
mkdir -p "$tmp/cmd/etc/memtrace"
printf "MEMTRACE_ACCEL=%s\nMEMTRACE_HOST_CPU='%s'\n" "$accel" "${host_cpu//\'/}" \
	> "$tmp/cmd/etc/memtrace/env"
[ "$batch" = 0 ] || printf '%s\n' "$cmd" > "$tmp/cmd/etc/memtrace/cmd"
if [ -n "$files" ]; then
	mkdir -p "$tmp/cmd/host"
	for f in $files; do
		[ -e "$f" ] || die "FILES: no such file or folder '$f'"
		cp -rL "$f" "$tmp/cmd/host/"
	done
fi
(cd "$tmp/cmd" && find . | cpio -o -H newc -R 0:0 --quiet) > "$tmp/cmd.cpio"
cat "$initrd" "$tmp/cmd.cpio" > "$tmp/initrd.cpio"
: > "$tmp/status"

if [ "$batch" = 0 ]; then
	# Interactive: the console is this terminal; Ctrl-A X quits QEMU.
	# shellcheck disable=SC2086
	qemu-system-x86_64 "${args[@]}" -initrd "$tmp/initrd.cpio" \
		-serial mon:stdio -serial null -append "$kappend" $qargs
	exit
fi

# -w: the console's file, looked at every 10 s; this run's QEMU is the one
# whose command line names $tmp
[ -z "$silence" ] || [[ $silence =~ ^[0-9]+$ ]] || die "-w $silence: seconds"
[ -n "$log" ] || [ -z "$silence" ] || log=$tmp/console
wpid=
if [ -n "$silence" ]; then
	(
		while sleep 10; do
			[ -e "$log" ] || continue
			age=$(( $(date +%s) - $(stat -c %Y "$log") ))
			[ "$age" -ge "$silence" ] || continue
			: > "$tmp/silent"
			pkill -KILL -f -- "-initrd $tmp/initrd.cpio"
			exit 0
		done
	) &
	wpid=$!
fi

set +e
# shellcheck disable=SC2086
timeout --signal=KILL "$timeout" qemu-system-x86_64 "${args[@]}" \
	-initrd "$tmp/initrd.cpio" -serial stdio -serial "file:$tmp/status" \
	-serial "file:${data:-/dev/null}" \
	-append "$kappend" $qargs < /dev/null |
	# Line by line into a pipe or a file too: tr block-buffers otherwise
	if [ -n "$log" ]; then stdbuf -oL tr -d '\r' | tee "$log"; else stdbuf -oL tr -d '\r'; fi
qrc=${PIPESTATUS[0]}
set -e
[ -z "$wpid" ] || kill "$wpid" 2>/dev/null || true

if [ -e "$tmp/silent" ]; then
	echo "qemu.sh: guest hung: its console was silent for ${silence}s (-w), killed" >&2
	exit 124
fi
if [ "$qrc" = 137 ]; then
	echo "qemu.sh: guest hung: killed after ${timeout}s" >&2
	exit 124
fi
status=
while IFS= read -r line; do
	[[ $line =~ ^memtrace-exit-status:\ ([0-9]+) ]] && status=${BASH_REMATCH[1]}
done < "$tmp/status"
if [ -z "$status" ]; then
	echo "qemu.sh: the guest reported no exit status (kernel panic or crash? qemu exit $qrc)" >&2
	exit 125
fi
exit "$status"
