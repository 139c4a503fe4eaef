# LAVA (issue 16): every matrix case as a LAVA job definition, run here with lava-run or in a lab.
#
#   make lava [FILTER=regex] [TAGS=t1,t2] [MATRIX="a.txt b.txt"] [DEVICE_TYPE=qemu] [LAVA_URL=URL]
#                        one job per selected case: $(BUILD)/lava/<case>.yaml (+ its ESP image in
#                        $(BUILD)/lava/<case>/); DEVICE_TYPE other than qemu: jobs for real devices
#                        (no simulated-platform profile, no QEMU); LAVA_URL: where a lab downloads
#                        $(BUILD)/lava/ from (default file://, for lava-run)
#   make lava-run [FILTER=regex] [JOBS=N]
#                        installs lava-dispatcher when missing, runs each QEMU job with lava-run (no
#                        server), reads LAVA's results into $(BUILD)/lava/junit.xml, summary.md,
#                        report.html; the last line is "lava: N passed, M failed"
#   make lava-report     the reports again from the lava-run logs already in $(BUILD)/lava
#   make lava-test       (part of `make test`) the patterns and the result reader, no boot, no LAVA
#   make lava-compare    tests/lava/compare.sh: lava-run's verdicts equal the local matrix's
# Code: images/lava/; how to submit the jobs to a lab: docs/testing.md, section LAVA.
# The prerequisites are the matrix's (mk/matrix.mk, read after this file): built by a sub-make.

DEVICE_TYPE ?= qemu
LAVA_URL    ?=
LAVA_OUT    := $(BUILD)/lava
LAVA_PY     := $(PYTHON) images/lava/lava.py
LAVA_SEL     = $(MATRIX_SEL) --out $(LAVA_OUT) --device-type '$(DEVICE_TYPE)' $(if $(LAVA_URL),--url '$(LAVA_URL)')

.PHONY: lava lava-run lava-report lava-deps lava-test lava-compare
lava lava-run: deps

lava:
	@$(MAKE) -s --no-print-directory $(MATRIX_DEPS)
	@$(LAVA_PY) $(LAVA_SEL) jobs

# lava-dispatcher only here, never in `make test` (scripts/deps.d/ does not list it).
lava-deps:
	@scripts/deps.sh images/lava/deps.txt

lava-run: lava-deps
	@$(MAKE) -s --no-print-directory $(MATRIX_DEPS)
	@$(LAVA_PY) $(LAVA_SEL) run

lava-report:
	@$(LAVA_PY) $(LAVA_SEL) report

lava-test:
	@$(PYTHON) images/lava/test_lava.py

lava-compare:
	@BUILD=$(BUILD) tests/lava/compare.sh

TEST_EXTRA += lava-test
