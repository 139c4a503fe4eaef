/* Placeholder until the apply subcommand lands; the owner replaces this file. */
#include <stdio.h>
#include "eptool.h"
int eptool_apply(int argc, char **argv)
{
	fprintf(stderr, "eptool: 'apply' is not built yet\n");
	return 2;
}
