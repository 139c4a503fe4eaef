# libFuzzer targets over the parsers of untrusted text: earlypatch.conf and CPUID dumps / facts.
# `make fuzz` runs each for FUZZ_SECONDS (default 60). Built with clang, ASan + UBSan, core/ compiled in.

FUZZ_SECONDS ?= 60
FUZZ_CORE_DIR := $(BUILD)/fuzz-core
FUZZ_CORE_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                   -Iinclude -iquote core

$(FUZZ_CORE_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRCS) $(wildcard core/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CORE_FLAGS) $< $(CORE_SRCS) -o $@

.PHONY: fuzz-config fuzz-facts
fuzz-config: $(FUZZ_CORE_DIR)/fuzz_config
	@mkdir -p $(FUZZ_CORE_DIR)/corpus-config
	cp -n tests/qemu/cases/*.conf images/run.conf $(FUZZ_CORE_DIR)/corpus-config/ 2>/dev/null || true
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(FUZZ_CORE_DIR)/corpus-config

fuzz-facts: $(FUZZ_CORE_DIR)/fuzz_facts
	@mkdir -p $(FUZZ_CORE_DIR)/corpus-facts
	cp -n tests/data/cpuid/*.dump $(FUZZ_CORE_DIR)/corpus-facts/ 2>/dev/null || true
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=16384 $(FUZZ_CORE_DIR)/corpus-facts

FUZZ_TARGETS += fuzz-config fuzz-facts
