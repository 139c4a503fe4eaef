/*
 * The log file on the ESP: keeping the previous log as <path>.old and writing
 * this boot's, over struct ep_fs_ops. See logfile.h for what is guaranteed.
 */
#include "base/util.h"
#include "boot/logfile.h"

void ep_logfile_init(struct ep_logfile *lf, const struct ep_fs_ops *fs, const char *path, const char *old_path)
{
	ep_memset(lf, 0, sizeof(*lf));
	lf->fs = fs;
	lf->path = path;
	lf->old_path = old_path;
}

/* Copies go through here: no allocation, whatever the size of the previous log. */
static uint8_t chunk[16384];

/*
 * Writes size bytes into the open file f: from data, or read from src when
 * data is NULL. *written gets how many went in (src may end early).
 */
static enum ep_fs_rc put_bytes(const struct ep_fs_ops *fs, void *f, const void *data, void *src, uint64_t size,
			       uint64_t *written)
{
	*written = 0;
	while (*written < size) {
		size_t n = size - *written > sizeof(chunk) ? sizeof(chunk) : (size_t)(size - *written);
		const void *p = data ? (const uint8_t *)data + *written : chunk;
		enum ep_fs_rc rc;
		if (!data) {
			rc = fs->read(fs->ctx, src, chunk, &n);
			if (rc != EP_FS_OK)
				return EP_FS_ERROR;
			if (n == 0)
				return EP_FS_OK; /* the source ended early: keep what there was */
		}
		size_t w = n;
		rc = fs->write(fs->ctx, f, p, &w);
		if (rc != EP_FS_OK || w != n)
			return EP_FS_ERROR;
		*written += n;
	}
	return EP_FS_OK;
}

/*
 * Delete first (a fresh file), but a Delete that only warned leaves the old
 * file in place: whatever happened, the file is cut to what was written.
 */
static enum ep_fs_rc replace(const struct ep_fs_ops *fs, const char *path, const void *data, void *src, uint64_t size)
{
	void *f;
	enum ep_fs_rc rc = fs->open(fs->ctx, path, EP_FS_WRITE, &f);
	if (rc == EP_FS_OK) {
		if (fs->remove(fs->ctx, f) == EP_FS_ERROR)
			return EP_FS_ERROR;
		/* EP_FS_NOT_DONE: still there, possibly longer than what follows. */
	} else if (rc != EP_FS_NOT_FOUND) {
		return EP_FS_ERROR;
	}
	if (fs->open(fs->ctx, path, EP_FS_CREATE, &f) != EP_FS_OK)
		return EP_FS_ERROR;
	uint64_t written = 0, now = 0;
	rc = put_bytes(fs, f, data, src, size, &written);
	if (rc == EP_FS_OK)
		rc = fs->get_size(fs->ctx, f, &now);
	if (rc == EP_FS_OK && now != written) {
		rc = fs->set_size(fs->ctx, f, written);
		if (rc == EP_FS_OK)
			rc = fs->get_size(fs->ctx, f, &now);
		if (rc == EP_FS_OK && now != written)
			rc = EP_FS_ERROR;
	}
	enum ep_fs_rc fl = fs->flush(fs->ctx, f);
	fs->close(fs->ctx, f);
	if (rc != EP_FS_OK || fl != EP_FS_OK)
		return EP_FS_ERROR;
	return EP_FS_OK;
}

enum ep_fs_rc ep_logfile_prepare(struct ep_logfile *lf, struct ep_log *log)
{
	const struct ep_fs_ops *fs = lf->fs;
	void *f;
	if (lf->looked || lf->rotated)
		return EP_FS_OK;
	lf->looked = true;
	enum ep_fs_rc rc = fs->open(fs->ctx, lf->path, EP_FS_READ, &f);
	if (rc == EP_FS_NOT_FOUND)
		return EP_FS_OK;
	if (rc != EP_FS_OK)
		return EP_FS_ERROR;
	rc = fs->get_size(fs->ctx, f, &lf->prev_size);
	fs->close(fs->ctx, f);
	if (rc != EP_FS_OK)
		return EP_FS_ERROR;
	lf->prev_exists = true;
	lf->keep = lf->prev_size > EP_LOGFILE_OLD_MAX ? EP_LOGFILE_OLD_MAX : lf->prev_size;
	if (lf->keep < lf->prev_size) {
		struct ep_line l;
		ep_line_begin(&l, log, EP_LOG_WARN, "log");
		ep_kv_str(&l, "file", lf->path);
		ep_kv_u(&l, "bytes", lf->prev_size);
		ep_kv_u(&l, "kept", lf->keep);
		ep_kv_str(&l, "old", lf->old_path);
		ep_kv_str(&l, "msg", "previous log too large to keep whole: only its start is kept");
		ep_line_end(&l);
	}
	return EP_FS_OK;
}

/* The previous log's first lf->keep bytes become old_path. */
static enum ep_fs_rc keep_old(struct ep_logfile *lf)
{
	const struct ep_fs_ops *fs = lf->fs;
	void *prev;
	if (fs->open(fs->ctx, lf->path, EP_FS_READ, &prev) != EP_FS_OK)
		return EP_FS_ERROR;
	enum ep_fs_rc rc = replace(fs, lf->old_path, NULL, prev, lf->keep);
	fs->close(fs->ctx, prev);
	return rc;
}

enum ep_fs_rc ep_logfile_write(struct ep_logfile *lf, const void *data, size_t size)
{
	enum ep_fs_rc kept = EP_FS_OK;
	lf->failed = EP_LOGFILE_STEP_NONE;
	if (!lf->rotated) {
		/* Once per boot: a second write must not make this boot's log the "previous" one. */
		lf->rotated = true;
		if (lf->prev_exists)
			kept = keep_old(lf);
	}
	if (replace(lf->fs, lf->path, data ? data : "", NULL, size) != EP_FS_OK) {
		lf->failed = EP_LOGFILE_STEP_WRITE;
		return EP_FS_ERROR;
	}
	if (kept != EP_FS_OK) {
		lf->failed = EP_LOGFILE_STEP_KEEP_OLD;
		return EP_FS_ERROR;
	}
	return EP_FS_OK;
}
