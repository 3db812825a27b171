/* SPDX-License-Identifier: Apache-2.0 */
/* common/names: the one rule for region names and URL hosts. */
#include "common/names.h"
#include "tests/unit/t.h"

static void test_region_names(void)
{
    static const struct { const char *s; int ok; } cases[] = {
        {"us-east-1", 1}, {"eu-central-2", 1}, {"us-gov-west-1", 1}, {"cn-north-1", 1},
        {"us-isob-east-1", 1}, {"aws-global", 1}, {"a", 1},
        {"", 0}, {"US-EAST-1", 0}, {"us_east_1", 0}, {"-us-east-1", 0}, {"us-east-1-", 0},
        {"us-east-1.evil.com", 0}, {"us-east-1/x", 0}, {"us east 1", 0}, {"eu-\xC3\xA9st-1", 0},
        {"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi", 0}, /* 64 */
        {"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh", 1},  /* 63 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_MSG(gd_region_name_valid(cases[i].s) == cases[i].ok, "'%s'", cases[i].s);
    CHECK_INT(gd_region_name_valid(NULL), 0);
}

static void test_url_host(void)
{
    static const struct { const char *url, *host; } cases[] = {
        {"https://guardduty.us-east-1.amazonaws.com/", "guardduty.us-east-1.amazonaws.com"},
        {"http://127.0.0.1:8080/path?q=1", "127.0.0.1"},
        {"http://[::1]:80/x", "::1"},
        {"http://[fd00:ec2::23]/creds", "fd00:ec2::23"},
        {"https://example.com#frag", "example.com"},
        {"http://user@evil.com/", NULL},
        {"http:///nohost", NULL},
        {"no-scheme.example.com", NULL},
        {"http://host:/", NULL},
        {"http://[::1/", NULL},
        {"http://ho st/", NULL},
        {"http://ho\tst/", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char host[128] = "unchanged";
        int rc = gd_url_host(cases[i].url, host, sizeof host);
        if (cases[i].host) {
            CHECK_MSG(rc == 0, "%s refused", cases[i].url);
            CHECK_STR(host, cases[i].host);
        } else {
            CHECK_MSG(rc == -1, "%s accepted as '%s'", cases[i].url, host);
        }
    }
    char auth[32];
    CHECK_INT(gd_url_authority("http://127.0.0.1:8080/x", auth, sizeof auth), 0);
    CHECK_STR(auth, "127.0.0.1:8080");
    char tiny[4];
    CHECK_INT(gd_url_authority("http://example.com/", tiny, sizeof tiny), -1);
    CHECK_INT(gd_url_host("http://example.com/", tiny, sizeof tiny), -1);
}

static void test_loopback(void)
{
    static const struct { const char *h; int ok; } cases[] = {
        {"localhost", 1}, {"LOCALHOST", 1}, {"127.0.0.1", 1}, {"127.255.3.4", 1}, {"::1", 1},
        {"0:0:0:0:0:0:0:1", 1},
        {"127.1", 0}, {"128.0.0.1", 0}, {"127.0.0.1.evil.com", 0}, {"localhost.evil.com", 0},
        {"169.254.170.2", 0}, {"::2", 0}, {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK_MSG(gd_host_is_loopback(cases[i].h) == cases[i].ok, "'%s'", cases[i].h);
}

int main(void)
{
    test_region_names();
    test_url_host();
    test_loopback();
    return t_done();
}
