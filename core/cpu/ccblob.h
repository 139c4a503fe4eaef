/*
 * SEV-SNP confidential-computing blob and CPUID table, parsed from bytes.
 *
 * OVMF publishes the blob (struct cc_blob_sev_info in Linux, 40 bytes, packed,
 * little-endian) in the EFI configuration table under EFI_CC_BLOB_GUID; it
 * points at the secrets page and at the CPUID page, whose snp_cpuid_table the
 * AMD-SP has checked. efi/ finds and copies the bytes; everything here is pure
 * and bounds-checked, so it is tested on the host (QEMU TCG cannot produce a
 * real blob).
 *
 *   cc_blob_sev_info: u32 magic 0x45444d41 ("AMDE"), u16 version, u16 reserved,
 *                     u64 secrets_phys, u32 secrets_len, u32 rsvd1,
 *                     u64 cpuid_phys, u32 cpuid_len, u32 rsvd2
 *   snp_cpuid_table:  u32 count, u32 reserved, u64 reserved, then count (<= 64)
 *                     entries of 48 bytes: u32 eax_in, u32 ecx_in, u64 xcr0_in,
 *                     u64 xss_in, u32 eax, ebx, ecx, edx, u64 reserved
 */
#ifndef EP_CCBLOB_H
#define EP_CCBLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "cpu/cpuid.h"

struct ep_log;

#define EP_CC_BLOB_MAGIC 0x45444d41u
#define EP_CC_BLOB_SIZE 40u
#define EP_SNP_CPUID_HEADER_SIZE 16u
#define EP_SNP_CPUID_ENTRY_SIZE 48u
#define EP_SNP_CPUID_COUNT_MAX 64u
#define EP_SNP_CPUID_TABLE_SIZE (EP_SNP_CPUID_HEADER_SIZE + EP_SNP_CPUID_COUNT_MAX * EP_SNP_CPUID_ENTRY_SIZE)
#define EP_SNP_PAGE_SIZE 4096u

/* EFI_CC_BLOB_GUID 067b1f5f-cf26-44c5-8554-93d777912d42, in EFI_GUID byte order. */
extern const uint8_t ep_cc_blob_guid[16];
bool ep_cc_blob_guid_matches(const uint8_t guid[16]);

/*
 * Why a blob or table was rejected. X(name, message); every rejection is
 * returned as EP_ERR_CC_BLOB_BAD with one of these as the detail.
 */
#define EP_CCBLOB_WHY_LIST(X)                                                          \
	X(NONE, "valid")                                                               \
	X(BLOB_TOO_SHORT, "blob shorter than 40 bytes")                                \
	X(BAD_MAGIC, "blob magic is not 0x45444d41 (AMDE)")                            \
	X(NO_SECRETS_PAGE, "blob has no secrets page address")                         \
	X(SECRETS_LEN, "secrets page length is not 4096")                              \
	X(NO_CPUID_PAGE, "blob has no CPUID page address")                             \
	X(CPUID_LEN, "CPUID page length is below 4096")                                \
	X(UNALIGNED_PAGE, "secrets or CPUID page is not 4 KiB aligned")                \
	X(TABLE_TOO_SHORT, "CPUID table shorter than its header and entries")          \
	X(COUNT_ZERO, "CPUID table has no entries")                                    \
	X(COUNT_TOO_LARGE, "CPUID table count above 64")

enum ep_ccblob_why {
#define EP_CCBLOB_WHY_ENUM(name, msg) EP_CCBLOB_##name,
	EP_CCBLOB_WHY_LIST(EP_CCBLOB_WHY_ENUM)
#undef EP_CCBLOB_WHY_ENUM
	EP_CCBLOB__COUNT
};

const char *ep_ccblob_why_name(enum ep_ccblob_why why);
const char *ep_ccblob_why_message(enum ep_ccblob_why why);

struct ep_cc_blob {
	uint32_t magic;
	uint16_t version;
	uint64_t secrets_phys;
	uint32_t secrets_len;
	uint64_t cpuid_phys;
	uint32_t cpuid_len;
};

struct ep_snp_cpuid_entry {
	uint32_t eax_in, ecx_in;
	uint64_t xcr0_in, xss_in;
	uint32_t regs[4]; /* EAX..EDX, as enum ep_cpuid_reg */
};

struct ep_snp_cpuid_table {
	uint32_t count;
	struct ep_snp_cpuid_entry entries[EP_SNP_CPUID_COUNT_MAX];
};

/* Parses and checks a blob; on failure returns EP_ERR_CC_BLOB_BAD and sets *why. */
enum ep_err ep_cc_blob_parse(const uint8_t *buf, size_t len, struct ep_cc_blob *out, enum ep_ccblob_why *why);
/* Parses and checks a CPUID table (normally the whole 4 KiB CPUID page). */
enum ep_err ep_snp_cpuid_parse(const uint8_t *buf, size_t len, struct ep_snp_cpuid_table *out,
			       enum ep_ccblob_why *why);
/*
 * Adds the table's entries to a dump (leaf = eax_in, subleaf = ecx_in). The
 * dump is keyed by leaf and subleaf only, so of entries that differ only in
 * xcr0_in/xss_in (leaf 0xD) the first is kept; *skipped counts the others.
 * Returns EP_ERR_CPUID_DUMP_FULL if the dump ran out of room.
 */
enum ep_err ep_snp_cpuid_to_dump(const struct ep_snp_cpuid_table *t, struct ep_cpuid_dump *d, unsigned *skipped);

/* "I ccblob version=... secrets=... cpuid=..." or "W ccblob err=... why=...". */
void ep_cc_blob_log(const struct ep_cc_blob *b, enum ep_err err, enum ep_ccblob_why why, struct ep_log *log);

#endif
