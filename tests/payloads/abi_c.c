/*
 * The C side of include/earlypatch: alternatives in inline asm, a
 * paravirt-style call and a static call, plus initialised pointers (PIE
 * relocations) and a .bss array. Each site sits behind a global label.
 */
#include <earlypatch/payload.h>

static unsigned long twice(unsigned long x) { return 2 * x; }

unsigned long (*pv_twice)(unsigned long) = twice;
DEFINE_STATIC_CALL(c_sc, twice);
EP_DEFINE_NOP_FUNC();
EP_DEFINE_STATIC_CALL_RETURN0();

const char c_message[] = "earlypatch abi_c fixture";
const char *c_message_ptr = c_message;
unsigned long c_bss[512];

EP_PAYLOAD_ENTRY unsigned long _start(void)
{
	unsigned long r;

	/* old 5 bytes (b8 imm32), new1 5, new2 10 (movabs): entries 5/5 and 10/10 */
	__asm__ volatile(".globl c_site_alt2\nc_site_alt2:\n"
			 ALTERNATIVE_2("mov $1, %k0", "mov $2, %k0", X86_FEATURE_AVX2,
				       "movabs $0x1122334455667788, %q0", ALT_NOT(X86_FEATURE_XMM2))
			 : "=a"(r));
	/* ternary, old empty: ALWAYS entry 2/2 (add $1,%al), then BMI2 3/3 (inc %rax) */
	__asm__ volatile(".globl c_site_ternary\nc_site_ternary:\n"
			 ALTERNATIVE_TERNARY("", X86_FEATURE_BMI2, "inc %0", "add $1, %b0")
			 : "+a"(r));
	r += ep_alt_call1(pv_twice, r);
	r += ep_static_call1(c_sc, r);
	c_bss[r & 511] = r;
	return r + (unsigned long)c_message_ptr[0];
}
