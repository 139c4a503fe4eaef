/*
 * Measured boot: see tpm.h. The protocol layouts are those of the TCG EFI
 * Protocol Specification (EFI_TCG2_PROTOCOL) and UEFI 2.10 (EFI_CC_MEASUREMENT_PROTOCOL);
 * the Linux table is include/linux/efi.h's struct linux_efi_tpm_eventlog.
 */
#include "base/util.h"
#include "console.h"
#include "tpm.h"

#define TCG2_PROTOCOL_GUID {0x607f766c, 0x7455, 0x42be, {0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f}}
#define CC_MEASUREMENT_PROTOCOL_GUID {0x96751a3d, 0x72f4, 0x41a6, {0xa7, 0x94, 0xed, 0x5d, 0x0e, 0x67, 0xae, 0x6b}}
#define TCG2_FINAL_EVENTS_TABLE_GUID {0x1e2ed096, 0x30e2, 0x4254, {0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25}}
#define LINUX_EFI_TPM_EVENT_LOG_GUID {0xb7799cb0, 0xeca2, 0x4943, {0x96, 0x67, 0x1f, 0xae, 0x07, 0xb7, 0x47, 0xfa}}

#define EVENT_LOG_FORMAT_TCG_2 0x00000002
#define EVENT_HEADER_SIZE 14          /* packed: HeaderSize u32, HeaderVersion u16, index u32, type u32 */
#define EVENT_TEXT_MAX 320
#define LOG_LIMIT (64u << 20)         /* no TCG event log is larger: a bound for walking one */

struct tcg2_capability {              /* EFI_TCG2_BOOT_SERVICE_CAPABILITY (natural alignment) */
	UINT8 Size;
	UINT8 StructureVersion[2], ProtocolVersion[2];
	UINT32 HashAlgorithmBitmap, SupportedEventLogs;
	BOOLEAN TPMPresentFlag;
	UINT16 MaxCommandSize, MaxResponseSize;
	UINT32 ManufacturerID, NumberOfPcrBanks, ActivePcrBanks;
};

struct tcg2 {
	EFI_STATUS (EFIAPI *GetCapability)(struct tcg2 *self, struct tcg2_capability *cap);
	EFI_STATUS (EFIAPI *GetEventLog)(struct tcg2 *self, UINT32 format, EFI_PHYSICAL_ADDRESS *location,
					 EFI_PHYSICAL_ADDRESS *last_entry, BOOLEAN *truncated);
	EFI_STATUS (EFIAPI *HashLogExtendEvent)(struct tcg2 *self, UINT64 flags, EFI_PHYSICAL_ADDRESS data,
						UINT64 len, void *event);
	EFI_STATUS (EFIAPI *SubmitCommand)(struct tcg2 *self, UINT32 in_size, UINT8 *in, UINT32 out_size, UINT8 *out);
};

struct cc_capability {                /* EFI_CC_BOOT_SERVICE_CAPABILITY */
	UINT8 Size;
	UINT8 StructureVersion[2], ProtocolVersion[2];
	UINT32 HashAlgorithmBitmap, SupportedEventLogs;
	UINT8 CcType, CcSubType;
};

struct cc_measurement {
	EFI_STATUS (EFIAPI *GetCapability)(struct cc_measurement *self, struct cc_capability *cap);
	EFI_STATUS (EFIAPI *GetEventLog)(struct cc_measurement *self, UINT32 format, EFI_PHYSICAL_ADDRESS *location,
					 EFI_PHYSICAL_ADDRESS *last_entry, BOOLEAN *truncated);
	EFI_STATUS (EFIAPI *HashLogExtendEvent)(struct cc_measurement *self, UINT64 flags, EFI_PHYSICAL_ADDRESS data,
						UINT64 len, void *event);
	EFI_STATUS (EFIAPI *MapPcrToMrIndex)(struct cc_measurement *self, UINT32 pcr, UINT32 *mr);
};

static const char *cc_type_name(UINT8 type)
{
	switch (type) {
	case 1: return "sev";
	case 2: return "tdx";
	case 3: return "aptee";
	case 4: return "armcca";
	}
	return "other";
}

/* EFI_TCG2_EVENT / EFI_CC_EVENT (same layout, the index is a PCR or an MR): Size, header, event data. */
static uint8_t event_buf[4 + EVENT_HEADER_SIZE + EVENT_TEXT_MAX];
static const uint8_t no_bytes[1];

static void *event(const struct ep_measure_event *ev, uint32_t index)
{
	size_t n = ev->text_len < EVENT_TEXT_MAX ? ev->text_len : EVENT_TEXT_MAX;
	ep_put_le32(event_buf, (uint32_t)(4 + EVENT_HEADER_SIZE + n));
	ep_put_le32(event_buf + 4, EVENT_HEADER_SIZE);
	event_buf[8] = 1, event_buf[9] = 0; /* HeaderVersion */
	ep_put_le32(event_buf + 10, index);
	ep_put_le32(event_buf + 14, ev->type);
	ep_memcpy(event_buf + 18, ev->text, n);
	return event_buf;
}

static EFI_PHYSICAL_ADDRESS data_of(const struct ep_measure_event *ev)
{
	return (EFI_PHYSICAL_ADDRESS)(UINTN)(ev->len ? ev->data : no_bytes);
}

static uint64_t tpm_extend(void *ctx, const struct ep_measure_event *ev)
{
	struct tcg2 *p = ((struct efi_tpm *)ctx)->tcg2;
	EFI_STATUS st = p->HashLogExtendEvent(p, 0, data_of(ev), ev->len, event(ev, ev->pcr));
	return EFI_ERROR(st) ? st : 0;
}

static uint64_t tpm_submit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t cap)
{
	struct tcg2 *p = ((struct efi_tpm *)ctx)->tcg2;
	EFI_STATUS st = p->SubmitCommand(p, (UINT32)cmd_len, (UINT8 *)cmd, (UINT32)cap, rsp);
	return EFI_ERROR(st) ? st : 0;
}

static uint64_t cc_map(void *ctx, unsigned pcr, uint32_t *mr)
{
	struct cc_measurement *p = ((struct efi_tpm *)ctx)->cc;
	UINT32 index = 0;
	EFI_STATUS st = p->MapPcrToMrIndex(p, pcr, &index);
	*mr = index;
	return EFI_ERROR(st) ? st : 0;
}

static uint64_t cc_extend(void *ctx, uint32_t mr, const struct ep_measure_event *ev)
{
	struct cc_measurement *p = ((struct efi_tpm *)ctx)->cc;
	EFI_STATUS st = p->HashLogExtendEvent(p, 0, data_of(ev), ev->len, event(ev, mr));
	return EFI_ERROR(st) ? st : 0;
}

static void kv_banks(struct ep_line *l, uint32_t banks)
{
	static const char *const names[] = {"sha1", "sha256", "sha384", "sha512", "sm3_256"};
	char buf[48];
	size_t n = 0;
	for (unsigned i = 0; i < 5; i++) {
		if (!(banks & (1u << i)))
			continue;
		if (n)
			buf[n++] = ',';
		n += ep_strlcpy(buf + n, names[i], sizeof(buf) - n);
	}
	buf[n] = '\0';
	ep_kv_str(l, "banks", n ? buf : "none");
}

void efi_tpm_open(struct efi_tpm *t, struct ep_log *log)
{
	EFI_GUID tcg2_guid = TCG2_PROTOCOL_GUID, cc_guid = CC_MEASUREMENT_PROTOCOL_GUID;
	struct tcg2 *tcg2 = NULL;
	struct cc_measurement *cc = NULL;
	struct tcg2_capability cap;
	struct cc_capability cc_cap;
	struct ep_measure_ops ops = {.ctx = t};
	ep_memset(t, 0, sizeof(*t));
	ep_memset(&cap, 0, sizeof(cap));
	ep_memset(&cc_cap, 0, sizeof(cc_cap));
	cap.Size = sizeof(cap);
	cc_cap.Size = sizeof(cc_cap);
	if (!EFI_ERROR(BS->LocateProtocol(&tcg2_guid, NULL, (void **)&tcg2)) && tcg2 &&
	    !EFI_ERROR(tcg2->GetCapability(tcg2, &cap)) && cap.TPMPresentFlag) {
		t->tcg2 = tcg2;
		t->banks = cap.ActivePcrBanks;
		ops.tpm_extend = tpm_extend;
		ops.tpm_submit = tpm_submit;
	}
	if (!EFI_ERROR(BS->LocateProtocol(&cc_guid, NULL, (void **)&cc)) && cc) {
		t->cc = cc;
		if (EFI_ERROR(cc->GetCapability(cc, &cc_cap)))
			cc_cap.CcType = 0xff;
		ops.cc_map = cc_map;
		ops.cc_extend = cc_extend;
	}
	ep_measure_init(&t->m, &ops);
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "tpm");
	ep_kv_bool(&l, "present", t->tcg2 != NULL);
	if (t->tcg2) {
		kv_banks(&l, t->banks);
		ep_kv_hexw(&l, "manufacturer", cap.ManufacturerID, 8);
	}
	if (t->cc)
		ep_kv_str(&l, "cc", cc_type_name(cc_cap.CcType));
	ep_line_end(&l);
	if (t->tcg2)
		ep_measure_read_pcrs(&t->m, EP_PCR_MASK_EARLYPATCH, "tpm-start", log, NULL);
}

void efi_tpm_measure_file(struct efi_tpm *t, const char *what, const char *path, const uint8_t *data, UINTN len,
			  struct ep_log *log)
{
	ep_measure_file(&t->m, what, path, data, len, log);
}

ep_patch_write_fn *efi_tpm_recorder(struct efi_tpm *t, const char *payload, enum ep_hc_mechanism hc,
				    const char *stage2, int64_t slide, void **ctx)
{
	return ep_measure_recorder(&t->m, payload, hc, stage2, slide, ctx);
}

void efi_tpm_measure_patched(struct efi_tpm *t, const char *kind, const void *image, uint64_t len, uint64_t base,
			     struct ep_log *log)
{
	ep_measure_patched(&t->m, kind, image, len, base, log);
}

/* The TCG2 event log as it stands: its bytes and size. */
static void log_problem(struct ep_log *log, const char *what, EFI_STATUS st, enum ep_err err, const char *msg)
{
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_WARN, "tpm-eventlog");
	ep_kv_str(&l, "what", what);
	if (err)
		ep_kv_err(&l, err);
	else
		ep_kv_hex(&l, "efi_status", st), ep_kv_str(&l, "msg", msg);
	ep_line_end(&l);
}

/* The firmware's TCG2 event log; false (with a W line naming what it was for) when there is none. */
static bool get_log(struct efi_tpm *t, const char *what, const char *msg, const uint8_t **data, size_t *size,
		    bool *truncated, struct ep_log *log)
{
	struct tcg2 *p = t->tcg2;
	EFI_PHYSICAL_ADDRESS loc = 0, last = 0;
	BOOLEAN trunc = FALSE;
	EFI_STATUS st = p->GetEventLog(p, EVENT_LOG_FORMAT_TCG_2, &loc, &last, &trunc);
	enum ep_err err = EP_ERR_OK;
	*size = 0;
	*data = (const uint8_t *)(UINTN)loc;
	*truncated = trunc;
	if (!EFI_ERROR(st) && !loc)
		st = EFI_NOT_FOUND;
	if (!EFI_ERROR(st))
		err = ep_tcg_log_size(*data, (const uint8_t *)(UINTN)last, LOG_LIMIT, size);
	if (EFI_ERROR(st) || err) {
		log_problem(log, what, st, err, msg);
		return false;
	}
	return true;
}

/* The bytes of the final events table's events that the log we copy already holds (Linux skips them). */
static size_t final_events_preboot(const uint8_t *log_data, size_t log_size)
{
	EFI_GUID g = TCG2_FINAL_EVENTS_TABLE_GUID;
	struct ep_tcg_log_algs algs;
	size_t n = 0;
	if (ep_tcg_log_spec(log_data, log_size, &algs))
		return 0;
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *c = &ST->ConfigurationTable[i];
		if (ep_memcmp(&c->VendorGuid, &g, sizeof(g)) != 0 || !c->VendorTable)
			continue;
		const uint8_t *tbl = c->VendorTable;   /* Version u64, NumberOfEvents u64, events */
		if (ep_tcg_events_size(tbl + 16, LOG_LIMIT, ep_le64(tbl + 8), &algs, &n))
			n = 0;
	}
	return n;
}

void efi_tpm_linux_eventlog(struct efi_tpm *t, struct ep_log *log)
{
	if (!t->tcg2)
		return;
	const uint8_t *data;
	size_t size;
	bool truncated;
	if (!get_log(t, "linux-table", "GetEventLog failed: the kernel gets no event log", &data, &size, &truncated, log))
		return;
	size_t preboot = final_events_preboot(data, size);
	/* struct linux_efi_tpm_eventlog: u32 size, u32 final_events_preboot_size, u8 version, u8 log[] (at 9). */
	uint8_t *tbl = NULL;
	EFI_STATUS st = BS->AllocatePool(EfiACPIReclaimMemory, 12 + size, (void **)&tbl);
	if (EFI_ERROR(st)) {
		log_problem(log, "linux-table", st, EP_ERR_OK, "cannot allocate the table");
		return;
	}
	ep_memset(tbl, 0, 12 + size);
	ep_put_le32(tbl, (uint32_t)size);
	ep_put_le32(tbl + 4, (uint32_t)preboot);
	tbl[8] = EVENT_LOG_FORMAT_TCG_2;
	ep_memcpy(tbl + 9, data, size);
	EFI_GUID g = LINUX_EFI_TPM_EVENT_LOG_GUID;
	st = BS->InstallConfigurationTable(&g, tbl);
	if (EFI_ERROR(st)) {
		BS->FreePool(tbl);
		log_problem(log, "linux-table", st, EP_ERR_OK, "cannot install the table");
		return;
	}
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "tpm-eventlog");
	ep_kv_str(&l, "what", "linux-table");
	ep_kv_hex(&l, "table", (uint64_t)(UINTN)tbl);
	ep_kv_u(&l, "bytes", size);
	ep_kv_u(&l, "final_preboot", preboot);
	ep_kv_bool(&l, "truncated", truncated);
	ep_line_end(&l);
}

static enum ep_fs_rc write_file(struct efi_esp *esp, const char *path, const void *data, size_t size)
{
	const struct ep_fs_ops *fs = &esp->fs;
	void *f;
	size_t n = size;
	enum ep_fs_rc rc = fs->open(fs->ctx, path, EP_FS_CREATE, &f);
	if (rc != EP_FS_OK)
		return rc;
	rc = fs->set_size(fs->ctx, f, 0);
	if (rc == EP_FS_OK && size)
		rc = fs->write(fs->ctx, f, data, &n);
	if (rc == EP_FS_OK)
		rc = fs->flush(fs->ctx, f);
	fs->close(fs->ctx, f);
	return rc;
}

void efi_tpm_finish(struct efi_tpm *t, struct efi_esp *esp, struct ep_log *log)
{
	if (t->finished || !t->tcg2)
		return;
	t->finished = true;
	ep_measure_read_pcrs(&t->m, EP_PCR_MASK_EARLYPATCH, "tpm", log, NULL);
	const uint8_t *data;
	size_t size;
	bool truncated;
	if (!get_log(t, "esp", "GetEventLog failed", &data, &size, &truncated, log))
		return;
	if (!esp->root) {
		log_problem(log, "esp", EFI_NOT_READY, EP_ERR_OK, "no ESP: the event log is not written");
		return;
	}
	if (write_file(esp, EFI_TPM_EVENTLOG_PATH, data, size) != EP_FS_OK) {
		log_problem(log, "esp", esp->last_error, EP_ERR_OK, "cannot write the event log to the ESP");
		return;
	}
	struct ep_line l;
	ep_line_begin(&l, log, EP_LOG_INFO, "tpm-eventlog");
	ep_kv_str(&l, "what", "esp");
	ep_kv_str(&l, "file", EFI_TPM_EVENTLOG_PATH);
	ep_kv_u(&l, "bytes", size);
	ep_kv_str(&l, "format", "tcg2");
	ep_kv_bool(&l, "truncated", truncated);
	ep_line_end(&l);
}
