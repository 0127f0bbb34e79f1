/* SPDX-License-Identifier: MIT */
/* syslat_anchor: runs fio or ioping once on a file and reads back each IO's latency. */
#ifndef SYSLAB_SYSLAT_ANCHOR_H
#define SYSLAB_SYSLAT_ANCHOR_H
#include <stddef.h>
#include <stdint.h>
#include <syslab/hist.h>

enum anchor_tool { ANCHOR_FIO, ANCHOR_IOPING };

/*
 * WARM: the caller warmed the page cache and the tool must not drop it (fio --invalidate=0,
 * ioping -C). COLD: every read misses the cache; only ioping can (fio drops the cache once per
 * job, so anchor_run returns -ENOTSUP). ioping's cold mode calls posix_fadvise(DONTNEED) on the
 * request's own 4 KiB right before each pread, which cannot evict a large folio (as readahead or
 * big writes leave them) that only starts or ends there; so anchor_run first fdatasyncs and drops
 * all of [0, region), after which ioping's own reads (with FADV_RANDOM, no readahead) bring in
 * single pages it can drop again. A COLD run therefore leaves the file mostly uncached: re-warm
 * it before a WARM run. DIRECT: O_DIRECT (fio --direct=1, ioping -D -C), cache left as it was.
 */
enum anchor_mode { ANCHOR_WARM, ANCHOR_COLD, ANCHOR_DIRECT };

struct anchor_run {
	enum anchor_tool tool;
	enum anchor_mode mode;
	const char *path; /* a regular file or block device; may be /proc/PID/fd/N of an unlinked file */
	uint64_t region;  /* read only bytes [0, region) of the file; a multiple of bs */
	unsigned bs;      /* bytes per read, e.g. 4096 */
	unsigned nios;    /* reads in this run */
	int cpu;          /* pin the tool to this CPU, -1 to leave it */
};

/*
 * 0 when the tool runs (it is started with --version, as anchor_run would start it); -ENOENT when
 * it is not installed, with why filled: "fio is not installed (Debian package fio)"; or -errno.
 */
int anchor_available(enum anchor_tool t, char *why, size_t len);

/* The tool's version line ("fio-3.33", "ioping 1.3"), or "" when unknown; static, cached, not thread-safe. */
const char *anchor_version(enum anchor_tool t);

/*
 * The exact command line a run uses, for the report (space-separated, into buf), with "<tmp>"
 * for the private directory; "" for a run that cannot be made (fio COLD). The cache drop before
 * an ioping COLD run (see anchor_mode) is not part of it.
 */
void anchor_command(const struct anchor_run *a, char *buf, size_t len);

/*
 * Runs the tool once: random bs-sized reads at multiples of bs in [0, region) of path, chosen
 * uniformly with repeats, one at a time, synchronously (fio: ioengine=psync, rw=randread,
 * iodepth 1, norandommap; ioping: its default request loop with interval 0 and no warmup
 * request, -a 0, so both count every read they make).
 * Records every IO's completion latency in ns into h (h may be NULL) and stores the tool's own
 * median latency in *p50_ns (may be NULL; fio: clat_ns percentile 50 of its JSON output, from fio's own
 * histogram, so within about 1% of the exact median; ioping: the exact median of the per-request
 * times of its JSON output).
 * Returns 0, or -errno with err filled with one line (e.g. "fio exited with status 1: <first line
 * of its stderr>"); -ENOENT when the tool is not installed, -ENOTSUP for fio COLD, -EINVAL for a
 * bad run (fio cannot read a path containing ':'), -ETIMEDOUT when it was killed after 60 s
 * (SYSLAB_ANCHOR_TIMEOUT, in seconds, overrides that).
 * Never leaves a file behind: fio's latency logs go to a mkdtemp directory in $TMPDIR (or /tmp),
 * removed before returning, also on error; stdout (JSON) and stderr are captured in memfds.
 */
int anchor_run(const struct anchor_run *a, struct hist *h, double *p50_ns, char *err, size_t len);
#endif
