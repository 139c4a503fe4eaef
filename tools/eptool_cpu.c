/* Placeholder until the cpu subcommand lands; the owner replaces this file. */
#include <stdio.h>
#include "eptool.h"
int eptool_cpu(int argc, char **argv)
{
	fprintf(stderr, "eptool: 'cpu' is not built yet\n");
	return 2;
}
