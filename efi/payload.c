/* Loading the payload ELF from the ESP into pages the firmware allocates. */
#include "base/util.h"
#include "console.h"
#include "elf/defs.h"
#include "elf/elf.h"
#include "payload.h"
#include "trust.h"

#define PAYLOAD_MAX_FILE (256u << 20)

static void log_elf_error(struct ep_log *log, const char *path, enum ep_err err)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "payload");
	ep_kv_str(&l, "file", path);
	ep_kv_err(&l, err);
	ep_line_end(&l);
}

/* The pages core/ says the image needs: at its link address (ET_EXEC) or anywhere (PIE). */
static EFI_STATUS allocate(struct efi_payload *p, uint64_t *room)
{
	struct ep_elf_placement pl;
	ep_elf_placement(&p->info, &pl);
	p->pages = (UINTN)pl.pages;
	p->alloc = pl.alloc_start;
	EFI_STATUS st = BS->AllocatePages(pl.fixed ? AllocateAddress : AllocateAnyPages, EfiLoaderCode, p->pages,
					  &p->alloc);
	if (!EFI_ERROR(st))
		p->base = ep_elf_placement_base(&p->info, &pl, p->alloc, room);
	return st;
}

static void log_loaded(struct ep_log *log, const char *path, const struct efi_payload *p)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "payload");
	ep_kv_str(&l, "file", path);
	ep_kv_u(&l, "bytes", p->file_size);
	ep_kv_str(&l, "type", p->info.type == ELF_ET_EXEC ? "exec" : "pie");
	ep_kv_hex(&l, "link_base", p->info.link_base);
	ep_kv_hex(&l, "base", p->img.load_base);
	ep_kv_hex(&l, "span", p->info.span);
	ep_kv_hex(&l, "entry", p->img.entry);
	ep_kv_u(&l, "segments", p->info.nsegs);
	ep_kv_u(&l, "sections", p->info.nsecs);
	ep_kv_u(&l, "relocs", p->info.nrela);
	ep_kv_u(&l, "symbols", p->info.nsyms);
	ep_line_end(&l);
}

EFI_STATUS efi_payload_load(struct efi_esp *esp, struct efi_trust *trust, const char *path, struct efi_payload *p,
			    struct ep_log *log)
{
	EFI_STATUS st;
	enum ep_err err;
	ep_memset(p, 0, sizeof(*p));
	st = efi_esp_read(esp, path, &p->file, &p->file_size, PAYLOAD_MAX_FILE);
	if (EFI_ERROR(st)) {
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_ERR, "payload");
		ep_kv_str(&l, "file", path);
		ep_kv_hex(&l, "efi_status", st);
		ep_kv_str(&l, "msg", st == EFI_NOT_FOUND ? "payload not found on the ESP" : "cannot read the payload");
		ep_line_end(&l);
		return st;
	}
	st = efi_trust_file(trust, "payload", path, p->file, p->file_size, log);
	if (EFI_ERROR(st))
		return st;
	err = ep_elf_parse(p->file, p->file_size, &p->img, &p->info);
	if (err != EP_ERR_OK) {
		log_elf_error(log, path, err);
		return EFI_LOAD_ERROR;
	}
	uint64_t room = 0;
	st = allocate(p, &room);
	if (EFI_ERROR(st)) {
		p->pages = 0;
		return efi_log_status(log, st, "payload", "cannot allocate pages for the payload");
	}
	err = ep_elf_load(p->file, p->file_size, &p->img, (uint8_t *)(UINTN)p->base, room, p->base);
	if (err != EP_ERR_OK) {
		log_elf_error(log, path, err);
		efi_payload_free(p);
		return EFI_LOAD_ERROR;
	}
	log_loaded(log, path, p);
	return EFI_SUCCESS;
}

void efi_payload_free(struct efi_payload *p)
{
	if (p->pages)
		BS->FreePages(p->alloc, p->pages);
	p->pages = 0;
	/* The file buffer stays: the image's symbol pointers refer into it. */
}
