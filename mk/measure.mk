# Measured boot in `make test` (docs/security.md#measured-boot). The TPM cases of images/cases.txt
# (`make qemu-test`) require each boot's read-back PCRs to equal eptool pcr's prediction and the
# replay of the event log on the ESP; tests/tpm/differ.sh boots three of them once more and requires
# that one changed decision and another payload file change the PCRs, measured and predicted alike.
.PHONY: tpm-differ-test
tpm-differ-test: $(MATRIX_DEPS)
	@bash tests/tpm/differ.sh $(BUILD)
TEST_EXTRA += tpm-differ-test
