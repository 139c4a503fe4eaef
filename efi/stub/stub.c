/*
 * The packed earlypatch.efi (docs/performance.md#packing): this stub carries
 * the real application as one gzip member (packed.S) and the pin table
 * (efi/pins.c). It inflates the application, lays it out as the firmware's
 * loader would (core/pack/pe.c), and calls its entry point with its own image
 * handle, so the application sees this image's device (the ESP) and pins.
 * The firmware verified (Secure Boot) and measured this whole file, packed
 * bytes included, before it ran: nothing unverified runs.
 * A damaged image gives a named error on the console and an EFI error back to
 * the firmware. No gnu-efi library: only the boot services.
 */
#include <efi.h>

#include "pack/inflate.h"
#include "pack/pe.h"

extern const uint8_t ep_packed[], ep_packed_end[];

typedef EFI_STATUS(EFIAPI *efi_entry)(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* The names of the errors the stub can meet (core/base/errors_pack.h), here rather than through
 * ep_err_name: core/base/errors.c's tables of every error are ~8 KB the stub's file would carry. */
static const CHAR16 *error_name(enum ep_err err)
{
	switch (err) {
	case EP_ERR_NO_SPACE: return L"NO_SPACE (the image is larger than its gzip size says)";
	case EP_ERR_INFLATE_TRUNCATED: return L"INFLATE_TRUNCATED";
	case EP_ERR_INFLATE_BAD_BLOCK: return L"INFLATE_BAD_BLOCK";
	case EP_ERR_INFLATE_BAD_CODE: return L"INFLATE_BAD_CODE";
	case EP_ERR_INFLATE_BAD_DISTANCE: return L"INFLATE_BAD_DISTANCE";
	case EP_ERR_GZIP_BAD: return L"GZIP_BAD";
	case EP_ERR_GZIP_CRC: return L"GZIP_CRC";
	case EP_ERR_PE_BAD_HEADER: return L"PE_BAD_HEADER";
	case EP_ERR_PE_BAD_SECTION: return L"PE_BAD_SECTION";
	case EP_ERR_PE_BAD_RELOC: return L"PE_BAD_RELOC";
	default: return L"?";
	}
}

/* The one line a failed stub prints, in the log's format (docs/log-format.md, topic "pack"). */
static EFI_STATUS fail(EFI_SYSTEM_TABLE *st, EFI_STATUS status, const CHAR16 *what, const CHAR16 *detail)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = st->ConOut;
	if (out) {
		out->OutputString(out, (CHAR16 *)L"E pack err=");
		out->OutputString(out, (CHAR16 *)detail);
		out->OutputString(out, (CHAR16 *)L" msg=\"");
		out->OutputString(out, (CHAR16 *)what);
		out->OutputString(out, (CHAR16 *)L"\"\r\n");
	}
	return status;
}

static EFI_STATUS no_memory(EFI_SYSTEM_TABLE *st)
{
	return fail(st, EFI_OUT_OF_RESOURCES, L"no memory to unpack earlypatch.efi", L"EFI_OUT_OF_RESOURCES");
}

static EFI_STATUS damaged(EFI_SYSTEM_TABLE *st, enum ep_err err)
{
	return fail(st, err == EP_ERR_GZIP_CRC ? EFI_CRC_ERROR : EFI_LOAD_ERROR,
		    L"earlypatch.efi is damaged: its packed application does not decode", error_name(err));
}

/* The application's file, inflated into the pool; its size in *len. */
static EFI_STATUS inflate_app(EFI_SYSTEM_TABLE *st, uint8_t **file, size_t *len)
{
	size_t packed = (size_t)(ep_packed_end - ep_packed);
	uint32_t size;
	enum ep_err err = ep_gzip_size(ep_packed, packed, &size);
	if (!err && size > EP_PE_MAX_IMAGE)
		err = EP_ERR_PE_BAD_HEADER;
	if (err)
		return damaged(st, err);
	if (EFI_ERROR(st->BootServices->AllocatePool(EfiLoaderData, size ? size : 1, (void **)file)))
		return no_memory(st);
	err = ep_gunzip(ep_packed, packed, *file, size, len);
	if (err) {
		st->BootServices->FreePool(*file);
		return damaged(st, err);
	}
	return EFI_SUCCESS;
}

/* Called by gnu-efi's crt0 (_start), which relocates the stub first; SysV ABI, as crt0 calls it. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	uint8_t *file;
	size_t len;
	EFI_STATUS status = inflate_app(st, &file, &len);
	if (EFI_ERROR(status))
		return status;
	struct ep_pe pe;
	EFI_PHYSICAL_ADDRESS mem = 0;
	enum ep_err err = ep_pe_parse(file, len, &pe);
	UINTN pages = EFI_SIZE_TO_PAGES(pe.size_of_image);
	if (!err && EFI_ERROR(bs->AllocatePages(AllocateAnyPages, EfiLoaderCode, pages, &mem))) {
		bs->FreePool(file);
		return no_memory(st);
	}
	if (!err)
		err = ep_pe_load(file, &pe, (uint8_t *)(UINTN)mem, mem);
	bs->FreePool(file);
	if (err) {
		if (mem)
			bs->FreePages(mem, pages);
		return damaged(st, err);
	}
	status = ((efi_entry)(UINTN)(mem + pe.entry))(image, st);
	bs->FreePages(mem, pages); /* the application returned: it failed, or was told to (on-exit) */
	return status;
}
