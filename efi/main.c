/*
 * efi_main: the boot flow. Each step is one call; every decision is made in
 * core/ and logged. Errors return an EFI status to the firmware rather than
 * hanging, after the log has been written wherever it still can be.
 */
#include "base/util.h"
#include "boot/bootinfo.h"
#include "boot/hypercall.h"
#include "boot/probe.h"
#include "boot/stages.h"
#include "console.h"
#include "cpu.h"
#include "cpu/facts.h"
#include "esp.h"
#include "firmware_tables.h"
#include "handoff.h"
#include "lib.h"
#include "linux.h"
#include "trust.h"
#include "payload.h"
#include "version.h"

#define CONF_PATH "\\EFI\\earlypatch\\earlypatch.conf"
#define LOG_PATH "\\EFI\\earlypatch\\earlypatch.log"
#define LOG_OLD_PATH "\\EFI\\earlypatch\\earlypatch.log.old"
#define LOG_BUF_SIZE (1u << 20)
#define CONF_MAX_SIZE (256u << 10)

struct boot {
	EFI_HANDLE image;
	struct ep_config config;
	struct efi_console con;
	struct ep_log log;
	struct efi_esp esp;
	struct ep_logfile logfile;
	struct ep_cpuid_dump dump;
	struct ep_facts facts;
	struct ep_hc_decision hc;
	struct efi_payload payload;
	struct efi_linux linux_kernel;
	struct ep_cpuid_dump real_cpuid;    /* before any simulation, plus MSRs read from hardware: what Linux will read */
	struct ep_stages_result stages;
	struct efi_handoff handoff;
	struct efi_firmware_tables firmware;
	struct efi_trust trust;            /* Secure Boot verification and measurement of what is loaded */
	bool exit_attempted; /* ExitBootServices was called: from then on only the memory map may be touched */
	uint64_t entry_tsc;  /* efi_main's first instruction */
};


/* gnu-efi's linker script puts ImageBase at the image's first byte (RVA 0). */
extern char ImageBase[] __attribute__((visibility("hidden")));

/*
 * Where this application runs: packed when the firmware's loaded image is not this one (the
 * stub, efi/stub/stub.c, laid it out). `image` is what gdb wants: add-symbol-file
 * earlypatch.so -o IMAGE.
 */
static void kv_image(struct ep_line *l, EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	ep_kv_hex(l, "image", (uint64_t)(UINTN)ImageBase);
	if (!EFI_ERROR(efi_loaded_image(image, &li)))
		ep_kv_u(l, "packed", li->ImageBase != (void *)ImageBase);
}

static void log_banner(struct boot *b, EFI_HANDLE image)
{
	struct ep_line l;
	char vendor[64];
	size_t n = 0;
	for (const CHAR16 *s = ST->FirmwareVendor; s && *s && n + 1 < sizeof(vendor); s++)
		vendor[n++] = *s < 0x80 ? (char)*s : '?';
	vendor[n] = '\0';
	ep_line_begin(&l, &b->log, EP_LOG_INFO, "earlypatch");
	ep_kv_str(&l, "version", EP_VERSION);
	ep_kv_str(&l, "firmware", vendor);
	ep_kv_hex(&l, "firmware_rev", ST->FirmwareRevision);
	ep_kv_u(&l, "uefi_major", ST->Hdr.Revision >> 16);
	ep_kv_u(&l, "uefi_minor", (ST->Hdr.Revision & 0xffff) / 10);
	kv_image(&l, image);
	ep_line_end(&l);
}

/* Under Secure Boot the config must verify before it is parsed, and may not simulate hardware. */
static EFI_STATUS load_config(struct boot *b)
{
	uint8_t *text;
	UINTN size;
	struct ep_line l;
	EFI_STATUS st = efi_esp_read(&b->esp, CONF_PATH, &text, &size, CONF_MAX_SIZE);
	ep_line_begin(&l, &b->log, st == EFI_SUCCESS || st == EFI_NOT_FOUND ? EP_LOG_INFO : EP_LOG_WARN, "config");
	ep_kv_str(&l, "file", CONF_PATH);
	ep_kv_bool(&l, "found", st == EFI_SUCCESS);
	if (st != EFI_SUCCESS && st != EFI_NOT_FOUND)
		ep_kv_hex(&l, "efi_status", st);
	ep_line_end(&l);
	EFI_STATUS verdict = st == EFI_SUCCESS ? efi_trust_file(&b->trust, "config", CONF_PATH, text, size, &b->log)
					       : efi_trust_missing(&b->trust, "config", CONF_PATH, &b->log);
	if (st == EFI_SUCCESS && !EFI_ERROR(verdict))
		ep_config_parse(&b->config, (const char *)text, size, &b->log);
	if (st == EFI_SUCCESS)
		FreePool(text);
	ep_config_log(&b->config, &b->log);
	if (EFI_ERROR(verdict))
		return verdict;
	return efi_trust_config(&b->trust, ep_config_simulates(&b->config), &b->log);
}

static void log_stage(struct boot *b, const char *name, uint64_t t0)
{
	struct ep_line l;
	ep_line_begin(&l, &b->log, EP_LOG_INFO, "stage");
	ep_kv_str(&l, "name", name);
	ep_kv_u(&l, "tsc", efi_rdtsc() - t0);
	ep_line_end(&l);
}

/*
 * The MSRs the facts use (core/cpu/cpuid.c ep_msrs), each read only when its
 * plan says so: an MSR that does not exist faults, and a fault here is a hang.
 * A value read is the real one, so it also goes into real_cpuid.
 */
static void read_msrs(struct boot *b)
{
	for (unsigned i = 0; i < EP_MSR_COUNT; i++) {
		uint32_t index = ep_msrs[i].index;
		enum ep_msr_plan plan = ep_cpuid_msr_plan(&b->dump, index, ep_config_msr(&b->config, index, NULL));
		struct ep_line l;
		if (plan == EP_MSR_READ) {
			uint64_t value = efi_rdmsr(index);
			ep_cpuid_set_msr(&b->dump, index, value, false);
			ep_cpuid_set_msr(&b->real_cpuid, index, value, false);
		}
		ep_line_begin(&l, &b->log, plan == EP_MSR_SKIP_SIMULATED_CPUID ? EP_LOG_WARN : EP_LOG_INFO, "msr");
		ep_kv_hexw(&l, "index", index, 8);
		ep_kv_str(&l, "action", ep_msr_plan_name(plan));
		ep_line_end(&l);
	}
}

static void probe(struct boot *b)
{
	uint64_t t0 = efi_rdtsc();
	ep_cpuid_collect(&b->dump, efi_cpuid, NULL);
	b->real_cpuid = b->dump;
	ep_config_apply_cpuid(&b->config, &b->dump, &b->log);
	read_msrs(b);
	ep_cpuid_log(&b->dump, &b->log);
	ep_probe_facts(&b->dump, &b->config, &b->log, &b->facts, &b->hc);
	efi_firmware_tables_scan(&b->firmware, &b->log);
	log_stage(b, "probe", t0);
}

/*
 * The log to the ESP (core/boot/logfile.c): the previous boot's is kept as .old the
 * first time; a later write in the same boot (after a late error) only replaces
 * this boot's file.
 */
static void write_log(struct boot *b)
{
	struct ep_line l;
	if (b->esp.root && ep_logfile_prepare(&b->logfile, &b->log) == EP_FS_ERROR)
		efi_log_status(&b->log, b->esp.last_error, "log", "cannot read the previous log: it is not kept");
	ep_line_begin(&l, &b->log, EP_LOG_INFO, "log");
	ep_kv_str(&l, "file", LOG_PATH);
	ep_kv_u(&l, "bytes", b->log.len);
	ep_kv_u(&l, "errors", b->log.errors);
	ep_kv_u(&l, "warnings", b->log.warnings);
	ep_kv_u(&l, "dropped", b->log.dropped_lines);
	ep_line_end(&l);
	if (ep_logfile_write(&b->logfile, b->log.buf, b->log.len) != EP_FS_OK) {
		/* The ESP may be read-only or full: say so and go on. */
		b->config.log_console = true;
		efi_log_status(&b->log, b->esp.last_error, "log",
			       b->logfile.failed == EP_LOGFILE_STEP_KEEP_OLD
				       ? "cannot keep the previous log as " LOG_OLD_PATH
				       : "cannot write the log to the ESP");
	}
}

static EFI_STATUS finish(struct boot *b, EFI_STATUS status)
{
	struct ep_line l;
	if (!b->exit_attempted)
		efi_tpm_finish(&b->trust.tpm, &b->esp, &b->log);
	ep_line_begin(&l, &b->log, EFI_ERROR(status) ? EP_LOG_ERR : EP_LOG_INFO, "exit");
	ep_kv_hex(&l, "efi_status", status);
	ep_kv_str(&l, "action", b->config.on_exit == EP_ON_EXIT_SHUTDOWN ? "shutdown" : "return");
	ep_line_end(&l);
	if (b->exit_attempted)
		return status; /* no file I/O, no console: the firmware's state is not ours to assume */
	write_log(b);
	efi_esp_close(&b->esp);
	if (b->config.on_exit == EP_ON_EXIT_SHUTDOWN)
		RT->ResetSystem(EfiResetShutdown, status, 0, NULL);
	return status;
}

/* Stage 1 and 2 as one transaction: on failure the payload is untouched and not entered. */
static EFI_STATUS patch(struct boot *b)
{
	struct ep_stages_opts o = {.alternatives = b->config.alternatives, .now = efi_rdtsc};
	o.write = efi_tpm_recorder(&b->trust.tpm, "elf", b->hc.mechanism, b->config.alternatives ? "on" : "off",
				   b->payload.img.slide, &o.write_ctx);
	size_t need = 0;
	enum ep_err err = ep_stages_arena_size(&b->payload.img, &b->facts, &o, &need);
	void *arena = err == EP_ERR_OK ? AllocatePool(need ? need : 1) : NULL;
	if (err == EP_ERR_OK && !arena)
		return efi_log_status(&b->log, EFI_OUT_OF_RESOURCES, "patch", "cannot allocate the patch plan");
	if (err == EP_ERR_OK)
		err = ep_stages_run(&b->payload.img, &b->facts, &b->hc, &o, arena, need, &b->log, &b->stages);
	if (arena)
		FreePool(arena);
	if (err != EP_ERR_OK) {
		struct ep_line l;
		ep_line_begin(&l, &b->log, EP_LOG_ERR, "patch");
		ep_kv_str(&l, "stage", b->stages.failed_stage ? b->stages.failed_stage : "size");
		ep_kv_err(&l, err);
		ep_kv_str(&l, "result", "nothing patched, no handoff");
		ep_line_end(&l);
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

static void fill_boot_info(struct boot *b)
{
	struct ep_boot_info *bi = b->handoff.info;
	struct efi_payload *p = &b->payload;
	ep_boot_info_init(bi, &b->facts, &b->hc, b->stages.hc.sites);
	bi->mode = b->config.handoff == EP_HANDOFF_CALL ? EP_BOOT_MODE_CALL : EP_BOOT_MODE_EXIT_BOOT_SERVICES;
	bi->patched = EP_BOOT_PATCHED_HYPERCALLS | EP_BOOT_PATCHED_EARLY |
		      (b->config.alternatives ? EP_BOOT_PATCHED_ALTERNATIVES : 0);
	bi->cmdline = (uint64_t)(UINTN)b->config.cmdline;
	bi->cmdline_size = ep_strlen(b->config.cmdline);
	bi->load_base = p->img.load_base;
	bi->load_size = p->info.span;
	bi->load_slide = p->img.slide;
	bi->stack_base = b->handoff.stack;
	bi->stack_size = EP_BOOT_STACK_SIZE;
	bi->acpi_rsdp = b->firmware.acpi_rsdp;
	bi->cc_blob = b->firmware.cc_blob;
	bi->efi_system_table = (uint64_t)(UINTN)ST;
}

static void log_handoff(struct boot *b)
{
	struct ep_line l;
	ep_line_begin(&l, &b->log, EP_LOG_INFO, "handoff");
	ep_kv_str(&l, "mode", b->config.handoff == EP_HANDOFF_CALL ? "call" : "exit-boot-services");
	ep_kv_hex(&l, "entry", b->payload.img.entry);
	ep_kv_hex(&l, "boot_info", (uint64_t)(UINTN)b->handoff.info);
	ep_kv_hex(&l, "stack_top", b->handoff.stack + EP_BOOT_STACK_SIZE);
	ep_kv_str(&l, "hypercall", ep_hc_mechanism_name(b->hc.mechanism));
	ep_line_end(&l);
}

/* The payload sees the log as it stands when it is entered. */
static void publish_log(struct boot *b)
{
	b->handoff.info->log = (uint64_t)(UINTN)b->log.buf;
	b->handoff.info->log_size = b->log.len;
}

static EFI_STATUS enter_with_boot_services(struct boot *b)
{
	efi_tpm_finish(&b->trust.tpm, &b->esp, &b->log);
	publish_log(b);
	uint64_t ret = ep_handoff_enter(b->payload.img.entry, b->handoff.info,
					b->handoff.stack + EP_BOOT_STACK_SIZE, 0);
	struct ep_line l;
	ep_line_begin(&l, &b->log, EP_LOG_INFO, "handoff");
	ep_kv_str(&l, "mode", "call");
	ep_kv_hex(&l, "returned", ret);
	ep_line_end(&l);
	return EFI_SUCCESS;
}

/*
 * `timing on`: how long the app took from efi_main to here (just before
 * ExitBootServices) and since the CPU's reset (the TSC starts at 0 there, as
 * QEMU and real CPUs do), by the TSC, whose rate is then measured against the
 * firmware's Stall() (after the interval, so the measurement costs nothing in it).
 */
static void log_timing(struct boot *b)
{
	uint64_t now = efi_rdtsc();
	uint64_t t0 = efi_rdtsc();
	BS->Stall(10000);
	uint64_t khz = (efi_rdtsc() - t0) / 10;
	struct ep_line l;
	/* W, so that `log-level warning` still shows what `timing on` asked for. */
	ep_line_begin(&l, &b->log, EP_LOG_WARN, "timing");
	ep_kv_str(&l, "mode", b->config.passthrough ? "passthrough" : "full");
	ep_kv_u(&l, "tsc_khz", khz);
	ep_kv_u(&l, "app_us", khz ? (now - b->entry_tsc) * 1000 / khz : 0);
	ep_kv_u(&l, "since_reset_us", khz ? now * 1000 / khz : 0);
	ep_line_end(&l);
}

static EFI_STATUS enter_after_exit(struct boot *b, bool linux_kernel)
{
	efi_tpm_finish(&b->trust.tpm, &b->esp, &b->log);
	if (!b->config.passthrough)
		write_log(b);
	if (b->config.timing)
		log_timing(b);
	/* From here on ConOut is off limits: lines go to memory (and debugcon/serial). */
	bool console = b->config.log_console;
	b->config.log_console = false;
	EFI_STATUS st = efi_exit_boot_services(b->image, &b->handoff, &b->log, &b->exit_attempted);
	if (EFI_ERROR(st)) {
		/* Never called (GetMemoryMap or the map buffer failed): boot services, console and ESP still work. */
		if (!b->exit_attempted)
			b->config.log_console = console;
		return st;
	}
	if (linux_kernel)
		efi_linux_enter(&b->linux_kernel, &b->handoff);
	publish_log(b);
	ep_handoff_enter(b->payload.img.entry, b->handoff.info, b->handoff.stack + EP_BOOT_STACK_SIZE, 1);
	ep_log_msg(&b->log, EP_LOG_ERR, "handoff", "payload returned after ExitBootServices: halting");
	for (;;)
		__asm__ volatile("cli; hlt");
}

static EFI_STATUS boot_linux(struct boot *b, enum ep_payload_kind kind);

/* An earlypatch payload, loaded (and patched or not): boot_info, the handoff line, then enter it. */
static EFI_STATUS hand_off(struct boot *b)
{
	EFI_STATUS st = efi_handoff_prepare(&b->handoff, &b->log);
	if (EFI_ERROR(st))
		return st;
	fill_boot_info(b);
	log_handoff(b);
	if (b->config.handoff == EP_HANDOFF_CALL)
		return enter_with_boot_services(b);
	return enter_after_exit(b, false);
}

static EFI_STATUS load_patch_and_enter(struct boot *b)
{
	EFI_STATUS st;
	enum ep_payload_kind kind;
	if (efi_linux_detect(&b->esp, b->config.payload, &kind))
		return boot_linux(b, kind);
	uint64_t t0 = efi_rdtsc();
	st = efi_payload_load(&b->esp, &b->trust, b->config.payload, &b->payload, &b->log);
	if (EFI_ERROR(st))
		return st;
	log_stage(b, "load", t0);
	t0 = efi_rdtsc();
	st = patch(b);
	if (EFI_ERROR(st)) {
		efi_payload_free(&b->payload);
		return st;
	}
	log_stage(b, "patch", t0);
	efi_tpm_measure_patched(&b->trust.tpm, "elf", (const void *)(UINTN)b->payload.base, b->payload.info.span,
				b->payload.base, &b->log);
	if (b->config.handoff == EP_HANDOFF_NONE) {
		ep_log_msg(&b->log, EP_LOG_INFO, "handoff", "handoff none: payload loaded and patched, not entered");
		return EFI_SUCCESS;
	}
	return hand_off(b);
}

/* A stock Linux kernel: pre-patched, then the boot protocol's 64-bit entry (efi/linux.c). */
static EFI_STATUS boot_linux(struct boot *b, enum ep_payload_kind kind)
{
	if (kind == EP_PAYLOAD_BZIMAGE) {
		struct ep_line l;
		ep_line_begin(&l, &b->log, EP_LOG_ERR, "payload");
		ep_kv_str(&l, "kind", ep_payload_kind_name(kind));
		ep_kv_str(&l, "file", b->config.payload);
		ep_kv_err(&l, EP_ERR_LINUX_BZIMAGE_NOT_UNPACKED);
		ep_line_end(&l);
		return EFI_UNSUPPORTED;
	}
	const struct efi_linux_in in = {
		.esp = &b->esp,
		.trust = &b->trust,
		.config = &b->config,
		.real_cpuid = ep_config_simulates(&b->config) ? NULL : &b->real_cpuid,
		.facts = &b->facts,
		.hc = &b->hc,
		.acpi_rsdp = b->firmware.acpi_rsdp,
		.cc_blob = b->firmware.cc_blob,
		.log = &b->log,
	};
	uint64_t t0 = efi_rdtsc();
	EFI_STATUS st = efi_linux_load(&in, &b->linux_kernel);
	if (EFI_ERROR(st))
		return st;
	log_stage(b, "load+patch", t0);
	if (b->config.handoff == EP_HANDOFF_NONE) {
		ep_log_msg(&b->log, EP_LOG_INFO, "handoff", "handoff none: kernel loaded and patched, not entered");
		return EFI_SUCCESS;
	}
	if (b->config.handoff == EP_HANDOFF_CALL)
		ep_log_msg(&b->log, EP_LOG_WARN, "handoff", "a Linux kernel is entered after ExitBootServices, not called");
	st = efi_handoff_prepare(&b->handoff, &b->log);
	if (!EFI_ERROR(st))
		st = efi_linux_prepare_handoff(&b->linux_kernel, &b->handoff, &b->log);
	if (EFI_ERROR(st))
		return st;
	efi_linux_log_handoff(&b->linux_kernel, &b->handoff, &b->log);
	return enter_after_exit(b, true);
}

/*
 * `passthrough on`: load the payload and enter it, nothing else (no probe,
 * no patching, no ESP log): what a plain loader does, so `make bench-boot`
 * can say what detection, patching and logging cost. earlypatch payloads only.
 */
static EFI_STATUS passthrough(struct boot *b)
{
	enum ep_payload_kind kind;
	if (efi_linux_detect(&b->esp, b->config.payload, &kind))
		return efi_log_status(&b->log, EFI_UNSUPPORTED, "passthrough", "a Linux payload: use the full path");
	EFI_STATUS st = efi_payload_load(&b->esp, &b->trust, b->config.payload, &b->payload, &b->log);
	if (EFI_ERROR(st))
		return st;
	if (b->config.handoff == EP_HANDOFF_NONE)
		return EFI_SUCCESS;
	return hand_off(b);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t entry_tsc = efi_rdtsc();
	InitializeLib(image, systab);
	/*
	 * The boot state (about 28 KB) comes from the firmware's pool rather than
	 * a static: gnu-efi's PE layout carries .bss as zero bytes in the file.
	 * LoaderData, so it outlives ExitBootServices like the image itself.
	 */
	struct boot *b = AllocateZeroPool(sizeof(*b));
	if (!b) {
		efi_console_print("earlypatch: out of memory for the boot state");
		return EFI_OUT_OF_RESOURCES;
	}
	b->entry_tsc = entry_tsc;
	b->image = image;
	ep_config_defaults(&b->config);
	b->con.config = &b->config;

	char *buf = AllocatePool(LOG_BUF_SIZE);
	if (!buf) {
		efi_console_print("earlypatch: out of memory for the log");
		return EFI_OUT_OF_RESOURCES;
	}
	ep_log_init(&b->log, buf, LOG_BUF_SIZE, efi_console_sink, &b->con);
	log_banner(b, image);

	EFI_STATUS st = efi_esp_open(image, &b->esp);
	ep_logfile_init(&b->logfile, &b->esp.fs, LOG_PATH, LOG_OLD_PATH);
	efi_trust_init(&b->trust, image, &b->log);
	if (EFI_ERROR(st))
		efi_log_status(&b->log, st, "esp", "cannot open the ESP: no config, no log file");
	else if (EFI_ERROR((st = load_config(b))))
		return finish(b, st);

	if (b->config.passthrough)
		return finish(b, passthrough(b));
	probe(b);
	return finish(b, load_patch_and_enter(b));
}
