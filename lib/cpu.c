/* SPDX-License-Identifier: MIT */
/* cpu: reads the CPU topology, caches and measurement conditions from sysfs/procfs, and pins threads. */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "syslab/cpu.h"

#define CPU_INDEX_MAX 32 /* cache/indexN directories looked at per CPU */

/*
 * The one way this file reads sysfs and procfs: formats a path, reads at most len - 1 bytes
 * into buf, NUL-terminates it and trims trailing whitespace, so "0-3\n" reads as "0-3".
 * Longer files are cut short (callers that cannot accept that compare the result to len - 1).
 * Returns the length, or -errno with buf set to "" (missing file, EISDIR, EIO ...).
 */
static int vsysfs_read(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int vsysfs_read(char *buf, size_t len, const char *fmt, va_list ap)
{
	char path[PATH_MAX];
	size_t used = 0;
	int n, fd, err = 0;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	n = vsnprintf(path, sizeof(path), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used < len - 1) {
		ssize_t got = read(fd, buf + used, len - 1 - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	close(fd);
	if (err) {
		buf[0] = '\0';
		return err;
	}
	buf[used] = '\0';
	used = strlen(buf); /* a stray NUL in a garbage file ends the text */
	while (used > 0 && isspace((unsigned char)buf[used - 1]))
		buf[--used] = '\0';
	return (int)used;
}

static int sysfs_read(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sysfs_read(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsysfs_read(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* Parses a whole string as a decimal int (sysfs writes e.g. "-1" for an unknown package). */
static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Reads a file holding one int; -errno when missing, -EINVAL when it holds anything else. */
static int sysfs_read_int(int *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sysfs_read_int(int *out, const char *fmt, ...)
{
	char buf[32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsysfs_read(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	return parse_int(buf, out);
}

/* Copies the string src into dst[len], truncating; snprintf would warn about the truncation itself. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n > len - 1)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Parses a CPU number at *s and advances past it; -EINVAL without a digit or above INT_MAX. */
static int parse_id(const char **s, long *out)
{
	const char *p = *s;
	long v = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > INT_MAX)
			return -EINVAL;
	}
	*s = p;
	*out = v;
	return 0;
}

/*
 * The parser behind cpu_list_parse(): stores the first max ids and returns how many the list
 * holds in all (which may exceed max; ranges are counted, not walked), or -EINVAL. Only the
 * syntax the kernel writes is accepted: "N" and "N-M" (N <= M) joined by commas, then optional
 * trailing whitespace. "" is the empty list (isolated, nohz_full and offline print that).
 */
static long list_parse(const char *s, int *ids, int max)
{
	const char *p = s, *end = s + strlen(s);
	long total = 0;

	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (p == end)
		return 0;
	for (;;) {
		long lo, hi;

		if (parse_id(&p, &lo))
			return -EINVAL;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			if (parse_id(&p, &hi) || hi < lo)
				return -EINVAL;
		}
		for (long i = lo; i <= hi && total + (i - lo) < max; i++)
			ids[total + (i - lo)] = (int)i;
		total += hi - lo + 1;
		if (p == end)
			return total;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

int cpu_list_parse(const char *s, int *ids, int max)
{
	long n;

	if (!s || max < 0 || (max > 0 && !ids))
		return -EINVAL;
	n = list_parse(s, ids, max);
	if (n < 0)
		return (int)n;
	if (n > max)
		return -E2BIG;
	return (int)n;
}

/* Parses a sysfs cache size, "32K", "1024K", "1M" or plain bytes, into bytes. */
static int parse_size(const char *s, long *out)
{
	char *end;
	long v, mult = 1;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'K':
	case 'k':
		mult = 1L << 10;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1L << 20;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1L << 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0' || v > LONG_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

void cpu_size_format(long bytes, char *buf, size_t len)
{
	static const char suffix[] = "GMK";

	if (!buf || len == 0)
		return;
	/* sysfs itself always writes K; the largest exact unit reads better ("1M", not "1024K"). */
	for (int i = 0; i < 3 && bytes > 0; i++) {
		long unit = 1L << (10 * (3 - i));
		if (bytes % unit == 0) {
			snprintf(buf, len, "%ld%c", bytes / unit, suffix[i]);
			return;
		}
	}
	snprintf(buf, len, "%ld", bytes);
}

/* Whether the sorted array ids[n] holds id. */
static bool ids_has(const int *ids, int n, int id)
{
	return bsearch(&id, ids, (size_t)n, sizeof(*ids), cmp_int) != NULL;
}

/* Inserts id into the sorted, duplicate-free ids[*n] (capacity max); counts overflow in *total. */
static void ids_insert(int *ids, int *n, int max, long *total, int id)
{
	int i = *n;

	if (ids_has(ids, *n, id))
		return;
	(*total)++;
	if (*n == max && ids[max - 1] < id)
		return;
	if (*n == max)
		i--; /* the largest falls off the end */
	else
		(*n)++;
	for (; i > 0 && ids[i - 1] > id; i--)
		ids[i] = ids[i - 1];
	ids[i] = id;
}

/* Parses "PREFIX<digits>" (e.g. "cpu12", "node0", "index3"); -1 for any other name. */
static int name_number(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	int v;

	if (strncmp(name, prefix, plen) != 0 || !isdigit((unsigned char)name[plen]))
		return -1;
	if (parse_int(name + plen, &v) || v < 0)
		return -1;
	return v;
}

/*
 * The online CPUs below root, ascending, at most CPU_MAX of them; *total counts them all.
 * Reads root/online; when that file is missing or garbled, falls back to the cpuN directories
 * whose cpuN/online does not say 0 (cpu0 usually has no online file: it cannot be unplugged).
 */
static int online_cpus(const char *root, int *ids, long *total)
{
	char buf[8192];
	int n = sysfs_read(buf, sizeof(buf), "%s/online", root);
	struct dirent *de;
	DIR *dir;

	if (n >= 0 && n < (int)sizeof(buf) - 1) {
		long got = list_parse(buf, ids, CPU_MAX);
		if (got > 0) {
			int kept = got < CPU_MAX ? (int)got : CPU_MAX;
			qsort(ids, (size_t)kept, sizeof(*ids), cmp_int);
			*total = got;
			return kept;
		}
	}
	dir = opendir(root);
	if (!dir)
		return -errno;
	n = 0;
	*total = 0;
	while ((de = readdir(dir))) {
		int id = name_number(de->d_name, "cpu"), on;
		if (id < 0)
			continue;
		if (sysfs_read_int(&on, "%s/%s/online", root, de->d_name) == 0 && on == 0)
			continue;
		ids_insert(ids, &n, CPU_MAX, total, id);
	}
	closedir(dir);
	return n;
}

/* The NUMA node of a CPU from its cpuN/nodeM entry (a symlink in sysfs), or -1. */
static int cpu_node(const char *dirpath)
{
	struct dirent *de;
	DIR *dir = opendir(dirpath);
	int node = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		int m = name_number(de->d_name, "node");
		if (m >= 0 && (node < 0 || m < node))
			node = m;
	}
	closedir(dir);
	return node;
}

/* Reads one cache/indexN directory; -EINVAL when its level or size is missing or garbled. */
static int cache_read(struct cpu_cache *c, const char *dirpath, int index)
{
	char buf[64];

	memset(c, 0, sizeof(*c));
	if (sysfs_read_int(&c->level, "%s/index%d/level", dirpath, index) || c->level <= 0)
		return -EINVAL;
	if (sysfs_read(buf, sizeof(buf), "%s/index%d/size", dirpath, index) < 0 || parse_size(buf, &c->size))
		return -EINVAL;
	sysfs_read(buf, sizeof(buf), "%s/index%d/type", dirpath, index);
	copy_str(c->type, sizeof(c->type), buf);
	if (sysfs_read_int(&c->line_size, "%s/index%d/coherency_line_size", dirpath, index) ||
	    c->line_size < 0)
		c->line_size = 0;
	if (sysfs_read_int(&c->ways, "%s/index%d/ways_of_associativity", dirpath, index) || c->ways < 0)
		c->ways = 0;
	sysfs_read(buf, sizeof(buf), "%s/index%d/shared_cpu_list", dirpath, index);
	copy_str(c->shared_cpus, sizeof(c->shared_cpus), buf);
	return 0;
}

/* Reads the caches of one CPU in index order (readdir order is arbitrary); bad entries are skipped. */
static void caches_read(struct cpu_info *ci, const char *cpudir)
{
	char path[PATH_MAX];
	int idx[CPU_INDEX_MAX], n = 0;
	long total = 0;
	struct dirent *de;
	DIR *dir;

	if (snprintf(path, sizeof(path), "%s/cache", cpudir) >= (int)sizeof(path))
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		int i = name_number(de->d_name, "index");
		if (i >= 0)
			ids_insert(idx, &n, CPU_INDEX_MAX, &total, i);
	}
	closedir(dir);
	for (int i = 0; i < n && ci->ncaches < CPU_CACHE_MAX; i++)
		if (cache_read(&ci->caches[ci->ncaches], path, idx[i]) == 0)
			ci->ncaches++;
}

/*
 * Fills ci->siblings from a sibling list, keeping only CPUs in the online set (the list of an
 * offline-then-online machine, or a fixture, may name others) and always the CPU itself.
 * Leaves nsiblings 0 when the list is missing or garbled; the caller then derives it.
 */
static void siblings_read(struct cpu_info *ci, const char *cpudir, const int *online, int nonline)
{
	static const char *const files[] = {"thread_siblings_list", "core_cpus_list"};
	int list[64], n = -1;
	char buf[1024];

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]) && n < 0; f++) {
		long got;
		if (sysfs_read(buf, sizeof(buf), "%s/topology/%s", cpudir, files[f]) <= 0)
			continue;
		got = list_parse(buf, list, 64);
		if (got > 0)
			n = got < 64 ? (int)got : 64;
	}
	if (n < 0)
		return;
	qsort(list, (size_t)n, sizeof(*list), cmp_int);
	ci->nsiblings = 0;
	for (int i = 0; i < n && ci->nsiblings < 8; i++) {
		if (i > 0 && list[i] == list[i - 1])
			continue;
		if (list[i] == ci->id || ids_has(online, nonline, list[i]))
			ci->siblings[ci->nsiblings++] = list[i];
	}
	if (!ids_has(ci->siblings, ci->nsiblings, ci->id)) {
		long total = 0;
		int cap = ci->nsiblings;
		ids_insert(ci->siblings, &cap, 8, &total, ci->id);
		ci->nsiblings = cap;
	}
}

/* Reads one online CPU; missing or garbled files leave defaults (package 0, die 0, core -1). */
static int cpu_read(struct cpu_info *ci, const char *root, int id, const int *online, int nonline)
{
	char dir[PATH_MAX];
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s/cpu%d", root, id) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	memset(ci, 0, sizeof(*ci));
	ci->id = id;
	ci->online = true;
	ci->allowed = true;
	if (sysfs_read_int(&ci->package, "%s/topology/physical_package_id", dir))
		ci->package = 0;
	if (sysfs_read_int(&ci->die, "%s/topology/die_id", dir)) /* absent before Linux 5.2 */
		ci->die = 0;
	if (sysfs_read_int(&ci->core, "%s/topology/core_id", dir) || ci->core < 0)
		ci->core = -1;
	ci->node = cpu_node(dir);
	ci->core_index = -1;
	siblings_read(ci, dir, online, nonline);
	caches_read(ci, dir);
	return 0;
}

/* The entry of CPU id in t, or NULL (t->cpus is sorted by id). */
static struct cpu_info *find_mut(struct cpu_topology *t, int id)
{
	int lo = 0, hi = t->ncpus - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (t->cpus[mid].id == id)
			return &t->cpus[mid];
		if (t->cpus[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct cpu_info *cpu_find(const struct cpu_topology *t, int id)
{
	return t ? find_mut((struct cpu_topology *)t, id) : NULL;
}

/*
 * Numbers the physical cores. A core is a (package, die, core_id) triple; a CPU whose core_id
 * could not be read joins the core of a sibling that has one, else becomes a core of its own.
 * Indices are then renumbered in order of each core's lowest CPU, so they are dense and stable.
 */
static void cores_number(struct cpu_topology *t)
{
	int remap[CPU_MAX], next = 0;

	for (int i = 0; i < t->ncpus; i++) {
		struct cpu_info *c = &t->cpus[i];
		if (c->core < 0)
			continue;
		for (int j = 0; j < i && c->core_index < 0; j++) {
			const struct cpu_info *o = &t->cpus[j];
			if (o->core == c->core && o->package == c->package && o->die == c->die)
				c->core_index = o->core_index;
		}
		if (c->core_index < 0)
			c->core_index = next++;
	}
	for (int i = 0; i < t->ncpus; i++) {
		struct cpu_info *c = &t->cpus[i];
		if (c->core_index >= 0)
			continue;
		for (int s = 0; s < c->nsiblings && c->core_index < 0; s++) {
			const struct cpu_info *o = find_mut(t, c->siblings[s]);
			if (o && o != c && o->core >= 0) {
				c->core_index = o->core_index;
				c->core = o->core;
			}
		}
		if (c->core_index < 0)
			c->core_index = next++;
	}
	for (int i = 0; i < next; i++)
		remap[i] = -1;
	t->ncores = 0;
	for (int i = 0; i < t->ncpus; i++) {
		struct cpu_info *c = &t->cpus[i];
		if (remap[c->core_index] < 0)
			remap[c->core_index] = t->ncores++;
		c->core_index = remap[c->core_index];
	}
}

/* Gives CPUs without a readable sibling list the CPUs of their core, and sets t->smt. */
static void siblings_derive(struct cpu_topology *t)
{
	for (int i = 0; i < t->ncpus; i++) {
		struct cpu_info *c = &t->cpus[i];
		if (c->nsiblings == 0)
			for (int j = 0; j < t->ncpus && c->nsiblings < 8; j++)
				if (t->cpus[j].core_index == c->core_index)
					c->siblings[c->nsiblings++] = t->cpus[j].id;
		if (c->nsiblings > 1)
			t->smt = true;
	}
	if (t->ncores < t->ncpus)
		t->smt = true;
}

/* Counts packages and NUMA nodes, and finds the L1d line size of the first CPU. */
static void totals_count(struct cpu_topology *t)
{
	int nodes = 0;

	for (int i = 0; i < t->ncpus; i++) {
		bool new_pkg = true, new_node = t->cpus[i].node >= 0;
		for (int j = 0; j < i; j++) {
			if (t->cpus[j].package == t->cpus[i].package)
				new_pkg = false;
			if (t->cpus[j].node == t->cpus[i].node)
				new_node = false;
		}
		t->npackages += new_pkg;
		nodes += new_node;
	}
	t->nallowed = t->ncpus;
	/* A kernel without CONFIG_NUMA has no nodeM entries, but the machine still has one node. */
	t->nnodes = nodes > 0 ? nodes : 1;
	t->line_size = 64;
	for (int k = 0; t->ncpus > 0 && k < t->cpus[0].ncaches; k++) {
		const struct cpu_cache *c = &t->cpus[0].caches[k];
		if (c->level == 1 && strcmp(c->type, "Instruction") != 0 && c->line_size > 0) {
			t->line_size = c->line_size;
			break;
		}
	}
}

int cpu_topology_read(struct cpu_topology *t, const char *root)
{
	int ids[CPU_MAX], n;
	long total = 0;

	if (!t || !root)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	n = online_cpus(root, ids, &total);
	if (n < 0)
		return n;
	t->truncated = total > CPU_MAX;
	for (int i = 0; i < n; i++)
		if (cpu_read(&t->cpus[t->ncpus], root, ids[i], ids, n) == 0)
			t->ncpus++;
	if (t->ncpus == 0)
		return -ENOENT;
	cores_number(t);
	siblings_derive(t);
	totals_count(t);
	return 0;
}

/* Whether CPUs a and b are SMT siblings by either the kernel's list or the core numbering. */
static bool are_siblings(const struct cpu_info *a, const struct cpu_info *b)
{
	if (a->core_index == b->core_index)
		return true;
	for (int i = 0; i < a->nsiblings; i++)
		if (a->siblings[i] == b->id)
			return true;
	return false;
}

/*
 * The lowest pair (a < b, lexicographically) satisfying the kind, first within one die, then
 * within one package, then anywhere. t->cpus is ascending, so the first hit is the lowest.
 */
static int pair_search(const struct cpu_topology *t, enum cpu_pair kind, int *a, int *b)
{
	for (int tier = 0; tier < 3; tier++) {
		for (int i = 0; i < t->ncpus; i++) {
			for (int j = i + 1; j < t->ncpus; j++) {
				const struct cpu_info *x = &t->cpus[i], *y = &t->cpus[j];
				if (!x->allowed || !y->allowed)
					continue;
				bool same_pkg = x->package == y->package;
				bool fit;
				if (kind == CPU_PAIR_SOCKETS)
					fit = !same_pkg;
				else if (kind == CPU_PAIR_SMT)
					fit = are_siblings(x, y) || are_siblings(y, x);
				else
					fit = !are_siblings(x, y) && !are_siblings(y, x) &&
					      (tier == 2 || (same_pkg && (tier == 1 || x->die == y->die)));
				if (fit) {
					*a = x->id;
					*b = y->id;
					return 0;
				}
			}
		}
		if (kind != CPU_PAIR_CORES)
			break;
	}
	return -ENOENT;
}

int cpu_pick_pair(const struct cpu_topology *t, enum cpu_pair kind, int *a, int *b)
{
	if (!t || !a || !b)
		return -EINVAL;
	if (t->ncpus == 0)
		return -ENOENT;
	switch (kind) {
	case CPU_PAIR_SAME:
		for (int i = 0; i < t->ncpus; i++) {
			if (t->cpus[i].allowed) {
				*a = *b = t->cpus[i].id;
				return 0;
			}
		}
		return -ENOENT;
	case CPU_PAIR_CORES:
	case CPU_PAIR_SMT:
	case CPU_PAIR_SOCKETS:
		return pair_search(t, kind, a, b);
	}
	return -EINVAL;
}

int cpu_others(const struct cpu_topology *t, int cpu, int *out, int max)
{
	const struct cpu_info *c = t ? cpu_find(t, cpu) : NULL;
	int n = 0;

	if (!c || !out || max < 0)
		return -EINVAL;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t->ncpus && n < max; i++) {
			const struct cpu_info *x = &t->cpus[i];
			if (!x->allowed || (x->package == c->package) != (pass == 0) || are_siblings(x, c) ||
			    are_siblings(c, x) || x->id == c->id)
				continue;
			out[n++] = x->id;
		}
	return n;
}

int cpu_topology_restrict(struct cpu_topology *t, const struct cpu_affinity *mask)
{
	t->nallowed = 0;
	for (int i = 0; i < t->ncpus; i++) {
		int id = t->cpus[i].id;
		t->cpus[i].allowed = id >= 0 && id < (int)sizeof(mask->mask) * 8 &&
				     (mask->mask[id / 8] & (1u << (id % 8)));
		t->nallowed += t->cpus[i].allowed;
	}
	return t->nallowed ? t->nallowed : -ENOENT;
}

int cpu_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* pid 0 is the calling thread, not the process; the kernel migrates it before returning. */
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

/*
 * The mask holds CPU_MAX bits, the size of glibc's cpu_set_t; a kernel built for more CPUs
 * makes sched_getaffinity fail with EINVAL, which is returned.
 */
int cpu_affinity_save(struct cpu_affinity *a)
{
	static_assert(sizeof(a->mask) * 8 <= CPU_SETSIZE, "mask fits a cpu_set_t");
	cpu_set_t set;

	if (!a)
		return -EINVAL;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	memset(a->mask, 0, sizeof(a->mask));
	for (int i = 0; i < (int)sizeof(a->mask) * 8; i++)
		if (CPU_ISSET(i, &set))
			a->mask[i / 8] |= (unsigned char)(1u << (i % 8));
	return 0;
}

int cpu_affinity_restore(const struct cpu_affinity *a)
{
	cpu_set_t set;

	if (!a)
		return -EINVAL;
	CPU_ZERO(&set);
	for (int i = 0; i < (int)sizeof(a->mask) * 8; i++)
		if (a->mask[i / 8] & (1u << (i % 8)))
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

/* Whether the space-separated list holds word (flags lines: "fpu vme ... hypervisor ..."). */
static bool has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += wlen)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (p[wlen] == '\0' || isspace((unsigned char)p[wlen])))
			return true;
	return false;
}

/* Trims leading and trailing whitespace in place. */
static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* What /proc/cpuinfo says; only each key's first occurrence (the first processor) counts. */
struct cpuinfo_facts {
	char model[128], uarch[128], hardware[128], part[64];
	bool have_flags, hv_flag, constant_tsc, nonstop_tsc;
};

static void cpuinfo_line(struct cpuinfo_facts *f, char *line)
{
	char *colon = strchr(line, ':'), *key, *val;

	if (!colon)
		return;
	*colon = '\0';
	key = trim(line);
	val = trim(colon + 1);
	if (strcmp(key, "model name") == 0 && !f->model[0])
		copy_str(f->model, sizeof(f->model), val);
	else if (strcmp(key, "uarch") == 0 && !f->uarch[0])
		copy_str(f->uarch, sizeof(f->uarch), val);
	else if (strcmp(key, "Hardware") == 0 && !f->hardware[0])
		copy_str(f->hardware, sizeof(f->hardware), val);
	else if (strcmp(key, "CPU part") == 0 && !f->part[0])
		copy_str(f->part, sizeof(f->part), val);
	else if ((strcmp(key, "flags") == 0 || strcmp(key, "Features") == 0) && !f->have_flags) {
		f->have_flags = true;
		f->hv_flag = has_word(val, "hypervisor");
		f->constant_tsc = has_word(val, "constant_tsc");
		f->nonstop_tsc = has_word(val, "nonstop_tsc");
	}
}

/* Reads proc_root/cpuinfo line by line (its flags line is kilobytes long, so getline). */
static void cpuinfo_read(struct cpuinfo_facts *f, const char *proc_root)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	if (snprintf(path, sizeof(path), "%s/cpuinfo", proc_root) >= (int)sizeof(path))
		return;
	fp = fopen(path, "re");
	if (!fp)
		return;
	while (getline(&line, &cap, fp) > 0)
		cpuinfo_line(f, line);
	free(line);
	fclose(fp);
}

/* Names the hypervisor from a DMI vendor or product string, or returns NULL. */
static const char *dmi_hypervisor(const char *s)
{
	static const struct {
		const char *match, *name;
	} table[] = {
		{"QEMU", "kvm"},
		{"KVM", "kvm"},
		{"Amazon EC2", "kvm"},
		{"Google", "kvm"},
		/* GCE */ {"Microsoft Corporation", "hyperv"},
		{"VMware", "vmware"},
		{"Xen", "xen"},
		{"innotek", "virtualbox"},
		{"VirtualBox", "virtualbox"},
	};

	for (size_t i = 0; s[0] && i < sizeof(table) / sizeof(table[0]); i++)
		if (strstr(s, table[i].match))
			return table[i].name;
	return NULL;
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * Names the hypervisor from its CPUID signature at leaf 0x40000000, or returns NULL. KVM with
 * Hyper-V enlightenments shows "Microsoft Hv" there and its own signature at 0x40000100.
 */
static const char *cpuid_hypervisor(void)
{
	static const struct {
		const char *sig, *name;
	} table[] = {
		{"KVMKVMKVM", "kvm"},    {"Microsoft Hv", "hyperv"}, {"VMwareVMware", "vmware"},
		{"XenVMMXenVMM", "xen"}, {"TCGTCGTCGTCG", "tcg"},
	};
	const char *found = NULL;

	for (unsigned leaf = 0x40000000; leaf <= 0x40000100; leaf += 0x100) {
		unsigned int a, b, c, d;
		char sig[13];

		__cpuid(leaf, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			if (strcmp(sig, table[i].sig) == 0 && (!found || strcmp(found, "hyperv") == 0))
				found = table[i].name;
		if (!found || strcmp(found, "hyperv") != 0)
			break;
	}
	return found;
}
#else
static const char *cpuid_hypervisor(void)
{
	return NULL;
}
#endif

/*
 * Identifies the hypervisor: "" on bare metal (no "hypervisor" flag), else from Xen's sysfs
 * node, the DMI strings, then (live machine only) CPUID, else "unknown".
 */
static void hypervisor_detect(struct cpu_conditions *c, const struct cpuinfo_facts *f, const char *sys_root,
			      bool live)
{
	const char *name = NULL;
	char buf[128];

	c->hypervisor[0] = '\0';
	if (!f->hv_flag)
		return;
	if (sysfs_read(buf, sizeof(buf), "%s/hypervisor/type", sys_root) > 0) {
		copy_str(c->hypervisor, sizeof(c->hypervisor), buf);
		return;
	}
	if (sysfs_read(buf, sizeof(buf), "%s/class/dmi/id/sys_vendor", sys_root) > 0)
		name = dmi_hypervisor(buf);
	if (!name && sysfs_read(buf, sizeof(buf), "%s/class/dmi/id/product_name", sys_root) > 0)
		name = dmi_hypervisor(buf);
	if (!name && live)
		name = cpuid_hypervisor();
	copy_str(c->hypervisor, sizeof(c->hypervisor), name ? name : "unknown");
}

/* Turbo/boost: cpufreq/boost (acpi-cpufreq, amd-pstate), else intel_pstate/no_turbo inverted. */
static int boost_read(const char *cpu)
{
	int v;

	if (sysfs_read_int(&v, "%s/cpufreq/boost", cpu) == 0 && (v == 0 || v == 1))
		return v;
	if (sysfs_read_int(&v, "%s/intel_pstate/no_turbo", cpu) == 0 && (v == 0 || v == 1))
		return !v;
	if (sysfs_read_int(&v, "%s/cpu0/cpufreq/boost", cpu) == 0 && (v == 0 || v == 1))
		return v; /* per-policy boost, amd-pstate since Linux 6.11 */
	return -1;
}

/* Reads a CPU list file of cpu_dir; kernels print "(null)" for an empty nohz_full mask. */
static void cpulist_read(char *dst, size_t len, const char *cpu_dir, const char *name)
{
	char buf[1024];

	if (sysfs_read(buf, sizeof(buf), "%s/%s", cpu_dir, name) < 0 || strcmp(buf, "(null)") == 0)
		buf[0] = '\0';
	copy_str(dst, len, buf);
}

/*
 * Keeps the CPU_VULN_MAX smallest names of the vulnerabilities directory in c->vulns, sorted,
 * without a second buffer: an insertion sort that drops whatever falls off the end.
 */
static void vuln_insert(struct cpu_conditions *c, const char *name)
{
	int i = c->nvulns;

	if (strlen(name) >= sizeof(c->vulns[0].name))
		return;
	if (i == CPU_VULN_MAX && strcmp(c->vulns[i - 1].name, name) < 0)
		return;
	if (i == CPU_VULN_MAX)
		i--;
	else
		c->nvulns++;
	for (; i > 0 && strcmp(c->vulns[i - 1].name, name) > 0; i--)
		c->vulns[i] = c->vulns[i - 1];
	copy_str(c->vulns[i].name, sizeof(c->vulns[i].name), name);
}

static void vulns_read(struct cpu_conditions *c, const char *cpu)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (snprintf(path, sizeof(path), "%s/vulnerabilities", cpu) >= (int)sizeof(path))
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			vuln_insert(c, de->d_name);
	closedir(dir);
	for (int i = 0; i < c->nvulns; i++)
		sysfs_read(c->vulns[i].state, sizeof(c->vulns[i].state), "%s/%s", path, c->vulns[i].name);
}

/*
 * Only a proc_root of exactly "/proc" means the live machine: then the kernel release comes from
 * uname() and CPUID may name the hypervisor. For a fixture tree the release is read from
 * proc_root/sys/kernel/osrelease, while arch always comes from uname() (procfs has no file for
 * it), so a fixture reports this machine's arch.
 */
int cpu_conditions_read(struct cpu_conditions *c, const char *sys_root, const char *proc_root)
{
	struct cpuinfo_facts f;
	struct utsname u;
	char cpu[PATH_MAX], buf[64];
	bool live;

	if (!c || !sys_root || !proc_root)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->boost = -1;
	live = strcmp(proc_root, "/proc") == 0;
	if (snprintf(cpu, sizeof(cpu), "%s/devices/system/cpu", sys_root) >= (int)sizeof(cpu))
		return -ENAMETOOLONG;

	cpuinfo_read(&f, proc_root);
	if (f.model[0])
		copy_str(c->model, sizeof(c->model), f.model);
	else if (f.uarch[0])
		copy_str(c->model, sizeof(c->model), f.uarch);
	else if (f.hardware[0])
		copy_str(c->model, sizeof(c->model), f.hardware);
	else if (f.part[0])
		snprintf(c->model, sizeof(c->model), "CPU part %s", f.part);
	c->tsc_invariant = f.constant_tsc && f.nonstop_tsc;

	if (uname(&u) == 0) {
		copy_str(c->arch, sizeof(c->arch), u.machine);
		if (live)
			copy_str(c->kernel, sizeof(c->kernel), u.release);
	}
	if (!live)
		sysfs_read(c->kernel, sizeof(c->kernel), "%s/sys/kernel/osrelease", proc_root);

	sysfs_read(c->governor, sizeof(c->governor), "%s/cpu0/cpufreq/scaling_governor", cpu);
	sysfs_read(c->driver, sizeof(c->driver), "%s/cpu0/cpufreq/scaling_driver", cpu);
	c->boost = boost_read(cpu);
	sysfs_read(c->smt_control, sizeof(c->smt_control), "%s/smt/control", cpu);
	c->smt_active = sysfs_read(buf, sizeof(buf), "%s/smt/active", cpu) > 0 && strcmp(buf, "1") == 0;
	cpulist_read(c->isolated, sizeof(c->isolated), cpu, "isolated");
	cpulist_read(c->nohz_full, sizeof(c->nohz_full), cpu, "nohz_full");
	hypervisor_detect(c, &f, sys_root, live);
	vulns_read(c, cpu);
	return 0;
}
