// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: /dev/memalloc, the control device.  Userspace asks for
 * allocations of a given kind and size, holds them, walks their pages
 * through the page tables and frees them; BENCH times alloc+free and
 * accesses in the kernel.
 *
 * Every allocation belongs to the open file that made it: closing the file
 * (or the process dying) frees them.  Global limits on bytes and count stop
 * an allocation storm.  One mutex protects the table; allocator calls run
 * outside it, with the limits reserved beforehand.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "memalloc.h"

#define MEMALLOC_WALK_MAX	(1UL << 30)	/* raw walk range limit */
#define MEMALLOC_BENCH_MAX_ITER	100000
#define MEMALLOC_LINE		64
#define MEMALLOC_NR_CACHES	32
#define MEMALLOC_DEBUGFS_PAGES	16	/* pages shown per allocation */

/* One held allocation. */
struct memalloc_obj {
	struct list_head node;		/* in memalloc_file.objs */
	struct file *owner;
	u64 handle;
	u32 kind;
	int nid;			/* NUMA_NO_NODE unless asked */
	size_t size;
	size_t size_alloc;
	u64 charge;			/* bytes counted against max_bytes */
	void *addr;
	struct page *page;		/* alloc_pages */
	struct kmem_cache *cache;	/* kmem_cache */
};

struct memalloc_file {
	struct list_head objs;
};

static DEFINE_MUTEX(memalloc_lock);
static DEFINE_XARRAY_ALLOC1(memalloc_objs);
static u32 memalloc_next_handle;	/* cyclic: a stale handle stays invalid */
static u64 memalloc_held_bytes;		/* under memalloc_lock */
static u32 memalloc_held_count;

static DEFINE_MUTEX(memalloc_cache_lock);
static struct {
	size_t size;			/* the object size asked for */
	struct kmem_cache *cache;
} memalloc_caches[MEMALLOC_NR_CACHES];

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

/* A kmem_cache per object size, made on first use, destroyed at unload. */
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

static bool memalloc_kind_valid(u32 kind)
{
	return kind >= MEMALLOC_KIND_KMALLOC && kind <= MEMALLOC_KIND_MAX;
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

/* The allocator call itself; fills addr, size_alloc, page, cache. */
static int memalloc_do_alloc(struct memalloc_obj *o)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct memalloc_map map;
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
		if (nid != NUMA_NO_NODE && !memalloc_node_can_hold(nid, o->size))
			return -ENOMEM;
		o->addr = nid == NUMA_NO_NODE ?
			__vmalloc(o->size, gfp | __GFP_RETRY_MAYFAIL) :
			vmalloc_node(o->size, nid);
		break;
	case MEMALLOC_KIND_VZALLOC:
		if (nid != NUMA_NO_NODE && !memalloc_node_can_hold(nid, o->size))
			return -ENOMEM;
		o->addr = nid == NUMA_NO_NODE ?
			__vmalloc(o->size, gfp | __GFP_RETRY_MAYFAIL | __GFP_ZERO) :
			vzalloc_node(o->size, nid);
		break;
	case MEMALLOC_KIND_KVMALLOC:
		o->addr = kvmalloc_node(o->size, gfp, nid);
		break;
	case MEMALLOC_KIND_ALLOC_PAGES:
		order = get_order(o->size);
		if (order > MAX_PAGE_ORDER)
			return -ENOMEM;
		o->page = nid == NUMA_NO_NODE ?
			alloc_pages(gfp | __GFP_NORETRY, order) :
			alloc_pages_node(nid, gfp | __GFP_NORETRY, order);
		o->addr = o->page ? page_address(o->page) : NULL;
		o->size_alloc = PAGE_SIZE << order;
		break;
	case MEMALLOC_KIND_KMEM_CACHE:
		if (!o->cache)
			return -ENOMEM;
		o->addr = nid == NUMA_NO_NODE ?
			kmem_cache_alloc(o->cache, gfp) :
			kmem_cache_alloc_node(o->cache, gfp, nid);
		o->size_alloc = kmem_cache_size(o->cache);
		break;
	default:
		return -EINVAL;
	}
	if (!o->addr)
		return -ENOMEM;

	switch (o->kind) {
	case MEMALLOC_KIND_KMALLOC:
	case MEMALLOC_KIND_KZALLOC:
		o->size_alloc = ksize(o->addr);
		break;
	case MEMALLOC_KIND_VMALLOC:
	case MEMALLOC_KIND_VZALLOC:
		o->size_alloc = PAGE_ALIGN(o->size);
		break;
	case MEMALLOC_KIND_KVMALLOC:
		if (!is_vmalloc_addr(o->addr)) {
			o->size_alloc = ksize(o->addr);
			break;
		}
		/* kvmalloc allows huge vmap (VM_ALLOW_HUGE_VMAP): 2M units. */
		o->size_alloc = PAGE_ALIGN(o->size);
		if (memalloc_follow_phys((unsigned long)o->addr, &map) &&
		    map.level == MEMALLOC_LEVEL_PMD)
			o->size_alloc = ALIGN(o->size, PMD_SIZE);
		break;
	}
	return 0;
}

static void memalloc_do_free(struct memalloc_obj *o)
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

/*
 * The one check of an ALLOC or BENCH request (@iterations: 1 for ALLOC),
 * before anything is reserved.  The first failing check gives the error:
 * kind and flags, size, the byte limit, node, iterations, then what the
 * allocator can give.  -EINVAL for a malformed request, -E2BIG for one
 * larger than max_bytes or than the largest alloc_pages.
 */
static int memalloc_check_request(u32 kind, u32 flags, u64 size, u32 node,
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

/* The node of a checked request: NUMA_NO_NODE unless it names one. */
static int memalloc_request_nid(u32 flags, u32 node)
{
	return (flags & MEMALLOC_F_NODE) ? (int)node : NUMA_NO_NODE;
}

/* Reserve room under the limits for @bytes; undone by memalloc_unreserve. */
static int memalloc_reserve(u64 bytes)
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

static void memalloc_unreserve_locked(u64 bytes)
{
	memalloc_held_bytes -= bytes;
	memalloc_held_count--;
}

static u64 memalloc_charge(u32 kind, u64 size)
{
	if (kind == MEMALLOC_KIND_ALLOC_PAGES)
		return PAGE_SIZE << get_order(size);
	return size;
}

static long memalloc_ioc_info(void __user *uarg)
{
	struct memalloc_info *info;
	int nid, i;
	long ret = 0;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->page_size = PAGE_SIZE;
	info->levels = pgtable_l5_enabled() ? 5 : 4;
	info->page_offset = PAGE_OFFSET;
	info->vmalloc_start = VMALLOC_START;
	info->vmalloc_end = VMALLOC_END;
	info->vmemmap_base = (unsigned long)pfn_to_page(0);
	info->kmalloc_max_size = KMALLOC_MAX_SIZE;
	info->max_order = MAX_PAGE_ORDER;
	info->limit_bytes = memalloc_max_bytes;
	info->limit_count = memalloc_max_count;
	mutex_lock(&memalloc_lock);
	info->held_bytes = memalloc_held_bytes;
	info->held_count = memalloc_held_count;
	mutex_unlock(&memalloc_lock);
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		info->nr_nodes++;
		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			struct memalloc_zone *z;

			if (!populated_zone(zone))
				continue;
			if (info->nr_zones == MEMALLOC_MAX_ZONES)
				break;
			z = &info->zones[info->nr_zones++];
			z->node = nid;
			z->zone = i;
			strscpy(z->name, zone->name, sizeof(z->name));
			z->start_pfn = zone->zone_start_pfn;
			z->end_pfn = zone_end_pfn(zone);
			z->present_pages = zone->present_pages;
			z->managed_pages = zone_managed_pages(zone);
		}
	}
	if (copy_to_user(uarg, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
	return ret;
}

static long memalloc_ioc_alloc(struct file *file, void __user *uarg)
{
	struct memalloc_file *mf = file->private_data;
	struct memalloc_alloc req;
	struct memalloc_obj *o;
	u64 charge, t0;
	u32 id;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.handle || req.addr || req.size_alloc ||
	    req.latency_ns)
		return -EINVAL;
	ret = memalloc_check_request(req.kind, req.flags, req.size, req.node,
				     1);
	if (ret)
		return ret;

	charge = memalloc_charge(req.kind, req.size);
	ret = memalloc_reserve(charge);
	if (ret)
		return ret;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o) {
		ret = -ENOMEM;
		goto err_unreserve;
	}
	o->kind = req.kind;
	o->size = req.size;
	o->nid = memalloc_request_nid(req.flags, req.node);
	o->owner = file;
	if (o->kind == MEMALLOC_KIND_KMEM_CACHE)
		o->cache = memalloc_get_cache(req.size);

	t0 = ktime_get_ns();
	ret = memalloc_do_alloc(o);
	req.latency_ns = ktime_get_ns() - t0;
	if (ret)
		goto err_free_obj;

	/*
	 * Reserve the handle (a NULL entry: xa_load() does not see it), tell
	 * userspace, and only then publish the allocation: no other thread
	 * can FREE it before this call can no longer fail.
	 */
	mutex_lock(&memalloc_lock);
	ret = xa_alloc_cyclic(&memalloc_objs, &id, NULL, xa_limit_32b,
			      &memalloc_next_handle, GFP_KERNEL);
	/* Count what is really held: ksize() rounding, huge vmap units. */
	o->charge = max_t(u64, charge, o->size_alloc);
	memalloc_held_bytes += o->charge - charge;
	mutex_unlock(&memalloc_lock);
	charge = o->charge;
	if (ret < 0)
		goto err_free_mem;
	o->handle = id;

	req.handle = o->handle;
	req.addr = (unsigned long)o->addr;
	req.size_alloc = o->size_alloc;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto err_release_handle;
	}

	mutex_lock(&memalloc_lock);
	xa_store(&memalloc_objs, id, o, GFP_KERNEL);	/* reserved: no alloc */
	list_add_tail(&o->node, &mf->objs);
	mutex_unlock(&memalloc_lock);
	return 0;

err_release_handle:
	mutex_lock(&memalloc_lock);
	xa_erase(&memalloc_objs, id);
	mutex_unlock(&memalloc_lock);
err_free_mem:
	memalloc_do_free(o);
err_free_obj:
	kfree(o);
err_unreserve:
	mutex_lock(&memalloc_lock);
	memalloc_unreserve_locked(charge);
	mutex_unlock(&memalloc_lock);
	return ret;
}

/* The allocation @handle of @file, under memalloc_lock. */
static struct memalloc_obj *memalloc_find(struct file *file, u64 handle)
{
	struct memalloc_obj *o;

	lockdep_assert_held(&memalloc_lock);
	if (!handle || handle > U32_MAX)
		return NULL;
	o = xa_load(&memalloc_objs, handle);
	if (!o || o->owner != file)
		return NULL;
	return o;
}

static void memalloc_release_obj(struct memalloc_obj *o)
{
	lockdep_assert_held(&memalloc_lock);
	xa_erase(&memalloc_objs, o->handle);
	list_del(&o->node);
	memalloc_unreserve_locked(o->charge);
}

static long memalloc_ioc_free(struct file *file, void __user *uarg)
{
	struct memalloc_free req;
	struct memalloc_obj *o;
	u64 t0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.latency_ns)
		return -EINVAL;

	mutex_lock(&memalloc_lock);
	o = memalloc_find(file, req.handle);
	if (o)
		memalloc_release_obj(o);
	mutex_unlock(&memalloc_lock);
	if (!o)
		return -ENOENT;

	t0 = ktime_get_ns();
	memalloc_do_free(o);
	req.latency_ns = ktime_get_ns() - t0;
	kfree(o);
	/* The memory is gone whatever happens to the copy. */
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

/*
 * WALK fills a kernel buffer under memalloc_lock (the allocation cannot go
 * away meanwhile) and copies it out after unlocking, so that a slow user
 * buffer (a userfaultfd, say) never stalls the other users of the device.
 * The buffer is bounded: at most 1 GiB of pages (raw) or max_bytes (handle).
 */
static long memalloc_ioc_walk(struct file *file, void __user *uarg)
{
	struct memalloc_pte *buf = NULL;
	struct memalloc_walk req;
	unsigned long start, end, addr;
	bool locked = false;
	u64 nr_pages, n, i;
	long ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;

	if (req.handle) {
		struct memalloc_obj *o;

		if (req.addr || req.size)
			return -EINVAL;
		/*
		 * Size the buffer unlocked, then walk locked so that the
		 * allocation cannot go away (handles are not reused soon:
		 * the same handle is the same allocation).
		 */
		mutex_lock(&memalloc_lock);
		o = memalloc_find(file, req.handle);
		end = o ? (unsigned long)o->addr + o->size_alloc : 0;
		start = o ? (unsigned long)o->addr : 0;
		mutex_unlock(&memalloc_lock);
		if (!o)
			return -ENOENT;
	} else {
		/* Kernel half only: user page tables may vanish under us. */
		if (!req.size || req.size > MEMALLOC_WALK_MAX ||
		    req.addr < (1ULL << 63) || req.addr + req.size < req.addr)
			return -EINVAL;
		start = req.addr;
		end = req.addr + req.size;
	}
	start &= PAGE_MASK;
	nr_pages = (PAGE_ALIGN(end) - start) >> PAGE_SHIFT;
	n = min_t(u64, nr_pages, req.nr_entries);

	if (n) {
		buf = kvmalloc_array(n, sizeof(*buf),
				     GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
		if (!buf)
			return -ENOMEM;
	}
	if (req.handle) {
		mutex_lock(&memalloc_lock);
		locked = true;
		if (!memalloc_find(file, req.handle)) {
			ret = -ENOENT;
			goto out_unlock;
		}
	}
	for (i = 0, addr = start; i < n; i++, addr += PAGE_SIZE) {
		struct memalloc_pte *e = &buf[i];
		struct memalloc_map map;

		memalloc_follow_phys(addr, &map);
		e->addr = addr;
		e->pfn = map.pfn;
		e->helper_pfn = map.level ? memalloc_helper_pfn(addr) :
					    ULLONG_MAX;
		e->entry = map.entry;
		e->level = map.level;
		e->flags = map.flags;
		if ((i & 1023) == 1023)
			cond_resched();
	}
out_unlock:
	if (locked)
		mutex_unlock(&memalloc_lock);
	if (ret)
		goto out;

	if (n && copy_to_user(u64_to_user_ptr(req.entries), buf,
			      n * sizeof(*buf))) {
		ret = -EFAULT;
		goto out;
	}
	req.nr_entries = n;
	req.nr_pages = min_t(u64, nr_pages, U32_MAX);
	if (copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
out:
	kvfree(buf);
	return ret;
}

static int memalloc_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void memalloc_stat(u64 *v, u32 n, struct memalloc_stat *st)
{
	if (!n)
		return;
	sort(v, n, sizeof(*v), memalloc_cmp_u64, NULL);
	st->min_ns = v[0];
	st->median_ns = v[n / 2];
	st->p99_ns = v[min_t(u32, n - 1, (u64)n * 99 / 100)];
	st->max_ns = v[n - 1];
}

/*
 * One timed pass writing one byte every @stride bytes over @len bytes, in
 * order or in a pseudo-random order (a full-period walk i -> i * a mod 2^k
 * is not random enough; a linear congruential permutation of the indexes
 * modulo the next power of two, skipping those past the end, is).
 */
static u64 memalloc_touch_once(u8 *buf, size_t len, size_t stride, bool random)
{
	size_t n = len / stride, mask, i, j, done = 0;
	u64 t0;

	if (!n)
		return 0;
	mask = roundup_pow_of_two(n) - 1;
	t0 = ktime_get_ns();
	if (!random) {
		for (i = 0; i < n; i++) {
			WRITE_ONCE(buf[i * stride], (u8)i);
			if (!(i & 0xffff))
				cond_resched();
		}
	} else {
		/* x -> 5x + 1 mod 2^k visits every x once (Hull-Dobell). */
		for (i = 0, j = 0; i <= mask && done < n; i++) {
			j = (5 * j + 1) & mask;
			if (j >= n)
				continue;
			WRITE_ONCE(buf[j * stride], (u8)j);
			if (!(++done & 0xffff))
				cond_resched();
		}
	}
	return ktime_get_ns() - t0;
}

#define MEMALLOC_TOUCH_PASSES	5

/* The median of a few passes: one pass is at the mercy of an interrupt. */
static u64 memalloc_touch(u8 *buf, size_t len, size_t stride, bool random)
{
	u64 t[MEMALLOC_TOUCH_PASSES];
	int i;

	for (i = 0; i < MEMALLOC_TOUCH_PASSES; i++) {
		t[i] = memalloc_touch_once(buf, len, stride, random);
		cond_resched();
	}
	sort(t, MEMALLOC_TOUCH_PASSES, sizeof(t[0]), memalloc_cmp_u64, NULL);
	return t[MEMALLOC_TOUCH_PASSES / 2];
}

static long memalloc_ioc_bench(void __user *uarg)
{
	struct memalloc_bench req;
	struct memalloc_obj o = {};
	u64 *talloc, *tfree, charge, t0;
	u32 i, ok = 0;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.failures ||
	    memchr_inv(&req.alloc, 0, sizeof(req) -
		       offsetof(struct memalloc_bench, alloc)))
		return -EINVAL;
	ret = memalloc_check_request(req.kind, req.flags, req.size, req.node,
				     req.iterations);
	if (ret)
		return ret;

	/* One buffer at a time is held: charge it against the limits. */
	charge = memalloc_charge(req.kind, req.size);
	ret = memalloc_reserve(charge);
	if (ret)
		return ret;

	talloc = kvmalloc_array(req.iterations, sizeof(u64), GFP_KERNEL);
	tfree = kvmalloc_array(req.iterations, sizeof(u64), GFP_KERNEL);
	if (!talloc || !tfree) {
		ret = -ENOMEM;
		goto out;
	}

	o.kind = req.kind;
	o.size = req.size;
	o.nid = memalloc_request_nid(req.flags, req.node);
	if (o.kind == MEMALLOC_KIND_KMEM_CACHE)
		o.cache = memalloc_get_cache(req.size);

	for (i = 0; i < req.iterations; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
		t0 = ktime_get_ns();
		ret = memalloc_do_alloc(&o);
		talloc[ok] = ktime_get_ns() - t0;
		if (ret) {
			req.failures++;
			ret = 0;
			continue;
		}
		t0 = ktime_get_ns();
		memalloc_do_free(&o);
		tfree[ok] = ktime_get_ns() - t0;
		ok++;
	}
	memalloc_stat(talloc, ok, &req.alloc);
	memalloc_stat(tfree, ok, &req.free);

	/* Access cost: warm up once, then the four timed passes. */
	if (!memalloc_do_alloc(&o)) {
		size_t len = o.size;

		memalloc_touch_once(o.addr, len, MEMALLOC_LINE, false);
		req.touch_lines = len / MEMALLOC_LINE;
		req.touch_pages = len / PAGE_SIZE;
		req.seq_line_ns = memalloc_touch(o.addr, len, MEMALLOC_LINE, false);
		req.rand_line_ns = memalloc_touch(o.addr, len, MEMALLOC_LINE, true);
		req.seq_page_ns = memalloc_touch(o.addr, len, PAGE_SIZE, false);
		req.rand_page_ns = memalloc_touch(o.addr, len, PAGE_SIZE, true);
		memalloc_do_free(&o);
	}

	if (copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
out:
	kvfree(talloc);
	kvfree(tfree);
	mutex_lock(&memalloc_lock);
	memalloc_unreserve_locked(charge);
	mutex_unlock(&memalloc_lock);
	return ret;
}

static long memalloc_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MEMALLOC_IOC_INFO:
		return memalloc_ioc_info(uarg);
	case MEMALLOC_IOC_ALLOC:
		return memalloc_ioc_alloc(file, uarg);
	case MEMALLOC_IOC_WALK:
		return memalloc_ioc_walk(file, uarg);
	case MEMALLOC_IOC_FREE:
		return memalloc_ioc_free(file, uarg);
	case MEMALLOC_IOC_BENCH:
		return memalloc_ioc_bench(uarg);
	default:
		return -ENOTTY;
	}
}

static int memalloc_open(struct inode *inode, struct file *file)
{
	struct memalloc_file *mf;

	/* Physical addresses defeat KASLR: root only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	INIT_LIST_HEAD(&mf->objs);
	file->private_data = mf;
	return 0;
}

static int memalloc_release(struct inode *inode, struct file *file)
{
	struct memalloc_file *mf = file->private_data;
	struct memalloc_obj *o, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&memalloc_lock);
	list_for_each_entry_safe(o, tmp, &mf->objs, node) {
		memalloc_release_obj(o);
		list_add(&o->node, &dead);
	}
	mutex_unlock(&memalloc_lock);

	list_for_each_entry_safe(o, tmp, &dead, node) {
		memalloc_do_free(o);
		kfree(o);
		cond_resched();
	}
	kfree(mf);
	return 0;
}

static const struct file_operations memalloc_fops = {
	.owner = THIS_MODULE,
	.open = memalloc_open,
	.release = memalloc_release,
	.unlocked_ioctl = memalloc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice memalloc_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "memalloc",
	.fops = &memalloc_fops,
	.mode = 0600,
};

static const char *const memalloc_kind_names[] = {
	[MEMALLOC_KIND_KMALLOC] = "kmalloc",
	[MEMALLOC_KIND_KZALLOC] = "kzalloc",
	[MEMALLOC_KIND_VMALLOC] = "vmalloc",
	[MEMALLOC_KIND_VZALLOC] = "vzalloc",
	[MEMALLOC_KIND_KVMALLOC] = "kvmalloc",
	[MEMALLOC_KIND_ALLOC_PAGES] = "alloc_pages",
	[MEMALLOC_KIND_KMEM_CACHE] = "kmem_cache",
};

/* debugfs memalloc/allocations: what the device holds, page by page. */
static int memalloc_allocations_show(struct seq_file *m, void *v)
{
	struct memalloc_obj *o;
	unsigned long id;

	mutex_lock(&memalloc_lock);
	seq_printf(m, "# held: %u allocations, %llu bytes (limits %u, %lu)\n",
		   memalloc_held_count, memalloc_held_bytes,
		   memalloc_max_count, memalloc_max_bytes);
	xa_for_each(&memalloc_objs, id, o) {
		unsigned long addr = (unsigned long)o->addr & PAGE_MASK;
		unsigned long end = (unsigned long)o->addr + o->size_alloc;

		int shown = 0;

		seq_printf(m, "handle %lu %s size %zu alloc %zu node %d addr 0x%px\n",
			   id, memalloc_kind_names[o->kind], o->size,
			   o->size_alloc, o->nid, o->addr);
		for (; addr < end; addr += PAGE_SIZE) {
			struct memalloc_map map;

			/* A view for people: the first pages, then a count. */
			if (shown++ == MEMALLOC_DEBUGFS_PAGES) {
				seq_printf(m, "  ... %lu more pages\n",
					   (PAGE_ALIGN(end) - addr) >> PAGE_SHIFT);
				break;
			}

			memalloc_follow_phys(addr, &map);
			seq_printf(m, "  0x%016lx -> pfn 0x%llx %s%s%s%s\n",
				   addr, map.pfn, memalloc_level_name(map.level),
				   map.flags & MEMALLOC_PTE_RW ? " RW" : " ro",
				   map.flags & MEMALLOC_PTE_NX ? " NX" : " x",
				   map.flags & MEMALLOC_PTE_GLOBAL ? " GLB" : "");
		}
	}
	mutex_unlock(&memalloc_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memalloc_allocations);

static struct dentry *memalloc_debugfs;

int memalloc_dev_init(void)
{
	int ret;

	ret = misc_register(&memalloc_miscdev);
	if (ret)
		return ret;
	memalloc_debugfs = debugfs_create_dir("memalloc", NULL);
	debugfs_create_file("allocations", 0400, memalloc_debugfs, NULL,
			    &memalloc_allocations_fops);
	return 0;
}

void memalloc_dev_exit(void)
{
	int i;

	debugfs_remove_recursive(memalloc_debugfs);
	misc_deregister(&memalloc_miscdev);
	/* Open files pin the module: nothing is held any more. */
	WARN_ON_ONCE(!xa_empty(&memalloc_objs));
	for (i = 0; i < MEMALLOC_NR_CACHES; i++)
		kmem_cache_destroy(memalloc_caches[i].cache);
}
