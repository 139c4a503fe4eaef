/*
 * The handoff ABI: what a payload's entry point receives.
 *
 *   void entry(struct ep_boot_info *info);       SysV x86-64 calling convention
 *
 * State at entry (mode exit-boot-services, the default):
 *   - ExitBootServices has succeeded; only runtime services remain.
 *   - Interrupts are disabled (RFLAGS.IF = 0). The firmware's GDT, IDT and page
 *     tables are still loaded: memory is identity-mapped (virtual = physical).
 *   - RSP points to the top of a fresh stack of EP_BOOT_STACK_SIZE bytes, 16-byte
 *     aligned before the call (so RSP+8 is 16-byte aligned at the first instruction,
 *     as SysV requires). RDI = info. Direction flag clear.
 *   - Returning from entry in this mode halts the CPU (there is nothing to return to).
 * In mode call (config `handoff call`) entry runs before ExitBootServices, with
 * interrupts as the firmware left them; its return value (uint64_t in RAX) is
 * logged and written to the ESP log, and the loader returns to the firmware.
 *
 * All addresses are physical (= virtual). Every field is fixed-size; the
 * layout only grows at the end, and `size` says how much of it is valid.
 */
#ifndef EARLYPATCH_BOOT_INFO_H
#define EARLYPATCH_BOOT_INFO_H

#include <stdint.h>

#define EP_BOOT_INFO_MAGIC 0x31464e4954504550ull /* "PEPTINF1" little-endian */
#define EP_BOOT_INFO_VERSION 1
#define EP_BOOT_STACK_SIZE (64u * 1024u)
#define EP_BOOT_CAP_WORDS 32 /* room for Linux's capability words to grow */

enum ep_boot_mode { EP_BOOT_MODE_EXIT_BOOT_SERVICES = 0, EP_BOOT_MODE_CALL = 1 };

/* ep_boot_info.patched */
#define EP_BOOT_PATCHED_HYPERCALLS (1u << 0)   /* stage 1: hypercall sites */
#define EP_BOOT_PATCHED_EARLY (1u << 1)        /* stage 1: alternatives with an early feature */
#define EP_BOOT_PATCHED_ALTERNATIVES (1u << 2) /* stage 2: all other alternatives and static calls */

/* ep_boot_info.vendor */
enum ep_boot_vendor {
	EP_BOOT_VENDOR_UNKNOWN = 0, EP_BOOT_VENDOR_INTEL = 1, EP_BOOT_VENDOR_AMD = 2,
	EP_BOOT_VENDOR_HYGON = 3, EP_BOOT_VENDOR_ZHAOXIN = 4, EP_BOOT_VENDOR_OTHER = 5,
};

/* ep_boot_info.hypervisor */
enum ep_boot_hypervisor {
	EP_BOOT_HV_NONE = 0, EP_BOOT_HV_KVM = 1, EP_BOOT_HV_HYPERV = 2, EP_BOOT_HV_XEN = 3,
	EP_BOOT_HV_VMWARE = 4, EP_BOOT_HV_TCG = 5, EP_BOOT_HV_OTHER = 6,
};

/* ep_boot_info.hypercall: the instruction the hypercall sites were given. */
enum ep_boot_hypercall {
	EP_BOOT_HC_NONE = 0,           /* sites set RAX = -38 (-ENOSYS) and fall through */
	EP_BOOT_HC_VMCALL = 1,
	EP_BOOT_HC_VMMCALL = 2,
	EP_BOOT_HC_TDCALL = 3,
	EP_BOOT_HC_HYPERCALL_PAGE = 4, /* sites call the payload's thunk */
};

/* ep_boot_info.sev_flags */
#define EP_BOOT_SEV_SME_SUPPORTED (1u << 0)
#define EP_BOOT_SEV_SUPPORTED (1u << 1)
#define EP_BOOT_SEV_ES_SUPPORTED (1u << 2)
#define EP_BOOT_SEV_SNP_SUPPORTED (1u << 3)
#define EP_BOOT_SEV_ACTIVE (1u << 8)
#define EP_BOOT_SEV_ES_ACTIVE (1u << 9)
#define EP_BOOT_SEV_SNP_ACTIVE (1u << 10)
#define EP_BOOT_SEV_STATUS_VALID (1u << 16)
#define EP_BOOT_SEV_SIMULATED (1u << 17) /* some of this came from config simulation */

struct ep_boot_info {
	uint64_t magic;                /* EP_BOOT_INFO_MAGIC */
	uint32_t version;              /* EP_BOOT_INFO_VERSION */
	uint32_t size;                 /* sizeof(struct ep_boot_info) as the loader knows it */
	uint32_t mode;                 /* enum ep_boot_mode */
	uint32_t patched;              /* EP_BOOT_PATCHED_*: what the loader did to the payload */

	/* CPU */
	uint32_t vendor;               /* enum ep_boot_vendor */
	char vendor_id[16];            /* "GenuineIntel", NUL-terminated */
	uint32_t family, model, stepping, signature;
	char brand[52];                /* NUL-terminated */
	uint32_t ncapints;             /* valid words in caps */
	uint32_t caps[EP_BOOT_CAP_WORDS]; /* Linux x86_capability words, X86_FEATURE_* = word*32+bit */

	/* Hypervisor and confidential computing */
	uint32_t hypervisor;           /* enum ep_boot_hypervisor */
	char hv_signature[16];
	uint32_t hv_isolation;         /* Hyper-V isolation type: 0 none, 1 VBS, 2 SNP, 3 TDX */
	uint32_t hv_paravisor;
	uint32_t sev_flags;            /* EP_BOOT_SEV_* */
	uint32_t c_bit;                /* SEV C-bit position, 0 if unknown */
	uint64_t sev_status;           /* MSR 0xC0010131 when EP_BOOT_SEV_STATUS_VALID */
	uint32_t tdx_guest;
	uint32_t hypercall;            /* enum ep_boot_hypercall */
	uint32_t hypercall_sites;      /* sites patched in stage 1 */
	uint32_t reserved1;

	/* Memory: the final EFI memory map (exit-boot-services mode), as the firmware gave it */
	uint64_t memmap;               /* EFI_MEMORY_DESCRIPTOR array */
	uint64_t memmap_size;          /* bytes */
	uint64_t memmap_desc_size;     /* bytes per descriptor (use this, not sizeof) */
	uint32_t memmap_desc_version;
	uint32_t reserved2;

	/* The loader's log (same lines as the ESP file), and the config's command line */
	uint64_t log;                  /* char[], lines separated by '\n' */
	uint64_t log_size;
	uint64_t cmdline;              /* NUL-terminated, may be empty */
	uint64_t cmdline_size;         /* without the NUL */

	/* Firmware tables */
	uint64_t acpi_rsdp;            /* ACPI 2.0+ RSDP if present, else 1.0, else 0 */
	uint64_t efi_system_table;     /* runtime services remain usable */

	/* The payload */
	uint64_t load_base;            /* run-time address of the lowest segment */
	uint64_t load_size;            /* bytes from load_base */
	int64_t load_slide;            /* load_base - link base (0 for ET_EXEC) */
	uint64_t stack_base;           /* the entry stack: [stack_base, stack_base + stack_size) */
	uint64_t stack_size;
	uint64_t cc_blob;              /* SEV-SNP CC blob from the EFI configuration table, or 0 */
};

/* Layout checks: these offsets are ABI. */
#define EP__BI_OFF(f) __builtin_offsetof(struct ep_boot_info, f)
_Static_assert(EP__BI_OFF(vendor) == 24, "boot_info layout");
_Static_assert(EP__BI_OFF(caps) == 116, "boot_info layout");
_Static_assert(EP__BI_OFF(memmap) == 304, "boot_info layout");
_Static_assert(sizeof(struct ep_boot_info) == 432, "boot_info layout");
#undef EP__BI_OFF

#endif
