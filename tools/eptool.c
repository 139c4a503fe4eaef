/*
 * eptool — the host side of earlypatch: replays firmware decisions on a
 * workstation using the same core/ code the EFI app runs.
 */
#include <stdio.h>
#include <string.h>

#include "eptool.h"

static const struct eptool_cmd commands[] = {
#define EPTOOL_CMD_ENTRY(name, fn, help) {name, fn, help},
	EPTOOL_COMMANDS(EPTOOL_CMD_ENTRY)
#undef EPTOOL_CMD_ENTRY
};

static void usage(FILE *out)
{
	fprintf(out, "usage: eptool COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "eptool: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
