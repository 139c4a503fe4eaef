# Decoder area: Zydis differential test, benchmark and fuzz target (host only).
#
#   make test-insn-diff      decoder vs Zydis on real binaries, eptool decode (part of `make test`)
#   make insn-diff-all       the same over every large binary listed below (> 10 M instructions)
#   make insn-exhaustive     every 3-byte encoding after 47 prefix strings vs Zydis (~3 min)
#   make bench-insn          instructions/s, ours vs Zydis (part of `make bench`)
#   make fuzz-insn           libFuzzer differential target for FUZZ_SECONDS (part of `make fuzz`)

# -iquote rather than -I: a core header named like a libc header (features.h)
# must not shadow the system one in hosted programs.
INSN_PROG_FLAGS := -std=gnu11 $(HOST_CFLAGS) $(HOST_WARN) -iquote include -iquote core -iquote tools
INSN_DIR        := $(HOST_DIR)/insn
INSN_TOOL_SRCS  := tools/eptool_elfsec.c tools/eptool_util.c
INSN_DIFF       := $(INSN_DIR)/diff_zydis
INSN_BENCH      := $(INSN_DIR)/bench_insn
INSN_FUZZ       := $(INSN_DIR)/fuzz_insn
INSN_EXHAUSTIVE := $(INSN_DIR)/exhaustive_zydis
FUZZ_SECONDS    ?= 60

LIBDIR_X86 := /usr/lib/x86_64-linux-gnu
# Quick corpus for `make test`: present on every Debian machine, about 1 s.
INSN_TEST_CORPUS  := $(wildcard $(LIBDIR_X86)/libc.so.6 $(LIBDIR_X86)/libcrypto.so.3)
# Large corpus: compilers, LLVM, QEMU and codec libraries full of AVX2/AVX-512, and the
# Debian kernels tests/linux/fetch.sh caches, when it has run (their code is what we patch).
INSN_LARGE_CORPUS := $(wildcard $(LIBDIR_X86)/libc.so.6 $(LIBDIR_X86)/libcrypto.so.3 \
	/usr/lib/gcc/x86_64-linux-gnu/*/cc1 /usr/bin/qemu-system-x86_64 $(LIBDIR_X86)/libLLVM-15.so.1 \
	$(LIBDIR_X86)/libx265.so.199 $(LIBDIR_X86)/libavcodec.so.59 $(LIBDIR_X86)/libdav1d.so.6 \
	$(LIBDIR_X86)/libSvtAv1Enc.so.1 $(LIBDIR_X86)/libaom.so.3 $(LIBDIR_X86)/libz3.so.4 \
	tests/linux/cache/*/vmlinux)
INSN_BENCH_CORPUS := $(INSN_TEST_CORPUS) $(wildcard /usr/lib/gcc/x86_64-linux-gnu/*/cc1)

$(INSN_DIFF): tests/insn/diff_zydis.c tests/insn/zydis_compare.c tests/insn/zydis_compare.h $(INSN_TOOL_SRCS) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

$(INSN_BENCH): tests/insn/bench_insn.c $(INSN_TOOL_SRCS) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

$(INSN_EXHAUSTIVE): tests/insn/exhaustive_zydis.c tests/insn/zydis_compare.c tests/insn/zydis_compare.h $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

# The fuzz build compiles the decoder itself with sanitizers, not libcore.a.
INSN_FUZZ_CORE := core/insn.c core/insn_tables.c core/util.c core/errors.c
$(INSN_FUZZ): tests/insn/fuzz_insn.c tests/insn/zydis_compare.c $(INSN_FUZZ_CORE) $(wildcard core/*.h) tests/insn/zydis_compare.h
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-iquote include -iquote core -iquote tools $(filter %.c,$^) -lZydis -o $@

.PHONY: test-insn-diff insn-diff-all insn-exhaustive bench-insn fuzz-insn
test-insn-diff: $(INSN_DIFF) $(EPTOOL)
	$(INSN_DIFF) $(INSN_TEST_CORPUS)
	tests/insn/eptool_decode.sh $(EPTOOL)

insn-diff-all: $(INSN_DIFF)
	$(INSN_DIFF) $(INSN_LARGE_CORPUS)

insn-exhaustive: $(INSN_EXHAUSTIVE)
	$(INSN_EXHAUSTIVE)

bench-insn: $(INSN_BENCH)
	$(INSN_BENCH) $(INSN_BENCH_CORPUS)

# New inputs go to the first corpus directory; tests/fuzz/fuzz_insn/ holds the ones
# that once found something (replayed by `make fuzz-replay`) and seeds every run.
fuzz-insn: $(INSN_FUZZ)
	@mkdir -p $(BUILD)/fuzz/insn-corpus
	$(INSN_FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=32 -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/insn- $(BUILD)/fuzz/insn-corpus $(wildcard tests/fuzz/fuzz_insn)

TEST_EXTRA    += test-insn-diff
BENCH_TARGETS += bench-insn
FUZZ_TARGETS  += fuzz-insn
