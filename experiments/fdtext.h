/* SPDX-License-Identifier: MIT */
/* fdtext: what a tool wrote to a descriptor (a memfd or a temporary file), read back whole. */
#ifndef SYSLAB_FDTEXT_H
#define SYSLAB_FDTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Everything fd holds from offset 0, NUL-terminated; NULL on an error. The caller frees it. */
char *fdtext_slurp(int fd);
/*
 * The first line of fd (the last with last) that has more than blanks in it, cut at max bytes,
 * into buf; "" when there is none, or fd is -1.
 */
void fdtext_line(int fd, bool last, size_t max, char *buf, size_t len);

#endif
