// SPDX-License-Identifier: MIT
/* fs: the jail's filesystem: private propagation, binds, tmpfs, /proc, a minimal /dev, pivot_root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(err + n, len - (size_t)n, ": %s", strerror(e));
	return -(e ? e : EIO);
}

/* mkdir -p of path (or of its parent and an empty file, for a bind of a file). */
static int make_point(const char *path, bool file)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -(errno = ENAMETOOLONG);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (file) {
		int fd = open(buf, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST && errno != EISDIR)
			return -errno;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

/* The flags a user namespace may not clear from a mount it binds (they are locked). */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) != 0)
		return 0;
	f |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	f |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	f |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	f |= sv.f_flag & ST_RDONLY ? MS_RDONLY : 0;
	return f;
}

static int do_mount(const struct jail_mount *m, const char *root, char *err, size_t len)
{
	char dst[PATH_MAX];
	struct stat st;
	snprintf(dst, sizeof dst, "%s%s", root, m->dst);
	bool file = m->src && stat(m->src, &st) == 0 && !S_ISDIR(st.st_mode);
	if (make_point(dst, file) != 0)
		return fail(err, len, "cannot make the mount point %s", m->dst);
	if (m->kind == MNT_TMPFS) {
		if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
			return fail(err, len, "--tmpfs %s", m->dst);
		return 0;
	}
	if (mount(m->src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
		return fail(err, len, "bind %s on %s", m->src, m->dst);
	if (m->kind == MNT_RO_BIND &&
	    mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(dst), NULL) != 0)
		return fail(err, len, "make %s read-only", m->dst);
	return 0;
}

/*
 * The host's device node host as a node at p, with the same numbers and mode: a mknod costs a
 * fraction of a bind mount, at start and at teardown. EPERM without CAP_MKNOD in the initial
 * user namespace (a jail with a user namespace): the caller binds instead.
 */
static int make_node(const char *host, const char *p)
{
	struct stat st;
	if (stat(host, &st) != 0 || !S_ISCHR(st.st_mode))
		return -1;
	if (mknod(p, S_IFCHR | (st.st_mode & 07777), st.st_rdev) != 0)
		return -1;
	/* mknod's mode passed through the umask; the host's own mode, whatever the umask. */
	if (chmod(p, st.st_mode & 07777) != 0) {
		unlink(p);
		return -1;
	}
	return 0;
}

/*
 * A minimal /dev on a tmpfs: the harmless character devices, made as nodes or else bound from
 * the host (binding works in a user namespace, where mknod does not), a private devpts instance
 * for ptys, and the usual links.
 */
static int make_dev(const char *root, char *err, size_t len)
{
	static const char *const devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
	static const char *const links[][2] = {{"pts/ptmx", "ptmx"},
					       {"/proc/self/fd", "fd"},
					       {"/proc/self/fd/0", "stdin"},
					       {"/proc/self/fd/1", "stdout"},
					       {"/proc/self/fd/2", "stderr"}};
	char dev[PATH_MAX], p[PATH_MAX + 16], host[32];
	snprintf(dev, sizeof dev, "%s/dev", root);
	if (make_point(dev, false) != 0 ||
	    mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m") != 0)
		return fail(err, len, "mount a tmpfs on /dev");
	for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dev, devs[i]);
		snprintf(host, sizeof host, "/dev/%s", devs[i]);
		if (make_node(host, p) != 0 &&
		    (make_point(p, true) != 0 || mount(host, p, NULL, MS_BIND, NULL) != 0))
			return fail(err, len, "bind %s into the jail", host);
	}
	snprintf(p, sizeof p, "%s/pts", dev);
	if (make_point(p, false) != 0 ||
	    mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") != 0)
		return fail(err, len, "mount devpts on /dev/pts");
	snprintf(p, sizeof p, "%s/shm", dev);
	if (make_point(p, false) != 0 || mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
		return fail(err, len, "mount a tmpfs on /dev/shm");
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dev, links[i][1]);
		if (symlink(links[i][0], p) != 0)
			return fail(err, len, "link /dev/%s", links[i][1]);
	}
	return 0;
}

static int mount_proc(const char *root, char *err, size_t len)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/proc", root);
	if (make_point(p, false) != 0 ||
	    mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return fail(err, len, "mount a fresh /proc");
	return 0;
}

/*
 * pivot_root(".", "."): the new root and the old one stacked on the same directory, then the old
 * one detached from above (the trick runc and lxc use: no directory for the old root needed in
 * the rootfs, and nothing of the host stays reachable).
 */
static int pivot(const char *root, char *err, size_t len)
{
	if (chdir(root) != 0)
		return fail(err, len, "chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return fail(err, len, "pivot_root into %s", root);
	if (umount2(".", MNT_DETACH) != 0)
		return fail(err, len, "detach the old root");
	if (chdir("/") != 0)
		return fail(err, len, "chdir /");
	return 0;
}

int jail_setup_fs(const struct jail_opts *o, char *err, size_t len)
{
	char root[PATH_MAX] = "";
	int rc;
	errno = 0;
	/* Private first: nothing mounted in the jail propagates back to the host (or in from it). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return fail(err, len, "make the mounts private");
	if (o->rootfs) {
		if (!realpath(o->rootfs, root))
			return fail(err, len, "--rootfs %s", o->rootfs);
		if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0)
			return fail(err, len, "bind the rootfs %s", root);
	}
	for (int i = 0; i < o->nmounts; i++)
		if ((rc = do_mount(&o->mounts[i], root, err, len)) != 0)
			return rc;
	if (o->ns[NS_PID] && (rc = mount_proc(root, err, len)) != 0)
		return rc;
	if (!o->rootfs)
		return 0;
	if ((rc = make_dev(root, err, len)) != 0)
		return rc;
	return pivot(root, err, len);
}
