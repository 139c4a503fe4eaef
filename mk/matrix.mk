# Test matrix (issue 7): one ESP image per case, parallel QEMU boots, checks and reports.
#
#   make images                      an ESP image per case: $(BUILD)/matrix/<case>/esp.img
#   make images-repro                build every image twice from the same inputs; hashes must match
#   make matrix [JOBS=N] [SHARD=k/n] [FILTER=regex] [TAGS=t1,t2] [MATRIX="a.txt b.txt"]
#                                    boot, check, write junit.xml, summary.md, report.html
#   make matrix-report               rewrite the reports from the results in $(BUILD)/matrix
#   make matrix-list                 the cases FILTER/TAGS/SHARD select
#   make matrix-quick                (part of `make test`) the checker on saved outputs, the
#                                    reproducibility check and the `quick` cases
# Every case boots under TCG (`accel tcg` in images/matrix.txt's defaults); ACCEL=kvm that this
# host cannot honour stops `make matrix` before the first boot.
# The QEMU cases, images/cases.txt, are the same kind of file: `make qemu-test` (the top Makefile)
# runs them with this runner into $(BUILD)/qemu-test; `make matrix MATRIX=images/cases.txt` too.
# Format and how to add a case or a profile: docs/testing.md.

MATRIX      ?= images/matrix.txt
JOBS        ?= 2
SHARD       ?=
FILTER      ?=
TAGS        ?=
MATRIX_PY   := $(PYTHON) images/matrix/matrix.py
MATRIX_OUT  := $(BUILD)/matrix
QEMU_CASES  := images/cases.txt
QEMU_OUT    := $(BUILD)/qemu-test
# The accelerator probe too: scripts/accel.sh decides each boot's accelerator with it (mk/accel.mk).
MATRIX_DEPS := $(EFI_APP) $(EPTOOL) $(BUILD)/payloads/selftest.elf $(BUILD)/payloads/selftest-pie.elf $(ACCEL_PROBE)
MATRIX_SEL   = --build $(BUILD) $(foreach m,$(MATRIX),--matrix $(m)) --jobs $(JOBS) \
               $(if $(FILTER),--filter '$(FILTER)') $(if $(TAGS),--tags '$(TAGS)') $(if $(SHARD),--shard $(SHARD))

.PHONY: images images-repro matrix matrix-report matrix-list matrix-quick matrix-checker-test
images: $(MATRIX_DEPS)
	@$(MATRIX_PY) $(MATRIX_SEL) --out $(MATRIX_OUT) images

images-repro: $(MATRIX_DEPS)
	@$(MATRIX_PY) $(MATRIX_SEL) --out $(MATRIX_OUT) repro

matrix: $(MATRIX_DEPS)
	@$(MATRIX_PY) $(MATRIX_SEL) --out $(MATRIX_OUT) run

matrix-report:
	@$(MATRIX_PY) $(MATRIX_SEL) --out $(MATRIX_OUT) report

matrix-list:
	@$(MATRIX_PY) $(MATRIX_SEL) list

# Wrong expectations against saved boot outputs must fail with their reasons (no boot needed).
matrix-checker-test: $(EPTOOL)
	@$(PYTHON) images/matrix/test_checker.py --build $(BUILD) --out $(BUILD)/matrix-checker

# The quick subset keeps its own reports so it never overwrites a full run's.
matrix-quick: $(MATRIX_DEPS) matrix-checker-test
	@$(MATRIX_PY) --build $(BUILD) --tags quick --out $(BUILD)/matrix-quick repro
	@$(MATRIX_PY) --build $(BUILD) --tags quick --jobs $(JOBS) --out $(BUILD)/matrix-quick run

TEST_EXTRA += matrix-quick
