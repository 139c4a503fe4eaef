/*
 * Replays saved fuzz inputs without libFuzzer: linked with one target's
 * LLVMFuzzerTestOneInput (built by gcc with ASan + UBSan, no recovery), it
 * feeds every file of the given directories (or the given files) to it, each
 * in its own process, so one crashing or aborting input fails only itself.
 *
 *   replay NAME DIR|FILE...   prints "FAIL NAME/file (how)" per failure and
 *                             "fuzz-replay NAME: N passed, M failed"
 *
 * Exit status: 0 when nothing failed. mk/fuzz.mk sums the targets' lines
 * into the closing "fuzz-replay: N passed, M failed".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* An exactly sized heap copy, as libFuzzer passes it: ASan sees reads past the end. */
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)(n > 0 ? n : 0));
	free(buf);
	return 0;
}

static unsigned passed, failed;

static void replay(const char *name, const char *path)
{
	fflush(stdout);
	fprintf(stderr, "== %s/%s\n", name, path);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		/* the input's own output (sanitizer report, invariant message) goes to stderr */
		_exit(run_one(path));
	}
	int st = 0;
	waitpid(pid, &st, 0);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		passed++;
		return;
	}
	failed++;
	if (WIFSIGNALED(st))
		printf("FAIL %s/%s (signal %d)\n", name, base, WTERMSIG(st));
	else
		printf("FAIL %s/%s (exit %d)\n", name, base, WEXITSTATUS(st));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s NAME DIR|FILE...\n", argv[0]);
		return 2;
	}
	const char *name = argv[1];
	for (int i = 2; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			failed++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			replay(name, argv[i]);
			continue;
		}
		struct dirent **ents;
		int n = scandir(argv[i], &ents, NULL, by_name);
		for (int k = 0; k < n; k++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], ents[k]->d_name);
			if (ents[k]->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
				replay(name, path);
			free(ents[k]);
		}
		free(n >= 0 ? ents : NULL);
	}
	printf("fuzz-replay %s: %u passed, %u failed\n", name, passed, failed);
	return failed ? 1 : 0;
}
