# `make bench` also reports what the firmware image costs: the PE file against Debian's
# systemd-boot (fetched once by scripts/debfetch.sh, outside the repository), and the code
# of each layer. Goal (docs/performance.md): earlypatch.efi <= 96 KiB.
SYSTEMD_BOOT_SUITE ?= bookworm
.PHONY: bench-size
bench-size: $(EFI_APP)
	@sdboot=$$(sh scripts/debfetch.sh $(SYSTEMD_BOOT_SUITE) systemd-boot-efi \
		usr/lib/systemd/boot/efi/systemd-bootx64.efi) || { echo "bench-size: cannot fetch systemd-boot"; exit 1; }; \
	ep=$$(stat -c %s $(EFI_APP)); sd=$$(stat -c %s "$$sdboot"); \
	awk -v e=$$ep -v s=$$sd 'BEGIN { printf "bench-size: earlypatch.efi=%d systemd-boot=%d ratio=%.2f goal=98304 %s\n", \
		e, s, e / s, e <= 98304 ? "met" : "not-met" }'
	@size -t $(CORE_EFI_OBJS) | awk 'END { printf "bench-size: core/ text=%d data=%d bss=%d\n", $$1, $$2, $$3 }'
	@size -t $(EFI_OBJS) | awk 'END { printf "bench-size: efi/ text=%d data=%d bss=%d\n", $$1, $$2, $$3 }'

BENCH_TARGETS += bench-size
