/*
 * libFuzzer differential target: core/x86/insn.c against Zydis on arbitrary bytes.
 *
 * Fails when Zydis decodes an instruction and we do not agree on length,
 * branch or RIP-relative facts; when one decoder rejects what the other
 * decodes; when Zydis needs more bytes than the input has but we claim a
 * complete instruction; and when our own invariants break
 * (length within the buffer, truncation consistent with the length).
 * The input is copied to an exactly sized heap buffer so ASan sees any read
 * past its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zydis_compare.h"

#define ADDR 0xffffffff81000000ull

static void fail(const char *what, const uint8_t *buf, size_t size)
{
	char hex[3 * 32 + 1];
	hex_bytes(hex, buf, size < 32 ? size : 32);
	fprintf(stderr, "insn fuzz: %s: [%s] (%zu bytes)\n", what, hex, size);
	abort();
}

/* Our decoder must agree with itself when the buffer shrinks to the length. */
static void check_self(const uint8_t *buf, size_t size, const struct insn_facts *us)
{
	struct insn_facts again;
	if (us->len == 0 || us->len > size || us->len > EP_INSN_MAX_LEN)
		fail("length outside the buffer", buf, size);
	if (us->branch && us->branch_off + us->branch_size != us->len && us->branch != EP_BRANCH_NONE)
		fail("branch displacement is not the instruction's tail", buf, size);
	if (us->riprel && us->rip_off + 4 > us->len)
		fail("rip displacement outside the instruction", buf, size);
	if (ours_facts(buf, us->len, ADDR, &again) != EP_ERR_OK || facts_differ(us, &again))
		fail("differs when the buffer ends at the instruction", buf, size);
	if (ours_facts(buf, us->len - 1, ADDR, &again) != EP_ERR_INSN_TRUNCATED)
		fail("one byte short is not truncated", buf, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ZydisDecoder dec;
	static int ready;
	if (!ready) {
		zydis_compare_init(&dec);
		ready = 1;
	}
	uint8_t *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);

	struct comparison c;
	const char *what = compare_decoders(&dec, buf, size, ADDR, &c);
	if (what)
		fail(what, buf, size);
	if (c.us.ok)
		check_self(buf, size, &c.us);
	else if (c.our_err == EP_ERR_INSN_TRUNCATED && size >= EP_INSN_MAX_LEN)
		fail("truncated with 15 bytes available", buf, size);
	free(buf);
	return 0;
}
