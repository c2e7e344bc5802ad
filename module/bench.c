// SPDX-License-Identifier: GPL-2.0
/*
 * memalloc: MEMALLOC_IOC_BENCH, alloc+free timed in the kernel.  A request
 * is checked as ALLOC checks it, one buffer at a time is charged against
 * the limits, and each of its iterations times one allocation and one free;
 * then one more buffer is written line by line and page by page, in order
 * and in a pseudo-random order, for the cost of an access.
 * MEMALLOC_IOC_BENCH_LOOP runs the same loop untimed inside, as a whole.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "memalloc.h"

#define MEMALLOC_LINE		64	/* bytes of a cache line */
#define MEMALLOC_TOUCH_PASSES	5

static int memalloc_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sort the @n times @v and sum them up in @st (left alone if @n is 0). */
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

/*
 * The timed iterations: allocation and free latencies of those that
 * succeeded, a count of those that failed.  -EINTR on a fatal signal.
 */
static int memalloc_bench_loop(struct memalloc_obj *o,
			       struct memalloc_bench *req)
{
	u64 *talloc, *tfree, t0;
	u32 i, ok = 0;
	int ret = 0;

	talloc = kvmalloc_array(req->iterations, sizeof(u64), GFP_KERNEL);
	tfree = kvmalloc_array(req->iterations, sizeof(u64), GFP_KERNEL);
	if (!talloc || !tfree) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < req->iterations; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
		t0 = ktime_get_ns();
		if (memalloc_do_alloc(o)) {
			req->failures++;
			continue;
		}
		talloc[ok] = ktime_get_ns() - t0;
		t0 = ktime_get_ns();
		memalloc_do_free(o);
		tfree[ok] = ktime_get_ns() - t0;
		ok++;
	}
	memalloc_stat(talloc, ok, &req->alloc);
	memalloc_stat(tfree, ok, &req->free);
out:
	kvfree(talloc);
	kvfree(tfree);
	return ret;
}

/* Access cost: warm up once, then the four timed passes. */
static void memalloc_bench_touch(struct memalloc_obj *o,
				 struct memalloc_bench *req)
{
	size_t len = o->size;

	if (memalloc_do_alloc(o))
		return;
	memalloc_touch_once(o->addr, len, MEMALLOC_LINE, false);
	req->touch_lines = len / MEMALLOC_LINE;
	req->touch_pages = len / PAGE_SIZE;
	req->seq_line_ns = memalloc_touch(o->addr, len, MEMALLOC_LINE, false);
	req->rand_line_ns = memalloc_touch(o->addr, len, MEMALLOC_LINE, true);
	req->seq_page_ns = memalloc_touch(o->addr, len, PAGE_SIZE, false);
	req->rand_page_ns = memalloc_touch(o->addr, len, PAGE_SIZE, true);
	memalloc_do_free(o);
}

/**
 * memalloc_ioc_bench() - MEMALLOC_IOC_BENCH
 * @uarg:	user pointer to struct memalloc_bench
 *
 * Return: 0; -EFAULT; -EINVAL for set out fields or a bad request, as
 * memalloc_check_request() says; -E2BIG, -ENOSPC from the limits; -ENOMEM;
 * -EINTR on a fatal signal.
 */
long memalloc_ioc_bench(void __user *uarg)
{
	struct memalloc_bench req;
	struct memalloc_obj o = {};
	u64 charge;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.failures ||
	    memchr_inv(&req.alloc, 0, sizeof(req) -
		       offsetof(struct memalloc_bench, alloc)))
		return -EINVAL;
	/* One buffer at a time is held: charge it against the limits. */
	ret = memalloc_admit(req.kind, req.flags, req.size, req.node,
			     req.iterations, MEMALLOC_BENCH_MAX_BYTES, &charge);
	if (ret)
		return ret;

	memalloc_obj_init(&o, req.kind, req.flags, req.size, req.node);
	ret = memalloc_bench_loop(&o, &req);
	if (ret)
		goto out_unreserve;
	memalloc_bench_touch(&o, &req);
	if (copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
out_unreserve:
	memalloc_unreserve(charge);
	return ret;
}

/**
 * memalloc_ioc_bench_loop() - MEMALLOC_IOC_BENCH_LOOP
 * @uarg:	user pointer to struct memalloc_bench_loop
 *
 * The loop of BENCH without its per-iteration clock reads, sort and touch
 * passes, timed as a whole: what a tracer adds per event shows against the
 * allocator's own cost, not the bench's.
 *
 * Return: as memalloc_ioc_bench().
 */
long memalloc_ioc_bench_loop(void __user *uarg)
{
	struct memalloc_bench_loop req;
	struct memalloc_obj o = {};
	u64 charge, t0;
	u32 i;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved || req.failures || req.loop_ns)
		return -EINVAL;
	ret = memalloc_admit(req.kind, req.flags, req.size, req.node,
			     req.iterations, MEMALLOC_BENCH_MAX_BYTES, &charge);
	if (ret)
		return ret;

	memalloc_obj_init(&o, req.kind, req.flags, req.size, req.node);
	t0 = ktime_get_ns();
	for (i = 0; i < req.iterations; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unreserve;
		}
		/* a 1-vCPU guest must let the tracer's reader run */
		cond_resched();
		if (memalloc_do_alloc(&o)) {
			req.failures++;
			continue;
		}
		memalloc_do_free(&o);
	}
	req.loop_ns = ktime_get_ns() - t0;
	if (copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
out_unreserve:
	memalloc_unreserve(charge);
	return ret;
}
