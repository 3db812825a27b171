/* SPDX-License-Identifier: Apache-2.0 */
/* common/strset: the bounded string set the store caches account ids in. */
#include "common/strset.h"
#include "tests/unit/t.h"

#include <stdio.h>
#include <stdlib.h>

static void test_add_has(void)
{
    gd_strset s;
    gd_strset_init(&s, 0);
    CHECK_INT(gd_strset_has(&s, "a"), 0);
    CHECK_INT(gd_strset_has(&s, NULL), 0);
    CHECK_INT(gd_strset_add(&s, NULL), -1);
    CHECK_INT(gd_strset_add(&s, "111122223333"), 1);
    CHECK_INT(gd_strset_add(&s, "111122223333"), 0);
    CHECK_INT(gd_strset_add(&s, ""), 1);
    CHECK_INT(gd_strset_has(&s, "111122223333"), 1);
    CHECK_INT(gd_strset_has(&s, "11112222333"), 0);
    CHECK_INT(gd_strset_has(&s, ""), 1);
    CHECK_INT(s.n, 2);
    /* grows past several doublings; every key stays findable */
    char k[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "acct-%d", i);
        CHECK_INT(gd_strset_add(&s, k), 1);
    }
    int found = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "acct-%d", i);
        found += gd_strset_has(&s, k);
    }
    CHECK_INT(found, 5000);
    CHECK_INT(gd_strset_has(&s, "acct-5000"), 0);
    CHECK_INT(s.n, 5002);
    gd_strset_free(&s);
    CHECK_INT(s.n, 0);
    CHECK_INT(gd_strset_has(&s, "acct-1"), 0);
    gd_strset_free(&s);                       /* twice is harmless */
}

static void test_bounded(void)
{
    gd_strset s;
    gd_strset_init(&s, 3);
    CHECK_INT(gd_strset_add(&s, "a"), 1);
    CHECK_INT(gd_strset_add(&s, "b"), 1);
    CHECK_INT(gd_strset_add(&s, "c"), 1);
    CHECK_INT(gd_strset_add(&s, "d"), -1);    /* full: not cached */
    CHECK_INT(gd_strset_add(&s, "a"), 0);     /* but still answers */
    CHECK_INT(gd_strset_has(&s, "d"), 0);
    CHECK_INT(s.n, 3);
    gd_strset_free(&s);
}

static void test_clear_and_move(void)
{
    gd_strset committed, pending;
    gd_strset_init(&committed, 4);
    gd_strset_init(&pending, 0);
    gd_strset_add(&committed, "x");
    gd_strset_add(&pending, "x");
    gd_strset_add(&pending, "y");
    gd_strset_add(&pending, "z");
    gd_strset_clear(&pending);                /* a rolled-back transaction */
    CHECK_INT(pending.n, 0);
    CHECK_INT(gd_strset_has(&pending, "y"), 0);
    CHECK_INT(gd_strset_add(&pending, "y"), 1);  /* reusable after clear */
    gd_strset_add(&pending, "z");
    gd_strset_add(&pending, "w");
    gd_strset_add(&pending, "v");
    gd_strset_move_all(&committed, &pending); /* a committed one */
    CHECK_INT(pending.n, 0);
    CHECK_INT(committed.n, 4);                /* bounded: one of the four left out */
    CHECK_INT(gd_strset_has(&committed, "x"), 1);
    int in = gd_strset_has(&committed, "y") + gd_strset_has(&committed, "z") +
             gd_strset_has(&committed, "w") + gd_strset_has(&committed, "v");
    CHECK_INT(in, 3);
    gd_strset_free(&committed);
    gd_strset_free(&pending);
}

int main(void)
{
    test_add_has();
    test_bounded();
    test_clear_and_move();
    return t_done();
}
