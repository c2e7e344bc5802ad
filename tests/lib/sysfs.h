/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs.h - what the guest tests write to sysfs, procfs and debugfs
 * (module parameters, fault injection knobs), in one place.
 */
#ifndef __SYSFS_H
#define __SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Write @val to the file @path: 0 or -errno */
static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

#endif /* __SYSFS_H */
