/* SPDX-License-Identifier: MIT */
/* stats: descriptive statistics, Tukey outliers, a seeded PRNG and median confidence intervals. */
#include <syslab/stats.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * One total order for every function here: NaN sorts after everything, +inf included, and
 * NaNs are equal to each other. The plain < of IEEE 754 is not an order once NaN is present,
 * which can make qsort and quickselect misbehave; with this one they stay correct and a NaN
 * shows up at the top end (max, high percentiles) where it is noticed.
 */
static int stats_less(double a, double b)
{
	return a < b || (!isnan(a) && isnan(b));
}

static int stats_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return stats_less(a, b) ? -1 : stats_less(b, a) ? 1 : 0;
}

void stats_sort(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), stats_cmp);
}

/* Type 7 between two neighbours; the same expression wherever a median is interpolated. */
static double stats_lerp(double lo, double hi, double frac)
{
	return frac == 0 ? lo : lo + frac * (hi - lo);
}

/*
 * Hyndman & Fan type 7: h = (n - 1) * p / 100, then linear interpolation between the
 * floor(h)-th and the next order statistic (0-based). p is clamped to [0, 100]; NaN gives NaN.
 */
double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, fl;
	size_t i;

	if (n == 0 || isnan(p))
		return NAN;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	h = (double)(n - 1) * (p / 100.0);
	fl = floor(h);
	i = (size_t)fl;
	if (i >= n - 1)
		return sorted[n - 1];
	return stats_lerp(sorted[i], sorted[i + 1], h - fl);
}

static void stats_swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Quickselect (Hoare's FIND, in Wirth's form): afterwards a[k] holds the k-th smallest
 * (0-based), everything before it is <= and everything after it >=. Median-of-three pivots,
 * which also serve as sentinels for the inner scans; Hoare's partition stops on equal keys,
 * so a bootstrap resample full of duplicates still splits evenly. O(n) expected.
 */
static void stats_select(double *a, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (hi > lo) {
		ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;

		if (stats_less(a[mid], a[lo]))
			stats_swap(&a[mid], &a[lo]);
		if (stats_less(a[hi], a[lo]))
			stats_swap(&a[hi], &a[lo]);
		if (stats_less(a[hi], a[mid]))
			stats_swap(&a[hi], &a[mid]);
		pivot = a[mid];
		while (i <= j) {
			while (stats_less(a[i], pivot))
				i++;
			while (stats_less(pivot, a[j]))
				j--;
			if (i <= j) {
				stats_swap(&a[i], &a[j]);
				i++;
				j--;
			}
		}
		/* Now a[lo..j] <= pivot <= a[i..hi], and anything between j and i equals the pivot. */
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			return;
	}
}

/*
 * The median of a[n], reordering a. For even n, the upper middle is selected and the lower
 * middle is then the largest of the lower half, which the selection left in front of it.
 */
static double stats_median_inplace(double *a, size_t n)
{
	size_t k = n / 2;
	double lower;

	stats_select(a, n, k);
	if (n % 2)
		return a[k];
	lower = a[0];
	for (size_t i = 1; i < k; i++)
		if (stats_less(lower, a[i]))
			lower = a[i];
	return stats_lerp(lower, a[k], 0.5);
}

double stats_median(const double *x, size_t n, double *scratch)
{
	if (n == 0)
		return NAN;
	memcpy(scratch, x, n * sizeof(*x));
	return stats_median_inplace(scratch, n);
}

/* Counts x against Tukey's fences on q1 and q3; the bands are half-open towards the middle. */
static void stats_count_outliers(const double *x, size_t n, double q1, double q3, struct stats_outliers *o)
{
	double iqr = q3 - q1;
	double low_severe = q1 - 3 * iqr, low_mild = q1 - 1.5 * iqr;
	double high_mild = q3 + 1.5 * iqr, high_severe = q3 + 3 * iqr;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		if (x[i] < low_severe)
			o->low_severe++;
		else if (x[i] < low_mild)
			o->low_mild++;
		else if (x[i] > high_severe)
			o->high_severe++;
		else if (x[i] > high_mild)
			o->high_mild++;
	}
}

/* Two passes (mean, then squared deviations): steadier than the one-pass sum of squares. */
static void stats_moments(const double *x, size_t n, struct stats_summary *s)
{
	double sum = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s->mean) * (x[i] - s->mean);
	s->stddev = n < 2 ? 0 : sqrt(ss / (double)(n - 1));
	s->cv = s->mean == 0 ? 0 : s->stddev / s->mean;
}

int stats_summarize(const double *x, size_t n, double *scratch, struct stats_summary *s)
{
	if (n == 0)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->n = n;
	stats_moments(x, n, s);

	memcpy(scratch, x, n * sizeof(*x));
	stats_sort(scratch, n);
	s->min = scratch[0];
	s->max = scratch[n - 1];
	s->median = stats_percentile_sorted(scratch, n, 50);
	s->q1 = stats_percentile_sorted(scratch, n, 25);
	s->q3 = stats_percentile_sorted(scratch, n, 75);
	s->p1 = stats_percentile_sorted(scratch, n, 1);
	s->p5 = stats_percentile_sorted(scratch, n, 5);
	s->p90 = stats_percentile_sorted(scratch, n, 90);
	s->p95 = stats_percentile_sorted(scratch, n, 95);
	s->p99 = stats_percentile_sorted(scratch, n, 99);
	s->p999 = stats_percentile_sorted(scratch, n, 99.9);
	stats_count_outliers(x, n, s->q1, s->q3, &s->outliers);

	/* The sorted copy is no longer needed: reuse scratch for the absolute deviations. */
	for (size_t i = 0; i < n; i++)
		scratch[i] = fabs(x[i] - s->median);
	s->mad = stats_median_inplace(scratch, n);
	return 0;
}

/* splitmix64 (Vigna): spreads any 64-bit seed, 0 included, over the 256-bit state. */
static uint64_t stats_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void stats_rng_seed(struct stats_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = stats_splitmix64(&seed);
}

static uint64_t stats_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c). */
uint64_t stats_rng_next(struct stats_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = stats_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = stats_rotl(s[3], 45);
	return result;
}

/*
 * Lemire's nearly divisionless method ("Fast Random Integer Generation in an Interval", ACM
 * TOMACS 2019): the high word of x * n is uniform in [0, n) once the low words below
 * 2^64 mod n are rejected; the division is only needed when the low word is below n at all.
 * n == 0 has no valid answer and returns 0.
 */
uint64_t stats_rng_below(struct stats_rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t low;

	if (n == 0)
		return 0;
	m = (unsigned __int128)stats_rng_next(r) * n;
	low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = -n % n; /* 2^64 mod n */

		while (low < threshold) {
			m = (unsigned __int128)stats_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

static int stats_level_ok(double level)
{
	return level > 0 && level < 1; /* false for NaN */
}

/* The percentile CI of the estimates est[resamples], which it sorts. */
static void stats_percentile_ci(double *est, unsigned resamples, double level, struct stats_ci *ci)
{
	stats_sort(est, resamples);
	ci->lo = stats_percentile_sorted(est, resamples, 100 * (1 - level) / 2);
	ci->hi = stats_percentile_sorted(est, resamples, 100 * (1 + level) / 2);
	ci->level = level;
}

/* The median of a resample with replacement of x[n], drawn into buf[n]. */
static double stats_resample_median(struct stats_rng *r, const double *x, size_t n, double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[stats_rng_below(r, n)];
	return stats_median_inplace(buf, n);
}

/* One allocation for a resample buffer of n and the resamples estimates; NULL on overflow too. */
static double *stats_alloc_work(size_t n, unsigned resamples)
{
	if (n > SIZE_MAX / sizeof(double) - resamples)
		return NULL;
	return malloc((n + resamples) * sizeof(double));
}

/*
 * resamples == 0 is -EINVAL as well: there would be no distribution to take percentiles of.
 * Each resample costs n draws and an O(n) selection, so the whole is O(n * resamples).
 */
int stats_bootstrap_median_ci(const double *x, size_t n, double level, unsigned resamples, uint64_t seed,
			      struct stats_ci *ci)
{
	struct stats_rng r;
	double *buf, *est;

	if (n == 0 || !stats_level_ok(level) || resamples == 0)
		return -EINVAL;
	buf = stats_alloc_work(n, resamples);
	if (!buf)
		return -ENOMEM;
	est = buf + n;
	stats_rng_seed(&r, seed);
	ci->point = stats_median(x, n, buf);
	for (unsigned i = 0; i < resamples; i++)
		est[i] = stats_resample_median(&r, x, n, buf);
	stats_percentile_ci(est, resamples, level, ci);
	free(buf);
	return 0;
}

/*
 * A resample of b whose median is 0 (possible when b holds zeros even though its median is
 * not 0) gives an infinite or NaN ratio; those sort to the ends, so the interval honestly
 * comes out unbounded when such resamples reach the tails.
 */
int stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double level,
			     unsigned resamples, uint64_t seed, struct stats_ci *ci)
{
	struct stats_rng r;
	double *buf, *est, ma, mb;
	int err = 0;

	if (na == 0 || nb == 0 || !stats_level_ok(level) || resamples == 0)
		return -EINVAL;
	buf = stats_alloc_work(na > nb ? na : nb, resamples);
	if (!buf)
		return -ENOMEM;
	est = buf + (na > nb ? na : nb);
	ma = stats_median(a, na, buf);
	mb = stats_median(b, nb, buf);
	if (mb == 0) {
		err = -EINVAL;
		goto out;
	}
	stats_rng_seed(&r, seed);
	for (unsigned i = 0; i < resamples; i++) {
		/* Two statements: the order of the draws, a then b, is part of what the seed repeats. */
		double ra = stats_resample_median(&r, a, na, buf);
		double rb = stats_resample_median(&r, b, nb, buf);

		est[i] = ra / rb;
	}
	stats_percentile_ci(est, resamples, level, ci);
	ci->point = ma / mb;
out:
	free(buf);
	return err;
}

/* Exact binomial sums are kept up to here; above, the normal approximation is within one rank. */
#define STATS_EXACT_BINOMIAL_MAX 1000

/*
 * The largest k with P(Binom(n, 1/2) < k) <= tail, summing the probability mass function in
 * log space: C(n, 0) / 2^n = 2^-n, then C(n, i + 1) = C(n, i) * (n - i) / (i + 1). Nothing
 * overflows and 2^-1000 is still a normal double.
 */
static size_t stats_binom_k_exact(size_t n, double tail)
{
	double log_pmf = -(double)n * M_LN2, cdf = 0;
	size_t k = 0;

	while (k <= n / 2) {
		double next = cdf + exp(log_pmf);

		if (next > tail)
			break;
		cdf = next; /* cdf = P(B < k + 1) */
		k++;
		log_pmf += log((double)(n - k + 1) / (double)k);
	}
	return k;
}

/*
 * The same from the normal approximation with continuity correction: P(B < k) = P(B <= k - 1)
 * ~ Phi((k - 1/2 - n/2) / (sqrt(n)/2)). That is increasing in k, so a binary search with erfc
 * finds the largest k with it <= tail, in log2(n) steps and without an inverse normal.
 */
static size_t stats_binom_k_normal(size_t n, double tail)
{
	size_t lo = 0, hi = n / 2 + 1; /* P(B < lo) <= tail, P(B < hi) > tail */
	double sd = sqrt((double)n) / 2;

	while (hi - lo > 1) {
		size_t k = lo + (hi - lo) / 2;
		double z = ((double)k - 0.5 - (double)n / 2) / sd;

		if (0.5 * erfc(-z / M_SQRT2) <= tail)
			lo = k;
		else
			hi = k;
	}
	return lo;
}

/*
 * [x_(k), x_(n-k+1)] (1-based) covers the median with probability 1 - 2 P(B < k), B ~
 * Binom(n, 1/2), because the number of samples below the median is B. The largest k with
 * P(B < k) <= (1 - level) / 2 gives the narrowest such interval of at least the level. When
 * even k = 1 falls short, or level is outside (0, 1), the interval is [min, max]. n == 0 gives NaN.
 */
void stats_median_ci_sorted(const double *sorted, size_t n, double level, struct stats_ci *ci)
{
	size_t k = 0;

	ci->level = level;
	if (n == 0) {
		ci->point = ci->lo = ci->hi = NAN;
		return;
	}
	ci->point = stats_percentile_sorted(sorted, n, 50);
	if (stats_level_ok(level)) {
		double tail = (1 - level) / 2;

		k = n <= STATS_EXACT_BINOMIAL_MAX ? stats_binom_k_exact(n, tail)
						  : stats_binom_k_normal(n, tail);
	}
	if (k == 0) {
		ci->lo = sorted[0];
		ci->hi = sorted[n - 1];
		return;
	}
	ci->lo = sorted[k - 1];
	ci->hi = sorted[n - k];
}

uint32_t stats_select_u32(uint32_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t pivot = a[lo + (hi - lo) / 2], t;
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (a[i] < pivot)
				t = a[lt], a[lt++] = a[i], a[i++] = t;
			else if (a[i] > pivot)
				t = a[--gt], a[gt] = a[i], a[i] = t;
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return a[lo];
}
