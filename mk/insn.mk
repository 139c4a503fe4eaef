# Decoder area: Zydis differential tests and benchmark (host only; its fuzz target, fuzz-insn, is in mk/fuzz.mk).
#
#   make test-insn-diff      decoder vs Zydis on real binaries, eptool decode (part of `make test`)
#   make insn-diff-all       the same over every large binary listed below (> 10 M instructions)
#   make insn-exhaustive     every 3-byte encoding after 47 prefix strings vs Zydis (~3 min)
#   make bench-insn          instructions/s, ours vs Zydis (part of `make bench`)

# -iquote rather than -I: a core header named like a libc header (features.h)
# must not shadow the system one in hosted programs.
INSN_PROG_FLAGS := -std=gnu11 $(HOST_CFLAGS) $(HOST_WARN) -iquote include -iquote core -iquote tools -iquote tests/differential
INSN_DIR        := $(HOST_DIR)/insn
INSN_TOOL_SRCS  := tools/eptool_elfsec.c tools/eptool_util.c
INSN_DIFF       := $(INSN_DIR)/diff_zydis
INSN_BENCH      := $(INSN_DIR)/bench_insn
INSN_EXHAUSTIVE := $(INSN_DIR)/exhaustive_zydis

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

$(INSN_DIFF): tests/differential/diff_zydis.c tests/differential/zydis_compare.c tests/differential/zydis_compare.h $(INSN_TOOL_SRCS) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

$(INSN_BENCH): tests/bench/bench_insn.c $(INSN_TOOL_SRCS) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

$(INSN_EXHAUSTIVE): tests/differential/exhaustive_zydis.c tests/differential/zydis_compare.c tests/differential/zydis_compare.h $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(INSN_PROG_FLAGS) $(filter %.c,$^) $(LIBCORE_HOST) -lZydis -o $@

.PHONY: test-insn-diff insn-diff-all insn-exhaustive bench-insn
test-insn-diff: $(INSN_DIFF) $(EPTOOL)
	$(INSN_DIFF) $(INSN_TEST_CORPUS)
	tests/eptool/decode.sh $(EPTOOL)

insn-diff-all: $(INSN_DIFF)
	$(INSN_DIFF) $(INSN_LARGE_CORPUS)

insn-exhaustive: $(INSN_EXHAUSTIVE)
	$(INSN_EXHAUSTIVE)

bench-insn: $(INSN_BENCH)
	$(INSN_BENCH) $(INSN_BENCH_CORPUS)

TEST_EXTRA    += test-insn-diff
BENCH_TARGETS += bench-insn
