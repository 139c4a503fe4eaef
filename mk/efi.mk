# The UEFI application, built with Debian's gnu-efi (ELF -> PE32+ via objcopy).

EFI_DIR     := $(BUILD)/efi
EFI_INC     ?= /usr/include/efi
EFI_LIBDIR  ?= /usr/lib
EFI_LDS     := $(EFI_LIBDIR)/elf_x86_64_efi.lds
EFI_CRT0    := $(EFI_LIBDIR)/crt0-efi-x86_64.o
EFI_APP     := $(EFI_DIR)/earlypatch.efi

# Firmware code: no red zone (interrupts use the stack), no SSE (we own no FPU
# state), MS ABI for the firmware calls via GNU_EFI_USE_MS_ABI.
# -Os: the firmware image is measured by size (docs/performance.md); its hot path is the engine, host-benchmarked.
# No -fdata-sections: gnu-efi's linker script gathers only .bss, not .bss.*, and objcopy would drop the rest.
# Hidden visibility: nothing of ours is exported, so the PE carries no dynamic symbol table (8 KB).
EFI_CFLAGS := -std=gnu11 -Os -g -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
              -ffreestanding -fno-stack-protector -fno-stack-check -fpic -fshort-wchar \
              -mno-red-zone -mgeneral-regs-only -maccumulate-outgoing-args -fno-strict-aliasing \
              -ffunction-sections -fvisibility=hidden -DGNU_EFI_USE_MS_ABI -Iinclude -iquote core -iquote efi
EFI_INCS   := -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol
CORE_EFI_FLAGS := $(filter-out -std=gnu11,$(EFI_CFLAGS)) -std=c11 -nostdinc -isystem $(shell $(HOSTCC) -print-file-name=include) -fno-tree-loop-distribute-patterns

EFI_SRCS     := $(sort $(wildcard efi/*.c))
EFI_ASM      := $(sort $(wildcard efi/*.S))
EFI_OBJS     := $(patsubst efi/%.c,$(EFI_DIR)/efi/%.o,$(EFI_SRCS)) \
                $(patsubst efi/%.S,$(EFI_DIR)/efi/%.o,$(EFI_ASM))
CORE_EFI_OBJS := $(patsubst core/%.c,$(EFI_DIR)/core/%.o,$(CORE_SRCS))

$(EFI_DIR)/efi/%.o: efi/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(EFI_CFLAGS) $(EFI_INCS) -MMD -MP -c $< -o $@

$(EFI_DIR)/efi/%.o: efi/%.S
	@mkdir -p $(@D)
	$(HOSTCC) -Iinclude -MMD -MP -c $< -o $@

$(EFI_DIR)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_EFI_FLAGS) -MMD -MP -c $< -o $@

# core/ as an archive: ld takes only the objects the firmware calls into (the host-only
# cpuinfo route and eptool's helpers stay out). No libefi: efi/lib.c has the few services we
# use; libgnuefi gives crt0's self-relocation. objcopy -S: the PE gets no COFF symbol table
# (27 KB); the symbols stay in earlypatch.so for gdb.
CORE_EFI_LIB := $(EFI_DIR)/libcore-efi.a

$(CORE_EFI_LIB): $(CORE_EFI_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(EFI_DIR)/earlypatch.so: $(EFI_OBJS) $(CORE_EFI_LIB)
	ld -nostdlib -znocombreloc --no-undefined -T $(EFI_LDS) -shared -Bsymbolic -L$(EFI_LIBDIR) \
	   $(EFI_CRT0) $(EFI_OBJS) $(CORE_EFI_LIB) -o $@ -lgnuefi $(shell $(HOSTCC) -print-libgcc-file-name)

EFI_OBJCOPY := objcopy -S -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .rel.* \
	       -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10

# PACK=1 (the default): earlypatch.efi is the stub (efi/stub/) carrying the application as one
# gzip member, inflated and laid out in memory at boot (docs/performance.md#packing). PACK=0:
# earlypatch.efi is the application itself. Either way earlypatch-unpacked.efi is the application
# and earlypatch.so its symbols (for gdb: add-symbol-file earlypatch.so -o IMAGE, IMAGE from the
# first log line, I earlypatch ... image=).
PACK        ?= 1
EFI_UNPACKED := $(EFI_DIR)/earlypatch-unpacked.efi
EFI_PACKED_GZ := $(EFI_DIR)/earlypatch-unpacked.efi.gz
STUB_OBJS    := $(EFI_DIR)/stub/stub.o $(EFI_DIR)/stub/packed.o $(EFI_DIR)/efi/pins.o

$(EFI_UNPACKED): $(EFI_DIR)/earlypatch.so
	$(EFI_OBJCOPY) $< $@

# -n: no name or time in the header, so the same application gives the same bytes.
$(EFI_PACKED_GZ): $(EFI_UNPACKED)
	gzip -9 -n -c $< >$@.tmp && mv $@.tmp $@

$(EFI_DIR)/stub/stub.o: efi/stub/stub.c
	@mkdir -p $(@D)
	$(HOSTCC) $(EFI_CFLAGS) $(EFI_INCS) -MMD -MP -c $< -o $@

$(EFI_DIR)/stub/packed.o: efi/stub/packed.S $(EFI_PACKED_GZ)
	@mkdir -p $(@D)
	$(HOSTCC) -DEP_PACKED_GZ='"$(EFI_PACKED_GZ)"' -c $< -o $@

$(EFI_DIR)/stub.so: $(STUB_OBJS) $(CORE_EFI_LIB)
	ld -nostdlib -znocombreloc --no-undefined -T $(EFI_LDS) -shared -Bsymbolic -L$(EFI_LIBDIR) \
	   $(EFI_CRT0) $(STUB_OBJS) $(CORE_EFI_LIB) -o $@ -lgnuefi $(shell $(HOSTCC) -print-libgcc-file-name)

ifeq ($(PACK),0)
$(EFI_APP): $(EFI_UNPACKED)
	cp $< $@
else
$(EFI_APP): $(EFI_DIR)/stub.so
	$(EFI_OBJCOPY) $< $@
endif

ALL_TARGETS += $(EFI_APP)

-include $(EFI_OBJS:.o=.d) $(CORE_EFI_OBJS:.o=.d) $(EFI_DIR)/stub/stub.d
