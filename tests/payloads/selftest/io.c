/* Output to COM1 and the debugcon port, and leaving QEMU through isa-debug-exit. */
#include "selftest.h"

#define COM1 0x3f8
#define DEBUGCON 0xe9
#define DEBUG_EXIT 0xf4

static inline void outb(unsigned short port, unsigned char v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline unsigned char inb(unsigned short port)
{
	unsigned char v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void put_char(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
		;
	outb(COM1, (unsigned char)c);
	outb(DEBUGCON, (unsigned char)c);
}

void st_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			put_char('\r');
		put_char(*s++);
	}
}

void st_put_hex(unsigned long v)
{
	char buf[19];
	int n = 0;
	buf[n++] = '0';
	buf[n++] = 'x';
	int shift = 60;
	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		buf[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	buf[n] = 0;
	st_puts(buf);
}

void st_put_dec(unsigned long v)
{
	char buf[24];
	int n = 0;
	do
		buf[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		put_char(buf[--n]);
}

void st_exit(unsigned char code)
{
	outb(DEBUG_EXIT, code); /* QEMU exits with status (code << 1) | 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}
