#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest workload of `make top`, about 10 s, three kinds of kernel memory:
#   fork/exec storm  every new task gets a kernel stack: a vmalloc'd area
#                    of THREAD_SIZE (4 pages, CONFIG_VMAP_STACK), plus its
#                    task_struct, mm and page tables (slab and page rows)
#   tmpfs writes     file data lives in the page cache: page allocations
#                    (shmem), order 0, with their dentries and inodes (slab)
#   pipe storm       pipe buffers are whole pages; the pipe's own state
#                    is kmalloc'd (pipe_inode_info, its buffer ring)
set -u
end=$(($(date +%s) + ${1:-10}))
round=0
while [ "$(date +%s)" -lt "$end" ]; do
	round=$((round + 1))
	i=0
	while [ $i -lt 20 ]; do
		sleep 1 &
		/bin/true
		i=$((i + 1))
	done
	mkdir -p /tmp/work
	dd if=/dev/zero of=/tmp/work/f$round bs=64k count=16 2>/dev/null
	[ $((round % 4)) -eq 0 ] && rm -f /tmp/work/*
	yes memtrace | head -c 4000000 > /dev/null
	wait
done
rm -rf /tmp/work
