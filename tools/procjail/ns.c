// SPDX-License-Identifier: MIT
/* ns: what the new namespaces need besides clone(): the user namespace's id maps, a live loopback. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jail.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text))
		rc = n < 0 ? -errno : -EIO;
	close(fd);
	return rc;
}

/*
 * The caller becomes root inside: "0 OUTER 1" for uids and gids. An unprivileged writer must deny
 * setgroups first (user_namespaces(7), since Linux 3.19), or gid_map is refused.
 */
int jail_write_id_maps(pid_t child, uid_t outer_uid, gid_t outer_gid)
{
	char path[64], map[64];
	int rc;
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)child);
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)outer_uid);
	if ((rc = write_file(path, map)) != 0)
		return rc;
	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)child);
	if ((rc = write_file(path, "deny")) != 0 && rc != -ENOENT)
		return rc;
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)child);
	snprintf(map, sizeof map, "0 %u 1\n", (unsigned)outer_gid);
	return write_file(path, map);
}

/* A new network namespace has only lo, and it is down: bring it up, nothing else. */
int jail_loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		rc = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			rc = -errno;
	}
	close(s);
	return rc;
}
