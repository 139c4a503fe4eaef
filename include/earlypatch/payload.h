/*
 * Everything a payload author includes: feature numbers, alternatives and
 * static calls, from C or from .S. Build with the flags in mk/payloads.mk
 * (-nostdlib -static -ffreestanding -mno-red-zone, linked with payload.lds).
 */
#ifndef EARLYPATCH_PAYLOAD_H
#define EARLYPATCH_PAYLOAD_H

#include <earlypatch/cpufeatures.h>
#include <earlypatch/alternative.h>
#include <earlypatch/static_call.h>

#ifndef __ASSEMBLER__
/* Puts a function first in .text so a payload may use it as its entry. */
#define EP_PAYLOAD_ENTRY __attribute__((section(".text.entry"), used))
#endif

#endif
