// SPDX-License-Identifier: MIT
/* Unit tests of pcache: warm and cold states checked with mincore, on a disk file and on tmpfs, and bad
 * files. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <syslab/pcache.h>

#include "tap.h"

#define SIZE (4u << 20)

static char err[256];

/* A directory on a filesystem backed by a device: SYSLAB_TEST_DISKDIR, else /var/tmp, else the cwd. */
static const char *disk_dir(void)
{
	static const char *const cands[] = {"/var/tmp", "."};
	const char *env = getenv("SYSLAB_TEST_DISKDIR");
	struct statfs sf;
	if (env && *env)
		return env;
	for (size_t i = 0; i < 2; i++)
		if (statfs(cands[i], &sf) == 0 && sf.f_type != TMPFS_MAGIC && sf.f_type != RAMFS_MAGIC)
			return cands[i];
	return NULL;
}

static void test_disk(void)
{
	const char *dir = disk_dir();
	struct pcache_file f;
	struct stat st;
	if (!dir) {
		diag("no device-backed directory: disk tests skipped");
		return;
	}
	is_int(pcache_create(&f, dir, SIZE, 7, err, sizeof err), 0, "create a %u-byte file in %s (%s)", SIZE,
	       dir, err);
	ok(fstat(f.fd, &st) == 0 && st.st_nlink == 0, "the lab's file has no name (links %ld)",
	   (long)st.st_nlink);
	ok(f.owned && f.size == SIZE && f.mincore_trusted, "owned, sized, mincore trusted");
	char probe[300];
	snprintf(probe, sizeof probe, "%s", f.proc_path);
	int fd2 = open(probe, O_RDONLY);
	ok(fd2 >= 0, "another program can open it as %s", probe);
	if (fd2 >= 0)
		close(fd2);

	/* Regression: a freshly written file sits in large folios, which only a whole-range DONTNEED drops.
	 */
	is_int(pcache_cold_check(&f, f.size, err, sizeof err), 0,
	       "a fresh file can be made cold at once (%s)", err);
	is_int(pcache_resident(&f, 0, SIZE), 0, "and is");
	uint64_t pages = SIZE / f.page;
	is_int(pcache_warm(&f, 0, SIZE), 0, "warm the whole file");
	is_int(pcache_resident(&f, 0, SIZE), (long)pages, "every page resident after warming");
	is_int(pcache_evict(&f, 0, SIZE), 0, "evict the whole file");
	is_int(pcache_resident(&f, 0, SIZE), 0, "no page resident after eviction");

	/* A read of 512 bytes in the middle of page 5 brings in that page alone: readahead is off. */
	char buf[512];
	ok(pread(f.fd, buf, sizeof buf, (off_t)(5 * f.page + 1024)) == (ssize_t)sizeof buf, "read 512 bytes");
	is_int(pcache_resident(&f, 0, SIZE), 1, "one page resident after one small cold read");
	is_int(pcache_resident(&f, 5 * f.page + 100, 10), 1, "and it is that page");
	is_int(pcache_resident(&f, 6 * f.page, f.page), 0, "not the next one");
	is_int(pcache_warm(&f, f.page, 3 * f.page), 0, "warm pages 1-3");
	is_int(pcache_resident(&f, 0, 8 * f.page), 4, "pages 1, 2, 3 and 5 of the first 8");
	is_int(pcache_resident(&f, 0, 0), -EINVAL, "an empty range in the file is refused");
	is_int(pcache_resident(&f, SIZE + f.page, 1), -EINVAL, "a range past the end is refused");
	is_int(pcache_warm(&f, SIZE - f.page, f.page), 0, "warm the last page");
	is_int(pcache_resident(&f, SIZE - 1, 100), 1, "a range running past the end is cut there");
	is_int(pcache_cold_check(&f, f.size, err, sizeof err), 0, "the cold state can be made here (%s)",
	       err);
	is_int(pcache_resident(&f, 0, f.page), 0, "and the check leaves the first page cold");
	if (f.dfd >= 0)
		ok(f.dio_off_align >= 512 && f.dio_mem_align >= 1, "O_DIRECT alignment %u/%u",
		   f.dio_mem_align, f.dio_off_align);
	else
		ok(f.dio_why[0] != '\0', "O_DIRECT unavailable on %s, with a reason: %s", f.fs_name,
		   f.dio_why);
	pcache_close(&f);
	pcache_close(&f);
	ok(f.fd == -1 && f.map == NULL, "close twice is harmless");
}

static void test_tmpfs(void)
{
	struct statfs sf;
	struct pcache_file f;
	if (statfs("/dev/shm", &sf) != 0 || sf.f_type != TMPFS_MAGIC) {
		diag("/dev/shm is not tmpfs: tmpfs tests skipped");
		return;
	}
	is_int(pcache_create(&f, "/dev/shm", SIZE, 1, err, sizeof err), 0, "create a file on tmpfs (%s)",
	       err);
	is_str(f.fs_name, "tmpfs", "the filesystem is named");
	is_int(pcache_resident(&f, 0, SIZE), (long)(SIZE / f.page), "tmpfs pages are resident");
	is_int(pcache_evict(&f, 0, SIZE), -EBUSY, "eviction does not empty tmpfs, and says so");
	is_int(pcache_cold_check(&f, f.size, err, sizeof err), -ENOTSUP, "no cold state on tmpfs");
	ok(strstr(err, "tmpfs") != NULL, "the reason names tmpfs: %s", err);
	ok(f.dfd < 0 && strstr(f.dio_why, "tmpfs"), "no O_DIRECT case on tmpfs: %s", f.dio_why);
	pcache_close(&f);
}

static void test_bad_files(void)
{
	struct pcache_file f;
	char dir[] = "/tmp/syslab-pcache-XXXXXX", path[300];
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/missing", dir);
	is_int(pcache_open(&f, path, err, sizeof err), -ENOENT, "a missing file is refused");
	ok(strstr(err, "No such file") && strstr(err, path), "with its name and why: %s", err);
	is_int(pcache_open(&f, dir, err, sizeof err), -EISDIR, "a directory is refused: %s", err);

	snprintf(path, sizeof path, "%s/empty", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	is_int(pcache_open(&f, path, err, sizeof err), -EINVAL, "an empty file is refused: %s", err);
	unlink(path);

	snprintf(path, sizeof path, "%s/fifo", dir);
	ok(mkfifo(path, 0600) == 0, "make a FIFO");
	is_int(pcache_open(&f, path, err, sizeof err), -EINVAL,
	       "a FIFO is refused, without waiting for a writer: %s", err);
	unlink(path);
	is_int(pcache_open(&f, "/dev/null", err, sizeof err), -EINVAL, "a character device is refused: %s",
	       err);

	snprintf(path, sizeof path, "%s/data", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	ok(fd >= 0 && write(fd, "0123456789", 10) == 10, "a 10-byte file");
	close(fd);
	is_int(pcache_open(&f, path, err, sizeof err), 0, "a short named file opens (%s)", err);
	ok(f.size == 10 && !f.owned && f.mincore_trusted,
	   "10 bytes, the user's, mincore trusted for its owner");
	is_int(pcache_warm(&f, 0, 10), 0, "warm it");
	is_int(pcache_resident(&f, 0, 10), 1, "its one page is resident");
	pcache_close(&f);

	is_int(pcache_create(&f, "/nonexistent-dir", SIZE, 1, err, sizeof err), -ENOENT,
	       "no file in a missing dir: %s", err);
	is_int(pcache_create(&f, dir, 1000, 1, err, sizeof err), -EINVAL, "a size not a page multiple: %s",
	       err);

	/* mincore() lies to a reader who neither owns nor may write the file: the cold check must see that.
	 */
	if (geteuid() == 0) {
		chmod(dir, 0755);
		pid_t pid = fork();
		if (pid == 0) {
			struct pcache_file g;
			char why[256];
			if (setgid(65534) || setuid(65534))
				_exit(3);
			if (pcache_open(&g, path, why, sizeof why) != 0)
				_exit(4);
			_exit(!g.mincore_trusted &&
					      pcache_cold_check(&g, g.size, why, sizeof why) == -ENOTSUP &&
					      strstr(why, "owner")
				      ? 0
				      : 5);
		}
		int status = -1;
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "as another user: mincore untrusted, cold refused (%d)",
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else {
		diag("not root: the other-user mincore test is skipped");
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_disk();
	test_tmpfs();
	test_bad_files();
	return done_testing();
}
