# The packed firmware image (docs/performance.md#packing; mk/efi.mk builds it with PACK=1).
#
#   make pack-check   (part of `make test`) unpacks earlypatch.efi with eptool, which decodes and
#                     checks it as the stub does (core/pack), and requires the application's bytes
#                     back; again after eptool pin wrote a pin into it (the pins live in the stub,
#                     outside the packed member, and the stub's copy must change).
.PHONY: pack-check
pack-check: $(EFI_APP) $(EFI_UNPACKED) $(EPTOOL)
	@if [ "$(PACK)" = 0 ]; then echo "pack-check: skipped (PACK=0)"; exit 0; fi; \
	d=$(BUILD)/pack-check; rm -rf $$d; mkdir -p $$d; \
	$(EPTOOL) unpack $(EFI_APP) -o $$d/app.efi >$$d/unpack.txt && cmp $$d/app.efi $(EFI_UNPACKED) && \
	$(EPTOOL) pin $(EFI_APP) -o $$d/pinned.efi '\EFI\earlypatch\payload.elf=$(EFI_UNPACKED)' >/dev/null && \
	! cmp -s $$d/pinned.efi $(EFI_APP) && \
	$(EPTOOL) unpack $$d/pinned.efi -o $$d/pinned-app.efi >/dev/null && cmp $$d/pinned-app.efi $(EFI_UNPACKED) && \
	echo "pack-check: $$(sed 's/^I unpack //' $$d/unpack.txt): the application, also after eptool pin" || \
	{ echo "pack-check: FAILED (see $$d)"; exit 1; }

TEST_EXTRA += pack-check
