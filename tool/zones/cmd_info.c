// SPDX-License-Identifier: GPL-2.0
/*
 * memtrace info: the kernel's memory layout as memalloc.ko reports it
 * (MEMALLOC_IOC_INFO): page size, paging levels, the direct map, the
 * vmalloc range, vmemmap, allocator limits and every populated zone.
 */
#include <argp.h>
#include <string.h>
#include <unistd.h>

#include "dev/device.h"
#include "lib/json.h"
#include "memtrace.h"
#include "lib/parse.h"

static const char info_doc[] =
	"Show the kernel's memory layout and zones, as memalloc.ko sees them.\n"
	"\n"
	"USAGE: memtrace info [--json]\n"
	"\n"
	"EXAMPLES:\n"
	"    memtrace info         # paging levels, PAGE_OFFSET, vmalloc range, zones\n"
	"    memtrace -j info      # the same as JSON\n";

static error_t info_parse(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG) {
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static int info__print_json(const struct memalloc_info *in)
{
	struct json j;
	uint32_t i;

	json__init(&j, stdout, env.pretty);
	json__start_object(&j);
	json__kv_string(&j, "schema", MEMTRACE_SCHEMA);
	json__kv_string(&j, "cmd", "info");
	json__kv_uint(&j, "page_size", in->page_size);
	json__kv_uint(&j, "levels", in->levels);
	json__kv_hex(&j, "page_offset", in->page_offset);
	json__kv_hex(&j, "vmalloc_start", in->vmalloc_start);
	json__kv_hex(&j, "vmalloc_end", in->vmalloc_end);
	json__kv_hex(&j, "vmemmap_base", in->vmemmap_base);
	json__kv_uint(&j, "kmalloc_max_size", in->kmalloc_max_size);
	json__kv_uint(&j, "max_order", in->max_order);
	json__kv_uint(&j, "limit_bytes", in->limit_bytes);
	json__kv_uint(&j, "limit_count", in->limit_count);
	json__kv_uint(&j, "held_bytes", in->held_bytes);
	json__kv_uint(&j, "held_count", in->held_count);
	json__kv_uint(&j, "nr_nodes", in->nr_nodes);
	json__name(&j, "zones");
	json__start_array(&j);
	for (i = 0; i < in->nr_zones; i++) {
		const struct memalloc_zone *z = &in->zones[i];

		json__start_object(&j);
		json__kv_uint(&j, "node", z->node);
		json__kv_string(&j, "name", z->name);
		json__kv_uint(&j, "start_pfn", z->start_pfn);
		json__kv_uint(&j, "end_pfn", z->end_pfn);
		json__kv_uint(&j, "present_pages", z->present_pages);
		json__kv_uint(&j, "managed_pages", z->managed_pages);
		json__end_object(&j);
	}
	json__end_array(&j);
	json__end_object(&j);
	return json__end(&j);
}

static void info__print(const struct memalloc_info *in)
{
	char a[16], b[16];
	uint32_t i;

	printf("page size         %u\n", in->page_size);
	printf("paging levels     %u\n", in->levels);
	printf("PAGE_OFFSET       0x%016llx  direct map (\"kernel logical\"), VPN %016llx\n",
	       (unsigned long long)in->page_offset,
	       (unsigned long long)in->page_offset / in->page_size);
	printf("vmalloc           0x%016llx - 0x%016llx\n", (unsigned long long)in->vmalloc_start,
	       (unsigned long long)in->vmalloc_end);
	printf("vmemmap           0x%016llx  struct page of PFN 0\n",
	       (unsigned long long)in->vmemmap_base);
	printf("KMALLOC_MAX_SIZE  %s, largest alloc_pages order %u (%s)\n",
	       size__format(in->kmalloc_max_size, a, sizeof(a)), in->max_order,
	       size__format((uint64_t)in->page_size << in->max_order, b, sizeof(b)));
	printf("module limits     max_bytes %s, max_count %u; held %u allocations, %llu bytes\n",
	       size__format(in->limit_bytes, a, sizeof(a)), in->limit_count, in->held_count,
	       (unsigned long long)in->held_bytes);
	printf("\n%-5s %-4s %-8s %12s %12s %10s %10s\n", "NODE", "ZONE", "NAME", "START_PFN",
	       "END_PFN", "PRESENT", "MANAGED");
	for (i = 0; i < in->nr_zones; i++) {
		const struct memalloc_zone *z = &in->zones[i];

		printf("%-5u %-4u %-8s %#12llx %#12llx %10llu %10llu\n", z->node, z->zone, z->name,
		       (unsigned long long)z->start_pfn, (unsigned long long)z->end_pfn,
		       (unsigned long long)z->present_pages, (unsigned long long)z->managed_pages);
	}
}

int cmd_info(int argc, char **argv)
{
	const struct argp argp = { NULL, info_parse, NULL, info_doc, common_children, NULL, NULL };
	struct memalloc_info in;
	int fd, err;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return EXIT_USAGE;
	fd = device__open();
	if (fd < 0)
		return exit_status_of(fd);
	err = device__info(fd, &in);
	close(fd);
	if (err) {
		warn("MEMALLOC_IOC_INFO: %s\n", strerror(-err));
		return EXIT_FAILURE;
	}
	if (!env.json) {
		info__print(&in);
		return EXIT_SUCCESS;
	}
	err = info__print_json(&in);
	if (err)
		warn("writing JSON: %s\n", strerror(-err));
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
