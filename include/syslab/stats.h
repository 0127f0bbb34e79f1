/* SPDX-License-Identifier: MIT */
/* stats: descriptive statistics, outliers and bootstrap confidence intervals of samples. */
#ifndef SYSLAB_STATS_H
#define SYSLAB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Tukey's fences on the quartiles: mild beyond 1.5 IQR, severe beyond 3 IQR. Counted, never dropped. */
struct stats_outliers {
	size_t low_severe, low_mild, high_mild, high_severe;
};

struct stats_summary {
	size_t n;
	double mean, stddev; /* stddev with n-1 (sample); 0 when n < 2 */
	double cv;           /* stddev / mean; 0 when mean == 0 */
	double min, max;
	double median;
	double mad;    /* median absolute deviation from the median (unscaled) */
	double q1, q3; /* 25th and 75th percentiles */
	double p1, p5, p90, p95, p99, p999;
	struct stats_outliers outliers;
};

/*
 * Percentile p (0..100) of sorted x[n] by linear interpolation between closest ranks
 * (Hyndman & Fan type 7, the default of R, NumPy and Excel). NaN when n == 0.
 */
double stats_percentile_sorted(const double *sorted, size_t n, double p);

/* Sorts x in place, ascending. */
void stats_sort(double *x, size_t n);

/* The median of x[n] without changing x (copies to scratch[n], which the caller owns). */
double stats_median(const double *x, size_t n, double *scratch);

/*
 * The k-th smallest (from 0) of x[n], k < n, found in place in O(n) on average: quickselect
 * with a three-way partition, so runs of equal values (timer ticks) cost nothing extra. Reorders x.
 */
uint32_t stats_select_u32(uint32_t *x, size_t n, size_t k);

/* Fills s from x[n]; x is not changed; scratch[n] is caller-owned work space. 0 or -EINVAL (n == 0). */
int stats_summarize(const double *x, size_t n, double *scratch, struct stats_summary *s);

/* A small, seeded, reproducible PRNG (xoshiro256**), so bootstrap CIs repeat under --seed. */
struct stats_rng {
	uint64_t s[4];
};
void stats_rng_seed(struct stats_rng *r, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *r);
/* Uniform in [0, n), without modulo bias. */
uint64_t stats_rng_below(struct stats_rng *r, uint64_t n);

/* A confidence interval around a point estimate. */
struct stats_ci {
	double point, lo, hi;
	double level; /* e.g. 0.95 */
};

/*
 * Percentile bootstrap CI of the median of x[n]: resamples times, each a resample with
 * replacement of size n. 0, -EINVAL (n == 0 or level outside (0,1)), -ENOMEM.
 */
int stats_bootstrap_median_ci(const double *x, size_t n, double level, unsigned resamples, uint64_t seed,
			      struct stats_ci *ci);

/*
 * Percentile bootstrap CI of median(a) / median(b), resampling a and b independently.
 * 0, -EINVAL (empty sample, level outside (0,1), a median of b that is 0), -ENOMEM.
 */
int stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double level,
			     unsigned resamples, uint64_t seed, struct stats_ci *ci);

/*
 * Distribution-free CI of the median from order statistics (binomial), no resampling: cheap
 * enough to run after every few samples as a stopping rule. sorted[n] ascending. Needs n >= 6
 * for a 95% interval; with fewer, lo = min and hi = max.
 */
void stats_median_ci_sorted(const double *sorted, size_t n, double level, struct stats_ci *ci);

#endif
