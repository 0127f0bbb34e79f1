/* SPDX-License-Identifier: MIT */
/* hist: an HDR-style log-linear histogram of non-negative integer values (e.g. nanoseconds). */
#ifndef SYSLAB_HIST_H
#define SYSLAB_HIST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Values from 1 to highest are kept with sig_digits significant decimal digits: any recorded
 * value v is reported as a value within v * 10^-sig_digits of it (HdrHistogram's layout:
 * buckets of doubling width, each split linearly into sub_bucket_count sub-buckets). Values
 * below lowest are counted as lowest; above highest as highest (and counted in clamped).
 * The struct does not own counts: the caller passes storage of hist_counts_len() entries.
 */
struct hist {
	int64_t lowest;     /* smallest value told apart from 0, >= 1 */
	int64_t highest;    /* largest value kept exactly enough, >= 2 * lowest */
	int sig_digits;     /* 1..5 */
	int unit_magnitude; /* floor(log2(lowest)) */
	int sub_bucket_half_count_magnitude;
	int32_t sub_bucket_count; /* power of two >= 2 * 10^sig_digits */
	int32_t sub_bucket_half_count;
	int64_t sub_bucket_mask;
	int32_t bucket_count;
	int32_t counts_len;
	uint64_t *counts;
	uint64_t total;
	uint64_t clamped; /* values outside [lowest, highest] that were clamped */
	int64_t min, max; /* exact extremes of what was recorded (before clamping) */
};

/* How many counters a histogram with these parameters needs, or -EINVAL. */
int hist_counts_len(int64_t lowest, int64_t highest, int sig_digits);

/* Initialises h over caller-owned counts[len] (zeroed here). 0 or -EINVAL (bad parameters, len too small). */
int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sig_digits, uint64_t *counts, size_t len);

/* Heap convenience: allocates struct and counts together; hist_free(NULL) is a no-op. NULL on error. */
struct hist *hist_new(int64_t lowest, int64_t highest, int sig_digits);
void hist_free(struct hist *h);

/* O(1). Not thread-safe: one writer per histogram, merge afterwards. */
void hist_record(struct hist *h, int64_t value);
void hist_record_n(struct hist *h, int64_t value, uint64_t n);
void hist_reset(struct hist *h);

/* Adds src into dst. 0, or -EINVAL when their layouts differ. */
int hist_merge(struct hist *dst, const struct hist *src);

/*
 * The value at percentile p (0..100): the highest value equivalent to the bucket holding the
 * ceil(p/100 * total)-th smallest recorded value (at least 1st), capped at max. 0 when empty.
 */
int64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
double hist_stddev(const struct hist *h);

/* Bucket arithmetic, exposed for export and tests. */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t value);
int64_t hist_highest_equivalent(const struct hist *h, int64_t value);

/*
 * Iterates the non-empty buckets in ascending order: set *it = 0 first; each call returns 1
 * and fills [*lo, *hi] and *count, or 0 at the end.
 */
int hist_next_bucket(const struct hist *h, int32_t *it, int64_t *lo, int64_t *hi, uint64_t *count);

#endif
