# eptool's ELF section reader (tools/eptool_elfsec.c) under UBSan.
#
# tests/unit/test_elfsec.c includes the reader itself, so host.mk's rule builds it as an ordinary
# unit test; here the same program is also built with -fsanitize=undefined -fno-sanitize-recover,
# which aborts on a misaligned Elf64_Shdr access. Both run in `make unit` (and so `make test`).

ELFSEC_UBSAN := $(HOST_DIR)/tests-ubsan/test_elfsec
ELFSEC_SRCS  := tools/eptool_elfsec.c tools/elfsec.h core/base/util.h

$(HOST_DIR)/tests/test_elfsec: $(ELFSEC_SRCS)

$(ELFSEC_UBSAN): tests/unit/test_elfsec.c $(ELFSEC_SRCS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -O1 -fsanitize=undefined -fno-sanitize-recover=undefined \
		-iquote tests/unit $< -lcmocka -o $@

UNIT_TESTS  += $(ELFSEC_UBSAN)
ALL_TARGETS += $(ELFSEC_UBSAN)
