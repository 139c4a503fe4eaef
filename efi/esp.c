/* Files on the ESP the app was loaded from, via the Simple File System protocol. */
#include "console.h"
#include "esp.h"
#include "lib.h"

static void fs_init(struct efi_esp *esp);

EFI_STATUS efi_esp_open(EFI_HANDLE image, struct efi_esp *esp)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	esp->root = NULL;
	esp->last_error = EFI_SUCCESS;
	fs_init(esp);
	st = efi_loaded_image(image, &loaded);
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

EFI_STATUS efi_esp_read_head(struct efi_esp *esp, const char *path, uint8_t *buf, UINTN cap, UINTN *got,
			     UINT64 *file_size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st = open_file(esp, path, EFI_FILE_MODE_READ, &f);
	if (EFI_ERROR(st))
		return st;
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info) {
		f->Close(f);
		return EFI_DEVICE_ERROR;
	}
	*file_size = info->FileSize;
	FreePool(info);
	UINTN n = cap;
	st = f->Read(f, &n, buf);
	f->Close(f);
	*got = n;
	return st;
}

/*
 * struct ep_fs_ops for core/boot/logfile.c. Each failure keeps its EFI status in
 * esp->last_error for the log line that reports it.
 */
static enum ep_fs_rc fs_fail(struct efi_esp *esp, EFI_STATUS st)
{
	esp->last_error = st;
	return EP_FS_ERROR;
}

static enum ep_fs_rc fs_open(void *ctx, const char *path, enum ep_fs_mode mode, void **file)
{
	static const UINT64 modes[] = {
		[EP_FS_READ] = EFI_FILE_MODE_READ,
		[EP_FS_WRITE] = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE,
		[EP_FS_CREATE] = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE,
	};
	EFI_FILE_HANDLE f;
	EFI_STATUS st = open_file(ctx, path, modes[mode], &f);
	if (st == EFI_NOT_FOUND)
		return EP_FS_NOT_FOUND;
	if (EFI_ERROR(st))
		return fs_fail(ctx, st);
	*file = f;
	return EP_FS_OK;
}

static enum ep_fs_rc fs_read(void *ctx, void *file, void *buf, size_t *n)
{
	EFI_FILE_HANDLE f = file;
	UINTN got = *n;
	EFI_STATUS st = f->Read(f, &got, buf);
	if (EFI_ERROR(st))
		return fs_fail(ctx, st);
	*n = got;
	return EP_FS_OK;
}

static enum ep_fs_rc fs_write(void *ctx, void *file, const void *buf, size_t *n)
{
	EFI_FILE_HANDLE f = file;
	UINTN done = *n;
	EFI_STATUS st = f->Write(f, &done, (void *)buf);
	if (EFI_ERROR(st))
		return fs_fail(ctx, st);
	if (done != *n)
		return fs_fail(ctx, EFI_VOLUME_FULL);
	return EP_FS_OK;
}

static enum ep_fs_rc fs_get_size(void *ctx, void *file, uint64_t *size)
{
	EFI_FILE_INFO *info = LibFileInfo(file);
	if (!info)
		return fs_fail(ctx, EFI_DEVICE_ERROR);
	*size = info->FileSize;
	FreePool(info);
	return EP_FS_OK;
}

/* SetInfo with the file's own EFI_FILE_INFO and a new FileSize: the FAT driver cuts the file. */
static enum ep_fs_rc fs_set_size(void *ctx, void *file, uint64_t size)
{
	EFI_FILE_HANDLE f = file;
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info)
		return fs_fail(ctx, EFI_DEVICE_ERROR);
	info->FileSize = size;
	EFI_STATUS st = f->SetInfo(f, &GenericFileInfo, info->Size, info);
	FreePool(info);
	return EFI_ERROR(st) ? fs_fail(ctx, st) : EP_FS_OK;
}

static enum ep_fs_rc fs_flush(void *ctx, void *file)
{
	EFI_FILE_HANDLE f = file;
	EFI_STATUS st = f->Flush(f);
	return EFI_ERROR(st) ? fs_fail(ctx, st) : EP_FS_OK;
}

static void fs_close(void *ctx, void *file)
{
	EFI_FILE_HANDLE f = file;
	f->Close(f);
}

/* Delete closes the handle whatever it returns; EFI_WARN_DELETE_FAILURE means the file is still there. */
static enum ep_fs_rc fs_remove(void *ctx, void *file)
{
	EFI_FILE_HANDLE f = file;
	EFI_STATUS st = f->Delete(f);
	if (st == EFI_SUCCESS)
		return EP_FS_OK;
	return EFI_ERROR(st) ? fs_fail(ctx, st) : EP_FS_NOT_DONE;
}

static void fs_init(struct efi_esp *esp)
{
	esp->fs = (struct ep_fs_ops){
		.ctx = esp,
		.open = fs_open,
		.read = fs_read,
		.write = fs_write,
		.get_size = fs_get_size,
		.set_size = fs_set_size,
		.flush = fs_flush,
		.close = fs_close,
		.remove = fs_remove,
	};
}
