/* SPDX-License-Identifier: MIT */
/* cli: what the driver's commands share: error exits, number formatting, the summary printer. */
#ifndef SYSLAB_CLI_H
#define SYSLAB_CLI_H

#include <stdio.h>

#include <jansson.h>

#define EXIT_USAGE 2

/* Prints "syslab: MESSAGE" on stderr and exits with code. */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Prints every experiment of a results document: cases, then claims with their verdicts. */
void summary_print(FILE *f, const json_t *doc);

int cmd_compare(int argc, char **argv);

#endif
