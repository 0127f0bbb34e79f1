/* SPDX-License-Identifier: MIT */
/* syslat: the cases of the syscall and pread() latency experiment, and the loops that time them. */
#ifndef SYSLAB_SYSLAT_H
#define SYSLAB_SYSLAT_H

#include <stdbool.h>
#include <stdint.h>

#include <syslab/bench.h>
#include <syslab/clock.h>
#include <syslab/pcache.h>

#include "syslat_anchor.h"

#define SL_REGION_MAX (64ull << 20) /* bytes of a file the cases read: enough to leave the CPU caches */

/* What every case of one run shares: the file, the clock, and the counts the report gives. */
struct sl_ctx {
	struct pcache_file f;
	uint64_t region; /* the cases read [0, region) */
	bool tsc;        /* time with rdtscp, else clock_gettime */
	double ns_per_tick;
	bool cold_ok; /* the cold state can be produced and verified here */
	char cold_why[200];
	uint64_t cold_ops;    /* cold reads and touches timed */
	uint64_t discarded;   /* cold reads that found their pages resident: not timed, evicted again */
	uint64_t rewarmed;    /* warm samples that found pages gone and warmed the file again first */
	uint64_t lost_during; /* warm samples at whose end pages were gone */
	bool held;            /* the warm region is mlock()ed */
	uint64_t seed;
};

enum sl_op { SL_NOP, SL_GETPPID, SL_VDSO, SL_PREAD, SL_MMAP, SL_ANCHOR };
enum sl_state { SL_WARM, SL_COLD, SL_DIRECT };

struct sl_case {
	struct bench_case bc;
	char name[64], label[112];
	struct sl_ctx *ctx;
	enum sl_op op;
	enum sl_state state;
	bool timed;    /* each operation timed into the histogram; else one time for the loop */
	bool random;   /* offsets in a random order, else ascending */
	unsigned size; /* bytes per read */
	uint64_t stride, nslots, pos;
	uint32_t *order; /* slot order when random */
	void *buf;
	uint32_t *deltas; /* a sample's per-operation ticks, chained timing */
	uint64_t ndeltas;
	double *p50; /* each chained-timed sample's median per-operation time, oldest first */
	size_t np50, cap50;
	struct anchor_run anchor;
	char skip[200]; /* why the case cannot run here, "" when it can */
};

/* Fills c as a case of op/state; decides whether it can run (skip says why not). */
void sl_case_init(struct sl_case *c, struct sl_ctx *x, enum sl_op op, enum sl_state state, unsigned size,
		  bool random, bool timed, int cpu);
void sl_case_free(struct sl_case *c);

/* The medians of the last n samples of a chained-timed case (pread warm and direct, baselines), or NULL. */
const double *sl_case_p50s(const struct sl_case *c, size_t n);

#endif
