/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_T_H
#define GD_TESTS_T_H
/* Minimal test harness: CHECK* record failures and go on; t_done() prints
 * "N passed, N failed" and returns the exit code (77 = skipped). */
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int t_pass_count, t_fail_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            t_pass_count++;                                                          \
        } else {                                                                     \
            t_fail_count++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_MSG(cond, ...)                                                 \
    do {                                                                     \
        if (cond) {                                                          \
            t_pass_count++;                                                  \
        } else {                                                             \
            t_fail_count++;                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

#define CHECK_INT(a, b)                                                                 \
    do {                                                                                \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                         \
        CHECK_MSG(t_a_ == t_b_, "%s = %lld, expected %lld", #a, t_a_, t_b_);            \
    } while (0)

#define CHECK_STR(a, b)                                                                 \
    do {                                                                                \
        const char *t_a_ = (a), *t_b_ = (b);                                            \
        CHECK_MSG(t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0, "%s = \"%s\", expected \"%s\"", \
                  #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                   \
    } while (0)

static inline int t_done(void)
{
    printf("%d passed, %d failed\n", t_pass_count, t_fail_count);
    return t_fail_count ? 1 : 0;
}

/* Every skip prints one line that starts with "SKIP: "; scripts/test.sh
 * lists those lines at the end of the run, so nothing is skipped silently.
 * t_skip: the whole test cannot run here (return its value from main). */
static inline int t_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    fflush(stdout);
    return 77;
}

/* One part of a test cannot run here: says what and why; the test goes on. */
static inline void t_skip_part(const char *what, const char *why)
{
    printf("SKIP: %s: %s\n", what, why);
    fflush(stdout);
}

#endif
