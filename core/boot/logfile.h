/*
 * The log file on the ESP. Each boot's log replaces the file and the previous
 * boot's log is kept as <path>.old. The steps live here, over a minimal file
 * interface: efi/esp.c implements it with the Simple File System protocol, the
 * unit tests with a fake that misbehaves as firmware may (a Delete that only
 * warns, a log left oversize by something else).
 *
 * Guarantees: after a write the file holds exactly this boot's bytes (a file
 * the firmware could not delete is cut to the written size); a previous log
 * too large to keep whole never stops a boot from writing its own (only its
 * first EP_LOGFILE_OLD_MAX bytes are kept, and that is logged in one line).
 */
#ifndef EP_LOGFILE_H
#define EP_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/log.h"

/* What a file operation did. On EP_FS_ERROR the glue keeps its own status (an EFI_STATUS) for the log. */
enum ep_fs_rc {
	EP_FS_OK,
	EP_FS_NOT_FOUND, /* open without create: no such file */
	EP_FS_NOT_DONE,  /* a warning, nothing failed but it was not done (Delete: EFI_WARN_DELETE_FAILURE) */
	EP_FS_ERROR,
};

enum ep_fs_mode {
	EP_FS_READ,      /* read only */
	EP_FS_WRITE,     /* read and write, the file must exist */
	EP_FS_CREATE,    /* read and write, created when absent */
};

struct ep_fs_ops {
	void *ctx;
	enum ep_fs_rc (*open)(void *ctx, const char *path, enum ep_fs_mode mode, void **file);
	/* Up to *n bytes at the file's position (a new handle starts at 0); *n gets how many. */
	enum ep_fs_rc (*read)(void *ctx, void *file, void *buf, size_t *n);
	/* *n bytes at the position; *n gets how many were written. */
	enum ep_fs_rc (*write)(void *ctx, void *file, const void *buf, size_t *n);
	enum ep_fs_rc (*get_size)(void *ctx, void *file, uint64_t *size);
	enum ep_fs_rc (*set_size)(void *ctx, void *file, uint64_t size);
	enum ep_fs_rc (*flush)(void *ctx, void *file);
	void (*close)(void *ctx, void *file);
	/* Deletes the file; the handle is closed whatever it returns. */
	enum ep_fs_rc (*remove)(void *ctx, void *file);
};

/*
 * A previous log larger than this is not one this app wrote (its log buffer is
 * 1 MiB): only its first EP_LOGFILE_OLD_MAX bytes are kept as <path>.old.
 */
#define EP_LOGFILE_OLD_MAX (4u << 20)

enum ep_logfile_step { EP_LOGFILE_STEP_NONE, EP_LOGFILE_STEP_KEEP_OLD, EP_LOGFILE_STEP_WRITE };

struct ep_logfile {
	const struct ep_fs_ops *fs;
	const char *path, *old_path;
	bool looked;               /* ep_logfile_prepare has run */
	bool prev_exists;          /* there is a previous log to keep */
	uint64_t prev_size;        /* its size */
	uint64_t keep;             /* how many of its bytes go to old_path */
	bool rotated;              /* the previous log was dealt with: later writes only replace path */
	enum ep_logfile_step failed; /* the step that failed in the last ep_logfile_write */
};

void ep_logfile_init(struct ep_logfile *lf, const struct ep_fs_ops *fs, const char *path, const char *old_path);
/*
 * Looks at the previous log, once per boot, before the last lines are logged:
 * one that is too large to keep whole is reported here as
 * "W log file=... bytes=N kept=M old=... msg=...", so the line is in the file
 * it is about. EP_FS_ERROR: it cannot be read (it is then not kept).
 */
enum ep_fs_rc ep_logfile_prepare(struct ep_logfile *lf, struct ep_log *log);
/*
 * Keeps the previous log as old_path (the first time in a boot only), then
 * replaces path with data. Either step failing is EP_FS_ERROR with lf->failed
 * saying which; a failure to keep the old log does not stop the new one being
 * written (it is then reported as EP_LOGFILE_STEP_KEEP_OLD).
 */
enum ep_fs_rc ep_logfile_write(struct ep_logfile *lf, const void *data, size_t size);

#endif
