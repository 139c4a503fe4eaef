# Host build of core/ (as a static library), eptool and the cmocka unit tests.
#
# core/ is compiled freestanding even on the host: -nostdinc leaves only the
# compiler's own headers (stdint.h, stddef.h, stdbool.h, ...), so a stray
# #include <string.h> fails here rather than in the EFI build.

HOST_DIR     := $(BUILD)/host
CORE_SRCS    := $(sort $(wildcard core/*/*.c))
CORE_HDRS    := $(sort $(wildcard core/*/*.h))
HOST_CFLAGS  ?= -O2 -g
HOST_WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Werror=implicit-function-declaration
CORE_INC     := -Iinclude -Icore
CORE_HOST_FLAGS := -std=c11 $(HOST_CFLAGS) $(HOST_WARN) $(CORE_INC) -ffreestanding -nostdinc \
                   -isystem $(shell $(HOSTCC) -print-file-name=include) -fno-strict-aliasing -fno-tree-loop-distribute-patterns
CORE_HOST_OBJS  := $(patsubst core/%.c,$(HOST_DIR)/core/%.o,$(CORE_SRCS))
LIBCORE_HOST    := $(HOST_DIR)/libcore.a

$(HOST_DIR)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_HOST_FLAGS) -MMD -MP -c $< -o $@

$(LIBCORE_HOST): $(CORE_HOST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Host programs (tools, tests) are ordinary hosted C.
# Hosted programs see core/ headers only as "quote" includes: core/cpu/features.h must not
# shadow glibc's <features.h>.
HOSTPROG_FLAGS := -std=gnu11 $(HOST_CFLAGS) $(HOST_WARN) -Iinclude -iquote core -iquote tools

# eptool: tools/eptool.c dispatches to tools/eptool_*.c subcommands.
EPTOOL      := $(HOST_DIR)/eptool
EPTOOL_SRCS := $(sort $(wildcard tools/eptool*.c))
# Zydis: eptool inspect shows the disassembly of sites and replacements.
EPTOOL_LIBS := -lZydis
$(EPTOOL): $(EPTOOL_SRCS) $(wildcard tools/*.h) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) $(EPTOOL_SRCS) $(LIBCORE_HOST) $(EPTOOL_LIBS) -o $@

# Unit tests: every tests/unit/test_*.c is its own cmocka program.
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(HOST_DIR)/tests/%,$(UNIT_SRCS))
UNIT_TESTS += $(UNIT_BINS)
$(HOST_DIR)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBCORE_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTPROG_FLAGS) -iquote tests/unit -DTEST_DATA_DIR='"$(CURDIR)/tests/data"' $< $(LIBCORE_HOST) -lcmocka -o $@

ALL_TARGETS += $(LIBCORE_HOST) $(EPTOOL) $(UNIT_BINS)

-include $(CORE_HOST_OBJS:.o=.d)
