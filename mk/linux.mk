# Linux fidelity (issue 6): patch Debian's real 6.1 and 6.12 vmlinux with eptool and
# compare every alternatives/paravirt site with what the kernel wrote into itself at boot
# under QEMU TCG; compare CPU detection with the kernel's capability words.
#
#   make check-linux    opt-in (downloads ~700 MB once into tests/linux/cache, boots
#                       6 kernels); NOT part of `make test`.
#   LINUX_MODELS="qemu64"  LINUX_SERIES="6.1"  narrow the run.
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
check-linux: $(EPTOOL) $(LINUX_COMPARE) $(LINUX_CPUCMP)
	sh tests/linux/check.sh $(BUILD) $(EPTOOL) $(LINUX_COMPARE) $(LINUX_CPUCMP) $(LINUX_SERIES)

.PHONY: check-linux-boot
check-linux-boot: deps $(EPTOOL) $(EFI_APP)
	bash tests/linux/boot_compare.sh $(BUILD) $(EFI_APP) $(EPTOOL) $(LINUX_SERIES)

LINUX ?= 6.12
.PHONY: run-linux
run-linux: deps all
	@LINUX=$(LINUX) BUILD=$(BUILD) scripts/run-linux.sh
