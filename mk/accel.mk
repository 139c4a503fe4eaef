# The accelerator choice: ACCEL=auto|kvm|tcg (default auto), decided only by scripts/accel.sh,
# which every QEMU script asks. `auto` runs the probe below under KVM once per build and uses TCG
# unless it passes. docs/testing.md explains the probe and which cases hold only under TCG.
#
#   make test-accel     (part of `make test`) the probe under TCG, the decision with fake QEMUs,
#                       the callers failing fast, and this host's real verdict
#   make accel-check    print the verdict (fails when ACCEL=kvm cannot be honoured)

ACCEL ?= auto
export ACCEL

# scripts/accel.sh expects the image at $(BUILD)/accel-probe/probe.bin.
ACCEL_PROBE_DIR := $(BUILD)/accel-probe
ACCEL_PROBE     := $(ACCEL_PROBE_DIR)/probe.bin
# Variants with SSE (CR4.OSFXSR) or the x87 (CR0.EM) left disabled: they must not pass.
ACCEL_PROBE_BROKEN := $(ACCEL_PROBE_DIR)/probe-break-sse.bin $(ACCEL_PROBE_DIR)/probe-break-x87.bin

# GNU as only: the image has no relocations, so no linker; objcopy keeps the 64 KiB of .text.
$(ACCEL_PROBE_DIR)/probe.o: scripts/accel-probe/probe.S
	@mkdir -p $(@D)
	as --64 $< -o $@

$(ACCEL_PROBE_DIR)/probe-break-%.o: scripts/accel-probe/probe.S
	@mkdir -p $(@D)
	as --64 --defsym BREAK_$(shell echo $* | tr a-z A-Z)=1 $< -o $@

$(ACCEL_PROBE_DIR)/%.bin: $(ACCEL_PROBE_DIR)/%.o
	objcopy -O binary -j .text $< $@
# Kept: make would delete these intermediates at its very end, after the tests' closing line.
.SECONDARY: $(ACCEL_PROBE_DIR)/probe.o $(ACCEL_PROBE_BROKEN:.bin=.o)

ALL_TARGETS += $(ACCEL_PROBE)

.PHONY: accel-check test-accel
accel-check: $(ACCEL_PROBE) | deps
	@scripts/accel.sh >/dev/null

# `make test` asks first, so ACCEL=kvm on a host whose KVM cannot run guests fails in seconds.
test: accel-check

test-accel: $(ACCEL_PROBE) $(ACCEL_PROBE_BROKEN) $(EFI_APP) $(EPTOOL)
	@BUILD=$(BUILD) tests/accel/run.sh

TEST_EXTRA += test-accel
