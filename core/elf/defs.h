/*
 * The parts of the ELF64 format the payload loader reads (System V gABI and
 * the x86-64 psABI). Our own definitions: core/ has no <elf.h>. All fields are
 * read with ep_le*() at byte offsets, never through packed structs, so the
 * offsets below are the layout.
 */
#ifndef EP_ELF_DEFS_H
#define EP_ELF_DEFS_H

/* e_ident */
#define ELF_EI_NIDENT 16
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1

/* ELF64 header field offsets; the header is 64 bytes. */
#define ELF_EHDR_SIZE 64
#define ELF_E_TYPE 16
#define ELF_E_MACHINE 18
#define ELF_E_VERSION 20
#define ELF_E_ENTRY 24
#define ELF_E_PHOFF 32
#define ELF_E_SHOFF 40
#define ELF_E_EHSIZE 52
#define ELF_E_PHENTSIZE 54
#define ELF_E_PHNUM 56
#define ELF_E_SHENTSIZE 58
#define ELF_E_SHNUM 60
#define ELF_E_SHSTRNDX 62

#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62

/* Program header (56 bytes). */
#define ELF_PHDR_SIZE 56
#define ELF_P_TYPE 0
#define ELF_P_FLAGS 4
#define ELF_P_OFFSET 8
#define ELF_P_VADDR 16
#define ELF_P_PADDR 24
#define ELF_P_FILESZ 32
#define ELF_P_MEMSZ 40
#define ELF_P_ALIGN 48

#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_TLS 7
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4
#define ELF_PN_XNUM 0xffff

/* Section header (64 bytes). */
#define ELF_SHDR_SIZE 64
#define ELF_SH_NAME 0
#define ELF_SH_TYPE 4
#define ELF_SH_FLAGS 8
#define ELF_SH_ADDR 16
#define ELF_SH_OFFSET 24
#define ELF_SH_SIZE 32
#define ELF_SH_LINK 40
#define ELF_SH_INFO 44
#define ELF_SH_ADDRALIGN 48
#define ELF_SH_ENTSIZE 56

#define ELF_SHN_UNDEF 0
#define ELF_SHN_LORESERVE 0xff00
#define ELF_SHN_ABS 0xfff1
#define ELF_SHN_XINDEX 0xffff

#define ELF_SHT_NULL 0
#define ELF_SHT_PROGBITS 1
#define ELF_SHT_SYMTAB 2
#define ELF_SHT_STRTAB 3
#define ELF_SHT_RELA 4
#define ELF_SHT_NOBITS 8
#define ELF_SHT_REL 9
#define ELF_SHT_RELR 19

#define ELF_SHF_WRITE 0x1
#define ELF_SHF_ALLOC 0x2
#define ELF_SHF_EXECINSTR 0x4
#define ELF_SHF_TLS 0x400

/* Symbol (24 bytes). */
#define ELF_SYM_SIZE 24
#define ELF_ST_NAME 0
#define ELF_ST_INFO 4
#define ELF_ST_SHNDX 6
#define ELF_ST_VALUE 8
#define ELF_ST_SIZE 16
#define ELF_ST_TYPE(info) ((info) & 0xf)
#define ELF_ST_BIND(info) ((info) >> 4)
#define ELF_STT_NOTYPE 0
#define ELF_STT_OBJECT 1
#define ELF_STT_FUNC 2
#define ELF_STB_LOCAL 0
#define ELF_STB_GLOBAL 1
#define ELF_STB_WEAK 2

/* Rela (24 bytes). */
#define ELF_RELA_SIZE 24
#define ELF_R_OFFSET 0
#define ELF_R_INFO 8
#define ELF_R_ADDEND 16
#define ELF_R_TYPE(info) ((uint32_t)(info))
#define ELF_R_SYM(info) ((uint32_t)((info) >> 32))
#define ELF_R_X86_64_NONE 0
#define ELF_R_X86_64_RELATIVE 8

#endif
