/* SPDX-License-Identifier: Apache-2.0 */
/* Assembles the per-process AWS context from flags, environment and the
 * shared files. The context holds pointers into itself (endpoints, quota,
 * creds), so it must stay where gd_aws_context_init put it. */
#include "aws/aws_context.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SERVICES[] = {"guardduty", "sts", "organizations", "account", "sso"};

static int creds_getter(void *ud, struct gd_creds *out, gd_err *err)
{
    return gd_creds_provider_get(ud, out, err);
}

/* flag, else AWS_MAX_ATTEMPTS, else the profile's max_attempts, else 3. */
static int max_attempts(const gd_aws_context *ctx, int flag, int *out, gd_err *err)
{
    if (flag > 0) {
        *out = flag;
        return 0;
    }
    const char *from = "AWS_MAX_ATTEMPTS";
    const char *v = gd_env_get(ctx->env, "AWS_MAX_ATTEMPTS");
    if (!v) {
        v = gd_awsconfig_get(ctx->files, ctx->profile, "max_attempts");
        from = "max_attempts";
    }
    *out = GD_RETRY_DEFAULT_MAX_ATTEMPTS;
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < 1 || n > 20)
        return gd_err_set(err, GD_E_CONFIG, "%s '%.32s' is not a number from 1 to 20", from, v);
    *out = (int)n;
    return 0;
}

/* http:// is allowed only when a configured endpoint is a loopback URL. */
static int any_loopback_override(const gd_aws_context *ctx)
{
    for (size_t i = 0; i < sizeof SERVICES / sizeof *SERVICES; i++) {
        gd_endpoint ep;
        gd_err ignore = {0};
        if (gd_endpoint_resolve(&ctx->endpoints, SERVICES[i], ctx->region, &ep, &ignore) == 0 &&
            ep.overridden && !strncmp(ep.url, "http://", 7))
            return 1;
    }
    return 0;
}

static int resolve_profile_and_region(gd_aws_context *ctx, const gd_aws_context_options *opts,
                                      gd_err *err)
{
    const char *profile = gd_awsconfig_profile_name(ctx->env, opts->profile);
    if (strlen(profile) >= sizeof ctx->profile)
        return gd_err_set(err, GD_E_USAGE, "profile name too long");
    snprintf(ctx->profile, sizeof ctx->profile, "%s", profile);
    if (opts->profile && !gd_awsconfig_has_profile(ctx->files, opts->profile))
        return gd_err_set(err, GD_E_CONFIG, "profile %s not found in %s or %s", opts->profile,
                          gd_awsconfig_config_path(ctx->files),
                          gd_awsconfig_credentials_path(ctx->files));
    int rc = gd_awsconfig_region(ctx->env, ctx->files, ctx->profile, opts->region, ctx->region,
                                 sizeof ctx->region, err);
    if (rc == GD_E_NOT_FOUND)
        return gd_err_set(err, GD_E_CONFIG, "no region: pass --region or set AWS_REGION");
    if (rc != 0)
        return rc;
    const char *part = gd_partition_of_region(ctx->region);
    if (!part)
        return gd_err_set(err, GD_E_CONFIG,
                          "region %s is not in the aws, aws-cn or aws-us-gov partition",
                          ctx->region);
    snprintf(ctx->partition, sizeof ctx->partition, "%s", part);
    return 0;
}

static int setup_client_options(gd_aws_context *ctx, const gd_aws_context_options *opts,
                                gd_err *err)
{
    gd_aws_options *co = &ctx->client_opts;
    co->http.connect_timeout_ms = opts->connect_timeout_ms;
    co->http.total_timeout_ms = opts->request_timeout_ms;
    const char *ca = gd_env_get(ctx->env, "AWS_CA_BUNDLE");
    if (!ca)
        ca = gd_awsconfig_get(ctx->files, ctx->profile, "ca_bundle");
    co->http.ca_bundle = ca && *ca ? ca : NULL;
    co->http.allow_http_loopback = any_loopback_override(ctx);
    co->endpoints = &ctx->endpoints;
    co->quotas = &ctx->quotas;
    return max_attempts(ctx, opts->max_attempts, &co->max_attempts, err);
}

int gd_aws_context_init(gd_aws_context *ctx, const gd_aws_context_options *opts, gd_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->env = opts->env;
    gd_retry_quotas_init(&ctx->quotas, GD_RETRY_QUOTA_CAPACITY);
    int rc = 0;
    if (opts->endpoint_url && !gd_endpoint_url_allowed(opts->endpoint_url)) {
        rc = gd_err_set(err, GD_E_USAGE,
                        "--endpoint-url %.200s refused: use https://, or http:// only to a "
                        "loopback address",
                        opts->endpoint_url);
        goto fail;
    }
    rc = gd_awsconfig_load(ctx->env, &ctx->files, err);
    if (rc == 0)
        rc = resolve_profile_and_region(ctx, opts, err);
    if (rc != 0)
        goto fail;
    ctx->endpoints = (gd_endpoint_config){.flag_url = opts->endpoint_url, .env = ctx->env,
                                          .files = ctx->files, .profile = ctx->profile};
    rc = setup_client_options(ctx, opts, err);
    if (rc != 0)
        goto fail;
    gd_creds_options co = {.flag_profile = opts->profile, .region = ctx->region, .env = ctx->env,
                           .files = ctx->files, .endpoints = &ctx->endpoints,
                           .http = ctx->client_opts.http};
    rc = gd_creds_provider_new(&co, &ctx->creds, err);
    if (rc != 0)
        goto fail;
    ctx->client_opts.get_creds = creds_getter;
    ctx->client_opts.creds_ud = ctx->creds;
    gd_debug("profile %s, region %s (%s), credentials: %s", ctx->profile, ctx->region,
             ctx->partition, gd_creds_provider_describe(ctx->creds));
    return 0;
fail:
    gd_aws_context_cleanup(ctx);
    return rc;
}

void gd_aws_context_cleanup(gd_aws_context *ctx)
{
    if (!ctx)
        return;
    gd_creds_provider_free(ctx->creds);
    ctx->creds = NULL;
    gd_awsconfig_free(ctx->files);
    ctx->files = NULL;
    gd_retry_quotas_destroy(&ctx->quotas);
    memset(ctx, 0, sizeof *ctx);
}

int gd_aws_context_new_client(gd_aws_context *ctx, gd_aws_client **out, gd_err *err)
{
    return gd_aws_client_new(&ctx->client_opts, out, err);
}
