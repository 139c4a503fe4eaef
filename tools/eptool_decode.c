/* Placeholder until the decode subcommand lands; the owner replaces this file. */
#include <stdio.h>
#include "eptool.h"
int eptool_decode(int argc, char **argv)
{
	fprintf(stderr, "eptool: 'decode' is not built yet\n");
	return 2;
}
