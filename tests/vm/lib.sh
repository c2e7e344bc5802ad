# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the guest's shell tests (busybox ash), after kselftest.h:
# results as "ok N - desc" / "not ok N - desc", the plan counted here and
# printed at the end.  One fact per assertion; each one but ok says what it
# saw when it fails, and returns non-zero then:
#   ok STATUS DESC          pass when STATUS is 0
#   is GOT WANT DESC        strings equal;  isnt GOT UNWANTED DESC
#   lt|le|gt|ge GOT N DESC  integers compared (a GOT that is no integer fails)
#   match TEXT ERE DESC     some line of TEXT matches the extended regex ERE
#   no_match TEXT ERE DESC  no line of TEXT matches ERE
#   skip REASON             a test that cannot run here
#   diag TEXT               a "#" comment line per line of TEXT
#   bail REASON             a set-up failure, not a result: "Bail out!", exit 1
#   done_testing            the trailing plan "1..N"; exit 1 if any failed
#   json_rows FILE          memtrace top -j / report -j rows, summed by caller
#   slab_size CACHE DEFAULT the bytes a slab cache hands out per object

_tap_n=0
_tap_fail=0

ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ] 2>/dev/null; then
		echo "ok $_tap_n - $2"
		return 0
	fi
	echo "not ok $_tap_n - $2"
	_tap_fail=$((_tap_fail + 1))
	return 1
}

diag() {
	printf '%s\n' "$*" | sed 's/^/#   /'
}

is() {
	[ "$1" = "$2" ] && { ok 0 "$3"; return 0; }
	ok 1 "$3"
	diag "got:  '$1'"
	diag "want: '$2'"
	return 1
}

isnt() {
	[ "$1" != "$2" ] && { ok 0 "$3"; return 0; }
	ok 1 "$3"
	diag "got '$1', which it must not be"
	return 1
}

_is_int() {
	case ${1#-} in
	'' | *[!0-9]*) return 1 ;;
	esac
	return 0
}

# _cmp lt|le|gt|ge GOT N DESC
_cmp() {
	_cmp_r=1
	if _is_int "$2" && _is_int "$3"; then
		case $1 in
		lt) [ "$2" -lt "$3" ] ;;
		le) [ "$2" -le "$3" ] ;;
		gt) [ "$2" -gt "$3" ] ;;
		ge) [ "$2" -ge "$3" ] ;;
		esac && _cmp_r=0
	fi
	ok $_cmp_r "$4" && return 0
	case $1 in lt) _cmp_s='<' ;; le) _cmp_s='<=' ;; gt) _cmp_s='>' ;; *) _cmp_s='>=' ;; esac
	if _is_int "$2"; then
		diag "got $2, want $_cmp_s $3"
	else
		diag "got '$2', want an integer $_cmp_s $3"
	fi
	return 1
}

lt() { _cmp lt "$@"; }
le() { _cmp le "$@"; }
gt() { _cmp gt "$@"; }
ge() { _cmp ge "$@"; }

match() {
	printf '%s\n' "$1" | grep -qE -- "$2" && { ok 0 "$3"; return 0; }
	ok 1 "$3"
	diag "no line matches /$2/ in:"
	printf '%s\n' "$1" | head -n 30 | sed 's/^/#   | /'
	return 1
}

no_match() {
	printf '%s\n' "$1" | grep -qE -- "$2" || { ok 0 "$3"; return 0; }
	ok 1 "$3"
	diag "lines that match /$2/:"
	printf '%s\n' "$1" | grep -E -- "$2" | head -n 30 | sed 's/^/#   | /'
	return 1
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
	exit $?
}

# The kernel log without timestamps.
klog() {
	dmesg | sed 's/^\[[^]]*\] //'
}

# json_rows FILE: the rows of every JSON document of FILE (memtrace top -j,
# report -j) summed by caller and kind, one line each:
#   caller|kind|allocs|frees|bytes_req|bytes_alloc|n0|n1|4K|2M
json_rows() {
	awk '
	function num(s, key,   m) {
		if (match(s, "\"" key "\":[0-9]+")) {
			m = substr(s, RSTART, RLENGTH)
			sub(/.*:/, "", m)
			return m + 0
		}
		return 0
	}
	function obj(s, key) {
		if (match(s, "\"" key "\":\\{[^}]*\\}"))
			return substr(s, RSTART, RLENGTH)
		return ""
	}
	{
		n = split($0, parts, /\{"caller":"/)
		for (i = 2; i <= n; i++) {
			p = parts[i]
			caller = substr(p, 1, index(p, "\"") - 1)
			match(p, /"kind":"[a-z_]*"/)
			kind = substr(p, RSTART + 8, RLENGTH - 9)
			k = caller "|" kind
			allocs[k] += num(p, "allocs"); frees[k] += num(p, "frees")
			req[k] += num(p, "bytes_req"); alloc[k] += num(p, "bytes_alloc")
			nodes = obj(p, "nodes"); levels = obj(p, "levels")
			n0[k] += num(nodes, "0"); n1[k] += num(nodes, "1")
			l4k[k] += num(levels, "4K"); l2m[k] += num(levels, "2M")
		}
	}
	END {
		for (k in allocs)
			print k "|" allocs[k] "|" frees[k] "|" req[k] "|" alloc[k] "|" n0[k] "|" \
			      n1[k] "|" l4k[k] "|" l2m[k]
	}' "$1"
}

# slab_size CACHE DEFAULT: the bytes CACHE hands out per object (its
# s->size: more than the object's size with debug metadata), or DEFAULT
slab_size() {
	cat "/sys/kernel/slab/$1/slab_size" 2>/dev/null || echo "$2"
}
