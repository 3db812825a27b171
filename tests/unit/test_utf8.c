/* SPDX-License-Identifier: Apache-2.0 */
/* common/utf8: validation and U+FFFD repair (Jansson rejects invalid UTF-8, J1). */
#include "common/utf8.h"
#include "tests/unit/t.h"

#include <stdint.h>
#include <stdlib.h>

static void test_valid(void)
{
    static const struct { const char *s; int ok; } cases[] = {
        {"plain ascii", 1}, {"D\xC3\xA9veloppement", 1}, {"\xE2\x82\xAC", 1},
        {"\xF0\x9F\x98\x80", 1}, {"", 1},
        {"\xFF", 0}, {"\xC3", 0}, {"\xC0\xAF", 0},            /* truncated, overlong */
        {"\xED\xA0\x80", 0},                                  /* surrogate */
        {"\xF4\x90\x80\x80", 0},                              /* above U+10FFFF */
        {"\xE2\x82", 0}, {"a\x80" "b", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_MSG(gd_utf8_valid(cases[i].s, strlen(cases[i].s)) == cases[i].ok, "case %zu", i);
}

static void test_repair(void)
{
    size_t n = 0;
    char *r = gd_utf8_repair("Bad \xFF byte", 10, &n);
    CHECK_STR(r, "Bad \xEF\xBF\xBD byte");
    CHECK_INT(n, 12);
    free(r);
    r = gd_utf8_repair("\xC3\xA9\xC3", 3, NULL);
    CHECK_STR(r, "\xC3\xA9\xEF\xBF\xBD");
    free(r);
    r = gd_utf8_repair("ok", 2, NULL);
    CHECK_STR(r, "ok");
    free(r);
}

/* Decode and encode agree on every boundary of RFC 3629, and decode refuses
 * exactly what gd_utf8_valid refuses. */
static void test_decode_encode(void)
{
    static const uint32_t cps[] = {0x0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000,
                                   0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char buf[4];
        size_t n = gd_utf8_encode(cps[i], buf);
        uint32_t back = 0xFFFFFFFF;
        CHECK_INT(gd_utf8_decode((const unsigned char *)buf, n, &back), n);
        CHECK_MSG(back == cps[i], "U+%X came back as U+%X", (unsigned)cps[i], (unsigned)back);
        CHECK_INT(gd_utf8_decode((const unsigned char *)buf, n - 1 + (n == 1), NULL), n == 1);
    }
    CHECK_INT(gd_utf8_encode(0x20AC, (char[4]){0}), 3);
    static const char *const bad[] = {"\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80",
                                      "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                                      "\x80", "\xE2\x28\xA1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(gd_utf8_decode((const unsigned char *)bad[i], strlen(bad[i]), NULL) == 0,
                  "bad case %zu decoded", i);
}

int main(void)
{
    test_valid();
    test_decode_encode();
    test_repair();
    return t_done();
}
