/*
 * What earlypatch loads under Secure Boot: SHA-256 pins.
 *
 * The firmware verifies earlypatch.efi's signature before it runs; a signed
 * loader that then ran unverified files would be a Secure Boot bypass. So the
 * image build (images/mkesp.sh --sign, eptool pin) writes the SHA-256 of every
 * file earlypatch will read from that ESP (the config, the payload, the
 * initrd, a bzImage's setup header) into the binary's pin table before it is
 * signed: the signature covers the pins, and the pins cover the files
 * (Limine's enrolled-config-hash idea). Rules (ep_verify_plan):
 *   Secure Boot on              every file must be pinned and match; a
 *                               binary without pins loads nothing; CPUID or
 *                               feature simulation in the config is refused
 *   Secure Boot off, pins       a pinned file must match (the image is one unit)
 *   Secure Boot off, no pins    nothing is checked
 * Why pins rather than a signed PE wrapper checked with LoadImage: the pins
 * need no second signing format for payloads and work the same for the
 * config and the initrd, which are not PE files; their cost is that a new
 * payload means re-signing earlypatch (docs/security.md).
 */
#ifndef EP_VERIFY_H
#define EP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/sha256.h"

#define EP_PINS_MAGIC "earlypatch-pins1"   /* 16 bytes, no NUL: eptool pin finds the table by it */
#define EP_PINS_MAX 8
#define EP_PIN_PATH_MAX 96

struct ep_pin {
	char path[EP_PIN_PATH_MAX];   /* ESP path, '\' separated, NUL-terminated */
	uint64_t size;
	uint8_t sha256[EP_SHA256_SIZE];
};

/* The table as it lies in earlypatch.efi's data (little-endian, packed by construction). */
struct ep_pins {
	char magic[16];
	uint32_t version;             /* 1 */
	uint32_t count;
	struct ep_pin pins[EP_PINS_MAX];
};

_Static_assert(sizeof(struct ep_pin) == 136, "pin layout is part of the binary format");
_Static_assert(sizeof(struct ep_pins) == 24 + EP_PINS_MAX * 136, "pin table layout is part of the binary format");

enum ep_verify_mode {
	EP_VERIFY_NONE,      /* Secure Boot off, no pins */
	EP_VERIFY_PINNED,    /* pinned files must match */
	EP_VERIFY_REQUIRED,  /* Secure Boot on: every file pinned and matching */
};
enum ep_verify_mode ep_verify_mode(const struct ep_pins *pins, bool secure_boot);
const char *ep_verify_mode_name(enum ep_verify_mode m);

/* The pin for path (case-insensitive, as FAT is), or NULL. */
const struct ep_pin *ep_pins_find(const struct ep_pins *pins, const char *path);

/*
 * Checks one file's bytes: EP_ERR_OK, or VERIFY_NOT_PINNED / VERIFY_MISMATCH /
 * VERIFY_NO_PINS. digest gets the file's SHA-256 (for the log).
 */
enum ep_err ep_verify_file(const struct ep_pins *pins, enum ep_verify_mode mode, const char *path,
			   const uint8_t *data, size_t len, uint8_t digest[EP_SHA256_SIZE]);

/*
 * The pin table inside a loaded image (the firmware verified all of it): the
 * first 8-aligned place holding magic, version 1 and a count that fits, or
 * NULL. The caller passes its own table's magic, so the image holds no second
 * copy of it (eptool pin wants exactly one).
 */
const struct ep_pins *ep_pins_in(const uint8_t *image, size_t len, const char magic[16]);

/* Adds or replaces a pin (the image build, eptool pin); false when the table is full or path too long. */
bool ep_pins_add(struct ep_pins *pins, const char *path, const uint8_t *data, size_t len);

#endif
