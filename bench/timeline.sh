#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where the time of one `make run` goes: the console is stamped with the
# host's clock line by line, QEMU's start and exit are stamped by a shim
# put first in PATH, and the kernel's printk time of the first kernel line
# gives the host time of the kernel's clock zero.  Prints the phases in
# seconds (host wall time; TCG-relative) and keeps the stamped console.
#
#   timeline.sh [MAKE ARGS...]        e.g. timeline.sh NO_DEPS=1
#
# Wrap it like any boot: flock /tmp/guest.lock bench/timeline.sh NO_DEPS=1
set -eu

tmp=$(mktemp -d /tmp/memtrace-timeline.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
real=$(command -v qemu-system-x86_64) || { echo "timeline: no qemu-system-x86_64" >&2; exit 2; }
mkdir "$tmp/bin"
cat > "$tmp/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
echo "QEMU-START \$(date +%s%N)" >> "$tmp/qemu.log"
"$real" "\$@"
rc=\$?
echo "QEMU-EXIT \$(date +%s%N)" >> "$tmp/qemu.log"
exit \$rc
EOF
chmod +x "$tmp/bin/qemu-system-x86_64"

T0=$(date +%s%N)
export T0
rc=0
{ PATH="$tmp/bin:$PATH" make run "$@" 2>&1 || echo "MAKE-FAILED $?"; } |
	perl -MTime::HiRes=time -ne 'BEGIN { $| = 1; $t0 = $ENV{T0} / 1e9 }
		printf "%.3f %s", time - $t0, $_' > "$tmp/console"
end=$(( ($(date +%s%N) - T0) / 1000000 ))
out=${TIMELINE_OUT:-build/timeline.txt}
mkdir -p "$(dirname "$out")"
cp "$tmp/console" "$out"
grep -q MAKE-FAILED "$tmp/console" && rc=1

awk -v qlog="$tmp/qemu.log" -v t0="$T0" -v end="$end" '
function stamp(name, t) { if (!(name in at)) at[name] = t }
BEGIN {
	while ((getline l < qlog) > 0) {
		split(l, f, " ")
		stamp(f[1], (f[2] - t0) / 1e9)
	}
}
{ t = $1 + 0 }
/SeaBIOS/ { stamp("bios", t) }
# SeaBIOS ends this line without a newline when the kernel is quick to
# print: then it comes with the first kernel line, and is not a time.
/Booting from ROM/ && !/\[ *[0-9]+\.[0-9]+\]/ { stamp("rom", t) }
/\[ *[0-9]+\.[0-9]+\]/ && !("kzero" in at) {
	match($0, /\[ *[0-9]+\.[0-9]+\]/)
	k = substr($0, RSTART + 1, RLENGTH - 2) + 0
	stamp("kzero", t - k)
}
/memalloc: / { stamp("insmod", t) }
/vmalloc - VPN/ { at["demo"] = t }
/\/proc\/iomem/ { stamp("zones", t) }
/loading the BPF tracer/ { stamp("load", t) }
/memtrace: tracing/ { stamp("traced", t) }
/^[0-9.]+ KIND / { stamp("report", t) }
/^[0-9.]+ verdict:/ { stamp("verdict", t) }
/reboot: Power down/ { stamp("down", t) }
END {
	n = split("QEMU-START bios rom kzero insmod demo zones load traced report verdict down QEMU-EXIT", order, " ")
	split("make and qemu.sh, to QEMU'"'"'s start|QEMU start-up, to SeaBIOS|SeaBIOS, to its option ROM|option ROM: kernel+initrd load, decompression, early kernel (to the kernel clock'"'"'s zero)|kernel: initcalls, initramfs, /init (to insmod)|memalloc.ko demo|memtrace zones, to its first line|memtrace zones; memtrace run starts|memtrace run: load and attach the tracer|memtrace run: allocate, walk, free, match|memtrace run: print the report|memtrace exit (tracer teardown), poweroff|QEMU exit|qemu.sh and make exit", what, "|")
	prev = 0
	for (i = 1; i <= n; i++) {
		if (!(order[i] in at)) { printf "%-10s  (not seen)\n", order[i]; continue }
		printf "%7.3f  +%6.3f  %s\n", at[order[i]], at[order[i]] - prev, what[i]
		prev = at[order[i]]
	}
	printf "%7.3f  +%6.3f  %s\n", end / 1000, end / 1000 - prev, what[n + 1]
}' "$tmp/console"
exit $rc
