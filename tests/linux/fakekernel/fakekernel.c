/*
 * A fake Linux kernel for the QEMU cases: entered through the boot protocol's
 * 64-bit entry like a vmlinux, it checks the state the protocol promises
 * (CS 0x10, DS/ES/SS 0x18, interrupts off, RSI = boot_params with its
 * header, E820 and efi_info, the command line, the initrd) and reports what
 * earlypatch pre-patched into its alternatives: a KVM_HYPERCALL-style
 * vmcall/vmmcall site and a popcnt site. One line on debugcon and serial:
 *   fakelinux cs=0x10 ... hypercall=vmmcall popcnt=patched result=PASS
 * then isa-debug-exit: QEMU exits 33 (PASS) or 35 (FAIL).
 * The "Linux version" banner gives it a version with a pre-patch table (6.12);
 * built with -DFAKE_VERSION='"6.6.0-fake"' it has none (mk/fakelinux.mk).
 */
#include <stdbool.h>
#include <stdint.h>

#include <earlypatch/alternative.h>

#ifndef FAKE_VERSION
#define FAKE_VERSION "6.12.0-fake"
#endif

/* What a vmlinux's per-CPU segment looks like to a loader: linked at 0. */
__attribute__((section(".data_percpu"), used)) static uint64_t percpu_area[64] = {1};

const char linux_banner[] = "Linux version " FAKE_VERSION " (earlypatch tests) #1\n";

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

static void putc_both(char c)
{
	outb(0xe9, (uint8_t)c);   /* debugcon */
	outb(0x3f8, (uint8_t)c);  /* COM1, the console */
}

static void puts_(const char *s)
{
	while (*s)
		putc_both(*s++);
}

static void puthex(uint64_t v)
{
	char b[19];
	int n = 0;
	b[n++] = '0', b[n++] = 'x';
	int shift = 60;
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		b[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	b[n] = 0;
	puts_(b);
}

static bool ok = true;

static void field(const char *key, uint64_t v, bool good)
{
	puts_(" ");
	puts_(key);
	puts_("=");
	puthex(v);
	ok &= good;
}

static uint16_t sel(int which)
{
	uint16_t v;
	if (which == 0)
		__asm__ volatile("mov %%cs, %0" : "=r"(v));
	else if (which == 1)
		__asm__ volatile("mov %%ds, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%ss, %0" : "=r"(v));
	return v;
}

/* The two sites earlypatch pre-patches: stage 1 (hypercall) and a safe stage 2 bit. */
static void __attribute__((noinline, used)) hypercall_site(void)
{
	__asm__ volatile("hc_site:\n" ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL) "\nret_after_hc:\n" ::: "memory");
}

static void __attribute__((noinline, used)) popcnt_site(void)
{
	__asm__ volatile("pc_site:\n" ALTERNATIVE(".byte 0x0f,0x0b,0x90,0x90,0x90", "popcnt %%rdi, %%rax", X86_FEATURE_POPCNT)
			 ::: "rax", "memory");
}

extern const uint8_t hc_site[], pc_site[];

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

void fake_main(const uint8_t *bp, uint64_t rflags);
void fake_main(const uint8_t *bp, uint64_t rflags)
{
	(void)hypercall_site;
	(void)popcnt_site;
	puts_("fakelinux");
	field("cs", sel(0), sel(0) == 0x10);
	field("ds", sel(1), sel(1) == 0x18);
	field("ss", sel(2), sel(2) == 0x18);
	field("if", (rflags >> 9) & 1, !((rflags >> 9) & 1));
	field("hdrs", le32(bp + 0x202) == 0x53726448u, le32(bp + 0x202) == 0x53726448u);
	field("loader", bp[0x210], bp[0x210] != 0);
	field("el64", le32(bp + 0x1c0) == 0x34364c45u, le32(bp + 0x1c0) == 0x34364c45u);
	field("e820", bp[0x1e8], bp[0x1e8] > 2);
	field("rsdp", le64(bp + 0x70) != 0, le64(bp + 0x70) != 0);
	const char *cmd = (const char *)(uintptr_t)(le32(bp + 0x228) | (uint64_t)le32(bp + 0xc8) << 32);
	bool cmd_ok = cmd && cmd[0] == 'f' && cmd[1] == 'a' && cmd[2] == 'k' && cmd[3] == 'e';
	field("cmdline", cmd_ok, cmd_ok);
	uint64_t rd = le32(bp + 0x218) | (uint64_t)le32(bp + 0xc0) << 32;
	uint64_t rd_size = le32(bp + 0x21c) | (uint64_t)le32(bp + 0xc4) << 32;
	field("initrd_bytes", rd_size, true);
	if (rd_size) {
		const uint8_t *r = (const uint8_t *)(uintptr_t)rd;
		field("initrd_magic", r[0] == '0' && r[1] == '7' && r[2] == '0', r[0] == '0' && r[1] == '7' && r[2] == '0');
	}
	puts_(" hypercall=");
	puts_(hc_site[2] == 0xd9 ? "vmmcall" : hc_site[2] == 0xc1 ? "vmcall" : "other");
	puts_(" popcnt=");
	puts_(pc_site[0] == 0xf3 ? "patched" : pc_site[0] == 0x0f ? "original" : "other");
	puts_(ok ? " result=PASS\n" : " result=FAIL\n");
	outb(0xf4, ok ? 0x10 : 0x11);
	for (;;)
		__asm__ volatile("hlt");
}

/* startup_64: RSI = boot_params; flags read before anything could change them. */
__asm__(".section .text.head, \"ax\"\n"
	".globl startup_64\n"
	"startup_64:\n"
	"  pushfq\n"
	"  pop %rax\n"
	"  lea stack_top(%rip), %rsp\n"
	"  mov %rsi, %rdi\n"
	"  mov %rax, %rsi\n"
	"  call fake_main\n"
	"1: hlt\n"
	"  jmp 1b\n"
	".section .bss\n"
	".balign 16\n"
	"  .skip 16384\n"
	"stack_top:\n"
	".previous\n");
