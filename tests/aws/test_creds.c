/* SPDX-License-Identifier: Apache-2.0 */
/* Credential chain (docs/facts.md C1-C12): offline table tests with an
 * injected environment, temp shared files and small /bin/sh credential
 * processes; then the network-backed sources against the fake AWS
 * (tests/fakeaws, 127.0.0.1 only), skipped when $GD_FAKEAWS is absent. */
#include "aws/aws_context.h"
#include "aws/creds_internal.h"
#include "tests/unit/t.h"

#include <jansson.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- fixtures ------------------------------------------------------------ */

#define MAX_ENV 32

typedef struct env_table {
    const char *pairs[2 * MAX_ENV + 1];
} env_table;

static const char *table_get(void *ud, const char *name)
{
    const env_table *t = ud;
    for (size_t i = 0; t->pairs[i]; i += 2)
        if (!strcmp(t->pairs[i], name))
            return t->pairs[i + 1];
    return NULL;
}

static void env_set(env_table *t, const char *name, const char *value)
{
    size_t i = 0;
    while (t->pairs[i] && strcmp(t->pairs[i], name))
        i += 2;
    if (i >= 2 * MAX_ENV)
        return;
    t->pairs[i] = name;
    t->pairs[i + 1] = value;
}

typedef struct test_clock {
    int64_t now_ms;
    int64_t offset_ms; /* real clock + offset when now_ms == 0 */
} test_clock;

static int64_t clock_now(void *ud)
{
    const test_clock *c = ud;
    if (c->now_ms)
        return c->now_ms;
    return gd_time_now_ms() + c->offset_ms;
}

static void clock_sleep(void *ud, int64_t ms)
{
    (void)ud;
    (void)ms; /* container retries: no real sleeping in tests */
}

static char g_dir[64];

static void write_file(const char *name, const char *text, int mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static const char *path_of(const char *name)
{
    static char bufs[8][256];
    static int next;
    char *p = bufs[next++ % 8];
    snprintf(p, 256, "%s/%s", g_dir, name);
    return p;
}

typedef struct fixture {
    env_table env;
    gd_env genv;
    gd_awsconfig *files;
    test_clock clk;
    gd_clock clock;
    gd_endpoint_config ep;
    gd_creds_options o;
} fixture;

static void fx_init(fixture *fx, const char *config, const char *credentials)
{
    memset(fx, 0, sizeof *fx);
    fx->genv.get = table_get;
    fx->genv.ud = &fx->env;
    env_set(&fx->env, "HOME", g_dir);
    env_set(&fx->env, "AWS_EC2_METADATA_DISABLED", "true");
    gd_err err = {0};
    if (config || credentials) {
        write_file("config", config ? config : "", 0600);
        write_file("credentials", credentials ? credentials : "", 0600);
        env_set(&fx->env, "AWS_CONFIG_FILE", path_of("config"));
        env_set(&fx->env, "AWS_SHARED_CREDENTIALS_FILE", path_of("credentials"));
    } else {
        env_set(&fx->env, "AWS_CONFIG_FILE", "/nonexistent/config");
        env_set(&fx->env, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    }
    if (gd_awsconfig_load(&fx->genv, &fx->files, &err) != 0)
        fprintf(stderr, "fixture: %s\n", err.msg);
    fx->clock.now_ms = clock_now;
    fx->clock.sleep_ms = clock_sleep;
    fx->clock.ud = &fx->clk;
    fx->ep.env = &fx->genv;
    fx->ep.files = fx->files;
    fx->ep.profile = "default";
    fx->o.region = "eu-west-3";
    fx->o.env = &fx->genv;
    fx->o.files = fx->files;
    fx->o.endpoints = &fx->ep;
    fx->o.clock = &fx->clock;
}

static void fx_free(fixture *fx)
{
    gd_awsconfig_free(fx->files);
    fx->files = NULL;
}

/* New provider + one get. Returns the rc of whichever failed; fills c/err. */
static int fx_get(fixture *fx, gd_creds *c, gd_err *err)
{
    gd_creds_provider *p = NULL;
    memset(c, 0, sizeof *c);
    int rc = gd_creds_provider_new(&fx->o, &p, err);
    if (rc == 0)
        rc = gd_creds_provider_get(p, c, err);
    gd_creds_provider_free(p);
    return rc;
}

static const char *const STATIC_CREDS = "[default]\n"
                                        "aws_access_key_id = AKIADEFAULT000000001\n"
                                        "aws_secret_access_key = defaultsecret\n"
                                        "[base]\n"
                                        "aws_access_key_id = AKIABASE00000000001\n"
                                        "aws_secret_access_key = basesecret\n"
                                        "aws_session_token = basetoken\n";

/* ---- offline: env, profiles, precedence ---------------------------------- */

static void test_env_keys(void)
{
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_ACCESS_KEY_ID", "AKIAENV0000000000001");
    env_set(&fx.env, "AWS_SECRET_ACCESS_KEY", "envsecret");
    env_set(&fx.env, "AWS_SESSION_TOKEN", "envtoken");
    gd_creds c;
    gd_err err = {0};
    CHECK_INT(fx_get(&fx, &c, &err), 0);
    CHECK_STR(c.access_key_id, "AKIAENV0000000000001");
    CHECK_STR(c.secret_access_key, "envsecret");
    CHECK_STR(c.session_token, "envtoken");
    CHECK_STR(c.source, "environment");
    CHECK(strstr(c.source, "envsecret") == NULL);
    gd_creds_clear(&c);
    CHECK(c.session_token == NULL && c.secret_access_key[0] == '\0');
    fx_free(&fx);
}

static void test_empty_env_values_count_as_unset(void)
{
    fixture fx;
    fx_init(&fx, "", STATIC_CREDS);
    env_set(&fx.env, "AWS_ACCESS_KEY_ID", "");
    env_set(&fx.env, "AWS_SECRET_ACCESS_KEY", "");
    env_set(&fx.env, "AWS_PROFILE", "");
    gd_creds c;
    gd_err err = {0};
    CHECK_INT(fx_get(&fx, &c, &err), 0);
    CHECK_STR(c.access_key_id, "AKIADEFAULT000000001");
    CHECK_MSG(strstr(c.source, "profile default (static keys in ") != NULL, "%s", c.source);
    CHECK(strstr(c.source, "/credentials") != NULL);
    gd_creds_clear(&c);
    fx_free(&fx);
}

static void test_env_beats_aws_profile_and_flag_beats_env(void)
{
    fixture fx;
    fx_init(&fx, "", STATIC_CREDS);
    env_set(&fx.env, "AWS_ACCESS_KEY_ID", "AKIAENV0000000000001");
    env_set(&fx.env, "AWS_SECRET_ACCESS_KEY", "envsecret");
    env_set(&fx.env, "AWS_PROFILE", "base");
    gd_creds c;
    gd_err err = {0};
    CHECK_INT(fx_get(&fx, &c, &err), 0);
    CHECK_STR(c.access_key_id, "AKIAENV0000000000001"); /* C2: env wins over AWS_PROFILE */
    gd_creds_clear(&c);
    fx.o.flag_profile = "base";
    CHECK_INT(fx_get(&fx, &c, &err), 0);
    CHECK_STR(c.access_key_id, "AKIABASE00000000001"); /* --profile removes env keys */
    CHECK_STR(c.session_token, "basetoken");
    gd_creds_clear(&c);
    fx_free(&fx);
}

static void test_partial_env_is_an_error(void)
{
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_ACCESS_KEY_ID", "AKIAENV0000000000001");
    gd_creds c;
    gd_err err = {0};
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "AWS_SECRET_ACCESS_KEY is not") != NULL, "%s", err.msg);
    fx_free(&fx);
}

typedef struct err_case {
    const char *name;
    const char *config;
    const char *flag_profile;
    const char *aws_profile;
    int rc;
    const char *msg;
} err_case;

static const char *const ROLE_CONFIG =
    "[profile loop-a]\nrole_arn = arn:aws:iam::111122223333:role/A\nsource_profile = loop-b\n"
    "[profile loop-b]\nrole_arn = arn:aws:iam::111122223333:role/B\nsource_profile = loop-a\n"
    "[profile self-nokeys]\nrole_arn = arn:aws:iam::111122223333:role/S\nsource_profile = "
    "self-nokeys\n"
    "[profile both]\nrole_arn = arn:aws:iam::111122223333:role/X\nsource_profile = base\n"
    "credential_source = Environment\n"
    "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/M\nsource_profile = base\n"
    "mfa_serial = arn:aws:iam::111122223333:mfa/me\n"
    "[profile chain-mfa]\nrole_arn = arn:aws:iam::111122223333:role/C\nsource_profile = mfa\n"
    "[profile neither]\nrole_arn = arn:aws:iam::111122223333:role/N\n"
    "[profile missing-src]\nrole_arn = arn:aws:iam::111122223333:role/Q\nsource_profile = ghost\n"
    "[profile bad-cs]\nrole_arn = arn:aws:iam::111122223333:role/Z\ncredential_source = Laptop\n"
    "[profile cs-env]\nrole_arn = arn:aws:iam::111122223333:role/E\ncredential_source = "
    "Environment\n"
    "[profile cs-ecs]\nrole_arn = arn:aws:iam::111122223333:role/E\ncredential_source = "
    "EcsContainer\n"
    "[profile bad-duration]\nrole_arn = arn:aws:iam::111122223333:role/D\nsource_profile = base\n"
    "duration_seconds = 12h\n"
    "[profile empty]\nregion = eu-west-1\n"
    "[profile half-keys]\naws_access_key_id = AKIAHALF\n"
    "[profile sso-incomplete]\nsso_account_id = 111122223333\n";

static const err_case error_cases[] = {
    {"missing --profile", "", "nope", NULL, GD_E_CONFIG, "profile nope not found"},
    {"missing AWS_PROFILE", "", NULL, "nope", GD_E_CONFIG, "profile nope (from AWS_PROFILE) not found"},
    {"loop", ROLE_CONFIG, "loop-a", NULL, GD_E_CONFIG, "source_profile loop: loop-a -> loop-b -> loop-a"},
    {"self reference without keys", ROLE_CONFIG, "self-nokeys", NULL, GD_E_CONFIG, "loop"},
    {"source_profile and credential_source", ROLE_CONFIG, "both", NULL, GD_E_CONFIG,
     "profile both sets both source_profile and credential_source"},
    {"mfa", ROLE_CONFIG, "mfa", NULL, GD_E_CREDS,
     "profile mfa needs MFA (mfa_serial), not usable unattended"},
    {"mfa in the chain", ROLE_CONFIG, "chain-mfa", NULL, GD_E_CREDS, "profile mfa needs MFA"},
    {"role without source", ROLE_CONFIG, "neither", NULL, GD_E_CONFIG,
     "neither source_profile nor credential_source"},
    {"missing source profile", ROLE_CONFIG, "missing-src", NULL, GD_E_CONFIG,
     "profile ghost not found"},
    {"unknown credential_source", ROLE_CONFIG, "bad-cs", NULL, GD_E_CONFIG,
     "credential_source 'Laptop'"},
    {"credential_source Environment without env", ROLE_CONFIG, "cs-env", NULL, GD_E_CREDS,
     "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set"},
    {"credential_source EcsContainer without uri", ROLE_CONFIG, "cs-ecs", NULL, GD_E_CREDS,
     "RELATIVE_URI nor _FULL_URI"},
    {"bad duration_seconds", ROLE_CONFIG, "bad-duration", NULL, GD_E_CONFIG, "duration_seconds '12h'"},
    {"profile without credentials", ROLE_CONFIG, "empty", NULL, GD_E_CREDS,
     "profile empty has no credentials"},
    {"half static keys", ROLE_CONFIG, "half-keys", NULL, GD_E_CREDS,
     "needs both aws_access_key_id and aws_secret_access_key"},
    {"incomplete sso", ROLE_CONFIG, "sso-incomplete", NULL, GD_E_CONFIG, "SSO needs"},
    {"nothing at all", NULL, NULL, NULL, GD_E_CREDS, "no credentials found"},
};

static void test_error_table(void)
{
    for (size_t i = 0; i < sizeof error_cases / sizeof *error_cases; i++) {
        const err_case *ec = &error_cases[i];
        fixture fx;
        fx_init(&fx, ec->config, ec->config ? STATIC_CREDS : NULL);
        if (!ec->config)
            env_set(&fx.env, "AWS_CONFIG_FILE", "/nonexistent/config");
        fx.o.flag_profile = ec->flag_profile;
        if (ec->aws_profile)
            env_set(&fx.env, "AWS_PROFILE", ec->aws_profile);
        gd_creds c;
        gd_err err = {0};
        int rc = fx_get(&fx, &c, &err);
        CHECK_MSG(rc == ec->rc, "%s: rc %d (%s)", ec->name, rc, err.msg);
        CHECK_MSG(strstr(err.msg, ec->msg) != NULL, "%s: message '%s'", ec->name, err.msg);
        gd_creds_clear(&c);
        fx_free(&fx);
    }
}

static void test_role_plans_describe_the_chain(void)
{
    const char *config =
        "[profile self]\nrole_arn = arn:aws:iam::111122223333:role/Self\nsource_profile = self\n"
        "[profile mid]\nrole_arn = arn:aws:iam::111122223333:role/Mid\nsource_profile = base\n"
        "[profile top]\nrole_arn = arn:aws:iam::111122223333:role/Top\nsource_profile = mid\n"
        "external_id = ext\nrole_session_name = nightly\nduration_seconds = 3600\n"
        "[profile imds-role]\nrole_arn = arn:aws:iam::111122223333:role/I\n"
        "credential_source = Ec2InstanceMetadata\n";
    const char *creds = "[self]\naws_access_key_id = AKIASELF\naws_secret_access_key = s\n"
                        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n";
    fixture fx;
    fx_init(&fx, config, creds);
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    fx.o.flag_profile = "self";
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    CHECK_MSG(strstr(gd_creds_provider_describe(p), "assume-role arn:aws:iam::111122223333:role/Self"
                                                    " (profile self) via profile self (static") != NULL,
              "%s", gd_creds_provider_describe(p));
    gd_creds_provider_free(p);
    fx.o.flag_profile = "top";
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    CHECK_MSG(strstr(gd_creds_provider_describe(p),
                     "role/Top (profile top) via assume-role arn:aws:iam::111122223333:role/Mid "
                     "(profile mid) via profile base") != NULL,
              "%s", gd_creds_provider_describe(p));
    gd_creds_provider_free(p);
    gd_creds_plan plan;
    CHECK_INT(gd_creds_profile_plan(&fx.o, "top", &plan, &err), 0);
    CHECK_INT(plan.n_roles, 2);
    CHECK_STR(plan.roles[1].external_id, "ext");
    CHECK_STR(plan.roles[1].session_name, "nightly");
    CHECK_INT(plan.roles[1].duration_seconds, 3600);
    CHECK_INT(plan.kind, GD_CREDS_KIND_STATIC);
    CHECK_INT(gd_creds_profile_plan(&fx.o, "imds-role", &plan, &err), 0);
    CHECK_INT(plan.kind, GD_CREDS_KIND_IMDS);
    fx_free(&fx);
}

/* A source profile with static keys AND role_arn/source_profile ends the
 * chain with its keys (botocore): before the fix 'top' assumed Mid as well,
 * one role too many, and ran as the wrong identity. */
static void test_static_source_profile_ends_the_chain(void)
{
    const char *config =
        "[profile top]\nrole_arn = arn:aws:iam::111122223333:role/Top\nsource_profile = both\n"
        "[profile both]\nrole_arn = arn:aws:iam::111122223333:role/Mid\nsource_profile = base\n";
    const char *creds = "[both]\naws_access_key_id = AKIABOTH\naws_secret_access_key = s\n"
                        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n";
    fixture fx;
    fx_init(&fx, config, creds);
    gd_err err = {0};
    gd_creds_plan plan;
    CHECK_INT(gd_creds_profile_plan(&fx.o, "top", &plan, &err), 0);
    CHECK_INT(plan.n_roles, 1);
    CHECK_STR(plan.roles[0].role_arn, "arn:aws:iam::111122223333:role/Top");
    CHECK_INT(plan.kind, GD_CREDS_KIND_STATIC);
    CHECK_STR(plan.profile, "both");
    /* Asked for directly, the profile's own role_arn is what it is for. */
    CHECK_INT(gd_creds_profile_plan(&fx.o, "both", &plan, &err), 0);
    CHECK_INT(plan.n_roles, 1);
    CHECK_STR(plan.roles[0].role_arn, "arn:aws:iam::111122223333:role/Mid");
    CHECK_STR(plan.profile, "base");
    fx_free(&fx);
}

/* AWS_PROFILE naming a role profile beats web identity from the environment
 * (an EKS pod with IRSA and AWS_PROFILE set): before the fix the pod's web
 * identity won and the run had another identity. */
static void test_role_profile_beats_web_identity_env(void)
{
    const char *config =
        "[profile chain]\nrole_arn = arn:aws:iam::111122223333:role/Chain\nsource_profile = base\n"
        "[profile plain]\nregion = eu-west-1\n"
        "[profile wif]\nrole_arn = arn:aws:iam::111122223333:role/W\n"
        "web_identity_token_file = /var/run/token2\n";
    const char *creds = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n";
    static const struct {
        const char *aws_profile, *want;
    } cases[] = {
        {"chain", "assume-role arn:aws:iam::111122223333:role/Chain (profile chain) via profile base"},
        {"plain", "web identity arn:aws:iam::111122223333:role/Pod (token file /var/run/token)"},
        {NULL, "web identity arn:aws:iam::111122223333:role/Pod (token file /var/run/token)"},
        /* a web identity profile does not outrank the environment's */
        {"wif", "web identity arn:aws:iam::111122223333:role/Pod (token file /var/run/token)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture fx;
        fx_init(&fx, config, creds);
        env_set(&fx.env, "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
        env_set(&fx.env, "AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/Pod");
        if (cases[i].aws_profile)
            env_set(&fx.env, "AWS_PROFILE", cases[i].aws_profile);
        gd_creds_provider *p = NULL;
        gd_err err = {0};
        CHECK_MSG(gd_creds_provider_new(&fx.o, &p, &err) == 0, "%s", err.msg);
        CHECK_MSG(p && strstr(gd_creds_provider_describe(p), cases[i].want) != NULL,
                  "AWS_PROFILE=%s: %s", cases[i].aws_profile ? cases[i].aws_profile : "(unset)",
                  p ? gd_creds_provider_describe(p) : err.msg);
        gd_creds_provider_free(p);
        fx_free(&fx);
    }
}

/* ---- credential_process --------------------------------------------------- */

typedef struct proc_case {
    const char *name;
    const char *script;
    int rc;
    const char *expect; /* access key id on success, message fragment otherwise */
} proc_case;

static const proc_case proc_cases[] = {
    {"success", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", "
                "\"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\", "
                "\"Expiration\": \"2030-01-01T00:00:00Z\"}'\n",
     0, "AKIAPROC"},
    {"non-zero exit", "#!/bin/sh\necho 'token for corp expired' >&2\necho second >&2\nexit 3\n",
     GD_E_CREDS, "exited with status 3: token for corp expired"},
    {"bad version", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", "
                    "\"SecretAccessKey\": \"s\"}'\n",
     GD_E_CREDS, "unsupported Version"},
    {"missing secret", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\"}'\n",
     GD_E_CREDS, "no SecretAccessKey"},
    {"missing key id", "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": \"s\"}'\n",
     GD_E_CREDS, "no AccessKeyId"},
    {"bad expiration", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", "
                       "\"SecretAccessKey\": \"s\", \"Expiration\": \"tomorrow\"}'\n",
     GD_E_CREDS, "Expiration is not RFC 3339"},
    {"not json", "#!/bin/sh\necho hello\n", GD_E_CREDS, "not a JSON object"},
};

static void test_credential_process_table(void)
{
    for (size_t i = 0; i < sizeof proc_cases / sizeof *proc_cases; i++) {
        write_file("proc.sh", proc_cases[i].script, 0700);
        char config[512];
        snprintf(config, sizeof config, "[profile p]\ncredential_process = %s\n",
                 path_of("proc.sh"));
        fixture fx;
        fx_init(&fx, config, "");
        fx.o.flag_profile = "p";
        gd_creds c;
        gd_err err = {0};
        int rc = fx_get(&fx, &c, &err);
        CHECK_MSG(rc == proc_cases[i].rc, "%s: rc %d (%s)", proc_cases[i].name, rc, err.msg);
        if (rc == 0) {
            CHECK_STR(c.access_key_id, proc_cases[i].expect);
            CHECK_STR(c.session_token, "proctoken");
            CHECK_STR(c.source, "credential_process of profile p");
            int64_t want = 0;
            gd_time_parse_iso("2030-01-01T00:00:00Z", &want);
            CHECK_INT(c.expires_ms, want);
        } else {
            CHECK_MSG(strstr(err.msg, proc_cases[i].expect) != NULL, "%s: '%s'",
                      proc_cases[i].name, err.msg);
            CHECK(strstr(err.msg, "second") == NULL);
        }
        gd_creds_clear(&c);
        fx_free(&fx);
    }
}

/* The process counts its runs in a file; the clock decides when to refresh. */
static void test_refresh_five_minutes_before_expiry(void)
{
    char script[1024];
    snprintf(script, sizeof script,
             "#!/bin/sh\necho x >> %s\n"
             "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\", "
             "\"SessionToken\": \"t\", \"Expiration\": \"2030-01-01T01:00:00Z\"}'\n",
             path_of("runs"));
    unlink(path_of("runs"));
    write_file("refresh.sh", script, 0700);
    char config[512];
    snprintf(config, sizeof config, "[profile p]\ncredential_process = %s\n",
             path_of("refresh.sh"));
    fixture fx;
    fx_init(&fx, config, "");
    fx.o.flag_profile = "p";
    int64_t expiry = 0;
    gd_time_parse_iso("2030-01-01T01:00:00Z", &expiry);
    fx.clk.now_ms = expiry - 60 * 60 * 1000;
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    static const struct {
        int64_t before_expiry_ms;
        int runs;
    } steps[] = {{60 * 60 * 1000, 1}, {30 * 60 * 1000, 1}, {5 * 60 * 1000 + 1, 1},
                 {5 * 60 * 1000, 2}, {4 * 60 * 1000, 3}};
    for (size_t i = 0; p && i < sizeof steps / sizeof *steps; i++) {
        fx.clk.now_ms = expiry - steps[i].before_expiry_ms;
        gd_creds c;
        CHECK_INT(gd_creds_provider_get(p, &c, &err), 0);
        gd_creds_clear(&c);
        FILE *f = fopen(path_of("runs"), "r");
        int runs = 0, ch;
        while (f && (ch = fgetc(f)) != EOF)
            runs += ch == '\n';
        if (f)
            fclose(f);
        CHECK_MSG(runs == steps[i].runs, "step %zu: %d runs, want %d", i, runs, steps[i].runs);
    }
    gd_creds_provider_free(p);
    fx_free(&fx);
}

/* An expired credential is never handed out: not when the source returns it
 * already expired (credential_process, AWS_CREDENTIAL_EXPIRATION), and not
 * when it expired in the cache and the refresh failed. Before the fix the
 * first get returned the stale keys and the request went out with them. */
static void test_expired_credentials_never_sent(void)
{
    write_file("stale.sh",
               "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIASTALE\", "
               "\"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
               "\"Expiration\": \"2030-01-01T01:00:00Z\"}'\n",
               0700);
    char config[512];
    snprintf(config, sizeof config, "[profile p]\ncredential_process = %s\n", path_of("stale.sh"));
    int64_t expiry = 0;
    gd_time_parse_iso("2030-01-01T01:00:00Z", &expiry);
    fixture fx;
    fx_init(&fx, config, "");
    fx.o.flag_profile = "p";
    gd_creds c;
    gd_err err = {0};
    fx.clk.now_ms = expiry; /* the process serves what expires right now */
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "expired at 2030-01-01T01:00:00Z") != NULL, "%s", err.msg);
    CHECK_STR(c.access_key_id, "");
    fx.clk.now_ms = expiry - 3 * 60 * 1000; /* inside the refresh window, still valid: used */
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    CHECK_STR(c.access_key_id, "AKIASTALE");
    gd_creds_clear(&c);

    /* Cached, then the source starts failing: valid keys carry on, expired never. */
    gd_creds_provider *p = NULL;
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    fx.clk.now_ms = expiry - 60 * 60 * 1000;
    CHECK_INT(gd_creds_provider_get(p, &c, &err), 0);
    gd_creds_clear(&c);
    write_file("stale.sh", "#!/bin/sh\nexit 3\n", 0700);
    fx.clk.now_ms = expiry - 4 * 60 * 1000;
    CHECK_MSG(gd_creds_provider_get(p, &c, &err) == 0, "%s", err.msg);
    gd_creds_clear(&c);
    fx.clk.now_ms = expiry + 1;
    CHECK_INT(gd_creds_provider_get(p, &c, &err), GD_E_CREDS);
    CHECK_STR(c.access_key_id, "");
    gd_creds_provider_free(p);
    fx_free(&fx);

    /* AWS_CREDENTIAL_EXPIRATION in the past. */
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_ACCESS_KEY_ID", "AKIAENVOLD");
    env_set(&fx.env, "AWS_SECRET_ACCESS_KEY", "s");
    env_set(&fx.env, "AWS_SESSION_TOKEN", "t");
    env_set(&fx.env, "AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z");
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "environment") && strstr(err.msg, "expired"), "%s", err.msg);
    env_set(&fx.env, "AWS_CREDENTIAL_EXPIRATION", "2999-01-01T00:00:00Z");
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    gd_creds_clear(&c);
    fx_free(&fx);
}

/* Many threads, one fetch: the cache is shared under the mutex. */
static void *get_many(void *ud)
{
    gd_creds_provider *p = ud;
    for (int i = 0; i < 50; i++) {
        gd_creds c;
        gd_err err = {0};
        if (gd_creds_provider_get(p, &c, &err) != 0 || strcmp(c.access_key_id, "AKIAPROC"))
            return (void *)1;
        gd_creds_clear(&c);
    }
    return NULL;
}

static void test_concurrent_gets_fetch_once(void)
{
    char script[1024];
    snprintf(script, sizeof script,
             "#!/bin/sh\necho x >> %s\n"
             "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\", "
             "\"Expiration\": \"2030-01-01T01:00:00Z\"}'\n",
             path_of("truns"));
    unlink(path_of("truns"));
    write_file("threads.sh", script, 0700);
    char config[512];
    snprintf(config, sizeof config, "[profile p]\ncredential_process = %s\n", path_of("threads.sh"));
    fixture fx;
    fx_init(&fx, config, "");
    fx.o.flag_profile = "p";
    fx.clk.now_ms = 1000;
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    pthread_t th[8];
    for (int i = 0; p && i < 8; i++)
        pthread_create(&th[i], NULL, get_many, p);
    int bad = 0;
    for (int i = 0; p && i < 8; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        bad += r != NULL;
    }
    CHECK_INT(bad, 0);
    FILE *f = fopen(path_of("truns"), "r");
    int runs = 0, ch;
    while (f && (ch = fgetc(f)) != EOF)
        runs += ch == '\n';
    if (f)
        fclose(f);
    CHECK_INT(runs, 1);
    gd_creds_provider_free(p);
    fx_free(&fx);
}

/* ---- SSO token cache ------------------------------------------------------ */

static void write_sso_cache(const char *sha1_hex, const char *expires_at)
{
    char dir[256], body[512];
    snprintf(dir, sizeof dir, "%s/.aws", g_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/.aws/sso", g_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/.aws/sso/cache", g_dir);
    mkdir(dir, 0700);
    snprintf(body, sizeof body, "{\"accessToken\": \"fake-sso-token\", \"expiresAt\": \"%s\"}",
             expires_at);
    char name[128];
    snprintf(name, sizeof name, ".aws/sso/cache/%s.json", sha1_hex);
    write_file(name, body, 0600);
}

static const char *const SSO_CONFIG =
    "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Audit\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-central-1\n"
    "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
    "sso_account_id = 111122223333\nsso_role_name = Audit\n";
/* printf corp | sha1sum ; printf https://legacy.awsapps.com/start | sha1sum */
#define SHA1_CORP "ee0bfd2552fbd840c02cc48b6e823320543c450f"

static void test_sso_token_cache(void)
{
    fixture fx;
    fx_init(&fx, SSO_CONFIG, "");
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    fx.o.flag_profile = "sso";
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "SSO token for session corp not found") != NULL &&
                  strstr(err.msg, "run aws sso login --profile sso") != NULL &&
                  strstr(err.msg, SHA1_CORP ".json") != NULL,
              "%s", err.msg);
    write_sso_cache(SHA1_CORP, "2030-01-01T00:00:00Z");
    fx.clk.now_ms = 0;
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    CHECK_MSG(strstr(gd_creds_provider_describe(p), "SSO profile sso (account 111122223333, role "
                                                    "Audit)") != NULL,
              "%s", gd_creds_provider_describe(p));
    gd_creds_provider_free(p);
    p = NULL;
    gd_time_parse_iso("2030-01-01T00:00:01Z", &fx.clk.now_ms);
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "SSO token for session corp expired: run aws sso login --profile sso") != NULL,
              "%s", err.msg);
    fx.clk.now_ms = 0;
    fx.o.flag_profile = "legacy";
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "start URL https://legacy.awsapps.com/start not found") != NULL,
              "%s", err.msg);
    fx_free(&fx);
}

/* ---- container ------------------------------------------------------------ */

static void test_container_uri_validation(void)
{
    static const struct {
        const char *var, *value;
        int ok;
    } cases[] = {
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.test/x", 1},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/creds", 1},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://[fd00:ec2::23]/v1/credentials", 1},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://localhost/creds", 1},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/creds", 0},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.169.254/creds", 0},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1.evil.test/", 0},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/", 0},
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1},
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.test/x", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture fx;
        fx_init(&fx, NULL, NULL);
        env_set(&fx.env, cases[i].var, cases[i].value);
        gd_creds_provider *p = NULL;
        gd_err err = {0};
        int rc = gd_creds_provider_new(&fx.o, &p, &err);
        CHECK_MSG((rc == 0) == cases[i].ok, "%s=%s: rc %d (%s)", cases[i].var, cases[i].value, rc,
                  err.msg);
        if (rc == 0)
            CHECK_STR(gd_creds_provider_describe(p), "container credentials endpoint");
        gd_creds_provider_free(p);
        fx_free(&fx);
    }
    /* RELATIVE_URI wins over a refused FULL_URI. */
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
    env_set(&fx.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/creds");
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    gd_creds_provider_free(p);
    fx_free(&fx);
}

static void test_container_token_with_newline_refused(void)
{
    static const struct {
        const char *file_text, *var;
        const char *msg;
    } cases[] = {
        {"tok\n", NULL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"},
        {NULL, "tok\r\nX-Injected: 1", "AWS_CONTAINER_AUTHORIZATION_TOKEN"},
        {"bad\rtoken", "fine", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}, /* file wins */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture fx;
        fx_init(&fx, NULL, NULL);
        /* Port 9 on loopback: never reached, the token is refused first. */
        env_set(&fx.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
        if (cases[i].file_text) {
            write_file("ctoken", cases[i].file_text, 0600);
            env_set(&fx.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path_of("ctoken"));
        }
        if (cases[i].var)
            env_set(&fx.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN", cases[i].var);
        gd_creds c;
        gd_err err = {0};
        CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
        CHECK_MSG(strstr(err.msg, "contains CR or LF") != NULL &&
                      strstr(err.msg, cases[i].msg) != NULL,
                  "case %zu: %s", i, err.msg);
        fx_free(&fx);
    }
}

/* ---- against the fake AWS -------------------------------------------------- */

#define FAKE_CONTAINER_TOKEN "ctok-123"

typedef struct fake {
    pid_t pid;
    char url[64];
} fake;

/* Runs argv (python3 ...) that writes its port to port_file; waits for it. */
static int spawn_server(char *const argv[], const char *port_file, fake *f)
{
    unlink(port_file);
    f->pid = fork();
    if (f->pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 600; i++) { /* up to 60 s for python to start */
        FILE *pf = fopen(port_file, "r");
        int port = 0;
        if (pf) {
            if (fscanf(pf, "%d", &port) != 1)
                port = 0;
            fclose(pf);
        }
        if (port > 0) {
            snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", port);
            return 0;
        }
        int status;
        if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
            f->pid = 0;
            return -1;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static int fake_start(fake *f)
{
    const char *script = getenv("GD_FAKEAWS");
    if (!script || access(script, R_OK) != 0)
        return -1;
    const char *port_file = path_of("fake.port");
    char *const argv[] = {"/usr/bin/python3", (char *)script, "--port", "0", "--port-file",
                          (char *)port_file, "--scenario", "small", "--quiet",
                          "--container-token", FAKE_CONTAINER_TOKEN, NULL};
    return spawn_server(argv, port_file, f);
}

static void fake_stop(fake *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
    }
}

static json_t *fake_control(const fake *f, const char *method, const char *path, const char *body)
{
    gd_http_opts ho = {.allow_http_loopback = 1};
    gd_http *h = NULL;
    gd_err err = {0};
    if (gd_http_new(&ho, &h, &err) != 0)
        return NULL;
    char url[256];
    snprintf(url, sizeof url, "%s%s", f->url, path);
    const char *hdrs[] = {"Content-Type: application/json"};
    gd_http_request req = {.method = method, .url = url, .headers = hdrs, .n_headers = 1,
                           .body = body, .body_len = body ? strlen(body) : 0};
    gd_http_response resp;
    gd_http_response_init(&resp);
    json_t *root = NULL;
    if (gd_http_perform(h, &req, &resp) == 0 && resp.status == 200)
        root = json_loadb(gd_buf_cstr(&resp.body), resp.body.len, 0, NULL);
    gd_http_response_free(&resp);
    gd_http_free(h);
    return root;
}

static void fx_use_fake(fixture *fx, const fake *f)
{
    fx->ep.flag_url = f->url;
    fx->o.http.allow_http_loopback = 1;
}

static const char *const FAKE_CREDS = "[base]\n"
                                      "aws_access_key_id = AKIDFAKEADMIN0000001\n"
                                      "aws_secret_access_key = fakeSecretKeyForTestsOnly/0000000000000\n";

static void test_assume_role_uses_regional_sts_and_refreshes(const fake *f)
{
    const char *config = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/GdAdmin\n"
                         "source_profile = base\nexternal_id = ext-42\n";
    fixture fx;
    fx_init(&fx, config, FAKE_CREDS);
    fx_use_fake(&fx, f);
    fx.o.flag_profile = "admin";
    fx.o.region = "ap-southeast-2";
    json_decref(fake_control(f, "POST", "/__fake/stats/reset", "{}"));
    gd_creds_provider *p = NULL;
    gd_err err = {0};
    CHECK_INT(gd_creds_provider_new(&fx.o, &p, &err), 0);
    gd_creds c;
    CHECK_MSG(gd_creds_provider_get(p, &c, &err) == 0, "%s", err.msg);
    CHECK(!strncmp(c.access_key_id, "ASIA", 4));
    CHECK(c.session_token != NULL && c.expires_ms > 0);
    CHECK_MSG(strstr(c.source, "assume-role arn:aws:iam::111122223333:role/GdAdmin via profile base") != NULL,
              "%s", c.source);
    int64_t expires = c.expires_ms;
    gd_creds_clear(&c);
    CHECK_INT(gd_creds_provider_get(p, &c, &err), 0); /* cached */
    gd_creds_clear(&c);

    json_t *st = fake_control(f, "GET", "/__fake/stats", NULL);
    json_t *calls = json_object_get(st, "assume_role_calls");
    CHECK_INT(json_array_size(calls), 1);
    json_t *call = json_array_get(calls, 0);
    CHECK_STR(json_string_value(json_object_get(call, "region")), "ap-southeast-2");
    CHECK_STR(json_string_value(json_object_get(call, "ExternalId")), "ext-42");
    const char *sess = json_string_value(json_object_get(call, "RoleSessionName"));
    CHECK(sess && !strncmp(sess, "gdreport-", 9));
    json_decref(st);

    /* Move both clocks to 4 minutes before expiry: the provider must refresh. */
    int64_t now = gd_time_now_ms();
    int64_t offset = expires - 4 * 60 * 1000 - now;
    char body[64];
    snprintf(body, sizeof body, "{\"offset_seconds\": %lld}", (long long)(offset / 1000));
    json_decref(fake_control(f, "POST", "/__fake/time", body));
    fx.clk.offset_ms = (offset / 1000) * 1000;
    CHECK_MSG(gd_creds_provider_get(p, &c, &err) == 0, "%s", err.msg);
    CHECK(c.expires_ms > expires);
    gd_creds_clear(&c);
    st = fake_control(f, "GET", "/__fake/stats", NULL);
    CHECK_INT(json_array_size(json_object_get(st, "assume_role_calls")), 2);
    json_decref(st);
    json_decref(fake_control(f, "POST", "/__fake/time", "{\"offset_seconds\": 0}"));
    gd_creds_provider_free(p);
    fx_free(&fx);
}

static void test_web_identity(const fake *f)
{
    fixture fx;
    fx_init(&fx, NULL, NULL);
    fx_use_fake(&fx, f);
    write_file("wit", "fake-web-identity-token\n", 0600);
    env_set(&fx.env, "AWS_WEB_IDENTITY_TOKEN_FILE", path_of("wit"));
    env_set(&fx.env, "AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/Web");
    env_set(&fx.env, "AWS_ROLE_SESSION_NAME", "ci-run");
    json_decref(fake_control(f, "POST", "/__fake/stats/reset", "{}"));
    gd_creds c;
    gd_err err = {0};
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    CHECK(!strncmp(c.access_key_id, "ASIA", 4));
    CHECK_STR(c.source, "web identity arn:aws:iam::111122223333:role/Web");
    gd_creds_clear(&c);
    json_t *st = fake_control(f, "GET", "/__fake/stats", NULL);
    json_t *call = json_array_get(json_object_get(st, "web_identity_calls"), 0);
    /* Unsigned: the fake cannot tell the region, only what was asked. */
    CHECK_STR(json_string_value(json_object_get(call, "RoleArn")),
              "arn:aws:iam::111122223333:role/Web");
    CHECK_STR(json_string_value(json_object_get(call, "RoleSessionName")), "ci-run");
    json_decref(st);
    write_file("wit", "wrong-token", 0600);
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "web identity arn:aws:iam::111122223333:role/Web") != NULL, "%s",
              err.msg);
    CHECK(strstr(err.msg, "wrong-token") == NULL);
    fx_free(&fx);
}

static void test_sso_get_role_credentials(const fake *f)
{
    write_sso_cache(SHA1_CORP, "2030-01-01T00:00:00Z");
    fixture fx;
    fx_init(&fx, SSO_CONFIG, "");
    fx_use_fake(&fx, f);
    fx.o.flag_profile = "sso";
    gd_creds c;
    gd_err err = {0};
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    CHECK(!strncmp(c.access_key_id, "ASIA", 4) && c.expires_ms > gd_time_now_ms());
    CHECK_STR(c.source, "SSO profile sso (account 111122223333, role Audit)");
    gd_creds_clear(&c);
    /* A token the portal does not know: a clear error, not the token. */
    char dir[256];
    snprintf(dir, sizeof dir, "%s/.aws/sso/cache/%s.json", g_dir, SHA1_CORP);
    FILE *fp = fopen(dir, "w");
    if (fp) {
        fputs("{\"accessToken\": \"stale-token\", \"expiresAt\": \"2030-01-01T00:00:00Z\"}", fp);
        fclose(fp);
    }
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "GetRoleCredentials") != NULL && strstr(err.msg, "stale") == NULL,
              "%s", err.msg);
    fx_free(&fx);
}

static void test_imds_v2(const fake *f)
{
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_EC2_METADATA_DISABLED", "");
    env_set(&fx.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", f->url);
    json_decref(fake_control(f, "POST", "/__fake/stats/reset", "{}"));
    gd_creds c;
    gd_err err = {0};
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    CHECK(!strncmp(c.access_key_id, "ASIA", 4));
    /* The fake answers 401 to role requests without a valid token header. */
    CHECK_STR(c.source, "EC2 instance metadata (IMDSv2, role gdreport-instance-role)");
    gd_creds_clear(&c);
    json_t *st = fake_control(f, "GET", "/__fake/stats", NULL);
    CHECK_INT(json_integer_value(json_object_get(st, "imds_calls")), 3);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(st, "auth_failures"),
                                                 "ImdsUnauthorized")), 0);
    json_decref(st);
    env_set(&fx.env, "AWS_EC2_METADATA_DISABLED", "true");
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK(strstr(err.msg, "no credentials found") != NULL);
    fx_free(&fx);
}

static void test_container_token_file_wins(const fake *f)
{
    char url[128];
    snprintf(url, sizeof url, "%s/container-credentials/task", f->url);
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    env_set(&fx.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token");
    gd_creds c;
    gd_err err = {0};
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "HTTP 401") != NULL, "%s", err.msg);
    write_file("ctoken", FAKE_CONTAINER_TOKEN, 0600);
    env_set(&fx.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path_of("ctoken"));
    CHECK_MSG(fx_get(&fx, &c, &err) == 0, "%s", err.msg);
    CHECK(!strncmp(c.access_key_id, "ASIA", 4));
    CHECK_STR(c.source, "container credentials endpoint");
    gd_creds_clear(&c);
    /* The endpoint's credentials, seen from after their Expiration: refused. */
    fx.clk.now_ms = INT64_C(4102444800000); /* 2100-01-01 */
    CHECK_INT(fx_get(&fx, &c, &err), GD_E_CREDS);
    CHECK_MSG(strstr(err.msg, "container credentials endpoint expired at") != NULL, "%s", err.msg);
    fx_free(&fx);
}

static void run_fake_tests(void)
{
    fake f = {0};
    if (fake_start(&f) != 0) {
        t_skip_part("network-backed credential sources", "fake AWS ($GD_FAKEAWS) did not start");
        fake_stop(&f);
        return;
    }
    gd_err err = {0};
    gd_http_global_init(&err);
    test_assume_role_uses_regional_sts_and_refreshes(&f);
    test_web_identity(&f);
    test_sso_get_role_credentials(&f);
    test_imds_v2(&f);
    test_container_token_file_wins(&f);
    gd_http_global_cleanup();
    fake_stop(&f);
}

/* ---- aws_context: region, partition, retries, CA bundle, http policy ------- */

typedef struct ctx_case {
    const char *name;
    const char *profile, *region, *endpoint_url;
    int flag_attempts;
    const char *env[6];
    int rc;
    const char *want_region, *want_partition;
    int want_attempts, want_loopback;
    const char *want_ca; /* or message fragment when rc != 0 */
} ctx_case;

static const ctx_case ctx_cases[] = {
    {"profile settings", "p", NULL, NULL, 0, {NULL}, 0, "eu-north-1", "aws", 4, 0, "/p/ca.pem"},
    {"env attempts and CA beat the profile", "p", NULL, NULL, 0,
     {"AWS_MAX_ATTEMPTS", "6", "AWS_CA_BUNDLE", "/env/ca.pem"}, 0, "eu-north-1", "aws", 6, 0,
     "/env/ca.pem"},
    {"flag attempts win", "p", NULL, NULL, 2, {"AWS_MAX_ATTEMPTS", "6"}, 0, "eu-north-1", "aws",
     2, 0, "/p/ca.pem"},
    {"default attempts", "q", "cn-north-1", NULL, 0, {NULL}, 0, "cn-north-1", "aws-cn", 3, 0,
     NULL},
    {"AWS_REGION beats profile region", "p", NULL, NULL, 0, {"AWS_REGION", "us-gov-west-1"}, 0,
     "us-gov-west-1", "aws-us-gov", 4, 0, "/p/ca.pem"},
    {"loopback override allows http", "q", "us-east-1", NULL, 0,
     {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}, 0, "us-east-1", "aws", 3, 1, NULL},
    {"https override keeps https only", "q", "us-east-1", "https://proxy.example.test", 0, {NULL},
     0, "us-east-1", "aws", 3, 0, NULL},
    {"no region", "q", NULL, NULL, 0, {NULL}, GD_E_CONFIG, NULL, NULL, 0, 0,
     "no region: pass --region or set AWS_REGION"},
    {"bad max_attempts", "q", "us-east-1", NULL, 0, {"AWS_MAX_ATTEMPTS", "zero"}, GD_E_CONFIG,
     NULL, NULL, 0, 0, "AWS_MAX_ATTEMPTS 'zero'"},
    {"non-loopback http flag", "q", "us-east-1", "http://10.0.0.1", 0, {NULL}, GD_E_USAGE, NULL,
     NULL, 0, 0, "refused"},
    {"unknown profile", "ghost", "us-east-1", NULL, 0, {NULL}, GD_E_CONFIG, NULL, NULL, 0, 0,
     "profile ghost not found"},
    {"mfa profile", "mfa", "us-east-1", NULL, 0, {NULL}, GD_E_CREDS, NULL, NULL, 0, 0,
     "needs MFA"},
};

static void test_aws_context(void)
{
    const char *config = "[profile p]\nregion = eu-north-1\nmax_attempts = 4\n"
                         "ca_bundle = /p/ca.pem\n"
                         "[profile q]\n"
                         "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/M\n"
                         "source_profile = p\nmfa_serial = arn:aws:iam::111122223333:mfa/x\n";
    const char *creds = "[p]\naws_access_key_id = AKIAP\naws_secret_access_key = ps\n"
                        "[q]\naws_access_key_id = AKIAQ\naws_secret_access_key = qs\n";
    for (size_t i = 0; i < sizeof ctx_cases / sizeof *ctx_cases; i++) {
        const ctx_case *cc = &ctx_cases[i];
        fixture fx;
        fx_init(&fx, config, creds);
        for (size_t k = 0; k < 6 && cc->env[k]; k += 2)
            env_set(&fx.env, cc->env[k], cc->env[k + 1]);
        gd_aws_context_options o = {.profile = cc->profile, .region = cc->region,
                                    .endpoint_url = cc->endpoint_url, .env = &fx.genv,
                                    .max_attempts = cc->flag_attempts};
        gd_aws_context ctx;
        gd_err err = {0};
        int rc = gd_aws_context_init(&ctx, &o, &err);
        CHECK_MSG(rc == cc->rc, "%s: rc %d (%s)", cc->name, rc, err.msg);
        if (rc == 0 && cc->rc == 0) {
            CHECK_MSG(!strcmp(ctx.region, cc->want_region), "%s: region %s", cc->name, ctx.region);
            CHECK_MSG(!strcmp(ctx.partition, cc->want_partition), "%s: partition %s", cc->name,
                      ctx.partition);
            CHECK_MSG(ctx.client_opts.max_attempts == cc->want_attempts, "%s: attempts %d",
                      cc->name, ctx.client_opts.max_attempts);
            CHECK_MSG(ctx.client_opts.http.allow_http_loopback == cc->want_loopback,
                      "%s: loopback %d", cc->name, ctx.client_opts.http.allow_http_loopback);
            const char *ca = ctx.client_opts.http.ca_bundle;
            CHECK_MSG(cc->want_ca ? ca && !strcmp(ca, cc->want_ca) : ca == NULL, "%s: ca %s",
                      cc->name, ca ? ca : "(null)");
            CHECK(ctx.client_opts.get_creds != NULL && ctx.client_opts.quotas == &ctx.quotas);
            gd_aws_context_cleanup(&ctx);
        } else if (rc != 0) {
            CHECK_MSG(strstr(err.msg, cc->want_ca) != NULL, "%s: '%s'", cc->name, err.msg);
        }
        fx_free(&fx);
    }
}

/* ---- IMDSv1 fallback against a stub that refuses the token PUT ------------- */

static const char *const IMDS_STUB =
    "import http.server, json, sys\n"
    "port_file, status, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def log_message(self, *a): pass\n"
    "    def send(self, code, body=b''):\n"
    "        self.send_response(code)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def note(self, what):\n"
    "        with open(log, 'a') as f: f.write(what + '\\n')\n"
    "    def do_PUT(self):\n"
    "        self.note('PUT ttl=%s' % self.headers.get('x-aws-ec2-metadata-token-ttl-seconds'))\n"
    "        self.send(status)\n"
    "    def do_GET(self):\n"
    "        self.note('GET %s token=%s' % (self.path, self.headers.get('x-aws-ec2-metadata-token', '-')))\n"
    "        if self.path.endswith('/security-credentials/'): return self.send(200, b'v1role')\n"
    "        if self.path.endswith('/v1role'):\n"
    "            return self.send(200, json.dumps({'Code': 'Success', 'AccessKeyId': 'ASIAV1STUB', "
    "'SecretAccessKey': 's', 'Token': 't', 'Expiration': '2030-01-01T00:00:00Z'}).encode())\n"
    "        self.send(404)\n"
    "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
    "open(port_file + '.tmp', 'w').write(str(s.server_address[1]))\n"
    "import os; os.rename(port_file + '.tmp', port_file)\n"
    "s.serve_forever()\n";

static int count_lines_with(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return n;
}

static void imds_stub_case(int put_status, int v1_disabled)
{
    write_file("imds_stub.py", IMDS_STUB, 0600);
    unlink(path_of("imds.log"));
    char status[8];
    snprintf(status, sizeof status, "%d", put_status);
    const char *port_file = path_of("imds.port");
    char *const argv[] = {"/usr/bin/python3", (char *)path_of("imds_stub.py"), (char *)port_file,
                          status, (char *)path_of("imds.log"), NULL};
    fake stub = {0};
    if (spawn_server(argv, port_file, &stub) != 0) {
        t_skip_part("IMDSv1 fallback", "the IMDS stub (python3) did not start");
        fake_stop(&stub);
        return;
    }
    fixture fx;
    fx_init(&fx, NULL, NULL);
    env_set(&fx.env, "AWS_EC2_METADATA_DISABLED", "false");
    env_set(&fx.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", stub.url);
    if (v1_disabled)
        env_set(&fx.env, "AWS_EC2_METADATA_V1_DISABLED", "true");
    gd_creds c;
    gd_err err = {0};
    int rc = fx_get(&fx, &c, &err);
    const char *log = path_of("imds.log");
    CHECK_MSG(count_lines_with(log, "PUT ttl=21600") >= 1, "PUT %d: token TTL header", put_status);
    if (put_status == 400) {
        CHECK_MSG(rc == GD_E_CREDS && strstr(err.msg, "HTTP 400"), "400: %s", err.msg);
        CHECK_INT(count_lines_with(log, "GET "), 0);
    } else if (v1_disabled) {
        CHECK_MSG(rc == GD_E_CREDS && strstr(err.msg, "AWS_EC2_METADATA_V1_DISABLED"), "%s",
                  err.msg);
        CHECK_INT(count_lines_with(log, "GET "), 0);
    } else {
        CHECK_MSG(rc == 0, "v1 fallback after %d: %s", put_status, err.msg);
        CHECK_STR(c.access_key_id, "ASIAV1STUB");
        CHECK_STR(c.source, "EC2 instance metadata (IMDSv1, role v1role)");
        CHECK_INT(count_lines_with(log, "token=-"), 2);
    }
    gd_creds_clear(&c);
    fx_free(&fx);
    fake_stop(&stub);
}

static void test_imds_v1_fallback(void)
{
    gd_err err = {0};
    gd_http_global_init(&err);
    imds_stub_case(405, 0);
    imds_stub_case(403, 0);
    imds_stub_case(404, 1);
    imds_stub_case(400, 0);
    gd_http_global_cleanup();
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/gd_creds_XXXXXX");
    if (!mkdtemp(g_dir))
        return t_skip("mkdtemp failed");
    test_env_keys();
    test_empty_env_values_count_as_unset();
    test_env_beats_aws_profile_and_flag_beats_env();
    test_partial_env_is_an_error();
    test_error_table();
    test_role_plans_describe_the_chain();
    test_credential_process_table();
    test_static_source_profile_ends_the_chain();
    test_role_profile_beats_web_identity_env();
    test_refresh_five_minutes_before_expiry();
    test_expired_credentials_never_sent();
    test_concurrent_gets_fetch_once();
    test_sso_token_cache();
    test_container_uri_validation();
    test_container_token_with_newline_refused();
    test_aws_context();
    test_imds_v1_fallback();
    run_fake_tests();
    remove_tree();
    return t_done();
}
