/* Errors of the elf area (payload loader); see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_ELF_H
#define EP_ERRORS_ELF_H
#define EP_ERROR_LIST_ELF(X)                                                           \
	X(ELF_TOO_SMALL, "file is smaller than an ELF64 header")                       \
	X(ELF_BAD_MAGIC, "not an ELF file (bad magic)")                                \
	X(ELF_NOT_64, "not an ELF64 file")                                             \
	X(ELF_NOT_LITTLE_ENDIAN, "ELF file is not little-endian")                      \
	X(ELF_BAD_VERSION, "unknown ELF version")                                      \
	X(ELF_NOT_X86_64, "ELF machine is not x86-64")                                 \
	X(ELF_BAD_TYPE, "ELF type is neither ET_EXEC nor ET_DYN")                      \
	X(ELF_BAD_EHSIZE, "ELF header size field is wrong")                            \
	X(ELF_BAD_PHENTSIZE, "program header entry size is not 56")                    \
	X(ELF_PHDR_OUT_OF_FILE, "program headers lie outside the file")                \
	X(ELF_TOO_MANY_SEGMENTS, "too many loadable segments")                         \
	X(ELF_NO_SEGMENTS, "no loadable segment")                                      \
	X(ELF_SEGMENT_OUT_OF_FILE, "segment file bytes lie outside the file")          \
	X(ELF_SEGMENT_FILESZ_GT_MEMSZ, "segment file size exceeds its memory size")    \
	X(ELF_SEGMENT_ADDR_OVERFLOW, "segment address range overflows")                \
	X(ELF_BAD_ALIGNMENT, "alignment is not a power of two")                        \
	X(ELF_SEGMENT_MISALIGNED, "segment address and file offset disagree modulo alignment") \
	X(ELF_SEGMENTS_OVERLAP, "loadable segments overlap in memory")                 \
	X(ELF_SEGMENTS_OVERLAP_IN_FILE, "loadable segments overlap in the file")       \
	X(ELF_UNSUPPORTED_SEGMENT, "unsupported segment type (interpreter or TLS)")    \
	X(ELF_IMAGE_TOO_LARGE, "image memory span is too large")                       \
	X(ELF_ENTRY_OUTSIDE_TEXT, "entry point is not in an executable segment")       \
	X(ELF_BAD_SHENTSIZE, "section header entry size is not 64")                    \
	X(ELF_SHDR_OUT_OF_FILE, "section headers lie outside the file")                \
	X(ELF_TOO_MANY_SECTIONS, "too many sections")                                  \
	X(ELF_NO_SECTIONS, "position-independent payload without section headers")    \
	X(ELF_BAD_SHSTRNDX, "section name string table index is invalid")              \
	X(ELF_BAD_SECTION_NAME, "section name is outside its string table or unterminated") \
	X(ELF_SECTION_NAME_TOO_LONG, "section name is too long")                       \
	X(ELF_DUPLICATE_SECTION, "two sections have the same name")                    \
	X(ELF_SECTION_OUT_OF_FILE, "section contents lie outside the file")            \
	X(ELF_SECTION_OUTSIDE_SEGMENT, "allocated section is not inside a loadable segment") \
	X(ELF_BAD_SYMTAB, "symbol table or its string table is malformed")             \
	X(ELF_BAD_RELA_ENTSIZE, "relocation section has a bad entry size or size")     \
	X(ELF_REL_UNSUPPORTED, "REL or RELR relocation sections are not supported")    \
	X(ELF_RELA_UNSUPPORTED, "relocation type other than R_X86_64_RELATIVE")        \
	X(ELF_RELA_OUT_OF_IMAGE, "relocation target lies outside the loaded image")    \
	X(ELF_EXEC_WRONG_BASE, "ET_EXEC payload must load at its link address")        \
	X(ELF_LOAD_BASE_MISALIGNED, "load base breaks the segments' alignment")        \
	X(ELF_LOAD_BASE_OVERFLOW, "image does not fit at this load base")              \
	X(ELF_DEST_TOO_SMALL, "destination buffer is smaller than the image")
#endif
