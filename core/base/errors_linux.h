/* Errors of the linux area (stock kernels: vmlinux, boot_params, pre-patching); see errors.h. */
#ifndef EP_ERRORS_LINUX_H
#define EP_ERRORS_LINUX_H
#define EP_ERROR_LIST_LINUX(X)                                                             \
	X(LINUX_NOT_KERNEL, "ELF file is not a Linux vmlinux (no higher-half segment or no \"Linux version\")") \
	X(LINUX_BZIMAGE_NOT_UNPACKED, "a bzImage: unpack it on the host (images/mkesp.sh does)") \
	X(LINUX_NO_VERSION, "no \"Linux version\" string in the kernel")                  \
	X(LINUX_ALT_ABI_MISMATCH, ".altinstructions size does not fit the version's entry size") \
	X(LINUX_SEGMENTS_OVERLAP, "kernel segments overlap in physical memory")            \
	X(LINUX_ENTRY_OUTSIDE_TEXT, "kernel entry is not inside an executable segment by physical address") \
	X(LINUX_MISALIGNED, "kernel physical start is not aligned to its kernel_alignment") \
	X(LINUX_TOO_LARGE, "kernel physical span is too large")                           \
	X(LINUX_SETUP_BAD, "setup header: no HdrS / 0xAA55 or too short")                 \
	X(LINUX_SETUP_OLD, "setup header: boot protocol older than 2.12")                 \
	X(LINUX_SETUP_NOT_64, "setup header: kernel has no 64-bit entry (XLF_KERNEL_64)")  \
	X(LINUX_CMDLINE_TOO_LONG, "command line is longer than the kernel's cmdline_size") \
	X(LINUX_INITRD_TOO_HIGH, "initrd cannot be placed below the kernel's initrd_addr_max") \
	X(LINUX_E820_TOO_MANY, "memory map has more entries than boot_params and its setup_data hold") \
	X(LINUX_NO_PREPATCH_TABLE, "no pre-patch table for this kernel version: stage 2 off") \
	X(LINUX_CPUINFO_NO_FLAGS, "/proc/cpuinfo text has no \"flags\" line in its first processor block") \
	X(LINUX_CPUINFO_NO_BUGS, "/proc/cpuinfo text has no \"bugs\" line in its first processor block") \
	X(LINUX_CPUINFO_NO_MODEL, "/proc/cpuinfo text lacks vendor_id, cpu family, model or stepping") \
	X(LINUX_CAPS_NO_VERSION, "no capability rules for this kernel version (core/linux/lcaps_versions.c)")
#endif
