# `make bench` also reports what the firmware image costs: the PE file against Debian's
# systemd-boot (fetched once by scripts/debfetch.sh, outside the repository), the application it
# carries (PACK=1: earlypatch.efi is the stub plus the gzip of earlypatch-unpacked.efi,
# docs/performance.md#packing), and the code of each layer linked into the firmware.
# Goal (docs/performance.md): earlypatch.efi <= 96 KiB.
SYSTEMD_BOOT_SUITE ?= bookworm
.PHONY: bench-size
bench-size: $(EFI_APP) $(EFI_UNPACKED) $(EFI_DIR)/earlypatch.so
	@sdboot=$$(sh scripts/debfetch.sh $(SYSTEMD_BOOT_SUITE) systemd-boot-efi \
		usr/lib/systemd/boot/efi/systemd-bootx64.efi) || { echo "bench-size: cannot fetch systemd-boot"; exit 1; }; \
	ep=$$(stat -c %s $(EFI_APP)); sd=$$(stat -c %s "$$sdboot"); un=$$(stat -c %s $(EFI_UNPACKED)); \
	awk -v e=$$ep -v s=$$sd -v u=$$un -v p='$(PACK)' 'BEGIN { \
		printf "bench-size: earlypatch.efi=%d systemd-boot=%d ratio=%.2f goal=98304 %s packed=%s unpacked=%d unpacked_ratio=%.2f\n", \
		e, s, e / s, e <= 98304 ? "met" : "not-met", p == "0" ? "no" : "yes", u, u / s }'
	@size -A $(EFI_DIR)/earlypatch.so | awk '$$1 == ".text" || $$1 == ".data" || $$1 == ".rela" { v[$$1] = $$2 } \
		END { printf "bench-size: application text=%d data=%d rela=%d (data holds rodata and bss)\n", v[".text"], v[".data"], v[".rela"] }'

BENCH_TARGETS += bench-size
