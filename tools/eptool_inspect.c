/* Placeholder until the inspect subcommand lands; the owner replaces this file. */
#include <stdio.h>
#include "eptool.h"
int eptool_inspect(int argc, char **argv)
{
	fprintf(stderr, "eptool: 'inspect' is not built yet\n");
	return 2;
}
