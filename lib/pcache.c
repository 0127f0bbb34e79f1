// SPDX-License-Identifier: MIT
/* pcache: a file to read, and its page-cache state made warm or cold and checked with mincore(2). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <syslab/pcache.h>

#include "errbuf.h"

#define CHUNK (1u << 20)

static void init(struct pcache_file *f)
{
	memset(f, 0, sizeof *f);
	f->fd = f->dfd = -1;
	f->map = NULL;
	f->page = (size_t)sysconf(_SC_PAGESIZE);
}

static const char *fs_name_of(long magic)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
		{EXT4_SUPER_MAGIC, "ext4"},         {TMPFS_MAGIC, "tmpfs"},       {RAMFS_MAGIC, "ramfs"},
		{XFS_SUPER_MAGIC, "xfs"},           {BTRFS_SUPER_MAGIC, "btrfs"}, {NFS_SUPER_MAGIC, "nfs"},
		{OVERLAYFS_SUPER_MAGIC, "overlay"}, {F2FS_SUPER_MAGIC, "f2fs"},   {0x2fc12fc1, "zfs"},
		{FUSE_SUPER_MAGIC, "fuse"},         {0x6a656a63, "fakeowner"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].magic == magic)
			return names[i].name;
	return "unknown";
}

static bool memory_fs(long magic)
{
	return magic == TMPFS_MAGIC || magic == RAMFS_MAGIC;
}

/* The O_DIRECT alignment the kernel states (statx, Linux 6.1), the sector size, or 4096 to try. */
static void dio_align(struct pcache_file *f)
{
	struct statx sx;
	int ssz;
	f->dio_mem_align = f->dio_off_align = 4096;
	if (f->blockdev && ioctl(f->dfd, BLKSSZGET, &ssz) == 0 && ssz > 0) {
		f->dio_mem_align = f->dio_off_align = (unsigned)ssz;
	} else if (statx(f->dfd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
		   (sx.stx_mask & STATX_DIOALIGN) && sx.stx_dio_offset_align) {
		f->dio_mem_align = sx.stx_dio_mem_align;
		f->dio_off_align = sx.stx_dio_offset_align;
	}
}

/* Opens the O_DIRECT descriptor and proves it with one aligned read; else says why not. */
static void dio_open(struct pcache_file *f)
{
	void *buf = NULL;
	if (memory_fs(f->fs_magic)) {
		snprintf(f->dio_why, sizeof f->dio_why,
			 "%s has no device under it: O_DIRECT there would read the page cache", f->fs_name);
		return;
	}
	if ((f->dfd = open(f->proc_path, O_RDONLY | O_DIRECT | O_CLOEXEC)) < 0) {
		snprintf(f->dio_why, sizeof f->dio_why, "%s refuses O_DIRECT: %s", f->fs_name,
			 strerror(errno));
		return;
	}
	dio_align(f);
	size_t n = f->dio_off_align > f->dio_mem_align ? f->dio_off_align : f->dio_mem_align;
	ssize_t got = -1;
	errno = ENOMEM;
	if (n <= f->size &&
	    posix_memalign(&buf, f->dio_mem_align < sizeof(void *) ? sizeof(void *) : f->dio_mem_align, n) ==
		    0)
		got = pread(f->dfd, buf, n, 0);
	else if (n > f->size)
		errno = EFBIG;
	if (got != (ssize_t)n) {
		snprintf(f->dio_why, sizeof f->dio_why, "an aligned O_DIRECT read of %zu bytes failed: %s", n,
			 got < 0 ? strerror(errno) : "short read");
		close(f->dfd);
		f->dfd = -1;
		f->dio_mem_align = f->dio_off_align = 0;
	}
	free(buf);
}

/* What open and create share once f->fd is open: size, mapping, filesystem, O_DIRECT. */
static int finish(struct pcache_file *f, const struct stat *st, char *err, size_t len)
{
	struct statfs sf;
	snprintf(f->proc_path, sizeof f->proc_path, "/proc/%d/fd/%d", (int)getpid(), f->fd);
	f->size = (uint64_t)st->st_size;
	if (f->blockdev && ioctl(f->fd, BLKGETSIZE64, &f->size) != 0)
		return fail(err, len, -errno, "cannot read the size of %s: %s", f->path, strerror(errno));
	if (f->size == 0)
		return fail(err, len, -EINVAL, "%s is empty", f->path);
	void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, f->fd, 0);
	if (m == MAP_FAILED)
		return fail(err, len, -errno, "cannot map %s: %s", f->path, strerror(errno));
	f->map = m;
	f->fs_magic = !f->blockdev && fstatfs(f->fd, &sf) == 0 ? (long)sf.f_type : 0;
	snprintf(f->fs_name, sizeof f->fs_name, "%s", f->blockdev ? "blockdev" : fs_name_of(f->fs_magic));
	/* Readahead off: every read brings in only the pages it asks for, so cold stays cold. */
	posix_fadvise(f->fd, 0, 0, POSIX_FADV_RANDOM);
	dio_open(f);
	return 0;
}

int pcache_open(struct pcache_file *f, const char *path, char *err, size_t len)
{
	struct stat st;
	int rc;
	init(f);
	snprintf(f->path, sizeof f->path, "%s", path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway. */
	if ((f->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return fail(err, len, -errno, "cannot open %s: %s", path, strerror(errno));
	if (fstat(f->fd, &st) != 0) {
		rc = fail(err, len, -errno, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = fail(err, len, -EISDIR, "%s is a directory, not a file", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		rc = fail(err, len, -EINVAL, "%s is not a regular file or a block device", path);
		goto out;
	}
	fcntl(f->fd, F_SETFL, 0);
	f->blockdev = S_ISBLK(st.st_mode);
	f->mincore_trusted =
		geteuid() == 0 || st.st_uid == geteuid() || faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
	rc = finish(f, &st, err, len);
out:
	if (rc)
		pcache_close(f);
	return rc;
}

/* A file with no name: O_TMPFILE, or on filesystems without it, mkstemp + unlink with signals held off. */
static int create_unnamed(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char tmpl[PATH_MAX];
	sigset_t all, old;
	if (snprintf(tmpl, sizeof tmpl, "%s/syslab-pread-XXXXXX", dir) >= (int)sizeof tmpl) {
		errno = ENAMETOOLONG;
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

static int fill(int fd, uint64_t size, uint64_t seed)
{
	uint64_t *buf = malloc(CHUNK), x = seed | 1;
	int rc = 0;
	if (!buf)
		return -ENOMEM;
	for (uint64_t done = 0; done < size && !rc;) {
		size_t n = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
		for (size_t i = 0; i < CHUNK / 8; i++) {
			x ^= x << 13, x ^= x >> 7,
				x ^= x << 17; /* xorshift64: bytes no filesystem can compress */
			buf[i] = x;
		}
		ssize_t w = write(fd, buf, n);
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		done += w > 0 ? (uint64_t)w : 0;
	}
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	free(buf);
	return rc;
}

int pcache_create(struct pcache_file *f, const char *dir, uint64_t size, uint64_t seed, char *err, size_t len)
{
	struct stat st;
	int rc;
	init(f);
	snprintf(f->path, sizeof f->path, "%s", dir);
	if (size == 0 || size % f->page)
		return fail(err, len, -EINVAL, "file size %llu is not a positive multiple of the page size",
			    (unsigned long long)size);
	if ((f->fd = create_unnamed(dir)) < 0)
		return fail(err, len, -errno, "cannot create a file in %s: %s", dir, strerror(errno));
	f->owned = true;
	f->mincore_trusted = true;
	if ((rc = fill(f->fd, size, seed)) != 0) {
		rc = fail(err, len, rc, "cannot write %llu bytes in %s: %s", (unsigned long long)size, dir,
			  strerror(-rc));
		goto out;
	}
	if (fstat(f->fd, &st) != 0) {
		rc = fail(err, len, -errno, "cannot stat the file in %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = finish(f, &st, err, len);
out:
	if (rc)
		pcache_close(f);
	return rc;
}

int pcache_hold(struct pcache_file *f, uint64_t len)
{
	pcache_release(f);
	if (len == 0 || len > f->size)
		return -EINVAL;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, f->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	if (mlock(m, len) != 0) {
		int e = errno;
		munmap(m, len);
		return -e;
	}
	f->held = m, f->held_len = len;
	return 0;
}

void pcache_release(struct pcache_file *f)
{
	if (f->held)
		munmap(f->held, f->held_len); /* unlocks too */
	f->held = NULL, f->held_len = 0;
}

void pcache_close(struct pcache_file *f)
{
	pcache_release(f);
	if (f->map)
		munmap((void *)f->map, f->size);
	if (f->dfd >= 0)
		close(f->dfd);
	if (f->fd >= 0)
		close(f->fd);
	f->map = NULL;
	f->fd = f->dfd = -1;
}

long pcache_resident(const struct pcache_file *f, uint64_t off, uint64_t len)
{
	unsigned char small[256], *vec = small;
	if (off >= f->size || len == 0)
		return off == f->size && len == 0 ? 0 : -EINVAL;
	if (len > f->size - off)
		len = f->size - off;
	uint64_t first = off / f->page, last = (off + len - 1) / f->page, n = last - first + 1;
	if (n > sizeof small && !(vec = malloc(n)))
		return -ENOMEM;
	long count = 0;
	if (mincore((void *)(f->map + first * f->page), (size_t)(n * f->page), vec) != 0) {
		count = -errno;
	} else {
		for (uint64_t i = 0; i < n; i++)
			count += vec[i] & 1;
	}
	if (vec != small)
		free(vec);
	return count;
}

static uint64_t pages_in(const struct pcache_file *f, uint64_t off, uint64_t len)
{
	if (len > f->size - off)
		len = f->size - off;
	return (off + len - 1) / f->page - off / f->page + 1;
}

/*
 * Reads the range through the cache and checks it stayed there. Reclaim may take a page between
 * the read and the check (kswapd, or a host that trims the guest's page cache: the lab's machine
 * loses a few MB of clean cache a second while idle), so a short range is read again a few times
 * before the answer is -EAGAIN.
 */
int pcache_warm(const struct pcache_file *f, uint64_t off, uint64_t len)
{
	enum { TRIES = 4 };
	if (off >= f->size || len == 0)
		return -EINVAL;
	char *buf = malloc(CHUNK);
	int rc = -EAGAIN;
	if (!buf)
		return -ENOMEM;
	uint64_t end = len > f->size - off ? f->size : off + len;
	for (int i = 0; i < TRIES && rc == -EAGAIN; i++) {
		rc = 0;
		for (uint64_t at = off; at < end && !rc;) {
			size_t n = end - at < CHUNK ? (size_t)(end - at) : CHUNK;
			ssize_t r = pread(f->fd, buf, n, (off_t)at);
			rc = r < 0 ? -errno : r == 0 ? -EIO : 0;
			at += r > 0 ? (uint64_t)r : 0;
		}
		if (rc)
			break;
		long res = pcache_resident(f, off, len);
		rc = res < 0 ? (int)res : (uint64_t)res == pages_in(f, off, len) ? 0 : -EAGAIN;
	}
	free(buf);
	return rc;
}

int pcache_evict(const struct pcache_file *f, uint64_t off, uint64_t len)
{
	if (off >= f->size || len == 0)
		return -EINVAL;
	/* Dirty pages are not dropped; the lab's file is written once and synced, a user's is read only. */
	if (f->owned && fdatasync(f->fd) != 0)
		return -errno;
	/* DONTNEED skips pages still sitting in a CPU's LRU batch; the kernel drains them and retries itself.
	 */
	int e = posix_fadvise(f->fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
	if (e)
		return -e;
	long res = pcache_resident(f, off, len);
	return res < 0 ? (int)res : res == 0 ? 0 : -EBUSY;
}

int pcache_cold_check(const struct pcache_file *f, uint64_t len, char *why, size_t wlen)
{
	if (memory_fs(f->fs_magic))
		return fail(why, wlen, -ENOTSUP, "%s keeps every page in memory: there is no colder state",
			    f->fs_name);
	if (!f->mincore_trusted)
		return fail(why, wlen, -ENOTSUP,
			    "mincore() shows this file's page cache only to its owner or a writer, so a cold "
			    "state could not be verified");
	/*
	 * The whole range at once: a large folio (ext4 and xfs cache big writes in them) is dropped
	 * only when the range covers all of it, so evicting one page of a freshly written file fails.
	 */
	int rc = pcache_evict(f, 0, len);
	if (rc == -EBUSY)
		return fail(why, wlen, -ENOTSUP,
			    "pages of this file stay resident after POSIX_FADV_DONTNEED");
	if (rc)
		return fail(why, wlen, rc, "cannot produce a cold page: %s", strerror(-rc));
	return 0;
}
