/* SHA-256 pins of the files earlypatch loads: see verify.h for the rules. */
#include "base/util.h"
#include "boot/verify.h"

enum ep_verify_mode ep_verify_mode(const struct ep_pins *pins, bool secure_boot)
{
	if (secure_boot)
		return EP_VERIFY_REQUIRED;
	return pins && pins->count ? EP_VERIFY_PINNED : EP_VERIFY_NONE;
}

const char *ep_verify_mode_name(enum ep_verify_mode m)
{
	static const char *const names[] = {"none", "pinned", "required"};
	return (unsigned)m < EP_ARRAY_SIZE(names) ? names[m] : "?";
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == '/' ? '\\' : c; }

static bool same_path(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

const struct ep_pin *ep_pins_find(const struct ep_pins *pins, const char *path)
{
	unsigned n = pins->count < EP_PINS_MAX ? pins->count : EP_PINS_MAX;
	for (unsigned i = 0; i < n; i++)
		if (ep_strnlen(pins->pins[i].path, EP_PIN_PATH_MAX) < EP_PIN_PATH_MAX && same_path(pins->pins[i].path, path))
			return &pins->pins[i];
	return NULL;
}

enum ep_err ep_verify_file(const struct ep_pins *pins, enum ep_verify_mode mode, const char *path,
			   const uint8_t *data, size_t len, uint8_t digest[EP_SHA256_SIZE])
{
	ep_sha256(data, len, digest);
	if (mode == EP_VERIFY_NONE)
		return EP_ERR_OK;
	if (mode == EP_VERIFY_REQUIRED && (!pins || !pins->count))
		return EP_ERR_VERIFY_NO_PINS;
	const struct ep_pin *pin = ep_pins_find(pins, path);
	if (!pin)
		return mode == EP_VERIFY_REQUIRED ? EP_ERR_VERIFY_NOT_PINNED : EP_ERR_OK;
	if (pin->size != len || ep_memcmp(pin->sha256, digest, EP_SHA256_SIZE) != 0)
		return EP_ERR_VERIFY_MISMATCH;
	return EP_ERR_OK;
}

const struct ep_pins *ep_pins_in(const uint8_t *image, size_t len, const char magic[16])
{
	for (size_t at = 0; len >= sizeof(struct ep_pins) && at <= len - sizeof(struct ep_pins); at += 8) {
		const struct ep_pins *t = (const struct ep_pins *)(image + at);
		if (image[at] == magic[0] && !ep_memcmp(t->magic, magic, sizeof(t->magic)) && t->version == 1 &&
		    t->count <= EP_PINS_MAX)
			return t;
	}
	return NULL;
}

bool ep_pins_add(struct ep_pins *pins, const char *path, const uint8_t *data, size_t len)
{
	size_t n = ep_strlen(path);
	if (n >= EP_PIN_PATH_MAX)
		return false;
	struct ep_pin *pin = (struct ep_pin *)ep_pins_find(pins, path);
	if (!pin) {
		if (pins->count >= EP_PINS_MAX)
			return false;
		pin = &pins->pins[pins->count++];
	}
	ep_memset(pin, 0, sizeof(*pin));
	for (size_t i = 0; i < n; i++)
		pin->path[i] = path[i] == '/' ? '\\' : path[i];
	pin->size = len;
	ep_sha256(data, len, pin->sha256);
	return true;
}
