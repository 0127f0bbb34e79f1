/* SPDX-License-Identifier: MIT */
/* claim: "A is k times B", tested as a ratio of medians with a bootstrap CI. */
#ifndef SYSLAB_CLAIM_H
#define SYSLAB_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <syslab/stats.h>

enum claim_kind {
	CLAIM_AT_LEAST,  /* median(a)/median(b) >= threshold */
	CLAIM_AT_MOST,   /* median(a)/median(b) <= threshold */
	CLAIM_EQUIVALENT /* 1/(1+threshold) <= ratio <= 1+threshold: "within noise" */
};

enum claim_verdict { CLAIM_HOLDS, CLAIM_DOES_NOT_HOLD, CLAIM_INCONCLUSIVE, CLAIM_NOT_TESTED };

struct claim {
	const char *text;  /* "packed cross-core is slower than padded cross-core" */
	const char *a, *b; /* case names */
	enum claim_kind kind;
	double threshold;
	const char *expect;    /* "appear" or "vanish": the effect must show, or must not */
	struct stats_ci ratio; /* filled by claim_eval */
	enum claim_verdict verdict;
	bool paired;      /* set by claim_eval_paired: the ratio is the median of per-round ratios */
	char reason[256]; /* why not tested, when it was not */
};

/*
 * Evaluates c on the samples of a and b: the percentile-bootstrap CI of the ratio of medians,
 * then the verdict. Holds when the whole CI satisfies the claim, does not hold when the whole
 * CI contradicts it, inconclusive otherwise. Returns 0 or -errno from the bootstrap.
 */
int claim_eval(struct claim *c, const double *a, size_t na, const double *b, size_t nb, unsigned resamples,
	       uint64_t seed);

/*
 * The paired form, for cases sampled interleaved (one sample of each per round): the ratio is
 * the median of the per-round ratios a[i]/b[i], with its percentile-bootstrap CI. Pairing
 * cancels what the machine does between rounds, which an unpaired ratio of medians counts as
 * noise. Returns 0, or -EINVAL (n == 0, a b[i] <= 0), -ENOMEM; the claim is then not tested.
 */
int claim_eval_paired(struct claim *c, const double *a, const double *b, size_t n, unsigned resamples,
		      uint64_t seed);

/* Marks c not tested (e.g. a case was unsupported), with the reason. */
void claim_not_tested(struct claim *c, const char *reason);

const char *claim_verdict_name(enum claim_verdict v); /* "holds", "does not hold", ... */
const char *claim_kind_name(enum claim_kind k);       /* "at_least", "at_most", "equivalent" */

#endif
