/*
 * A synthetic payload image built in memory for the patch engine's tests:
 * an executable segment (.text, then .altinstr_replacement) and a data
 * segment (.altinstructions, .static_call_sites, then plain data), plus an
 * optional symbol table. No ELF file is involved, so these tests need only
 * the engine and the image lookups.
 */
#ifndef PATCH_SYNTH_H
#define PATCH_SYNTH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/image.h"
#include "patch/patch.h"

#define SYN_TEXT 0x400000ull       /* .text */
#define SYN_REPL 0x401000ull       /* .altinstr_replacement */
#define SYN_TEXT_SIZE 0x2000ull
#define SYN_DATA 0x600000ull       /* .altinstructions */
#define SYN_SC (SYN_DATA + 0x800)  /* .static_call_sites */
#define SYN_HC (SYN_DATA + 0xc00)  /* .hypercall_sites */
#define SYN_VAR (SYN_DATA + 0x1000) /* data words */
#define SYN_DATA_SIZE 0x2000ull

struct synth {
	struct ep_image img;
	uint8_t text[SYN_TEXT_SIZE];
	uint8_t data[SYN_DATA_SIZE];
	size_t text_used, repl_used, var_used;
	unsigned nalt, nsc, nhc;
	uint8_t symtab[24 * 64];
	char strtab[2048];
	unsigned nsyms;
	size_t strsz;
};

static inline void syn_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void syn_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static inline void syn_section(struct synth *s, const char *name, uint64_t vaddr, uint64_t size)
{
	struct ep_section *sec = &s->img.secs[s->img.nsecs++];
	memset(sec, 0, sizeof(*sec));
	strncpy(sec->name, name, sizeof(sec->name) - 1);
	sec->vaddr = vaddr;
	sec->size = size;
	sec->flags = 2; /* SHF_ALLOC */
}

/* Rebuilds the section list from what has been added so far. */
static inline void syn_sync(struct synth *s)
{
	s->img.nsecs = 0;
	syn_section(s, ".text", SYN_TEXT, s->text_used);
	syn_section(s, ".altinstr_replacement", SYN_REPL, s->repl_used);
	syn_section(s, ".altinstructions", SYN_DATA, (uint64_t)s->nalt * 14);
	if (s->nsc)
		syn_section(s, ".static_call_sites", SYN_SC, (uint64_t)s->nsc * 8);
	if (s->nhc)
		syn_section(s, ".hypercall_sites", SYN_HC, (uint64_t)s->nhc * 12);
	s->img.symtab = s->nsyms ? s->symtab : NULL;
	s->img.symtab_size = (uint64_t)(s->nsyms + 1) * 24;
	s->img.strtab = s->strtab;
	s->img.strtab_size = s->strsz;
}

static inline struct synth *syn_new(void)
{
	struct synth *s = calloc(1, sizeof(*s));
	s->img.link_base = s->img.load_base = SYN_TEXT;
	s->img.nsegs = 2;
	s->img.segs[0] = (struct ep_segment){.vaddr = SYN_TEXT, .memsz = SYN_TEXT_SIZE, .filesz = SYN_TEXT_SIZE,
					     .flags = EP_SEG_R | EP_SEG_X, .mem = s->text, .mem_size = SYN_TEXT_SIZE};
	s->img.segs[1] = (struct ep_segment){.vaddr = SYN_DATA, .memsz = SYN_DATA_SIZE, .filesz = SYN_DATA_SIZE,
					     .flags = EP_SEG_R | EP_SEG_W, .mem = s->data, .mem_size = SYN_DATA_SIZE};
	memset(s->text, 0xcc, sizeof(s->text));
	s->strsz = 1;
	syn_sync(s);
	return s;
}

/* Appends code to .text; returns its address. */
static inline uint64_t syn_code(struct synth *s, const void *bytes, size_t n)
{
	uint64_t at = SYN_TEXT + s->text_used;
	memcpy(s->text + s->text_used, bytes, n);
	s->text_used += n;
	syn_sync(s);
	return at;
}

/* Appends a replacement; returns its address. */
static inline uint64_t syn_repl(struct synth *s, const void *bytes, size_t n)
{
	uint64_t at = SYN_REPL + s->repl_used;
	memcpy(s->text + (SYN_REPL - SYN_TEXT) + s->repl_used, bytes, n);
	s->repl_used += n;
	syn_sync(s);
	return at;
}

/* Appends one 14-byte alt_instr with self-relative offsets. */
static inline void syn_alt(struct synth *s, uint64_t instr, uint64_t repl, unsigned feature, unsigned flags,
			   unsigned instrlen, unsigned repllen)
{
	uint64_t at = SYN_DATA + (uint64_t)s->nalt * 14;
	uint8_t *p = s->data + (at - SYN_DATA);
	syn_put32(p, (uint32_t)(instr - at));
	syn_put32(p + 4, (uint32_t)(repl - (at + 4)));
	syn_put32(p + 8, feature | flags << 16);
	p[12] = (uint8_t)instrlen;
	p[13] = (uint8_t)repllen;
	s->nalt++;
	syn_sync(s);
}

/* Appends a static call site {s32 addr; s32 key + flags}. */
static inline void syn_scall(struct synth *s, uint64_t site, uint64_t key, unsigned flags)
{
	uint64_t at = SYN_SC + (uint64_t)s->nsc * 8;
	uint8_t *p = s->data + (at - SYN_DATA);
	syn_put32(p, (uint32_t)(site - at));
	syn_put32(p + 4, (uint32_t)(key + flags - (at + 4)));
	s->nsc++;
	syn_sync(s);
}

/* Appends a hypercall site entry {s32 site; s32 thunk; u8 len; u8 flags; u16 0}. */
static inline void syn_hcsite(struct synth *s, uint64_t site, uint64_t thunk, unsigned len)
{
	uint64_t at = SYN_HC + (uint64_t)s->nhc * 12;
	uint8_t *p = s->data + (at - SYN_DATA);
	syn_put32(p, (uint32_t)(site - at));
	syn_put32(p + 4, (uint32_t)(thunk - (at + 4)));
	p[8] = (uint8_t)len;
	p[9] = p[10] = p[11] = 0;
	s->nhc++;
	syn_sync(s);
}

/* An 8-byte data word; returns its address. */
static inline uint64_t syn_u64(struct synth *s, uint64_t v)
{
	uint64_t at = SYN_VAR + s->var_used;
	syn_put64(s->data + (at - SYN_DATA), v);
	s->var_used += 8;
	return at;
}

/* A global function symbol. */
static inline void syn_sym(struct synth *s, const char *name, uint64_t addr)
{
	uint8_t *sym = s->symtab + (size_t)(s->nsyms + 1) * 24;
	memset(sym, 0, 24);
	syn_put32(sym, (uint32_t)s->strsz);
	sym[4] = 0x12; /* GLOBAL FUNC */
	sym[6] = 1;    /* a section index */
	syn_put64(sym + 8, addr);
	strcpy(s->strtab + s->strsz, name);
	s->strsz += strlen(name) + 1;
	s->nsyms++;
	syn_sync(s);
}

/* Switches the synthetic image to 12-byte entries: rewrites the 14-byte table written so far. */
static inline void syn_to_abi61(struct synth *s)
{
	uint8_t raw[14 * 32];
	memcpy(raw, s->data, (size_t)s->nalt * 14);
	for (unsigned i = 0; i < s->nalt; i++) {
		const uint8_t *e = raw + i * 14;
		uint8_t *p = s->data + i * 12;
		int32_t io, ro;
		uint32_t ft;
		memcpy(&io, e, 4);
		memcpy(&ro, e + 4, 4);
		memcpy(&ft, e + 8, 4);
		/* offsets are self-relative: re-base them on the entry's new address */
		syn_put32(p, (uint32_t)(io + (int32_t)(i * 14) - (int32_t)(i * 12)));
		syn_put32(p + 4, (uint32_t)(ro + (int32_t)(i * 14) - (int32_t)(i * 12)));
		uint16_t cpuid = (uint16_t)((ft & 0x7fff) | ((ft >> 16) & EP_ALT_FLAG_NOT ? 0x8000 : 0));
		memcpy(p + 8, &cpuid, 2);
		p[10] = e[12];
		p[11] = e[13];
	}
	for (unsigned i = 0; i < s->img.nsecs; i++)
		if (!strcmp(s->img.secs[i].name, ".altinstructions"))
			s->img.secs[i].size = (uint64_t)s->nalt * 12;
}

static inline uint8_t *syn_at(struct synth *s, uint64_t addr)
{
	return ep_image_ptr(&s->img, addr, 1);
}

/* Copy of both segments, to prove an image is byte-identical after a failure. */
struct syn_snapshot {
	uint8_t text[SYN_TEXT_SIZE];
	uint8_t data[SYN_DATA_SIZE];
};

static inline void syn_snap(const struct synth *s, struct syn_snapshot *snap)
{
	memcpy(snap->text, s->text, sizeof(s->text));
	memcpy(snap->data, s->data, sizeof(s->data));
}

static inline int syn_same(const struct synth *s, const struct syn_snapshot *snap)
{
	return !memcmp(snap->text, s->text, sizeof(s->text)) && !memcmp(snap->data, s->data, sizeof(s->data));
}

#endif
