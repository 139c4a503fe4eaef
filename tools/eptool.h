/* eptool subcommands. Each lives in tools/eptool_<name>.c and is listed here once. */
#ifndef EPTOOL_H
#define EPTOOL_H

#include <stddef.h>

struct eptool_cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *help;
};

/* X(name, function, one-line help). Add a line when adding a subcommand. */
#define EPTOOL_COMMANDS(X)                                                          \
	X("cpu", eptool_cpu, "derive CPU facts from a CPUID dump or a boot log")    \
	EPTOOL_COMMANDS_DECODE(X)                                                   \
	EPTOOL_COMMANDS_PATCH(X)                                                    \
	EPTOOL_COMMANDS_TRUST(X)                                                    \
	EPTOOL_COMMANDS_MEASURE(X)

#define EPTOOL_COMMANDS_DECODE(X) X("decode", eptool_decode, "decode x86-64 code as the patcher sees it")
#define EPTOOL_COMMANDS_PATCH(X)                                                    \
	X("inspect", eptool_inspect, "list the patch sites of a payload")           \
	X("kind", eptool_kind, "what a payload file is, as the firmware tells: earlypatch, linux or bzimage") \
	X("apply", eptool_apply, "patch a payload for a set of CPU features")

int eptool_cpu(int argc, char **argv);
int eptool_decode(int argc, char **argv);
int eptool_inspect(int argc, char **argv);
int eptool_kind(int argc, char **argv);
int eptool_apply(int argc, char **argv);
#define EPTOOL_COMMANDS_TRUST(X)                                                    \
	X("pin", eptool_pin, "write SHA-256 pins of ESP files into earlypatch.efi before signing") \
	X("unpack", eptool_unpack, "write the application a packed earlypatch.efi carries, checked as the stub checks it")
int eptool_pin(int argc, char **argv);
int eptool_unpack(int argc, char **argv);
#define EPTOOL_COMMANDS_MEASURE(X)                                                  \
	X("pcr", eptool_pcr, "predict a boot's TPM PCRs 8 and 9, or replay its TCG event log")
int eptool_pcr(int argc, char **argv);

/* Shared helpers (tools/eptool_util.c). */
/* Reads a whole file; returns a malloc'd buffer (NUL-terminated) or NULL with a message on stderr. */
char *eptool_read_file(const char *path, size_t *len);
int eptool_write_file(const char *path, const void *data, size_t len);
/* A log sink that prints each line to stdout. */
struct ep_log;
void eptool_log_init_stdout(struct ep_log *log, char *buf, size_t cap);
/*
 * What `--cpuinfo` found: "I eptool cpuinfo names unknown derived_differ", a W line per
 * unknown name kept, and a W line per shown bit the rules derived otherwise (the
 * running kernel's value is the one used).
 */
struct ep_lcaps;
struct ep_lcaps_cpuinfo_report;
void eptool_cpuinfo_report(const struct ep_lcaps *caps, const struct ep_lcaps_cpuinfo_report *rep);

#endif
