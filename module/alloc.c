// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: the allocators behind ALLOC and BENCH.  One request validator,
 * one switch over every MEMALLOC_KIND_* to allocate and one to free, the
 * size each allocation really holds, the registry of our own kmem_caches
 * (one per object size, made on first use), and the limits: the bytes and
 * the count all open files hold at once, reserved before an allocator runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <linux/overflow.h>

#include "memalloc.h"

#define MEMALLOC_NR_CACHES	32

static u64 memalloc_held_bytes;		/* under memalloc_lock */
static u32 memalloc_held_count;

static DEFINE_MUTEX(memalloc_cache_lock);
static struct {
	size_t size;			/* the object size asked for */
	struct kmem_cache *cache;
} memalloc_caches[MEMALLOC_NR_CACHES];

static const char *const memalloc_kind_names[] = MEMALLOC_KIND_NAMES;
static_assert(ARRAY_SIZE(memalloc_kind_names) == MEMALLOC_KIND_MAX + 1);

static bool memalloc_kind_valid(u32 kind)
{
	return kind >= MEMALLOC_KIND_KMALLOC && kind <= MEMALLOC_KIND_MAX;
}

/**
 * memalloc_kind_name() - the allocator's name, as the kernel spells it
 * @kind:	MEMALLOC_KIND_*
 *
 * Return: "kmalloc", "vmalloc", ..., or "?" for an unknown kind.
 */
const char *memalloc_kind_name(u32 kind)
{
	return memalloc_kind_valid(kind) ? memalloc_kind_names[kind] : "?";
}

/**
 * memalloc_check_request() - the one check of an ALLOC or BENCH request
 * @kind:	MEMALLOC_KIND_*
 * @flags:	MEMALLOC_F_*
 * @size:	bytes asked for
 * @node:	NUMA node, with MEMALLOC_F_NODE
 * @iterations:	alloc+free pairs of a BENCH; 1 for an ALLOC
 *
 * Called before anything is reserved or allocated.  The checks run in this
 * order, and the first that fails gives the error: kind and flags, size,
 * the byte limit, node, iterations, then what the allocator can give.
 *
 * Return: 0 if the request may run; -EINVAL if it is malformed (unknown
 * kind or flag, size 0, an offline node, iterations out of 1 to
 * %MEMALLOC_BENCH_MAX_ITER, a kmem_cache object larger than a slab object);
 * -E2BIG if it is larger than max_bytes or than the largest alloc_pages.
 */
int memalloc_check_request(u32 kind, u32 flags, u64 size, u32 node,
			   u32 iterations)
{
	if (!memalloc_kind_valid(kind) || (flags & ~MEMALLOC_F_NODE))
		return -EINVAL;
	if (!size)
		return -EINVAL;
	if (size > memalloc_max_bytes)
		return -E2BIG;
	if ((flags & MEMALLOC_F_NODE) &&
	    (node >= MAX_NUMNODES || !node_online(node)))
		return -EINVAL;
	if (!iterations || iterations > MEMALLOC_BENCH_MAX_ITER)
		return -EINVAL;
	if (kind == MEMALLOC_KIND_ALLOC_PAGES &&
	    get_order(size) > MAX_PAGE_ORDER)
		return -E2BIG;
	/* Larger objects are not slab objects: a bad request. */
	if (kind == MEMALLOC_KIND_KMEM_CACHE && size > KMALLOC_MAX_CACHE_SIZE)
		return -EINVAL;
	return 0;
}

/*
 * Our caches must not be merged into the kernel's own caches of the same
 * geometry: the study measures this cache, and a merged alias reports the
 * other cache's object size.  SLAB_NO_MERGE exists since commit
 * d0bf7d5759c1 ("mm/slab: introduce kmem_cache flag SLAB_NO_MERGE", 6.5);
 * before it a constructor makes a cache unmergeable.
 */
#ifdef SLAB_NO_MERGE
#define MEMALLOC_CACHE_FLAGS	SLAB_NO_MERGE
#define MEMALLOC_CACHE_CTOR	NULL
#else
static void memalloc_cache_ctor(void *obj)
{
}
#define MEMALLOC_CACHE_FLAGS	0
#define MEMALLOC_CACHE_CTOR	memalloc_cache_ctor
#endif

/* A kmem_cache per object size, made on first use; NULL if none is left. */
static struct kmem_cache *memalloc_get_cache(size_t size)
{
	struct kmem_cache *c = NULL;
	char name[32];
	int i;

	mutex_lock(&memalloc_cache_lock);
	for (i = 0; i < MEMALLOC_NR_CACHES; i++) {
		if (!memalloc_caches[i].cache)
			break;
		if (memalloc_caches[i].size == size) {
			c = memalloc_caches[i].cache;
			goto out;
		}
	}
	if (i == MEMALLOC_NR_CACHES)
		goto out;
	snprintf(name, sizeof(name), "memalloc-%zu", size);
	c = kmem_cache_create(name, size, 0, MEMALLOC_CACHE_FLAGS,
			      MEMALLOC_CACHE_CTOR);
	if (c) {
		memalloc_caches[i].size = size;
		memalloc_caches[i].cache = c;
	}
out:
	mutex_unlock(&memalloc_cache_lock);
	return c;
}

/**
 * memalloc_destroy_caches() - destroy the kmem_caches made so far
 *
 * At unload, once no file is open: no cache holds an object any more.
 */
void memalloc_destroy_caches(void)
{
	int i;

	for (i = 0; i < MEMALLOC_NR_CACHES; i++)
		kmem_cache_destroy(memalloc_caches[i].cache);
}

/**
 * memalloc_obj_init() - describe the allocation a checked request asks for
 * @o:		zeroed object to fill
 * @kind:	MEMALLOC_KIND_*
 * @flags:	MEMALLOC_F_*
 * @size:	bytes
 * @node:	NUMA node, with MEMALLOC_F_NODE
 *
 * For a kmem_cache, finds or makes the cache of @size-byte objects; if
 * there is none, memalloc_do_alloc() fails with -ENOMEM.
 */
void memalloc_obj_init(struct memalloc_obj *o, u32 kind, u32 flags,
		       u64 size, u32 node)
{
	o->kind = kind;
	o->size = size;
	o->nid = memalloc_request_nid(flags, node);
	if (kind == MEMALLOC_KIND_KMEM_CACHE)
		o->cache = memalloc_get_cache(size);
}

/*
 * vmalloc_node() and vzalloc_node() take no gfp flags, so they cannot be
 * told __GFP_NOWARN | __GFP_RETRY_MAYFAIL: refuse, without trying, what
 * would take more than half of the node's free memory (a warning splat or
 * the OOM killer otherwise).
 */
static bool memalloc_node_can_hold(int nid, u64 bytes)
{
	unsigned long free = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		free += zone_page_state(&NODE_DATA(nid)->node_zones[i],
					NR_FREE_PAGES);
	return bytes <= ((u64)free << PAGE_SHIFT) / 2;
}

/* vmalloc or vzalloc (@zero), on a node or anywhere. */
static void *memalloc_vmalloc(size_t size, int nid, bool zero)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;

	if (nid == NUMA_NO_NODE)
		return __vmalloc(size, zero ? gfp | __GFP_ZERO : gfp);
	if (!memalloc_node_can_hold(nid, size))
		return NULL;
	return zero ? vzalloc_node(size, nid) : vmalloc_node(size, nid);
}

/* The bytes a successful allocation really holds. */
static size_t memalloc_size_alloc(const struct memalloc_obj *o)
{
	struct memalloc_map map;

	switch (o->kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		return ksize(o->addr);
	case MEMALLOC_KIND_KVMALLOC:
		if (!is_vmalloc_addr(o->addr))
			return ksize(o->addr);
		/* kvmalloc allows huge vmap (VM_ALLOW_HUGE_VMAP): 2M units. */
		if (memalloc_follow_phys((unsigned long)o->addr, &map) &&
		    map.level == MEMALLOC_LEVEL_PMD)
			return ALIGN(o->size, PMD_SIZE);
		return PAGE_ALIGN(o->size);
	case MEMALLOC_KIND_ALLOC_PAGES:
		return PAGE_SIZE << get_order(o->size);
	case MEMALLOC_KIND_KMEM_CACHE:
		return kmem_cache_size(o->cache);
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
	default:
		return PAGE_ALIGN(o->size);
	}
}

/**
 * memalloc_do_alloc() - the allocator call itself
 * @o:		an object from memalloc_obj_init()
 *
 * Fills @o->addr, @o->size_alloc and, by kind, @o->page.  Never warns and
 * never calls the OOM killer: a failure is an answer, not a fault.
 *
 * Return: 0, or -ENOMEM if the allocator (or a cache) failed.
 */
int memalloc_do_alloc(struct memalloc_obj *o)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	int nid = o->nid;
	unsigned int order;

	switch (o->kind) {
	case MEMALLOC_KIND_KMALLOC:
		o->addr = nid == NUMA_NO_NODE ? kmalloc(o->size, gfp) :
						kmalloc_node(o->size, gfp, nid);
		break;
	case MEMALLOC_KIND_KZALLOC:
		o->addr = nid == NUMA_NO_NODE ? kzalloc(o->size, gfp) :
						kzalloc_node(o->size, gfp, nid);
		break;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		o->addr = memalloc_vmalloc(o->size, nid,
					   o->kind == MEMALLOC_KIND_VZALLOC);
		break;
	case MEMALLOC_KIND_KVMALLOC:
		/* as vmalloc: a large fallback must not wake the OOM killer */
		o->addr = kvmalloc_node(o->size, gfp | __GFP_RETRY_MAYFAIL, nid);
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		order = get_order(o->size);
		if (order > MAX_PAGE_ORDER)
			return -ENOMEM;
		o->page = nid == NUMA_NO_NODE ?
			alloc_pages(gfp | __GFP_NORETRY, order) :
			alloc_pages_node(nid, gfp | __GFP_NORETRY, order);
		o->addr = o->page ? page_address(o->page) : NULL;
		break;
	case MEMALLOC_KIND_KMEM_CACHE:
		if (!o->cache)
			return -ENOMEM;
		o->addr = nid == NUMA_NO_NODE ?
			kmem_cache_alloc(o->cache, gfp) :
			kmem_cache_alloc_node(o->cache, gfp, nid);
		break;
	default:
		return -EINVAL;
	}
	if (!o->addr)
		return -ENOMEM;
	o->size_alloc = memalloc_size_alloc(o);
	return 0;
}

/**
 * memalloc_do_free() - free what memalloc_do_alloc() allocated
 * @o:		an object whose allocation succeeded
 */
void memalloc_do_free(struct memalloc_obj *o)
{
	switch (o->kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		kfree(o->addr);
		break;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		vfree(o->addr);
		break;
	case MEMALLOC_KIND_KVMALLOC:
		kvfree(o->addr);
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		__free_pages(o->page, get_order(o->size));
		break;
	case MEMALLOC_KIND_KMEM_CACHE:
		kmem_cache_free(o->cache, o->addr);
		break;
	}
	o->addr = NULL;
}

/**
 * memalloc_admit() - check a request and reserve what it will hold
 * @kind, @flags, @size, @node, @iterations: as memalloc_check_request()
 * @max_work:	the most bytes @iterations allocations of @size may add up to
 * @charge:	out: the bytes reserved, for memalloc_unreserve()
 *
 * The one admission step of ALLOC and BENCH: nothing is reserved unless the
 * request is valid, and nothing is allocated unless it fits the limits.
 * BENCH passes %MEMALLOC_BENCH_MAX_BYTES: its time grows with the work.
 *
 * Return: 0 with @charge reserved; the error of memalloc_check_request(),
 * -E2BIG past @max_work, or the error of memalloc_reserve(), with nothing
 * reserved.
 */
int memalloc_admit(u32 kind, u32 flags, u64 size, u32 node, u32 iterations,
		   u64 max_work, u64 *charge)
{
	int ret = memalloc_check_request(kind, flags, size, node, iterations);
	u64 work;

	if (ret)
		return ret;
	/* What each iteration really takes: alloc_pages rounds up an order */
	if (check_mul_overflow((u64)iterations, memalloc_charge(kind, size), &work) ||
	    work > max_work)
		return -E2BIG;
	*charge = memalloc_charge(kind, size);
	return memalloc_reserve(*charge);
}

/**
 * memalloc_charge() - the bytes to reserve for a request before it runs
 * @kind:	MEMALLOC_KIND_*
 * @size:	bytes asked for
 *
 * Return: @size, or the power-of-two pages that alloc_pages takes.
 */
u64 memalloc_charge(u32 kind, u64 size)
{
	switch (kind) {
	case MEMALLOC_KIND_ALLOC_PAGES:
		return PAGE_SIZE << get_order(size);
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
	case MEMALLOC_KIND_KVMALLOC:
		return PAGE_ALIGN(size);
	default:
		return size;
	}
}

/**
 * memalloc_reserve() - reserve room for one allocation under the limits
 * @bytes:	its charge
 *
 * Undone by memalloc_unreserve() or memalloc_unreserve_locked().
 *
 * Return: 0; -ENOSPC if max_count allocations are held; -E2BIG if @bytes
 * more would pass max_bytes.
 */
int memalloc_reserve(u64 bytes)
{
	int ret = 0;

	mutex_lock(&memalloc_lock);
	if (memalloc_held_count >= memalloc_max_count)
		ret = -ENOSPC;
	else if (bytes > memalloc_max_bytes ||
		 memalloc_held_bytes > memalloc_max_bytes - bytes)
		ret = -E2BIG;
	else {
		memalloc_held_bytes += bytes;
		memalloc_held_count++;
	}
	mutex_unlock(&memalloc_lock);
	return ret;
}

/**
 * memalloc_unreserve_locked() - give back what memalloc_reserve() took
 * @bytes:	the charge reserved (or set by memalloc_recharge_locked())
 *
 * Context: memalloc_lock held.
 */
void memalloc_unreserve_locked(u64 bytes)
{
	lockdep_assert_held(&memalloc_lock);
	memalloc_held_bytes -= bytes;
	memalloc_held_count--;
}

/**
 * memalloc_unreserve() - memalloc_unreserve_locked(), taking the lock
 * @bytes:	the charge reserved
 */
void memalloc_unreserve(u64 bytes)
{
	mutex_lock(&memalloc_lock);
	memalloc_unreserve_locked(bytes);
	mutex_unlock(&memalloc_lock);
}

/**
 * memalloc_recharge_locked() - count what an allocation really holds
 * @reserved:	the charge reserved before it ran
 * @size_alloc:	the bytes it holds (ksize() rounding, huge vmap units)
 *
 * Context: memalloc_lock held.
 * Return: the new charge, at least @reserved; it may pass max_bytes.
 */
u64 memalloc_recharge_locked(u64 reserved, size_t size_alloc)
{
	u64 charge = max_t(u64, reserved, size_alloc);

	lockdep_assert_held(&memalloc_lock);
	memalloc_held_bytes += charge - reserved;
	return charge;
}

/**
 * memalloc_held_locked() - what all open files hold now
 * @bytes:	out: charged bytes
 * @count:	out: allocations
 *
 * Context: memalloc_lock held.
 */
void memalloc_held_locked(u64 *bytes, u32 *count)
{
	lockdep_assert_held(&memalloc_lock);
	*bytes = memalloc_held_bytes;
	*count = memalloc_held_count;
}
