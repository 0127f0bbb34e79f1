/* SPDX-License-Identifier: MIT */
/* pcache: a file to read, and its page-cache state made warm or cold and checked with mincore(2). */
#ifndef SYSLAB_PCACHE_H
#define SYSLAB_PCACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One file (or block device) under study. The mapping exists only so mincore(2) can ask which
 * of the file's pages the page cache holds; it is never touched, so it maps nothing in.
 */
struct pcache_file {
	int fd;               /* buffered reads */
	int dfd;              /* the same file opened O_DIRECT, or -1 (see dio_why) */
	uint64_t size;        /* bytes */
	const uint8_t *map;   /* PROT_READ, MAP_SHARED over [0, size); for mincore only */
	size_t page;          /* page size */
	bool owned;           /* the lab created it: unlinked from the start, gone when closed */
	bool blockdev;        /* a block device rather than a regular file */
	bool mincore_trusted; /* mincore reports the page cache (see pcache_open) */
	long fs_magic;        /* statfs f_type of the filesystem, 0 for a block device */
	char fs_name[16];     /* "ext4", "tmpfs", ... or "blockdev", "unknown" */
	unsigned dio_mem_align, dio_off_align; /* O_DIRECT alignment in bytes, 0 when dfd < 0 */
	char dio_why[160];                     /* why O_DIRECT cannot be used, when dfd < 0 */
	char path[PATH_MAX];                   /* what the user named, or where the lab's file was made */
	char proc_path[64]; /* /proc/PID/fd/N: a name other programs can open, even when unlinked */
	void *held;         /* the mlock()ed mapping of pcache_hold, or NULL */
	uint64_t held_len;
};

/*
 * Opens a user's file or block device, read-only. Fails with a one-line reason in err when it is
 * missing, unreadable, a directory or another kind of file, or empty. 0 or -errno.
 * mincore() answers for a file's page cache only to its owner, a writer or a privileged caller
 * (Linux 5.0, commit 574823bfab82); to anyone else it says every page is resident, and
 * mincore_trusted is false. Close with pcache_close().
 */
int pcache_open(struct pcache_file *f, const char *path, char *err, size_t len);

/*
 * Creates the lab's own file of size bytes (a multiple of the page size) in dir, filled with
 * pseudo-random bytes from seed and fsynced. It has no name from the start (O_TMPFILE, or
 * mkstemp and unlink with signals blocked in between), so nothing is left behind, even when
 * the run is killed. 0 or -errno with err.
 */
int pcache_create(struct pcache_file *f, const char *dir, uint64_t size, uint64_t seed, char *err,
		  size_t len);

void pcache_close(struct pcache_file *f); /* safe twice, and on a struct with fd = dfd = -1 and no map */

/* How many pages of [off, off + len) the page cache holds, or -errno. */
long pcache_resident(const struct pcache_file *f, uint64_t off, uint64_t len);

/*
 * Reads [off, off + len) through the cache, then checks every page is resident (again, a few
 * times, while reclaim takes some in between): 0, -EAGAIN when they do not stay, -errno.
 */
int pcache_warm(const struct pcache_file *f, uint64_t off, uint64_t len);

/*
 * Holds [0, len) resident: maps it and mlock()s the mapping, so that neither reclaim nor
 * anything else of the host's drops those pages while they are measured warm (some hosts shed
 * clean page cache every few seconds with memory to spare). Reads them in too. 0, or -errno
 * (-EPERM/-ENOMEM/-EAGAIN when RLIMIT_MEMLOCK is too small). pcache_release undoes it; close does too.
 */
int pcache_hold(struct pcache_file *f, uint64_t len);
void pcache_release(struct pcache_file *f);

/*
 * Drops [off, off + len) from the page cache: fsync (dirty pages cannot be dropped), then
 * POSIX_FADV_DONTNEED, then checks no page is left. 0, -EBUSY when pages stayed, -errno.
 */
int pcache_evict(const struct pcache_file *f, uint64_t off, uint64_t len);

/*
 * Whether the cold state can be produced and verified here, by evicting [0, len): 0, or
 * -ENOTSUP with the reason (tmpfs and ramfs keep pages in memory, mincore not trusted, pages
 * that stay resident), or -errno. Leaves [0, len) evicted.
 */
int pcache_cold_check(const struct pcache_file *f, uint64_t len, char *why, size_t wlen);

#endif
