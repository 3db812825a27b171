/* SPDX-License-Identifier: Apache-2.0 */
/* gdreport doctor: checks, step by step, that an unattended collect would
 * work: profile and region, each service's endpoint, where the credentials
 * come from (never the secret), the caller identity and one signed GuardDuty
 * call in the home region. Exit 0 only when every step passes. */
#include "cli/cli.h"
#include "cli/flags.h"
#include "aws/aws_context.h"
#include "aws/sts.h"
#include "common/log.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

typedef struct doctor_flags {
    const char *profile, *region, *endpoint_url, *log_format;
    int verbose, quiet;
} doctor_flags;

static const char *const SERVICES[] = {"guardduty", "sts", "organizations", "account", "sso"};

/* Doctor has no config section: flags only (the AWS_* environment still
 * applies through the AWS context). */
static void help_doctor(FILE *out);

/* 1 when run_doctor should return *code (help printed, or a bad flag). */
static int parse_flags(int argc, char **argv, doctor_flags *f, int *code)
{
    gd_flag_args a;
    if (gd_flags_parse_cmd("doctor", help_doctor, 0, argc, argv, &a, code))
        return 1;
    memset(f, 0, sizeof *f);
    f->profile = gd_flag_text(&a, GD_F_PROFILE);
    f->region = gd_flag_text(&a, GD_F_REGION);
    f->endpoint_url = gd_flag_text(&a, GD_F_ENDPOINT_URL);
    f->log_format = gd_flag_text(&a, GD_F_LOG_FORMAT);
    f->quiet = gd_flag_on(&a, GD_F_QUIET);
    f->verbose = gd_flag_verbosity(&a);
    return 0;
}

static void step(int ok, const char *name, const char *detail)
{
    printf("%-8s %-12s %s\n", ok ? "[ok]" : "[FAILED]", name, detail);
    fflush(stdout);
}

/* AKIA…WXYZ: the first and last four characters only. */
static void mask_key(const char *akid, char *out, size_t n)
{
    size_t len = strlen(akid);
    if (len < 12)
        snprintf(out, n, "****");
    else
        snprintf(out, n, "%.4s\xe2\x80\xa6%s", akid, akid + len - 4);
}

static int check_endpoints(gd_aws_context *ctx)
{
    int failed = 0;
    char line[1024];
    for (size_t i = 0; i < sizeof SERVICES / sizeof *SERVICES; i++) {
        gd_endpoint ep;
        gd_err err = {0};
        if (gd_endpoint_resolve(&ctx->endpoints, SERVICES[i], ctx->region, &ep, &err) != 0) {
            /* Only GuardDuty and STS are needed for collect; the others are reported. */
            int needed = i < 2;
            snprintf(line, sizeof line, "%s: %s%s", SERVICES[i], err.msg,
                     needed ? "" : " (not needed by collect)");
            step(!needed, "endpoint", line);
            failed |= needed;
            continue;
        }
        snprintf(line, sizeof line, "%-13s %s (signed as %s in %s)%s", SERVICES[i], ep.url,
                 ep.signing_name, ep.signing_region, ep.overridden ? " [configured]" : "");
        step(1, "endpoint", line);
    }
    return failed;
}

static int check_credentials(gd_aws_context *ctx)
{
    gd_creds c = {0};
    gd_err err = {0};
    char line[1024];
    if (gd_creds_provider_get(ctx->creds, &c, &err) != 0) {
        step(0, "credentials", err.msg);
        return 1;
    }
    char masked[32], exp[32] = "does not expire";
    mask_key(c.access_key_id, masked, sizeof masked);
    if (c.expires_ms) {
        char iso[32];
        snprintf(exp, sizeof exp, "expires %s", gd_time_format_iso(c.expires_ms, iso, sizeof iso));
    }
    snprintf(line, sizeof line, "%s, access key %s, %s%s", c.source, masked,
             c.session_token ? "temporary, " : "", exp);
    gd_creds_clear(&c);
    step(1, "credentials", line);
    return 0;
}

static int check_identity(gd_aws_client *client, const gd_aws_context *ctx)
{
    gd_caller_identity id;
    gd_err err = {0};
    char line[1024];
    memset(&id, 0, sizeof id);
    if (gd_sts_get_caller_identity(client, ctx->region, &id, &err) != 0) {
        step(0, "identity", err.msg);
        return 1;
    }
    snprintf(line, sizeof line, "account %s, %s", id.account, id.arn);
    step(1, "identity", line);
    return 0;
}

static int check_guardduty(gd_aws_client *client, const gd_aws_context *ctx)
{
    gd_aws_request req = {.service = "guardduty", .region = ctx->region,
                          .operation = "ListDetectors", .method = "GET", .path = "/detector",
                          .query = "maxResults=1"};
    gd_aws_response resp;
    gd_err err = {0};
    char line[1024];
    gd_aws_response_init(&resp);
    int rc = gd_aws_call(client, &req, &resp, &err);
    if (rc == 0) {
        json_t *root = json_loadb(gd_buf_cstr(&resp.body), resp.body.len, 0, NULL);
        json_t *ids = json_object_get(root, "detectorIds");
        if (json_is_array(ids)) {
            snprintf(line, sizeof line, "ListDetectors in %s: %s", ctx->region,
                     json_array_size(ids) ? "a detector exists"
                                          : "no detector (GuardDuty is not enabled here)");
        } else {
            rc = GD_E_PARSE;
            snprintf(line, sizeof line, "ListDetectors in %s: response without detectorIds",
                     ctx->region);
        }
        json_decref(root);
    } else {
        snprintf(line, sizeof line, "%s", err.msg);
    }
    gd_aws_response_free(&resp);
    step(rc == 0, "guardduty", line);
    return rc != 0;
}

static void describe_setup(const gd_aws_context *ctx, const doctor_flags *f)
{
    char line[1024];
    snprintf(line, sizeof line, "%s (%s); files %s, %s", ctx->profile,
             f->profile                              ? "from --profile"
             : gd_env_get(ctx->env, "AWS_PROFILE") ? "from AWS_PROFILE"
                                                     : "no --profile or AWS_PROFILE",
             gd_awsconfig_config_path(ctx->files), gd_awsconfig_credentials_path(ctx->files));
    step(1, "profile", line);
    snprintf(line, sizeof line, "%s (partition %s)", ctx->region, ctx->partition);
    step(1, "region", line);
    snprintf(line, sizeof line, "%s", gd_creds_provider_describe(ctx->creds));
    step(1, "source", line);
}

/* When no credential source is usable the context is not built: still show
 * the profile and region the checks would have used. */
static void describe_without_context(const doctor_flags *f)
{
    gd_awsconfig *files = NULL;
    gd_err err = {0};
    if (gd_awsconfig_load(NULL, &files, &err) != 0)
        return;
    const char *profile = gd_awsconfig_profile_name(NULL, f->profile);
    char line[1024], region[64];
    snprintf(line, sizeof line, "%s; files %s, %s", profile, gd_awsconfig_config_path(files),
             gd_awsconfig_credentials_path(files));
    step(1, "profile", line);
    if (gd_awsconfig_region(NULL, files, profile, f->region, region, sizeof region, &err) == 0) {
        snprintf(line, sizeof line, "%s (partition %s)", region,
                 gd_partition_of_region(region) ? gd_partition_of_region(region) : "unknown");
        step(1, "region", line);
    }
    gd_awsconfig_free(files);
}

static int run_checks(gd_aws_context *ctx, const doctor_flags *f)
{
    describe_setup(ctx, f);
    int failed = check_endpoints(ctx);
    if (check_credentials(ctx)) {
        step(0, "identity", "skipped: no credentials");
        step(0, "guardduty", "skipped: no credentials");
        return 1;
    }
    gd_aws_client *client = NULL;
    gd_err err = {0};
    if (gd_aws_context_new_client(ctx, &client, &err) != 0) {
        step(0, "client", err.msg);
        return 1;
    }
    failed |= check_identity(client, ctx);
    failed |= check_guardduty(client, ctx);
    gd_aws_client_free(client);
    return failed;
}

static int run_doctor(int argc, char **argv)
{
    doctor_flags f;
    int code;
    if (parse_flags(argc, argv, &f, &code))
        return code;
    gd_cli_set_verbosity(f.quiet, f.verbose);
    if (f.log_format && gd_cli_set_log_format(f.log_format) != 0) {
        gd_cli_error("--log-format: expected text or json, got '%s'", f.log_format);
        return GD_EXIT_USAGE;
    }
    gd_err err = {0};
    if (gd_http_global_init(&err) != 0)
        return gd_cli_fail(&err);
    gd_aws_context ctx;
    gd_aws_context_options o = {.profile = f.profile, .region = f.region,
                                .endpoint_url = f.endpoint_url};
    int rc = gd_aws_context_init(&ctx, &o, &err);
    if (rc == GD_E_CREDS) {
        describe_without_context(&f);
        step(0, "credentials", err.msg);
    } else if (rc != 0) {
        step(0, "setup", err.msg);
    }
    if (rc != 0) {
        gd_http_global_cleanup();
        printf("doctor: some checks FAILED\n");
        return rc == GD_E_USAGE ? GD_EXIT_USAGE : GD_EXIT_FATAL;
    }
    int failed = run_checks(&ctx, &f);
    gd_aws_context_cleanup(&ctx);
    gd_http_global_cleanup();
    printf("%s\n", failed ? "doctor: some checks FAILED" : "doctor: all checks passed");
    return failed ? GD_EXIT_FATAL : GD_EXIT_OK;
}

static void help_doctor(FILE *out)
{
    fprintf(out,
"Usage: gdreport doctor [--profile P] [--region R] [--endpoint-url URL]\n"
"                       [-q|-v|-vv] [--log-format text|json]\n"
"\n"
"Checks, step by step, what an unattended 'gdreport collect' needs, and prints\n"
"each step as [ok] or [FAILED] with the reason:\n"
"  profile      the profile in effect and the shared files read\n"
"  region       the home region and its partition (aws, aws-cn, aws-us-gov)\n"
"  source       where credentials will come from (env, profile, role, SSO, ...)\n"
"  endpoint     the resolved URL and signing region of guardduty, sts,\n"
"               organizations, account and the SSO portal\n"
"  credentials  fetches them; shows the source and the access key id masked\n"
"               (AKIA...WXYZ). Secret keys and tokens are never printed.\n"
"  identity     sts:GetCallerIdentity in the home region (regional STS)\n"
"  guardduty    one signed ListDetectors call in the home region\n"
"\n"
"\n");
    gd_flags_print_options(out, "doctor");
    fprintf(out,
"\n"
"Credentials are looked up in this order: --profile; AWS_ACCESS_KEY_ID +\n"
"AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]; AWS_WEB_IDENTITY_TOKEN_FILE +\n"
"AWS_ROLE_ARN; the profile (AWS_PROFILE or default): static keys, role_arn with\n"
"source_profile or credential_source, credential_process, SSO; container\n"
"credentials; EC2 instance metadata (IMDSv2). Profiles with mfa_serial and\n"
"expired SSO tokens are refused: they need a person at the keyboard.\n"
"\n"
"Exit status: 0 every check passed, 1 a check failed, 2 usage error.\n"
"\n"
"Examples:\n"
"  gdreport doctor --profile security-audit --region eu-west-1\n"
"  AWS_PROFILE=gd-admin AWS_REGION=us-east-1 gdreport doctor -v\n"
"  gdreport doctor --region eu-central-1 --log-format json 2>doctor.log\n"
"  gdreport doctor --region us-east-1 --endpoint-url http://127.0.0.1:4566\n");
}

const gd_cli_command gd_cmd_doctor = {"doctor",
                                      "check credentials, region, endpoints and GuardDuty access",
                                      run_doctor, help_doctor};
