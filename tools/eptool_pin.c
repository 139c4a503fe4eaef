/*
 * eptool pin EFI_APP -o OUT ESP_PATH=FILE...
 *
 * Writes the SHA-256 pin of each FILE, under its ESP path, into the pin table
 * of earlypatch.efi (core/boot/verify.h), giving OUT; sign OUT afterwards
 * (sbsign): the signature then covers the pins. The table is found by its
 * magic, which must occur exactly once. Existing pins for the same paths are
 * replaced; nothing is written on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "boot/verify.h"
#include "eptool.h"

static int usage(void)
{
	fprintf(stderr, "usage: eptool pin EFI_APP -o OUT ESP_PATH=FILE...\n");
	return 2;
}

/* The one offset of the pin table in the binary, or -1 (none or several). */
static long find_table(const uint8_t *bin, size_t len)
{
	long at = -1;
	for (size_t i = 0; i + sizeof(struct ep_pins) <= len; i++) {
		if (bin[i] != 'e' || memcmp(bin + i, EP_PINS_MAGIC, 16) != 0)
			continue;
		if (at >= 0)
			return -2;
		at = (long)i;
	}
	return at;
}

int eptool_pin(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	int first = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!in && !strchr(argv[i], '='))
			in = argv[i];
		else if (strchr(argv[i], '=') && !first)
			first = i;
	}
	if (!in || !out || !first)
		return usage();
	size_t len;
	uint8_t *bin = (uint8_t *)eptool_read_file(in, &len);
	if (!bin)
		return 1;
	long at = find_table(bin, len);
	if (at < 0) {
		fprintf(stderr, "eptool pin: %s: %s\n", in, at == -1 ? "no pin table (not earlypatch.efi?)"
								 : "the pin magic occurs more than once");
		free(bin);
		return 1;
	}
	struct ep_pins pins;
	memcpy(&pins, bin + at, sizeof(pins));
	int rc = 0;
	for (int i = first; i < argc && !rc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || !strcmp(argv[i], "-o"))
			continue;
		*eq = '\0';
		size_t flen;
		uint8_t *data = (uint8_t *)eptool_read_file(eq + 1, &flen);
		if (!data || !ep_pins_add(&pins, argv[i], data, flen)) {
			fprintf(stderr, "eptool pin: cannot pin %s=%s (%s)\n", argv[i], eq + 1,
				data ? "table full or path too long" : "unreadable");
			rc = 1;
		} else {
			const struct ep_pin *p = ep_pins_find(&pins, argv[i]);
			char hex[2 * EP_SHA256_SIZE + 1];
			ep_hex(hex, p->sha256, EP_SHA256_SIZE);
			printf("I pin file=%s bytes=%zu sha256=%s\n", p->path, flen, hex);
		}
		free(data);
	}
	if (!rc) {
		memcpy(bin + at, &pins, sizeof(pins));
		rc = eptool_write_file(out, bin, len) ? 1 : 0;
	}
	free(bin);
	return rc;
}
