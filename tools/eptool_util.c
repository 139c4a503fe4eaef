#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "eptool.h"
#include "linux/lcaps.h"

char *eptool_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "eptool: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *bigger = realloc(buf, cap * 2 + 1);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		fprintf(stderr, "eptool: %s: read failed\n", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int eptool_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "eptool: %s: write failed: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_line(void *ctx, enum ep_level level, const char *line, size_t len)
{
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
}

void eptool_log_init_stdout(struct ep_log *log, char *buf, size_t cap)
{
	ep_log_init(log, buf, cap, print_line, NULL);
}

void eptool_cpuinfo_report(const struct ep_lcaps *caps, const struct ep_lcaps_cpuinfo_report *rep)
{
	printf("I eptool cpuinfo names=%u unknown=%u derived_differ=%u\n", rep->names.nflags + rep->names.nbugs,
	       rep->names.nunknown, rep->visible_differ);
	for (unsigned i = 0; i < rep->names.nkept; i++)
		printf("W eptool cpuinfo unknown=%.*s line=%s\n", (int)rep->names.unknown[i].len, rep->names.unknown[i].text,
		       rep->names.unknown[i].bug ? "bugs" : "flags");
	for (unsigned w = 0; w < caps->nwords; w++)
		for (unsigned b = 0; b < 32; b++)
			if (rep->differ[w] >> b & 1u)
				printf("W eptool cpuinfo differ bit=%u:%u name=%s shown=%u derived=%u\n", w, b,
				       ep_lf_display(caps->features, w * 32 + b), caps->words[w] >> b & 1u,
				       !(caps->words[w] >> b & 1u));
}
