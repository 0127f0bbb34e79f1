// SPDX-License-Identifier: MIT
/* syslat_ops: the measured loops of syslat: nothing, getppid, clock_gettime, pread, mmap touch, the tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <syslab/stats.h>

#include "syslat.h"

static const char *const state_names[] = {"warm", "cold", "direct"};

static void size_name(char *buf, size_t len, unsigned size)
{
	if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(buf, len, "%um", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%uk", size >> 10);
	else
		snprintf(buf, len, "%u", size);
}

static uint64_t sl_ticks(const struct sl_ctx *x)
{
	return x->tsc ? clock_tsc_read(NULL) : clock_now_ns();
}

static int64_t sl_ns(const struct sl_ctx *x, uint64_t ticks)
{
	return (int64_t)((double)ticks * x->ns_per_tick);
}

/* The next read's offset: slots in ascending or shuffled order, round and round. */
static uint64_t next_off(struct sl_case *c)
{
	if (c->pos == c->nslots)
		c->pos = 0;
	uint64_t slot = c->random ? c->order[c->pos] : c->pos;
	c->pos++;
	return slot * c->stride;
}

/* One operation of the case; 0, or -errno (a short read is -EIO). */
static inline int do_op(struct sl_case *c, uint64_t off, uint64_t *sink)
{
	struct timespec ts;
	ssize_t r;
	switch (c->op) {
	case SL_GETPPID:
		/* syscall(): glibc's getppid() could be cached one day. */
		*sink += (uint64_t)syscall(SYS_getppid);
		return 0;
	case SL_VDSO:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		*sink += (uint64_t)ts.tv_nsec;
		return 0;
	case SL_PREAD:
		r = pread(c->state == SL_DIRECT ? c->ctx->f.dfd : c->ctx->f.fd, c->buf, c->size, (off_t)off);
		return r == (ssize_t)c->size ? 0 : r < 0 ? -errno : -EIO;
	default:
		__asm__ volatile("" ::: "memory");
		return 0;
	}
}

/* Keeps the sample's median per-operation time (ns) for the claims on it. */
static int keep_p50(struct sl_case *c, double p50)
{
	if (c->np50 == c->cap50) {
		size_t cap = c->cap50 ? 2 * c->cap50 : 256;
		double *p = realloc(c->p50, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		c->p50 = p, c->cap50 = cap;
	}
	c->p50[c->np50++] = p50;
	return 0;
}

static int grow_deltas(struct sl_case *c, uint64_t iters)
{
	if (iters <= c->ndeltas)
		return 0;
	uint32_t *d = realloc(c->deltas, iters * sizeof *d);
	if (!d)
		return -ENOMEM;
	c->deltas = d, c->ndeltas = iters;
	return 0;
}

/*
 * Chained timing: one timer read per operation, each value the ticks from the previous read to
 * this one, stored as 32 bits in a preallocated array; the histogram is filled after the loop.
 * So a value is the operation plus one timer read plus one store and the loop, which the
 * timer/overhead case measures with no operation between.
 */
static int run_timed(struct sl_case *c, uint64_t iters, struct bench_sample *s)
{
	struct sl_ctx *x = c->ctx;
	uint64_t sink = 0;
	int rc = grow_deltas(c, iters);
	if (rc)
		return rc;
	uint32_t *d = c->deltas;
	uint64_t t0 = sl_ticks(x), prev = t0;
	for (uint64_t i = 0; i < iters && !rc; i++) {
		rc = do_op(c, c->op == SL_PREAD ? next_off(c) : 0, &sink);
		uint64_t t = sl_ticks(x);
		d[i] = t - prev > UINT32_MAX ? UINT32_MAX : (uint32_t)(t - prev);
		prev = t;
	}
	s->ns = (double)sl_ns(x, prev - t0);
	__asm__ volatile("" ::"r"(sink));
	if (rc)
		return rc;
	for (uint64_t i = 0; i < iters; i++)
		hist_record(s->op_hist, sl_ns(x, d[i]));
	return keep_p50(c, (double)sl_ns(x, stats_select_u32(d, iters, (iters - 1) / 2)));
}

/* The tight loop: nothing but the operations between two clock reads. */
static int run_loop(struct sl_case *c, uint64_t iters, struct bench_sample *s)
{
	uint64_t sink = 0, t0 = clock_now_ns();
	int rc = 0;
	for (uint64_t i = 0; i < iters && !rc; i++)
		rc = do_op(c, c->op == SL_PREAD ? next_off(c) : 0, &sink);
	s->ns = (double)(clock_now_ns() - t0);
	__asm__ volatile("" ::"r"(sink));
	return rc;
}

static bool all_resident(struct sl_ctx *x)
{
	return (uint64_t)pcache_resident(&x->f, 0, x->region) == (x->region + x->f.page - 1) / x->f.page;
}

/*
 * Warm means every page of the region is resident, checked before each sample; pages found
 * gone are read in again (and counted), a few times if they keep going while being read.
 */
static int ensure_warm(struct sl_ctx *x)
{
	for (int tries = 0; tries < 3; tries++) {
		if (all_resident(x))
			return 0;
		x->rewarmed++;
		int rc = pcache_warm(&x->f, 0, x->region);
		if (rc && rc != -EAGAIN)
			return rc;
	}
	return 0;
}

/* Before a cold read: its pages must be gone. A read that finds them resident is not timed. */
static int ensure_cold(struct sl_ctx *x, uint64_t off, uint64_t len)
{
	for (int tries = 0;; tries++) {
		long res = pcache_resident(&x->f, off, len);
		if (res <= 0)
			return (int)res;
		x->discarded++;
		if (tries == 3)
			return -EBUSY;
		int rc = pcache_evict(&x->f, off, len);
		if (rc && rc != -EBUSY)
			return rc;
	}
}

static int evict_region(struct sl_ctx *x)
{
	int rc = pcache_evict(&x->f, 0, x->region);
	return rc == -EBUSY ? pcache_evict(&x->f, 0, x->region) : rc;
}

/*
 * Cold reads: the region is evicted at the start of a sample (and whenever its slots run out),
 * each read's pages checked gone just before it, and only the read itself timed (a pair of
 * timer reads around it). The sample's time is the sum of the reads' times.
 */
static int run_cold(struct sl_case *c, uint64_t iters, struct bench_sample *s)
{
	struct sl_ctx *x = c->ctx;
	uint64_t sink = 0, sum = 0;
	int rc = evict_region(x);
	c->pos = 0;
	for (uint64_t i = 0; i < iters && !rc; i++) {
		if (c->pos == c->nslots && (rc = evict_region(x)) != 0)
			break;
		uint64_t off = next_off(c);
		if ((rc = ensure_cold(x, off, c->size)) != 0)
			break;
		uint64_t t0 = sl_ticks(x);
		rc = do_op(c, off, &sink);
		uint64_t t1 = sl_ticks(x);
		hist_record(s->op_hist, sl_ns(x, t1 - t0));
		sum += t1 - t0;
		x->cold_ops++;
	}
	s->ns = (double)sl_ns(x, sum);
	return rc;
}

/*
 * First touch of each page of a fresh shared mapping, in ascending order. Warm: the kernel maps
 * the neighbours that are already cached along with the faulting page (fault-around, 64 KiB by
 * default), as any program gets. Cold: MADV_RANDOM keeps readahead out, each page checked gone
 * before its touch. Only the touches are timed; mapping and unmapping are not.
 */
static int run_mmap(struct sl_case *c, uint64_t iters, struct bench_sample *s)
{
	struct sl_ctx *x = c->ctx;
	uint64_t pages = x->region / x->f.page, sum = 0, done = 0;
	volatile const char *m;
	int rc = 0;
	while (done < iters && !rc) {
		if (c->state == SL_COLD && (rc = evict_region(x)) != 0)
			break;
		m = mmap(NULL, x->region, PROT_READ, MAP_SHARED, x->f.fd, 0);
		if (m == MAP_FAILED)
			return -errno;
		if (c->state == SL_COLD)
			madvise((void *)m, x->region, MADV_RANDOM);
		for (uint64_t p = 0; p < pages && done < iters && !rc; p++, done++) {
			if (c->state == SL_COLD && (rc = ensure_cold(x, p * x->f.page, x->f.page)) != 0)
				break;
			uint64_t t0 = sl_ticks(x);
			(void)m[p * x->f.page];
			uint64_t t1 = sl_ticks(x);
			hist_record(s->op_hist, sl_ns(x, t1 - t0));
			sum += t1 - t0;
			x->cold_ops += c->state == SL_COLD;
		}
		munmap((void *)m, x->region);
	}
	s->ns = (double)sl_ns(x, sum);
	return rc;
}

/* One run of fio or ioping; the sample is the tool's own median, its IOs go to the histogram. */
static int run_anchor(struct sl_case *c, struct bench_sample *s)
{
	char err[256];
	double p50 = 0;
	int rc = anchor_run(&c->anchor, s->op_hist, &p50, err, sizeof err);
	if (rc) {
		fprintf(stderr, "syslab: syslat: %s: %s\n", c->name, err);
		return rc;
	}
	s->ns = p50;
	return 0;
}

static int sl_run(void *arg, uint64_t iters, struct bench_sample *s)
{
	struct sl_case *c = arg;
	bool warm = c->state == SL_WARM && (c->op == SL_PREAD || c->op == SL_MMAP || c->op == SL_ANCHOR);
	int rc = warm ? ensure_warm(c->ctx) : 0;
	if (rc)
		return rc;
	if (c->op == SL_ANCHOR)
		rc = run_anchor(c, s);
	else if (c->op == SL_MMAP)
		rc = run_mmap(c, iters, s);
	else if (c->state == SL_COLD)
		rc = run_cold(c, iters, s);
	else
		rc = c->timed ? run_timed(c, iters, s) : run_loop(c, iters, s);
	/* Checked after the sample too: one that lost pages while it ran may have timed cold reads. */
	if (!rc && warm && !all_resident(c->ctx))
		c->ctx->lost_during++;
	return rc;
}

static int sl_setup(void *arg)
{
	struct sl_case *c = arg;
	c->pos = 0;
	c->np50 = 0;
	return 0;
}

/* A random order of the slots (Fisher-Yates, splitmix64 from the run's seed and the case). */
static int shuffle(struct sl_case *c)
{
	if (c->nslots > UINT32_MAX || !(c->order = malloc(c->nslots * sizeof *c->order)))
		return -ENOMEM;
	uint64_t z = c->ctx->seed ^ ((uint64_t)c->size << 32) ^ (uint64_t)c->state;
	for (uint64_t i = 0; i < c->nslots; i++)
		c->order[i] = (uint32_t)i;
	for (uint64_t i = c->nslots - 1; i > 0; i--) {
		uint64_t r = (z += 0x9e3779b97f4a7c15ull);
		r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ull;
		r = (r ^ (r >> 27)) * 0x94d049bb133111ebull;
		r ^= r >> 31;
		uint64_t j = r % (i + 1);
		uint32_t t = c->order[i];
		c->order[i] = c->order[j], c->order[j] = t;
	}
	return 0;
}

/* Why a read case cannot run here, or "" (and the buffer, slots and order ready when it can). */
static void plan_read(struct sl_case *c)
{
	struct sl_ctx *x = c->ctx;
	const struct pcache_file *f = &x->f;
	unsigned align = c->state == SL_DIRECT ? f->dio_mem_align : 64;
	if (c->state == SL_COLD && !x->cold_ok) {
		snprintf(c->skip, sizeof c->skip, "%s", x->cold_why);
		return;
	}
	if (c->state == SL_DIRECT && f->dfd < 0) {
		snprintf(c->skip, sizeof c->skip, "%s", f->dio_why);
		return;
	}
	if (c->state == SL_DIRECT && c->size % f->dio_off_align) {
		snprintf(c->skip, sizeof c->skip, "O_DIRECT on %s reads whole %u-byte blocks", f->fs_name,
			 f->dio_off_align);
		return;
	}
	/* A cold read of less than a page still brings in a page: one read per page keeps each cold. */
	c->stride = c->state == SL_COLD && c->size < f->page ? f->page : c->size;
	c->nslots = x->region / c->stride;
	if (c->nslots == 0) {
		snprintf(c->skip, sizeof c->skip, "the file has %llu bytes, less than one %u-byte read",
			 (unsigned long long)x->region, c->size);
		return;
	}
	if (posix_memalign(&c->buf, align < 64 ? 64 : align, c->size) != 0 || (c->random && shuffle(c) != 0))
		snprintf(c->skip, sizeof c->skip, "out of memory");
}

static void name_case(struct sl_case *c, const char *base, const char *label)
{
	snprintf(c->name, sizeof c->name, "%s%s", base, c->timed || c->op == SL_ANCHOR ? "" : "/loop");
	snprintf(c->label, sizeof c->label, "%s%s", label,
		 c->timed || c->op == SL_ANCHOR ? "" : ", untimed loop");
}

void sl_case_init(struct sl_case *c, struct sl_ctx *x, enum sl_op op, enum sl_state state, unsigned size,
		  bool random, bool timed, int cpu)
{
	char sz[16], base[48], label[96];
	memset(c, 0, sizeof *c);
	c->ctx = x, c->op = op, c->state = state, c->size = size, c->random = random, c->timed = timed;
	size_name(sz, sizeof sz, size);
	switch (op) {
	case SL_NOP:
		name_case(c, "timer/overhead",
			  x->tsc ? "timer + bookkeeping alone (rdtscp)"
				 : "timer + bookkeeping alone (clock_gettime)");
		break;
	case SL_GETPPID:
		name_case(c, "syscall/getppid", "null syscall: getppid");
		break;
	case SL_VDSO:
		name_case(c, "vdso/clock_gettime", "vDSO call: clock_gettime");
		break;
	case SL_PREAD:
		snprintf(base, sizeof base, "%s/%s/%s", state_names[state], sz, random ? "rand" : "seq");
		snprintf(label, sizeof label, "pread %s %s, %s", sz, random ? "random" : "sequential",
			 state == SL_DIRECT ? "O_DIRECT" : state_names[state]);
		name_case(c, base, label);
		plan_read(c);
		break;
	case SL_MMAP:
		snprintf(base, sizeof base, "mmap/%s", state_names[state]);
		snprintf(label, sizeof label, "mmap first touch per page, %s", state_names[state]);
		name_case(c, base, label);
		c->timed = true;
		if (state == SL_COLD && !x->cold_ok)
			snprintf(c->skip, sizeof c->skip, "%s", x->cold_why);
		break;
	case SL_ANCHOR:
		break; /* sl_anchor_case names it */
	}
	c->bc = (struct bench_case){.name = c->name,
				    .label = c->label,
				    .cpu = cpu,
				    .cpus = {cpu},
				    .ncpus = 1,
				    .want_op_hist = timed || op == SL_MMAP || op == SL_ANCHOR,
				    .setup = sl_setup,
				    .run = sl_run,
				    .arg = c};
}

void sl_case_free(struct sl_case *c)
{
	free(c->order);
	free(c->buf);
	free(c->p50);
	free(c->deltas);
	memset(c, 0, sizeof *c);
}

const double *sl_case_p50s(const struct sl_case *c, size_t n)
{
	return n && c->np50 >= n ? c->p50 + (c->np50 - n)
				 : NULL; /* the last n: calibration and warm-up come first */
}
