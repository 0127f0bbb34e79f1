// SPDX-License-Identifier: MIT
/* syslat: what a syscall and a pread() cost, with a warm page cache, a cold one, and O_DIRECT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "experiment.h"
#include "syslat.h"

#define MS         1000000ull
#define MAX_CASES  64
#define SCRATCH    "/var/tmp" /* FHS: temporary files on a disk, unlike /tmp, which may be tmpfs */
#define OVERHEAD_T 30.0       /* ns: the most a timed operation may carry of its own measurement */

static const unsigned sizes[] = {512, 4096, 16384, 65536, 262144, 1048576};
#define NSIZES (sizeof sizes / sizeof sizes[0])

struct syslat {
	struct exp *e;
	struct sl_ctx x;
	struct sl_case *c; /* MAX_CASES; stable addresses, the harness keeps pointers */
	int n, cpu;
	struct bench_budget b, tool_b, beside_b; /* lab cases; tools; the lab's 4 KiB reads beside the tools */
};

static struct sl_case *add(struct syslat *s, enum sl_op op, enum sl_state st, unsigned size, bool random,
			   bool timed)
{
	struct sl_case *c = &s->c[s->n++];
	sl_case_init(c, &s->x, op, st, size, random, timed, s->cpu);
	return c;
}

/* Reads a tool makes in one run (one sample): a warm run lasts ~20 ms of reads, a cold one ~30 ms. */
static unsigned tool_nios(const struct syslat *s, enum sl_state st)
{
	return (st == SL_WARM ? 20000 : 300) / (s->e->mode == BENCH_SMOKE ? 10 : 1);
}

static struct sl_case *add_tool(struct syslat *s, enum anchor_tool tool, enum sl_state st)
{
	struct sl_case *c = &s->c[s->n++];
	char why[200];
	sl_case_init(c, &s->x, SL_ANCHOR, st, 4096, true, true, s->cpu);
	c->anchor = (struct anchor_run){.tool = tool,
					.mode = st == SL_WARM   ? ANCHOR_WARM
						: st == SL_COLD ? ANCHOR_COLD
								: ANCHOR_DIRECT,
					.path = s->x.f.proc_path,
					.region = s->x.region / 4096 * 4096,
					.bs = 4096,
					.nios = tool_nios(s, st),
					.cpu = s->cpu};
	const char *tn = tool == ANCHOR_FIO ? "fio" : "ioping", *sn = st == SL_WARM   ? "warm"
								      : st == SL_COLD ? "cold"
										      : "direct";
	snprintf(c->name, sizeof c->name, "%s/%s", tn, sn);
	snprintf(c->label, sizeof c->label, "%s: 4k random, %s (the tool's own per-IO latency)", tn,
		 st == SL_DIRECT ? "O_DIRECT" : sn);
	c->bc.fixed_iters = 1;
	if (anchor_available(tool, why, sizeof why) != 0)
		snprintf(c->skip, sizeof c->skip, "%s", why);
	else if (st == SL_DIRECT && s->x.f.dfd < 0)
		snprintf(c->skip, sizeof c->skip, "%s", s->x.f.dio_why);
	else if (st == SL_COLD && !s->x.cold_ok)
		snprintf(c->skip, sizeof c->skip, "%s", s->x.cold_why);
	else if (c->anchor.region < 4096)
		snprintf(c->skip, sizeof c->skip, "the file is smaller than one 4 KiB read");
	else if (st == SL_COLD && tool == ANCHOR_FIO)
		snprintf(c->skip, sizeof c->skip, "fio drops the cache once per job, not before each read");
	return c;
}

/* Runs the cases [from, s->n) interleaved under b, after recording those that cannot run here. */
static int run_group(struct syslat *s, int from, const char *group, const struct bench_budget *b)
{
	const struct bench_case *run[MAX_CASES];
	size_t k = 0;
	for (int i = from; i < s->n; i++) {
		if (s->c[i].skip[0])
			exp_case_skip(s->e, &s->c[i].bc, group, "%s", s->c[i].skip);
		else
			run[k++] = &s->c[i].bc;
	}
	return k ? exp_cases(s->e, run, k, group, b) : 0;
}

static struct sl_case *find(struct syslat *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->c[i].name, name) == 0)
			return &s->c[i];
	return NULL;
}

static int baselines(struct syslat *s)
{
	int from = s->n;
	add(s, SL_NOP, SL_WARM, 0, false, true);
	add(s, SL_GETPPID, SL_WARM, 0, false, true);
	add(s, SL_GETPPID, SL_WARM, 0, false, false);
	add(s, SL_VDSO, SL_WARM, 0, false, true);
	add(s, SL_VDSO, SL_WARM, 0, false, false);
	return run_group(s, from, "baselines", &s->b);
}

/* The reads of one state, random offsets and sequential ones as two groups (each interleaved). */
static int reads(struct syslat *s, enum sl_state st, const char *state)
{
	char group[48];
	int rc = 0;
	for (int random = 1; random >= 0 && !rc; random--) {
		int from = s->n;
		/* Warm 4 KiB random reads are measured beside the tools instead (tools()). */
		for (size_t i = 0; i < NSIZES; i++)
			if (!(st == SL_WARM && random && sizes[i] == 4096))
				add(s, SL_PREAD, st, sizes[i], random, true);
		if (st == SL_WARM && !random)
			add(s, SL_PREAD, st, 4096, false, false);
		if (st != SL_DIRECT && !random)
			add(s, SL_MMAP, st, 4096, false, true);
		snprintf(group, sizeof group, "%s, %s", state, random ? "random offsets" : "sequential");
		rc = run_group(s, from, group, &s->b);
	}
	return rc;
}

/*
 * fio and ioping on the file in state st. Warm, our 4 KiB random reads (timed and untimed) join
 * them in one interleaved group: the claims compare them, and the machine drifts by more than
 * fio's own overhead between groups run seconds apart.
 */
static int tools(struct syslat *s, enum sl_state st, const char *group)
{
	int from = s->n;
	char cmd[600];
	if (st == SL_WARM) {
		/* As many reads a sample as a tool's run makes: samples as steady as theirs. */
		add(s, SL_PREAD, st, 4096, true, true)->bc.fixed_iters = tool_nios(s, st);
		add(s, SL_PREAD, st, 4096, true, false)->bc.fixed_iters = tool_nios(s, st);
	}
	add_tool(s, ANCHOR_FIO, st);
	add_tool(s, ANCHOR_IOPING, st);
	for (int i = from; i < s->n; i++) {
		if (s->c[i].skip[0] || s->c[i].op != SL_ANCHOR)
			continue;
		anchor_command(&s->c[i].anchor, cmd, sizeof cmd);
		exp_condition(s->e, "%s (%s): %s", s->c[i].name, anchor_version(s->c[i].anchor.tool), cmd);
	}
	return run_group(s, from, group, st == SL_WARM ? &s->beside_b : &s->tool_b);
}

/*
 * A claim on cases of one interleaved group: paired, round by round (the host drifts between
 * rounds by more than some of these effects). With p50, a's values are its samples' medians of
 * per-operation times rather than its loop averages.
 */
static void claim_paired(struct syslat *s, struct claim *cl, bool p50)
{
	const struct bench_result *ra = exp_result(s->e, cl->a);
	const struct sl_case *a = find(s, cl->a);
	const double *va = p50 && ra && a ? sl_case_p50s(a, ra->n) : NULL;
	if (p50 && !va)
		exp_claim(s->e, cl); /* records why it was not tested */
	else
		exp_claim_paired(s->e, cl, va);
}

static void claims(struct syslat *s)
{
	struct claim same_group[] = {
		{.text = "timed one by one, a warm 4 KiB random pread's median is within 1.25x of the "
			 "untimed loop's average",
		 .a = "warm/4k/rand",
		 .b = "warm/4k/rand/loop",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 1.25,
		 .expect = "appear"},
		{.text = "our warm 4 KiB random pread median is below fio's clat median for the same reads",
		 .a = "warm/4k/rand",
		 .b = "fio/warm",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 1.0,
		 .expect = "appear"},
		{.text = "warm, a first touch of a mapped page costs less than half a 4 KiB pread of it (one "
			 "fault maps its cached neighbours too)",
		 .a = "mmap/warm",
		 .b = "warm/4k/seq",
		 .kind = CLAIM_AT_MOST,
		 .threshold = 0.5,
		 .expect = "appear"},
		{.text = "cold, the device read dominates: a first touch costs what a 4 KiB pread does "
			 "(within 25%)",
		 .a = "mmap/cold",
		 .b = "cold/4k/seq",
		 .kind = CLAIM_EQUIVALENT,
		 .threshold = 0.25,
		 .expect = "vanish"},
		{.text = "warm pread cost grows with size above 4 KiB: 64 KiB costs at least 2x 4 KiB",
		 .a = "warm/64k/seq",
		 .b = "warm/4k/seq",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 2,
		 .expect = "appear"},
		{.text = "and 1 MiB at least 4x 64 KiB",
		 .a = "warm/1m/seq",
		 .b = "warm/64k/seq",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 4,
		 .expect = "appear"},
	};
	/* Across groups, measured seconds apart: unpaired, for effects of 2x to 100x. */
	struct claim cl[] = {
		{.text = "a cold 4 KiB random pread costs at least 10x a warm one",
		 .a = "cold/4k/rand",
		 .b = "warm/4k/rand",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 10,
		 .expect = "appear"},
		{.text = "an O_DIRECT 4 KiB random pread costs at least 10x a warm one",
		 .a = "direct/4k/rand",
		 .b = "warm/4k/rand",
		 .kind = CLAIM_AT_LEAST,
		 .threshold = 10,
		 .expect = "appear"},
	};
	for (size_t i = 0; i < sizeof same_group / sizeof same_group[0]; i++)
		claim_paired(s, &same_group[i], i < 2);
	exp_claims(s->e, cl, sizeof cl / sizeof cl[0]);
}

/* The figures the report states beside the claims: overhead, fio's view, the cold-state counts. */
static void notes(struct syslat *s)
{
	const struct bench_result *nop = exp_result(s->e, "timer/overhead"),
				  *loop = exp_result(s->e, "warm/4k/rand/loop"),
				  *fio = exp_result(s->e, "fio/warm");
	if (nop && nop->status == BENCH_OK) {
		/* The mean, not the median of single values: those come in steps of the timer's resolution.
		 */
		double o = nop->summary.median;
		exp_note(s->e,
			 "measurement overhead per timed operation (timer read + store + loop): %.1f ns "
			 "[%.1f, %.1f], "
			 "%s the %.0f ns target; every timed value includes it. It is the mean of the timed "
			 "values "
			 "with nothing between: single values are coarse (this timer reads in steps visible "
			 "in the "
			 "histogram)",
			 o, nop->ci.lo, nop->ci.hi, nop->ci.hi < OVERHEAD_T ? "under" : "NOT under",
			 OVERHEAD_T);
	}
	if (loop && loop->status == BENCH_OK && fio && fio->status == BENCH_OK)
		exp_note(s->e,
			 "fio's warm 4 KiB clat median is %.2fx the untimed loop's average (%.0f ns vs %.0f "
			 "ns): "
			 "its own bookkeeping, inside its clock",
			 fio->summary.median / loop->summary.median, fio->summary.median,
			 loop->summary.median);
	if (s->x.cold_ok)
		exp_note(s->e,
			 "cold state verified with mincore() before each of %llu cold operations; %llu found "
			 "their "
			 "pages resident and were discarded (not timed) and evicted again",
			 (unsigned long long)s->x.cold_ops, (unsigned long long)s->x.discarded);
	exp_note(s->e,
		 "warm state verified with mincore() before and after every sample: %llu samples found pages "
		 "gone "
		 "before (the file was read in again first), %llu after",
		 (unsigned long long)s->x.rewarmed, (unsigned long long)s->x.lost_during);
}

/*
 * The warm cases, with the region held by mlock() where the limit allows: this machine's host was
 * seen to shed about 5% of a warm 64 MiB file every few seconds with 23 GiB free and no reclaim
 * counted (pgsteal 0), which turns warm samples into partly cold ones. Released before the cold ones.
 */
static int warm(struct syslat *s)
{
	int hold = pcache_hold(&s->x.f, s->x.region), rc;
	s->x.held = hold == 0;
	if (hold)
		exp_condition(s->e,
			      "warm: not held with mlock() (%s: RLIMIT_MEMLOCK?); pages the kernel drops are "
			      "read in again before the next sample",
			      strerror(-hold));
	else
		exp_condition(s->e, "warm: the region held resident with mlock() while the warm cases run");
	rc = reads(s, SL_WARM, "warm");
	if (!rc)
		rc = tools(s, SL_WARM, "warm 4 KiB random, the lab and the tools");
	pcache_release(&s->x.f);
	s->x.held = false;
	return rc;
}

static int open_file(struct syslat *s)
{
	char err[300];
	struct stat st;
	int rc;
	if (s->e->file)
		rc = pcache_open(&s->x.f, s->e->file, err, sizeof err);
	else
		rc = pcache_create(&s->x.f, stat(SCRATCH, &st) == 0 ? SCRATCH : ".",
				   s->e->mode == BENCH_SMOKE ? 8 << 20 : SL_REGION_MAX, s->e->seed, err,
				   sizeof err);
	if (rc) {
		fprintf(stderr, "syslab: syslat: %s\n", err);
		exp_note(s->e, "could not run: %s", err);
		return rc;
	}
	struct pcache_file *f = &s->x.f;
	s->x.region = f->size < SL_REGION_MAX ? f->size : SL_REGION_MAX;
	s->x.cold_ok = pcache_cold_check(f, s->x.region, s->x.cold_why, sizeof s->x.cold_why) == 0;
	exp_condition(s->e, "file: %s%s on %s; the cases read its first %llu bytes",
		      f->owned ? "a new file in " : "", f->path, f->fs_name, (unsigned long long)s->x.region);
	exp_condition(s->e, "cold state: %s",
		      s->x.cold_ok ? "fsync + POSIX_FADV_DONTNEED, readahead off "
				     "(POSIX_FADV_RANDOM), checked with mincore()"
				   : s->x.cold_why);
	if (f->dfd >= 0)
		exp_condition(s->e, "O_DIRECT: buffers aligned to %u bytes, offsets to %u", f->dio_mem_align,
			      f->dio_off_align);
	else
		exp_condition(s->e, "O_DIRECT: %s", f->dio_why);
	return 0;
}

static void budgets(struct syslat *s)
{
	s->b = s->e->budget;
	s->tool_b = s->e->budget;
	/* quick: ~50 cases in under 30 s. The ratios the claims test are 2x to 100x. */
	if (s->e->mode == BENCH_QUICK) {
		s->b.warmup_ns = 20 * MS;
		s->b.max_ns = 250 * MS;
		s->b.min_samples = 10;
	}
	/* A tool's run is a sample: a few of them, each a process start and thousands of reads. */
	s->tool_b.warmup_ns = 0;
	s->tool_b.min_samples = s->e->mode == BENCH_SMOKE ? 2 : 5;
	static const uint64_t tool_max_ms[] = {[BENCH_SMOKE] = 500, [BENCH_QUICK] = 1200, [BENCH_DEFAULT] = 4000,
					       [BENCH_FULL] = 20000};
	s->tool_b.max_ns = tool_max_ms[s->e->mode] * MS;
	/* The paired claims against fio want 15 rounds or more; a round is ~0.45 s (fio's start). */
	s->beside_b = s->tool_b;
	if (s->e->mode == BENCH_QUICK)
		s->beside_b.max_ns = 2000 * MS;
}

static int syslat_run(struct exp *e)
{
	struct syslat s = {
		.e = e, .c = calloc(MAX_CASES, sizeof(struct sl_case)), .x.f = {.fd = -1, .dfd = -1}};
	int rc = s.c ? 0 : -ENOMEM, b;
	if (rc || (rc = cpu_pick_pair(e->topo, CPU_PAIR_SAME, &s.cpu, &b)) != 0)
		goto out;
	s.x.tsc = e->clk->tsc_usable;
	s.x.ns_per_tick = s.x.tsc ? 1.0 / e->clk->tsc_ghz : 1.0;
	s.x.seed = e->seed;
	budgets(&s);
	if ((rc = open_file(&s)) != 0)
		goto out;
	exp_condition(e, "every case on CPU %d; per-operation times with %s", s.cpu,
		      s.x.tsc ? "rdtscp" : "clock_gettime");
	if ((rc = baselines(&s)) || (rc = warm(&s)) || (rc = reads(&s, SL_COLD, "cold")) ||
	    (rc = tools(&s, SL_COLD, "cold, the tools")) || (rc = reads(&s, SL_DIRECT, "O_DIRECT")) ||
	    (rc = tools(&s, SL_DIRECT, "O_DIRECT, the tools")))
		goto out;
	claims(&s);
	notes(&s);
out:
	for (int i = 0; s.c && i < s.n; i++)
		sl_case_free(&s.c[i]);
	free(s.c);
	pcache_close(&s.x.f);
	return rc;
}

const struct experiment exp_syslat = {
	.name = "syslat",
	.title = "syscall and pread() latency: warm, cold, O_DIRECT",
	.question = "What does pread() actually cost when page-cache warmth varies, and what does the timing "
		    "itself cost?",
	.shows = "null syscall, vDSO, pread 512 B-1 MiB warm/cold/O_DIRECT, mmap first touch, vs fio and "
		 "ioping",
	.run = syslat_run,
};
