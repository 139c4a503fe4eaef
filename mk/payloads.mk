# Payload fixtures and the malformed-payload corpus (also the ELF fuzz seeds, mk/fuzz.mk).
#
# Every tests/payloads/NAME.S and NAME.c becomes three payloads, built with the
# include/earlypatch macros and linked with include/earlypatch/payload.lds:
#   $(PAYLOAD_DIR)/NAME.elf         ET_EXEC at 0x1000000, $(PAYLOAD_CC)
#   $(PAYLOAD_DIR)/NAME-pie.elf     static PIE linked at 0, $(PAYLOAD_CC)
#   $(PAYLOAD_DIR)/NAME-clang.elf   ET_EXEC built by clang's integrated assembler
# The clang variant checks that the nested-alternative tricks assemble the
# same way with both assemblers.

PAYLOAD_DIR    := $(BUILD)/payloads
PAYLOAD_CC     ?= gcc
PAYLOAD_CLANG  ?= $(CLANG)
PAYLOAD_LDS    := include/earlypatch/payload.lds
PAYLOAD_HDRS   := $(wildcard include/earlypatch/*.h) $(PAYLOAD_LDS)

# No red zone: inline-asm calls push onto the stack below the frame.
PAYLOAD_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -ffreestanding -fno-builtin -fno-stack-protector \
                  -mno-red-zone -fno-asynchronous-unwind-tables -fcf-protection=none -Iinclude \
                  -Wa,--noexecstack
PAYLOAD_LDFLAGS := -nostdlib -static -Wl,-T,$(PAYLOAD_LDS) -Wl,--build-id=none
PAYLOAD_EXEC_FLAGS := -fno-pie -Wl,-no-pie
PAYLOAD_PIE_FLAGS  := -fpie -static-pie -Wl,-Ttext-segment=0

PAYLOAD_SRCS  := $(sort $(wildcard tests/payloads/*.S tests/payloads/*.c))
PAYLOAD_NAMES := $(basename $(notdir $(PAYLOAD_SRCS)))
PAYLOAD_ELFS  := $(foreach n,$(PAYLOAD_NAMES),$(PAYLOAD_DIR)/$(n).elf $(PAYLOAD_DIR)/$(n)-pie.elf \
                   $(PAYLOAD_DIR)/$(n)-clang.elf)

# $(1) = output, $(2) = source, $(3) = compiler, $(4) = variant flags
define payload_rule
$(1): $(2) $(PAYLOAD_HDRS)
	@mkdir -p $$(@D)
	$(3) $(PAYLOAD_CFLAGS) $(4) $(PAYLOAD_LDFLAGS) $$< -o $$@
endef

$(foreach s,$(PAYLOAD_SRCS),$(eval $(call payload_rule,$(PAYLOAD_DIR)/$(basename $(notdir $(s))).elf,$(s),$(PAYLOAD_CC),$(PAYLOAD_EXEC_FLAGS))))
$(foreach s,$(PAYLOAD_SRCS),$(eval $(call payload_rule,$(PAYLOAD_DIR)/$(basename $(notdir $(s)))-pie.elf,$(s),$(PAYLOAD_CC),$(PAYLOAD_PIE_FLAGS))))
$(foreach s,$(PAYLOAD_SRCS),$(eval $(call payload_rule,$(PAYLOAD_DIR)/$(basename $(notdir $(s)))-clang.elf,$(s),$(PAYLOAD_CLANG),$(PAYLOAD_EXEC_FLAGS))))

.PHONY: payloads
payloads: $(PAYLOAD_ELFS)
ALL_TARGETS += $(PAYLOAD_ELFS)

# test_elf reads the fixtures.
$(HOST_DIR)/tests/test_elf: $(PAYLOAD_ELFS)
$(HOST_DIR)/tests/test_elf: HOSTPROG_FLAGS += -DPAYLOAD_DIR='"$(abspath $(PAYLOAD_DIR))"'

# --- Malformed corpus: generated from good fixtures, never committed. ---
MALFORMED_DIR   := $(BUILD)/malformed
MALFORMED_GEN   := $(HOST_DIR)/gen_malformed
MALFORMED_CHECK := $(HOST_DIR)/tests/check_malformed
MALFORMED_BASES := $(PAYLOAD_DIR)/abi_asm.elf $(PAYLOAD_DIR)/abi_asm-pie.elf

$(MALFORMED_GEN): tests/malformed/gen_malformed.c $(wildcard tests/malformed/*.h)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -Itests/malformed $< -o $@

$(MALFORMED_DIR)/manifest.txt: $(MALFORMED_GEN) $(MALFORMED_BASES)
	@rm -rf $(MALFORMED_DIR) && mkdir -p $(MALFORMED_DIR)
	$(MALFORMED_GEN) $(MALFORMED_BASES) $(MALFORMED_DIR)

$(MALFORMED_CHECK): tests/malformed/check_malformed.c $(wildcard tests/malformed/*.h) $(LIBCORE_HOST) \
                    $(MALFORMED_DIR)/manifest.txt
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -Itests/malformed -DMALFORMED_DIR='"$(abspath $(MALFORMED_DIR))"' \
	   $< $(LIBCORE_HOST) -lcmocka -o $@

UNIT_TESTS  += $(MALFORMED_CHECK)
ALL_TARGETS += $(MALFORMED_CHECK)

# --- libFuzzer: fuzz-elf (these payloads and the malformed corpus as seeds) is in mk/fuzz.mk. ---
