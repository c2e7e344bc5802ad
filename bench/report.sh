#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host half of `make bench`: from what the guest wrote (guest.txt, see
# bench/run.sh), the correlation's rates (corr.txt, bench/corr-bench) and
# the host's load (host.txt), print the table and write bench.json.
#
#   report.sh DIR      reads DIR/guest.txt DIR/corr.txt DIR/host.txt and
#                      DIR/boot.txt (bench/boot.sh, if any), DIR/cap2.txt
#                      (the 2-vCPU capacity guest) and DIR/report.txt
#                      (bench/report-bench), if any, writes
#                      DIR/bench.json, prints the table on stdout
#
# Per tool and loop: the median of the repetitions' ns per pair and their
# spread (min-max); per event (a pair is an alloc and a free event) the
# median cost and what it adds to the bare loop's median; the ratio of the
# medians; the loop's true event count, the events the tool missed of them
# (true count minus those it saw) and the loss it reported itself.  Guest
# figures are TCG-relative: ratios within one run mean something, the
# nanoseconds alone do not.
#
# Capacity, per guest (vCPUs) and tool: the sessions at rising rates; the
# capacity is the highest rate achieved with nothing of the loop lost, in
# that session and every one at a lower rate asked; the sessions past it
# (from the first that lost events) give LOST and SAID side by side.
set -eu

dir=$1
[ -f "$dir/boot.txt" ] || : > "$dir/boot.txt"
[ -f "$dir/cap2.txt" ] || : > "$dir/cap2.txt"
[ -f "$dir/report.txt" ] || : > "$dir/report.txt"
for f in guest.txt corr.txt host.txt; do
	[ -f "$dir/$f" ] || { echo "bench/report: no $dir/$f" >&2; exit 1; }
done

awk -v json="$dir/bench.json" '
function median(s,   n, i, j, t, v) {
	n = split(s, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	lo = v[1]; hi = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function jstr(s) { gsub(/["\\]/, "\\\\&", s); return "\"" s "\"" }
{ sub(/\r$/, "") }	# lines from the guest end with CR LF
FILENAME ~ /host.txt$/ { sub(/.*load average: /, ""); load[++nload] = $0; next }
FILENAME ~ /corr.txt$/ && $1 == "corr" {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); c[ncorr + 1, kv[1]] = kv[2] }
	ncorr++; next
}
FILENAME ~ /boot.txt$/ && $1 == "boot" { boot[$2] = boot[$2] " " $4; next }
FILENAME ~ /report.txt$/ && $1 == "report" {
	nrep++
	for (i = 2; i <= NF; i++) { split($i, kv, "="); rb[nrep, kv[1]] = kv[2] }
	next
}
# cap CPUS TOOL RING TARGET ACHIEVED LATE EXPECTED SEEN SELF_LOST
$1 == "cap" { ncap++; for (i = 2; i <= 10; i++) cap[ncap, i] = $i
	      k = $2 SUBSEP $3
	      if (!(k in capseen)) { capseen[k] = 1; capord[++ncapk] = k }
	      next }
# info lines of the 2-vCPU guest would overwrite those of the bench guest
FILENAME ~ /cap2.txt$/ && $1 == "info" && $2 !~ /^cap_/ { next }
$1 == "info" { k = $2; $1 = $2 = ""; sub(/^ +/, ""); info[k] = $0; next }
$1 == "rep" { key = $3 SUBSEP $2; reps[key] = reps[key] " " $5
	      if (!(key in seen_key)) { seen_key[key] = 1; order[++norder] = key }; next }
$1 == "count" { key = $3 SUBSEP $2; ev[key] += $4; saw[key] += $5; said[key] += $6; next }
$1 == "notyet" { notyet[++nnot] = $2; next }
$1 == "failed" { failed[++nfail] = $2 " (" $3 " loop)"; next }
END {
	loopname["kmem"] = "kmalloc"; loopname["page"] = "pages"
	if ("icount" in info) {
		label = "instruction-relative"
		printf "make bench: instruction-relative (QEMU TCG -icount shift=%s: the guest'"'"'s clock counts its instructions, 2^%s ns each, whatever the host does; %s vCPU, kernel %s)\n",
		       info["icount"], info["icount"], info["cpus"], info["kernel"]
	} else {
		label = "TCG-relative"
		printf "make bench: TCG-relative (QEMU TCG, %s vCPU, kernel %s)\n", info["cpus"], info["kernel"]
	}
	printf "%s repetitions of %s alloc+free pairs per tool and loop", info["reps"], info["pairs"]
	if (info["rounds"] > 1)
		printf " (the table %s times over)", info["rounds"]
	printf "; medians, (min-max)\n"
	printf "host load average before: %s; after: %s\n", load[1], load[2]
	printf "%-7s %-15s %7s %15s %6s %6s %8s %6s %6s\n", "LOOP", "TOOL", "NS/PAIR",
	       "(MIN-MAX)", "+NS/EV", "RATIO", "EVENTS", "LOST", "SAID"
	printf "{\"schema\":\"memtrace-bench/1\",\"label\":%s,%s", jstr(label),
	       ("icount" in info) ? "\"icount_shift\":" info["icount"] "," : "" > json
	printf "\"kernel\":%s,\"cpus\":%d,\"reps\":%d,\"rounds\":%d,\"pairs\":%d,",
	       jstr(info["kernel"]), info["cpus"], info["reps"], info["rounds"] + 0,
	       info["pairs"] > json
	printf "\"host_load_before\":%s,\"host_load_after\":%s,\"guest_load\":%s,\"tools\":[",
	       jstr(load[1]), jstr(load[2]), jstr(info["guest_load"]) > json
	sep = ""
	for (o = 1; o <= norder; o++) {
		split(order[o], kt, SUBSEP); kind = kt[1]; tool = kt[2]
		m = median(reps[order[o]])
		if (tool == "bare") bare[kind] = m
		b = bare[kind]
		added = tool == "bare" ? 0 : (m - b) / 2
		lost = ev[order[o]] - saw[order[o]]
		extra = lost < 0 ? -lost : 0
		if (lost < 0) lost = 0
		printf "%-7s %-15s %7.0f %15s %6s %5.1fx %8d %6d %6s\n", loopname[kind], tool, m,
		       sprintf("(%.0f-%.0f)", lo, hi),
		       tool == "bare" ? "-" : sprintf("%.0f", added), m / b, ev[order[o]], lost,
		       tool == "bare" ? "-" : said[order[o]]
		if (extra)
			printf "%-7s %-15s saw %d events more than the loop made\n", "", "", extra
		printf "%s{\"tool\":%s,\"loop\":%s,\"ns_per_pair\":%.1f,\"ns_per_pair_min\":%.1f,",
		       sep, jstr(tool), jstr(loopname[kind]), m, lo, hi > json
		printf "\"ns_per_pair_max\":%.1f,\"ns_per_event\":%.1f,\"ns_added_per_event\":%.1f,",
		       hi, m / 2, added > json
		printf "\"ratio_to_bare\":%.2f,\"events\":%d,\"seen\":%d,\"lost\":%d,",
		       m / b, ev[order[o]], saw[order[o]], lost > json
		r = substr(reps[order[o]], 2)
		gsub(/ /, ",", r)
		printf "\"lost_reported\":%s,\"reps_ns_per_pair\":[%s]}",
		       tool == "bare" ? "null" : said[order[o]] + 0, r > json
		sep = ","
	}
	for (i = 1; i <= nnot; i++) {
		printf "%-7s %-15s not yet\n", "-", notyet[i]
		printf "%s{\"tool\":%s,\"status\":\"not yet\"}", sep, jstr(notyet[i]) > json
		sep = ","
	}
	for (i = 1; i <= nfail; i++)
		printf "FAILED: %s: no figures (see the console log)\n", failed[i]
	printf "],\"correlation\":[" > json
	print "host: correlation (tool/run/correlate.c) of a generated trace, events/s:"
	for (i = 1; i <= ncorr; i++) {
		printf "  %d events, %d allocations: %.0f events/s (take in %ss, match %ss, frees %ss)\n",
		       c[i, "events"], c[i, "allocs"], c[i, "events_per_s"], c[i, "ingest_s"],
		       c[i, "match_s"], c[i, "free_s"]
		printf "%s{\"events\":%d,\"allocs\":%d,\"events_per_s\":%.0f,\"ingest_s\":%s,",
		       (i > 1 ? "," : ""), c[i, "events"], c[i, "allocs"], c[i, "events_per_s"],
		       c[i, "ingest_s"] > json
		printf "\"match_s\":%s,\"free_s\":%s}", c[i, "match_s"], c[i, "free_s"] > json
	}
	printf "]" > json
	if (ncap) {
		printf "capacity: the kmalloc loop paced at each rate asked (events/s), %s s or %s events a rate\n",
		       info["cap_secs"], info["cap_events"]
		printf "%-4s %-19s %5s %8s %8s %5s %8s %7s %7s\n", "CPUS", "TOOL", "RING", "ASKED",
		       "ACHIEVED", "LATE", "EVENTS", "LOST", "SAID"
		for (i = 1; i <= ncap; i++) {
			printf "%-4s %-19s %5s %8s %8d %5d %8d %7d %7d%s\n", cap[i, 2], cap[i, 3],
			       (cap[i, 4] >= 1048576 ? cap[i, 4] / 1048576 "M" : cap[i, 4] / 1024 "K"),
			       cap[i, 5], cap[i, 6], cap[i, 7], cap[i, 8],
			       cap[i, 8] - cap[i, 9], cap[i, 10],
			       (cap[i, 8] - cap[i, 9] > cap[i, 10] ? "  LOST > SAID" : "")
		}
		printf ",\"capacity\":[" > json
		for (o = 1; o <= ncapk; o++) {
			split(capord[o], kt, SUBSEP)
			best = 0; lossy = 0; past = ""; runs = ""; ring = 0; first = ""
			for (i = 1; i <= ncap; i++) {
				if (cap[i, 2] != kt[1] || cap[i, 3] != kt[2]) continue
				ring = cap[i, 4]; lost = cap[i, 8] - cap[i, 9]
				if (first == "") first = cap[i, 5]
				r = sprintf("{\"asked\":%s,\"rate\":%d,\"late_bursts\":%d,\"events\":%d,\"lost\":%d,\"said\":%d}",
					    (cap[i, 5] == "max" ? "\"max\"" : cap[i, 5]), cap[i, 6], cap[i, 7],
					    cap[i, 8], lost, cap[i, 10])
				runs = runs (runs == "" ? "" : ",") r
				if (lost > 0) lossy = 1
				if (lossy) past = past (past == "" ? "" : ",") r
				else if (cap[i, 6] > best) best = cap[i, 6]
			}
			note = " at every rate (the loop could go no faster under it)"
			if (lossy) note = "; past it, lost and said above"
			if (lossy && !best)
				printf "capacity: %s, %s vCPU, ring %d KiB: below %s events/s, the lowest rate asked (lost at every rate, lost and said above)\n",
				       kt[2], kt[1], ring / 1024, first
			else
				printf "capacity: %s, %s vCPU, ring %d KiB: %d events/s with nothing lost%s\n",
				       kt[2], kt[1], ring / 1024, best, note
			printf "%s{\"tool\":%s,\"cpus\":%d,\"ring_buffer_bytes\":%d,", (o > 1 ? "," : ""),
			       jstr(kt[2]), kt[1], ring > json
			printf "\"capacity_events_per_s\":%d,\"lossless_at_every_rate\":%s,", best,
			       (lossy ? "false" : "true") > json
			printf "\"runs\":[%s],\"past\":[%s]}", runs, past > json
		}
		printf "]" > json
	}
	if (nrep) {
		print "host: memtrace report on a generated recording (bench/report-bench), records/s:"
		printf ",\"report\":[" > json
		for (i = 1; i <= nrep; i++) {
			printf "  %s: %d records (%d allocations): %.0f records/s, median of %d (%.3f s, %s-%s), peak RSS %d KiB\n",
			       (rb[i, "mode"] == "json" ? "report -j" : "report"), rb[i, "records"],
			       rb[i, "allocs"], rb[i, "events_per_s"], rb[i, "runs"], rb[i, "s"],
			       rb[i, "s_min"], rb[i, "s_max"], rb[i, "maxrss_kb"]
			printf "%s{\"mode\":%s,\"records\":%d,\"allocs\":%d,\"runs\":%d,\"s\":%s,",
			       (i > 1 ? "," : ""), jstr(rb[i, "mode"]), rb[i, "records"], rb[i, "allocs"],
			       rb[i, "runs"], rb[i, "s"] > json
			printf "\"s_min\":%s,\"s_max\":%s,\"events_per_s\":%.0f,\"maxrss_kb\":%d}",
			       rb[i, "s_min"], rb[i, "s_max"], rb[i, "events_per_s"], rb[i, "maxrss_kb"] > json
		}
		printf "]" > json
	}
	if (boot["run"] != "") {
		m = median(boot["run"]); n = split(substr(boot["run"], 2), v, " ")
		printf "make run, boot to report: median %.2f s (%.2f-%.2f) of %d\n",
		       m / 1000, lo / 1000, hi / 1000, n
		printf ",\"make_run_s\":{\"median\":%.2f,\"min\":%.2f,\"max\":%.2f,\"runs\":%d",
		       m / 1000, lo / 1000, hi / 1000, n > json
		# bench/boot.sh: the same boot with nothing after the demo, and
		# the host floor, interleaved with the runs
		split("demo floor", part, " ")
		partname[1] = "boot and demo alone (make run, nothing after the demo)"
		partname[2] = "the host'"'"'s floor (its kernel and QEMU, an /init that powers off)"
		for (i = 1; i <= 2; i++) {
			if (boot[part[i]] == "")
				continue
			pm[i] = median(boot[part[i]]); n = split(substr(boot[part[i]], 2), v, " ")
			printf "  %s: median %.2f s (%.2f-%.2f) of %d\n",
			       partname[i], pm[i] / 1000, lo / 1000, hi / 1000, n
			printf ",\"%s\":{\"median\":%.2f,\"min\":%.2f,\"max\":%.2f,\"runs\":%d}",
			       part[i], pm[i] / 1000, lo / 1000, hi / 1000, n > json
		}
		if (boot["demo"] != "" && boot["floor"] != "")
			printf "  of the median: memtrace zones and run %.2f s, archive, /init and demo %.2f s, floor %.2f s\n",
			       (m - pm[1]) / 1000, (pm[1] - pm[2]) / 1000, pm[2] / 1000
		printf "}" > json
	}
	if (boot["rebuild"] != "") {
		printf "make rebuild, warm: %.1f s\n", boot["rebuild"] / 1000
		printf ",\"make_rebuild_s\":%.1f", boot["rebuild"] / 1000 > json
	}
	print "}" > json
	exit nfail ? 1 : 0
}' "$dir/host.txt" "$dir/corr.txt" "$dir/boot.txt" "$dir/report.txt" "$dir/guest.txt" \
	"$dir/cap2.txt"
