/* SPDX-License-Identifier: Apache-2.0 */
/* The endpoint rules evaluator (aws/endpoint_rules.c) over the compiled-in
 * rule sets: representative cases of our own (GovCloud, FIPS, dual-stack,
 * SSO, global services, errors), then -- when $GD_BOTOCORE_TESTS names a
 * botocore checkout's tests/ folder (CMake: GDREPORT_BOTOCORE_TESTS) -- every
 * case of functional/endpoint-rules/<service>/endpoint-tests-1.json for the
 * services gdreport calls, each reported by name, with a pass count per
 * suite. Those files are read where they are; they are never copied here. */
#include "aws/endpoint_rules_internal.h"
#include "tests/unit/t.h"

#include <jansson.h>
#include <stdlib.h>

typedef struct rule_case {
    const char *service, *region;
    int fips, dualstack;
    const char *endpoint;
    const char *want_url;        /* NULL: an error is expected */
    const char *want_signing_region;
    const char *want_error;      /* fragment */
} rule_case;

static const rule_case cases[] = {
    /* GuardDuty: FIPS in every region of a FIPS partition; in GovCloud the
     * plain host is the FIPS one, but FIPS + dual-stack has its own host. */
    {"guardduty", "eu-west-1", 0, 0, NULL, "https://guardduty.eu-west-1.amazonaws.com", NULL, NULL},
    {"guardduty", "ap-south-1", 1, 0, NULL, "https://guardduty-fips.ap-south-1.amazonaws.com", NULL,
     NULL},
    {"guardduty", "us-gov-east-1", 1, 0, NULL, "https://guardduty.us-gov-east-1.amazonaws.com",
     NULL, NULL},
    {"guardduty", "us-gov-east-1", 1, 1, NULL, "https://guardduty-fips.us-gov-east-1.api.aws", NULL,
     NULL},
    {"guardduty", "cn-north-1", 0, 1, NULL,
     "https://guardduty.cn-north-1.api.amazonwebservices.com.cn", NULL, NULL},
    {"guardduty", "us-iso-east-1", 0, 1, NULL, "https://guardduty.us-iso-east-1.api.aws.ic.gov",
     NULL, NULL},
    {"guardduty", "us-east-1", 0, 1, "https://example.com", NULL, NULL,
     "Dualstack and custom endpoint are not supported"},
    {"guardduty", "us-east-1", 1, 0, "https://example.com", NULL, NULL,
     "FIPS and custom endpoint are not supported"},
    {"guardduty", "us-east-1", 0, 0, "https://example.com", "https://example.com", NULL, NULL},
    {"guardduty", NULL, 0, 0, NULL, NULL, NULL, "Missing Region"},
    /* SSO portal: FIPS and dual-stack exist, GovCloud FIPS is the plain host. */
    {"sso", "eu-central-1", 0, 0, NULL, "https://portal.sso.eu-central-1.amazonaws.com", NULL, NULL},
    {"sso", "us-east-1", 1, 0, NULL, "https://portal.sso-fips.us-east-1.amazonaws.com", NULL, NULL},
    {"sso", "us-gov-west-1", 1, 0, NULL, "https://portal.sso.us-gov-west-1.amazonaws.com", NULL,
     NULL},
    {"sso", "us-east-1", 0, 1, NULL, "https://portal.sso.us-east-1.api.aws", NULL, NULL},
    /* Global services: one host and signing region per partition. */
    {"organizations", "eu-west-1", 0, 0, NULL, "https://organizations.us-east-1.amazonaws.com",
     "us-east-1", NULL},
    {"organizations", "us-gov-east-1", 0, 0, NULL,
     "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1", NULL},
    {"organizations", "cn-north-1", 0, 0, NULL,
     "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", NULL},
    {"account", "ap-northeast-1", 0, 0, NULL, "https://account.us-east-1.amazonaws.com",
     "us-east-1", NULL},
    {"account", "us-gov-west-1", 1, 0, NULL, "https://account-fips.us-gov-west-1.amazonaws.com",
     "us-gov-west-1", NULL},
    /* STS: regional, FIPS in GovCloud. */
    {"sts", "eu-west-3", 0, 0, NULL, "https://sts.eu-west-3.amazonaws.com", NULL, NULL},
    {"sts", "us-gov-west-1", 1, 0, NULL, "https://sts.us-gov-west-1.amazonaws.com", NULL, NULL},
    {"sts", "us-east-1", 1, 1, NULL, "https://sts-fips.us-east-1.api.aws", NULL, NULL},
};

static void test_own_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const rule_case *k = &cases[i];
        gd_ep_params p = {k->region, k->fips, k->dualstack, k->endpoint, 0};
        gd_ep_result r;
        int rc = gd_ep_rules_resolve(k->service, &p, &r);
        if (k->want_url) {
            CHECK_MSG(rc == GD_EP_ENDPOINT && !strcmp(r.url, k->want_url),
                      "%s %s fips=%d ds=%d: rc %d url '%s' error '%s', want %s", k->service,
                      k->region ? k->region : "(none)", k->fips, k->dualstack, rc, r.url, r.error,
                      k->want_url);
            if (k->want_signing_region)
                CHECK_STR(r.signing_region, k->want_signing_region);
        } else {
            CHECK_MSG(rc == GD_EP_RULE_ERROR && strstr(r.error, k->want_error),
                      "%s %s: rc %d error '%s', want '%s'", k->service,
                      k->region ? k->region : "(none)", rc, r.error, k->want_error);
        }
    }
    gd_ep_result r;
    gd_ep_params p = {"us-east-1", 0, 0, NULL, 0};
    CHECK_INT(gd_ep_rules_resolve("s3", &p, &r), GD_EP_UNSUPPORTED);
}

/* ---- botocore's endpoint-tests-1.json --------------------------------------- */

typedef struct suite_count {
    int applicable, passed;
} suite_count;

static const char *param_str(const json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

/* Only the parameters our rule sets have; a case with others is not applicable. */
static int params_known(const json_t *params)
{
    static const char *const known[] = {"Region", "UseFIPS", "UseDualStack", "Endpoint",
                                        "UseGlobalEndpoint"};
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)params, key, v) {
        size_t i = 0;
        while (i < sizeof known / sizeof *known && strcmp(known[i], key))
            i++;
        if (i == sizeof known / sizeof *known)
            return 0;
    }
    return 1;
}

static int run_case(const char *service, const json_t *tc, char *why, size_t n)
{
    const json_t *params = json_object_get(tc, "params");
    const json_t *expect = json_object_get(tc, "expect");
    gd_ep_params p = {param_str(params, "Region"),
                      json_is_true(json_object_get(params, "UseFIPS")),
                      json_is_true(json_object_get(params, "UseDualStack")),
                      param_str(params, "Endpoint"),
                      json_is_true(json_object_get(params, "UseGlobalEndpoint"))};
    gd_ep_result r;
    int rc = gd_ep_rules_resolve(service, &p, &r);
    const char *want_error = json_string_value(json_object_get(expect, "error"));
    if (want_error) {
        if (rc == GD_EP_RULE_ERROR && !strcmp(r.error, want_error))
            return 1;
        snprintf(n ? why : NULL, n, "want error '%s', got rc %d url '%s' error '%s'", want_error,
                 rc, r.url, r.error);
        return 0;
    }
    const json_t *ep = json_object_get(expect, "endpoint");
    const char *want_url = json_string_value(json_object_get(ep, "url"));
    const json_t *scheme =
        json_array_get(json_object_get(json_object_get(ep, "properties"), "authSchemes"), 0);
    const char *want_sr = json_string_value(json_object_get(scheme, "signingRegion"));
    const char *want_sn = json_string_value(json_object_get(scheme, "signingName"));
    /* Without an authScheme the client signs with the service's own name. */
    if (!r.signing_name[0])
        snprintf(r.signing_name, sizeof r.signing_name, "%s",
                 !strcmp(service, "sso") ? "awsssoportal" : service);
    int ok = rc == GD_EP_ENDPOINT && want_url && !strcmp(r.url, want_url) &&
             (!want_sr || !strcmp(r.signing_region, want_sr)) &&
             (!want_sn || !strcmp(r.signing_name, want_sn));
    if (!ok)
        snprintf(why, n, "want %s (signing %s/%s), got rc %d url '%s' (signing %s/%s) %s",
                 want_url ? want_url : "?", want_sr ? want_sr : "-", want_sn ? want_sn : "-", rc,
                 r.url, r.signing_region, r.signing_name, r.error);
    return ok;
}

static void run_suite(const char *root, const char *dir, const char *service)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/functional/endpoint-rules/%s/endpoint-tests-1.json", root, dir);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        printf("suite %s: skipped (%s not readable)\n", dir, path);
        return;
    }
    suite_count k = {0, 0};
    const json_t *tcs = json_object_get(doc, "testCases");
    for (size_t i = 0; i < json_array_size(tcs); i++) {
        const json_t *tc = json_array_get(tcs, i);
        const char *name = json_string_value(json_object_get(tc, "documentation"));
        if (!service || !params_known(json_object_get(tc, "params"))) {
            printf("  n/a  %s: %s\n", dir, name ? name : "?");
            continue;
        }
        char why[768] = "";
        k.applicable++;
        int ok = run_case(service, tc, why, sizeof why);
        k.passed += ok;
        printf("  %s %s: %s%s%s\n", ok ? "pass" : "FAIL", dir, name ? name : "?", ok ? "" : ": ",
               why);
        CHECK_MSG(ok, "%s: %s: %s", dir, name ? name : "?", why);
    }
    printf("suite endpoint-rules/%s: %d applicable, %d passed\n", dir, k.applicable, k.passed);
    json_decref(doc);
}

static void test_botocore_suites(void)
{
    const char *root = getenv("GD_BOTOCORE_TESTS");
    if (!root || !*root) {
        printf("GD_BOTOCORE_TESTS unset: botocore endpoint suites not run\n");
        return;
    }
    static const struct { const char *dir, *service; } suites[] = {
        {"guardduty", "guardduty"}, {"sts", "sts"}, {"organizations", "organizations"},
        {"account", "account"},     {"sso", "sso"},
        {"sso-oidc", NULL}, /* gdreport never calls SSO OIDC: listed, not applicable */
    };
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        run_suite(root, suites[i].dir, suites[i].service);
}

int main(void)
{
    test_own_cases();
    test_botocore_suites();
    return t_done();
}
