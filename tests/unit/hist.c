/* SPDX-License-Identifier: MIT */
/* Unit tests of hist: the HdrHistogram layout, its error bound, clamping, merge and iteration. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <syslab/hist.h>

#include "tap.h"

#define NS_PER_HOUR INT64_C(3600000000000)
#define NVALUES     100000

/* splitmix64, kept here so this test depends on nothing but hist.c. */
static uint64_t test_rand(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Log-uniform in [1, hi]: equally many values per decade, so every bucket range gets exercised. */
static int64_t test_log_uniform(uint64_t *state, int64_t hi)
{
	double u = (double)(test_rand(state) >> 11) * 0x1p-53;
	int64_t v = llround(exp(u * log((double)hi)));

	return v < 1 ? 1 : v > hi ? hi : v;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double pow10i(int d)
{
	double r = 1;

	while (d-- > 0)
		r *= 10;
	return r;
}

/*
 * What HdrHistogram_c's hdr_calculate_bucket_config() allocates, written from its definition
 * rather than from lib/hist.c: sub_bucket_count = 2^ceil(log2(2 * 10^d)), unit = floor(log2
 * (lowest)); bucket b covers values below sub_bucket_count * 2^(unit + b), and bucket_count
 * is the smallest B whose last bucket (B - 1) covers highest; counts_len = (B + 1) * half.
 */
static long expected_counts_len(int64_t lowest, int64_t highest, int d)
{
	double sub = exp2(ceil(log2(2 * pow10i(d))));
	int unit = (int)floor(log2((double)lowest));
	int buckets = 1;

	while (ldexp(sub, unit + buckets - 1) <= (double)highest)
		buckets++;
	return (long)(buckets + 1) * (long)(sub / 2);
}

static void test_bad_params(void)
{
	uint64_t counts[64];
	struct hist h;

	is_int(hist_counts_len(0, 1000, 3), -EINVAL, "lowest 0 is rejected");
	is_int(hist_counts_len(-1, 1000, 3), -EINVAL, "negative lowest is rejected");
	is_int(hist_counts_len(1, 1000, 0), -EINVAL, "sig_digits 0 is rejected");
	is_int(hist_counts_len(1, 1000, 6), -EINVAL, "sig_digits 6 is rejected");
	is_int(hist_counts_len(10, 19, 2), -EINVAL, "highest < 2 * lowest is rejected");
	ok(hist_counts_len(10, 20, 2) > 0, "highest == 2 * lowest is accepted");
	is_int(hist_counts_len(INT64_C(1) << 60, INT64_MAX, 1), -EINVAL,
	       "a unit magnitude too large for 63-bit arithmetic is rejected");
	is_int(hist_init(&h, 0, 1000, 3, counts, 64), -EINVAL, "hist_init rejects lowest 0");
	is_int(hist_init(&h, 1, 1000, 9, counts, 64), -EINVAL, "hist_init rejects sig_digits 9");
	ok(hist_new(1, 1, 3) == NULL, "hist_new returns NULL on bad parameters");
	hist_free(NULL);
	ok(1, "hist_free(NULL) is a no-op");
}

static void test_counts_len(void)
{
	static const int64_t lows[] = {1, 2, 1000, 1024, 12345};
	static const int64_t highs[] = {INT64_C(100000), INT64_C(1000000007), NS_PER_HOUR};
	int mismatches = 0;

	/*
	 * By hand, for 1 ns .. 1 hour with 3 digits: 2 * 10^3 = 2000 -> sub_bucket_count 2048 =
	 * 2^11, half 1024, unit 0. Bucket b ends at 2^(11 + b) - 1, and 2^41 = 2.2e12 < 3.6e12 <
	 * 2^42 = 4.4e12, so b = 31 is the last bucket: 32 buckets, (32 + 1) * 1024 = 33792.
	 */
	is_int(hist_counts_len(1, NS_PER_HOUR, 3), 33792, "counts_len for 1..3.6e12, 3 digits");
	/* 2 * 10 -> 32 sub-buckets, half 16; 2^(5 + b) > 1000 needs b = 5: (6 + 1) * 16 = 112. */
	is_int(hist_counts_len(1, 1000, 1), 112, "counts_len for 1..1000, 1 digit");
	for (size_t i = 0; i < sizeof(lows) / sizeof(lows[0]); i++)
		for (size_t j = 0; j < sizeof(highs) / sizeof(highs[0]); j++)
			for (int d = 1; d <= 5; d++)
				if (hist_counts_len(lows[i], highs[j], d) !=
				    expected_counts_len(lows[i], highs[j], d)) {
					diag("lowest %" PRId64 " highest %" PRId64 " d %d: %d, want %ld",
					     lows[i], highs[j], d, hist_counts_len(lows[i], highs[j], d),
					     expected_counts_len(lows[i], highs[j], d));
					mismatches++;
				}
	is_int(mismatches, 0, "counts_len matches HdrHistogram's formula over a grid of layouts");
}

static void test_init_storage(void)
{
	int len = hist_counts_len(1, NS_PER_HOUR, 3);
	uint64_t *counts = malloc(((size_t)len + 1) * sizeof(*counts));
	struct hist h;

	is_int(hist_init(&h, 1, NS_PER_HOUR, 3, counts, (size_t)len - 1), -EINVAL,
	       "hist_init with len too small");
	is_int(hist_init(&h, 1, NS_PER_HOUR, 3, NULL, (size_t)len), -EINVAL, "hist_init with NULL counts");
	counts[len - 1] = 42;
	counts[len] = 7; /* one past what the histogram may touch */
	is_int(hist_init(&h, 1, NS_PER_HOUR, 3, counts, (size_t)len + 1), 0, "hist_init on caller storage");
	is_int(counts[len - 1], 0, "hist_init zeroes the counters");
	is_int(counts[len], 7, "hist_init stays within counts_len");
	hist_record(&h, NS_PER_HOUR);
	is_int(counts[len], 7, "recording highest stays within counts_len");
	is_int(h.total, 1, "recorded into caller storage");
	free(counts);
}

static void test_exact_small(void)
{
	for (int d = 1; d <= 4; d++) {
		struct hist *h = hist_new(1, NS_PER_HOUR, d);
		int64_t limit = 2 * (int64_t)pow10i(d);
		int bad = 0;

		for (int64_t v = 1; v <= limit; v++)
			if (hist_lowest_equivalent(h, v) != v || hist_highest_equivalent(h, v) != v)
				bad++;
		is_int(bad, 0, "d=%d: values 1..%" PRId64 " are their own bucket", d, limit);
		for (int64_t v = 1; v <= limit; v++)
			hist_record(h, v);
		is_int(hist_percentile(h, 50), limit / 2, "d=%d: exact median of 1..%" PRId64, d, limit);
		is_int(hist_percentile(h, 1), (limit + 99) / 100, "d=%d: exact 1st percentile", d);
		hist_free(h);
	}
}

/* Checks hist_percentile against the exact percentile of sorted[n]; returns the failures. */
static int check_percentiles(const struct hist *h, const int64_t *sorted, size_t n, double bound)
{
	/* p in hundredths of a percent, so that the exact rank is integer arithmetic. */
	static const uint64_t p_centi[] = {10, 100, 1000, 2500, 5000, 7500, 9000, 9900, 9990, 9999, 10000};
	int bad = 0;

	for (size_t i = 0; i < sizeof(p_centi) / sizeof(p_centi[0]); i++) {
		uint64_t rank = (p_centi[i] * n + 9999) / 10000; /* ceil(p/100 * n), 1-based */
		int64_t want = sorted[rank - 1];
		int64_t got = hist_percentile(h, (double)p_centi[i] / 100.0);

		if (got < want || (double)(got - want) > (double)want * bound) {
			diag("p%g: got %" PRId64 ", exact %" PRId64, (double)p_centi[i] / 100.0, got, want);
			bad++;
		}
	}
	return bad;
}

static void test_error_bound(void)
{
	int64_t *values = malloc(NVALUES * sizeof(*values));

	for (int d = 1; d <= 4; d++) {
		struct hist *h = hist_new(1, NS_PER_HOUR, d);
		double bound = 1.0 / pow10i(d);
		uint64_t seed = 0x5eed0000u + (uint64_t)d;
		int outside = 0, too_far = 0;

		for (size_t i = 0; i < NVALUES; i++) {
			int64_t v = test_log_uniform(&seed, NS_PER_HOUR);
			int64_t lo = hist_lowest_equivalent(h, v), hi = hist_highest_equivalent(h, v);

			values[i] = v;
			hist_record(h, v);
			if (!(lo <= v && v <= hi))
				outside++;
			if ((double)(hi - v) > (double)v * bound || (double)(v - lo) > (double)v * bound)
				too_far++;
		}
		is_int(outside, 0, "d=%d: lowest_equivalent(v) <= v <= highest_equivalent(v)", d);
		is_int(too_far, 0, "d=%d: equivalents within v * 10^-%d", d, d);
		qsort(values, NVALUES, sizeof(*values), cmp_i64);
		is_int(check_percentiles(h, values, NVALUES, bound), 0,
		       "d=%d: percentiles within 10^-%d of the exact ones", d, d);
		is_int(h->min, values[0], "d=%d: exact min", d);
		is_int(h->max, values[NVALUES - 1], "d=%d: exact max", d);
		is_int(h->total, NVALUES, "d=%d: total", d);
		is_int(h->clamped, 0, "d=%d: nothing clamped", d);
		is_int(hist_percentile(h, 0), values[0], "d=%d: p0 is the min", d);
		is_int(hist_percentile(h, 100), values[NVALUES - 1], "d=%d: p100 is the max", d);
		hist_free(h);
	}
	free(values);
}

static void test_clamping(void)
{
	struct hist *h = hist_new(1, 1000000, 3);
	int64_t lo, hi;
	uint64_t count;
	int32_t it = 0;

	hist_record(h, 0);
	hist_record(h, -5);
	hist_record(h, 1);
	hist_record(h, 1000000);
	hist_record_n(h, 5000000, 2);
	is_int(h->total, 6, "clamped values are counted in total");
	is_int(h->clamped, 4, "0, a negative and two above highest count as clamped");
	is_int(h->min, -5, "min keeps the negative value as given");
	is_int(h->max, 5000000, "max keeps the value above highest as given");
	ok(hist_next_bucket(h, &it, &lo, &hi, &count), "first bucket");
	is_int(lo, 1, "values below lowest land in lowest's bucket");
	is_int(count, 3, "0, -5 and 1 share the lowest bucket");
	ok(hist_next_bucket(h, &it, &lo, &hi, &count), "second bucket");
	ok(lo <= 1000000 && 1000000 <= hi, "values above highest land in highest's bucket");
	is_int(count, 3, "1000000 and 2 x 5000000 share highest's bucket");
	ok(!hist_next_bucket(h, &it, &lo, &hi, &count), "no third bucket");
	is_int(hist_lowest_equivalent(h, -7), 1, "lowest_equivalent clamps like record");
	is_int(hist_percentile(h, 0), -5, "p0 is the exact min");
	is_int(hist_percentile(h, 100), 5000000, "p100 is the exact max");
	is_int(hist_percentile(h, 50), 1, "p50 falls in the lowest bucket");
	hist_reset(h);
	is_int(h->total + h->clamped + (uint64_t)h->min + (uint64_t)h->max, 0, "reset clears the summary");
	is_int(hist_percentile(h, 50), 0, "percentile of an empty histogram is 0");
	ok(hist_mean(h) == 0 && hist_stddev(h) == 0, "mean and stddev of an empty histogram are 0");
	it = 0;
	ok(!hist_next_bucket(h, &it, &lo, &hi, &count), "an empty histogram has no buckets");
	hist_record_n(h, 7, 0);
	is_int(h->total, 0, "record_n with n == 0 records nothing");
	hist_record(h, 0);
	is_int(hist_percentile(h, 50), 0, "a lone 0 is reported as 0 (capped at max)");
	hist_free(h);
}

static void test_merge(void)
{
	struct hist *a = hist_new(1, NS_PER_HOUR, 3), *b = hist_new(1, NS_PER_HOUR, 3);
	struct hist *all = hist_new(1, NS_PER_HOUR, 3), *other = hist_new(1, NS_PER_HOUR, 2);
	struct hist *other_low = hist_new(2, NS_PER_HOUR, 3), *other_high = hist_new(1, NS_PER_HOUR / 2, 3);
	uint64_t seed = 99;
	int diff = 0;

	for (int i = 0; i < 20000; i++) {
		int64_t v = test_log_uniform(&seed, NS_PER_HOUR);

		hist_record(i % 3 ? a : b, v);
		hist_record(all, v);
	}
	hist_record(b, -1);
	hist_record(all, -1);
	is_int(hist_merge(a, b), 0, "merge of identical layouts");
	for (int32_t i = 0; i < all->counts_len; i++)
		diff += a->counts[i] != all->counts[i];
	is_int(diff, 0, "merged counters equal recording everything into one");
	is_int(a->total, all->total, "merged total");
	is_int(a->clamped, all->clamped, "merged clamped");
	is_int(a->min, all->min, "merged min");
	is_int(a->max, all->max, "merged max");
	is_int(hist_percentile(a, 99.9), hist_percentile(all, 99.9), "merged p99.9");
	is_int(hist_merge(a, other), -EINVAL, "merge with other sig_digits");
	is_int(hist_merge(a, other_low), -EINVAL, "merge with other lowest");
	is_int(hist_merge(a, other_high), -EINVAL, "merge with other highest");
	is_int(a->total, all->total, "a refused merge changes nothing");
	hist_reset(b);
	is_int(hist_merge(b, all), 0, "merge into an empty histogram");
	is_int(b->min, all->min, "merge into empty takes min");
	is_int(b->max, all->max, "merge into empty takes max");
	hist_free(a);
	hist_free(b);
	hist_free(all);
	hist_free(other);
	hist_free(other_low);
	hist_free(other_high);
}

static void test_iteration(void)
{
	struct hist *h = hist_new(1, NS_PER_HOUR, 2);
	uint64_t seed = 7, sum = 0, count;
	int64_t lo, hi, prev_hi = -1;
	int32_t it = 0;
	int bad = 0, n = 0;

	for (int i = 0; i < 50000; i++)
		hist_record(h, test_log_uniform(&seed, NS_PER_HOUR));
	while (hist_next_bucket(h, &it, &lo, &hi, &count)) {
		if (lo <= prev_hi || hi < lo || count == 0)
			bad++;
		if (hist_lowest_equivalent(h, lo) != lo || hist_highest_equivalent(h, lo) != hi)
			bad++;
		prev_hi = hi;
		sum += count;
		n++;
	}
	is_int(sum, h->total, "bucket counts sum to total");
	is_int(bad, 0, "buckets ascend, do not overlap and match the equivalent ranges");
	ok(n > 100, "many non-empty buckets (%d)", n);
	hist_free(h);
}

static void test_mean_stddev(void)
{
	struct hist *h = hist_new(1, NS_PER_HOUR, 3);
	uint64_t seed = 1234;
	double sum = 0, mean;

	for (int v = 1; v <= 10; v++)
		hist_record(h, v);
	/* 1..10 are exact: mean 5.5, population variance (10^2 - 1) / 12 = 8.25. */
	is_near(hist_mean(h), 5.5, 1e-12, "mean of 1..10");
	is_near(hist_stddev(h), sqrt(8.25), 1e-12, "population stddev of 1..10");
	hist_reset(h);
	for (int i = 0; i < 20000; i++) {
		int64_t v = test_log_uniform(&seed, NS_PER_HOUR);

		hist_record(h, v);
		sum += (double)v;
	}
	/* Every value is stood in for by its bucket's middle, within v * 10^-3 of it. */
	mean = sum / 20000;
	is_near(hist_mean(h), mean, mean * 1e-3, "mean within 10^-3 of the exact mean");
	hist_free(h);
}

int main(void)
{
	test_bad_params();
	test_counts_len();
	test_init_storage();
	test_exact_small();
	test_error_bound();
	test_clamping();
	test_merge();
	test_iteration();
	test_mean_stddev();
	return done_testing();
}
