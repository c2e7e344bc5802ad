// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tool/lib: the names (one spelling, from the uapi), the
 * array helper, the index by key, the JSON writer's nesting and its loud
 * failure, and the exit-status table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/json.h"
#include "lib/keyidx.h"
#include "lib/names.h"
#include "lib/warn.h"
#include "memalloc.h"
#include "tap.h"

static void test_names(void)
{
	char buf[MEMALLOC_PTE_FLAGS_LEN];
	uint32_t all = MEMALLOC_PTE_USER | MEMALLOC_PTE_RW | MEMALLOC_PTE_GLOBAL |
		       MEMALLOC_PTE_NX | MEMALLOC_PTE_ACCESSED | MEMALLOC_PTE_DIRTY;

	tap_eq_str(level__name(MEMALLOC_LEVEL_NONE), "unmapped", "names: level NONE is unmapped");
	tap_eq_str(level__name(MEMALLOC_LEVEL_PTE), "4K", "names: level PTE maps 4K");
	tap_eq_str(level__name(MEMALLOC_LEVEL_PMD), "2M", "names: level PMD maps 2M");
	tap_eq_str(level__name(MEMALLOC_LEVEL_PUD), "1G", "names: level PUD maps 1G");
	tap_eq_str(level__name(MEMALLOC_NR_LEVELS), "?", "names: an unknown level is ?");
	tap_eq_str(pte_flags__format(MEMALLOC_PTE_RW | MEMALLOC_PTE_GLOBAL | MEMALLOC_PTE_NX |
				   MEMALLOC_PTE_ACCESSED | MEMALLOC_PTE_DIRTY, buf, sizeof(buf)),
		 "RW GLB NX A D", "names: flags of kernel data, ptdump's spelling");
	tap_eq_str(pte_flags__format(0, buf, sizeof(buf)), "ro x", "names: no flags: ro x");
	tap_eq_str(pte_flags__format(all, buf, sizeof(buf)), "USR RW GLB NX A D",
		 "names: every flag fits MEMALLOC_PTE_FLAGS_LEN");
	tap_eq_u64(kind__from_name("kvmalloc"), MEMALLOC_KIND_KVMALLOC, "names: kind by name");
	tap_eq_str(kind__name(MEMALLOC_KIND_ALLOC_PAGES), "alloc_pages", "names: kind's name");
	tap_err(kind__from_name("kmalloc_node"), -EINVAL, "names: an unknown kind is -EINVAL");
	tap_eq_str(kind__name(0), "?", "names: kind 0 has no name");
}

static void test_array(void)
{
	size_t cap = 0;
	int *a = NULL;

	tap_eq_u64(array__reserve((void **)&a, &cap, 1, sizeof(*a)), 0, "array: first reserve");
	tap_eq_u64(cap, 8, "array: starts at 8");
	a[7] = 7;
	tap_eq_u64(array__reserve((void **)&a, &cap, 9, sizeof(*a)), 0, "array: grows");
	tap_eq_u64(cap, 16, "array: doubles");
	tap_eq_u64(a[7], 7, "array: keeps what it held");
	tap_eq_u64(array__reserve((void **)&a, &cap, 3, sizeof(*a)), 0, "array: enough room");
	tap_eq_u64(cap, 16, "array: does not shrink");
	tap_err(array__reserve((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM,
		   "array: an impossible size is -ENOMEM");
	tap_eq_u64(cap, 16, "array: a failure leaves the capacity");
	free(a);
}

/* Write @depth nested arrays, closing @closes of them; json__end()'s result */
static int json_nest(int depth, int closes, char **out)
{
	size_t len;
	struct json j;
	FILE *f = open_memstream(out, &len);
	int i, err;

	json__init(&j, f, false);
	for (i = 0; i < depth; i++)
		json__start_array(&j);
	for (i = 0; i < closes; i++)
		json__end_array(&j);
	err = json__end(&j);
	fclose(f);
	return err;
}

/*
 * keyidx: a key's chain is what a backward scan of the array finds, in the
 * same order, through the table's growth; keys 0 and ~0 are keys like any.
 */
static void test_keyidx(void)
{
	enum { N = 5000, KEYS = 300 };
	uint64_t *keys = malloc(N * sizeof(*keys));
	struct keyidx ki = {};
	size_t i, j, m, wrong = 0, added = 0;
	uint64_t r = 1;

	if (!keys)
		tap_bail("out of memory");
	for (i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		keys[i] = (r >> 33) % KEYS;
		/* slab-like, page-like and edge keys */
		keys[i] = keys[i] % 3 == 0 ? 0xffff888000000000ULL + keys[i] * 64 :
			  keys[i] % 3 == 1 ? keys[i] << 12 : keys[i] == 2 ? 0 : ~0ULL - keys[i];
		if (i % 7 == 3)
			continue;	/* members need not be added all */
		if (keyidx__add(&ki, i, keys[i]))
			tap_bail("out of memory");
		added++;
	}
	for (i = 0; i < N; i++) {
		j = N;
		keyidx__for_each(&ki, keys[i], m) {
			while (j-- > 0 && (keys[j] != keys[i] || j % 7 == 3))
				;
			wrong += m != j;
		}
		while (j-- > 0 && (keys[j] != keys[i] || j % 7 == 3))
			;
		wrong += j != (size_t)-1;
	}
	tap_eq_u64(wrong, 0, "keyidx: every chain is the backward scan's matches, in order");
	tap_ok(ki.used <= KEYS && ki.slots >= 2 * ki.used, "keyidx: one slot per key, half full");
	tap_eq_u64(keyidx__newest(&ki, 12345), KEYIDX_END, "keyidx: a key never added has none");
	keyidx__free(&ki);
	tap_eq_u64(keyidx__newest(&ki, keys[0]), KEYIDX_END, "keyidx: freed, it is empty");
	tap_ok(added > 0, "keyidx: %zu members added", added);
	free(keys);
}

static void test_json(void)
{
	char *out = NULL, want[256];
	struct json j;
	size_t len;
	FILE *f;

	tap_eq_u64(json_nest(100, 100, &out), 0, "json: 100 levels deep is whole");
	memset(want, '[', 100);
	memset(want + 100, ']', 100);
	strcpy(want + 200, "\n");
	tap_eq_str(out, want, "json: 100 levels written, none clamped");
	free(out);
	tap_err(json_nest(2, 1, &out), -EINVAL, "json: a container left open is an error");
	free(out);
	tap_err(json_nest(1, 2, &out), -EINVAL, "json: a close too many is an error");
	free(out);

	f = open_memstream(&out, &len);
	json__init(&j, f, true);
	json__start_object(&j);
	json__kv_uint(&j, "a", 1);
	json__name(&j, "b");
	json__start_array(&j);
	json__end_array(&j);
	json__end_object(&j);
	tap_eq_u64(json__end(&j), 0, "json: pretty document is whole");
	fclose(f);
	tap_eq_str(out, "{\n  \"a\": 1,\n  \"b\": []\n}\n", "json: pretty indents by two");
	free(out);
}

static void test_exit(void)
{
	tap_eq_u64(exit_status_of(0), EXIT_SUCCESS, "exit: 0 is success");
	tap_eq_u64(exit_status_of(-ENOENT), EXIT_ENV, "exit: no module/BTF/bpffs is 4");
	tap_eq_u64(exit_status_of(-EPERM), EXIT_ENV, "exit: not root is 4");
	tap_eq_u64(exit_status_of(-EACCES), EXIT_ENV, "exit: no access is 4");
	tap_eq_u64(exit_status_of(-524), EXIT_ENV, "exit: a refused attach (ENOTSUPP) is 4");
	tap_eq_u64(exit_status_of(-ENOMEM), EXIT_FAILURE, "exit: out of memory is 1");
	tap_eq_u64(exit_status_of(-EINVAL), EXIT_FAILURE, "exit: a bad request is 1");
}

int main(void)
{
	test_names();
	test_array();
	test_keyidx();
	test_json();
	test_exit();
	return tap_finish();
}
