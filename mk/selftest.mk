# The self-checking payload (tests/payloads/selftest): several sources, one ELF,
# built with the payload flags from mk/payloads.mk. `make run` boots it by default.

SELFTEST_SRCS := $(sort $(wildcard tests/payloads/selftest/*.c tests/payloads/selftest/*.S))
SELFTEST_ELF  := $(PAYLOAD_DIR)/selftest.elf
SELFTEST_PIE  := $(PAYLOAD_DIR)/selftest-pie.elf
# OVMF (256 MiB guest) keeps 16 MiB for itself; 64 MiB is free at the time the app runs.
SELFTEST_LINK ?= 0x4000000

$(SELFTEST_ELF): $(SELFTEST_SRCS) $(wildcard tests/payloads/selftest/*.h) $(PAYLOAD_HDRS)
	@mkdir -p $(@D)
	$(PAYLOAD_CC) $(PAYLOAD_CFLAGS) -Itests/payloads/selftest $(PAYLOAD_EXEC_FLAGS) $(PAYLOAD_LDFLAGS) -Wl,-Ttext-segment=$(SELFTEST_LINK) $(SELFTEST_SRCS) -o $@

$(SELFTEST_PIE): $(SELFTEST_SRCS) $(wildcard tests/payloads/selftest/*.h) $(PAYLOAD_HDRS)
	@mkdir -p $(@D)
	$(PAYLOAD_CC) $(PAYLOAD_CFLAGS) -Itests/payloads/selftest $(PAYLOAD_PIE_FLAGS) $(PAYLOAD_LDFLAGS) $(SELFTEST_SRCS) -o $@

ALL_TARGETS += $(SELFTEST_ELF) $(SELFTEST_PIE)

# eptool-check also patches the selftest (stage 1: hypercall sites).
test-patch-eptool: $(SELFTEST_ELF)
