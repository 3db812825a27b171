/* SPDX-License-Identifier: Apache-2.0 */
/* report/finding_links: console links only from a valid region and id; the
 * resource table is well formed and its JSON form lists every row. */
#include "report/finding_links.h"
#include "t.h"

#include <jansson.h>
#include <string.h>

static void test_console_url_valid(void)
{
    char url[512];
    CHECK_INT(gd_finding_console_url("eu-west-1", "a1b2c3d4e5f60718293a4b5c6d7e8f90", url,
                                     sizeof url), 0);
    CHECK_STR(url, "https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1"
                   "#/findings?macros=current&fId=a1b2c3d4e5f60718293a4b5c6d7e8f90");
    CHECK_INT(gd_finding_console_url("cn-north-1", "abc", url, sizeof url), 0);
    CHECK(strncmp(url, "https://cn-north-1.console.amazonaws.cn/", 40) == 0);
    CHECK_INT(gd_finding_console_url("us-gov-west-1", "abc", url, sizeof url), 0);
    CHECK(strstr(url, "console.amazonaws-us-gov.com/") != NULL);
}

static void test_console_url_refuses_hostile_parts(void)
{
    static const char *const bad_regions[] = {"", "EU-WEST-1", "eu-west-1.evil.com",
                                              "eu-west-1/x", "eu west 1", "-eu", NULL};
    static const char *const bad_ids[] = {"", "abc&x=1", "abc#", "ab/../cd", "a b",
                                          "\xE2\x80\xAE" "abc",
                                          "0123456789012345678901234567890123456789012345678901234567890123456789",
                                          NULL};
    char url[512] = "untouched";
    for (size_t i = 0; bad_regions[i]; i++) {
        CHECK_MSG(gd_finding_console_url(bad_regions[i], "abc", url, sizeof url) == -1, "%s",
                  bad_regions[i]);
        CHECK_STR(url, "");
    }
    for (size_t i = 0; bad_ids[i]; i++)
        CHECK_MSG(gd_finding_console_url("us-east-1", bad_ids[i], url, sizeof url) == -1, "%s",
                  bad_ids[i]);
    CHECK_INT(gd_finding_console_url(NULL, "abc", url, sizeof url), -1);
    CHECK_INT(gd_finding_console_url("us-east-1", "abc", url, 20), -1);   /* does not fit */
    CHECK_STR(url, "");
}

static void test_resource_table(void)
{
    size_t n = 0;
    const gd_resource_path *p = gd_resource_paths(&n);
    CHECK(n >= 10);
    json_error_t e;
    json_t *o = json_loads(gd_resource_paths_json(), 0, &e);
    CHECK_MSG(o != NULL, "%s", e.text);
    CHECK_INT((long long)json_object_size(o), (long long)n);
    for (size_t i = 0; i < n; i++) {
        CHECK(strncmp(p[i].json_path, "$.resource.", 11) == 0);
        CHECK_STR(json_string_value(json_object_get(o, p[i].resource_type)), p[i].json_path);
    }
    json_decref(o);
}

int main(void)
{
    test_console_url_valid();
    test_console_url_refuses_hostile_parts();
    test_resource_table();
    return t_done();
}
