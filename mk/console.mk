# Benchmark: what OVMF's console costs a boot (tests/bench/console_cost.c), the model behind
# bench-boot's gap between its full and quiet boots.
#
#   make bench-console   one boot of its own EFI app (about 10 s under TCG; part of `make bench`):
#     bench-console: mode=COLSxROWS char_us=A scroll_ms=B extra_call_us=C cpu= accel=
#     bench-console: replay lines=N chars=C as_is_ms=D paged_ms=E cut_ms=F paged_cut_ms=G model_ms=
#   char_us: one character drawn; scroll_ms: one row scrolled (a bare CR LF on the last row);
#   extra_call_us: one more OutputString for the same text; the replay is the lines of a full
#   boot (tests/bench/console_lines.txt) from the last row: as printed, paged (ClearScreen instead
#   of scrolling), cut to the width - 1, both; model_ms = chars * char_us + rows * scroll_ms, the
#   model's price for as_is. Each number is the median of the boot's 3 runs.

CONSOLE_BENCH_DIR     := $(BUILD)/bench
CONSOLE_BENCH_EFI     := $(CONSOLE_BENCH_DIR)/console_cost.efi
CONSOLE_BENCH_IMG     := $(CONSOLE_BENCH_DIR)/console_cost.img
CONSOLE_BENCH_OUT     := $(CONSOLE_BENCH_DIR)/console-boot
CONSOLE_BENCH_CPU     ?= Skylake-Client
CONSOLE_BENCH_TIMEOUT ?= 300

# The lines as C strings, one a line (they are ASCII log lines: only \ and " need escaping).
$(CONSOLE_BENCH_DIR)/console_cost_lines.h: tests/bench/console_lines.txt mk/console.mk
	@mkdir -p $(@D)
	{ echo '/* Generated from $< by mk/console.mk. */'; \
	  echo 'static const char *const console_lines[] = {'; \
	  sed 's/[\\"]/\\&/g; s/^/\t"/; s/$$/",/' $<; \
	  echo '};'; } >$@.tmp && mv $@.tmp $@

$(CONSOLE_BENCH_DIR)/console_cost.o: tests/bench/console_cost.c $(CONSOLE_BENCH_DIR)/console_cost_lines.h
	$(HOSTCC) $(EFI_CFLAGS) $(EFI_INCS) -iquote $(CONSOLE_BENCH_DIR) -c $< -o $@

# Only the system table's services: no libefi, no core; libgnuefi for crt0's self-relocation.
$(CONSOLE_BENCH_DIR)/console_cost.so: $(CONSOLE_BENCH_DIR)/console_cost.o
	ld -nostdlib -znocombreloc --no-undefined -T $(EFI_LDS) -shared -Bsymbolic -L$(EFI_LIBDIR) \
	   $(EFI_CRT0) $< -o $@ -lgnuefi

$(CONSOLE_BENCH_EFI): $(CONSOLE_BENCH_DIR)/console_cost.so
	$(EFI_OBJCOPY) $< $@

# The app is the ESP's BOOTX64.EFI and shuts the machine down itself. The accelerator is the one
# every boot gets (scripts/accel.sh; the probe so that ACCEL=auto can choose), named in the output:
# the model is TCG's unless it says kvm.
.PHONY: bench-console
bench-console: deps $(CONSOLE_BENCH_EFI) $(ACCEL_PROBE)
	@images/mkesp.sh $(CONSOLE_BENCH_IMG) $(CONSOLE_BENCH_EFI) >/dev/null
	@scripts/qemu-boot.sh --esp $(CONSOLE_BENCH_IMG) --out $(CONSOLE_BENCH_OUT) --cpu $(CONSOLE_BENCH_CPU) \
		--timeout $(CONSOLE_BENCH_TIMEOUT) >/dev/null 2>&1 || true
	@tr -d '\r' <$(CONSOLE_BENCH_OUT)/debugcon.txt 2>/dev/null | awk -v out=$(CONSOLE_BENCH_OUT) \
		-v cpu=$(CONSOLE_BENCH_CPU) -v accel="$$(awk '{print $$2; exit}' $(CONSOLE_BENCH_OUT)/accel.txt 2>/dev/null)" \
		-v rc="$$(cat $(CONSOLE_BENCH_OUT)/exit_code 2>/dev/null)" ' \
	/^I mode=/ { split($$2, m, "="); mode = m[2] } \
	/^R name=/ { split($$2, m, "="); n = m[2]; got++; \
		for (i = 3; i <= NF; i++) { split($$i, kv, "="); v[n, kv[1]] = kv[2] } } \
	END { \
		if (got < 8 || mode == "") { \
			printf "bench-console: the boot printed %d of 8 results (QEMU exit %s; see %s)\n", got, rc == "" ? "none" : rc, out; \
			exit 1 } \
		char_us = (v["char_long", "us"] - v["char_short", "us"]) / (v["char_long", "chars"] - v["char_short", "chars"]); \
		scroll_ms = v["scroll", "us"] / v["scroll", "rows"] / 1000; \
		call_us = (v["per_char", "us"] - v["char_long", "us"]) / (v["per_char", "calls"] - v["char_long", "calls"]); \
		printf "bench-console: mode=%s char_us=%.1f scroll_ms=%.2f extra_call_us=%.1f cpu=%s accel=%s\n", \
			mode, char_us, scroll_ms, call_us, cpu, accel; \
		printf "bench-console: replay lines=%d chars=%d as_is_ms=%.1f paged_ms=%.1f cut_ms=%.1f paged_cut_ms=%.1f model_ms=%.1f\n", \
			v["replay_as_is", "lines"], v["replay_as_is", "chars"], v["replay_as_is", "us"] / 1000, \
			v["replay_paged", "us"] / 1000, v["replay_cut", "us"] / 1000, v["replay_paged_cut", "us"] / 1000, \
			(v["replay_as_is", "chars"] * char_us + v["replay_as_is", "rows"] * scroll_ms * 1000) / 1000 }'

BENCH_TARGETS += bench-console
