/* The pin table, in .data and found by its magic: eptool pin writes the pins here before the
 * binary is signed (core/boot/verify.h). Linked into the app and into the packed image's stub,
 * whose copy is the one a packed earlypatch.efi shows and uses (efi/trust.c, loaded_pins). */
#include "boot/verify.h"

struct ep_pins ep_pins = {.magic = EP_PINS_MAGIC, .version = 1, .count = 0};
