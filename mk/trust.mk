# Secure Boot and measured boot (docs/security.md).
#
#   make sign [KEY=... CERT=...]   build/efi/earlypatch.signed.efi, signed with sbsign; without KEY
#                                  Debian OVMF's snakeoil key (for tests only: anyone has it).
#                                  Its pin table is empty: under Secure Boot it loads nothing. A
#                                  bootable signed image pins its files: `make run SECUREBOOT=1`,
#                                  images/mkesp.sh --sign KEY CERT.
#   make boot IMAGE=esp.img [SECUREBOOT=1] [TPM=1] [CPU=...]   boot an ESP image that exists
SIGNED_EFI := $(BUILD)/efi/earlypatch.signed.efi

.PHONY: sign boot
sign: deps $(EFI_APP)
	@key='$(KEY)'; cert='$(CERT)'; \
	if [ -z "$$key" ]; then key=$$(BUILD=$(BUILD) scripts/snakeoil-key.sh); \
		cert=$${cert:-/usr/share/ovmf/PkKek-1-snakeoil.pem}; \
		echo "sign: Debian OVMF's snakeoil key: for tests only"; fi; \
	sbsign --key "$$key" --cert "$$cert" --output $(SIGNED_EFI) $(EFI_APP) && \
	sbverify --cert "$$cert" $(SIGNED_EFI) >/dev/null 2>&1 && echo "sign: $(SIGNED_EFI)"

boot: deps all
	@[ -n '$(IMAGE)' ] || { echo "boot: IMAGE=esp.img is needed" >&2; exit 2; }
	@IMAGE='$(IMAGE)' BUILD=$(BUILD) scripts/run.sh
