/* SPDX-License-Identifier: Apache-2.0 */
/* report/utf8: validation and U+FFFD repair (Jansson rejects invalid UTF-8, J1). */
#include "report/utf8.h"
#include "t.h"

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

int main(void)
{
    test_valid();
    test_repair();
    return t_done();
}
