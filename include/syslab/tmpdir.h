/* SPDX-License-Identifier: MIT */
/* tmpdir: removing the flat temporary directories the lab and its tools write into. */
#ifndef SYSLAB_TMPDIR_H
#define SYSLAB_TMPDIR_H

/*
 * Unlinks every entry of dir (files only: the lab's temporary directories hold no others),
 * then dir itself. Best effort, for cleanup paths: 0, or -errno of the rmdir.
 */
int tmpdir_remove(const char *dir);

#endif
