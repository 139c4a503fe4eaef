# earlypatch — top-level build.
#
#   make            build the EFI app, host library, eptool and unit tests
#   make run        build, make an ESP image, boot it in QEMU/OVMF, print the ESP log
#   make test       unit tests (cmocka) + QEMU integration tests
#   make bench      benchmarks (speed/size targets live here, never in tests)
#   make fuzz       libFuzzer targets
#
# Each area keeps its rules in mk/<area>.mk; they only append to the lists below.

BUILD   ?= build
HOSTCC  ?= gcc
CLANG   ?= clang
PYTHON  ?= python3

.DEFAULT_GOAL := all

# Filled in by mk/*.mk
ALL_TARGETS   :=
UNIT_TESTS    :=
BENCH_TARGETS :=
FUZZ_TARGETS  :=
TEST_EXTRA    :=

include mk/host.mk
include mk/efi.mk
-include $(sort $(filter-out mk/host.mk mk/efi.mk,$(wildcard mk/*.mk)))

.PHONY: all deps run test unit qemu-test bench fuzz clean
all: $(ALL_TARGETS)

# Installs missing Debian packages (no-op when everything is present).
deps:
	@scripts/deps.sh

run: deps all
	@scripts/run.sh

# Unit tests first, then anything an area registered, then QEMU boots.
test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory $(TEST_EXTRA) qemu-test

unit: $(UNIT_TESTS)
	@scripts/run-unit.sh $(UNIT_TESTS)

# The QEMU cases (images/cases.txt, docs/testing.md) through the matrix runner (mk/matrix.mk),
# JOBS at a time, FILTER=regex for some; the last line, which the CI reads: "qemu: N passed, M failed".
qemu-test: all
	@$(MATRIX_PY) --build $(BUILD) --matrix $(QEMU_CASES) --jobs $(JOBS) --label qemu --out $(QEMU_OUT) \
		$(if $(FILTER),--filter '$(FILTER)') run

bench: deps $(BENCH_TARGETS)

# Opt-in targets defined by areas install what they need first, as `make run` and `make test` do.
check-linux matrix images: deps

fuzz: deps $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)
