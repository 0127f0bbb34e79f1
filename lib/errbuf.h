/* SPDX-License-Identifier: MIT */
/* errbuf: the one-line reason a library function leaves in the caller's buffer when it fails. */
#ifndef SYSLAB_ERRBUF_H
#define SYSLAB_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Formats the reason into err[len] and returns rc (a -errno), so a failure is one statement. */
static inline int fail(char *err, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int fail(char *err, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return rc;
}

#endif
