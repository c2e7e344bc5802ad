// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: members of an array grouped by key (keyidx.h).  Open addressing
 * with linear probing: nothing is ever removed, and the table stays at most
 * half full so that a probe ends soon.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/keyidx.h"

/* Fibonacci hashing: addresses differ in their low bits (slab objects) or
 * their high bits (pages); the multiply spreads both over the slot index.
 */
static size_t keyidx__slot(const struct keyidx *ki, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 32)) & (ki->slots - 1);
}

/* The slot of @key, or the free slot where it would go */
static size_t keyidx__probe(const struct keyidx *ki, uint64_t key)
{
	size_t s = keyidx__slot(ki, key);

	while (ki->head[s] && ki->key[s] != key)
		s = (s + 1) & (ki->slots - 1);
	return s;
}

static int keyidx__grow(struct keyidx *ki)
{
	struct keyidx old = *ki;
	size_t i, s;

	ki->slots = old.slots ? old.slots * 2 : 64;
	ki->key = malloc(ki->slots * sizeof(*ki->key));
	ki->head = calloc(ki->slots, sizeof(*ki->head));
	if (!ki->key || !ki->head) {
		free(ki->key);
		free(ki->head);
		*ki = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.slots; i++) {
		if (!old.head[i])
			continue;
		s = keyidx__probe(ki, old.key[i]);
		ki->key[s] = old.key[i];
		ki->head[s] = old.head[i];
	}
	free(old.key);
	free(old.head);
	return 0;
}

int keyidx__add(struct keyidx *ki, size_t member, uint64_t key)
{
	size_t s;

	if (array__reserve((void **)&ki->prev, &ki->cap_prev, member + 1, sizeof(*ki->prev)))
		return -ENOMEM;
	if ((ki->used + 1) * 2 > ki->slots && keyidx__grow(ki))
		return -ENOMEM;
	s = keyidx__probe(ki, key);
	if (!ki->head[s]) {
		ki->key[s] = key;
		ki->used++;
	}
	ki->prev[member] = ki->head[s];
	ki->head[s] = member + 1;
	return 0;
}

size_t keyidx__newest(const struct keyidx *ki, uint64_t key)
{
	if (!ki->slots)
		return KEYIDX_END;
	return ki->head[keyidx__probe(ki, key)] - 1;
}

void keyidx__free(struct keyidx *ki)
{
	free(ki->key);
	free(ki->head);
	free(ki->prev);
	memset(ki, 0, sizeof(*ki));
}
