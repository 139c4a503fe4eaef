/* Log sinks: ConOut, the debugcon port (0xe9) and COM1. */
#include "base/util.h"
#include "console.h"
#include "cpu.h"

#define DEBUGCON_PORT 0xe9
#define COM1 0x3f8

/* One line and its CR LF in as few OutputString calls as fit (one for lines up to 254
 * characters): each call costs the graphics console a cursor erase and redraw. */
static void conout_line(const char *s, size_t len)
{
	CHAR16 buf[257];
	size_t n = 0;
	for (size_t i = 0; i <= len + 1; i++) {
		buf[n++] = i < len ? (CHAR16)(unsigned char)s[i] : i == len ? L'\r' : L'\n';
		if (n == 256 || i == len + 1) {
			buf[n] = 0;
			ST->ConOut->OutputString(ST->ConOut, buf);
			n = 0;
		}
	}
}

void efi_console_print(const char *msg)
{
	conout_line(msg, strlena((const CHAR8 *)msg));
}

static void port_write(uint16_t port, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		efi_outb(port, (uint8_t)s[i]);
}

/* COM1 at 115200 8N1; the firmware may already own it, which is harmless for output. */
static void serial_init(void)
{
	efi_outb(COM1 + 1, 0x00);
	efi_outb(COM1 + 3, 0x80);
	efi_outb(COM1 + 0, 0x01);
	efi_outb(COM1 + 1, 0x00);
	efi_outb(COM1 + 3, 0x03);
	efi_outb(COM1 + 2, 0xc7);
}

static void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		for (int spin = 0; spin < 100000 && !(efi_inb(COM1 + 5) & 0x20); spin++)
			;
		efi_outb(COM1, (uint8_t)s[i]);
	}
}

/* Higher number = less severe; a line shows when it is at least as severe as the threshold. */
static int severity(enum ep_level l)
{
	switch (l) {
	case EP_LOG_ERR: return 0;
	case EP_LOG_WARN: return 1;
	case EP_LOG_INFO: return 2;
	default: return 3;
	}
}

/*
 * The detail lines (raw CPUID leaves, hex capability words, one line per site) reach the console
 * only at log-level debug: see ep_logline_is_detail.
 */
static bool console_wants(const struct ep_config *c, enum ep_level level, const char *line, size_t len)
{
	if (!c->log_console || severity(level) > severity(c->console_level))
		return false;
	return c->console_level == EP_LOG_DEBUG || !ep_logline_is_detail(line, len);
}

void efi_console_sink(void *ctx, enum ep_level level, const char *line, size_t len)
{
	struct efi_console *con = ctx;
	const struct ep_config *c = con->config;
	if (console_wants(c, level, line, len)) {
		conout_line(line, len);
	}
	if (c->log_debugcon) {
		port_write(DEBUGCON_PORT, line, len);
		port_write(DEBUGCON_PORT, "\n", 1);
	}
	if (c->log_serial) {
		if (!con->serial_ready) {
			serial_init();
			con->serial_ready = true;
		}
		serial_write(line, len);
		serial_write("\r\n", 2);
	}
}

EFI_STATUS efi_log_status(struct ep_log *log, EFI_STATUS status, const char *topic, const char *msg)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, topic);
	ep_kv_hex(&l, "efi_status", status);
	ep_kv_str(&l, "msg", msg);
	ep_line_end(&l);
	return status;
}
