/*
 * The thin EFI layer: everything here touches firmware or hardware and
 * nothing here decides. Decisions live in core/.
 */
#ifndef EP_EFI_GLUE_H
#define EP_EFI_GLUE_H

#include <efi.h>
#include <efilib.h>

#include "config.h"
#include "cpuid.h"
#include "log.h"
#include "logfile.h"

/* cpu.c — instructions */
void efi_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
uint64_t efi_rdmsr(uint32_t index);
uint64_t efi_rdtsc(void);
void efi_outb(uint16_t port, uint8_t v);
uint8_t efi_inb(uint16_t port);

/* console.c — where log lines go besides memory */
struct efi_console {
	const struct ep_config *config;
	bool serial_ready;
};
void efi_console_sink(void *ctx, enum ep_level level, const char *line, size_t len);
/* Prints an ASCII message straight to ConOut (used before the log exists, and for fatal errors). */
void efi_console_print(const char *msg);

/* esp.c — files on the ESP the app was loaded from */
struct efi_esp {
	EFI_FILE_HANDLE root;
	struct ep_fs_ops fs;    /* for core/logfile.c; set by efi_esp_open, even when it fails */
	EFI_STATUS last_error;  /* the status of the last failed fs operation */
};
EFI_STATUS efi_esp_open(EFI_HANDLE image, struct efi_esp *esp);
void efi_esp_close(struct efi_esp *esp);
/* Reads a whole file into pool memory (NUL-terminated). EFI_NOT_FOUND when absent. */
EFI_STATUS efi_esp_read(struct efi_esp *esp, const char *path, uint8_t **data, UINTN *size, UINTN max_size);

/* Logs an EFI failure as "E <topic> efi_status=... msg=..." and returns the status. */
EFI_STATUS efi_log_status(struct ep_log *log, EFI_STATUS status, const char *topic, const char *msg);

#endif
