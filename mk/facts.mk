# Facts area: eptool cpu replays every corpus dump, and a log made of a dump
# plus its facts lines replays to the same lines (tests/facts/replay-check.sh,
# which the QEMU tests can also run on a real ESP log).

FACTS_CHECK_DIR := $(HOST_DIR)/facts-check

.PHONY: test-facts-replay
test-facts-replay: $(EPTOOL)
	@mkdir -p $(FACTS_CHECK_DIR)
	@pass=0; fail=0; \
	for d in tests/data/cpuid/*.dump; do \
		log=$(FACTS_CHECK_DIR)/$$(basename $$d .dump).log; \
		{ cat $$d; $(EPTOOL) cpu --cpuid-dump $$d; } >$$log || { echo "FAIL $$d"; fail=$$((fail+1)); continue; }; \
		if tests/facts/replay-check.sh $(EPTOOL) $$log >/dev/null; then pass=$$((pass+1)); \
		else tests/facts/replay-check.sh $(EPTOOL) $$log; fail=$$((fail+1)); fi; \
	done; \
	printf 'I cpuid leaf=zz\n' >$(FACTS_CHECK_DIR)/bad.log; \
	if $(EPTOOL) cpu --cpuid-dump $(FACTS_CHECK_DIR)/bad.log >/dev/null 2>&1; then \
		echo "FAIL eptool cpu accepted a malformed dump"; fail=$$((fail+1)); else pass=$$((pass+1)); fi; \
	echo "facts-replay: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

TEST_EXTRA += test-facts-replay
