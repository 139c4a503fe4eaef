# Linux fidelity (issues 6 and 13): boot Debian's real 6.1 and 6.12 kernels under QEMU TCG on
# many CPU models, read what each made of itself, and compare every alternatives/paravirt site
# with eptool's patching of the same vmlinux from (a) the kernel's own words, (b) earlypatch's
# CPUID dump of that model alone, (c) the /proc/cpuinfo that kernel showed; and compare the
# words and return thunk derived from the dump (core/linux/lcaps.c) with the kernel's.
#
#   make check-linux    opt-in (downloads ~700 MB once into tests/linux/cache, boots
#                       13 models x 2 kernels, 2 at a time); NOT part of `make test`.
#   LINUX_MODELS="qemu64"  LINUX_MODELS=all  LINUX_SERIES="6.1"  choose the runs;
#   LINUX_REUSE_BOOTS=1  LINUX_SAVE_TRUTH=1  see tests/linux/check.sh.
#
# Booting stock kernels through earlypatch (issue 12):
#
#   make check-linux-boot  opt-in: for each series and model, boot the kernel alone (QEMU
#                       -kernel on OVMF) and through earlypatch, in parallel, and compare every
#                       alternatives/paravirt site of the two booted kernels (read through QEMU's
#                       gdb stub) byte for byte; prints the pre-patched groups by reason
#                       (tests/linux/boot_compare.sh). Same LINUX_SERIES / LINUX_MODELS.
#   make run-linux [LINUX=6.1|6.12]  boot Debian's cloud kernel through earlypatch to the
#                       initramfs report (scripts/run-linux.sh, docs/linux.md).

LINUX_TOOLS_DIR := $(HOST_DIR)/linux
LINUX_COMPARE   := $(LINUX_TOOLS_DIR)/linux_compare
LINUX_CPUCMP    := $(LINUX_TOOLS_DIR)/linux_cpucmp
LINUX_SERIES    ?= 6.1 6.12

$(LINUX_COMPARE): tests/linux/linux_compare.c tools/eptool_patch_common.c tools/eptool_util.c \
		  $(wildcard tools/*.h) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -iquote tools $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

$(LINUX_CPUCMP): tests/linux/linux_cpucmp.c tools/eptool_util.c $(wildcard tools/*.h) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -iquote tools $(filter %.c,$^) $(LIBCORE_HOST) -o $@

.PHONY: check-linux
# Linux-exact facts (issue 13): the words and return thunk Debian's kernels derived on QEMU
# models (tests/data/linux, recorded by LINUX_SAVE_TRUTH=1 make check-linux) against what
# core/linux/lcaps.c derives from the CPUID dump alone. No kernel needed: part of make test.
.PHONY: linux-caps-replay
linux-caps-replay: $(LINUX_CPUCMP)
	@sh tests/linux/caps_replay.sh $(LINUX_CPUCMP)

TEST_EXTRA += linux-caps-replay

check-linux: $(EPTOOL) $(LINUX_COMPARE) $(LINUX_CPUCMP)
	sh tests/linux/check.sh $(BUILD) $(EPTOOL) $(LINUX_COMPARE) $(LINUX_CPUCMP) $(LINUX_SERIES)

.PHONY: check-linux-boot
check-linux-boot: deps $(EPTOOL) $(EFI_APP)
	bash tests/linux/boot_compare.sh $(BUILD) $(EFI_APP) $(EPTOOL) $(LINUX_SERIES)

LINUX ?= 6.12
.PHONY: run-linux
run-linux: deps all
	@LINUX=$(LINUX) BUILD=$(BUILD) scripts/run-linux.sh
