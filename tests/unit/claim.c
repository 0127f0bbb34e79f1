// SPDX-License-Identifier: MIT
/* Unit test of claim: verdicts from the CI of a ratio, for every kind, and the not-tested path. */
#include <errno.h>

#include <syslab/claim.h>

#include "tap.h"

#define N 200

static double a[N], b[N], wide[N];

static struct claim make(enum claim_kind k, double t)
{
	return (struct claim){.text = "t", .a = "a", .b = "b", .kind = k, .threshold = t, .expect = "appear"};
}

int main(void)
{
	struct stats_rng r;
	stats_rng_seed(&r, 42);
	for (int i = 0; i < N; i++) {
		/* b: 100 +- 1%, a: exactly 2x b; wide: 100 with +-60% spread */
		b[i] = 100 * (1 + ((double)stats_rng_below(&r, 2001) - 1000) / 100000);
		a[i] = 2 * b[i];
		wide[i] = 100 * (1 + ((double)stats_rng_below(&r, 2001) - 1000) / 1666);
	}

	struct claim c = make(CLAIM_AT_LEAST, 1.5);
	is_int(claim_eval(&c, a, N, b, N, 500, 1), 0, "claim_eval succeeds");
	is_near(c.ratio.point, 2.0, 1e-9, "ratio of a = 2b is 2");
	ok(c.ratio.lo <= 2.0 && c.ratio.hi >= 2.0 && c.ratio.hi - c.ratio.lo < 0.05,
	   "its CI is tight around 2");
	is_str(claim_verdict_name(c.verdict), "holds", "2x is at least 1.5x");

	c = make(CLAIM_AT_LEAST, 3);
	claim_eval(&c, a, N, b, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "does not hold", "2x is not at least 3x");

	c = make(CLAIM_AT_MOST, 0.6);
	claim_eval(&c, b, N, a, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "holds", "0.5x is at most 0.6x");
	c = make(CLAIM_AT_MOST, 0.4);
	claim_eval(&c, b, N, a, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "does not hold", "0.5x is not at most 0.4x");

	c = make(CLAIM_EQUIVALENT, 0.05);
	claim_eval(&c, b, N, b, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "holds", "a sample is equivalent to itself within 5%%");
	c = make(CLAIM_EQUIVALENT, 0.05);
	claim_eval(&c, a, N, b, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "does not hold", "2x is not within 5%%");

	/* A wide CI that contains 1 must not count as "equivalent": equivalence has to be shown. */
	c = make(CLAIM_EQUIVALENT, 0.02);
	claim_eval(&c, wide, N, b, N, 500, 1);
	ok(c.ratio.lo < 1 / 1.02 || c.ratio.hi > 1.02,
	   "a noisy sample's ratio CI is wider than +-2%% (%.3f..%.3f)", c.ratio.lo, c.ratio.hi);
	is_str(claim_verdict_name(c.verdict), "inconclusive", "noise straddling the bounds is inconclusive");
	c = make(CLAIM_AT_LEAST, 1.0);
	claim_eval(&c, wide, N, b, N, 500, 1);
	is_str(claim_verdict_name(c.verdict), "inconclusive",
	       "a CI straddling the threshold is inconclusive");

	double zero[3] = {0, 0, 0};
	c = make(CLAIM_AT_LEAST, 1.0);
	ok(claim_eval(&c, a, N, zero, 3, 100, 1) != 0, "a zero median in b is an error");
	is_str(claim_verdict_name(c.verdict), "not tested", "... and the claim is not tested");
	ok(c.reason[0] != 0, "... with a reason");

	/*
	 * Paired: b drifts over a factor of 10 from round to round (the host), a is 1.1x b in every
	 * round. Unpaired, the drift swamps the 10%; paired, it cancels.
	 */
	double pa[40], pb[40];
	for (int i = 0; i < 40; i++) {
		pb[i] = 10 + (double)((i * 7) % 40) * 2.5;
		pa[i] = 1.1 * pb[i] * (i % 2 ? 1.01 : 0.99);
	}
	c = make(CLAIM_AT_LEAST, 1.05);
	claim_eval(&c, pa, 40, pb, 40, 500, 1);
	is_str(claim_verdict_name(c.verdict), "inconclusive", "unpaired, drift hides a 10%% effect");
	ok(!c.paired, "... and the claim is not marked paired");
	c = make(CLAIM_AT_LEAST, 1.05);
	is_int(claim_eval_paired(&c, pa, pb, 40, 500, 1), 0, "paired evaluation");
	is_str(claim_verdict_name(c.verdict), "holds", "paired, the 10%% effect shows through the drift");
	ok(c.paired && c.ratio.lo >= 1.08 && c.ratio.hi <= 1.12, "ratio %.3f [%.3f, %.3f], marked paired",
	   c.ratio.point, c.ratio.lo, c.ratio.hi);
	c = make(CLAIM_AT_LEAST, 1.0);
	is_int(claim_eval_paired(&c, pa, zero, 3, 100, 1), -EINVAL, "paired: a zero in b is -EINVAL");
	is_str(claim_verdict_name(c.verdict), "not tested", "... and the claim is not tested");
	c = make(CLAIM_AT_LEAST, 1.0);
	is_int(claim_eval_paired(&c, pa, pb, 0, 100, 1), -EINVAL, "paired: no pairs is -EINVAL");

	c = make(CLAIM_AT_LEAST, 1.0);
	claim_not_tested(&c, "no SMT");
	is_str(c.reason, "no SMT", "claim_not_tested keeps the reason");
	is_str(claim_kind_name(CLAIM_EQUIVALENT), "equivalent", "kind names");
	is_str(claim_verdict_name(CLAIM_INCONCLUSIVE), "inconclusive", "verdict names");
	return done_testing();
}
