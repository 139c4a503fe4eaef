/* Measured boot: see tpm.h. */
#include "tpm.h"

void efi_tpm_open(struct efi_tpm *t, struct ep_log *log)
{
	t->tcg2 = NULL;
	t->cc = NULL;
	t->events = 0;
	(void)log;
}

void efi_tpm_measure_file(struct efi_tpm *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log)
{
	(void)t, (void)what, (void)path, (void)data, (void)len, (void)log;
}
