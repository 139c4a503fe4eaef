/* efi/lib.c's own helpers (its other functions implement efilib.h's prototypes). */
#ifndef EP_EFI_LIB_H
#define EP_EFI_LIB_H

#include <efi.h>
#include <efilib.h>

/* image's loaded-image protocol (its device, where it runs) into *li; the firmware's status. */
EFI_STATUS efi_loaded_image(EFI_HANDLE image, EFI_LOADED_IMAGE **li);

#endif
