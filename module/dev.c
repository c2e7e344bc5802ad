// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: /dev/memalloc, the control device, and who owns what.  Every
 * allocation belongs to the open file that made it: its handle is an entry
 * of one table (an xarray) that names the owner, and the file lists what it
 * holds, so closing it (or the process dying) frees them.  Here are the
 * ioctl dispatch and INFO, ALLOC, WALK and FREE; BENCH and BENCH_LOOP are
 * bench.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "memalloc.h"


/* What one open file holds. */
struct memalloc_file {
	struct list_head objs;	/* of memalloc_obj, by their node */
};

DEFINE_MUTEX(memalloc_lock);
DEFINE_XARRAY_ALLOC1(memalloc_objs);
static u32 memalloc_next_handle;	/* cyclic: stale handles stay invalid */

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

/* Take @o out of the table, its file and the limits, under memalloc_lock. */
static void memalloc_release_obj(struct memalloc_obj *o)
{
	lockdep_assert_held(&memalloc_lock);
	xa_erase(&memalloc_objs, o->handle);
	list_del(&o->node);
	memalloc_unreserve_locked(o->charge);
}

/* The populated zones of every online node, as many as fit. */
static void memalloc_info_zones(struct memalloc_info *info)
{
	int nid, i;

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
}

static long memalloc_ioc_info(void __user *uarg)
{
	struct memalloc_info *info;
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
	memalloc_held_locked(&info->held_bytes, &info->held_count);
	mutex_unlock(&memalloc_lock);
	memalloc_info_zones(info);
	if (copy_to_user(uarg, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
	return ret;
}

/*
 * Reserve a handle for @o (a NULL entry: xa_load() does not see it) and
 * charge what @o really holds in place of the @o->charge reserved.  The
 * handle is published by memalloc_publish_handle() once userspace knows
 * it, so that no other thread can FREE it while ALLOC can still fail.
 */
static int memalloc_reserve_handle(struct memalloc_obj *o)
{
	u32 id;
	int ret;

	mutex_lock(&memalloc_lock);
	ret = xa_alloc_cyclic(&memalloc_objs, &id, NULL, xa_limit_32b,
			      &memalloc_next_handle, GFP_KERNEL);
	o->charge = memalloc_recharge_locked(o->charge, o->size_alloc);
	mutex_unlock(&memalloc_lock);
	if (ret < 0)
		return ret;
	o->handle = id;
	return 0;
}

static void memalloc_publish_handle(struct memalloc_obj *o)
{
	struct memalloc_file *mf = o->owner->private_data;

	mutex_lock(&memalloc_lock);
	/* The entry is reserved: xa_store() allocates nothing. */
	xa_store(&memalloc_objs, o->handle, o, GFP_KERNEL);
	list_add_tail(&o->node, &mf->objs);
	mutex_unlock(&memalloc_lock);
}

static long memalloc_ioc_alloc(struct file *file, void __user *uarg)
{
	struct memalloc_alloc req;
	struct memalloc_obj *o;
	u64 charge, t0;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.handle || req.addr || req.size_alloc ||
	    req.latency_ns)
		return -EINVAL;
	ret = memalloc_admit(req.kind, req.flags, req.size, req.node, 1,
			     U64_MAX, &charge);
	if (ret)
		return ret;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o) {
		ret = -ENOMEM;
		goto out_unreserve;
	}
	memalloc_obj_init(o, req.kind, req.flags, req.size, req.node);
	o->owner = file;
	o->charge = charge;

	t0 = ktime_get_ns();
	ret = memalloc_do_alloc(o);
	req.latency_ns = ktime_get_ns() - t0;
	if (ret)
		goto out_free_obj;

	ret = memalloc_reserve_handle(o);
	if (ret)
		goto out_free_mem;
	req.handle = o->handle;
	req.addr = (unsigned long)o->addr;
	req.size_alloc = o->size_alloc;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto out_erase_handle;
	}
	memalloc_publish_handle(o);
	return 0;

out_erase_handle:
	mutex_lock(&memalloc_lock);
	xa_erase(&memalloc_objs, o->handle);
	mutex_unlock(&memalloc_lock);
out_free_mem:
	memalloc_do_free(o);
out_free_obj:
	charge = o->charge;	/* what is reserved now */
	kfree(o);
out_unreserve:
	memalloc_unreserve(charge);
	return ret;
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
 * The range a WALK request names: an allocation of @file, or a raw range
 * of the kernel half (user page tables may vanish under us).
 */
static int memalloc_walk_range(struct file *file,
			       const struct memalloc_walk *req,
			       unsigned long *start, unsigned long *end)
{
	struct memalloc_obj *o;

	if (!req->handle) {
		if (!req->size || req->size > MEMALLOC_WALK_MAX_BYTES ||
		    req->addr < (1ULL << 63) ||
		    req->addr + req->size < req->addr)
			return -EINVAL;
		*start = req->addr;
		*end = req->addr + req->size;
		return 0;
	}
	if (req->addr || req->size)
		return -EINVAL;
	mutex_lock(&memalloc_lock);
	o = memalloc_find(file, req->handle);
	if (o) {
		*start = (unsigned long)o->addr;
		*end = (unsigned long)o->addr + o->size_alloc;
	}
	mutex_unlock(&memalloc_lock);
	return o ? 0 : -ENOENT;
}

/*
 * Whether the raw range [@start, @end) touches the vmalloc area (VMALLOC_END
 * is its last byte).
 */
static bool memalloc_in_vmalloc(unsigned long start, unsigned long end)
{
	return start <= VMALLOC_END && end > VMALLOC_START;
}

/*
 * Whether the device holds an allocation (or the demo its buffer) covering
 * the pages of [@start, @end), under memalloc_lock.  Raw walks of the
 * vmalloc area are limited to these: vmalloc's page tables change under
 * locks a module cannot take (vmap_area_lock; a huge vmap frees the PTE
 * table it replaces), and the kernel's vmalloc_to_page() used for the
 * cross-check reads them with KASAN's checks on.  A held allocation cannot
 * be freed (FREE takes memalloc_lock) nor share a table with a huge vmap
 * being made.
 */
static bool memalloc_holds_range(unsigned long start, unsigned long end)
{
	struct memalloc_obj *o;
	unsigned long id;

	lockdep_assert_held(&memalloc_lock);
	if (memalloc_demo_holds(start, end))
		return true;
	xa_for_each(&memalloc_objs, id, o) {
		unsigned long a = (unsigned long)o->addr & PAGE_MASK;

		if (start >= a &&
		    end <= PAGE_ALIGN((unsigned long)o->addr + o->size_alloc))
			return true;
	}
	return false;
}

/* Walk @n pages from @start into @buf. */
static void memalloc_walk_pages(struct memalloc_pte *buf, unsigned long start,
				u64 n)
{
	unsigned long addr = start;
	u64 i;

	for (i = 0; i < n; i++, addr += PAGE_SIZE) {
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
}

/*
 * VTOP: one address, with every table the walk consulted.  The same rules
 * as a raw WALK: kernel addresses only, and in the vmalloc area only
 * inside an allocation the device holds, translated under memalloc_lock.
 */
static long memalloc_ioc_vtop(void __user *uarg)
{
	struct memalloc_vtop req;
	struct memalloc_map map;
	unsigned long addr;
	bool locked;
	long ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || memchr_inv(&req.paging_levels, 0, sizeof(req) -
				    offsetof(struct memalloc_vtop, paging_levels)))
		return -EINVAL;
	addr = req.addr;
	if (addr < (1UL << 63))
		return -EINVAL;
	locked = memalloc_in_vmalloc(addr, addr + 1);
	if (locked)
		mutex_lock(&memalloc_lock);
	if (locked && !memalloc_holds_range(addr & PAGE_MASK, addr + 1)) {
		ret = -EINVAL;
	} else {
		memalloc_translate(addr, &map, &req);
		req.level = map.level;
		req.pte_flags = map.flags;
		req.pfn = map.pfn;
		req.pa = map.level ? (map.pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK) :
				     ULLONG_MAX;
		req.helper_pfn = map.level ? memalloc_helper_pfn(addr) : ULLONG_MAX;
		req.region = memalloc_region(addr);
	}
	if (locked)
		mutex_unlock(&memalloc_lock);
	if (!ret && copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
	return ret;
}

/*
 * WALK sizes its buffer unlocked, then fills it under memalloc_lock (the
 * allocation cannot go away meanwhile; handles are not reused soon, so the
 * same handle is the same allocation) and copies it out after unlocking,
 * so that a slow user buffer (a userfaultfd, say) never stalls the other
 * users of the device.  The buffer is bounded: at most 1 GiB of pages
 * (raw) or max_bytes (handle).
 */
static long memalloc_ioc_walk(struct file *file, void __user *uarg)
{
	struct memalloc_pte *buf = NULL;
	struct memalloc_walk req;
	unsigned long start, end;
	u64 nr_pages, n;
	bool locked;
	long ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;
	ret = memalloc_walk_range(file, &req, &start, &end);
	if (ret)
		return ret;
	start &= PAGE_MASK;
	nr_pages = (PAGE_ALIGN(end) - start) >> PAGE_SHIFT;
	n = min_t(u64, nr_pages, req.nr_entries);

	if (n) {
		buf = kvmalloc_array(n, sizeof(*buf),
				     GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
		if (!buf)
			return -ENOMEM;
	}
	/* Raw walks outside vmalloc run unlocked: those tables are not freed */
	locked = req.handle || memalloc_in_vmalloc(start, end);
	if (locked)
		mutex_lock(&memalloc_lock);
	if (req.handle && !memalloc_find(file, req.handle))
		ret = -ENOENT;
	else if (!req.handle && locked && !memalloc_holds_range(start, end))
		ret = -EINVAL;
	else
		memalloc_walk_pages(buf, start, n);
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
	case MEMALLOC_IOC_BENCH_LOOP:
		return memalloc_ioc_bench_loop(uarg);
	case MEMALLOC_IOC_VTOP:
		return memalloc_ioc_vtop(uarg);
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

/* The last close of a file frees everything it holds. */
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

/**
 * memalloc_dev_init() - register /dev/memalloc
 *
 * Return: 0 or the error of misc_register().
 */
int memalloc_dev_init(void)
{
	return misc_register(&memalloc_miscdev);
}

/**
 * memalloc_dev_exit() - deregister /dev/memalloc
 *
 * Open files pin the module, so at unload nothing is held any more.
 */
void memalloc_dev_exit(void)
{
	misc_deregister(&memalloc_miscdev);
	WARN_ON_ONCE(!xa_empty(&memalloc_objs));
}
