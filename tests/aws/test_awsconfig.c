/* SPDX-License-Identifier: Apache-2.0 */
/* Shared config/credentials parsing (docs/facts.md C3) and region resolution. */
#include "aws/awsconfig.h"
#include "tests/unit/t.h"

#include <stdlib.h>
#include <unistd.h>

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

static gd_awsconfig *parse(const char *config, const char *creds)
{
    gd_awsconfig *cfg = NULL;
    gd_err err = {0};
    int rc = gd_awsconfig_parse(config, creds, &cfg, &err);
    CHECK_MSG(rc == 0, "parse failed: %s", err.msg);
    return cfg;
}

static void test_sections_and_prefixes(void)
{
    const char *config = "# comment\n"
                         "; another\n"
                         "[default]\n"
                         "region = eu-west-1\n"
                         "[profile prod]\n"
                         "region=us-east-1   # inline comment\n"
                         "role_arn = arn:aws:iam::1:role/R\n"
                         "[nonprefixed]\n"
                         "region = ap-east-1\n"
                         "[sso-session corp]\n"
                         "sso_start_url = https://corp.awsapps.com/start\n"
                         "sso_region = eu-central-1\n";
    gd_awsconfig *cfg = parse(config, NULL);
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "default", "region"), "eu-west-1");
    CHECK_STR(gd_awsconfig_get(cfg, "prod", "region"), "us-east-1");
    CHECK_STR(gd_awsconfig_get(cfg, "prod", "ROLE_ARN"), "arn:aws:iam::1:role/R");
    /* Only [default] may omit the "profile " prefix in config. */
    CHECK(!gd_awsconfig_has_profile(cfg, "nonprefixed"));
    CHECK(gd_awsconfig_get(cfg, "nonprefixed", "region") == NULL);
    CHECK(gd_awsconfig_has_profile(cfg, "prod"));
    CHECK(!gd_awsconfig_has_profile(cfg, "corp"));
    CHECK_STR(gd_awsconfig_sso_session_get(cfg, "corp", "sso_region"), "eu-central-1");
    gd_awsconfig_free(cfg);
}

/* Config headers are shell words (botocore's shlex.split): quotes are not
 * part of the name; a header of more than two words is ignored. Before the
 * fix, [profile "my prod"] was stored as '"my prod"' and never found. */
static void test_quoted_profile_names(void)
{
    const char *config = "[profile \"my prod\"]\n"
                         "region = eu-west-2\n"
                         "[profile 'single q']\n"
                         "region = eu-west-3\n"
                         "[profile \"plain\"]\n"
                         "region = us-west-2\n"
                         "[profile two words]\n"
                         "region = ap-south-1\n"
                         "[profile \"unclosed]\n"
                         "region = sa-east-1\n"
                         "[sso-session \"corp sso\"]\n"
                         "sso_region = eu-central-1\n";
    gd_awsconfig *cfg = parse(config, "[my creds]\naws_access_key_id = AKIASPACE\n");
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "my prod", "region"), "eu-west-2");
    CHECK(gd_awsconfig_get(cfg, "\"my prod\"", "region") == NULL);
    CHECK_STR(gd_awsconfig_get(cfg, "single q", "region"), "eu-west-3");
    CHECK_STR(gd_awsconfig_get(cfg, "plain", "region"), "us-west-2");
    CHECK(!gd_awsconfig_has_profile(cfg, "two words"));
    CHECK(!gd_awsconfig_has_profile(cfg, "two"));
    CHECK(!gd_awsconfig_has_profile(cfg, "\"unclosed"));
    CHECK(!gd_awsconfig_has_profile(cfg, "unclosed"));
    CHECK_STR(gd_awsconfig_sso_session_get(cfg, "corp sso", "sso_region"), "eu-central-1");
    /* The credentials file takes section names as written. */
    CHECK_STR(gd_awsconfig_get(cfg, "my creds", "aws_access_key_id"), "AKIASPACE");
    gd_awsconfig_free(cfg);
}

static void test_credentials_file_wins_and_profile_prefix_ignored(void)
{
    const char *config = "[profile prod]\n"
                         "region = us-east-1\n"
                         "aws_access_key_id = AKIACONFIG\n";
    const char *creds = "[prod]\n"
                        "aws_access_key_id = AKIACREDS\n"
                        "aws_secret_access_key = s3cr3t\n"
                        "[profile other]\n"
                        "aws_access_key_id = AKIAIGNORED\n";
    gd_awsconfig *cfg = parse(config, creds);
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "prod", "aws_access_key_id"), "AKIACREDS");
    CHECK_STR(gd_awsconfig_get(cfg, "prod", "region"), "us-east-1");
    CHECK_STR(gd_awsconfig_get(cfg, "prod", "aws_secret_access_key"), "s3cr3t");
    CHECK(!gd_awsconfig_has_profile(cfg, "other"));
    CHECK(gd_awsconfig_get(cfg, "profile other", "aws_access_key_id") == NULL);
    gd_awsconfig_free(cfg);
}

static void test_duplicate_sections_merge_later_wins(void)
{
    const char *config = "[profile a]\nregion = us-east-1\noutput = json\n"
                         "[profile a]\nregion = us-west-2\n";
    gd_awsconfig *cfg = parse(config, NULL);
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "a", "region"), "us-west-2");
    CHECK_STR(gd_awsconfig_get(cfg, "a", "output"), "json");
    gd_awsconfig_free(cfg);
}

static void test_services_section_subkeys(void)
{
    const char *config = "[profile dev]\n"
                         "services = local\n"
                         "[services local]\n"
                         "guardduty =\n"
                         "  endpoint_url = http://127.0.0.1:4566\n"
                         "sts =\n"
                         "\tendpoint_url = https://sts.example.test\n"
                         "\n";
    gd_awsconfig *cfg = parse(config, NULL);
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "dev", "services"), "local");
    CHECK_STR(gd_awsconfig_services_get(cfg, "local", "guardduty", "endpoint_url"),
              "http://127.0.0.1:4566");
    CHECK_STR(gd_awsconfig_services_get(cfg, "local", "sts", "endpoint_url"),
              "https://sts.example.test");
    CHECK(gd_awsconfig_services_get(cfg, "local", "account", "endpoint_url") == NULL);
    gd_awsconfig_free(cfg);
}

static void test_continuation_line_joins_value(void)
{
    gd_awsconfig *cfg = parse("[default]\ncredential_process = /bin/echo\n  more\n", NULL);
    if (!cfg)
        return;
    CHECK_STR(gd_awsconfig_get(cfg, "default", "credential_process"), "/bin/echo\nmore");
    gd_awsconfig_free(cfg);
}

static void test_malformed_names_file_and_line(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"[default]\nregion = x\nthis is not ini\n", "config:3:"},
        {"[default\nregion = x\n", "config:1:"},
        {"region = x\n", "config:1:"},
        {"[default]\n = value\n", "config:2:"},
        {"[]\n", "config:1:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gd_awsconfig *cfg = NULL;
        gd_err err = {0};
        int rc = gd_awsconfig_parse(cases[i].text, NULL, &cfg, &err);
        CHECK_MSG(rc == GD_E_CONFIG, "case %zu: rc %d", i, rc);
        CHECK_MSG(strstr(err.msg, cases[i].want) != NULL, "case %zu: %s", i, err.msg);
        CHECK(cfg == NULL);
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void test_load_from_env_paths_and_missing_files(void)
{
    char dir[] = "/tmp/gd_awsconfig_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char cpath[256], kpath[256];
    snprintf(cpath, sizeof cpath, "%s/config", dir);
    snprintf(kpath, sizeof kpath, "%s/credentials", dir);
    write_file(cpath, "[profile p]\nregion = ca-central-1\n");
    write_file(kpath, "[p]\naws_access_key_id = AKIAFILE\n");
    const char *pairs[] = {"AWS_CONFIG_FILE", cpath, "AWS_SHARED_CREDENTIALS_FILE", kpath, NULL};
    env_table t = {pairs};
    gd_env env = {table_get, &t};
    gd_awsconfig *cfg = NULL;
    gd_err err = {0};
    CHECK_INT(gd_awsconfig_load(&env, &cfg, &err), 0);
    CHECK_STR(gd_awsconfig_get(cfg, "p", "region"), "ca-central-1");
    CHECK_STR(gd_awsconfig_get(cfg, "p", "aws_access_key_id"), "AKIAFILE");
    CHECK_STR(gd_awsconfig_config_path(cfg), cpath);
    gd_awsconfig_free(cfg);

    /* Missing files are fine; ~ comes from HOME. */
    const char *pairs2[] = {"HOME", dir, "AWS_CONFIG_FILE", "~/nope", NULL};
    env_table t2 = {pairs2};
    gd_env env2 = {table_get, &t2};
    CHECK_INT(gd_awsconfig_load(&env2, &cfg, &err), 0);
    CHECK(!gd_awsconfig_has_profile(cfg, "p"));
    char want[300];
    snprintf(want, sizeof want, "%s/nope", dir);
    CHECK_STR(gd_awsconfig_config_path(cfg), want);
    gd_awsconfig_free(cfg);

    /* A malformed file is reported with its path and line. */
    write_file(cpath, "[profile p]\nregion\n");
    CHECK_INT(gd_awsconfig_load(&env, &cfg, &err), GD_E_CONFIG);
    char wantmsg[300];
    snprintf(wantmsg, sizeof wantmsg, "%s:2:", cpath);
    CHECK_MSG(strstr(err.msg, wantmsg) != NULL, "%s", err.msg);

    /* Files over 1 MiB are refused. */
    FILE *f = fopen(cpath, "w");
    if (f) {
        for (int i = 0; i < 70000; i++)
            fputs("# padding line\n", f);
        fclose(f);
    }
    CHECK_INT(gd_awsconfig_load(&env, &cfg, &err), GD_E_TOO_BIG);
    CHECK(strstr(err.msg, cpath) != NULL);
    unlink(cpath);
    unlink(kpath);
    rmdir(dir);
}

static void test_profile_name_and_region_precedence(void)
{
    gd_awsconfig *cfg = parse("[default]\nregion = eu-west-1\n[profile p]\nregion = eu-west-3\n", NULL);
    const char *empty[] = {"AWS_PROFILE", "", "AWS_REGION", "", NULL};
    env_table te = {empty};
    gd_env env_empty = {table_get, &te};
    CHECK_STR(gd_awsconfig_profile_name(&env_empty, NULL), "default");
    const char *prof[] = {"AWS_PROFILE", "p", NULL};
    env_table tp = {prof};
    gd_env env_p = {table_get, &tp};
    CHECK_STR(gd_awsconfig_profile_name(&env_p, NULL), "p");
    CHECK_STR(gd_awsconfig_profile_name(&env_p, "flag"), "flag");

    char region[64];
    gd_err err = {0};
    CHECK_INT(gd_awsconfig_region(&env_empty, cfg, "default", NULL, region, sizeof region, &err), 0);
    CHECK_STR(region, "eu-west-1");
    CHECK_INT(gd_awsconfig_region(&env_p, cfg, "p", NULL, region, sizeof region, &err), 0);
    CHECK_STR(region, "eu-west-3");
    const char *dflt[] = {"AWS_DEFAULT_REGION", "us-west-1", NULL};
    env_table td = {dflt};
    gd_env env_d = {table_get, &td};
    CHECK_INT(gd_awsconfig_region(&env_d, cfg, "p", NULL, region, sizeof region, &err), 0);
    CHECK_STR(region, "us-west-1");
    const char *both[] = {"AWS_DEFAULT_REGION", "us-west-1", "AWS_REGION", "us-east-2", NULL};
    env_table tb = {both};
    gd_env env_b = {table_get, &tb};
    CHECK_INT(gd_awsconfig_region(&env_b, cfg, "p", NULL, region, sizeof region, &err), 0);
    CHECK_STR(region, "us-east-2");
    CHECK_INT(gd_awsconfig_region(&env_b, cfg, "p", "sa-east-1", region, sizeof region, &err), 0);
    CHECK_STR(region, "sa-east-1");
    CHECK_INT(gd_awsconfig_region(&env_empty, cfg, "none", NULL, region, sizeof region, &err),
              GD_E_NOT_FOUND);
    CHECK_STR(region, "");
    CHECK(strstr(err.msg, "--region") != NULL);
    CHECK_INT(gd_awsconfig_region(&env_empty, cfg, "p", "evil.com/x", region, sizeof region, &err),
              GD_E_CONFIG);
    gd_awsconfig_free(cfg);
}

/* ---- botocore's config-loader cases (opt-in) -------------------------------
 * tests/unit/test_configloader.py's cases over the files in tests/unit/cfg/
 * of a botocore checkout ($GD_BOTOCORE_TESTS), read in place. Each case is
 * reported by name; a case whose file is absent is listed as not run. The
 * multi-file case is not mapped: gdreport reads exactly one config and one
 * credentials file, each with its own section syntax. */

static char *slurp(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/unit/cfg/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

typedef struct cfg_case {
    const char *name, *file;
    int want_error;
    const char *profile, *key, *value;       /* one expected lookup, or NULL */
    const char *profile2, *key2, *value2;
    const char *has[3];                      /* profiles that must exist */
    const char *sso_session, *sso_key, *sso_value;
} cfg_case;

static const cfg_case botocore_cfg_cases[] = {
    {"test_config", "aws_config", 0, NULL, NULL, NULL, NULL, NULL, NULL,
     {"default", "personal", NULL}, NULL, NULL, NULL},
    {"test_profile_map_conversion", "aws_config", 0, NULL, NULL, NULL, NULL, NULL, NULL,
     {"default", "personal", NULL}, NULL, NULL, NULL},
    {"test_bad_profiles_are_ignored", "aws_bad_profile", 0, NULL, NULL, NULL, NULL, NULL, NULL,
     {"my profile", "personal1", "default"}, NULL, NULL, NULL},
    {"test_nested_hierarchy_parsing", "aws_config_nested", 0, "default", "aws_access_key_id", "foo",
     "default", "s3.signature_version", "s3v4", {"default", NULL, NULL}, NULL, NULL, NULL},
    {"test_nested_hierarchy_parsing (cloudwatch, region)", "aws_config_nested", 0, "default",
     "cloudwatch.signature_version", "v4", "default", "region", "us-west-2", {NULL, NULL, NULL},
     NULL, NULL, NULL},
    {"test_config_parse_error", "aws_config_bad", 1, NULL, NULL, NULL, NULL, NULL, NULL,
     {NULL, NULL, NULL}, NULL, NULL, NULL},
    {"test_nested_bad_config", "aws_config_nested_bad", 1, NULL, NULL, NULL, NULL, NULL, NULL,
     {NULL, NULL, NULL}, NULL, NULL, NULL},
    {"test_sso_session_config", "aws_sso_session_config", 0, NULL, NULL, NULL, NULL, NULL, NULL,
     {"default", NULL, NULL}, "sso", "sso_region", "us-east-1"},
    {"test_sso_session_config (start url)", "aws_sso_session_config", 0, NULL, NULL, NULL, NULL,
     NULL, NULL, {NULL, NULL, NULL}, "sso", "sso_start_url", "https://example.com"},
};

static int lookup_is(const gd_awsconfig *cfg, const char *profile, const char *key,
                     const char *want)
{
    const char *v = gd_awsconfig_get(cfg, profile, key);
    return v && !strcmp(v, want);
}

static int run_cfg_case(const cfg_case *k, const char *text, char *why, size_t n)
{
    gd_awsconfig *cfg = NULL;
    gd_err err = {0};
    int rc = gd_awsconfig_parse(text, NULL, &cfg, &err);
    if (k->want_error) {
        gd_awsconfig_free(cfg);
        snprintf(why, n, "parsed without error");
        return rc != 0;
    }
    if (rc != 0) {
        snprintf(why, n, "parse failed: %s", err.msg);
        return 0;
    }
    int ok = 1;
    if (k->profile && !lookup_is(cfg, k->profile, k->key, k->value))
        ok = 0, snprintf(why, n, "[%s] %s is not %s", k->profile, k->key, k->value);
    if (ok && k->profile2 && !lookup_is(cfg, k->profile2, k->key2, k->value2))
        ok = 0, snprintf(why, n, "[%s] %s is not %s", k->profile2, k->key2, k->value2);
    for (size_t i = 0; ok && i < 3 && k->has[i]; i++)
        if (!gd_awsconfig_has_profile(cfg, k->has[i]))
            ok = 0, snprintf(why, n, "no profile '%s'", k->has[i]);
    if (ok && k->sso_session) {
        const char *v = gd_awsconfig_sso_session_get(cfg, k->sso_session, k->sso_key);
        if (!v || strcmp(v, k->sso_value))
            ok = 0, snprintf(why, n, "[sso-session %s] %s is not %s", k->sso_session, k->sso_key,
                             k->sso_value);
    }
    gd_awsconfig_free(cfg);
    return ok;
}

static void test_botocore_configloader_cases(void)
{
    const char *root = getenv("GD_BOTOCORE_TESTS");
    if (!root || !*root) {
        printf("GD_BOTOCORE_TESTS unset: botocore config-loader cases not run\n");
        return;
    }
    int applicable = 0, passed = 0;
    for (size_t i = 0; i < sizeof botocore_cfg_cases / sizeof *botocore_cfg_cases; i++) {
        const cfg_case *k = &botocore_cfg_cases[i];
        char *text = slurp(root, k->file);
        if (!text) {
            printf("  not run  %s: unit/cfg/%s absent\n", k->name, k->file);
            continue;
        }
        char why[300] = "";
        applicable++;
        int ok = run_cfg_case(k, text, why, sizeof why);
        passed += ok;
        printf("  %s %s%s%s\n", ok ? "pass" : "FAIL", k->name, ok ? "" : ": ", ok ? "" : why);
        CHECK_MSG(ok, "%s: %s", k->name, why);
        free(text);
    }
    printf("suite config-loader: %d applicable, %d passed\n", applicable, passed);
}

int main(void)
{
    test_sections_and_prefixes();
    test_quoted_profile_names();
    test_credentials_file_wins_and_profile_prefix_ignored();
    test_duplicate_sections_merge_later_wins();
    test_services_section_subkeys();
    test_continuation_line_joins_value();
    test_malformed_names_file_and_line();
    test_load_from_env_paths_and_missing_files();
    test_profile_name_and_region_precedence();
    test_botocore_configloader_cases();
    return t_done();
}
