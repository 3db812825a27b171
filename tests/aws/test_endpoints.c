/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoint resolution: precedence (E1), FIPS / dual-stack (E2), partitions. */
#include "aws/endpoints.h"
#include "tests/unit/t.h"

#include <stdlib.h>

typedef struct env_table {
    const char *const *pairs; /* name, value, ..., NULL */
} env_table;

static const char *table_get(void *ud, const char *name)
{
    const env_table *t = ud;
    for (size_t i = 0; t->pairs[i]; i += 2)
        if (!strcmp(t->pairs[i], name))
            return t->pairs[i + 1];
    return NULL;
}

static const char *const CONFIG =
    "[default]\n"
    "[profile svc]\n"
    "services = local\n"
    "endpoint_url = https://profile.example.test\n"
    "[profile prof]\n"
    "endpoint_url = https://profile.example.test/\n"
    "[profile fips]\n"
    "use_fips_endpoint = true\n"
    "[profile ds]\n"
    "use_dualstack_endpoint = true\n"
    "[profile ignore]\n"
    "ignore_configured_endpoint_urls = true\n"
    "endpoint_url = https://profile.example.test\n"
    "[profile plainhttp]\n"
    "endpoint_url = http://10.0.0.5:8080\n"
    "[services local]\n"
    "guardduty =\n"
    "  endpoint_url = http://127.0.0.1:4566\n";

typedef struct ep_case {
    const char *name;
    const char *flag;
    const char *profile;
    const char *env[9];
    const char *service;
    const char *region;
    int rc;
    const char *url;          /* expected url, or message fragment when rc != 0 */
    const char *signing_region;
    const char *host;
} ep_case;

static const ep_case cases[] = {
    {"regional default", NULL, "default", {NULL}, "guardduty", "eu-west-1", 0,
     "https://guardduty.eu-west-1.amazonaws.com", "eu-west-1", "guardduty.eu-west-1.amazonaws.com"},
    {"sts is regional", NULL, "default", {NULL}, "sts", "ap-east-1", 0,
     "https://sts.ap-east-1.amazonaws.com", "ap-east-1", NULL},
    {"organizations is global in aws", NULL, "default", {NULL}, "organizations", "eu-west-1", 0,
     "https://organizations.us-east-1.amazonaws.com", "us-east-1", NULL},
    {"account is global in aws", NULL, "default", {NULL}, "account", "ap-southeast-2", 0,
     "https://account.us-east-1.amazonaws.com", "us-east-1", NULL},
    {"sso portal", NULL, "default", {NULL}, "sso", "eu-central-1", 0,
     "https://portal.sso.eu-central-1.amazonaws.com", "eu-central-1", NULL},
    {"cn guardduty", NULL, "default", {NULL}, "guardduty", "cn-north-1", 0,
     "https://guardduty.cn-north-1.amazonaws.com.cn", "cn-north-1", NULL},
    {"cn organizations", NULL, "default", {NULL}, "organizations", "cn-north-1", 0,
     "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", NULL},
    {"gov organizations", NULL, "default", {NULL}, "organizations", "us-gov-east-1", 0,
     "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1", NULL},
    {"gov account", NULL, "default", {NULL}, "account", "us-gov-east-1", 0,
     "https://account.us-gov-west-1.amazonaws.com", "us-gov-west-1", NULL},
    {"gov sso", NULL, "default", {NULL}, "sso", "us-gov-west-1", 0,
     "https://portal.sso.us-gov-west-1.amazonaws.com", "us-gov-west-1", NULL},
    /* FIPS */
    {"fips us-east-1", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "true"}, "guardduty",
     "us-east-1", 0, "https://guardduty-fips.us-east-1.amazonaws.com", "us-east-1", NULL},
    {"fips via profile", NULL, "fips", {NULL}, "sts", "us-west-2", 0,
     "https://sts-fips.us-west-2.amazonaws.com", "us-west-2", NULL},
    {"env false beats profile fips", NULL, "fips", {"AWS_USE_FIPS_ENDPOINT", "false"}, "sts",
     "us-west-2", 0, "https://sts.us-west-2.amazonaws.com", "us-west-2", NULL},
    /* The rule set gives every region of a FIPS partition a -fips host (the
     * SDKs resolve this; before, gdreport refused it). */
    {"fips in eu-west-1 as the rules say", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "true"},
     "guardduty", "eu-west-1", 0, "https://guardduty-fips.eu-west-1.amazonaws.com", "eu-west-1",
     NULL},
    {"fips gov host is the normal host", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "true"},
     "guardduty", "us-gov-west-1", 0, "https://guardduty.us-gov-west-1.amazonaws.com",
     "us-gov-west-1", NULL},
    {"fips organizations", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "true"}, "organizations",
     "eu-west-1", 0, "https://organizations-fips.us-east-1.amazonaws.com", "us-east-1", NULL},
    {"fips only for the value true (as botocore)", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "1"}, "guardduty",
     "cn-northwest-1", 0, "https://guardduty.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1",
     NULL},
    {"fips cn guardduty (TRUE)", NULL, "default", {"AWS_USE_FIPS_ENDPOINT", "TRUE"},
     "guardduty", "cn-northwest-1", 0, "https://guardduty-fips.cn-northwest-1.amazonaws.com.cn",
     "cn-northwest-1", NULL},
    /* dual-stack */
    {"dualstack", NULL, "default", {"AWS_USE_DUALSTACK_ENDPOINT", "true"}, "guardduty",
     "eu-west-1", 0, "https://guardduty.eu-west-1.api.aws", "eu-west-1", NULL},
    {"dualstack via profile cn", NULL, "ds", {NULL}, "guardduty", "cn-north-1", 0,
     "https://guardduty.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1", NULL},
    {"fips+dualstack", NULL, "ds", {"AWS_USE_FIPS_ENDPOINT", "true"}, "guardduty", "us-east-2",
     0, "https://guardduty-fips.us-east-2.api.aws", "us-east-2", NULL},
    {"dualstack sso", NULL, "ds", {NULL}, "sso", "eu-west-1", 0,
     "https://portal.sso.eu-west-1.api.aws", "eu-west-1", NULL},
    /* E1 precedence */
    {"flag beats everything", "http://127.0.0.1:9000/", "svc",
     {"AWS_ENDPOINT_URL_GUARDDUTY", "https://env-svc.test", "AWS_ENDPOINT_URL", "https://env.test"},
     "guardduty", "eu-west-1", 0, "http://127.0.0.1:9000", "eu-west-1", "127.0.0.1:9000"},
    {"service env beats global env", NULL, "svc",
     {"AWS_ENDPOINT_URL_GUARDDUTY", "https://env-svc.test", "AWS_ENDPOINT_URL", "https://env.test"},
     "guardduty", "eu-west-1", 0, "https://env-svc.test", "eu-west-1", "env-svc.test"},
    {"global env beats services section", NULL, "svc", {"AWS_ENDPOINT_URL", "https://env.test"},
     "guardduty", "eu-west-1", 0, "https://env.test", "eu-west-1", NULL},
    {"services section beats profile", NULL, "svc", {NULL}, "guardduty", "eu-west-1", 0,
     "http://127.0.0.1:4566", "eu-west-1", "127.0.0.1:4566"},
    {"profile endpoint_url for other services", NULL, "svc", {NULL}, "sts", "eu-west-1", 0,
     "https://profile.example.test", "eu-west-1", NULL},
    {"profile endpoint_url trailing slash", NULL, "prof", {NULL}, "guardduty", "eu-west-1", 0,
     "https://profile.example.test", "eu-west-1", "profile.example.test"},
    {"env name for sso", NULL, "default", {"AWS_ENDPOINT_URL_SSO", "https://sso.test:443"},
     "sso", "eu-west-1", 0, "https://sso.test:443", "eu-west-1", "sso.test"},
    {"override of a global service signs for its region", NULL, "default",
     {"AWS_ENDPOINT_URL_ORGANIZATIONS", "http://localhost:8080"}, "organizations", "eu-west-1",
     0, "http://localhost:8080", "us-east-1", "localhost:8080"},
    {"ignore env turns off env and files", NULL, "svc",
     {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", "AWS_ENDPOINT_URL", "https://env.test"},
     "guardduty", "eu-west-1", 0, "https://guardduty.eu-west-1.amazonaws.com", "eu-west-1", NULL},
    {"ignore in profile", NULL, "ignore", {NULL}, "guardduty", "eu-west-1", 0,
     "https://guardduty.eu-west-1.amazonaws.com", "eu-west-1", NULL},
    {"env false beats profile ignore", NULL, "ignore",
     {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}, "guardduty", "eu-west-1", 0,
     "https://profile.example.test", "eu-west-1", NULL},
    {"ignore keeps the flag", "https://flag.test", "ignore",
     {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}, "guardduty", "eu-west-1", 0,
     "https://flag.test", "eu-west-1", NULL},
    {"override wins over fips", NULL, "default",
     {"AWS_USE_FIPS_ENDPOINT", "true", "AWS_ENDPOINT_URL", "https://env.test"}, "guardduty",
     "eu-west-1", 0, "https://env.test", "eu-west-1", NULL},
    {"empty env counts as unset", NULL, "default", {"AWS_ENDPOINT_URL", ""}, "guardduty",
     "eu-west-1", 0, "https://guardduty.eu-west-1.amazonaws.com", "eu-west-1", NULL},
    /* refusals */
    {"non-loopback http override refused", NULL, "plainhttp", {NULL}, "guardduty", "eu-west-1",
     GD_E_CONFIG, "profile plainhttp endpoint_url", NULL, NULL},
    {"http to a loopback lookalike refused", "http://127.0.0.1.evil.test", "default", {NULL},
     "guardduty", "eu-west-1", GD_E_CONFIG, "refused", NULL, NULL},
    {"userinfo refused", "https://user:pw@example.test", "default", {NULL}, "guardduty",
     "eu-west-1", GD_E_CONFIG, "refused", NULL, NULL},
    {"unknown partition", NULL, "default", {NULL}, "guardduty", "us-iso-east-1", GD_E_CONFIG,
     "not in the aws, aws-cn or aws-us-gov partition", NULL, NULL},
    {"bad region chars", NULL, "default", {NULL}, "guardduty", "eu-west-1.evil", GD_E_CONFIG,
     "invalid region", NULL, NULL},
};

static void run_case(const ep_case *c, const gd_awsconfig *files)
{
    const char *pairs[11] = {0};
    for (size_t i = 0; i < 9 && c->env[i]; i++)
        pairs[i] = c->env[i];
    env_table t = {pairs};
    gd_env env = {table_get, &t};
    gd_endpoint_config cfg = {.flag_url = c->flag, .env = &env, .files = files,
                              .profile = c->profile};
    gd_endpoint ep;
    gd_err err = {0};
    int rc = gd_endpoint_resolve(&cfg, c->service, c->region, &ep, &err);
    CHECK_MSG(rc == c->rc, "%s: rc %d (%s)", c->name, rc, err.msg);
    if (rc != c->rc)
        return;
    if (rc != 0) {
        CHECK_MSG(strstr(err.msg, c->url) != NULL, "%s: message '%s'", c->name, err.msg);
        return;
    }
    CHECK_MSG(!strcmp(ep.url, c->url), "%s: url %s", c->name, ep.url);
    CHECK_MSG(!strcmp(ep.signing_region, c->signing_region), "%s: signing region %s", c->name,
              ep.signing_region);
    if (c->host)
        CHECK_MSG(!strcmp(ep.host, c->host), "%s: host %s", c->name, ep.host);
    int modeled = strstr(c->url, ".amazonaws.com") != NULL || strstr(c->url, ".api.aws") != NULL ||
                  strstr(c->url, ".amazonwebservices.") != NULL;
    CHECK_MSG(ep.overridden == !modeled,
              "%s: overridden %d", c->name, ep.overridden);
}

static void test_resolution_table(void)
{
    gd_awsconfig *files = NULL;
    gd_err err = {0};
    CHECK_INT(gd_awsconfig_parse(CONFIG, NULL, &files, &err), 0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_case(&cases[i], files);
    gd_awsconfig_free(files);
}

static void test_signing_names(void)
{
    static const struct {
        const char *service, *name;
    } names[] = {{"guardduty", "guardduty"}, {"organizations", "organizations"}, {"sts", "sts"},
                 {"account", "account"}, {"sso", "awsssoportal"}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        gd_endpoint ep;
        gd_err err = {0};
        CHECK_INT(gd_endpoint_resolve(NULL, names[i].service, "eu-west-1", &ep, &err), 0);
        CHECK_STR(ep.signing_name, names[i].name);
    }
    gd_endpoint ep;
    gd_err err = {0};
    CHECK_INT(gd_endpoint_resolve(NULL, "ec2", "eu-west-1", &ep, &err), GD_E_INTERNAL);
}

static void test_partitions_and_regions(void)
{
    CHECK_STR(gd_partition_of_region("eu-west-1"), "aws");
    CHECK_STR(gd_partition_of_region("ap-southeast-7"), "aws");
    CHECK_STR(gd_partition_of_region("us-west-9"), "aws"); /* by regex */
    CHECK_STR(gd_partition_of_region("cn-north-1"), "aws-cn");
    CHECK_STR(gd_partition_of_region("us-gov-west-1"), "aws-us-gov");
    CHECK_STR(gd_partition_of_region("us-gov-east-2"), "aws-us-gov");
    CHECK(gd_partition_of_region("us-iso-east-1") == NULL);
    CHECK(gd_partition_of_region("") == NULL);

    size_t n = 0;
    const char *const *r = gd_guardduty_regions("aws", &n);
    CHECK(n >= 30);
    int has_eu = 0, has_global = 0, sorted = 1;
    for (size_t i = 0; i < n; i++) {
        has_eu |= !strcmp(r[i], "eu-west-1");
        has_global |= strstr(r[i], "global") != NULL || strstr(r[i], "fips") != NULL;
        if (i > 0 && strcmp(r[i - 1], r[i]) >= 0)
            sorted = 0;
    }
    CHECK(has_eu && !has_global && sorted);
    r = gd_guardduty_regions("aws-cn", &n);
    CHECK_INT(n, 2);
    CHECK_STR(r[0], "cn-north-1");
    r = gd_guardduty_regions("aws-us-gov", &n);
    CHECK_INT(n, 2);
    r = gd_guardduty_regions("aws-iso", &n);
    CHECK(r == NULL && n == 0);

    CHECK_STR(gd_global_service_region("organizations", "aws"), "us-east-1");
    CHECK_STR(gd_global_service_region("organizations", "aws-us-gov"), "us-gov-west-1");
    CHECK_STR(gd_global_service_region("organizations", "aws-cn"), "cn-northwest-1");
    CHECK_STR(gd_global_service_region("account", "aws"), "us-east-1");
    CHECK(gd_global_service_region("guardduty", "aws") == NULL);
}

static void test_url_policy(void)
{
    CHECK(gd_endpoint_url_allowed("https://guardduty.eu-west-1.amazonaws.com"));
    CHECK(gd_endpoint_url_allowed("HTTPS://example.test:8443/x"));
    CHECK(gd_endpoint_url_allowed("http://127.0.0.1:4566"));
    CHECK(gd_endpoint_url_allowed("http://127.1.2.3"));
    CHECK(gd_endpoint_url_allowed("http://localhost:80/"));
    CHECK(gd_endpoint_url_allowed("http://[::1]:8080"));
    CHECK(!gd_endpoint_url_allowed("http://10.0.0.1"));
    CHECK(!gd_endpoint_url_allowed("http://169.254.169.254"));
    CHECK(!gd_endpoint_url_allowed("http://127.0.0.1.nip.io"));
    CHECK(!gd_endpoint_url_allowed("ftp://127.0.0.1"));
    CHECK(!gd_endpoint_url_allowed("file:///etc/passwd"));
    CHECK(!gd_endpoint_url_allowed("https://"));
    CHECK(!gd_endpoint_url_allowed("http://127.0.0.1:"));
    CHECK(!gd_endpoint_url_allowed("guardduty.amazonaws.com"));
    CHECK(!gd_endpoint_url_allowed(NULL));
}

/* The checked-in tables must be what the generator makes of the models
 * (skipped when the models or python3 are not around). */
static void test_generated_tables_match_models(void)
{
    const char *models = getenv("GD_AWS_MODELS");
    const char *src = getenv("GD_SOURCE_DIR");
    char path[1024], cmd[4096];
    if (!models || !src) {
        t_skip_part("generated endpoint tables vs models", "GD_AWS_MODELS/GD_SOURCE_DIR unset");
        return;
    }
    snprintf(path, sizeof path, "%s/partitions.json", models);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        char why[1100];
        snprintf(why, sizeof why, "%s missing", path);
        t_skip_part("generated endpoint tables vs models", why);
        return;
    }
    fclose(probe);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tools/gen_endpoints.py' '%s' | cmp -s - '%s/aws/endpoints_data.c'",
             src, models, src);
    CHECK_MSG(system(cmd) == 0, "aws/endpoints_data.c differs from tools/gen_endpoints.py output");
}

int main(void)
{
    test_resolution_table();
    test_signing_names();
    test_partitions_and_regions();
    test_url_policy();
    test_generated_tables_match_models();
    return t_done();
}
