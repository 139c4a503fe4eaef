/* Reading a Linux vmlinux: see vmlinux.h. */
#include "base/util.h"
#include "elf/defs.h"
#include "elf/elf.h"
#include "linux/vmlinux.h"

#define HIGHER_HALF 0xffffffff80000000ull

static enum ep_err check_header(const uint8_t *f, size_t len);

/* A Linux vmlinux links its code in the top 2 GiB (earlypatch payloads never do). */
static bool has_higher_half_segment(const uint8_t *f, size_t len)
{
	if (check_header(f, len) != EP_ERR_OK)
		return false;
	uint64_t phoff = ep_le64(f + ELF_E_PHOFF);
	for (unsigned i = 0; i < ep_le16(f + ELF_E_PHNUM); i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		if (ep_le32(ph + ELF_P_TYPE) == ELF_PT_LOAD && ep_le64(ph + ELF_P_VADDR) >= HIGHER_HALF)
			return true;
	}
	return false;
}

enum ep_payload_kind ep_payload_kind(const uint8_t *file, size_t len)
{
	/* A bzImage: "HdrS" at 0x202 and the 0xAA55 boot flag at 0x1fe. */
	if (len >= 0x206 && ep_le32(file + 0x202) == 0x53726448u && ep_le16(file + 0x1fe) == 0xaa55)
		return EP_PAYLOAD_BZIMAGE;
	return has_higher_half_segment(file, len) ? EP_PAYLOAD_LINUX : EP_PAYLOAD_EARLYPATCH;
}

const char *ep_payload_kind_name(enum ep_payload_kind k)
{
	static const char *const names[] = {"earlypatch", "linux", "bzimage"};
	return (unsigned)k < EP_ARRAY_SIZE(names) ? names[k] : "?";
}

static enum ep_err check_header(const uint8_t *f, size_t len)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	if (len < ELF_EHDR_SIZE)
		return EP_ERR_ELF_TOO_SMALL;
	if (ep_memcmp(f, magic, 4) != 0)
		return EP_ERR_ELF_BAD_MAGIC;
	if (f[ELF_EI_CLASS] != ELF_CLASS64)
		return EP_ERR_ELF_NOT_64;
	if (f[ELF_EI_DATA] != ELF_DATA2LSB)
		return EP_ERR_ELF_NOT_LITTLE_ENDIAN;
	if (ep_le16(f + ELF_E_MACHINE) != ELF_EM_X86_64)
		return EP_ERR_ELF_NOT_X86_64;
	if (ep_le16(f + ELF_E_TYPE) != ELF_ET_EXEC)
		return EP_ERR_ELF_BAD_TYPE;
	if (ep_le16(f + ELF_E_PHENTSIZE) != ELF_PHDR_SIZE)
		return EP_ERR_ELF_BAD_PHENTSIZE;
	uint64_t phoff = ep_le64(f + ELF_E_PHOFF), phnum = ep_le16(f + ELF_E_PHNUM);
	if (phoff > len || phnum * ELF_PHDR_SIZE > len - phoff)
		return EP_ERR_ELF_PHDR_OUT_OF_FILE;
	return EP_ERR_OK;
}

/* One PT_LOAD, checked against the file; empty segments are skipped. */
static enum ep_err add_segment(struct ep_vmlinux *k, const uint8_t *ph, uint64_t len, bool *higher_half)
{
	struct ep_vmlinux_seg s = {
		.paddr = ep_le64(ph + ELF_P_PADDR),
		.memsz = ep_le64(ph + ELF_P_MEMSZ),
		.filesz = ep_le64(ph + ELF_P_FILESZ),
		.offset = ep_le64(ph + ELF_P_OFFSET),
		.exec = (ep_le32(ph + ELF_P_FLAGS) & ELF_PF_X) != 0,
	};
	if (ep_le64(ph + ELF_P_VADDR) >= HIGHER_HALF)
		*higher_half = true;
	if (s.memsz == 0)
		return EP_ERR_OK;
	if (s.filesz > s.memsz)
		return EP_ERR_ELF_SEGMENT_FILESZ_GT_MEMSZ;
	if (s.offset > len || s.filesz > len - s.offset)
		return EP_ERR_ELF_SEGMENT_OUT_OF_FILE;
	if (s.paddr + s.memsz < s.paddr)
		return EP_ERR_ELF_SEGMENT_ADDR_OVERFLOW;
	if (k->nsegs == EP_VMLINUX_MAX_SEGS)
		return EP_ERR_ELF_TOO_MANY_SEGMENTS;
	for (unsigned i = 0; i < k->nsegs; i++)
		if (s.paddr < k->segs[i].paddr + k->segs[i].memsz && k->segs[i].paddr < s.paddr + s.memsz)
			return EP_ERR_LINUX_SEGMENTS_OVERLAP;
	k->segs[k->nsegs++] = s;
	return EP_ERR_OK;
}

static enum ep_err read_segments(struct ep_vmlinux *k, const uint8_t *f, uint64_t file_size)
{
	uint64_t phoff = ep_le64(f + ELF_E_PHOFF);
	unsigned phnum = ep_le16(f + ELF_E_PHNUM);
	bool higher_half = false;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		uint32_t type = ep_le32(ph + ELF_P_TYPE);
		if (type == ELF_PT_INTERP || type == ELF_PT_DYNAMIC)
			return EP_ERR_LINUX_NOT_KERNEL;
		if (type != ELF_PT_LOAD)
			continue;
		enum ep_err err = add_segment(k, ph, file_size, &higher_half);
		if (err)
			return err;
	}
	if (!higher_half)
		return EP_ERR_LINUX_NOT_KERNEL;
	if (k->nsegs == 0)
		return EP_ERR_ELF_NO_SEGMENTS;
	k->phys_start = UINT64_MAX;
	for (unsigned i = 0; i < k->nsegs; i++) {
		if (k->segs[i].paddr < k->phys_start)
			k->phys_start = k->segs[i].paddr;
		if (k->segs[i].paddr + k->segs[i].memsz > k->phys_end)
			k->phys_end = k->segs[i].paddr + k->segs[i].memsz;
	}
	if (k->phys_end - k->phys_start > EP_VMLINUX_MAX_SPAN)
		return EP_ERR_LINUX_TOO_LARGE;
	if (k->phys_start % EP_VMLINUX_ALIGN)
		return EP_ERR_LINUX_MISALIGNED;
	return EP_ERR_OK;
}

static enum ep_err check_entry(struct ep_vmlinux *k, const uint8_t *f)
{
	k->entry = ep_le64(f + ELF_E_ENTRY);
	for (unsigned i = 0; i < k->nsegs; i++) {
		const struct ep_vmlinux_seg *s = &k->segs[i];
		if (s->exec && k->entry >= s->paddr && k->entry - s->paddr < s->filesz)
			return EP_ERR_OK;
	}
	return EP_ERR_LINUX_ENTRY_OUTSIDE_TEXT;
}

/* "Linux version 6.1.0-57-cloud-amd64 (...)": the first such string followed by a digit. */
static enum ep_err read_version(struct ep_vmlinux *k, const uint8_t *f, size_t len)
{
	static const char prefix[] = "Linux version ";
	const size_t plen = sizeof(prefix) - 1;
	for (size_t i = 0; i + plen + 4 <= len; i++) {
		if (f[i] != 'L' || ep_memcmp(f + i, prefix, plen) != 0)
			continue;
		const char *r = (const char *)f + i + plen;
		size_t n = 0, max = len - i - plen;
		while (n < max && n + 1 < EP_VMLINUX_RELEASE_MAX && r[n] > ' ' && r[n] < 0x7f)
			n++;
		unsigned major = 0, minor = 0, pos = 0;
		while (pos < n && r[pos] >= '0' && r[pos] <= '9' && major < 100)
			major = major * 10 + (unsigned)(r[pos++] - '0');
		if (pos == 0 || pos >= n || r[pos++] != '.')
			continue;
		unsigned digits = 0;
		while (pos < n && r[pos] >= '0' && r[pos] <= '9' && minor < 100) {
			minor = minor * 10 + (unsigned)(r[pos++] - '0');
			digits++;
		}
		if (!digits)
			continue;
		ep_memcpy(k->release, r, n);
		k->release[n] = '\0';
		k->version = major * 100 + minor;
		return EP_ERR_OK;
	}
	return EP_ERR_LINUX_NO_VERSION;
}

/* Linux 6.3 widened alt_instr to 14 bytes (a u32 feature word with flags). */
static enum ep_err pick_abi(struct ep_vmlinux *k, const uint8_t *file, size_t len)
{
	k->abi = k->version >= 603 ? &ep_alt_abi_linux612 : &ep_alt_abi_linux61;
	struct ep_image img;
	enum ep_err err = ep_elf_view_kernel((uint8_t *)file, len, &img);
	if (err)
		return err;
	const struct ep_section *alt = ep_image_section(&img, ".altinstructions");
	if (alt && alt->size % k->abi->entry_size)
		return EP_ERR_LINUX_ALT_ABI_MISMATCH;
	k->alt_entries = alt ? (unsigned)(alt->size / k->abi->entry_size) : 0;
	return EP_ERR_OK;
}

enum ep_err ep_vmlinux_parse_headers(const uint8_t *head, size_t head_len, uint64_t file_size, struct ep_vmlinux *k)
{
	ep_memset(k, 0, sizeof(*k));
	enum ep_err err = check_header(head, head_len);
	if (!err)
		err = read_segments(k, head, file_size);
	if (!err)
		err = check_entry(k, head);
	return err;
}

enum ep_err ep_vmlinux_parse(const uint8_t *file, size_t len, struct ep_vmlinux *k)
{
	enum ep_err err = ep_vmlinux_parse_headers(file, len, len, k);
	if (!err)
		err = read_version(k, file, len);
	if (!err)
		err = pick_abi(k, file, len);
	return err;
}

void ep_vmlinux_copy(const uint8_t *file, const struct ep_vmlinux *k, uint8_t *dst)
{
	ep_memset(dst, 0, k->phys_end - k->phys_start);
	for (unsigned i = 0; i < k->nsegs; i++) {
		const struct ep_vmlinux_seg *s = &k->segs[i];
		ep_memcpy(dst + (s->paddr - k->phys_start), file + s->offset, s->filesz);
	}
}
