/* A stock Linux kernel through the 64-bit entry: see linux.h. */
#include "base/util.h"
#include "console.h"
#include "elf/elf.h"
#include "linux.h"
#include "trust.h"

#define KERNEL_MAX_FILE (512u << 20)
#define INITRD_MAX_FILE (1024u << 20)
#define SETUP_MAX_FILE (64u << 10)
#define HEAD_SIZE 4096u
#define BELOW_4G 0xffffffffull
#define SLIDE_LIMIT (4ull << 30)
#define MAP_SLACK_ENTRIES 64u  /* E820 room beyond the map's descriptors at prepare time */

void ep_linux_enter(uint64_t entry, uint64_t boot_params, uint64_t stack_top); /* efi/trampoline.S */

static EFI_STATUS log_err(struct ep_log *log, const char *what, const char *path, enum ep_err err)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "linux");
	ep_kv_str(&l, "what", what);
	if (path)
		ep_kv_str(&l, "file", path);
	ep_kv_err(&l, err);
	ep_line_end(&l);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS log_efi(struct ep_log *log, const char *what, const char *path, EFI_STATUS st, const char *msg)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_ERR, "linux");
	ep_kv_str(&l, "what", what);
	if (path)
		ep_kv_str(&l, "file", path);
	ep_kv_hex(&l, "efi_status", st);
	ep_kv_str(&l, "msg", msg);
	ep_line_end(&l);
	return st;
}

bool efi_linux_detect(struct efi_esp *esp, const char *path, enum ep_payload_kind *kind)
{
	static uint8_t head[HEAD_SIZE];
	UINTN got = 0;
	UINT64 size = 0;
	*kind = EP_PAYLOAD_EARLYPATCH;
	if (EFI_ERROR(efi_esp_read_head(esp, path, head, sizeof(head), &got, &size)))
		return false; /* the ELF loader reports it */
	*kind = ep_payload_kind(head, got);
	return *kind != EP_PAYLOAD_EARLYPATCH;
}

static EFI_STATUS alloc_below_4g(UINTN bytes, EFI_MEMORY_TYPE type, EFI_PHYSICAL_ADDRESS *addr)
{
	*addr = BELOW_4G;
	return BS->AllocatePages(AllocateMaxAddress, type, (bytes + 4095) / 4096, addr);
}

/* At p_paddr when free, else the first free 2 MiB-aligned slide above it (head_64.S relocates itself). */
static EFI_STATUS place_kernel(struct efi_linux *lx, struct ep_log *log)
{
	uint64_t span = lx->k.phys_end - lx->k.phys_start;
	lx->pages = (UINTN)((span + 4095) / 4096);
	for (uint64_t at = lx->k.phys_start; at + span <= SLIDE_LIMIT; at += EP_VMLINUX_ALIGN) {
		EFI_PHYSICAL_ADDRESS a = at;
		if (!EFI_ERROR(BS->AllocatePages(AllocateAddress, EfiLoaderCode, lx->pages, &a))) {
			lx->base = a;
			lx->slide = a - lx->k.phys_start;
			return EFI_SUCCESS;
		}
	}
	lx->pages = 0;
	return log_efi(log, "kernel", NULL, EFI_OUT_OF_RESOURCES, "no free 2 MiB-aligned range below 4 GiB for the kernel");
}

/* Stage 1 and stage 2 for Linux on the file view: the bytes eptool patches on the host. */
static EFI_STATUS prepatch(const struct efi_linux_in *in, struct efi_linux *lx, uint8_t *file, UINTN size)
{
	struct ep_image img;
	struct ep_patch_failure fail;
	size_t need = 0;
	enum ep_err err = ep_elf_view_kernel(file, size, &img);
	if (err)
		return log_err(in->log, "kernel", in->config->payload, err);
	ep_lcaps_derive_logged(in->real_cpuid, lx->k.version, in->config->cmdline, &lx->caps, in->log);
	ep_prepatch_init(&lx->pp, &lx->k, in->config->prepatch, in->real_cpuid, in->hc->mechanism, in->config->cmdline,
			 in->facts->caps, EP_NCAPINTS, in->log);
	lx->pp.write = efi_tpm_recorder(&in->trust->tpm, "linux", in->hc->mechanism,
					ep_prepatch_mode_name(in->config->prepatch), 0, &lx->pp.write_ctx);
	err = ep_prepatch_arena_size(&img, &lx->k, &lx->pp, &need);
	if (err)
		return log_err(in->log, "prepatch", in->config->payload, err);
	void *arena = AllocatePool(need ? need : 1);
	if (!arena)
		return log_efi(in->log, "prepatch", NULL, EFI_OUT_OF_RESOURCES, "cannot allocate the patch plan");
	err = ep_prepatch_apply(&img, &lx->k, &lx->pp, arena, need, in->log, &lx->early, &lx->full, &fail);
	FreePool(arena);
	if (err) {
		struct ep_line l;
		ep_line_begin(&l, in->log, EP_LOG_ERR, "patch");
		ep_kv_str(&l, "stage", "linux");
		ep_kv_err(&l, err);
		ep_kv_str(&l, "result", "nothing patched, no handoff");
		ep_line_end(&l);
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

static void log_kernel(struct ep_log *log, const char *path, const struct efi_linux *lx, UINTN size)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "payload");
	ep_kv_str(&l, "kind", "linux");
	ep_kv_str(&l, "file", path);
	ep_kv_u(&l, "bytes", size);
	ep_kv_str(&l, "release", lx->k.release);
	ep_kv_str(&l, "abi", lx->k.abi->name);
	ep_kv_u(&l, "alt_entries", lx->k.alt_entries);
	ep_kv_hex(&l, "phys_start", lx->k.phys_start);
	ep_kv_hex(&l, "phys_end", lx->k.phys_end);
	ep_kv_hex(&l, "base", lx->base);
	ep_kv_hex(&l, "slide", lx->slide);
	ep_kv_hex(&l, "entry", lx->k.entry + lx->slide);
	ep_line_end(&l);
}

/* Headers first, so the range is allocated before the (large) file is read. */
static EFI_STATUS load_kernel(const struct efi_linux_in *in, struct efi_linux *lx)
{
	const char *path = in->config->payload;
	static uint8_t head[HEAD_SIZE];
	UINTN got = 0, size = 0;
	UINT64 file_size = 0;
	uint8_t *file = NULL;
	EFI_STATUS st = efi_esp_read_head(in->esp, path, head, sizeof(head), &got, &file_size);
	if (EFI_ERROR(st))
		return log_efi(in->log, "kernel", path, st, "cannot read the kernel");
	enum ep_err err = ep_vmlinux_parse_headers(head, got, file_size, &lx->k);
	if (err)
		return log_err(in->log, "kernel", path, err);
	st = place_kernel(lx, in->log);
	if (EFI_ERROR(st))
		return st;
	st = efi_esp_read(in->esp, path, &file, &size, KERNEL_MAX_FILE);
	if (EFI_ERROR(st)) {
		st = log_efi(in->log, "kernel", path, st, "cannot read the kernel");
		goto out;
	}
	st = efi_trust_file(in->trust, "payload", path, file, size, in->log);
	if (EFI_ERROR(st))
		goto out;
	err = ep_vmlinux_parse(file, size, &lx->k);
	if (err) {
		st = log_err(in->log, "kernel", path, err);
		goto out;
	}
	log_kernel(in->log, path, lx, size);
	st = prepatch(in, lx, file, size);
	if (!EFI_ERROR(st)) {
		ep_vmlinux_copy(file, &lx->k, (uint8_t *)(UINTN)lx->base);
		efi_tpm_measure_patched(&in->trust->tpm, "linux", (const void *)(UINTN)lx->base,
					lx->k.phys_end - lx->k.phys_start, lx->base, in->log);
	}
out:
	if (file)
		FreePool(file);
	if (EFI_ERROR(st)) {
		BS->FreePages(lx->base, lx->pages);
		lx->pages = 0;
	}
	return st;
}

/* The setup header: a bzImage's (unpacked on the host next to the vmlinux), else synthesised. */
static EFI_STATUS init_zero_page(const struct efi_linux_in *in, struct efi_linux *lx)
{
	EFI_PHYSICAL_ADDRESS page;
	uint8_t *setup = NULL;
	UINTN setup_len = 0;
	const char *path = in->config->linux_setup[0] ? in->config->linux_setup : NULL;
	EFI_STATUS st = alloc_below_4g(EP_BP_SIZE, EfiLoaderData, &page);
	if (EFI_ERROR(st))
		return log_efi(in->log, "boot_params", NULL, st, "cannot allocate the zero page");
	lx->bp = (uint8_t *)(UINTN)page;
	if (path) {
		st = efi_esp_read(in->esp, path, &setup, &setup_len, SETUP_MAX_FILE);
		if (EFI_ERROR(st))
			return log_efi(in->log, "setup", path, st, "cannot read the bzImage setup header");
		st = efi_trust_file(in->trust, "linux-setup", path, setup, setup_len, in->log);
		if (EFI_ERROR(st)) {
			FreePool(setup);
			return st;
		}
	}
	enum ep_err err = ep_bp_init(lx->bp, setup, setup_len, &lx->hdr);
	if (setup)
		FreePool(setup);
	if (err)
		return log_err(in->log, "setup", path, err);
	if (lx->slide % (lx->hdr.kernel_alignment ? lx->hdr.kernel_alignment : 1))
		return log_err(in->log, "kernel", NULL, EP_ERR_LINUX_MISALIGNED);
	ep_bp_set_acpi_rsdp(lx->bp, in->acpi_rsdp);
	ep_bp_set_cc_blob(lx->bp, in->cc_blob);
	ep_bp_set_secure_boot(lx->bp, in->trust->secure_boot);
	return EFI_SUCCESS;
}

static EFI_STATUS set_cmdline(const struct efi_linux_in *in, struct efi_linux *lx)
{
	const char *cmdline = in->config->cmdline;
	size_t len = ep_strlen(cmdline);
	EFI_STATUS st = alloc_below_4g(len + 1, EfiLoaderData, &lx->cmdline);
	if (EFI_ERROR(st)) {
		lx->cmdline = 0;
		return log_efi(in->log, "cmdline", NULL, st, "cannot allocate the command line");
	}
	lx->cmdline_bytes = len + 1;
	ep_memcpy((void *)(UINTN)lx->cmdline, cmdline, len + 1);
	enum ep_err err = ep_bp_set_cmdline(lx->bp, &lx->hdr, lx->cmdline, len);
	if (err) {
		struct ep_line l;
		ep_line_begin(&l, in->log, EP_LOG_ERR, "linux");
		ep_kv_str(&l, "what", "cmdline");
		ep_kv_u(&l, "length", len);
		ep_kv_u(&l, "cmdline_size", lx->hdr.cmdline_size);
		ep_kv_err(&l, err);
		ep_line_end(&l);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* Read into pool, then copied into pages below the kernel's initrd limit. */
static EFI_STATUS load_initrd(const struct efi_linux_in *in, struct efi_linux *lx)
{
	const char *path = in->config->initrd;
	uint8_t *data;
	UINTN size;
	if (!path[0])
		return EFI_SUCCESS;
	EFI_STATUS st = efi_esp_read(in->esp, path, &data, &size, INITRD_MAX_FILE);
	if (EFI_ERROR(st))
		return log_efi(in->log, "initrd", path, st, st == EFI_NOT_FOUND ? "initrd not found on the ESP"
										  : "cannot read the initrd");
	st = efi_trust_file(in->trust, "initrd", path, data, size, in->log);
	if (EFI_ERROR(st)) {
		FreePool(data);
		return st;
	}
	uint64_t limit = ep_bp_initrd_limit(&lx->hdr);
	lx->initrd = (limit > BELOW_4G + 1 ? BELOW_4G + 1 : limit) - 1;
	st = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, (size + 4095) / 4096, &lx->initrd);
	enum ep_err err = EFI_ERROR(st) ? EP_ERR_LINUX_INITRD_TOO_HIGH
					: ep_bp_set_initrd(lx->bp, &lx->hdr, lx->initrd, size);
	if (err) {
		if (!EFI_ERROR(st))
			BS->FreePages(lx->initrd, (size + 4095) / 4096);
		lx->initrd = 0;
		FreePool(data);
		return log_err(in->log, "initrd", path, err);
	}
	ep_memcpy((void *)(UINTN)lx->initrd, data, size);
	FreePool(data);
	lx->initrd_size = size;
	struct ep_line l;
	ep_line_begin(&l, in->log, EP_LOG_INFO, "linux");
	ep_kv_str(&l, "what", "initrd");
	ep_kv_str(&l, "file", path);
	ep_kv_hex(&l, "addr", lx->initrd);
	ep_kv_u(&l, "bytes", size);
	ep_line_end(&l);
	return EFI_SUCCESS;
}

/* A refused kernel gives every page back: the firmware goes on to its next boot option. */
static void free_all(struct efi_linux *lx)
{
	if (lx->pages)
		BS->FreePages(lx->base, lx->pages);
	if (lx->bp)
		BS->FreePages((EFI_PHYSICAL_ADDRESS)(UINTN)lx->bp, 1);
	if (lx->cmdline)
		BS->FreePages(lx->cmdline, (lx->cmdline_bytes + 4095) / 4096);
	if (lx->initrd_size)
		BS->FreePages(lx->initrd, (lx->initrd_size + 4095) / 4096);
	lx->pages = 0, lx->bp = NULL, lx->cmdline = 0, lx->initrd_size = 0;
}

EFI_STATUS efi_linux_load(const struct efi_linux_in *in, struct efi_linux *lx)
{
	ep_memset(lx, 0, sizeof(*lx));
	lx->systab = (uint64_t)(UINTN)ST;
	EFI_STATUS st = load_kernel(in, lx);
	if (!EFI_ERROR(st))
		st = init_zero_page(in, lx);
	if (!EFI_ERROR(st))
		st = set_cmdline(in, lx);
	if (!EFI_ERROR(st))
		st = load_initrd(in, lx);
	if (!EFI_ERROR(st))
		efi_tpm_linux_eventlog(&in->trust->tpm, in->log);
	else
		free_all(lx);
	return st;
}

/* The map as handed over, one D line per descriptor (tests/data/memmap records such maps). */
static void log_memmap(struct ep_log *log, const uint8_t *map, UINTN size, UINTN desc_size)
{
	for (UINTN off = 0; desc_size >= sizeof(EFI_MEMORY_DESCRIPTOR) && off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_DEBUG, "memmap");
		ep_kv_u(&l, "type", d->Type);
		ep_kv_hex(&l, "start", d->PhysicalStart);
		ep_kv_u(&l, "pages", d->NumberOfPages);
		ep_kv_hex(&l, "attr", d->Attribute);
		ep_line_end(&l);
	}
}

/* With each final map: E820 and efi_info into the zero page (pure: no boot services). */
static EFI_STATUS map_ready(void *ctx, const void *map, UINTN size, UINTN desc_size, UINT32 desc_version)
{
	struct efi_linux *lx = ctx;
	log_memmap(lx->log, map, size, desc_size);
	struct ep_bp_memmap m = {
		.map = map, .map_size = size, .desc_size = desc_size, .desc_version = desc_version,
		.map_addr = (uint64_t)(UINTN)map, .systab = lx->systab,
		.ext = (uint8_t *)(UINTN)lx->ext, .ext_cap = lx->ext_pages * 4096, .ext_addr = lx->ext,
		.scratch = lx->scratch, .scratch_cap = lx->scratch_cap,
	};
	return ep_bp_set_memmap(lx->bp, &m, &lx->e820_entries) == EP_ERR_OK ? EFI_SUCCESS : EFI_BUFFER_TOO_SMALL;
}

EFI_STATUS efi_linux_prepare_handoff(struct efi_linux *lx, struct efi_handoff *h, struct ep_log *log)
{
	/* Every descriptor the map buffer can hold may become its own E820 entry. */
	lx->scratch_cap = (unsigned)(h->memmap_cap / sizeof(EFI_MEMORY_DESCRIPTOR)) + MAP_SLACK_ENTRIES;
	lx->scratch = AllocatePool(lx->scratch_cap * sizeof(*lx->scratch));
	lx->ext_pages = (ep_bp_e820_ext_size(lx->scratch_cap) + 4095) / 4096;
	EFI_STATUS st = lx->scratch ? alloc_below_4g(lx->ext_pages * 4096, EfiLoaderData, &lx->ext)
				    : EFI_OUT_OF_RESOURCES;
	if (EFI_ERROR(st))
		return efi_log_status(log, st, "linux", "cannot allocate the E820 tables");
	lx->log = log;
	h->map_ready = map_ready;
	h->map_ready_ctx = lx;
	return EFI_SUCCESS;
}

void efi_linux_log_handoff(const struct efi_linux *lx, const struct efi_handoff *h, struct ep_log *log)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "handoff");
	ep_kv_str(&l, "mode", "linux-64");
	ep_kv_hex(&l, "entry", lx->k.entry + lx->slide);
	ep_kv_hex(&l, "boot_params", (uint64_t)(UINTN)lx->bp);
	ep_kv_hex(&l, "cmdline", lx->cmdline);
	ep_kv_hex(&l, "initrd", lx->initrd);
	ep_kv_u(&l, "initrd_bytes", lx->initrd_size);
	ep_kv_hex(&l, "boot_protocol", lx->hdr.version);
	ep_kv_bool(&l, "bzimage_header", lx->hdr.from_bzimage);
	ep_kv_hex(&l, "stack_top", h->stack + EP_BOOT_STACK_SIZE);
	ep_line_end(&l);
}

void efi_linux_enter(const struct efi_linux *lx, const struct efi_handoff *h)
{
	ep_linux_enter(lx->k.entry + lx->slide, (uint64_t)(UINTN)lx->bp, h->stack + EP_BOOT_STACK_SIZE);
}
