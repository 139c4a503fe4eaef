# The layers of core/ (docs/design.md): no file includes a higher layer or another folder's
# private header; the checker first proves on planted violations that it can fail.
.PHONY: test-layers
test-layers:
	@$(PYTHON) tests/layers/check.py --selftest
	@$(PYTHON) tests/layers/check.py .

TEST_EXTRA += test-layers
