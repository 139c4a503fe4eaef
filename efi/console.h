/*
 * efi/console.c: where log lines go besides memory (ConOut, debugcon, COM1), and
 * efi_log_status, the one way an EFI failure becomes a log line.
 */
#ifndef EP_EFI_CONSOLE_H
#define EP_EFI_CONSOLE_H

#include <efi.h>
#include <efilib.h>

#include "base/log.h"
#include "config/config.h"

struct efi_console {
	const struct ep_config *config;
	bool serial_ready;
};
void efi_console_sink(void *ctx, enum ep_level level, const char *line, size_t len);
/* Prints an ASCII message straight to ConOut (used before the log exists, and for fatal errors). */
void efi_console_print(const char *msg);

/* Logs an EFI failure as "E <topic> efi_status=... msg=..." and returns the status. */
EFI_STATUS efi_log_status(struct ep_log *log, EFI_STATUS status, const char *topic, const char *msg);

#endif
