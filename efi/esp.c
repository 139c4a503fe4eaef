/* Files on the ESP the app was loaded from, via the Simple File System protocol. */
#include "glue.h"

EFI_STATUS efi_esp_open(EFI_HANDLE image, struct efi_esp *esp)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	esp->root = NULL;
	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&loaded);
	if (EFI_ERROR(st))
		return st;
	st = BS->HandleProtocol(loaded->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	return fs->OpenVolume(fs, &esp->root);
}

void efi_esp_close(struct efi_esp *esp)
{
	if (esp->root)
		esp->root->Close(esp->root);
	esp->root = NULL;
}

#define PATH_MAX16 256

static bool to_path16(const char *path, CHAR16 *out)
{
	size_t i;
	for (i = 0; path[i]; i++) {
		if (i + 1 >= PATH_MAX16)
			return false;
		out[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
	}
	out[i] = 0;
	return true;
}

static EFI_STATUS open_file(struct efi_esp *esp, const char *path, UINT64 mode, EFI_FILE_HANDLE *f)
{
	CHAR16 p16[PATH_MAX16];
	if (!esp->root)
		return EFI_NOT_READY;
	if (!to_path16(path, p16))
		return EFI_INVALID_PARAMETER;
	return esp->root->Open(esp->root, f, p16, mode, 0);
}

EFI_STATUS efi_esp_read(struct efi_esp *esp, const char *path, uint8_t **data, UINTN *size, UINTN max_size)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS st = open_file(esp, path, EFI_FILE_MODE_READ, &f);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	UINT64 file_size = info->FileSize;
	FreePool(info);
	if (file_size > max_size) {
		f->Close(f);
		return EFI_BAD_BUFFER_SIZE;
	}
	UINTN n = (UINTN)file_size;
	uint8_t *buf = AllocatePool(n + 1);
	if (!buf) {
		f->Close(f);
		return EFI_OUT_OF_RESOURCES;
	}
	st = f->Read(f, &n, buf);
	f->Close(f);
	if (EFI_ERROR(st) || n != file_size) {
		FreePool(buf);
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	}
	buf[n] = 0;
	*data = buf;
	*size = n;
	return EFI_SUCCESS;
}

/* Removes a file if it exists; absence is success. */
static EFI_STATUS remove_file(struct efi_esp *esp, const char *path)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st = open_file(esp, path, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, &f);
	if (st == EFI_NOT_FOUND)
		return EFI_SUCCESS;
	if (EFI_ERROR(st))
		return st;
	/* Delete closes the handle whatever it returns. */
	return f->Delete(f);
}

EFI_STATUS efi_esp_write(struct efi_esp *esp, const char *path, const void *data, UINTN size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st = remove_file(esp, path);
	if (EFI_ERROR(st))
		return st;
	st = open_file(esp, path, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, &f);
	if (EFI_ERROR(st))
		return st;
	UINTN n = size;
	st = f->Write(f, &n, (void *)data);
	if (!EFI_ERROR(st) && n != size)
		st = EFI_VOLUME_FULL;
	EFI_STATUS fl = f->Flush(f);
	f->Close(f);
	return EFI_ERROR(st) ? st : fl;
}

EFI_STATUS efi_esp_rotate_and_write(struct efi_esp *esp, const char *path, const char *old_path,
				    const void *data, UINTN size)
{
	uint8_t *prev;
	UINTN prev_size;
	EFI_STATUS st = efi_esp_read(esp, path, &prev, &prev_size, 64 << 20);
	if (st == EFI_SUCCESS) {
		st = efi_esp_write(esp, old_path, prev, prev_size);
		FreePool(prev);
		if (EFI_ERROR(st))
			return st;
	} else if (st != EFI_NOT_FOUND) {
		return st;
	}
	return efi_esp_write(esp, path, data, size);
}
