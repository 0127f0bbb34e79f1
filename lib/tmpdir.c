// SPDX-License-Identifier: MIT
/* tmpdir: removing the flat temporary directories the lab and its tools write into. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <syslab/tmpdir.h>

int tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	return rmdir(dir) == 0 ? 0 : -errno;
}
