// SPDX-License-Identifier: MIT
/* fdtext: what a tool wrote to a descriptor, read back whole: its text, its first or last line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtext.h"

char *fdtext_slurp(int fd)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	char *s;

	if (fd < 0 || fstat(fd, &st) < 0 || !(s = malloc((size_t)st.st_size + 1)))
		return NULL;
	while (got < (size_t)st.st_size && (r = pread(fd, s + got, (size_t)st.st_size - got, (off_t)got)) > 0)
		got += (size_t)r;
	s[got] = '\0';
	return s;
}

void fdtext_line(int fd, bool last, size_t max, char *buf, size_t len)
{
	char *s = fdtext_slurp(fd), *p = s;

	buf[0] = '\0';
	while (p && *p && (last || !buf[0])) {
		size_t n = strcspn(p, "\n");
		if (strspn(p, " \t\r") < n)
			snprintf(buf, len, "%.*s", (int)(n < max ? n : max), p);
		p += n + (p[n] == '\n');
	}
	free(s);
}
