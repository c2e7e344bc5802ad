/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * memtrace: in-kernel aggregation for 'memtrace top', included by
 * memtrace.bpf.c (it uses that file's ksym readers and page-table walk).
 *
 * With 'aggregate' set, the allocator hooks send no record: each event adds
 * to its row (caller, allocator kind), the way slabratetop and memleak
 * aggregate: "agg_row_ids" (a hash) numbers the rows, "agg_rows" (a per-CPU
 * array) holds their counters, and each CPU keeps a small direct-mapped
 * cache of row numbers, so that a caller seen again costs no hash lookup.  A row counts allocations, bytes
 * requested and handed out, frees, and where the pages are: the zone-table
 * entry of each PFN (set from /proc/zoneinfo before load) and the page size
 * that maps them.  The page size comes from the BPF page-table walk, bounded:
 * once per 2 MiB region of each vmalloc area, and for the direct map once
 * per 2 MiB region per interval (a cache the reader ages by bumping
 * agg_gen).  Frees are matched through "agg_live", a table of the live
 * allocations (address -> row).
 *
 * Page allocations carry no call site: their row is keyed by the kernel
 * stack ("agg_stacks"), from which the reader picks the first caller
 * outside the page allocator.  With agg_stacks set, every row is.
 */
#ifndef __AGG_BPF_H
#define __AGG_BPF_H

const volatile bool aggregate = false;
const volatile bool agg_stacks = false;
/* Bit (1 << kind) for each MEMTRACE_EV_* allocation kind counted */
const volatile __u32 agg_kinds = 0;
/* Walk the page tables for the page size (else every page counts as not walked) */
const volatile bool agg_walk = true;
const volatile struct memtrace_agg_range agg_zones[MEMTRACE_AGG_ZONES] = {};

/* Bumped by the reader once per interval: the age of the level cache */
__u64 agg_gen = 0;
/* The value a new row starts from */
struct memtrace_agg agg_zero = {};

/* agg_live.class: which free matches an allocation */
#define LIVE_SLAB	1	/* kfree, kmem_cache_free: by address */
#define LIVE_PAGE	2	/* mm_page_free: by PFN */
#define LIVE_VMALLOC	3	/* vfree: by address */

/*
 * The live table's key, one word and never 0 (0 is a free slot): the
 * address with the class in its low 2 bits (slab objects are 8-byte
 * aligned, vmalloc areas page-aligned), or the PFN shifted left 2 for pages
 * (below every kernel address)
 */
static __always_inline __u64 live__key(__u64 addr, __u32 class)
{
	return class == LIVE_PAGE ? addr << 2 | class : addr | class;
}

/*
 * What an allocation added to its row (@row: its number in agg_rows), to
 * count its free, and to take the
 * addition back when 6.12 reports one large kmalloc twice (the inner event
 * from __kmalloc_noprof's core, then the real caller's: same pointer, same
 * CPU, nothing else aggregated between them there).  32 bytes: the map
 * copies it at each allocation.
 */
struct live_val {
	__u64 bytes_alloc;
	__u64 seq;	/* the CPU's aggregation sequence number << 16 | the CPU */
	__u32 row;
	__u32 bytes_req;	/* for agg__uncount, kmalloc's only: they fit */
	__u32 pages;
	__u8 zone;
	__u8 level;
	__u8 kind;
	__u8 pad;
};

/* A row's key -> its number in agg_rows */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);	/* the reader resizes before load */
	__type(key, struct memtrace_agg_key);
	__type(value, __u32);
} agg_row_ids SEC(".maps");

/* The rows' counters by number (as many as agg_row_ids holds keys) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096);	/* the reader resizes before load */
	__type(key, __u32);
	__type(value, struct memtrace_agg_row);
} agg_rows SEC(".maps");

/*
 * Row numbers handed out (one may be lost to a race: its row stays unused).
 * None past agg_rows_max (agg_row_ids' size), so that the count never
 * wraps; agg_rows holds one more per CPU for the numbers taken by CPUs
 * that passed that check together.
 */
__u32 agg_nr_rows = 0;
const volatile __u32 agg_rows_max = 0;

/*
 * The live table: the allocations followed to their free, by live__key().
 * Not a BPF hash map: its update and delete are helper calls that take a
 * bucket lock and a free-list node, the largest part of top's kmalloc and
 * kfree programs.  An array of buckets of LIVE_WAYS slots instead, each key
 * in one of two buckets (two-choice hashing), read through the array
 * lookup the verifier inlines: a slot is claimed by swapping its key from 0
 * (cmpxchg; another CPU may be claiming a slot in the same bucket) and freed
 * by storing 0.  No lock is needed for the rest: an address is allocated
 * again only after its free's program has returned (the kmem tracepoints
 * fire before the object is freed and before it is returned), so one key is
 * never written by two programs at once.  agg_live_mask + 1 buckets, set
 * before load: four times the slots asked for (at twice, a simulation left
 * 0.18% of inserts without a slot at the size asked; at four, none in
 * 155,000); an allocation without a slot is counted, as a full map was.
 */
#define LIVE_WAYS	4

struct live_slot {
	__u64 key;	/* live__key(); 0: free */
	struct live_val v;
};

struct live_bucket {
	struct live_slot slot[LIVE_WAYS];
};

const volatile __u32 agg_live_mask = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* agg_live_mask + 1, set before load */
	__type(key, __u32);
	__type(value, struct live_bucket);
} agg_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MEMTRACE_AGG_STACK_DEPTH * sizeof(__u64));
} agg_stack_map SEC(".maps");

struct level_val {
	__u64 gen;
	__u32 level;
	__u32 pad;
};

/* The mapping level of a direct-map 2 MiB region (va >> 21) this interval */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct level_val);
} agg_levels SEC(".maps");

/* Entries of a CPU's row cache (a power of 2) */
#define AGG_ROW_CACHE	64

/*
 * Per CPU: the aggregation sequence number, a vmalloc area's page tally,
 * and the row cache: row number + 1 (0: empty) by a hash of the key; an
 * entry is one word, and a row's key in agg_rows (this CPU's copy) says
 * whether the entry is the row asked for.
 */
struct agg_scratch {
	__u64 seq;
	__u32 row_cache[AGG_ROW_CACHE];
	/*
	 * The last direct-map region's level on this CPU, in one word that a
	 * nested program cannot tear: the region's base | (agg_gen & 0x7ffff)
	 * << 2 | level; 0: none.  (A generation 2^19 intervals old would pass
	 * for the current one only if this CPU saw no other region meanwhile.)
	 */
	__u64 level_hint;
	__u64 zone_pages[MEMTRACE_AGG_ZONES + 1];
	__u64 level_pages[MEMTRACE_AGG_LEVELS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct agg_scratch);
} agg_scratch_map SEC(".maps");

/*
 * @v, at most @max, in a way the verifier sees: clang may drop a C clamp
 * or check a copy of the register it then indexes with.
 */
static __always_inline __u64 agg__clamp(__u64 v, const __u64 max)
{
	asm volatile("if %0 <= %1 goto +1\n\t%0 = %1" : "+r"(v) : "i"(max));
	return v;
}

/* Whether @kind is counted; the callers have filtered the process already */
static __always_inline bool agg__on(__u32 kind)
{
	return aggregate && (agg_kinds & (1U << kind));
}

static __always_inline struct agg_scratch *agg__scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&agg_scratch_map, &zero);
}

/* The zone-table entry holding @pfn, or MEMTRACE_AGG_ZONES */
static __always_inline __u32 agg__zone(__u64 pfn)
{
	__u32 i;

	for (i = 0; i < MEMTRACE_AGG_ZONES; i++) {
		if (pfn >= agg_zones[i].start_pfn && pfn < agg_zones[i].end_pfn)
			return i;
	}
	return MEMTRACE_AGG_ZONES;
}

#define LEVEL_HINT(region, gen, level) \
	((region) << 21 | ((gen) & 0x7ffff) << 2 | (level))

/* MEMTRACE_LEVEL_* mapping @va: walked, or from this interval's cache */
static __always_inline __u32 agg__level(__u64 va, bool cache)
{
	struct walk_ctx c = {};
	struct level_val *v, nv = {};
	struct agg_scratch *s = NULL;
	__u64 region = va >> 21, gen = agg_gen, hint;

	if (!agg_walk)
		return MEMTRACE_LEVEL_NONE;
	if (cache) {
		s = agg__scratch();
		hint = s ? s->level_hint : 0;
		if (hint && hint == LEVEL_HINT(region, gen, hint & 3))
			return hint & 3;
		v = bpf_map_lookup_elem(&agg_levels, &region);
		if (v && v->gen == gen) {
			if (s)
				s->level_hint = LEVEL_HINT(region, gen, v->level & 3);
			return v->level;
		}
	}
	walk__root(&c);
	if (!c.top)
		return MEMTRACE_LEVEL_NONE;
	nv.level = walk__va(va, c.top, c.pob, c.levels) & 3;
	if (cache) {
		nv.gen = gen;
		bpf_map_update_elem(&agg_levels, &region, &nv, BPF_ANY);
		if (s)
			s->level_hint = LEVEL_HINT(region, gen, nv.level);
	}
	return nv.level;
}

static __always_inline bool agg__key_eq(const struct memtrace_agg_key *a,
					const struct memtrace_agg_key *b)
{
	return a->call_site == b->call_site && a->stack_id == b->stack_id && a->kind == b->kind;
}

/* @k's entry in a CPU's row cache */
static __always_inline __u32 agg__slot(const struct memtrace_agg_key *k)
{
	__u64 h = k->call_site ^ ((__u64)(__u32)k->stack_id << 9) ^ k->kind;

	h ^= h >> 23;
	h ^= h >> 7;
	return h & (AGG_ROW_CACHE - 1);
}

/* Row @id's counters on this CPU, which now say they are @k's */
static __always_inline struct memtrace_agg *agg__row_set(__u32 id, const struct memtrace_agg_key *k,
							 struct agg_scratch *s, __u32 slot)
{
	struct memtrace_agg_row *r = bpf_map_lookup_elem(&agg_rows, &id);

	if (!r)
		return NULL;
	r->key = *k;
	if (s)
		s->row_cache[slot & (AGG_ROW_CACHE - 1)] = id + 1;
	return &r->c;
}

/*
 * The row of @k (its number into @id), created empty when new; NULL
 * (counted) when the maps are full.  The CPU's row cache first: an entry
 * is taken only if the row's key on this CPU is @k.
 */
static __always_inline struct memtrace_agg *agg__row(const struct memtrace_agg_key *k, __u32 *id)
{
	struct agg_scratch *s = agg__scratch();
	__u32 slot = agg__slot(k), n, *idp;
	struct memtrace_agg_row *r;
	struct memtrace_agg *c;

	n = s ? s->row_cache[slot & (AGG_ROW_CACHE - 1)] : 0;
	if (n) {
		n--;
		r = bpf_map_lookup_elem(&agg_rows, &n);
		if (r && agg__key_eq(&r->key, k)) {
			*id = n;
			return &r->c;
		}
	}
	idp = bpf_map_lookup_elem(&agg_row_ids, k);
	if (idp) {
		n = *idp;
	} else {
		/* past agg_rows_max, n is past the array too: no number taken */
		n = agg_nr_rows < agg_rows_max ? __sync_fetch_and_add(&agg_nr_rows, 1) : ~0U;
		/* past the array, or a key another CPU inserted meanwhile */
		if (!bpf_map_lookup_elem(&agg_rows, &n) ||
		    bpf_map_update_elem(&agg_row_ids, k, &n, BPF_NOEXIST)) {
			idp = bpf_map_lookup_elem(&agg_row_ids, k);
			if (!idp) {
				counter__inc(MEMTRACE_CNT_ROWS_FULL);
				return NULL;
			}
			n = *idp;
		}
	}
	c = agg__row_set(n, k, s, slot);
	if (!c)
		counter__inc(MEMTRACE_CNT_ROWS_FULL);
	*id = n;
	return c;
}

static __always_inline void agg__key(void *ctx, struct memtrace_agg_key *k, __u32 kind,
				     __u64 call_site)
{
	long id;

	k->call_site = call_site;
	k->stack_id = MEMTRACE_AGG_NO_STACK;
	k->kind = kind;
	if (!agg_stacks && call_site)
		return;
	id = bpf_get_stackid(ctx, &agg_stack_map, 0);
	if (id >= 0)
		k->stack_id = id;
	else
		counter__inc(MEMTRACE_CNT_STACK_LOST);
}

/* memtrace record: an event's stack id, for the allocation kinds asked */
static __always_inline __u32 event__stack(void *ctx, __u32 type)
{
	long id;

	/* @type first: a constant in each program, so no load of the flag where it decides */
	if (!record_stacks && !(type == MEMTRACE_EV_PAGE_ALLOC && record_page_stacks))
		return MEMTRACE_NO_STACK;
	id = bpf_get_stackid(ctx, &agg_stack_map, 0);
	if (id >= 0)
		return id;
	counter__inc(MEMTRACE_CNT_STACK_LOST);
	return MEMTRACE_NO_STACK;
}

/* (struct memtrace_event or struct memtrace_rec); @type: the record's, a constant */
#define event__set_stack(ctx, e, type)	((e)->stack_id = event__stack(ctx, type))

/* A page allocation's caller by memtrace's unwinder (0: it cannot tell, counted) */
static __always_inline __u64 page__caller(bool fast)
{
	__u64 caller = unwind__page_caller(fast);

	if (!caller && unwind_log2)
		counter__inc(MEMTRACE_CNT_UNWIND_SLOW);
	return caller;
}

/*
 * memtrace record: a page allocation's caller, by memtrace's unwinder; its
 * kernel stack too with record_stacks (report checks one against the
 * other), or instead when the unwinder cannot vouch for the caller
 */
#define page__set_caller(ctx, e, fast, rec) do {				\
		if ((rec) || record_page_stacks || record_stacks) {		\
			(e)->call_site = page__caller(fast);			\
			if (record_stacks || !(e)->call_site)			\
				event__set_stack(ctx, e, MEMTRACE_EV_PAGE_ALLOC); \
		}								\
	} while (0)

static __always_inline void agg__count(struct memtrace_agg *r, const struct live_val *v,
				       __u64 req, __u32 order)
{
	r->allocs++;
	r->bytes_req += req;
	r->bytes_alloc += v->bytes_alloc;
	r->zone_pages[agg__clamp(v->zone, MEMTRACE_AGG_ZONES)] += v->pages;
	r->level_pages[v->level & 3] += v->pages;
	if (order != ~0U)
		r->orders[agg__clamp(order, MEMTRACE_AGG_ORDERS - 1)]++;
}

/* Take back what @v added to its row (the first of 6.12's two kmalloc events) */
static __always_inline void agg__uncount(const struct live_val *v)
{
	struct memtrace_agg_row *row = bpf_map_lookup_elem(&agg_rows, &v->row);
	struct memtrace_agg *r;

	if (!row)
		return;
	r = &row->c;
	r->allocs--;
	r->bytes_req -= v->bytes_req;
	r->bytes_alloc -= v->bytes_alloc;
	r->zone_pages[agg__clamp(v->zone, MEMTRACE_AGG_ZONES)] -= v->pages;
	r->level_pages[v->level & 3] -= v->pages;
}

/* Bucket @which (0 or 1) of @lk: two hashes of the key */
static __always_inline struct live_bucket *live__bucket(__u64 lk, int which)
{
	__u64 h = which ? (lk ^ lk >> 29) * 0xbf58476d1ce4e5b9ULL : lk * 0x9e3779b97f4a7c15ULL;
	__u32 idx = (__u32)(h >> 32) & agg_live_mask;

	return bpf_map_lookup_elem(&agg_live, &idx);
}

/* @lk's slot in @b, or NULL */
static __always_inline struct live_slot *live__find_in(struct live_bucket *b, __u64 lk)
{
	int i;

#pragma unroll
	for (i = 0; i < LIVE_WAYS; i++) {
		if (*(volatile __u64 *)&b->slot[i].key == lk)
			return &b->slot[i];
	}
	return NULL;
}

/* A free slot of @b, now @lk's, or NULL */
static __always_inline struct live_slot *live__claim_in(struct live_bucket *b, __u64 lk)
{
	int i;

#pragma unroll
	for (i = 0; i < LIVE_WAYS; i++) {
		if (*(volatile __u64 *)&b->slot[i].key == 0 &&
		    __sync_val_compare_and_swap(&b->slot[i].key, 0, lk) == 0)
			return &b->slot[i];
	}
	return NULL;
}

static __always_inline __u32 live__free_ways(struct live_bucket *b)
{
	__u32 n = 0;
	int i;

#pragma unroll
	for (i = 0; i < LIVE_WAYS; i++)
		n += *(volatile __u64 *)&b->slot[i].key == 0;
	return n;
}

/*
 * A new allocation: count it in its row and remember it for its free, in
 * the emptier of its two buckets.  An address already live (6.12's double
 * kmalloc event, or a free missed) keeps its slot: with @dup, one seen last
 * on this CPU with nothing aggregated since is 6.12's first event of the
 * same kmalloc, and its addition is taken back.
 */
static __always_inline void agg__alloc(const struct memtrace_agg_key *k, __u64 lk,
				       struct live_val *v, __u64 req, __u32 order, bool dup)
{
	struct agg_scratch *s = agg__scratch();
	struct memtrace_agg *r = agg__row(k, &v->row);
	struct live_bucket *b0, *b1;
	struct live_slot *slot;
	__u64 seq, cpu;

	if (!r || !s)
		return;
	agg__count(r, v, req, order);
	v->kind = (__u8)k->kind;
	v->bytes_req = (__u32)req;
	/* x86 has at most 8192 CPUs; 48 bits of sequence never wrap */
	cpu = bpf_get_smp_processor_id() & 0xffff;
	seq = s->seq << 16 | cpu;
	v->seq = ++s->seq << 16 | cpu;
	b0 = live__bucket(lk, 0);
	b1 = live__bucket(lk, 1);
	if (!b0 || !b1)
		goto full;
	slot = live__find_in(b0, lk) ?: live__find_in(b1, lk);
	if (slot) {
		if (dup && slot->v.kind == MEMTRACE_EV_KMALLOC && slot->v.seq == seq)
			agg__uncount(&slot->v);
		slot->v = *v;
		return;
	}
	if (live__free_ways(b1) > live__free_ways(b0))
		slot = live__claim_in(b1, lk) ?: live__claim_in(b0, lk);
	else
		slot = live__claim_in(b0, lk) ?: live__claim_in(b1, lk);
	if (slot) {
		slot->v = *v;
		return;
	}
full:
	counter__inc(MEMTRACE_CNT_LIVE_FULL);
}

static __always_inline void agg__failed(void *ctx, __u32 kind, __u64 call_site)
{
	struct memtrace_agg_key k;
	struct memtrace_agg *r;
	__u32 id;

	agg__key(ctx, &k, kind, call_site);
	r = agg__row(&k, &id);
	if (r)
		r->failed++;
}

/* kmalloc and kmem_cache_alloc: the object's pages through the direct map */
static __always_inline int agg__slab(void *ctx, __u32 kind, __u64 call_site, __u64 ptr,
				     __u64 req, __u64 alloc)
{
	__u64 pob = page_offset_base();
	__u64 end = vmalloc_base();
	struct memtrace_agg_key k;
	struct live_val v = {};

	if (!ptr) {
		agg__failed(ctx, kind, call_site);
		return 0;
	}
	agg__key(ctx, &k, kind, call_site);
	v.bytes_alloc = alloc;
	v.zone = MEMTRACE_AGG_ZONES;
	if (ptr >= pob && ptr < end && alloc) {
		v.pages = ((ptr + alloc - 1 - pob) >> PAGE_SHIFT) - ((ptr - pob) >> PAGE_SHIFT) + 1;
		v.zone = agg__zone((ptr - pob) >> PAGE_SHIFT);
		v.level = agg__level(ptr, true);
	}
	agg__alloc(&k, live__key(ptr, LIVE_SLAB), &v, req, ~0U, kind == MEMTRACE_EV_KMALLOC);
	return 0;
}

static __always_inline int agg__free(__u64 addr, __u32 class)
{
	__u64 lk = live__key(addr, class);
	struct live_bucket *b0 = live__bucket(lk, 0), *b1 = live__bucket(lk, 1);
	struct memtrace_agg_row *r;
	struct live_slot *slot;

	if (!b0 || !b1)
		return 0;
	slot = live__find_in(b0, lk) ?: live__find_in(b1, lk);
	if (!slot)
		return 0;
	r = bpf_map_lookup_elem(&agg_rows, &slot->v.row);
	if (r) {
		r->c.frees++;
		r->c.bytes_freed += slot->v.bytes_alloc;
	}
	/* the slot is read: free it (its address is not reallocated before we return) */
	compiler_barrier();
	*(volatile __u64 *)&slot->key = 0;
	return 0;
}

/* mm_page_alloc: 2^order pages from the buddy allocator, seen at their PFN */
static __always_inline int agg__page(void *ctx, __u64 pfn, __u32 order, bool failed, bool fast)
{
	__u64 pob = page_offset_base();
	struct memtrace_agg_key k;
	struct live_val v = {};
	__u64 caller;

	if (failed) {
		agg__failed(ctx, MEMTRACE_EV_PAGE_ALLOC, 0);
		return 0;
	}
	/* the caller by memtrace's unwinder; its stack when that cannot tell */
	caller = agg_stacks ? 0 : page__caller(fast);
	agg__key(ctx, &k, MEMTRACE_EV_PAGE_ALLOC, caller);
	v.bytes_alloc = PAGE_SIZE << order;
	v.pages = 1U << order;
	v.zone = agg__zone(pfn);
	v.level = agg__level(pob + (pfn << PAGE_SHIFT), true);
	agg__alloc(&k, live__key(pfn, LIVE_PAGE), &v, v.bytes_alloc, order, false);
	return 0;
}

struct agg_vm_ctx {
	__u64 pages;	/* struct page ** */
	__u64 addr;
	__u64 vmemmap;
	__u32 level;
	__u32 nr;
};

/* bpf_loop callback: page @idx of a vmalloc area into the CPU's tally */
static long agg__vm_page(__u32 idx, void *data)
{
	struct agg_vm_ctx *c = data;
	struct agg_scratch *s = agg__scratch();
	__u64 page = 0, va = c->addr + ((__u64)idx << PAGE_SHIFT);
	__u32 z;

	if (!s)
		return 1;
	/* one walk per 2 MiB region: a pmd maps all of it one way */
	if (idx == 0 || !(va & ((1ULL << 21) - 1)))
		c->level = agg__level(va, false);
	if (bpf_probe_read_kernel(&page, sizeof(page), (void *)(c->pages + idx * 8ULL)) || !page)
		z = MEMTRACE_AGG_ZONES;
	else
		z = agg__zone(page__pfn(page, c->vmemmap));
	s->zone_pages[agg__clamp(z, MEMTRACE_AGG_ZONES)]++;
	s->level_pages[c->level & 3]++;
	return 0;
}

/* A vmalloc area's pages: each PFN's zone from vm->pages[], the mapping walked */
static __always_inline int agg__vmalloc(void *ctx, __u64 ret, __u64 size, __u64 caller,
					struct vm_struct *vm, __u32 nr, __u32 order)
{
	struct agg_vm_ctx c = {};
	struct memtrace_agg_key k;
	struct live_val v = {};
	struct agg_scratch *s;
	struct memtrace_agg *r;
	int i;

	if (!ret) {
		agg__failed(ctx, MEMTRACE_EV_VMALLOC, caller);
		return 0;
	}
	agg__key(ctx, &k, MEMTRACE_EV_VMALLOC, caller);
	v.bytes_alloc = (__u64)nr << PAGE_SHIFT;
	v.zone = MEMTRACE_AGG_ZONES;
	r = agg__row(&k, &v.row);
	s = agg__scratch();
	if (!r || !s)
		return 0;
	/* the pages' tally goes straight into the row; agg__count adds none */
	if (vm && nr) {
		c.pages = (__u64)BPF_CORE_READ(vm, pages);
		c.addr = ret;
		c.vmemmap = vmemmap__base();
		c.nr = nr < MEMTRACE_VMALLOC_MAX_PAGES ? nr : MEMTRACE_VMALLOC_MAX_PAGES;
		bpf_loop(c.nr, agg__vm_page, &c, 0);
		for (i = 0; i <= MEMTRACE_AGG_ZONES; i++) {
			r->zone_pages[i] += s->zone_pages[i];
			s->zone_pages[i] = 0;
		}
		for (i = 0; i < MEMTRACE_AGG_LEVELS; i++) {
			r->level_pages[i] += s->level_pages[i];
			s->level_pages[i] = 0;
		}
		if (nr > MEMTRACE_VMALLOC_MAX_PAGES)
			counter__inc(MEMTRACE_CNT_TRUNCATED);
	}
	agg__alloc(&k, live__key(ret, LIVE_VMALLOC), &v, size, order ? order : ~0U, false);
	return 0;
}

#endif /* __AGG_BPF_H */
