// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: the loader of the page-caller unwinder's table (see unwind.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "lib/ksyms.h"
#include "lib/orc.h"
#include "lib/warn.h"
#include "trace/unwind.h"

#define KCORE_HDR_BYTES	65536

/* struct orc_entry's layout from BTF: its type field's width */
static int unwind__layout(const struct btf *btf, enum orc_layout *l)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id, i;

	id = btf__find_by_name_kind(btf, "orc_entry", BTF_KIND_STRUCT);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	if (btf_vlen(t) < 5 || t->size != ORC_ENTRY_SIZE || !btf_kflag(t))
		return -EINVAL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (!name)
			continue;
		/* the bits orc__decode() reads: sp_reg at 32, type at 40 */
		if (!strcmp(name, "sp_reg") && (BTF_MEMBER_BIT_OFFSET(m->offset) != 32 ||
						BTF_MEMBER_BITFIELD_SIZE(m->offset) != 4))
			return -EINVAL;
		if (strcmp(name, "type"))
			continue;
		if (BTF_MEMBER_BIT_OFFSET(m->offset) != 40)
			return -EINVAL;
		switch (BTF_MEMBER_BITFIELD_SIZE(m->offset)) {
		case 2:
			*l = ORC_LAYOUT_TYPE2;
			return 0;
		case 3:
			*l = ORC_LAYOUT_TYPE3;
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
}

static int kcore__read(int fd, const unsigned char *hdr, size_t len_hdr, __u64 addr,
		       void *buf, size_t len)
{
	long long off = orc__kcore_offset(hdr, len_hdr, addr, len);

	if (off < 0)
		return -ERANGE;
	if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		return -EIO;
	return 0;
}

/*
 * /proc/kallsyms, read for the table's functions only: the kernel image's
 * text symbols come first, in address order; the modules' end them.  (A
 * whole ksyms__read(), which keeps and sorts every symbol, took 0.8 s of
 * record's start under TCG.)
 */
static int unwind__scan_kallsyms(struct orc_fns *fns)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], *p, *name, *end;
	unsigned long long addr;

	if (!f)
		return -errno;
	while (!fns->err && fgets(line, sizeof(line), f)) {
		addr = strtoull(line, &p, 16);
		if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
			continue;
		name = p + 3;
		end = name + strcspn(name, " \t\n");
		if (*end == '\t' || *end == ' ')
			break;	/* "[module]": past the kernel image */
		*end = '\0';
		if (strchr("tTwW", p[1]) && addr)
			orc__fns_add(fns, addr, name);
	}
	fclose(f);
	return fns->err;
}

/* The glue's and the page allocator's functions in the kernel image, sorted */
static int unwind__fns(const struct ksyms *ks, struct orc_fns *fns)
{
	size_t i, n = ksyms__count(ks);
	int err;

	if (!ks) {
		err = unwind__scan_kallsyms(fns);
	} else {
		for (i = 0; i < n && !fns->err; i++) {
			const struct ksym *k = ksyms__at(ks, i);

			if (!k->module)
				orc__fns_add(fns, k->addr, k->name);
		}
		err = fns->err;
	}
	return err ? err : fns->n ? 0 : -ENOENT;
}

/* ORC address @i, from its offset relative to its own place in the array */
static __u64 unwind__ip(__u64 ip_addr, const __s32 *rel, size_t i)
{
	return ip_addr + i * 4 + (__s64)rel[i];
}

/* The first ORC index whose address is above @addr (@above) or at or above it */
static size_t unwind__search(__u64 ip_addr, const __s32 *rel, size_t n, __u64 addr, bool above)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		__u64 ip = unwind__ip(ip_addr, rel, mid);

		if (ip < addr || (above && ip == addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The ORC entries the functions need (the one in force at each start, those
 * inside), read from /proc/kcore: a few hundred of the kernel's 10^5
 */
static int unwind__entries(int fd, const unsigned char *hdr, size_t len_hdr,
			   const __u64 *ksym_addrs, const struct orc_fn *fns, size_t nfns,
			   __u64 **ips, unsigned char **ents, size_t *nents)
{
	__u64 ip_addr = ksym_addrs[MEMTRACE_KSYM_ORC_IP];
	__u64 orc_addr = ksym_addrs[MEMTRACE_KSYM_ORC];
	size_t n = (ksym_addrs[MEMTRACE_KSYM_ORC_IP_END] - ip_addr) / 4, f, i, cap = 0;
	__s32 *rel = malloc(n * sizeof(*rel));
	int err;

	*ips = NULL;
	*ents = NULL;
	*nents = 0;
	err = rel ? kcore__read(fd, hdr, len_hdr, ip_addr, rel, n * sizeof(*rel)) : -ENOMEM;
	for (i = 1; !err && i < n; i++) {
		if (unwind__ip(ip_addr, rel, i) < unwind__ip(ip_addr, rel, i - 1))
			err = -EINVAL;	/* not the sorted table this reads */
	}
	for (f = 0; !err && f < nfns; f++) {
		size_t g = unwind__search(ip_addr, rel, n, fns[f].start, true);
		size_t e = unwind__search(ip_addr, rel, n, fns[f].end, false), k;

		g = g ? g - 1 : 0;
		if (e <= g)
			continue;
		if (*nents + (e - g) > cap) {
			__u64 *pi;
			unsigned char *pe;

			cap = (*nents + (e - g)) * 2;
			pi = realloc(*ips, cap * sizeof(*pi));
			if (pi)
				*ips = pi;
			pe = realloc(*ents, cap * ORC_ENTRY_SIZE);
			if (pe)
				*ents = pe;
			if (!pi || !pe) {
				err = -ENOMEM;
				break;
			}
		}
		/* a function's span can repeat the last one's: keep the array sorted */
		if (*nents && unwind__ip(ip_addr, rel, g) <= (*ips)[*nents - 1])
			g++;
		if (e <= g)
			continue;
		for (k = g; k < e; k++)
			(*ips)[*nents + k - g] = unwind__ip(ip_addr, rel, k);
		err = kcore__read(fd, hdr, len_hdr, orc_addr + g * ORC_ENTRY_SIZE,
				  *ents + *nents * ORC_ENTRY_SIZE, (e - g) * ORC_ENTRY_SIZE);
		*nents += e - g;
	}
	free(rel);
	return err;
}

int unwind__load(const struct btf *btf, const struct ksyms *ks, const __u64 *ksym_addrs,
		 struct memtrace_unwind_entry **t, __u32 *log2)
{
	__u64 ip_addr = ksym_addrs[MEMTRACE_KSYM_ORC_IP];
	__u64 ip_end = ksym_addrs[MEMTRACE_KSYM_ORC_IP_END];
	unsigned char *hdr = NULL, *ents = NULL;
	struct orc_fns fns = {};
	__u64 *ips = NULL;
	size_t nents = 0;
	enum orc_layout l;
	int fd = -1, err;
	ssize_t got;

	*t = NULL;
	*log2 = 0;
	if (!ip_addr || !ksym_addrs[MEMTRACE_KSYM_ORC] || ip_end <= ip_addr ||
	    (ip_end - ip_addr) % 4)
		return -ENOENT;
	err = unwind__layout(btf, &l);
	if (err)
		return err;
	err = unwind__fns(ks, &fns);
	if (err)
		goto out;
	fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	hdr = malloc(KCORE_HDR_BYTES);
	got = hdr ? pread(fd, hdr, KCORE_HDR_BYTES, 0) : -1;
	err = !hdr ? -ENOMEM : got <= 0 ? -EIO : 0;
	err = err ?: unwind__entries(fd, hdr, (size_t)got, ksym_addrs, fns.v, fns.n, &ips, &ents,
				     &nents);
	err = err ?: orc__build(fns.v, fns.n, ips, ents, nents, l, t, log2);
out:
	if (fd >= 0)
		close(fd);
	free(hdr);
	free(ips);
	free(ents);
	free(fns.v);
	return err;
}
