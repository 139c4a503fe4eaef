/*
 * efi/cpu.c: the instructions core/ cannot execute itself (CPUID, RDMSR, RDTSC, port I/O).
 */
#ifndef EP_EFI_CPU_H
#define EP_EFI_CPU_H

#include <efi.h>
#include <efilib.h>

#include <stdint.h>

void efi_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
uint64_t efi_rdmsr(uint32_t index);
uint64_t efi_rdtsc(void);
void efi_outb(uint16_t port, uint8_t v);
uint8_t efi_inb(uint16_t port);

#endif
