/* The Linux zero page for the 64-bit entry: see bootparams.h. */
#include "base/util.h"
#include "linux/bootparams.h"

#define SYNTH_VERSION 0x020fu         /* protocol 2.15: what Debian's 6.1 and 6.12 bzImages declare */
#define SYNTH_CMDLINE_SIZE 2047u      /* COMMAND_LINE_SIZE (2048) less the NUL */
#define SYNTH_INITRD_MAX 0x7fffffffu
#define HDR_END_MAX 0x281u            /* 0x202 + the largest jump (0x7f) */

static void put16(uint8_t *bp, unsigned off, uint16_t v) { bp[off] = (uint8_t)v, bp[off + 1] = (uint8_t)(v >> 8); }

static void synthesise(uint8_t *bp)
{
	put16(bp, EP_BP_BOOT_FLAG, 0xaa55);
	ep_put_le32(bp + EP_BP_HEADER, EP_BP_HDRS_MAGIC);
	put16(bp, EP_BP_VERSION, SYNTH_VERSION);
	ep_put_le32(bp + EP_BP_INITRD_ADDR_MAX, SYNTH_INITRD_MAX);
	ep_put_le32(bp + EP_BP_KERNEL_ALIGNMENT, 2u << 20);
	bp[EP_BP_RELOCATABLE] = 1;
	put16(bp, EP_BP_XLOADFLAGS, EP_XLF_KERNEL_64 | EP_XLF_CAN_BE_LOADED_ABOVE_4G);
	ep_put_le32(bp + EP_BP_CMDLINE_SIZE, SYNTH_CMDLINE_SIZE);
}

/* A bzImage's header: where it ends is 0x202 plus the jump at 0x200 (eb XX). */
static enum ep_err copy_header(uint8_t *bp, const uint8_t *setup, size_t len)
{
	if (len < EP_BP_VERSION + 2 || setup[EP_BP_JUMP] != 0xeb || ep_le32(setup + EP_BP_HEADER) != EP_BP_HDRS_MAGIC ||
	    ep_le16(setup + EP_BP_BOOT_FLAG) != 0xaa55)
		return EP_ERR_LINUX_SETUP_BAD;
	size_t end = 0x202u + setup[EP_BP_JUMP + 1];
	if (end > HDR_END_MAX || end > len || end < EP_BP_CMDLINE_SIZE + 4)
		return EP_ERR_LINUX_SETUP_BAD;
	if (ep_le16(setup + EP_BP_VERSION) < 0x020c)
		return EP_ERR_LINUX_SETUP_OLD;
	if (!(ep_le16(setup + EP_BP_XLOADFLAGS) & EP_XLF_KERNEL_64))
		return EP_ERR_LINUX_SETUP_NOT_64;
	ep_memcpy(bp + EP_BP_HDR, setup + EP_BP_HDR, end - EP_BP_HDR);
	return EP_ERR_OK;
}

enum ep_err ep_bp_init(uint8_t *bp, const uint8_t *setup, size_t setup_len, struct ep_linux_setup *hdr)
{
	ep_memset(bp, 0, EP_BP_SIZE);
	ep_memset(hdr, 0, sizeof(*hdr));
	if (setup) {
		enum ep_err err = copy_header(bp, setup, setup_len);
		if (err) {
			ep_memset(bp, 0, EP_BP_SIZE);
			return err;
		}
	} else {
		synthesise(bp);
	}
	bp[EP_BP_TYPE_OF_LOADER] = EP_BP_TYPE_UNDEFINED;
	bp[EP_BP_LOADFLAGS] = (uint8_t)((bp[EP_BP_LOADFLAGS] | EP_BP_LOADED_HIGH) & ~EP_BP_KASLR_FLAG);
	hdr->from_bzimage = setup != NULL;
	hdr->version = ep_le16(bp + EP_BP_VERSION);
	hdr->xloadflags = ep_le16(bp + EP_BP_XLOADFLAGS);
	hdr->kernel_alignment = ep_le32(bp + EP_BP_KERNEL_ALIGNMENT);
	hdr->initrd_addr_max = ep_le32(bp + EP_BP_INITRD_ADDR_MAX);
	hdr->cmdline_size = ep_le32(bp + EP_BP_CMDLINE_SIZE);
	return EP_ERR_OK;
}

enum ep_err ep_bp_set_cmdline(uint8_t *bp, const struct ep_linux_setup *hdr, uint64_t addr, size_t len)
{
	if (len > hdr->cmdline_size)
		return EP_ERR_LINUX_CMDLINE_TOO_LONG;
	ep_put_le32(bp + EP_BP_CMD_LINE_PTR, (uint32_t)addr);
	ep_put_le32(bp + EP_BP_EXT_CMD_LINE_PTR, (uint32_t)(addr >> 32));
	return EP_ERR_OK;
}

uint64_t ep_bp_initrd_limit(const struct ep_linux_setup *hdr)
{
	if (hdr->xloadflags & EP_XLF_CAN_BE_LOADED_ABOVE_4G)
		return UINT64_MAX;
	return (uint64_t)hdr->initrd_addr_max + 1;
}

enum ep_err ep_bp_set_initrd(uint8_t *bp, const struct ep_linux_setup *hdr, uint64_t addr, uint64_t size)
{
	if (addr + size < addr || addr + size > ep_bp_initrd_limit(hdr))
		return EP_ERR_LINUX_INITRD_TOO_HIGH;
	ep_put_le32(bp + EP_BP_RAMDISK_IMAGE, (uint32_t)addr);
	ep_put_le32(bp + EP_BP_RAMDISK_SIZE, (uint32_t)size);
	ep_put_le32(bp + EP_BP_EXT_RAMDISK_IMAGE, (uint32_t)(addr >> 32));
	ep_put_le32(bp + EP_BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
	return EP_ERR_OK;
}

void ep_bp_set_acpi_rsdp(uint8_t *bp, uint64_t rsdp) { ep_put_le64(bp + EP_BP_ACPI_RSDP, rsdp); }

void ep_bp_set_secure_boot(uint8_t *bp, bool enabled) { bp[EP_BP_SECURE_BOOT] = enabled ? 3 : 2; }

void ep_bp_set_cc_blob(uint8_t *bp, uint64_t blob)
{
	ep_put_le32(bp + EP_BP_CC_BLOB_ADDRESS, blob >> 32 ? 0 : (uint32_t)blob);
}

/* UEFI memory types, and the attribute of "specific purpose" memory. */
enum {
	EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA, EFI_RT_CODE, EFI_RT_DATA,
	EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO, EFI_MMIO_PORT, EFI_PAL_CODE,
	EFI_PERSISTENT, EFI_UNACCEPTED,
};
#define EFI_MEMORY_SP (1ull << 18)

/* The EFI stub's mapping; 0: the descriptor is left out. Boot services memory is free once they exit. */
static uint32_t e820_type(uint32_t efi_type, uint64_t attr)
{
	switch (efi_type) {
	case EFI_RESERVED: case EFI_RT_CODE: case EFI_RT_DATA: case EFI_MMIO: case EFI_MMIO_PORT: case EFI_PAL_CODE:
	case EFI_UNACCEPTED: /* the stub's unaccepted-memory table is not built: the kernel must not touch it */
		return EP_E820_RESERVED;
	case EFI_UNUSABLE:
		return EP_E820_UNUSABLE;
	case EFI_ACPI_RECLAIM:
		return EP_E820_ACPI;
	case EFI_LOADER_CODE: case EFI_LOADER_DATA: case EFI_BS_CODE: case EFI_BS_DATA: case EFI_CONVENTIONAL:
		return attr & EFI_MEMORY_SP ? EP_E820_SOFT_RESERVED : EP_E820_RAM;
	case EFI_ACPI_NVS:
		return EP_E820_NVS;
	case EFI_PERSISTENT:
		return EP_E820_PMEM;
	default:
		return 0;
	}
}

/* EFI_MEMORY_DESCRIPTOR: u32 Type, u32 pad, u64 PhysicalStart, u64 VirtualStart, u64 NumberOfPages, u64 Attribute. */
#define EFI_DESC_MIN 40u

unsigned ep_e820_from_efi(const uint8_t *map, size_t map_size, size_t desc_size, struct ep_e820 *out,
			  unsigned cap)
{
	unsigned n = 0;
	struct ep_e820 last = {0, 0, 0};
	if (desc_size < EFI_DESC_MIN)
		return 0;
	for (size_t off = 0; off + desc_size <= map_size; off += desc_size) {
		const uint8_t *d = map + off;
		uint64_t pages = ep_le64(d + 24);
		uint32_t type = e820_type(ep_le32(d), ep_le64(d + 32));
		struct ep_e820 e = {ep_le64(d + 8), pages << 12, type};
		if (!type || !pages || pages > (UINT64_MAX >> 12))
			continue;
		if (n && last.type == type && last.addr + last.size == e.addr) {
			last.size += e.size;
			if (n <= cap)
				out[n - 1] = last;
			continue;
		}
		last = e;
		if (n < cap)
			out[n] = e;
		n++;
	}
	return n;
}

size_t ep_bp_e820_ext_size(unsigned entries)
{
	return entries > EP_BP_E820_MAX ? EP_BP_SETUP_HDR_SIZE + (size_t)(entries - EP_BP_E820_MAX) * EP_E820_ENTRY_SIZE
					: 0;
}

static void put_e820(uint8_t *p, const struct ep_e820 *e)
{
	ep_put_le64(p, e->addr);
	ep_put_le64(p + 8, e->size);
	ep_put_le32(p + 16, e->type);
}

static void set_efi_info(uint8_t *bp, const struct ep_bp_memmap *m)
{
	uint8_t *ei = bp + EP_BP_EFI_INFO;
	ep_put_le32(ei + 0x00, EP_BP_EL64);
	ep_put_le32(ei + 0x04, (uint32_t)m->systab);
	ep_put_le32(ei + 0x08, (uint32_t)m->desc_size);
	ep_put_le32(ei + 0x0c, m->desc_version);
	ep_put_le32(ei + 0x10, (uint32_t)m->map_addr);
	ep_put_le32(ei + 0x14, (uint32_t)m->map_size);
	ep_put_le32(ei + 0x18, (uint32_t)(m->systab >> 32));
	ep_put_le32(ei + 0x1c, (uint32_t)(m->map_addr >> 32));
}

enum ep_err ep_bp_set_memmap(uint8_t *bp, const struct ep_bp_memmap *m, unsigned *entries)
{
	unsigned n = ep_e820_from_efi(m->map, m->map_size, m->desc_size, m->scratch, m->scratch_cap);
	*entries = n;
	if (n > m->scratch_cap || ep_bp_e820_ext_size(n) > m->ext_cap)
		return EP_ERR_LINUX_E820_TOO_MANY;
	set_efi_info(bp, m);
	unsigned in_page = n < EP_BP_E820_MAX ? n : EP_BP_E820_MAX;
	ep_memset(bp + EP_BP_E820_TABLE, 0, EP_BP_E820_MAX * EP_E820_ENTRY_SIZE);
	for (unsigned i = 0; i < in_page; i++)
		put_e820(bp + EP_BP_E820_TABLE + i * EP_E820_ENTRY_SIZE, &m->scratch[i]);
	bp[EP_BP_E820_ENTRIES] = (uint8_t)in_page;
	if (n > EP_BP_E820_MAX) {
		/* Retried after a stale key: the ext entry is already first in the chain, keep its next. */
		uint64_t head = ep_le64(bp + EP_BP_SETUP_DATA);
		uint64_t next = head == m->ext_addr ? ep_le64(m->ext) : head;
		ep_put_le64(m->ext, next);
		ep_put_le32(m->ext + 8, EP_SETUP_E820_EXT);
		ep_put_le32(m->ext + 12, (n - EP_BP_E820_MAX) * EP_E820_ENTRY_SIZE);
		for (unsigned i = EP_BP_E820_MAX; i < n; i++)
			put_e820(m->ext + EP_BP_SETUP_HDR_SIZE + (i - EP_BP_E820_MAX) * EP_E820_ENTRY_SIZE, &m->scratch[i]);
		ep_put_le64(bp + EP_BP_SETUP_DATA, m->ext_addr);
	} else if (ep_le64(bp + EP_BP_SETUP_DATA) == m->ext_addr && m->ext_addr) {
		/* A retry whose map shrank back under 128: unlink the ext entry. */
		ep_put_le64(bp + EP_BP_SETUP_DATA, ep_le64(m->ext));
	}
	return EP_ERR_OK;
}
