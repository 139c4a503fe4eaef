# Linux payloads in `make test`.
# The fake Linux kernel of the QEMU cases (tests/linux/fakekernel/): a tiny vmlinux-shaped ELF that
# checks the 64-bit boot protocol's entry state and reports what earlypatch pre-patched, plus the
# inputs of the bad-input cases (setup headers with small limits, an initrd).
FAKELINUX_DIR   := $(BUILD)/linux
FAKELINUX_SRC   := tests/linux/fakekernel/fakekernel.c
FAKELINUX_LDS   := tests/linux/fakekernel/fake.lds
FAKELINUX_SETUP := tests/linux/fakekernel/mksetup.py
# Position-independent code: it runs on the firmware's identity map, not at its link address.
FAKELINUX_FLAGS := -std=gnu11 -O2 -Wall -Wextra -ffreestanding -fno-builtin -fno-stack-protector -mno-red-zone \
                   -fpie -fvisibility=hidden -fno-asynchronous-unwind-tables -fcf-protection=none -Iinclude \
                   -nostdlib -static -no-pie -Wl,-T,$(FAKELINUX_LDS) -Wl,--build-id=none -Wa,--noexecstack

FAKELINUX_OUT := $(FAKELINUX_DIR)/fakekernel.elf $(FAKELINUX_DIR)/fakekernel-6.6.elf $(FAKELINUX_DIR)/fakekernel-5.10.elf \
                 $(FAKELINUX_DIR)/fake-initrd.cpio $(FAKELINUX_DIR)/setup-cmdline16.bin \
                 $(FAKELINUX_DIR)/setup-initrd-low.bin

$(FAKELINUX_DIR)/fakekernel.elf: $(FAKELINUX_SRC) $(FAKELINUX_LDS) $(PAYLOAD_HDRS)
	@mkdir -p $(@D)
	$(PAYLOAD_CC) $(FAKELINUX_FLAGS) $< -o $@

# Other versions: 6.6 has no pre-patch table (stage 2 off, the boot goes on); 5.10's banner means
# 12-byte table entries, which these 14-byte ones do not fit (a named error).
$(FAKELINUX_DIR)/fakekernel-%.elf: $(FAKELINUX_SRC) $(FAKELINUX_LDS) $(PAYLOAD_HDRS)
	@mkdir -p $(@D)
	$(PAYLOAD_CC) $(FAKELINUX_FLAGS) -DFAKE_VERSION='"$*.0-fake"' $< -o $@

# The start of a newc cpio archive is all the fake kernel checks.
$(FAKELINUX_DIR)/fake-initrd.cpio:
	@mkdir -p $(@D)
	printf '070701%s' 00000000000000000000000000000000 >$@

$(FAKELINUX_DIR)/setup-cmdline16.bin: $(FAKELINUX_SETUP)
	@mkdir -p $(@D)
	$(PYTHON) $(FAKELINUX_SETUP) $@ --cmdline-size 16

$(FAKELINUX_DIR)/setup-initrd-low.bin: $(FAKELINUX_SETUP)
	@mkdir -p $(@D)
	$(PYTHON) $(FAKELINUX_SETUP) $@ --initrd-max 0xfff --no-above-4g

ALL_TARGETS += $(FAKELINUX_OUT)

# In `make test`: the bzImage unpacker on synthetic kernels (fast, no download), then Debian's
# 6.12 cloud kernel booted through earlypatch to the initramfs report (tests/linux/boot_test.sh;
# the kernel is fetched once into a cache outside the repo, about 27 MB).
.PHONY: bzimage-test initramfs-test linux-boot-test
bzimage-test:
	@bash tests/linux/bzimage_test.sh

# images/initramfs.sh's applet check against a stand-in busybox (no download, no QEMU).
initramfs-test:
	@bash tests/linux/initramfs_test.sh

linux-boot-test: $(ALL_TARGETS)
	@bash tests/linux/boot_test.sh $(BUILD)

TEST_EXTRA += bzimage-test initramfs-test linux-boot-test
