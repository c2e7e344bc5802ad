/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtrace: the members of an array grouped by a 64-bit key, newest first.
 *
 * Where code scanned a whole array backwards for the newest element with
 * some key (for (i = nr; i-- > 0;) if (arr[i].key == k) ...), a walk of the
 * key's chain visits the same elements in the same order, and only those:
 * a lookup costs the elements of that key, not the array.
 */
#ifndef __MEMTRACE_KEYIDX_H
#define __MEMTRACE_KEYIDX_H

#include <stddef.h>
#include <stdint.h>

/*
 * struct keyidx - a hash table key -> newest member, and per member the
 * next older member of its key.  Members are array indexes, added in
 * increasing order; zero-initialised is empty.  Member numbers are stored
 * + 1 so that 0 means none.
 */
struct keyidx {
	uint64_t *key;		/* per slot */
	size_t *head;		/* per slot: newest member + 1; 0: a free slot */
	size_t slots;		/* a power of 2, at most half used */
	size_t used;
	size_t *prev;		/* per member: next older member of its key + 1 */
	size_t cap_prev;
	size_t nr;		/* the array's elements [0, nr) were looked at */
};

#define KEYIDX_END	((size_t)-1)

/* Add @member (greater than any added so far) under @key; 0 or -ENOMEM. */
int keyidx__add(struct keyidx *ki, size_t member, uint64_t key);

/* The newest member of @key, or KEYIDX_END. */
size_t keyidx__newest(const struct keyidx *ki, uint64_t key);

/* The member of @member's key added just before it, or KEYIDX_END. */
static inline size_t keyidx__older(const struct keyidx *ki, size_t member)
{
	return ki->prev[member] - 1;
}

/* Iterate over the members of @key, newest first. */
#define keyidx__for_each(ki, key, m) \
	for ((m) = keyidx__newest(ki, key); (m) != KEYIDX_END; (m) = keyidx__older(ki, m))

void keyidx__free(struct keyidx *ki);

#endif /* __MEMTRACE_KEYIDX_H */
