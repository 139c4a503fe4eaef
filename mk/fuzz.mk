# Fuzzing: every libFuzzer target's build and run settings, in one place, and the replay
# of saved inputs (docs/development.md, "Fuzzing").
#
#   make fuzz [FUZZ_SECONDS=60]  every target in FUZZ_TARGETS, FUZZ_SECONDS each
#   make fuzz-NAME               one: config facts elf patch engine stages views insn linux measure lcaps pack
#   make fuzz-replay             every input kept under tests/fuzz/fuzz_NAME/, built with gcc +
#                                ASan/UBSan and tests/fuzz/replay_main.c, no libFuzzer (part of `make test`)
#
# A target is tests/fuzz/fuzz_NAME.c, built by clang with libFuzzer and the sanitizers into
# $(FUZZ_DIR)/fuzz_NAME together with a sanitized core/ (one archive, built once). A run grows
# $(FUZZ_DIR)/corpus/fuzz_NAME/, also reads tests/fuzz/fuzz_NAME/ (found inputs, kept in git) and
# writes crashes to $(FUZZ_DIR)/artifacts/fuzz_NAME/. Keep a finding by copying its artifact to
# tests/fuzz/fuzz_NAME/<what-it-shows>.bin: fuzz-replay then runs it on every `make test`.
# A target that needs more than core/ names it in FUZZ_EXTRA_NAME (sources) and FUZZ_LIBS_NAME.

FUZZ_SECONDS   ?= 60
# $$(...) in prerequisites: per-target extras, and seeds defined by fragments read later.
.SECONDEXPANSION:
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all
# core/ with -iquote: core/cpu/features.h must not shadow glibc's <features.h>.
FUZZ_CFLAGS    := -g -O1 -std=gnu11 -Iinclude -iquote core
FUZZ_CORE_HDRS := $(CORE_HDRS) $(wildcard include/earlypatch/*.h)
FUZZ_HDRS      := $(FUZZ_CORE_HDRS) $(wildcard tests/fuzz/*.h)
FUZZ_RUN_FLAGS  = -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1
FUZZ_NAMES     := config facts elf patch engine stages views insn linux measure lcaps pack
# The decoder's target is a differential against Zydis.
FUZZ_EXTRA_insn := tests/differential/zydis_compare.c
FUZZ_LIBS_insn  := -lZydis
FUZZ_INC        := -iquote tests/differential

# core/ once per flavour: for libFuzzer (clang) and for the replay (gcc).
FUZZ_CORE_LIB   := $(FUZZ_DIR)/libcore-fuzz.a
FUZZ_CORE_OBJS  := $(patsubst core/%.c,$(FUZZ_DIR)/core/%.o,$(CORE_SRCS))
REPLAY_DIR      := $(FUZZ_DIR)/replay
REPLAY_CORE_LIB := $(REPLAY_DIR)/libcore-replay.a
REPLAY_CORE_OBJS := $(patsubst core/%.c,$(REPLAY_DIR)/core/%.o,$(CORE_SRCS))

$(FUZZ_DIR)/core/%.o: core/%.c $(FUZZ_CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_EXTRA_$$*) $(FUZZ_CORE_LIB) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_INC) -fsanitize=fuzzer $(FUZZ_SAN) $< $(FUZZ_EXTRA_$*) $(FUZZ_CORE_LIB) \
		$(FUZZ_LIBS_$*) -o $@

# $(call fuzz_run,NAME,extra libFuzzer flags)
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_$(1) $(FUZZ_DIR)/artifacts/fuzz_$(1)
	$(FUZZ_DIR)/fuzz_$(1) $(FUZZ_RUN_FLAGS) $(2) -artifact_prefix=$(FUZZ_DIR)/artifacts/fuzz_$(1)/ \
		$(FUZZ_DIR)/corpus/fuzz_$(1) $(wildcard tests/fuzz/fuzz_$(1))
endef

# Seeds are built by mk/payloads.mk and mk/patch.mk, which are read after this file.

.PHONY: $(addprefix fuzz-,$(FUZZ_NAMES)) fuzz-replay

# Text parsers: earlypatch.conf, CPUID dumps / facts.
fuzz-config: $(FUZZ_DIR)/fuzz_config
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_config
	$(PYTHON) images/matrix/matrix.py --matrix images/cases.txt --matrix images/matrix.txt --out $(FUZZ_DIR)/corpus/fuzz_config configs && { cp -n images/run.conf $(FUZZ_DIR)/corpus/fuzz_config/ 2>/dev/null || true; }
	$(call fuzz_run,config,-max_len=4096)

fuzz-facts: $(FUZZ_DIR)/fuzz_facts
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_facts
	cp -n tests/data/cpuid/*.dump $(FUZZ_DIR)/corpus/fuzz_facts/ 2>/dev/null || true
	$(call fuzz_run,facts,-max_len=16384)

# ELF loader on mutated payloads and the malformed corpus.
fuzz-elf: $(FUZZ_DIR)/fuzz_elf $$(PAYLOAD_ELFS) $$(MALFORMED_DIR)/manifest.txt
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_elf
	cp $(PAYLOAD_ELFS) $(MALFORMED_DIR)/*.elf $(FUZZ_DIR)/corpus/fuzz_elf/
	$(call fuzz_run,elf,-max_len=65536)

# Engine on mutated payload files and on synthetic in-memory images.
fuzz-patch: $(FUZZ_DIR)/fuzz_patch $$(PATCH_FIXTURES) $$(PAYLOAD_ELFS)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_patch
	cp $(PATCH_FIXTURES) $(filter $(PAYLOAD_DIR)/abi_%,$(PAYLOAD_ELFS)) $(FUZZ_DIR)/corpus/fuzz_patch/
	$(call fuzz_run,patch,-max_len=65536)

# Structure-aware: the input is a program that generates the payload ELF (tests/fuzz/gen_elf.h).
fuzz-engine: $(FUZZ_DIR)/fuzz_engine
	$(call fuzz_run,engine,-max_len=1024)

fuzz-stages: $(FUZZ_DIR)/fuzz_stages
	$(call fuzz_run,stages,-max_len=1024)

fuzz-views: $(FUZZ_DIR)/fuzz_views
	$(call fuzz_run,views,-max_len=1024)

# Linux payloads (core/linux/): vmlinux reading, pre-patching, the zero page; seeded with the
# fake kernels of the QEMU cases (mk/linuxboot.mk), each behind a 3-byte mode/cmdline header.
fuzz-linux: $(FUZZ_DIR)/fuzz_linux $$(FAKELINUX_OUT)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_linux
	for f in $(filter %.elf,$(FAKELINUX_OUT)); do printf '\000\000\000' | cat - $$f >$(FUZZ_DIR)/corpus/fuzz_linux/$$(basename $$f); done
	$(call fuzz_run,linux,-max_len=65536)

# Measured boot's parsers: TPM2_PCR_Read responses and TCG2 event logs, seeded with the real
# OVMF + swtpm event log of tests/data/tpm/ (even first byte: event log; odd: PCR_Read response).
# Linux's words (core/linux/lcaps*.c) from dumps and /proc/cpuinfo texts, each behind a
# [mode][cmdline length] header (mode 0/1: a dump for 6.1/6.12; 2/3: cpuinfo).
fuzz-lcaps: $(FUZZ_DIR)/fuzz_lcaps
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_lcaps
	for f in tests/data/cpuid/qemu-*.dump; do printf '\001\000' | cat - $$f >$(FUZZ_DIR)/corpus/fuzz_lcaps/$$(basename $$f); done
	$(call fuzz_run,lcaps,-max_len=16384)

fuzz-measure: $(FUZZ_DIR)/fuzz_measure
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_measure
	for f in tests/data/tpm/*.bin; do [ -f "$$f" ] && printf '\000' | cat - $$f >$(FUZZ_DIR)/corpus/fuzz_measure/$$(basename $$f); done; true
	$(call fuzz_run,measure,-max_len=65536)

# The packed image's decoders (core/pack): first byte 0/1 raw DEFLATE, 2 gzip, 3 PE32+; seeded with
# tests/data/pack's vectors and the real packed application (PACK=1 builds it).
fuzz-pack: $(FUZZ_DIR)/fuzz_pack $$(EFI_PACKED_GZ) $$(EFI_UNPACKED)
	@mkdir -p $(FUZZ_DIR)/corpus/fuzz_pack
	printf '\002' | cat - $(EFI_PACKED_GZ) >$(FUZZ_DIR)/corpus/fuzz_pack/app.gz
	printf '\003' | cat - $(EFI_UNPACKED) >$(FUZZ_DIR)/corpus/fuzz_pack/app.efi
	$(call fuzz_run,pack,-max_len=262144)

# The decoder against Zydis on short byte strings.
fuzz-insn: $(FUZZ_DIR)/fuzz_insn
	$(call fuzz_run,insn,-max_len=32)

FUZZ_TARGETS += $(addprefix fuzz-,$(FUZZ_NAMES))

# --- Replay: gcc, ASan + UBSan without recovery, each input in its own process. ---
# The targets with kept inputs: every tests/fuzz/fuzz_NAME/ that holds a file.
REPLAY_NAMES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tests/fuzz/fuzz_*/*)))))

$(REPLAY_DIR)/core/%.o: core/%.c $(FUZZ_CORE_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -c $< -o $@

$(REPLAY_CORE_LIB): $(REPLAY_CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(REPLAY_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_EXTRA_$$*) tests/fuzz/replay_main.c $(REPLAY_CORE_LIB) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(FUZZ_CFLAGS) $(FUZZ_INC) $(FUZZ_SAN) $< $(FUZZ_EXTRA_$*) tests/fuzz/replay_main.c $(REPLAY_CORE_LIB) \
		$(FUZZ_LIBS_$*) -o $@

# One line per target, then the closing "fuzz-replay: N passed, M failed". Sanitizer reports and
# invariant messages of failing inputs go to $(REPLAY_DIR)/NAME.log.
fuzz-replay: $(addprefix $(REPLAY_DIR)/,$(REPLAY_NAMES))
	@pass=0; fail=0; for t in $(REPLAY_NAMES); do \
		out=$$($(REPLAY_DIR)/$$t $$t tests/fuzz/$$t 2>$(REPLAY_DIR)/$$t.log); \
		printf '%s\n' "$$out"; \
		case "$$out" in *FAIL*) echo "  (reports: $(REPLAY_DIR)/$$t.log)";; esac; \
		n=$$(printf '%s\n' "$$out" | sed -n 's/^fuzz-replay .*: \([0-9]*\) passed, \([0-9]*\) failed$$/\1 \2/p'); \
		[ -n "$$n" ] || n="0 1"; \
		pass=$$((pass + $${n% *})); fail=$$((fail + $${n#* })); \
	done; \
	echo "fuzz-replay: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

TEST_EXTRA += fuzz-replay
