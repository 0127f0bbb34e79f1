/* SPDX-License-Identifier: MIT */
/* tap: a minimal Test Anything Protocol emitter for the unit tests (exit 0 pass, 1 fail, 77 skip). */
#ifndef SYSLAB_TAP_H
#define SYSLAB_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * TAP_SANITIZED is 1 under ThreadSanitizer or AddressSanitizer, which slow threads and atomics
 * down 5-20x: stress tests scale their item counts by it, so they stay bounded in time.
 */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define TAP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define TAP_SANITIZED 1
#endif
#endif
#ifndef TAP_SANITIZED
#define TAP_SANITIZED 0
#endif

static int tap_count, tap_failures;

static inline int tap_report(int pass, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_report(int pass, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failures++;
		printf("#   failed: %s\n#   at %s:%d\n", expr, file, line);
	}
	fflush(stdout);
	return pass;
}

/* ok(cond, "name", ...): passes when cond holds. */
#define ok(cond, ...) tap_report(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* is_int(got, want, "name", ...): integers equal; prints both on failure. */
#define is_int(got, want, ...)                                                                               \
	do {                                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                                     \
		if (!tap_report(g_ == w_, __FILE__, __LINE__, #got " == " #want, __VA_ARGS__))               \
			printf("#   got: %lld\n#   want: %lld\n", g_, w_);                                   \
	} while (0)

/* is_str(got, want, "name", ...): strings equal (NULL-safe). */
#define is_str(got, want, ...)                                                                               \
	do {                                                                                                 \
		const char *g_ = (got), *w_ = (want);                                                        \
		int p_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                                        \
		if (!tap_report(p_, __FILE__, __LINE__, #got " == " #want, __VA_ARGS__))                     \
			printf("#   got: '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
	} while (0)

/* is_near(got, want, tol, "name", ...): |got - want| <= tol. */
#define is_near(got, want, tol, ...)                                                                         \
	do {                                                                                                 \
		double g_ = (got), w_ = (want), t_ = (tol);                                                  \
		if (!tap_report(fabs(g_ - w_) <= t_, __FILE__, __LINE__, #got " ~= " #want, __VA_ARGS__))    \
			printf("#   got: %.17g\n#   want: %.17g (tolerance %g)\n", g_, w_, t_);              \
	} while (0)

/* Skips the whole program (exit 77) and says why, e.g. a missing privilege or kernel feature. */
#define skip_all(...)                                                                                        \
	do {                                                                                                 \
		printf("1..0 # SKIP ");                                                                      \
		printf(__VA_ARGS__);                                                                         \
		printf("\n");                                                                                \
		exit(77);                                                                                    \
	} while (0)

#define diag(...)                                                                                            \
	do {                                                                                                 \
		printf("# ");                                                                                \
		printf(__VA_ARGS__);                                                                         \
		printf("\n");                                                                                \
	} while (0)

/* Prints the plan and returns the exit status: return done_testing(); at the end of main. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_count == 0) {
		printf("# no assertion ran\n");
		return 1;
	}
	return tap_failures ? 1 : 0;
}

#endif
