# SPDX-License-Identifier: GPL-2.0
# memtrace: top-level build.  Everything lands in build/; `make help` lists
# the targets and options.  Set-up (Debian packages, the guest kernel) runs
# from the targets that need it.

THIS_MAKEFILE := $(lastword $(MAKEFILE_LIST))
# make install builds the module for KDIR when given, else for the running kernel
KDIR_GIVEN := $(filter command line environment override,$(origin KDIR))

# ---- options -------------------------------------------------------------
KERNEL    ?= 6.12#		6.12, 6.1, debug, host, or a bzImage path (then KDIR=)
KVER      ?=#			pin the Debian ABI, e.g. 6.12.117+deb12
MEM       ?= 128M
SMP       ?= 1
NUMA      ?= 1
QEMU_ARGS ?=
MODPARAMS ?=#			memalloc.ko parameters, e.g. kmalloc_size=65536
APPEND    ?=#			extra kernel command line
TIMEOUT   ?= 900#		batch guest time limit, seconds
ACCEL     ?= auto#		auto, kvm or tcg (rootfs/qemu.sh)
CMD       ?= cat /proc/zoneinfo
BUILD     ?= build
NO_DEPS   ?=
FILES     ?=#			host files copied into the guest's /host/

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := x86

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

TOP := $(CURDIR)
B := $(abspath $(BUILD))

# ---- the guest kernel ----------------------------------------------------
# Debian kernels are fetched into $(B)/kernel/<series>; a bzImage path or
# the host's kernel are used in place.
ifneq ($(filter 6.12 6.1,$(KERNEL)),)
KTAG      := $(KERNEL)$(if $(KVER),-$(KVER))
KSRC      := $(B)/kernel/$(KTAG)
KSTAMP    := $(KSRC)/version
KIMAGE    := $(KSRC)/vmlinuz
KDIR      ?= $(KSRC)/kdir
else ifeq ($(KERNEL),debug)
# Built from Debian's linux-source-6.12 with vmlinux/debug.config, once per
# machine, in a cache outside the clone (a fresh clone reuses it).
DEBUG_CACHE ?= /var/cache/memtrace
KTAG      := debug
KSRC      := $(DEBUG_CACHE)/current
KSTAMP    := $(KSRC)/done
KIMAGE    := $(KSRC)/bzImage
KDIR      ?= $(KSRC)/kdir
# KASAN's shadow, kmemleak's pool and lockdep want room (unless MEM= is given)
ifeq ($(origin MEM),file)
MEM       := 512M
endif
# and time: its guest runs several times slower (a tool's start, a study),
# and a boot of every test takes it past 900 s on a slow host (unless TIMEOUT=)
ifeq ($(origin TIMEOUT),file)
TIMEOUT   := 2400
endif
else ifeq ($(KERNEL),host)
KTAG      := host
KIMAGE    := /boot/vmlinuz-$(shell uname -r)
KDIR      ?= /lib/modules/$(shell uname -r)/build
KSTAMP    := $(KIMAGE)
else
KTAG      := custom
KIMAGE    := $(abspath $(KERNEL))
KSTAMP    := $(KIMAGE)
ifeq ($(KDIR),)
$(error KERNEL=$(KERNEL) is a kernel image: give its build tree with KDIR=)
endif
endif

# vmlinux.h always comes from the default kernel's BTF: one CO-RE binary
# runs on every kernel (VMLINUX_BTF overrides).
VMLINUX_BTF ?= $(B)/kernel/6.12/vmlinux.btf
VMLINUX_H   := $(B)/include/vmlinux.h

KB        := $(B)/$(KTAG)
TESTLOG   := $(KB)/tests-log
KO        := $(KB)/module/memalloc.ko
INITRAMFS := $(KB)/initramfs.cpio

MODULE_SRC := $(wildcard module/*.c module/*.h module/uapi/*.h) module/Kbuild

TEST_INITRAMFS := $(KB)/initramfs-tests.cpio

# The guest's archive: make vm and vmtest boot the one with the tests
GUEST_CPIO = $(INITRAMFS)
QEMU = rootfs/qemu.sh -k $(KIMAGE) -r $(GUEST_CPIO) -m $(MEM) -s $(SMP) \
	-n $(NUMA) -t $(TIMEOUT) -x $(ACCEL) -C $(B)/kvm-probe $(if $(QEMU_ARGS),-a "$(QEMU_ARGS)") \
	$(if $(MODPARAMS),-p "$(MODPARAMS)") $(if $(APPEND),-A "$(APPEND)") \
	$(if $(FILES),-f "$(FILES)")

# ---- tool and tests ------------------------------------------------------
# tool/ is a folder per feature (run/, study/, zones/, vtop/, top/, record/,
# doctor/) over lib/ (json writer, parsers, names, stats), dev/
# (/dev/memalloc) and trace/ (libbpf: the tracer and clock loaders).  In
# lib/ and each feature, cmd_*.c is a
# command's driver and every other file is pure C: those make
# libmemtrace.a, which the tool and every unit test link (the tests link a
# build with sanitizers).  render/ is the host-side renderer (plots, report
# page, the JSON reader), a program of its own: memtrace-render.  Each
# bpf/X.bpf.c becomes a skeleton X.skel.h (struct X_bpf).
TOOL_FEATURES := lib run study zones vtop top record doctor
LIB_SRC     := $(filter-out %/cmd_%.c,$(wildcard $(TOOL_FEATURES:%=tool/%/*.c)))
CMD_SRC     := tool/memtrace.c $(wildcard $(TOOL_FEATURES:%=tool/%/cmd_*.c)) \
	$(wildcard tool/dev/*.c tool/trace/*.c)
RENDER_SRC  := $(wildcard tool/render/*.c)
TOOL_HDR    := $(wildcard tool/*.h tool/*/*.h)
TOOL        := $(B)/tool/memtrace
RENDER      := $(B)/tool/memtrace-render
LIBMT       := $(B)/tool/libmemtrace.a
BPF_SRC     := $(wildcard bpf/*.bpf.c)
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(B)/bpf/%.skel.h,$(BPF_SRC))

TOOL_INC    := -I. -Itool -Imodule/uapi -I$(B)/bpf -I$(B)/gen
# memtrace --version: the git commit and the kernel whose BTF made vmlinux.h
VERSION_H   := $(B)/gen/version.h
BTF_RELEASE  = $(or $(shell sed -n 's/^release=//p' $(dir $(VMLINUX_BTF))version 2>/dev/null),unknown)
TOOL_CFLAGS := -g -O2 -Wall -Wextra -Wmissing-field-initializers -Werror=undef \
	$(if $(WERROR),-Werror) $(TOOL_INC)
TOOL_LIBS   := -static -lbpf -lelf -lz -lzstd -lm
RENDER_LIBS := -static -ljson-c -lm
# -mcpu=v3 (kernels from 5.1): atomics that return the old value, which
# top's row numbering takes (__sync_fetch_and_add)
BPF_CFLAGS  := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall \
	$(if $(WERROR),-Werror) -I$(B)/include -Ibpf

UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
# Host shell tests: make install into a DESTDIR per fetched tree, qemu.sh's accelerator
HOST_TESTS := $(wildcard tests/host/test_*.sh)
UNIT_CFLAGS := -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer $(TOOL_INC) -Itests/lib
UNIT_LIB    := $(B)/tests/unit/libmemtrace.a
UNIT_RENDER := $(patsubst tool/%.c,$(B)/tests/unit/obj/%.o,$(filter-out %/main.c,$(RENDER_SRC)))
# The tool and the renderer themselves, built with the same sanitizers and
# linked dynamically: test_cli runs their argument parsing on the host.
UNIT_TOOL_OBJ := $(patsubst tool/%.c,$(B)/tests/unit/obj/%.o,$(CMD_SRC))
UNIT_TOOL   := $(B)/tests/unit/memtrace-asan
UNIT_RENDER_BIN := $(B)/tests/unit/memtrace-render-asan

VM_TESTS := $(patsubst tests/vm/%.c,$(B)/tests/vm-bin/%,$(wildcard tests/vm/*.c))
VM_CFLAGS := -g -O2 -Wall -Wextra -Werror=undef $(if $(WERROR),-Werror) $(TOOL_INC) -Itests/lib

GUEST_FILES := $(TOOL):/usr/bin/memtrace $(RENDER):/usr/bin/memtrace-render
# The guest tests go in an archive of their own, appended to the guest's for
# make vm and vmtest only: make run's kernel unpacks every byte under TCG
TEST_FILES := tests/vm:/tests $(B)/tests/vm-bin:/tests/bin
# The debug kernel's own allocator tests (test_vmalloc, slub_kunit)
ifeq ($(KERNEL),debug)
TEST_FILES += $(KSRC)/modules:/lib/modules/kernel-tests
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: FORCE install-module all help deps kernel module tool initramfs rebuild start run vm \
	top record study study-compare study-compare-test test check vmtest clean distclean \
	vmlinux-h install uninstall bench

all: initramfs

help:
	@sed -n 's/^## \{0,1\}//p' $(THIS_MAKEFILE)

## memtrace - see where the kernel puts memory and what each allocator costs
##
## Main commands (each installs what it needs on Debian 12 as root):
##   make run        boot the guest: demo, memtrace zones, memtrace run
##                   (trace vs walk report), power off; exit = the guest's
##   make test       host unit tests + guest integration tests (TAP) + the
##                   study across kernels; ends with "N passed, N failed"
##
## Targets:
##   make rebuild    rebuild the module, tool and initramfs from scratch
##   make start      interactive guest: root shell, demo in the boot log
##                   (leave with 'poweroff' or Ctrl-A X)
##   make vm CMD='cat /proc/zoneinfo'
##                   batch guest: run CMD after memalloc.ko loaded, stream
##                   the console line by line, exit with CMD's status
##   make vm FILES='prog data/' CMD='/host/prog /host/data'
##                   bring your own files: copied into the guest's /host/
##   make top        memtrace top in the guest while a workload forks,
##                   writes tmpfs files and pipes (TOP_ARGS='-i 3 -n 4')
##   make record     memtrace record of that workload, then memtrace report
##                   on the host: tables and build/record/physmap.svg
##   make study      run the allocation study in the guest; report, CSV
##                   and plots in build/study/ (STUDY_ARGS=--quick;
##                   STUDY_OUT=dir puts them elsewhere)
##   make study-compare KERNELS='6.1 6.12'
##                   the study on two kernels (two boots), into
##                   build/study/<k>/, then both side by side with what
##                   changed: build/study/compare/compare.md
##   make study-compare-test
##                   its integration test: a small study on 6.1 and 6.12,
##                   the report checked (TAP, about 30 s; part of make test)
##   make bench      what tracing costs: the module's kmalloc and page loops
##                   bare, under the floor (what any raw_tp tracer pays),
##                   memtrace's tracer, top, record, perf and bpftrace, in
##                   one 1 GiB guest (TCG-relative), and the capacity; the
##                   correlation's and report's rates on the host; table on
##                   stdout, build/bench/bench.json and the median of 5 make
##                   run, a warm make rebuild (BENCH_ROUNDS=5 BENCH_REPS=1 BENCH_PAIRS=200000
##                   BENCH_BOOT=5 BENCH_TOOLS= BENCH_CAP_RATES=...; BENCH_ICOUNT=0:
##                   the guest's clock counts instructions; docs/bench.md)
##   make check      host unit tests only
##   make vmtest     guest tests only
##   make deps       install missing Debian packages (apt-get)
##   make kernel     fetch and unpack the guest kernel (never installed);
##                   KERNEL=debug builds the debug kernel (once per machine)
##   make module | tool | initramfs | vmlinux-h
##   make install    memtrace, memtrace-render, memalloc.ko (built for KDIR,
##                   default the running kernel's /lib/modules/$(uname -r)/build,
##                   installed as modules_install does), the uapi header and
##                   memtrace.1 under DESTDIR/PREFIX (PREFIX=/usr/local);
##                   make uninstall removes them
##   make clean      remove build outputs, keep downloaded kernels
##   make distclean  remove all of build/
##
## Options (VAR=value):
##   KERNEL=6.12     guest kernel: 6.12 (default, Debian cloud), 6.1,
##                   debug (KASAN, kmemleak, lockdep, fault injection:
##                   built once per machine into DEBUG_CACHE=/var/cache/memtrace),
##                   host, or a bzImage path together with KDIR=<build tree>
##   KVER=           pin Debian's kernel ABI (e.g. 6.12.117+deb12)
##   MEM=128M SMP=1 NUMA=1   guest memory, vCPUs, NUMA nodes (even split)
##   QEMU_ARGS=      appended to QEMU's command line (e.g. '-s -S' for gdb)
##   MODPARAMS=      memalloc.ko parameters (e.g. 'kmalloc_size=65536')
##   APPEND=         extra kernel command line
##   RUN_CMD=        what make run runs after the demo
##                   (default 'memtrace zones && memtrace run')
##   FILES=          host files or folders copied into the guest's /host/
##                   (make vm, start, run); a program must be static
##   TIMEOUT=900     batch time limit in seconds (a hang is killed;
##                   KERNEL=debug: 2400)
##   ACCEL=auto      auto, kvm or tcg: KVM (-cpu host) only where it can run
##                   a guest (vmx/svm, /dev/kvm, one tiny probe guest cached
##                   in build/kvm-probe); ACCEL=kvm where it cannot fails
##   NO_DEPS=1       skip the apt-get step; V=1 shows commands

# ---- set-up --------------------------------------------------------------
deps:
ifeq ($(NO_DEPS),)
	$(Q)scripts/deps.sh
endif

kernel: deps $(KSTAMP)

# The newest kernel of a series, or a pinned one in a folder of its own.
$(B)/kernel/%/version: | deps
	$(call msg,FETCH,Debian $* cloud kernel)
	$(Q)vmlinux/fetch-debian.sh $* $(B)/kernel/$*

ifneq ($(KVER),)
$(KSTAMP): | deps
	$(call msg,FETCH,Debian $(KERNEL) cloud kernel $(KVER))
	$(Q)vmlinux/fetch-debian.sh $(KERNEL) $(KSRC) $(KVER)
endif

ifeq ($(KERNEL),debug)
# The script returns at once when the cache holds this fragment's build
$(KSTAMP): vmlinux/debug.config vmlinux/build-debug.sh | deps
	$(call msg,KERNEL,debug kernel in $(DEBUG_CACHE) (once per machine: about 15-20 min))
	$(Q)$(if $(NO_DEPS),true,scripts/deps.sh bison flex bc libssl-dev dwarves xz-utils)
	$(Q)vmlinux/build-debug.sh $(DEBUG_CACHE)
else ifeq ($(filter 6.12 6.1,$(KERNEL)),)
$(KSTAMP):
	@test -f $@ || { echo "no kernel image $@" >&2; exit 1; }
endif

vmlinux-h: $(VMLINUX_H)

$(VMLINUX_H): $(B)/kernel/6.12/version
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# ---- module --------------------------------------------------------------
module: $(KO)

# Build in a copy per kernel so that objects for different kernels never mix.
$(KO): $(MODULE_SRC) $(KSTAMP) | deps
	$(call msg,MODULE,$@ ($(KTAG)))
	$(Q)mkdir -p $(KB)/module/uapi
	$(Q)cp module/Kbuild module/*.c module/*.h $(KB)/module/
	$(Q)cp module/uapi/*.h $(KB)/module/uapi/
	$(Q)$(MAKE) -C $(KDIR) M=$(KB)/module $(if $(filter 1,$(V)),V=1) modules \
		$(if $(filter 1,$(V)),,>$(KB)/module/build.log 2>&1) || \
		{ cat $(KB)/module/build.log >&2; exit 1; }

# ---- BPF -----------------------------------------------------------------
$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

-include $(wildcard $(B)/bpf/*.d)

# ---- tool ----------------------------------------------------------------
tool: $(TOOL) $(RENDER)

$(B)/tool/%.o: tool/%.c $(BPF_SKELS) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TOOL_CFLAGS) -MMD -MP -c $< -o $@

# Rewritten only when it changes, so that only memtrace.o is rebuilt
$(VERSION_H): FORCE
	$(Q)mkdir -p $(@D)
	$(Q)c=$$(git -C $(TOP) rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	[ "$$c" = unknown ] || git -C $(TOP) diff --quiet HEAD -- 2>/dev/null || c=$$c-dirty; \
	printf '#define MEMTRACE_GIT_COMMIT "%s"\n#define MEMTRACE_BTF_KERNEL "%s"\n' \
		"$$c" "$(BTF_RELEASE)" > $@.tmp; \
	cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(B)/tool/memtrace.o $(B)/tests/unit/obj/memtrace.o: $(VERSION_H)

FORCE:

$(LIBMT): $(patsubst tool/%.c,$(B)/tool/%.o,$(LIB_SRC))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TOOL): $(patsubst tool/%.c,$(B)/tool/%.o,$(CMD_SRC)) $(LIBMT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $^ -o $@ $(TOOL_LIBS)

# Static too: the guest tests render a study where it was made.
$(RENDER): $(patsubst tool/%.c,$(B)/tool/%.o,$(RENDER_SRC)) $(LIBMT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $^ -o $@ $(RENDER_LIBS)

-include $(shell find $(B)/tool -name '*.d' 2>/dev/null)

# ---- initramfs -----------------------------------------------------------
initramfs: $(INITRAMFS)

$(INITRAMFS): rootfs/init rootfs/mkinitramfs.sh $(KO) $(TOOL) $(RENDER)
	$(call msg,CPIO,$@)
	$(Q)rootfs/mkinitramfs.sh $@ $(KO) $(GUEST_FILES)

# The guest's archive, then one of the tests (the kernel unpacks both)
$(TEST_INITRAMFS): $(INITRAMFS) rootfs/mkinitramfs.sh $(wildcard tests/vm/*) $(VM_TESTS)
	$(call msg,CPIO,$@)
	$(Q)rootfs/mkinitramfs.sh --only $@.tests $(TEST_FILES) && \
		cat $(INITRAMFS) $@.tests > $@.tmp && rm -f $@.tests && mv $@.tmp $@

# Guest tests in C: static, so that they run in the busybox initramfs; they
# use the tool's /dev/memalloc wrappers.
$(B)/tests/vm-bin/%: tests/vm/%.c tool/dev/device.c $(TOOL_HDR) tests/lib/tap.h tests/lib/sysfs.h \
		module/uapi/memalloc.h | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VM_CFLAGS) $< tool/dev/device.c -o $@ -static -pthread

rebuild:
	$(Q)rm -rf $(KB)/module $(INITRAMFS) $(TEST_INITRAMFS) $(B)/tool $(B)/tests $(VMLINUX_H)
	$(Q)$(MAKE) initramfs

# ---- guest ---------------------------------------------------------------
start: $(INITRAMFS)
	$(Q)$(QEMU)

# RUN_CMD: what make run runs after the demo (bench/boot.sh times the boot
# and demo alone with RUN_CMD=true)
RUN_CMD ?= memtrace zones && memtrace run
run: $(INITRAMFS)
	$(Q)$(QEMU) -c '$(RUN_CMD)'

# The study runs in the guest and sends its JSON over a third serial port;
# the host renders tables and SVG plots from it into build/study/.
STUDY_ARGS ?=
# The full matrix goes to 64 MiB: the module holds at most half of RAM.
study: MEM = 512M
STUDY_OUT ?= $(B)/study
study: $(INITRAMFS)
	$(Q)mkdir -p $(STUDY_OUT)
	$(Q)$(QEMU) -o $(STUDY_OUT)/study.json -c 'memtrace study $(STUDY_ARGS) --json --output /dev/ttyS2'
	$(Q)$(TOOL) study --render $(STUDY_OUT)/study.json --outdir $(STUDY_OUT)

# One study per kernel, each booted as `make study` boots it, into
# STUDY_CMP_OUT/<k>/, then memtrace-render --compare into STUDY_CMP_OUT/compare/:
# A is the first of KERNELS, B the second.
KERNELS ?= 6.1 6.12
STUDY_CMP_OUT ?= $(B)/study
study-compare: $(RENDER)
	$(Q)test $(words $(KERNELS)) -eq 2 || { echo "study-compare: give two kernels," \
		"KERNELS='6.1 6.12' (got '$(KERNELS)')" >&2; exit 2; }
	$(Q)for k in $(KERNELS); do \
		$(MAKE) study KERNEL=$$k STUDY_OUT=$(STUDY_CMP_OUT)/$$k \
			STUDY_ARGS='$(STUDY_ARGS)' || exit; \
	done
	$(Q)$(RENDER) --compare $(KERNELS:%=$(STUDY_CMP_OUT)/%/study.json) \
		--outdir $(STUDY_CMP_OUT)/compare

# The integration test of study-compare: two boots (6.1 and 6.12) of a small
# study that still reaches kvmalloc above 4 MiB (about 30 s), then
# tests/study-compare.sh checks the report.  Its TAP goes to STUDY_CMP_TAP;
# alone it ends with "N passed, N failed".
STUDY_CMP_TEST_OUT := $(B)/tests/study-compare
STUDY_CMP_TEST_ARGS := --quick --kinds kvmalloc --max-size 8M
STUDY_CMP_TAP ?= $(STUDY_CMP_TEST_OUT).tap
study-compare-test: $(RENDER)
	$(Q)rm -rf $(STUDY_CMP_TEST_OUT) && mkdir -p $(STUDY_CMP_TEST_OUT) $(dir $(STUDY_CMP_TAP))
	$(Q)start=$$(date +%s); \
	$(MAKE) study-compare KERNELS='6.1 6.12' STUDY_CMP_OUT=$(STUDY_CMP_TEST_OUT) \
		STUDY_ARGS='$(STUDY_CMP_TEST_ARGS)' > $(STUDY_CMP_TEST_OUT).log 2>&1; \
	rc=$$?; echo "# ---- study-compare: make study-compare exit $$rc after" \
		"$$(( $$(date +%s) - start )) s (its output: $(STUDY_CMP_TEST_OUT).log)" \
		> $(STUDY_CMP_TAP); \
	tests/study-compare.sh $(STUDY_CMP_TEST_OUT) $(RENDER) $$rc >> $(STUDY_CMP_TAP); \
	trc=$$?; cat $(STUDY_CMP_TAP); \
	if [ "$(MAKECMDGOALS)" = study-compare-test ]; then \
		echo "$$(grep -c '^ok ' $(STUDY_CMP_TAP)) passed," \
			"$$(grep -c '^not ok ' $(STUDY_CMP_TAP)) failed"; \
	fi; exit $$trc

vm vmtest: GUEST_CPIO = $(TEST_INITRAMFS)
vm: $(TEST_INITRAMFS)
	$(Q)$(QEMU) -c '$(subst ','"'"',$(CMD))'

# memtrace record over the same workload in the guest; the file comes back
# over a third serial port (raw), and memtrace report reads it on the host:
# tables, and the physical map drawn by memtrace-render.
RECORD_OUT ?= $(B)/record
record: FILES = scripts/top-workload.sh
record: $(INITRAMFS)
	$(Q)mkdir -p $(RECORD_OUT)
	$(Q)$(QEMU) -o $(RECORD_OUT)/workload.mtr -c 'memtrace record -o /tmp/w.mtr -- \
		sh /host/top-workload.sh 6 && stty -F /dev/ttyS2 raw -echo && \
		cat /tmp/w.mtr > /dev/ttyS2 && md5sum /tmp/w.mtr'
	$(Q)md5sum $(RECORD_OUT)/workload.mtr
	$(Q)$(TOOL) report $(RECORD_OUT)/workload.mtr --svg $(RECORD_OUT)

# memtrace top in the guest while a workload runs (scripts/top-workload.sh):
# forks (vmalloc'd kernel stacks), tmpfs writes (page cache), pipes (slab).
TOP_ARGS ?= -i 3 -n 4 --rows 14
top: FILES = scripts/top-workload.sh
top: $(INITRAMFS)
	$(Q)$(QEMU) -c 'memtrace top --table $(TOP_ARGS) 2> /tmp/top.err & \
		until grep -q tracing /tmp/top.err; do sleep 0.2; done; \
		sh /host/top-workload.sh 10; wait'
# ---- bench (not part of make test: it takes minutes) --------------------
# One 1 GiB guest (its initramfs adds perf, bpftrace and their libraries:
# about 240 MB) runs bench/run.sh: the module's alloc+free loops bare and
# under each tracer of its tools table; the host adds the correlation's
# throughput, then the table and build/bench/bench.json (bench/report.sh).
comma := ,
BENCH_OUT   := $(B)/bench
BENCH_INITRAMFS := $(BENCH_OUT)/initramfs.cpio
BENCH_GUEST := $(BENCH_OUT)/bench-loop $(BENCH_OUT)/bench-mt-trace $(BENCH_OUT)/bench-floor
BENCH_ROUNDS ?= 5#		the table this many times over (interleaves each tool's repetitions)
BENCH_REPS  ?= 1#		repetitions of each loop per tool and round
BENCH_PAIRS ?= 200000
BENCH_TOOLS ?=#		only these (names of bench/run.sh's table, bare included); all when empty
BENCH_MEM   ?= 1G
BENCH_CORR_ALLOCS ?= 100,1000
BENCH_BOOT  ?= 5#		make run this many times (each beside a demo and a floor boot), then a warm make rebuild (0: skip)
BENCH_CAP_RATES ?= 25000 50000 100000 200000 400000 max#	capacity: events/s asked of the loop
BENCH_CAP_SMP2 ?= 0#		1: capacity again in a 2-vCPU guest (docs/bench.md: not reliable here)
BENCH_REPORT_EVENTS ?= 1000000#	memtrace report on a generated recording of this many records
BENCH_TIMEOUT ?= 2700#		the bench guest's time limit, seconds (it runs about 20 minutes)
BENCH_SILENCE ?= 300#		and how long its console may be silent, seconds (a hung guest)
BENCH_ICOUNT ?=#		N: QEMU's -icount shift=N, the guest's clock counts instructions
#			(2^N ns each): figures the host's speed cannot move (docs/bench.md)

$(BENCH_OUT)/bench-loop: bench/loop.c bench/pace.h tool/dev/device.c $(TOOL_HDR) module/uapi/memalloc.h | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VM_CFLAGS) $< tool/dev/device.c -o $@ -static

TRACE_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tool/trace/*.c))
$(BENCH_OUT)/bench-mt-trace: bench/mt-trace.c $(TRACE_OBJS) $(LIBMT) $(TOOL_HDR) | deps
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TOOL_CFLAGS) $< $(TRACE_OBJS) $(LIBMT) -o $@ $(TOOL_LIBS)

# bench-floor: what a raw_tp tracer pays before its own work (bench/floor.c)
$(BENCH_OUT)/floor.bpf.o: bench/floor.bpf.c bpf/memtrace.h $(VMLINUX_H) | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_OUT)/floor.skel.h: $(BENCH_OUT)/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BENCH_OUT)/bench-floor: bench/floor.c $(BENCH_OUT)/floor.skel.h $(LIBMT) $(TOOL_HDR) | deps
	$(call msg,LINK,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) -I$(BENCH_OUT) $< $(LIBMT) -o $@ $(TOOL_LIBS)

$(BENCH_OUT)/corr-bench: bench/corr-bench.c $(LIBMT) $(TOOL_HDR) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TOOL_CFLAGS) $< $(LIBMT) -o $@ -lm

$(BENCH_OUT)/report-bench: bench/report-bench.c $(LIBMT) $(TOOL_HDR) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TOOL_CFLAGS) $< $(LIBMT) -o $@ -lm

$(BENCH_INITRAMFS): bench/mkinitramfs.sh bench/run.sh $(INITRAMFS) $(BENCH_GUEST)
	$(Q)$(if $(NO_DEPS),true,scripts/deps.sh linux-perf bpftrace)
	$(call msg,CPIO,$@)
	$(Q)bench/mkinitramfs.sh $@ $(INITRAMFS) bench/run.sh:/bench/run.sh \
		$(foreach f,$(BENCH_GUEST),$(f):/bench/$(notdir $(f)))

bench: $(BENCH_INITRAMFS) $(BENCH_OUT)/corr-bench $(BENCH_OUT)/report-bench $(TOOL)
	$(Q)rm -f $(BENCH_OUT)/guest.txt $(BENCH_OUT)/cap2.txt
	$(Q)echo "host load before: $$(uptime)" > $(BENCH_OUT)/host.txt
	$(Q)rootfs/qemu.sh -k $(KIMAGE) -r $(BENCH_INITRAMFS) -m $(BENCH_MEM) -s 1 -t $(BENCH_TIMEOUT) -w $(BENCH_SILENCE) \
		$(if $(BENCH_ICOUNT),-a "-icount shift=$(BENCH_ICOUNT)$(comma)sleep=on") \
		-o $(BENCH_OUT)/guest.txt -l $(BENCH_OUT)/console.log \
		-c 'sh /bench/run.sh --reps $(BENCH_REPS) --rounds $(BENCH_ROUNDS) --pairs $(BENCH_PAIRS) \
			$(if $(BENCH_ICOUNT),--icount $(BENCH_ICOUNT)) \
			$(if $(BENCH_TOOLS),--tools "$(BENCH_TOOLS)") \
			$(if $(BENCH_CAP_RATES),--cap-rates "$(BENCH_CAP_RATES)") --out /dev/ttyS2' \
		>&2 || { echo "bench: the guest failed (console: $(BENCH_OUT)/console.log)" >&2; exit 1; }
ifeq ($(BENCH_CAP_SMP2)$(if $(BENCH_CAP_RATES),,0),1)
	$(Q)echo "bench: capacity, 2 vCPUs" >&2
	$(Q)rootfs/qemu.sh -k $(KIMAGE) -r $(BENCH_INITRAMFS) -m $(BENCH_MEM) -s 2 -t $(TIMEOUT) \
		-o $(BENCH_OUT)/cap2.txt -l $(BENCH_OUT)/console-cap2.log \
		-c 'sh /bench/run.sh --no-table --cap-rates "$(BENCH_CAP_RATES)" --out /dev/ttyS2' \
		>&2 || { echo "bench: the 2-vCPU guest failed (console: $(BENCH_OUT)/console-cap2.log)" >&2; exit 1; }
endif
	$(Q)echo "host load after: $$(uptime)" >> $(BENCH_OUT)/host.txt
	$(Q)$(BENCH_OUT)/corr-bench --allocs $(BENCH_CORR_ALLOCS) > $(BENCH_OUT)/corr.txt
	$(Q)$(BENCH_OUT)/report-bench --memtrace $(TOOL) --events $(BENCH_REPORT_EVENTS) \
		--file $(BENCH_OUT)/report-bench.mtr > $(BENCH_OUT)/report.txt
	$(Q)rm -f $(BENCH_OUT)/boot.txt
ifneq ($(BENCH_BOOT),0)
	$(Q)echo "bench: make run x $(BENCH_BOOT) (each beside a demo and a floor boot), then make rebuild" >&2
	$(Q)bench/boot.sh $(BENCH_BOOT) NO_DEPS=1 KERNEL=$(KERNEL) BUILD=$(BUILD) > $(BENCH_OUT)/boot.txt
endif
	$(Q)bench/report.sh $(BENCH_OUT)

# ---- tests ---------------------------------------------------------------
$(B)/tests/unit/obj/%.o: tool/%.c $(TOOL_HDR) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

$(UNIT_LIB): $(patsubst tool/%.c,$(B)/tests/unit/obj/%.o,$(LIB_SRC))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/tests/unit/%: tests/unit/%.c $(UNIT_RENDER) $(UNIT_LIB) $(TOOL_HDR) tests/lib/tap.h | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) $< $(UNIT_RENDER) $(UNIT_LIB) -o $@ -ljson-c -lm

# The tracer's loaders include the BPF skeletons
$(UNIT_TOOL_OBJ): $(BPF_SKELS)

$(UNIT_TOOL): $(UNIT_TOOL_OBJ) $(UNIT_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(UNIT_CFLAGS) $^ -o $@ -lbpf -lelf -lz -lzstd -lm

$(UNIT_RENDER_BIN): $(patsubst tool/%.c,$(B)/tests/unit/obj/%.o,$(RENDER_SRC)) $(UNIT_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(UNIT_CFLAGS) $^ -o $@ -ljson-c -lm

# test_cli runs them: argv[1] and argv[2], or these, or the ones beside it
$(B)/tests/unit/test_cli: $(UNIT_TOOL) $(UNIT_RENDER_BIN)
check: export MEMTRACE_ASAN := $(UNIT_TOOL)
check: export MEMTRACE_RENDER_ASAN := $(UNIT_RENDER_BIN)

# `make check` alone ends with the count of its results ("N passed, N
# failed"); under `make test` the summary at the end counts everything.
CHECK_ALONE := $(if $(filter-out check,$(MAKECMDGOALS)),,$(filter check,$(MAKECMDGOALS)))

check: export MEMTRACE_MAKE := $(MAKE) -C $(TOP) BUILD=$(B) NO_DEPS=1
check: export MEMTRACE_BUILD := $(B)
check: $(UNIT_TESTS) $(B)/kernel/6.12/version $(B)/kernel/6.1/version
	$(Q)rm -f $(TESTLOG)/unit-*.tap
	$(Q)tests/run-unit.sh $(TESTLOG) $(UNIT_TESTS) $(HOST_TESTS); rc=$$?; \
	if [ -n "$(CHECK_ALONE)" ]; then \
		p=$$(cat $(TESTLOG)/unit-*.tap | grep -c '^ok '); \
		f=$$(cat $(TESTLOG)/unit-*.tap | grep -c '^not ok '); \
		echo "$$p passed, $$f failed"; \
	fi; exit $$rc

vmtest: $(TEST_INITRAMFS)
	$(Q)tests/run-vm.sh $(TESTLOG) "$(QEMU)"

# The study across kernels boots 6.1 and 6.12 whatever KERNEL is: it runs
# in the default kernel's `make test`.  Its log says "never ran" until it does.
TEST_STUDY_CMP := $(if $(filter 6.12,$(KERNEL)),study-compare-test)

test:
	$(Q)rm -rf $(TESTLOG)
	$(Q)$(if $(TEST_STUDY_CMP),mkdir -p $(TESTLOG) && \
		echo "not ok - study-compare-test: never ran" > $(TESTLOG)/study-compare.tap)
	$(Q)$(MAKE) -k check vmtest $(TEST_STUDY_CMP) STUDY_CMP_TAP=$(TESTLOG)/study-compare.tap; \
		rc=$$?; tests/summary.sh $(TESTLOG); s=$$?; [ $$rc = 0 ] && exit $$s || exit $$rc

# ---- install -------------------------------------------------------------
# The module for the machine memtrace is installed on: KDIR if given, else
# the running kernel's tree; built in a folder per kernel release.
PREFIX      ?= /usr/local
DESTDIR     ?=
INSTALL_KDIR := $(if $(KDIR_GIVEN),$(KDIR),/lib/modules/$(shell uname -r)/build)
# What vermagic holds (Debian's include/config/kernel.release may be shorter)
INSTALL_REL  = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(INSTALL_KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_MOD  = $(B)/install/$(INSTALL_REL)/module
MAN1        := $(B)/man/memtrace.1

# From --help and --version, and the sections of tool/memtrace.h2m
$(MAN1): $(TOOL) tool/memtrace.h2m | deps
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)help2man -N -s 1 -n "see where the kernel puts memory and what each allocator costs" \
		-i tool/memtrace.h2m -o $@ $(TOOL)

install-module: | deps
	$(Q)test -n "$(INSTALL_REL)" || { echo "install: no kernel build tree at" \
		"'$(INSTALL_KDIR)' (give KDIR=, or install the headers of $$(uname -r))" >&2; exit 1; }
	$(call msg,MODULE,$(INSTALL_MOD) ($(INSTALL_REL)))
	$(Q)mkdir -p $(INSTALL_MOD)/uapi
	$(Q)cp module/Kbuild module/*.c module/*.h $(INSTALL_MOD)/
	$(Q)cp module/uapi/*.h $(INSTALL_MOD)/uapi/
	$(Q)$(MAKE) -C $(INSTALL_KDIR) M=$(INSTALL_MOD) modules >$(INSTALL_MOD)/build.log 2>&1 || \
		{ cat $(INSTALL_MOD)/build.log >&2; exit 1; }
	$(call msg,INSTALL,$(DESTDIR)/lib/modules/$(INSTALL_REL)/)
	$(Q)$(MAKE) -C $(INSTALL_KDIR) M=$(INSTALL_MOD) INSTALL_MOD_PATH=$(DESTDIR) \
		modules_install >>$(INSTALL_MOD)/build.log 2>&1 || \
		{ cat $(INSTALL_MOD)/build.log >&2; exit 1; }

install: $(TOOL) $(RENDER) $(MAN1) install-module
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/memtrace
	$(Q)install -D -m 0755 $(RENDER) $(DESTDIR)$(PREFIX)/bin/memtrace-render
	$(Q)install -D -m 0644 module/uapi/memalloc.h $(DESTDIR)$(PREFIX)/include/memalloc.h
	$(Q)install -D -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/memtrace.1

uninstall:
	$(call msg,REMOVE,$(DESTDIR)$(PREFIX) and memalloc.ko of $(or $(INSTALL_REL),?))
	$(Q)rm -f $(DESTDIR)$(PREFIX)/bin/memtrace $(DESTDIR)$(PREFIX)/bin/memtrace-render \
		$(DESTDIR)$(PREFIX)/include/memalloc.h $(DESTDIR)$(PREFIX)/share/man/man1/memtrace.1
	$(Q)$(if $(INSTALL_REL),rm -f $(DESTDIR)/lib/modules/$(INSTALL_REL)/*/memalloc.ko*)
	$(Q)$(if $(and $(INSTALL_REL),$(if $(DESTDIR),,y)),depmod -a $(INSTALL_REL) || true)

# ---- cleaning ------------------------------------------------------------
clean:
	$(Q)rm -rf $(B)/6.12* $(B)/6.1* $(B)/host $(B)/custom $(B)/tool $(B)/tests \
		$(B)/include $(B)/bpf $(B)/study $(B)/install $(B)/man $(B)/gen

distclean:
	$(Q)rm -rf $(B)
