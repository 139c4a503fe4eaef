/* earlypatch.conf parsing: defaults, every key, malformed lines, simulation overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"

static char buf[1 << 16];
static struct ep_log log_;
static struct ep_config cfg;

static void parse(const char *text)
{
	ep_log_init(&log_, buf, sizeof(buf), NULL, NULL);
	ep_config_defaults(&cfg);
	ep_config_parse(&cfg, text, strlen(text), &log_);
}

/* The n-th warning line (1-based) of the log, or NULL. */
static const char *warning(int n)
{
	static char line[512];
	const char *p = buf;
	while (p < buf + log_.len) {
		const char *end = memchr(p, '\n', buf + log_.len - p);
		if (p[0] == 'W' && --n == 0) {
			memcpy(line, p, end - p);
			line[end - p] = 0;
			return line;
		}
		p = end + 1;
	}
	return NULL;
}

static void defaults_when_empty(void **state)
{
	parse("");
	assert_string_equal(cfg.payload, "\\EFI\\earlypatch\\payload.elf");
	assert_int_equal(cfg.handoff, EP_HANDOFF_EXIT_BOOT_SERVICES);
	assert_int_equal(cfg.on_exit, EP_ON_EXIT_RETURN);
	assert_true(cfg.alternatives);
	assert_false(cfg.passthrough);
	assert_false(cfg.timing);
	assert_true(cfg.log_console);
	assert_false(ep_config_simulates(&cfg));
	assert_int_equal(cfg.warnings, 0);
}

static void every_setting(void **state)
{
	parse("# comment\n"
	      "payload /EFI/test/p.elf\r\n"
	      "  cmdline  console=ttyS0 quiet   # trailing comment\n"
	      "on-exit shutdown\n"
	      "handoff call\n"
	      "alternatives off\n"
	      "log-debugcon on\n"
	      "log-serial yes\n"
	      "log-console 0\n"
	      "passthrough on\n"
	      "timing yes\n"
	      "log-level debug\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.payload, "\\EFI\\test\\p.elf");
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	assert_int_equal(cfg.on_exit, EP_ON_EXIT_SHUTDOWN);
	assert_int_equal(cfg.handoff, EP_HANDOFF_CALL);
	assert_false(cfg.alternatives);
	assert_true(cfg.log_debugcon);
	assert_true(cfg.log_serial);
	assert_false(cfg.log_console);
	assert_int_equal(cfg.console_level, EP_LOG_DEBUG);
	assert_true(cfg.passthrough);
	assert_true(cfg.timing);
	assert_int_equal(cfg.lines, 12);
}

static void bad_lines_warn_with_line_number_and_keep_defaults(void **state)
{
	parse("alternatives maybe\n"
	      "frobnicate 1\n"
	      "payload relative/path.elf\n"
	      "handoff\n"
	      "on-exit shutdown\n");
	assert_int_equal(cfg.warnings, 4);
	assert_true(cfg.alternatives);
	assert_string_equal(cfg.payload, "\\EFI\\earlypatch\\payload.elf");
	assert_int_equal(cfg.on_exit, EP_ON_EXIT_SHUTDOWN);
	assert_non_null(strstr(warning(1), "line=1 key=alternatives err=CONFIG_BAD_VALUE"));
	assert_non_null(strstr(warning(2), "line=2 key=frobnicate err=CONFIG_UNKNOWN_KEY"));
	assert_non_null(strstr(warning(3), "line=3 key=payload err=CONFIG_BAD_VALUE"));
	assert_non_null(strstr(warning(4), "line=4 key=handoff"));
}

static void cpuid_overrides(void **state)
{
	parse("cpuid 0x8000001f eax=0x1b ebx=0x33/0x3f\n"
	      "cpuid 7.0 ebx=0/0x20\n"
	      "msr 0xc0010131 0x7\n");
	assert_int_equal(cfg.warnings, 0);
	assert_int_equal(cfg.ncpuid, 3);
	assert_int_equal(cfg.cpuid[0].leaf, 0x8000001f);
	assert_int_equal(cfg.cpuid[0].reg, EP_EAX);
	assert_int_equal(cfg.cpuid[0].value, 0x1b);
	assert_int_equal(cfg.cpuid[0].mask, 0xffffffff);
	assert_int_equal(cfg.cpuid[1].reg, EP_EBX);
	assert_int_equal(cfg.cpuid[1].mask, 0x3f);
	assert_int_equal(cfg.cpuid[2].leaf, 7);
	assert_int_equal(cfg.cpuid[2].subleaf, 0);
	assert_int_equal(cfg.cpuid[2].mask, 0x20);
	uint64_t v = 0;
	assert_true(ep_config_msr(&cfg, EP_MSR_SEV_STATUS, &v));
	assert_int_equal(v, 7);
	assert_true(ep_config_simulates(&cfg));
}

static void malformed_cpuid_lines_add_nothing(void **state)
{
	parse("cpuid\n"
	      "cpuid 0x1\n"
	      "cpuid 0x1 eax=1 foo=2\n"       /* one bad register spoils the line */
	      "cpuid 0x1 eax=0x1ffffffff\n"   /* does not fit 32 bits */
	      "cpuid 0x1.x eax=1\n"
	      "cpuid 1 eax=1/\n"
	      "msr 0x10 1\n"                  /* only the MSRs of ep_msrs */
	      "msr 0xc0010131\n"
	      "feature avx2\n"
	      "feature +\n");
	assert_int_equal(cfg.warnings, 10);
	assert_int_equal(cfg.ncpuid, 0);
	assert_false(ep_config_msr(&cfg, EP_MSR_SEV_STATUS, NULL));
	assert_int_equal(cfg.nfeatures, 0);
}

static void feature_lines(void **state)
{
	parse("feature +sev_snp -avx2\nfeature +hypervisor\n");
	assert_int_equal(cfg.nfeatures, 3);
	assert_string_equal(cfg.features[0].name, "sev_snp");
	assert_true(cfg.features[0].on);
	assert_string_equal(cfg.features[1].name, "avx2");
	assert_false(cfg.features[1].on);
	assert_int_equal(cfg.features[2].line, 2);
}

static void too_many_overrides(void **state)
{
	char text[8192] = "";
	for (int i = 0; i < EP_CONFIG_MAX_CPUID + 2; i++)
		strcat(text, "cpuid 1 eax=1\n");
	parse(text);
	assert_int_equal(cfg.ncpuid, EP_CONFIG_MAX_CPUID);
	assert_int_equal(cfg.warnings, 2);
	assert_non_null(strstr(warning(1), "err=CONFIG_TOO_MANY"));
}

static void bom_and_binary_garbage(void **state)
{
	static const char text[] = "\xef\xbb\xbfon-exit shutdown\n\x01\x02\xff\n";
	ep_log_init(&log_, buf, sizeof(buf), NULL, NULL);
	ep_config_defaults(&cfg);
	ep_config_parse(&cfg, text, sizeof(text) - 1, &log_);
	assert_int_equal(cfg.on_exit, EP_ON_EXIT_SHUTDOWN);
	assert_int_equal(cfg.warnings, 1);
}

static void parse_n(const char *text, size_t len)
{
	ep_log_init(&log_, buf, sizeof(buf), NULL, NULL);
	ep_config_defaults(&cfg);
	ep_config_parse(&cfg, text, len, &log_);
}

/* A NUL byte would cut a value silently: the line is refused with a warning naming it. */
static void nul_byte_refuses_the_line(void **state)
{
	static const char text[] = "cmdline console=ttyS0\n"
				   "cmdline quiet\0 init=/bin/evil\n"
				   "payload /EFI/a\0b.elf\n"
				   "on-exit shutdown\n"
				   "log-level debug # comment\0 after the hash is harmless\n";
	parse_n(text, sizeof(text) - 1);
	assert_string_equal(cfg.cmdline, "console=ttyS0"); /* line 2 refused: the earlier value stays */
	assert_string_equal(cfg.payload, "\\EFI\\earlypatch\\payload.elf");
	assert_int_equal(cfg.on_exit, EP_ON_EXIT_SHUTDOWN);
	assert_int_equal(cfg.console_level, EP_LOG_DEBUG);
	assert_int_equal(cfg.warnings, 2);
	assert_non_null(strstr(warning(1), "W config line=2 key=cmdline err=CONFIG_NUL_BYTE"));
	assert_non_null(strstr(warning(2), "W config line=3 key=payload err=CONFIG_NUL_BYTE"));
	assert_null(warning(3));
}

/* A NUL inside a cpuid/msr/feature line refuses that line too. */
static void nul_byte_in_simulation_lines(void **state)
{
	static const char text[] = "cpuid 0x1 eax=1\0 ebx=2\n"
				   "feature +avx2\0 -sse\n"
				   "msr 0xc0010131 0x7\0\n";
	parse_n(text, sizeof(text) - 1);
	assert_int_equal(cfg.ncpuid, 0);
	assert_int_equal(cfg.nfeatures, 0);
	assert_false(ep_config_msr(&cfg, EP_MSR_SEV_STATUS, NULL));
	assert_int_equal(cfg.warnings, 3);
	assert_non_null(strstr(warning(1), "line=1 key=cpuid err=CONFIG_NUL_BYTE"));
	assert_non_null(strstr(warning(3), "line=3 key=msr err=CONFIG_NUL_BYTE"));
}

/* An empty cmdline line clears an earlier one, in either spelling. */
static void empty_cmdline_clears(void **state)
{
	parse("cmdline console=ttyS0\ncmdline\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.cmdline, "");
	parse("cmdline console=ttyS0\ncmdline   # nothing\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.cmdline, "");
	parse("cmdline console=ttyS0\ncmdline=\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.cmdline, "");
	parse("cmdline console=ttyS0\ncmdline=  \r\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.cmdline, "");
	/* ... and a later line sets it again. */
	parse("cmdline a\ncmdline\ncmdline b c\n");
	assert_string_equal(cfg.cmdline, "b c");
	/* "key=value" is the same as "key value". */
	parse("cmdline=console=ttyS0 quiet\nlog-level=debug\n");
	assert_int_equal(cfg.warnings, 0);
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	assert_int_equal(cfg.console_level, EP_LOG_DEBUG);
	/* The cleared cmdline is not reported. */
	parse("cmdline x\ncmdline=\n");
	ep_config_log(&cfg, &log_);
	assert_null(strstr(buf, "cmdline="));
}

static void apply_raises_range_maximum(void **state)
{
	struct ep_cpuid_dump d;
	ep_cpuid_init(&d);
	struct ep_cpuid_leaf ext = {.leaf = 0x80000000, .regs = {0x80000008}};
	ep_cpuid_put(&d, &ext);
	parse("cpuid 0x8000001f eax=0x1b\nmsr 0xc0010131 0x3\n");
	ep_config_apply_cpuid(&cfg, &d, &log_);
	assert_int_equal(ep_cpuid_reg(&d, 0x8000001f, 0, EP_EAX), 0x1b);
	assert_int_equal(ep_cpuid_reg(&d, 0x80000000, 0, EP_EAX), 0x8000001f);
	assert_true(ep_cpuid_find(&d, 0x80000000, 0)->flags & EP_CPUID_SIMULATED);
	uint64_t v = 0;
	assert_true(ep_cpuid_msr(&d, EP_MSR_SEV_STATUS, &v) && ep_cpuid_msr_simulated(&d, EP_MSR_SEV_STATUS));
	assert_int_equal(v, 3);
	/* Each change is logged as simulated, with old and new values. */
	assert_non_null(strstr(buf, "W sim what=cpuid leaf=0x8000001f sub=0x0 reg=eax old=0x00000000 new=0x0000001b line=1"));
	assert_non_null(strstr(buf, "leaf=0x80000000 sub=0x0 reg=eax old=0x80000008 new=0x8000001f"));
	assert_non_null(strstr(buf, "W sim what=msr index=0xc0010131 value=0x3 line=2"));
}

static void apply_masks_bits(void **state)
{
	struct ep_cpuid_dump d;
	ep_cpuid_init(&d);
	struct ep_cpuid_leaf l7 = {.leaf = 7, .regs = {0, 0xffffffff, 0, 0}};
	struct ep_cpuid_leaf l0 = {.leaf = 0, .regs = {0xd}};
	ep_cpuid_put(&d, &l0);
	ep_cpuid_put(&d, &l7);
	parse("cpuid 7 ebx=0/0x20\n");
	ep_config_apply_cpuid(&cfg, &d, &log_);
	assert_int_equal(ep_cpuid_reg(&d, 7, 0, EP_EBX), 0xffffffdf);
	assert_int_equal(ep_cpuid_reg(&d, 0, 0, EP_EAX), 0xd); /* already within range */
}

/* msr INDEX VALUE: each MSR of ep_msrs can be simulated; any other index is refused, naming the allowed ones. */
static void msr_lines_for_every_table_msr(void **state)
{
	uint64_t v = 0;
	parse("msr 0x10a 0x20000000c\n"
	      "msr 0x1a0 0x850089\n"
	      "msr 0xc0010131 0x7\n"
	      "msr 0x1a0 0x1\n"         /* a later line wins */
	      "msr 0x48 0x1\n"          /* SPEC_CTRL: not one of the facts' MSRs */
	      "msr 0x10000010a 0x1\n"); /* wider than an MSR index */
	assert_int_equal(cfg.warnings, 2);
	assert_true(ep_config_msr(&cfg, EP_MSR_ARCH_CAPABILITIES, &v));
	assert_int_equal(v, 0x20000000cull);
	assert_true(ep_config_msr(&cfg, EP_MSR_MISC_ENABLE, &v));
	assert_int_equal(v, 0x1);
	assert_int_equal(cfg.msr[ep_msr_row(EP_MSR_MISC_ENABLE)].line, 4);
	assert_true(ep_config_msr(&cfg, EP_MSR_SEV_STATUS, &v));
	assert_int_equal(v, 0x7);
	assert_false(ep_config_msr(&cfg, 0x48, &v));
	assert_non_null(strstr(warning(1), "line=5 key=msr err=CONFIG_BAD_VALUE"));
	assert_non_null(strstr(warning(1), "only 0x10a (IA32_ARCH_CAPABILITIES), 0x1a0 (IA32_MISC_ENABLE), "
					   "0xc0010131 (SEV_STATUS) can be simulated"));
	assert_non_null(strstr(warning(2), "line=6 key=msr err=CONFIG_BAD_VALUE"));
	/* One msr line alone is a simulation. */
	parse("msr 0x10a 0x0\n");
	assert_true(ep_config_simulates(&cfg));
	assert_false(ep_config_msr(&cfg, EP_MSR_SEV_STATUS, NULL));
}

/* cpuid 7 edx=... + msr 0x10a: the value is the config's (sim=1), planned as simulated, never read. */
static void apply_simulates_arch_capabilities(void **state)
{
	struct ep_cpuid_dump d;
	ep_cpuid_init(&d);
	struct ep_cpuid_leaf l0 = {.leaf = 0, .regs = {0xd, 0x756e6547, 0x6c65746e, 0x49656e69}}; /* GenuineIntel */
	struct ep_cpuid_leaf l7 = {.leaf = 7};
	ep_cpuid_put(&d, &l0);
	ep_cpuid_put(&d, &l7);
	parse("cpuid 7.0 edx=0x20000000/0x20000000\nmsr 0x10a 0x2000000eb\n");
	assert_int_equal(cfg.warnings, 0);
	ep_config_apply_cpuid(&cfg, &d, &log_);
	uint64_t v = 0;
	assert_true(ep_cpuid_msr(&d, EP_MSR_ARCH_CAPABILITIES, &v));
	assert_int_equal(v, 0x2000000ebull);
	assert_true(ep_cpuid_msr_simulated(&d, EP_MSR_ARCH_CAPABILITIES));
	assert_false(ep_cpuid_msr(&d, EP_MSR_MISC_ENABLE, NULL));
	assert_false(ep_cpuid_msr(&d, EP_MSR_SEV_STATUS, NULL));
	assert_non_null(strstr(buf, "W sim what=msr index=0x0000010a value=0x2000000eb line=2"));
	assert_true(ep_cpuid_msr_allowed(&d, EP_MSR_ARCH_CAPABILITIES));
	assert_int_equal(ep_cpuid_msr_plan(&d, EP_MSR_ARCH_CAPABILITIES, ep_config_msr(&cfg, EP_MSR_ARCH_CAPABILITIES, NULL)),
			 EP_MSR_SIMULATED);
	/* The same CPUID without the msr line: leaf 7 is simulated, so the real MSR is not read. */
	parse("cpuid 7.0 edx=0x20000000/0x20000000\n");
	ep_cpuid_init(&d);
	ep_cpuid_put(&d, &l0);
	ep_cpuid_put(&d, &l7);
	ep_config_apply_cpuid(&cfg, &d, &log_);
	assert_false(ep_cpuid_msr(&d, EP_MSR_ARCH_CAPABILITIES, NULL));
	assert_int_equal(ep_cpuid_msr_plan(&d, EP_MSR_ARCH_CAPABILITIES, ep_config_msr(&cfg, EP_MSR_ARCH_CAPABILITIES, NULL)),
			 EP_MSR_SKIP_SIMULATED_CPUID);
	/* Logged and read back as a replay does. */
	parse("msr 0x10a 0x2000000eb\nmsr 0x1a0 0x850089\n");
	ep_cpuid_init(&d);
	ep_config_apply_cpuid(&cfg, &d, &log_);
	ep_log_init(&log_, buf, sizeof(buf), NULL, NULL);
	ep_cpuid_log(&d, &log_);
	struct ep_cpuid_dump back;
	assert_int_equal(ep_cpuid_parse(&back, buf, log_.len, NULL), EP_ERR_OK);
	assert_true(ep_cpuid_msr(&back, EP_MSR_MISC_ENABLE, &v) && ep_cpuid_msr_simulated(&back, EP_MSR_MISC_ENABLE));
	assert_int_equal(v, 0x850089);
	assert_true(ep_cpuid_msr(&back, EP_MSR_ARCH_CAPABILITIES, &v));
	assert_true(ep_cpuid_msr_simulated(&back, EP_MSR_ARCH_CAPABILITIES));
	assert_int_equal(v, 0x2000000ebull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_when_empty),
		cmocka_unit_test(every_setting),
		cmocka_unit_test(bad_lines_warn_with_line_number_and_keep_defaults),
		cmocka_unit_test(cpuid_overrides),
		cmocka_unit_test(malformed_cpuid_lines_add_nothing),
		cmocka_unit_test(feature_lines),
		cmocka_unit_test(too_many_overrides),
		cmocka_unit_test(bom_and_binary_garbage),
		cmocka_unit_test(nul_byte_refuses_the_line),
		cmocka_unit_test(nul_byte_in_simulation_lines),
		cmocka_unit_test(empty_cmdline_clears),
		cmocka_unit_test(apply_raises_range_maximum),
		cmocka_unit_test(apply_masks_bits),
		cmocka_unit_test(msr_lines_for_every_table_msr),
		cmocka_unit_test(apply_simulates_arch_capabilities),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
