#ifndef SELFTEST_H
#define SELFTEST_H

#include <earlypatch/boot_info.h>
#include <earlypatch/cpufeatures.h>

void st_puts(const char *s);
void st_put_hex(unsigned long v);
void st_put_dec(unsigned long v);
void st_exit(unsigned char code) __attribute__((noreturn));

/* isa-debug-exit codes: QEMU's exit status is (code << 1) | 1. */
#define ST_EXIT_PASS 0x10 /* status 33 */
#define ST_EXIT_FAIL 0x11 /* status 35 */
#define ST_EXIT_BAD_INFO 0x12 /* status 37: boot_info missing or wrong version */

#endif
