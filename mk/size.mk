# `make bench` also reports what the firmware image costs: the PE file and the code of each layer.
.PHONY: bench-size
bench-size: $(EFI_APP)
	@echo "bench-size: earlypatch.efi $$(stat -c %s $(EFI_APP)) bytes"
	@size -t $(CORE_EFI_OBJS) | awk 'END { printf "bench-size: core/ text=%d data=%d bss=%d\n", $$1, $$2, $$3 }'
	@size -t $(EFI_OBJS) | awk 'END { printf "bench-size: efi/ text=%d data=%d bss=%d\n", $$1, $$2, $$3 }'

BENCH_TARGETS += bench-size
