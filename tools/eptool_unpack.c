/*
 * eptool unpack EFI_APP -o OUT
 *
 * Writes the application a packed earlypatch.efi carries (docs/performance.md#packing),
 * decoded and checked exactly as the firmware's stub does (core/pack: the gzip member,
 * its CRC-32 and size, then the PE headers and sections), and prints one line:
 *   I unpack packed=N bytes=M crc32=0x... image=S entry=0x...
 * An unpacked earlypatch.efi (PACK=0) or a damaged one is refused by name; nothing is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eptool.h"
#include "pack/inflate.h"
#include "pack/packed.h"
#include "pack/pe.h"

static int usage(void)
{
	fprintf(stderr, "usage: eptool unpack EFI_APP -o OUT\n");
	return 2;
}

/* The decoded application in *app (malloc'd), or an error named on stderr. */
static int unpack(const uint8_t *bin, size_t len, uint8_t **app, size_t *app_len, size_t *packed)
{
	size_t at;
	uint32_t size;
	if (!ep_packed_find(bin, len, &at, packed)) {
		fprintf(stderr, "eptool unpack: no packed application (an earlypatch.efi built with PACK=0?)\n");
		return 1;
	}
	enum ep_err err = ep_gzip_size(bin + at, *packed, &size);
	if (!err && size > EP_PE_MAX_IMAGE)
		err = EP_ERR_PE_BAD_HEADER;
	*app = err ? NULL : malloc(size ? size : 1);
	if (!err && !*app)
		return fprintf(stderr, "eptool unpack: out of memory\n"), 1;
	struct ep_pe pe;
	if (!err)
		err = ep_gunzip(bin + at, *packed, *app, size, app_len);
	if (!err)
		err = ep_pe_parse(*app, *app_len, &pe);
	if (err) {
		fprintf(stderr, "eptool unpack: %s: %s\n", ep_err_name(err), ep_err_message(err));
		free(*app);
		return 1;
	}
	printf("I unpack packed=%zu bytes=%zu crc32=0x%08x image=%u entry=0x%x\n", *packed, *app_len,
	       ep_crc32(0, *app, *app_len), pe.size_of_image, pe.entry);
	return 0;
}

int eptool_unpack(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!in)
			in = argv[i];
		else
			return usage();
	}
	if (!in || !out)
		return usage();
	size_t len, app_len, packed;
	uint8_t *bin = (uint8_t *)eptool_read_file(in, &len), *app = NULL;
	if (!bin)
		return 1;
	int rc = unpack(bin, len, &app, &app_len, &packed);
	if (!rc)
		rc = eptool_write_file(out, app, app_len) ? 1 : 0;
	free(app);
	free(bin);
	return rc;
}
