/*
 * The few gnu-efi library services earlypatch uses, on the boot services
 * directly. Linking gnu-efi's libefi for them pulled in its whole runtime
 * (Print, device-path text, handle searches: ~29 KB of the image,
 * docs/performance.md); only libgnuefi's self-relocation (_relocate, called by
 * crt0) is still linked. The prototypes are efilib.h's, so callers are unchanged.
 */
#include <efi.h>
#include <efilib.h>

#include "base/util.h"
#include "lib.h"

EFI_SYSTEM_TABLE *ST;
EFI_BOOT_SERVICES *BS;
EFI_RUNTIME_SERVICES *RT;

EFI_GUID gEfiFileInfoGuid = EFI_FILE_INFO_ID;
EFI_GUID gEfiGlobalVariableGuid = EFI_GLOBAL_VARIABLE;
EFI_GUID gEfiLoadedImageProtocolGuid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
EFI_GUID gEfiSimpleFileSystemProtocolGuid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;

VOID InitializeLib(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	(void)image;
	ST = systab;
	BS = systab->BootServices;
	RT = systab->RuntimeServices;
}

VOID *AllocatePool(UINTN size)
{
	VOID *p = NULL;
	return EFI_ERROR(BS->AllocatePool(EfiLoaderData, size, &p)) ? NULL : p;
}

VOID *AllocateZeroPool(UINTN size)
{
	VOID *p = AllocatePool(size);
	if (p)
		ep_memset(p, 0, size);
	return p;
}

VOID FreePool(VOID *p)
{
	if (p)
		BS->FreePool(p);
}

/* The file's EFI_FILE_INFO from the pool (the caller frees it), or NULL. The first
 * call asks for the size: the info ends in the file name, of any length. */
EFI_FILE_INFO *LibFileInfo(EFI_FILE_HANDLE f)
{
	UINTN size = 0;
	EFI_STATUS st = f->GetInfo(f, &gEfiFileInfoGuid, &size, NULL);
	if (st != EFI_BUFFER_TOO_SMALL || size < sizeof(EFI_FILE_INFO))
		return NULL;
	EFI_FILE_INFO *info = AllocatePool(size);
	if (info && EFI_ERROR(f->GetInfo(f, &gEfiFileInfoGuid, &size, info))) {
		FreePool(info);
		info = NULL;
	}
	return info;
}

EFI_STATUS efi_loaded_image(EFI_HANDLE image, EFI_LOADED_IMAGE **li)
{
	*li = NULL;
	EFI_STATUS st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)li);
	return !EFI_ERROR(st) && !*li ? EFI_NOT_FOUND : st;
}

UINTN strlena(const CHAR8 *s)
{
	return ep_strlen((const char *)s);
}
