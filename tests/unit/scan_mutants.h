/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_TESTS_SCAN_MUTANTS_H
#define GD_TESTS_SCAN_MUTANTS_H
/* The hostile-input loops the tree-less scanner tests share. Each takes a
 * scan_try callback that runs the scanner under test on body[0..len) (and
 * checks it against jansson when taken) and returns nonzero when the scanner
 * took the body; user is passed through. The callback may not keep body.
 * - check_prefixes_declined: every proper prefix of doc, each in an
 *   exact-size malloc'd copy with no NUL after it (a read past len is
 *   valgrind's / ASan's to see), must be declined: one CHECK per prefix.
 * - check_mutants: every single-byte replacement (by each byte of subst),
 *   insertion (of each byte of subst) and deletion of each seed; some but
 *   not all mutants must be taken: one CHECK in all.
 * - same_str: equal strings, or both NULL.
 * Header-only: each test program is one translation unit. Includes t.h. */
#include <stdlib.h>
#include <string.h>

#include "t.h"

typedef int (*scan_try_fn)(const char *body, size_t len, void *user);

static inline int same_str(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

static inline void check_prefixes_declined(const char *doc, size_t len, scan_try_fn try_,
                                           void *user)
{
    for (size_t k = 0; k < len; k++) {
        char *cut = malloc(k ? k : 1);
        memcpy(cut, doc, k);   /* no NUL: a read past k is valgrind's / ASan's to see */
        CHECK_MSG(!try_(cut, k, user), "prefix %zu taken", k);
        free(cut);
    }
}

/* The mutants of one seed: adds what was taken and tried to *taken, *runs. */
static inline void mutate_seed(const char *seed, const char *subst, size_t n_subst,
                               scan_try_fn try_, void *user, int *taken, int *runs)
{
    size_t len = strlen(seed);
    char *m = malloc(len + 2);
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < n_subst; k++) {
            memcpy(m, seed, len);                   /* replace byte i */
            m[i] = subst[k];
            *taken += try_(m, len, user) != 0;
            memcpy(m, seed, i);                     /* insert before byte i */
            m[i] = subst[k];
            memcpy(m + i + 1, seed + i, len - i);
            *taken += try_(m, len + 1, user) != 0;
            *runs += 2;
        }
        memcpy(m, seed, i);                         /* delete byte i */
        memcpy(m + i, seed + i + 1, len - i - 1);
        *taken += try_(m, len - 1, user) != 0;
        (*runs)++;
    }
    free(m);
}

static inline void check_mutants(const char *const *seeds, size_t n_seeds, const char *subst,
                                 size_t n_subst, scan_try_fn try_, void *user)
{
    int taken = 0, runs = 0;
    for (size_t s = 0; s < n_seeds; s++)
        mutate_seed(seeds[s], subst, n_subst, try_, user, &taken, &runs);
    /* some mutants are still plain (a letter changed), most are not */
    CHECK_MSG(taken > 0 && taken < runs, "%d of %d mutants taken", taken, runs);
}

#endif
