#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make bench`: what each tracer costs the module's
# alloc+free loops, and what it loses.  For each loop (kmalloc(64)+kfree,
# alloc_pages(order 0)+__free_pages) and each tool of TOOLS below: start
# bench-loop stopped, start the tool, wait until it is ready, let the loop
# run its repetitions, stop the tool, read what it saw and what it says it
# lost.  Runs in the bench initramfs (perf, bpftrace, /bench/*), as root.
#
#   run.sh [--reps N] [--rounds R] [--pairs N] [--tools 'NAME...'] [--out FILE]
#          [--cap-rates 'EV/S...' [--cap-tools 'NAME...'] [--cap-secs S]
#           [--cap-events N] [--no-table]]
#
# --rounds R: the whole table R times over, each tool --reps repetitions a
# round: a tool's repetitions are then spread over the run, and a change of
# the host's or the guest's speed midway (seen: the page loop 1.6 times
# slower from one repetition to the next, for every tool after it) weighs
# on every tool alike instead of on the tools it happened under.
#
# --cap-rates: the capacity bench after the table (or instead of it, with
# --no-table): for each tool of CAP_TOOLS below and each rate, rising, the
# kmalloc loop paced at that rate (bench-loop --rate) for --cap-secs
# seconds (default 2) or --cap-events events (default 2000000), whichever is
# fewer; the rate "max" is the loop unpaced.  With 2 or more CPUs the loop
# runs on CPU 1 and the tool on CPU 0 (taskset).
#
# Writes to FILE (default stdout) one line per fact, for bench/report.sh:
#   rep TOOL LOOP REP NS_PER_PAIR          one repetition of the loop
#   count TOOL LOOP EXPECTED SEEN SELF_LOST   over a session's repetitions
#                                          (one a round: report.sh adds them)
#   cap CPUS TOOL RING TARGET ACHIEVED LATE EXPECTED SEEN SELF_LOST
#                                          one capacity session: the guest's
#                                          CPUs, the tool's
#                                          ring buffer (bytes), the rate asked
#                                          ("max": unpaced) and achieved
#                                          (events/s), the bursts that started
#                                          late, then as count
#   notyet TOOL                            in the table, not built yet
#   failed TOOL LOOP                       no figures (the reason on stderr)
#   info KEY VALUE...
# Progress goes to stderr.  Exit 0, or 1 when a tool or the loop failed.
set -u

reps=5 rounds=1 pairs=200000 out=/dev/stdout icount=
cap_rates='' cap_only='' cap_secs=2 cap_events=2000000 table=1
while [ $# -gt 0 ]; do
	case $1 in
	--cap-rates) cap_rates=$2; shift 2 ;;
	--cap-tools) cap_only=$2; shift 2 ;;
	--cap-secs) cap_secs=$2; shift 2 ;;
	--cap-events) cap_events=$2; shift 2 ;;
	--no-table) table=0; shift ;;
	--reps) reps=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--tools) only=$2; shift 2 ;;
	--pairs) pairs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--icount) icount=$2; shift 2 ;;
	*) echo "usage: run.sh [--reps N] [--rounds R] [--pairs N] [--tools 'NAME...'] [--out FILE]" \
		"[--icount SHIFT]" \
		"[--cap-rates 'EV/S...' [--cap-tools 'NAME...'] [--cap-secs S]" \
		"[--cap-events N] [--no-table]]" >&2
	   exit 64 ;;
	esac
done

B=/bench
T=/tmp/bench
rm -rf "$T"
mkdir -p "$T"
failed=0

# The tools, one a line: NAME|COMMAND|READY|STOP|COUNT.  COMMAND starts the
# tool before the loop runs ("-": nothing is attached; "not yet": listed,
# not measured), with @PID@ the loop's process, @KIND@ kmem or page, @EV1@
# and @EV2@ the loop's two tracepoints, @FILTER@ a tracepoint filter on
# the loop's events and @SITES@ memalloc.ko's text, "LO,HI" in hex.  The
# loop's events: kmalloc and kfree called from memalloc.ko by its process
# (an interrupt's allocation during the loop belongs to no call site of
# the module), order-0 page events of its process (page events carry no
# call site: an interrupt's there counts as the loop's).  READY is how the bench knows it is attached (a
# function below), STOP the signal that ends it, COUNT the function that
# reads, from its output, the loop's events it saw and the events it says
# it lost.  A new tool is one more line (and a COUNT function if its output
# is new).
TOOLS="bare|-|-|-|-
floor-count|$B/bench-floor --pid @PID@ --count @KIND@ --mode count|ready_line|INT|count_mt
floor-ringbuf|$B/bench-floor --pid @PID@ --count @KIND@ --mode ringbuf|ready_line|INT|count_mt
memtrace-run|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@|ready_line|INT|count_mt
memtrace-run-w1|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@ --wakeup-every 1|ready_line|INT|count_mt
memtrace-run-w64|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@ --wakeup-every 64|ready_line|INT|count_mt
memtrace-run-walk|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@ --bpf-walk|ready_line|INT|count_mt
memtrace-top|memtrace top -j -i 3600 -p @PID@|ready_tracing|INT|count_top
memtrace-top-nowalk|memtrace top -j -i 3600 -p @PID@ --no-page-size|ready_tracing|INT|count_top
memtrace-record|memtrace record -o $T/rec.mtr|ready_tracing|INT|count_record
perf|perf record -D -1 --control fifo:$T/perf.ctl,$T/perf.ack -a -e @EV1@ --filter @FILTER@ -e @EV2@ --filter @FILTER@ -o $T/perf.data|ready_perf|INT|count_perf
perf-g|perf record -g -D -1 --control fifo:$T/perf.ctl,$T/perf.ack -a -e @EV1@ --filter @FILTER@ -e @EV2@ --filter @FILTER@ -o $T/perf.data|ready_perf|INT|count_perf
bpftrace-count|bpftrace $T/count-@KIND@.bt|ready_line|INT|count_bt_map
bpftrace-kstack|bpftrace $T/kstack-@KIND@.bt|ready_line|INT|count_bt_map
bpftrace-print|bpftrace $T/print-@KIND@.bt|ready_line|INT|count_bt_lines"

# The capacity bench's tools, as TOOLS with one more field: RING, the ring
# buffer's size in bytes (@RING@ in COMMAND): each tool's default, then
# 64 KiB (about 680 records), where the ring, not the CPU, runs out first.
CAP_TOOLS="memtrace-run|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@ --ringbuf @RING@|ready_line|INT|count_mt|4194304
memtrace-record|memtrace record --ringbuf @RING@ -o $T/rec.mtr|ready_tracing|INT|count_record|8388608
memtrace-run-64k|$B/bench-mt-trace --pid @PID@ --count @KIND@ --sites @SITES@ --ringbuf @RING@|ready_line|INT|count_mt|65536
memtrace-record-64k|memtrace record --ringbuf @RING@ -o $T/rec.mtr|ready_tracing|INT|count_record|65536"

say() { echo "bench: $*" >&2; : > "$T/progress"; }

# A session that says nothing for 120 s: the guest's tasks, their states and
# kernel stacks, and the blocked tasks (sysrq w) to the console, once, for
# whoever reads why a run hung (it showed why three runs had: stop_tool()).
watchdog() {
	dumped=
	while sleep 20; do
		age=$(( $(date +%s) - $(stat -c %Y "$T/progress" 2>/dev/null || date +%s) ))
		if [ "$age" -lt 120 ]; then
			dumped=
			continue
		fi
		[ -z "$dumped" ] || continue
		dumped=1
		echo "bench: watchdog: no progress for ${age}s; the tasks:" >&2
		for d in /proc/[0-9]*; do
			read -r st < "$d/stat" 2>/dev/null || continue
			echo "  $st" | cut -d' ' -f1-6 >&2
			sed 's/^/      /' "$d/stack" 2>/dev/null | head -n 12 >&2
		done
		echo w > /proc/sysrq-trigger 2>/dev/null
	done
}

# bpftrace's scripts.  The last probe says "ready": probes attach in the
# order of the script, so when it fires the others are attached.
write_scripts() {
	ready='tracepoint:syscalls:sys_enter_newuname /comm == "uname"/ { printf("ready\n"); }'
	cat > "$T/count-kmem.bt" <<-EOF
	tracepoint:kmem:kmalloc, tracepoint:kmem:kfree { @[probe, pid, ksym(args->call_site)] = count(); }
	$ready
	EOF
	# page events carry no call site: per order
	cat > "$T/count-page.bt" <<-EOF
	tracepoint:kmem:mm_page_alloc, tracepoint:kmem:mm_page_free { @[probe, pid, args->order] = count(); }
	$ready
	EOF
	# the same, and each allocation's kernel stack as deep as memtrace's
	# callers take (12 frames), counted: like for like with memtrace top
	# on the page loop (a page allocation's caller comes from its stack).
	# Each tracepoint in one probe only: bpftrace failed to load a
	# second program on one already named (v0.17 here).
	cat > "$T/kstack-kmem.bt" <<-EOF
	tracepoint:kmem:kmalloc { @[probe, pid, ksym(args->call_site)] = count(); @s[kstack(12)] = count(); }
	tracepoint:kmem:kfree { @[probe, pid, ksym(args->call_site)] = count(); }
	$ready
	EOF
	cat > "$T/kstack-page.bt" <<-EOF
	tracepoint:kmem:mm_page_alloc { @[probe, pid, args->order] = count(); @s[kstack(12)] = count(); }
	tracepoint:kmem:mm_page_free { @[probe, pid, args->order] = count(); }
	$ready
	EOF
	cat > "$T/print-kmem.bt" <<-EOF
	tracepoint:kmem:kmalloc, tracepoint:kmem:kfree { printf("%s %d %llx %llx\n", probe, pid, args->call_site, args->ptr); }
	$ready
	EOF
	cat > "$T/print-page.bt" <<-EOF
	tracepoint:kmem:mm_page_alloc, tracepoint:kmem:mm_page_free { printf("%s %d %d %llx\n", probe, pid, args->order, args->pfn); }
	$ready
	EOF
	# perf's control and acknowledgement FIFOs (ready_perf)
	rm -f "$T/perf.ctl" "$T/perf.ack"
	mkfifo "$T/perf.ctl" "$T/perf.ack"
}

# poll PID MAX TEST [ARGS...]: 0 once TEST succeeds (tried every 0.2 s),
# 1 when process PID has ended or after MAX tries
poll() {
	poll_pid=$1 poll_max=$2 poll_i=0
	shift 2
	until "$@"; do
		kill -0 "$poll_pid" 2>/dev/null || return 1
		poll_i=$((poll_i + 1))
		[ $poll_i -le "$poll_max" ] || return 1
		sleep 0.2
	done
}

# ---- READY: 0 once the tool (process $1, output $T/tool.out) is attached --
# bpftrace's last probe prints "ready" when uname runs
said_ready() { uname > /dev/null; grep -q '^ready$' "$T/tool.out"; }
ready_line() { poll "$1" 600 said_ready; }

# memtrace top and record say "tracing (...)" / "recording to ..." on stderr
said_tracing() { grep -q '^tracing (\|^recording to ' "$T/tool.out"; }
ready_tracing() { poll "$1" 600 said_tracing; }

# perf has no ready line: it starts with its events disabled (-D -1), and
# once they are open (one per event and CPU) it is asked on its control
# FIFO to enable them; its "ack" on the other FIFO says they are.  (A
# fixed wait after the open was too short on a slow host: perf enabled its
# events after the loop had run, and missed all of them unknowing.)
perf_open() { [ "$(ls -l /proc/"$1"/fd 2>/dev/null | grep -c perf_event)" -ge 2 ]; }
ready_perf() {
	poll "$1" 600 perf_open "$1" || return 1
	# (a FIFO's open waits for its reader: perf gone would hang it)
	timeout 120 sh -c "echo enable > $T/perf.ctl" || return 1
	timeout 120 head -n 1 "$T/perf.ack" | grep -q '^ack'
}

# ---- COUNT: "SEEN SELF_LOST" of the loop's events (process $1, kind $2) ---
count_mt() {
	sed -n 's/.* matched=\([0-9]*\) drops=\([0-9]*\).*/\1 \2/p' "$T/tool.out"
}

# memtrace top -j / report -j documents in $1: allocations + frees of the
# rows of kind $2 whose caller is in memalloc.ko (the loop's: page
# allocations are named by their stack's first caller outside the page
# allocator), and the losses they report (drops + recursion misses)
count_mt_rows() {
	awk -v kind="$2" '
		/^\{/ { n = split($0, p, /\{"caller":"/)
			for (i = 2; i <= n; i++) {
				if (p[i] !~ /^[^"]*\[memalloc\]"/ || p[i] !~ "\"kind\":\"" kind "\"")
					continue
				match(p[i], /"allocs":[0-9]+/); s += substr(p[i], RSTART + 9, RLENGTH - 9)
				match(p[i], /"frees":[0-9]+/); s += substr(p[i], RSTART + 8, RLENGTH - 8)
			}
			d = $0; sub(/.*"drops":/, "", d); sub(/[^0-9].*/, "", d)
			m = $0; sub(/.*"misses":/, "", m); sub(/[^0-9].*/, "", m)
			l = d + m }
		END { print s + 0, l + 0 }' "$1"
}

count_top() {
	count_mt_rows "$T/tool.out" "$([ "$2" = kmem ] && echo kmalloc || echo alloc_pages)"
}

count_record() {
	memtrace -j report "$T/rec.mtr" > "$T/rec.json" 2> "$T/rec.err" ||
		{ cat "$T/rec.err" >&2; return 1; }
	count_mt_rows "$T/rec.json" "$([ "$2" = kmem ] && echo kmalloc || echo alloc_pages)"
	rm -f "$T/rec.mtr" "$T/rec.json"
}

# perf's filter kept only the loop's events: every sample is one of them.
count_perf() {
	perf report -i "$T/perf.data" --stats 2>/dev/null |
		awk '/ stats:$/ { ev = $0 !~ /^Aggregated/ }
		     ev && /SAMPLE events:/ { s += $3 } ev && /LOST_SAMPLES events:/ { l += $3 }
		     END { print s + 0, l + 0 }'
	rm -f "$T/perf.data"
}

# "@[tracepoint:kmem:kmalloc, PID, SITE-OR-ORDER]: N"; "Lost N events"
count_bt_map() {
	awk -v pid="$1" -v kind="$2" '
		/^@\[/ { n = $NF; k = $0; sub(/^@\[/, "", k); sub(/\]: [0-9]+$/, "", k)
			  split(k, f, ", ")
			  if (f[2] == pid && (kind == "kmem" ? f[3] ~ /^memalloc_/ : f[3] == 0))
				s += n }
		/^Lost [0-9]+ events/ { l += $2 }
		END { print s + 0, l + 0 }' "$T/tool.out"
}

# "tracepoint:kmem:kmalloc PID SITE PTR" or "... PID ORDER PFN"
count_bt_lines() {
	awk -v pid="$1" -v kind="$2" -v lo="$site_lo" -v hi="$site_hi" '
		$1 ~ /^tracepoint:/ && $2 == pid &&
		(kind == "kmem" ? $3 "" >= lo && $3 "" < hi : $3 == 0) { s++ }
		/^Lost [0-9]+ events/ { l += $2 }
		END { print s + 0, l + 0 }' "$T/tool.out"
}

# ---- one tool on one loop -------------------------------------------------
# The tool's state letter (Z once it exited), or nothing once it is reaped
tool_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }

# Stop tool $1 with signal $2, and say it again every 5 s until it exits:
# bpftrace (v0.17) can miss a SIGINT that comes between its look at the
# flag its handler sets and its epoll_wait(), and then waits for events
# forever (seen three times in a day, bench-loop stopped, bpftrace in
# epoll_wait, the shell in wait: the watchdog below showed it)
stop_tool() {
	kill -"$2" "$1"
	stop_i=0
	while [ $stop_i -lt 300 ]; do
		case $(tool_state "$1") in "" | Z) return 0 ;; esac
		stop_i=$((stop_i + 1))
		if [ $((stop_i % 25)) = 0 ]; then
			say "$name: still running $((stop_i / 5)) s after SIG$2: again"
			kill -"$2" "$1"
		fi
		sleep 0.2
	done
}

is_stopped() { grep -q '^State:.*stopped' "/proc/$1/status" 2>/dev/null; }
wait_stopped() { poll "$1" 3000 is_stopped "$1"; }

# session NAME COMMAND READY STOP COUNT KIND
session() {
	name=$1 cmd=$2 ready=$3 stop=$4 count=$5 kind=$6
	if [ "$kind" = kmem ]; then
		loopargs="--kind kmalloc --size 64" ev1=kmem:kmalloc ev2=kmem:kfree
	else
		loopargs="--kind alloc_pages --size 4096" ev1=kmem:mm_page_alloc ev2=kmem:mm_page_free
	fi
	# capacity: paced (cap_rate, "max" unpaced), pinned with 2 CPUs or more
	[ -z "$cap_rate" ] || [ "$cap_rate" = max ] || loopargs="$loopargs --rate $cap_rate"
	# shellcheck disable=SC2086
	$pin_loop $B/bench-loop $loopargs --pairs "$pairs" --reps "$reps" --stop > "$T/loop.out" 2>&1 &
	lp=$!
	wait_stopped $lp || { say "$name: bench-loop did not start"; cat "$T/loop.out" >&2; return 1; }
	filter="common_pid==$lp&&call_site>=0x$site_lo&&call_site<0x$site_hi"
	[ "$kind" = kmem ] || filter="common_pid==$lp&&order==0"
	tp=
	if [ "$cmd" != - ]; then
		# (into tcmd: the caller's COMMAND serves again at the next rate)
		tcmd=$(echo "$cmd" | sed "s/@PID@/$lp/g; s/@KIND@/$kind/g; s/@EV1@/$ev1/g; s/@RING@/$cap_ring/g;
			s/@EV2@/$ev2/g; s/@SITES@/$site_lo,$site_hi/g; s/@FILTER@/$(echo "$filter" | sed 's/&/\\&/g')/g")
		say "$name, $kind loop: $tcmd"
		# Emptied here, not by the redirection below: that happens in
		# the child, which may run after READY's first look, and the
		# previous tool's ready line ("tracing (", "ready") would then
		# pass for this one's: the loop ran before the tool attached
		# (seen: a repetition "lost", at the bare loop's speed).
		: > "$T/tool.out"
		# shellcheck disable=SC2086
		$pin_tool $tcmd >> "$T/tool.out" 2>&1 &
		tp=$!
		if ! $ready $tp; then
			say "$name: not ready (its output follows)"
			cat "$T/tool.out" >&2
			kill -KILL $tp $lp 2>/dev/null
			kill -CONT $lp 2>/dev/null
			wait
			return 1
		fi
	else
		say "$name, $kind loop"
	fi
	kill -CONT $lp
	sleep 0.5
	wait_stopped $lp || { say "$name: bench-loop failed"; cat "$T/loop.out" >&2; return 1; }
	if [ -n "$tp" ]; then
		stop_tool $tp "$stop"
		wait $tp
		rc=$?
		# perf ends with 128 + the signal that stopped it
		[ $rc = 0 ] || [ $rc = $((128 + $(kill -l "$stop"))) ] ||
			say "$name: exit status $rc (its output: $T/tool.out)"
	fi
	kill -CONT $lp
	wait $lp || { say "$name: bench-loop failed"; cat "$T/loop.out" >&2; return 1; }
	expected=$(sed -n 's/.* loop_events=\([0-9]*\).*/\1/p' "$T/loop.out" |
		awk '{ s += $1 } END { print s + 0 }')
	if [ -n "$cap_rate" ]; then
		got=$($count $lp $kind)
		[ -n "$got" ] || { say "$name: its output has no count"; cat "$T/tool.out" >&2; return 1; }
		# the unpaced loop's rate: its events over the wall time of its ioctls
		achieved=$(sed -n 's/.* rate=\([0-9]*\) .* late=\([0-9]*\).*/\1 \2/p' "$T/loop.out")
		[ -n "$achieved" ] || achieved="$(sed -n 's/.* wall_ns=\([0-9]*\) .*/\1/p' \
			"$T/loop.out" | awk -v e="$expected" '{ printf "%.0f", e * 1e9 / $1 }') 0"
		echo "cap $ncpus $name $cap_ring $cap_rate $achieved $expected $got" >> "$out"
		grep -h ns_per_pair "$T/loop.out" | sed "s/^/  /" >&2
		say "  seen, said: $got; the tool's last words:"
		tail -n 2 "$T/tool.out" | sed "s/^/  /" >&2
		return 0
	fi
	sed -n "s/^rep=\([0-9]*\) .* ns_per_pair=\([0-9.]*\) .*/rep $name $kind \1 \2/p" \
		"$T/loop.out" >> "$out"
	if [ -n "$tp" ]; then
		got=$($count $lp $kind)
		[ -n "$got" ] || { say "$name: its output has no count"; cat "$T/tool.out" >&2; return 1; }
		echo "count $name $kind $expected $got" >> "$out"
	else
		echo "count $name $kind $expected $expected 0" >> "$out"
	fi
	grep -h ns_per_pair "$T/loop.out" | sed "s/^/  /" >&2
}

# memalloc.ko's text: "memalloc SIZE REFS DEPS STATE ADDR" (16 hex digits)
# shellcheck disable=SC2046
set -- $(grep '^memalloc ' /proc/modules)
[ $# -ge 6 ] || { say "memalloc.ko is not loaded"; exit 4; }
site_lo=$(printf '%016x' $(($6)))
site_hi=$(printf '%016x' $(($6 + $2)))
write_scripts
: > "$T/progress"
watchdog &
wdog=$!
echo "info kernel $(uname -r)" >> "$out"
echo "info cpus $(grep -c ^processor /proc/cpuinfo)" >> "$out"
echo "info reps $((reps * rounds))" >> "$out"
echo "info rounds $rounds" >> "$out"
echo "info pairs $pairs" >> "$out"
[ -z "$icount" ] || echo "info icount $icount" >> "$out"
cap_rate= cap_ring= pin_loop= pin_tool=
round=0
while [ $table = 1 ] && [ $round -lt "$rounds" ]; do
	round=$((round + 1))
	[ "$rounds" = 1 ] || say "round $round of $rounds"
	for kind in kmem page; do
		echo "$TOOLS" | while IFS='|' read -r name cmd ready stop count; do
			case " ${only:-$name} " in *" $name "*) ;; *) continue ;; esac
			if [ "$cmd" = "not yet" ]; then
				[ $kind = page ] || [ $round != 1 ] || echo "notyet $name" >> "$out"
				continue
			fi
			if ! session "$name" "$cmd" "$ready" "$stop" "$count" "$kind"; then
				echo "failed $name $kind" >> "$out"
				: > "$T/failed"
			fi
		done
	done
done

# ---- the capacity bench ---------------------------------------------------
if [ -n "$cap_rates" ]; then
	ncpus=$(grep -c ^processor /proc/cpuinfo)
	if [ "$ncpus" -ge 2 ]; then
		pin_loop="taskset -c 1" pin_tool="taskset -c 0"
	fi
	echo "info cap_secs $cap_secs" >> "$out"
	echo "info cap_events $cap_events" >> "$out"
	echo "$CAP_TOOLS" | while IFS='|' read -r name cmd ready stop count ring; do
		case " ${cap_only:-$name} " in *" $name "*) ;; *) continue ;; esac
		for cap_rate in $cap_rates; do
			cap_ring=$ring reps=1
			if [ "$cap_rate" = max ]; then
				pairs=$((cap_events / 2))
			else
				pairs=$(awk -v r="$cap_rate" -v s="$cap_secs" -v m="$cap_events" \
					'BEGIN { e = r * s; if (e > m) e = m; printf "%d", e / 2 }')
			fi
			say "capacity: $name at $cap_rate events/s, $pairs pairs"
			if ! session "$name" "$cmd" "$ready" "$stop" "$count" kmem; then
				echo "failed $name capacity-$cap_rate" >> "$out"
				: > "$T/failed"
			fi
		done
	done
fi
echo "info guest_load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
kill $wdog 2>/dev/null
[ ! -e "$T/failed" ] || failed=1
exit $failed
