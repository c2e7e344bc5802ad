// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tool/top and tool/lib/ksyms: naming addresses from a
 * kallsyms listing, the caller of a page allocation picked from its stack,
 * intervals as differences of counters, sorting, losses, and the JSON
 * contract of 'memtrace top -j'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ksyms.h"
#include "tap.h"
#include "top/top.h"

static const char kallsyms[] =
	"ffffffff81000000 T _text\n"
	"ffffffff81100000 T __alloc_pages_noprof\n"
	"ffffffff81100800 t get_page_from_freelist\n"
	"ffffffff81200000 T allocate_slab\n"
	"ffffffff81280000 D some_data\n"
	"ffffffff81400000 T kernel_clone\n"
	"ffffffffc0000000 t memalloc_do_alloc\t[memalloc]\n"
	"ffffffffc0000400 t memalloc_ioctl\t[memalloc]\n";

static struct ksyms *ks_load(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ksyms *ks = f ? ksyms__read(f) : NULL;

	if (f)
		fclose(f);
	return ks;
}

static void test_ksyms(struct ksyms *ks)
{
	char buf[128];

	tap_eq_u64(ksyms__count(ks), 7, "ksyms: the 7 text symbols kept, data left out");
	tap_eq_str(ksyms__format(ks, 0xffffffff81200010ULL, buf, sizeof(buf)),
		   "allocate_slab+0x10", "ksyms: a kernel address names symbol+offset");
	tap_eq_str(ksyms__format(ks, 0xffffffffc0000432ULL, buf, sizeof(buf)),
		   "memalloc_ioctl+0x32 [memalloc]", "ksyms: a module's address names its module");
	tap_eq_str(ksyms__format(ks, 0xffffffff80000000ULL, buf, sizeof(buf)),
		   "0xffffffff80000000", "ksyms: below every symbol, the address itself");
	tap_eq_str(ksyms__format(ks, 0xffffffffc0a00000ULL, buf, sizeof(buf)),
		   "0xffffffffc0a00000", "ksyms: far past the last symbol (a BPF program): unnamed");
	tap_ok(ksyms__find(ks, 0xffffffff81280010ULL) &&
	       !strcmp(ksyms__find(ks, 0xffffffff81280010ULL)->name, "allocate_slab"),
	       "ksyms: a data symbol does not hide the function before it");
}

static void test_ksyms_censored(void)
{
	struct ksyms *ks = ks_load("0000000000000000 T _text\n0000000000000000 t f\n");

	tap_ok(!ks && errno == EPERM, "ksyms: all-zero addresses (not root): EPERM, got %s",
	       ks ? "symbols" : strerror(errno));
	ksyms__free(ks);
}

/* Lines kallsyms does not write, and a name longer than 255 characters */
static void test_ksyms_lines(void)
{
	char text[1024], name[301], buf[400];
	struct ksyms *ks;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "not-an-address T nope\n"
		 "ffffffff81000000 T\n"
		 "ffffffff81000100 T %s\n"
		 "ffffffff81000200 t  spaced \t[mod_a]\n"
		 "ffffffff81000300 t unclosed [mod_b\n", name);
	ks = ks_load(text);
	tap_eq_u64(ksyms__count(ks), 3, "ksyms: lines without an address or a name left out");
	tap_ok(ksyms__find(ks, 0xffffffff81000100ULL) &&
	       strlen(ksyms__find(ks, 0xffffffff81000100ULL)->name) == 300,
	       "ksyms: a name of 300 characters kept whole, got %zu",
	       ksyms__find(ks, 0xffffffff81000100ULL) ?
	       strlen(ksyms__find(ks, 0xffffffff81000100ULL)->name) : (size_t)0);
	tap_eq_str(ksyms__format(ks, 0xffffffff81000208ULL, buf, sizeof(buf)),
		   "spaced+0x8 [mod_a]", "ksyms: runs of blanks between fields");
	tap_eq_str(ksyms__format(ks, 0xffffffff81000308ULL, buf, sizeof(buf)),
		   "unclosed+0x8", "ksyms: a module without its ']': no module");
	ksyms__free(ks);
}

static void test_pick_caller(struct ksyms *ks)
{
	__u64 page[] = { 0xffffffffc0a00000ULL, 0xffffffff81100810ULL, 0xffffffff81100010ULL,
			 0xffffffff81200040ULL, 0xffffffff81400010ULL };
	__u64 inside[] = { 0xffffffff81100010ULL, 0xffffffff81100810ULL };

	tap_eq_u64(top__pick_caller(ks, page, 5), 0xffffffff81200040ULL,
		   "caller: the first frame past an unnamed one and the page allocator");
	tap_eq_u64(top__pick_caller(ks, inside, 2), 0,
		   "caller: none when every frame is in the page allocator");
	{
		/* glue above the allocator is skipped, a caller named bpf_ below it is not */
		struct ksyms *k2 = ks_load("ffffffff81000000 T bpf_trace_run4\n"
					   "ffffffff81100000 T __alloc_pages_noprof\n"
					   "ffffffff81200000 T bpf_ringbuf_area_alloc\n"
					   "ffffffff81300000 T map_create\n");
		__u64 st[] = { 0xffffffff81000010ULL, 0xffffffff81100010ULL,
			       0xffffffff81200010ULL, 0xffffffff81300010ULL };

		tap_eq_u64(top__pick_caller(k2, st, 4), 0xffffffff81200010ULL,
			   "caller: a bpf_ function below the allocator is the caller");
		ksyms__free(k2);
	}
}

static void test_parse(void)
{
	__u32 bits = 0;

	tap_eq_s64(top__kind_parse("kmem_cache"), MEMTRACE_EV_KMEM_CACHE_ALLOC,
		   "kinds: kmem_cache is the kmem_cache_alloc event");
	tap_eq_s64(top__kind_parse("kzalloc"), -EINVAL, "kinds: kzalloc is no row kind");
	tap_eq_s64(top__kinds_parse("kmalloc,vmalloc", &bits), 0, "kinds: a list parses");
	tap_eq_u64(bits, (1U << MEMTRACE_EV_KMALLOC) | (1U << MEMTRACE_EV_VMALLOC),
		   "kinds: a list gives its bits");
	tap_eq_s64(top__kinds_parse("kmalloc,", &bits), -EINVAL, "kinds: a trailing comma fails");
	tap_eq_s64(top__kinds_parse("all", &bits), 0, "kinds: all parses");
	tap_eq_u64(__builtin_popcount(bits), 4, "kinds: all is the four kinds");
	tap_eq_s64(top__sort_parse("live"), TOP_SORT_LIVE, "sort: live");
	tap_eq_s64(top__sort_parse("size"), -EINVAL, "sort: an unknown key fails");
}

static struct memtrace_agg agg(__u64 allocs, __u64 bytes, __u64 freed)
{
	struct memtrace_agg a = { .allocs = allocs, .bytes_req = bytes - allocs,
				  .bytes_alloc = bytes, .bytes_freed = freed,
				  .frees = freed ? 1 : 0 };

	a.zone_pages[0] = allocs;
	a.zone_pages[1] = allocs;
	a.level_pages[MEMTRACE_LEVEL_PTE] = 2 * allocs;
	return a;
}

static void read1(struct top *t, __u64 n)
{
	struct memtrace_agg a = agg(n, n * 1000, 0), b = agg(1, 4096, 4096);

	top__begin(t);
	/* two kernel rows of one call site sum; the module's row is its own */
	top__add(t, MEMTRACE_EV_KMALLOC, 0xffffffff81200040ULL, MEMTRACE_AGG_NO_STACK, NULL, 0, &a);
	top__add(t, MEMTRACE_EV_KMALLOC, 0xffffffff81200040ULL, MEMTRACE_AGG_NO_STACK, NULL, 0, &a);
	top__add(t, MEMTRACE_EV_VMALLOC, 0xffffffffc0000010ULL, MEMTRACE_AGG_NO_STACK, NULL, 0, &b);
	top__end(t);
}

static void test_intervals(void)
{
	const struct top_row *rows[4];
	struct memalloc_zone z[2] = { { .node = 0, .name = "DMA32" },
				      { .node = 1, .name = "Normal" } };
	struct top t = {};
	size_t n;

	top__set_zones(&t, z, 2);
	read1(&t, 10);
	n = top__active(&t, TOP_SORT_ALLOCS, rows, 4);
	tap_eq_u64(n, 2, "intervals: two rows active in the first");
	tap_eq_u64(rows[0]->delta.allocs, 20, "intervals: a caller's rows summed (10 + 10)");
	read1(&t, 25);
	n = top__active(&t, TOP_SORT_ALLOCS, rows, 4);
	tap_eq_u64(rows[0]->delta.allocs, 30, "intervals: the second is the difference (50 - 20)");
	tap_eq_u64(rows[0]->now.allocs, 50, "intervals: counters since start kept");
	tap_eq_u64(n, 1, "intervals: a row that did nothing in the interval is not shown");
	n = top__active(&t, TOP_SORT_LIVE, rows, 4);
	tap_eq_u64(rows[0]->caller, 0xffffffff81200040ULL, "sort live: most live bytes first");
	tap_eq_u64(top__pages(&rows[0]->delta), 60, "pages: the zone pages summed");
	top__free(&t);
}

static void test_losses(void)
{
	struct memtrace_counters st = {};
	char buf[256];

	tap_ok(!top__losses(&st, buf, sizeof(buf)), "losses: none");
	tap_eq_str(buf, "no losses", "losses: none said so");
	st.recursion_misses = 3;
	tap_ok(top__losses(&st, buf, sizeof(buf)), "losses: recursion misses are losses");
	tap_has_str(buf, "3 recursion misses", "losses: the count is in the line");
}

static void test_json(struct ksyms *ks)
{
	struct memalloc_zone z[2] = { { .node = 0, .name = "DMA32" },
				      { .node = 1, .name = "Normal" } };
	struct top_frame f = { .interval_s = 1, .when = "12:00:00", .max_rows = 20 };
	const struct top_row *rows[4];
	struct top t = {};
	char *buf = NULL;
	size_t len = 0, n;
	FILE *out = open_memstream(&buf, &len);

	top__set_zones(&t, z, 2);
	read1(&t, 10);
	n = top__active(&t, TOP_SORT_BYTES, rows, 4);
	tap_eq_s64(top__print_json(out, &t, rows, n, &f, ks, false), 0, "json: written");
	fclose(out);
	tap_has_str(buf, "\"interval_s\":1,\"complete\":true,\"drops\":0", "json: the header");
	tap_has_str(buf, "\"misses\":0", "json: recursion misses");
	tap_has_str(buf, "\"rows\":[{\"caller\":\"allocate_slab+0x40\"", "json: biggest row first");
	tap_has_str(buf, "\"allocs\":20,\"frees\":0,\"failed\":0,\"bytes_req\":19980,"
		    "\"bytes_alloc\":20000", "json: the row's counts");
	tap_has_str(buf, "\"nodes\":{\"0\":20,\"1\":20}", "json: pages by node");
	tap_has_str(buf, "\"zones\":{\"0/DMA32\":20,\"1/Normal\":20}", "json: pages by zone");
	tap_has_str(buf, "\"levels\":{\"unmapped\":0,\"4K\":40,\"2M\":0,\"1G\":0}",
		    "json: pages by page size");
	tap_has_str(buf, "\"caller\":\"memalloc_do_alloc+0x10 [memalloc]\"",
		    "json: a module's caller");
	free(buf);
	top__free(&t);
}

int main(void)
{
	struct ksyms *ks = ks_load(kallsyms);

	if (!ks)
		tap_bail("ksyms__read: %s", strerror(errno));
	test_ksyms(ks);
	test_ksyms_censored();
	test_ksyms_lines();
	test_pick_caller(ks);
	test_parse();
	test_intervals();
	test_losses();
	test_json(ks);
	ksyms__free(ks);
	return tap_finish();
}
