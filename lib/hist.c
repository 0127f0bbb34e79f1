/* SPDX-License-Identifier: MIT */
/* hist: an HDR-style log-linear histogram with O(1) recording, after Gil Tene's HdrHistogram. */
#include <syslab/hist.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout (HdrHistogram_c, hdr_histogram.c): values are split into buckets of doubling range;
 * bucket b holds sub_bucket_count sub-buckets of width 2^(b + unit_magnitude). Only bucket 0
 * uses its lower half: for b >= 1 the lower half would repeat the range of bucket b - 1, so
 * each further bucket adds sub_bucket_half_count counters. A value v >= sub_bucket_half_count
 * << unit_magnitude sits in a sub-bucket of width at most v / sub_bucket_half_count, and since
 * sub_bucket_half_count >= 10^sig_digits the error is at most v * 10^-sig_digits.
 */

/* HdrHistogram's limit on unit_magnitude + sub_bucket_half_count_magnitude: values must fit 63 bits. */
#define HIST_MAX_MAGNITUDE 61

/* Buckets needed so that the last one covers value (HdrHistogram's buckets_needed_to_cover_value). */
static int32_t hist_buckets_needed(int64_t value, int32_t sub_bucket_count, int unit_magnitude)
{
	int64_t smallest_untrackable = (int64_t)sub_bucket_count << unit_magnitude;
	int32_t buckets = 1;

	while (smallest_untrackable <= value) {
		/* One more doubling would overflow: the next bucket reaches past INT64_MAX. */
		if (smallest_untrackable > INT64_MAX / 2)
			return buckets + 1;
		smallest_untrackable <<= 1;
		buckets++;
	}
	return buckets;
}

/* Fills the layout fields of h (not counts) from the parameters; 0 or -EINVAL. */
static int hist_layout(struct hist *h, int64_t lowest, int64_t highest, int sig_digits)
{
	int64_t single_unit_limit = 2;
	int magnitude = 0;

	if (lowest < 1 || sig_digits < 1 || sig_digits > 5 || highest / 2 < lowest)
		return -EINVAL;
	for (int i = 0; i < sig_digits; i++)
		single_unit_limit *= 10;
	/* 2 * 10^d is never a power of two (d >= 1), so this is ceil(log2(2 * 10^d)). */
	while ((INT64_C(1) << magnitude) < single_unit_limit)
		magnitude++;

	memset(h, 0, sizeof(*h));
	h->lowest = lowest;
	h->highest = highest;
	h->sig_digits = sig_digits;
	h->unit_magnitude = 63 - __builtin_clzll((unsigned long long)lowest);
	h->sub_bucket_half_count_magnitude = magnitude - 1;
	if (h->unit_magnitude + h->sub_bucket_half_count_magnitude > HIST_MAX_MAGNITUDE)
		return -EINVAL;
	h->sub_bucket_count = INT32_C(1) << magnitude;
	h->sub_bucket_half_count = h->sub_bucket_count / 2;
	h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << h->unit_magnitude;
	h->bucket_count = hist_buckets_needed(highest, h->sub_bucket_count, h->unit_magnitude);
	h->counts_len = (h->bucket_count + 1) * h->sub_bucket_half_count;
	return 0;
}

int hist_counts_len(int64_t lowest, int64_t highest, int sig_digits)
{
	struct hist h;
	int err = hist_layout(&h, lowest, highest, sig_digits);

	return err ? err : h.counts_len;
}

int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sig_digits, uint64_t *counts, size_t len)
{
	struct hist tmp;
	int err;

	if (!h || !counts)
		return -EINVAL;
	err = hist_layout(&tmp, lowest, highest, sig_digits);
	if (err)
		return err;
	if (len < (size_t)tmp.counts_len)
		return -EINVAL;
	/* Only commit to *h once everything is valid, so a failed init leaves it untouched. */
	*h = tmp;
	h->counts = counts;
	memset(counts, 0, (size_t)h->counts_len * sizeof(*counts));
	return 0;
}

struct hist *hist_new(int64_t lowest, int64_t highest, int sig_digits)
{
	int len = hist_counts_len(lowest, highest, sig_digits);
	struct hist *h;

	if (len < 0)
		return NULL;
	/* One block: the counters follow the struct, whose size is a multiple of 8 (it holds uint64_t). */
	h = malloc(sizeof(*h) + (size_t)len * sizeof(uint64_t));
	if (!h)
		return NULL;
	if (hist_init(h, lowest, highest, sig_digits, (uint64_t *)(h + 1), (size_t)len)) {
		free(h);
		return NULL;
	}
	return h;
}

/* Only for histograms from hist_new(); one from hist_init() is freed by whoever owns its storage. */
void hist_free(struct hist *h)
{
	free(h);
}

/* The value as it is recorded: below lowest counts as lowest, above highest as highest. */
static int64_t hist_clamp(const struct hist *h, int64_t value)
{
	if (value < h->lowest)
		return h->lowest;
	if (value > h->highest)
		return h->highest;
	return value;
}

/*
 * The bucket of a value in [0, highest]: the position of its highest set bit, relative to the
 * first bucket. OR-ing in the mask makes every value of bucket 0 count as having the bit
 * length of sub_bucket_count - 1, so they all land in bucket 0. The result is >= 0.
 */
static int32_t hist_bucket_index(const struct hist *h, int64_t value)
{
	int pow2ceiling = 64 - __builtin_clzll((unsigned long long)(value | h->sub_bucket_mask));

	return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

static int32_t hist_sub_bucket_index(const struct hist *h, int64_t value, int32_t bucket)
{
	return (int32_t)(value >> (bucket + h->unit_magnitude));
}

static int32_t hist_counts_index(const struct hist *h, int64_t value)
{
	int32_t bucket = hist_bucket_index(h, value);
	int32_t sub = hist_sub_bucket_index(h, value, bucket);

	/* Bucket b starts at (b + 1) * half_count; sub is in [half_count, count) for b >= 1. */
	return ((bucket + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
}

/* The lowest value of counter i and the width of its range (unsigned: the top may reach 2^63). */
static void hist_index_range(const struct hist *h, int32_t i, uint64_t *lo, uint64_t *width)
{
	int32_t bucket = (i >> h->sub_bucket_half_count_magnitude) - 1;
	int32_t sub = (i & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;

	if (bucket < 0) {
		/* The lower half of bucket 0. */
		sub -= h->sub_bucket_half_count;
		bucket = 0;
	}
	*lo = (uint64_t)sub << (bucket + h->unit_magnitude);
	*width = UINT64_C(1) << (bucket + h->unit_magnitude);
}

static int64_t hist_index_lowest(const struct hist *h, int32_t i)
{
	uint64_t lo, width;

	hist_index_range(h, i, &lo, &width);
	return (int64_t)lo;
}

/* Saturates at INT64_MAX, which the last counter of a histogram up to INT64_MAX spans. */
static int64_t hist_index_highest(const struct hist *h, int32_t i)
{
	uint64_t lo, width;

	hist_index_range(h, i, &lo, &width);
	return lo + width - 1 > INT64_MAX ? INT64_MAX : (int64_t)(lo + width - 1);
}

/* The middle of counter i's range, as HdrHistogram's median_equivalent_value. */
static double hist_index_median(const struct hist *h, int32_t i)
{
	uint64_t lo, width;

	hist_index_range(h, i, &lo, &width);
	return (double)(lo + width / 2);
}

/*
 * Values are equivalent when they are counted by the same counter; values outside
 * [lowest, highest] are first clamped as hist_record() does, so hist_lowest_equivalent(h, 0)
 * is the lowest value of the counter that 0 is recorded in.
 */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t value)
{
	return hist_index_lowest(h, hist_counts_index(h, hist_clamp(h, value)));
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t value)
{
	return hist_index_highest(h, hist_counts_index(h, hist_clamp(h, value)));
}

/*
 * Everything outside [lowest, highest] counts in clamped: values above highest, and values
 * below lowest, 0 and negatives included (a negative latency is a clock bug worth seeing).
 * min and max keep the value as given, before clamping; both are 0 while the histogram is empty.
 */
void hist_record_n(struct hist *h, int64_t value, uint64_t n)
{
	int64_t kept = hist_clamp(h, value);

	if (n == 0)
		return;
	h->counts[hist_counts_index(h, kept)] += n;
	if (kept != value)
		h->clamped += n;
	if (h->total == 0 || value < h->min)
		h->min = value;
	if (h->total == 0 || value > h->max)
		h->max = value;
	h->total += n;
}

void hist_record(struct hist *h, int64_t value)
{
	hist_record_n(h, value, 1);
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, (size_t)h->counts_len * sizeof(*h->counts));
	h->total = 0;
	h->clamped = 0;
	h->min = 0;
	h->max = 0;
}

/* Counters line up only when the layouts are the same; dst may be src (it doubles). */
int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->lowest != src->lowest || dst->highest != src->highest || dst->sig_digits != src->sig_digits)
		return -EINVAL;
	if (src->total == 0)
		return 0;
	for (int32_t i = 0; i < dst->counts_len; i++)
		dst->counts[i] += src->counts[i];
	if (dst->total == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->total == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->total += src->total;
	dst->clamped += src->clamped;
	return 0;
}

/*
 * The rank ceil(p/100 * total), at least 1. p/100 * total is computed in floating point, so an
 * exact integer such as 0.7 * 100 can come out as 70.00000000000001; the relative slack below
 * (far under 1/total for any realistic total) keeps such products from rounding up a rank.
 */
static uint64_t hist_rank(double p, uint64_t total)
{
	double x = p / 100.0 * (double)total;
	double r = ceil(x - x * 1e-12);

	if (r < 1)
		return 1;
	if (r > (double)total)
		return total;
	return (uint64_t)r;
}

/*
 * p <= 0 (or NaN) gives the exact min and p >= 100 the exact max, since both are tracked
 * exactly; between them, the highest equivalent value of the counter holding the rank-th
 * smallest value, capped at max so that a histogram of one value reports that value.
 */
int64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0;
	if (!(p > 0))
		return h->min;
	if (p >= 100)
		return h->max;
	rank = hist_rank(p, h->total);
	for (int32_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			int64_t v = hist_index_highest(h, i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max; /* Unreachable while total matches the counters. */
}

/* Each counter stands for the middle of its range, as in HdrHistogram's hdr_mean(). 0 when empty. */
double hist_mean(const struct hist *h)
{
	double sum = 0;

	if (h->total == 0)
		return 0;
	for (int32_t i = 0; i < h->counts_len; i++)
		if (h->counts[i])
			sum += (double)h->counts[i] * hist_index_median(h, i);
	return sum / (double)h->total;
}

/* The population standard deviation (divides by total), as HdrHistogram's hdr_stddev(). 0 when empty. */
double hist_stddev(const struct hist *h)
{
	double mean = hist_mean(h), sum = 0;

	if (h->total == 0)
		return 0;
	for (int32_t i = 0; i < h->counts_len; i++) {
		if (h->counts[i]) {
			double d = hist_index_median(h, i) - mean;
			sum += (double)h->counts[i] * d * d;
		}
	}
	return sqrt(sum / (double)h->total);
}

int hist_next_bucket(const struct hist *h, int32_t *it, int64_t *lo, int64_t *hi, uint64_t *count)
{
	for (int32_t i = *it < 0 ? 0 : *it; i < h->counts_len; i++) {
		if (h->counts[i]) {
			*lo = hist_index_lowest(h, i);
			*hi = hist_index_highest(h, i);
			*count = h->counts[i];
			*it = i + 1;
			return 1;
		}
	}
	*it = h->counts_len;
	return 0;
}
