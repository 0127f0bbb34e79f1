// SPDX-License-Identifier: MIT
/* claim: tests "A is k times B" on two cases' samples, as a ratio of medians with its CI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <syslab/claim.h>

const char *claim_verdict_name(enum claim_verdict v)
{
	static const char *const names[] = {"holds", "does not hold", "inconclusive", "not tested"};
	return (unsigned)v < 4 ? names[v] : "?";
}

const char *claim_kind_name(enum claim_kind k)
{
	static const char *const names[] = {"at_least", "at_most", "equivalent"};
	return (unsigned)k < 3 ? names[k] : "?";
}

void claim_not_tested(struct claim *c, const char *reason)
{
	c->verdict = CLAIM_NOT_TESTED;
	c->ratio = (struct stats_ci){0};
	snprintf(c->reason, sizeof c->reason, "%s", reason);
}

/*
 * The verdict comes from the whole interval, never the point estimate alone: a claim holds
 * only when every ratio the data supports satisfies it, so noise makes a claim inconclusive
 * rather than lucky. For equivalence this is the confidence-interval form of TOST (two
 * one-sided tests): "within noise" has to be shown, not assumed from a CI that merely
 * contains 1 (a wide, noisy CI would "show" anything is equal).
 */
static enum claim_verdict judge(enum claim_kind kind, double k, double lo, double hi)
{
	switch (kind) {
	case CLAIM_AT_LEAST:
		return lo >= k ? CLAIM_HOLDS : hi < k ? CLAIM_DOES_NOT_HOLD : CLAIM_INCONCLUSIVE;
	case CLAIM_AT_MOST:
		return hi <= k ? CLAIM_HOLDS : lo > k ? CLAIM_DOES_NOT_HOLD : CLAIM_INCONCLUSIVE;
	case CLAIM_EQUIVALENT: {
		double up = 1 + k, down = 1 / (1 + k);
		if (lo >= down && hi <= up)
			return CLAIM_HOLDS;
		return (hi < down || lo > up) ? CLAIM_DOES_NOT_HOLD : CLAIM_INCONCLUSIVE;
	}
	}
	return CLAIM_INCONCLUSIVE;
}

int claim_eval(struct claim *c, const double *a, size_t na, const double *b, size_t nb, unsigned resamples,
	       uint64_t seed)
{
	int rc = stats_bootstrap_ratio_ci(a, na, b, nb, 0.95, resamples, seed, &c->ratio);
	if (rc) {
		claim_not_tested(c, rc == -EINVAL ? "no usable samples" : strerror(-rc));
		return rc;
	}
	c->verdict = judge(c->kind, c->threshold, c->ratio.lo, c->ratio.hi);
	c->reason[0] = 0;
	return 0;
}

int claim_eval_paired(struct claim *c, const double *a, const double *b, size_t n, unsigned resamples,
		      uint64_t seed)
{
	double *r = n ? malloc(n * sizeof *r) : NULL;
	int rc = r ? 0 : n ? -ENOMEM : -EINVAL;
	for (size_t i = 0; !rc && i < n; i++) {
		if (!(b[i] > 0))
			rc = -EINVAL;
		else
			r[i] = a[i] / b[i];
	}
	if (!rc)
		rc = stats_bootstrap_median_ci(r, n, 0.95, resamples, seed, &c->ratio);
	free(r);
	c->paired = true;
	if (rc) {
		claim_not_tested(c, rc == -EINVAL ? "no usable pairs of samples" : strerror(-rc));
		return rc;
	}
	c->verdict = judge(c->kind, c->threshold, c->ratio.lo, c->ratio.hi);
	c->reason[0] = 0;
	return 0;
}
