/*
 * The ESP log file (core/boot/logfile.c) over a fake file system that can misbehave
 * as firmware does: a Delete that only warns (EFI_WARN_DELETE_FAILURE), a
 * read-only volume, a previous log far larger than any this app writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/logfile.h"

#define LOG "\\EFI\\earlypatch\\earlypatch.log"
#define OLD "\\EFI\\earlypatch\\earlypatch.log.old"

/* A file: real bytes, or (synthetic) a huge one whose byte at i is pattern(i). */
struct fake_file {
	bool used;
	char name[64];
	uint8_t *data;
	uint64_t len;
	bool synthetic;
};

struct handle {
	bool open;
	struct fake_file *f;
	uint64_t pos;
	bool writable;
};

struct fake_fs {
	struct fake_file files[4];
	struct handle handles[4];
	bool delete_only_warns; /* Delete returns EFI_WARN_DELETE_FAILURE and keeps the file */
	bool read_only;
	int open_handles;
	int deletes, set_sizes;
};

static struct fake_fs fs;

static uint8_t pattern(uint64_t i) { return (uint8_t)('a' + i % 26); }

static struct fake_file *find(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (fs.files[i].used && strcmp(fs.files[i].name, name) == 0)
			return &fs.files[i];
	return NULL;
}

static struct fake_file *add(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!fs.files[i].used) {
			memset(&fs.files[i], 0, sizeof(fs.files[i]));
			fs.files[i].used = true;
			strcpy(fs.files[i].name, name);
			return &fs.files[i];
		}
	fail_msg("fake fs full");
	return NULL;
}

static void seed(const char *name, const char *text)
{
	struct fake_file *f = add(name);
	f->len = strlen(text);
	f->data = malloc(f->len + 1);
	memcpy(f->data, text, f->len);
}

static void seed_synthetic(const char *name, uint64_t len)
{
	struct fake_file *f = add(name);
	f->len = len;
	f->synthetic = true;
}

static enum ep_fs_rc f_open(void *ctx, const char *path, enum ep_fs_mode mode, void **out)
{
	struct fake_file *f = find(path);
	if (mode != EP_FS_READ && fs.read_only)
		return EP_FS_ERROR;
	if (!f && mode != EP_FS_CREATE)
		return EP_FS_NOT_FOUND;
	if (!f)
		f = add(path);
	for (int i = 0; i < 4; i++)
		if (!fs.handles[i].open) {
			fs.handles[i] = (struct handle){true, f, 0, mode != EP_FS_READ};
			fs.open_handles++;
			*out = &fs.handles[i];
			return EP_FS_OK;
		}
	fail_msg("too many handles");
	return EP_FS_ERROR;
}

static enum ep_fs_rc f_read(void *ctx, void *file, void *buf, size_t *n)
{
	struct handle *h = file;
	uint64_t left = h->f->len - h->pos;
	size_t got = *n < left ? *n : (size_t)left;
	for (size_t i = 0; i < got; i++)
		((uint8_t *)buf)[i] = h->f->synthetic ? pattern(h->pos + i) : h->f->data[h->pos + i];
	h->pos += got;
	*n = got;
	return EP_FS_OK;
}

static enum ep_fs_rc f_write(void *ctx, void *file, const void *buf, size_t *n)
{
	struct handle *h = file;
	assert_true(h->writable);
	assert_false(h->f->synthetic);
	if (h->pos + *n > h->f->len) {
		h->f->data = realloc(h->f->data, h->pos + *n + 1);
		h->f->len = h->pos + *n;
	}
	memcpy(h->f->data + h->pos, buf, *n);
	h->pos += *n;
	return EP_FS_OK;
}

static enum ep_fs_rc f_get_size(void *ctx, void *file, uint64_t *size)
{
	*size = ((struct handle *)file)->f->len;
	return EP_FS_OK;
}

static enum ep_fs_rc f_set_size(void *ctx, void *file, uint64_t size)
{
	struct handle *h = file;
	assert_true(h->writable);
	assert_true(size <= h->f->len); /* only ever used to cut */
	h->f->len = size;
	fs.set_sizes++;
	return EP_FS_OK;
}

static enum ep_fs_rc f_flush(void *ctx, void *file) { return EP_FS_OK; }

static void f_close(void *ctx, void *file)
{
	struct handle *h = file;
	assert_true(h->open);
	h->open = false;
	fs.open_handles--;
}

static enum ep_fs_rc f_remove(void *ctx, void *file)
{
	struct handle *h = file;
	struct fake_file *f = h->f;
	f_close(ctx, file);
	fs.deletes++;
	if (fs.delete_only_warns)
		return EP_FS_NOT_DONE;
	free(f->data);
	memset(f, 0, sizeof(*f));
	return EP_FS_OK;
}

static const struct ep_fs_ops ops = {
	.open = f_open, .read = f_read, .write = f_write, .get_size = f_get_size,
	.set_size = f_set_size, .flush = f_flush, .close = f_close, .remove = f_remove,
};

static char logbuf[1 << 16];
static struct ep_log log_;

static int setup(void **state)
{
	for (int i = 0; i < 4; i++)
		free(fs.files[i].data);
	memset(&fs, 0, sizeof(fs));
	ep_log_init(&log_, logbuf, sizeof(logbuf), NULL, NULL);
	return 0;
}

static void assert_file(const char *name, const char *want)
{
	struct fake_file *f = find(name);
	assert_non_null(f);
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->data, want, f->len);
}

/* One boot writing its log: prepare, the "I log" line, write. */
static enum ep_fs_rc boot_writes(struct ep_logfile *lf, const char *text)
{
	enum ep_fs_rc rc = ep_logfile_prepare(lf, &log_);
	if (rc != EP_FS_OK)
		return rc;
	return ep_logfile_write(lf, text, strlen(text));
}

static void first_boot_creates_the_log(void **state)
{
	struct ep_logfile lf;
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=1\n"), EP_FS_OK);
	assert_file(LOG, "I boot n=1\n");
	assert_null(find(OLD));
	assert_int_equal(fs.open_handles, 0);
}

static void previous_log_is_kept_as_old(void **state)
{
	struct ep_logfile lf;
	seed(LOG, "I boot n=1 a much longer log than the next one\n");
	seed(OLD, "I boot n=0 and an even longer log, two boots ago, than both of them\n");
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=2\n"), EP_FS_OK);
	assert_file(LOG, "I boot n=2\n");
	assert_file(OLD, "I boot n=1 a much longer log than the next one\n");
	assert_int_equal(fs.open_handles, 0);
	assert_int_equal(log_.warnings, 0);
}

/*
 * Delete only warned (EFI_WARN_DELETE_FAILURE): the old, longer files are still
 * there when they are reopened, and must not keep their stale tails.
 */
static void delete_warning_leaves_no_stale_tail(void **state)
{
	struct ep_logfile lf;
	seed(LOG, "I boot n=1 a much longer log than the next one\n");
	seed(OLD, "I boot n=0 and an even longer log, two boots ago, than both of them\n");
	fs.delete_only_warns = true;
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=2\n"), EP_FS_OK);
	assert_true(fs.deletes > 0);
	assert_file(LOG, "I boot n=2\n");
	assert_file(OLD, "I boot n=1 a much longer log than the next one\n");
	assert_int_equal(fs.open_handles, 0);
}

static void replace_cuts_a_file_delete_could_not_remove(void **state)
{
	struct ep_logfile lf;
	seed(LOG, "0123456789");
	fs.delete_only_warns = true;
	ep_logfile_init(&lf, &ops, LOG, OLD); /* not prepared: no previous log to keep */
	assert_int_equal(ep_logfile_write(&lf, "ab", 2), EP_FS_OK);
	assert_file(LOG, "ab");
	/* Writing nothing leaves an empty file. */
	assert_int_equal(ep_logfile_write(&lf, "", 0), EP_FS_OK);
	assert_file(LOG, "");
}

/*
 * A previous log over 64 MiB (not one this app wrote) once made every later
 * boot fail to write its log. Its start is kept, one line says so, and the
 * boot's own log is written.
 */
static void oversize_previous_log_never_stops_the_write(void **state)
{
	struct ep_logfile lf;
	uint64_t big = (64ull << 20) + 1;
	seed_synthetic(LOG, big);
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(ep_logfile_prepare(&lf, &log_), EP_FS_OK);
	assert_int_equal(log_.warnings, 1);
	logbuf[log_.len] = 0;
	assert_non_null(strstr(logbuf, "W log file=" LOG " bytes=67108865 kept=4194304 old=" OLD " msg="));
	assert_int_equal(strchr(logbuf, '\n') - logbuf + 1, log_.len); /* one line */
	assert_int_equal(ep_logfile_write(&lf, "I boot n=2\n", 11), EP_FS_OK);
	assert_file(LOG, "I boot n=2\n");
	struct fake_file *old = find(OLD);
	assert_non_null(old);
	assert_int_equal(old->len, EP_LOGFILE_OLD_MAX);
	for (uint64_t i = 0; i < old->len; i++)
		if (old->data[i] != pattern(i))
			fail_msg("old log byte %llu differs", (unsigned long long)i);
	assert_int_equal(fs.open_handles, 0);
}

/* The boot after that one is ordinary again. */
static void boot_after_an_oversize_log(void **state)
{
	struct ep_logfile lf;
	seed_synthetic(LOG, (64ull << 20) + 1);
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=2\n"), EP_FS_OK);
	ep_log_init(&log_, logbuf, sizeof(logbuf), NULL, NULL);
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=3\n"), EP_FS_OK);
	assert_file(LOG, "I boot n=3\n");
	assert_file(OLD, "I boot n=2\n");
	assert_int_equal(log_.warnings, 0);
}

/* Exactly at the limit the log is kept whole, without a warning. */
static void previous_log_at_the_limit_is_kept_whole(void **state)
{
	struct ep_logfile lf;
	seed_synthetic(LOG, EP_LOGFILE_OLD_MAX);
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "x"), EP_FS_OK);
	assert_int_equal(log_.warnings, 0);
	assert_int_equal(find(OLD)->len, EP_LOGFILE_OLD_MAX);
}

/* Writing the log again in the same boot (after a late error) replaces it and keeps the previous boot's .old. */
static void second_write_in_a_boot_does_not_rotate_again(void **state)
{
	struct ep_logfile lf;
	seed(LOG, "I boot n=1\n");
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(boot_writes(&lf, "I boot n=2 part\n"), EP_FS_OK);
	assert_int_equal(boot_writes(&lf, "I boot n=2 part\nE late\n"), EP_FS_OK);
	assert_file(LOG, "I boot n=2 part\nE late\n");
	assert_file(OLD, "I boot n=1\n");
}

static void read_only_volume_fails_the_write(void **state)
{
	struct ep_logfile lf;
	seed(LOG, "I boot n=1\n");
	fs.read_only = true;
	ep_logfile_init(&lf, &ops, LOG, OLD);
	assert_int_equal(ep_logfile_prepare(&lf, &log_), EP_FS_OK);
	assert_int_equal(ep_logfile_write(&lf, "I boot n=2\n", 11), EP_FS_ERROR);
	assert_int_equal(lf.failed, EP_LOGFILE_STEP_WRITE);
	assert_file(LOG, "I boot n=1\n");
	assert_int_equal(fs.open_handles, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(first_boot_creates_the_log, setup),
		cmocka_unit_test_setup(previous_log_is_kept_as_old, setup),
		cmocka_unit_test_setup(delete_warning_leaves_no_stale_tail, setup),
		cmocka_unit_test_setup(replace_cuts_a_file_delete_could_not_remove, setup),
		cmocka_unit_test_setup(oversize_previous_log_never_stops_the_write, setup),
		cmocka_unit_test_setup(boot_after_an_oversize_log, setup),
		cmocka_unit_test_setup(previous_log_at_the_limit_is_kept_whole, setup),
		cmocka_unit_test_setup(second_write_in_a_boot_does_not_rotate_again, setup),
		cmocka_unit_test_setup(read_only_volume_fails_the_write, setup),
	};
	return cmocka_run_group_tests_name("logfile", tests, NULL, NULL);
}
