/* SPDX-License-Identifier: Apache-2.0 */
/* common/strset: the bounded string set the store caches account ids in;
 * common/strpool: the chunked string storage it keeps its strings in. */
#include "common/strpool.h"
#include "common/strset.h"
#include "tests/unit/t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Pointers stay valid while the pool grows; a string longer than a chunk
 * gets its own; move hands chunks over without a copy. */
static void test_pool(void)
{
    gd_strpool a = {0}, b;
    gd_strpool_init(&b);
    char *first = gd_strpool_add(&a, "abc", 3);
    CHECK_STR(first, "abc");
    char *cut = gd_strpool_add(&a, "defgh", 2);     /* not NUL-terminated input */
    CHECK_STR(cut, "de");
    CHECK_STR(gd_strpool_add(&a, "", 0), "");
    char *keep[3000];
    char want[32];
    for (int i = 0; i < 3000; i++) {           /* ~11 chunks */
        snprintf(want, sizeof want, "id-%d", i);
        keep[i] = gd_strpool_add(&a, want, strlen(want));
        CHECK(keep[i] != NULL);
    }
    size_t big_n = GD_STRPOOL_CHUNK * 3;
    char *big_in = malloc(big_n);
    memset(big_in, 'x', big_n);
    char *big = gd_strpool_add(&a, big_in, big_n);
    CHECK(big != NULL && strlen(big) == big_n);
    char *after = gd_strpool_add(&a, "after", 5);  /* the head chunk still fills */
    CHECK_STR(after, "after");
    CHECK_STR(gd_strpool_add(&b, "in-b", 4), "in-b");
    for (int i = 0; i < 2000; i++)             /* b has older chunks too (ASan: none lost) */
        CHECK(gd_strpool_add(&b, "0123456789", 10) != NULL);
    gd_strpool_move(&b, &a);
    CHECK(a.head == NULL);
    CHECK_STR(gd_strpool_add(&b, "more", 4), "more");
    CHECK_STR(first, "abc");
    CHECK_STR(cut, "de");
    for (int i = 0; i < 3000; i++) {
        snprintf(want, sizeof want, "id-%d", i);
        CHECK_STR(keep[i], want);
    }
    CHECK(big[0] == 'x' && strlen(big) == big_n);
    gd_strpool_move(&b, &a);                   /* an empty source: nothing */
    gd_strpool_free(&b);
    CHECK(b.head == NULL);
    gd_strpool_free(&b);                       /* twice is harmless */
    free(big_in);
}

/* take hands every key over once, with the pool they live in; addn agrees
 * with add. */
static void test_take(void)
{
    gd_strset s;
    gd_strset_init(&s, SIZE_MAX);
    char k[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "finding-%d", i);
        CHECK_INT(gd_strset_addn(&s, k, strlen(k)), 1);
        CHECK_INT(gd_strset_add(&s, k), 0);
    }
    CHECK_INT(gd_strset_addn(&s, "finding-7", 9), 0);
    /* the batch path: hash, prefetch, then add with that hash: the same set */
    for (int i = 500; i < 1500; i++) {
        snprintf(k, sizeof k, "finding-%d", i);
        uint32_t h = gd_strset_hash(k, strlen(k));
        gd_strset_prefetch(&s, h);
        CHECK_INT(gd_strset_addh(&s, k, strlen(k), h), i < 1000 ? 0 : 1);
        CHECK_INT(gd_strset_add(&s, k), 0);
    }
    for (int i = 1000; i < 1500; i++) {       /* taken back out below: keep 0..999 */
        snprintf(k, sizeof k, "finding-%d", i);
        CHECK_INT(gd_strset_has(&s, k), 1);
    }
    gd_strset_free(&s);
    gd_strset_prefetch(&s, 12345);            /* an empty set: nothing to touch */
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "finding-%d", i);
        CHECK_INT(gd_strset_addh(&s, k, strlen(k), gd_strset_hash(k, strlen(k))), 1);
    }
    char **keys = NULL;
    size_t n = 0;
    gd_strpool pool = {0};
    gd_strset_take(&s, &keys, &n, &pool);
    CHECK_INT(s.n, 0);
    CHECK_INT(gd_strset_has(&s, "finding-1"), 0);
    CHECK_INT((int)n, 1000);
    int seen[1000] = {0};
    for (size_t i = 0; i < n; i++) {
        int v = -1;
        CHECK(sscanf(keys[i], "finding-%d", &v) == 1 && v >= 0 && v < 1000);
        if (v >= 0 && v < 1000)
            seen[v]++;
    }
    for (int i = 0; i < 1000; i++)
        CHECK_INT(seen[i], 1);
    CHECK_INT(gd_strset_add(&s, "again"), 1);     /* usable after take */
    gd_strset_free(&s);
    free(keys);
    gd_strpool_free(&pool);
    gd_strset_take(&s, &keys, &n, &pool);         /* an empty set */
    CHECK(keys == NULL && n == 0 && pool.head == NULL);
}

/* The hash starts from a value drawn per process: the same key hashes the
 * same within a process and differently in another one (a fixed start would
 * let a server compute colliding ids beforehand). Runs this program again
 * with --hash KEY, which prints the key's hash. */
static void test_hash_is_seeded_per_process(const char *self)
{
    static const char key[] = "0123456789abcdef0123456789abcdef";
    char cmd[1024];
    unsigned long other[2] = {0, 0};
    uint32_t mine = gd_strset_hash(key, strlen(key));
    CHECK(mine == gd_strset_hash(key, strlen(key)));
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "'%s' --hash %s", self, key);
        FILE *p = popen(cmd, "r");
        CHECK(p != NULL);
        if (!p)
            return;
        CHECK(fscanf(p, "%lu", &other[i]) == 1);
        CHECK_INT(pclose(p), 0);
    }
    /* three draws of 32 bits: all equal by chance about once in 2^64 runs */
    CHECK_MSG(other[0] != other[1] || other[0] != mine, "hash %lu in all three processes",
              (unsigned long)mine);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--hash") == 0) {
        printf("%lu\n", (unsigned long)gd_strset_hash(argv[2], strlen(argv[2])));
        return 0;
    }
    test_hash_is_seeded_per_process(argv[0]);
    test_pool();
    test_take();
    test_add_has();
    test_bounded();
    test_clear_and_move();
    return t_done();
}
