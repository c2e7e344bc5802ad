// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace: /dev/memalloc from userspace (see device.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dev/device.h"
#include "lib/warn.h"

int device__open(void)
{
	int fd = open(MEMALLOC_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		warn("open %s: %s (is memalloc.ko loaded?)\n", MEMALLOC_DEVICE, strerror(errno));
		return -ENOENT;
	case EACCES:
	case EPERM:
		warn("open %s: %s (needs root: the device shows physical addresses)\n",
		     MEMALLOC_DEVICE, strerror(errno));
		return -errno;
	default:
		warn("open %s: %s\n", MEMALLOC_DEVICE, strerror(errno));
		return -errno;
	}
}

int device__ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int device__info(int fd, struct memalloc_info *info)
{
	memset(info, 0, sizeof(*info));
	return device__ioctl(fd, MEMALLOC_IOC_INFO, info);
}

int device__alloc(int fd, uint32_t kind, uint64_t size, int node, struct memalloc_alloc *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->size = size;
	if (node >= 0) {
		out->flags = MEMALLOC_F_NODE;
		out->node = node;
	}
	return device__ioctl(fd, MEMALLOC_IOC_ALLOC, out);
}

int device__free(int fd, uint64_t handle, uint64_t *latency_ns)
{
	struct memalloc_free f = { .handle = handle };
	int err = device__ioctl(fd, MEMALLOC_IOC_FREE, &f);

	if (!err && latency_ns)
		*latency_ns = f.latency_ns;
	return err;
}

int device__walk(int fd, uint64_t handle, struct memalloc_pte **entries, uint32_t *nr)
{
	struct memalloc_walk w = { .handle = handle };
	struct memalloc_pte *e;
	int err;

	*entries = NULL;
	*nr = 0;
	err = device__ioctl(fd, MEMALLOC_IOC_WALK, &w);
	if (err)
		return err;
	e = calloc(w.nr_pages ? w.nr_pages : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	w.entries = (uintptr_t)e;
	w.nr_entries = w.nr_pages;
	err = device__ioctl(fd, MEMALLOC_IOC_WALK, &w);
	if (err) {
		free(e);
		return err;
	}
	*entries = e;
	*nr = w.nr_entries;
	return 0;
}

int device__bench(int fd, struct memalloc_bench *b)
{
	return device__ioctl(fd, MEMALLOC_IOC_BENCH, b);
}

int device__vtop(int fd, uint64_t addr, struct memalloc_vtop *vt)
{
	memset(vt, 0, sizeof(*vt));
	vt->addr = addr;
	return device__ioctl(fd, MEMALLOC_IOC_VTOP, vt);
}
