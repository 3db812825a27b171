/* SPDX-License-Identifier: Apache-2.0 */
/* The credential provider: picks a source in the standard order (see
 * creds.h), runs it, caches the result and refreshes temporary credentials
 * 5 minutes before they expire (docs/facts.md C2, C4, C12; aws-c-auth's
 * cached provider). Thread-safe: one mutex around the cache. */
#include "aws/creds_internal.h"
#include "common/log.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFRESH_EARLY_MS ((int64_t)5 * 60 * 1000)

struct gd_creds_provider {
    pthread_mutex_t lock;
    gd_creds_options opts;        /* env/files/endpoints/clock borrowed; strings below owned */
    char flag_profile[128];
    char region[64];
    gd_creds_plan plan;
    gd_creds cached;
    int have_cached;
};

/* ---- choosing the source ---------------------------------------------- */

static void describe_base(const gd_creds_options *o, gd_creds_plan *plan)
{
    char *d = plan->describe;
    size_t n = sizeof plan->describe;
    switch (plan->kind) {
    case GD_CREDS_KIND_ENV:
        snprintf(d, n, "environment (AWS_ACCESS_KEY_ID)");
        break;
    case GD_CREDS_KIND_STATIC:
        snprintf(d, n, "profile %s (static keys in %s)", plan->profile,
                 gd_awsconfig_origin(o->files, plan->profile, "aws_access_key_id")
                     ? gd_awsconfig_origin(o->files, plan->profile, "aws_access_key_id")
                     : "shared files");
        break;
    case GD_CREDS_KIND_WEB_IDENTITY:
        snprintf(d, n, "web identity %s (token file %s)", plan->role_arn, plan->token_file);
        break;
    case GD_CREDS_KIND_PROCESS:
        snprintf(d, n, "credential_process of profile %s", plan->profile);
        break;
    case GD_CREDS_KIND_SSO:
        snprintf(d, n, "SSO profile %s (account %s, role %s)", plan->profile, plan->sso_account_id,
                 plan->sso_role_name);
        break;
    case GD_CREDS_KIND_CONTAINER:
        snprintf(d, n, "container credentials endpoint");
        break;
    case GD_CREDS_KIND_IMDS:
        snprintf(d, n, "EC2 instance metadata (IMDSv2)");
        break;
    default:
        snprintf(d, n, "unknown");
    }
}

static void describe_plan(const gd_creds_options *o, gd_creds_plan *plan)
{
    describe_base(o, plan);
    for (size_t i = 0; i < plan->n_roles; i++) {
        char prev[sizeof plan->describe];
        memcpy(prev, plan->describe, sizeof prev);
        snprintf(plan->describe, sizeof plan->describe, "assume-role %s (profile %s) via %s",
                 plan->roles[i].role_arn, plan->roles[i].profile, prev);
    }
}

static int plan_from_profile(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                             gd_err *err)
{
    int rc = gd_creds_profile_plan(o, profile, plan, err);
    if (rc == 0 && plan->kind == GD_CREDS_KIND_SSO)
        rc = gd_creds_sso_check_token(o, plan, err);
    return rc;
}

static int plan_web_identity_env(const gd_env *env, gd_creds_plan *plan)
{
    const char *file = gd_env_get(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *arn = gd_env_get(env, "AWS_ROLE_ARN");
    if (!file || !arn)
        return 0;
    memset(plan, 0, sizeof *plan);
    plan->kind = GD_CREDS_KIND_WEB_IDENTITY;
    snprintf(plan->role_arn, sizeof plan->role_arn, "%s", arn);
    snprintf(plan->token_file, sizeof plan->token_file, "%s", file);
    const char *sn = gd_env_get(env, "AWS_ROLE_SESSION_NAME");
    snprintf(plan->session_name, sizeof plan->session_name, "%s", sn ? sn : "");
    return 1;
}

/* role_arn without web_identity_token_file: the assume-role provider's case. */
static int profile_assumes_role(const gd_creds_options *o, const char *profile)
{
    const char *arn = gd_awsconfig_get(o->files, profile, "role_arn");
    const char *wif = gd_awsconfig_get(o->files, profile, "web_identity_token_file");
    return arn && *arn && !(wif && *wif);
}

/* Steps 2-7 of the chain (no --profile). */
static int plan_default_chain(const gd_creds_options *o, gd_creds_plan *plan, gd_err *err)
{
    int rc = gd_creds_env_present(o->env, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        memset(plan, 0, sizeof *plan);
        plan->kind = GD_CREDS_KIND_ENV;
        return 0;
    }
    const char *profile = gd_awsconfig_profile_name(o->env, NULL);
    /* A profile that assumes a role comes before web identity from the
     * environment (botocore's chain: env, assume-role, web identity, ...;
     * docs/facts.md C4): on EKS with AWS_PROFILE=<role chain>, the run gets
     * the identity the profile names, not the pod's. */
    if (profile_assumes_role(o, profile))
        return plan_from_profile(o, profile, plan, err);
    if (plan_web_identity_env(o->env, plan))
        return 0;
    if (gd_awsconfig_has_profile(o->files, profile)) {
        rc = plan_from_profile(o, profile, plan, err);
        if (rc != GD_E_NOT_FOUND)
            return rc;
    } else if (gd_env_get(o->env, "AWS_PROFILE")) {
        return gd_err_set(err, GD_E_CONFIG, "profile %s (from AWS_PROFILE) not found in %s or %s",
                          profile, gd_awsconfig_config_path(o->files),
                          gd_awsconfig_credentials_path(o->files));
    }
    memset(plan, 0, sizeof *plan);
    rc = gd_creds_container_present(o->env, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        plan->kind = GD_CREDS_KIND_CONTAINER;
        return 0;
    }
    if (!gd_creds_imds_disabled(o->env)) {
        plan->kind = GD_CREDS_KIND_IMDS;
        return 0;
    }
    return gd_err_set(err, GD_E_CREDS,
                      "no credentials found: pass --profile, set AWS_PROFILE, or set "
                      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (instance metadata is disabled by "
                      "AWS_EC2_METADATA_DISABLED)");
}

static int choose_plan(const gd_creds_options *o, gd_creds_plan *plan, gd_err *err)
{
    if (o->flag_profile && *o->flag_profile) {
        /* --profile: that profile only, env keys not consulted (C2). */
        int rc = plan_from_profile(o, o->flag_profile, plan, err);
        if (rc == GD_E_NOT_FOUND)
            return gd_err_set(err, GD_E_CREDS,
                              "profile %s has no credentials (no keys, role_arn, sso or "
                              "credential_process)",
                              o->flag_profile);
        return rc;
    }
    return plan_default_chain(o, plan, err);
}

int gd_creds_provider_new(const gd_creds_options *opts, gd_creds_provider **out, gd_err *err)
{
    *out = NULL;
    gd_creds_provider *p = calloc(1, sizeof *p);
    if (!p)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    p->opts = *opts;
    if (opts->flag_profile)
        snprintf(p->flag_profile, sizeof p->flag_profile, "%s", opts->flag_profile);
    if (opts->region)
        snprintf(p->region, sizeof p->region, "%s", opts->region);
    p->opts.flag_profile = opts->flag_profile ? p->flag_profile : NULL;
    p->opts.region = p->region;
    int rc = choose_plan(&p->opts, &p->plan, err);
    if (rc != 0) {
        free(p);
        return rc;
    }
    describe_plan(&p->opts, &p->plan);
    pthread_mutex_init(&p->lock, NULL);
    *out = p;
    return 0;
}

const char *gd_creds_provider_describe(const gd_creds_provider *p)
{
    return p ? p->plan.describe : "";
}

/* ---- fetching ----------------------------------------------------------- */

static int fetch_base(const gd_creds_provider *p, gd_creds *out, gd_err *err)
{
    const gd_creds_options *o = &p->opts;
    const gd_creds_plan *plan = &p->plan;
    switch (plan->kind) {
    case GD_CREDS_KIND_ENV:
        return gd_creds_env_fetch(o->env, out, err);
    case GD_CREDS_KIND_STATIC:
        return gd_creds_profile_static_fetch(o->files, plan->profile, out, err);
    case GD_CREDS_KIND_WEB_IDENTITY:
        return gd_creds_web_identity_fetch(o, plan, out, err);
    case GD_CREDS_KIND_PROCESS:
        return gd_creds_process_fetch(plan->process, plan->profile, out, err);
    case GD_CREDS_KIND_SSO:
        return gd_creds_sso_fetch(o, plan, out, err);
    case GD_CREDS_KIND_CONTAINER:
        return gd_creds_container_fetch(o, out, err);
    case GD_CREDS_KIND_IMDS:
        return gd_creds_imds_fetch(o, out, err);
    default:
        return gd_err_set(err, GD_E_INTERNAL, "credential provider has no source");
    }
}

static int fetch_plan(const gd_creds_provider *p, gd_creds *out, gd_err *err)
{
    gd_creds cur = {0};
    int rc = fetch_base(p, &cur, err);
    for (size_t i = 0; rc == 0 && i < p->plan.n_roles; i++) {
        gd_creds next = {0};
        rc = gd_creds_assume_role(&p->opts, &p->plan.roles[i], &cur, &next, err);
        if (rc == 0) {
            char prev[sizeof cur.source];
            memcpy(prev, cur.source, sizeof prev);
            snprintf(next.source, sizeof next.source, "assume-role %s via %s",
                     p->plan.roles[i].role_arn, prev);
        }
        gd_creds_clear(&cur);
        cur = next;
    }
    if (rc != 0) {
        gd_creds_clear(&cur);
        return rc;
    }
    *out = cur;
    return 0;
}

static int needs_refresh(const gd_creds_provider *p, int64_t now)
{
    if (!p->have_cached)
        return 1;
    return p->cached.expires_ms != 0 && now >= p->cached.expires_ms - REFRESH_EARLY_MS;
}

static int is_expired(const gd_creds *c, int64_t now)
{
    return c->expires_ms != 0 && now >= c->expires_ms;
}

/* A source may hand back credentials that have already expired (a
 * credential_process or container endpoint serving a stale cache, an old
 * AWS_CREDENTIAL_EXPIRATION): they are refused, never sent (docs/facts.md C12). */
static int refuse_expired(const gd_creds *c, gd_err *err)
{
    char when[32];
    gd_time_format_iso(c->expires_ms, when, sizeof when);
    return gd_err_set(err, GD_E_CREDS, "credentials from %s expired at %s", c->source, when);
}

int gd_creds_provider_get(gd_creds_provider *p, gd_creds *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&p->lock);
    int64_t now = gd_clock_now_ms(p->opts.clock);
    int rc = 0;
    if (needs_refresh(p, now)) {
        gd_creds fresh = {0};
        rc = fetch_plan(p, &fresh, err);
        if (rc == 0 && is_expired(&fresh, now)) {
            rc = refuse_expired(&fresh, err);
            gd_creds_clear(&fresh);
        }
        if (rc == 0) {
            gd_creds_clear(&p->cached);
            p->cached = fresh;
            p->have_cached = 1;
            gd_debug("credentials from %s", p->cached.source);
        } else if (p->have_cached && now < p->cached.expires_ms - 60 * 1000) {
            /* Still valid for more than a minute: keep going, retry next time. */
            gd_warn("credential refresh failed, using the current credentials: %s",
                    err ? err->msg : "");
            rc = 0;
        }
    }
    if (rc == 0 && is_expired(&p->cached, now))
        rc = refuse_expired(&p->cached, err);
    if (rc == 0)
        rc = gd_creds_copy(out, &p->cached);
    pthread_mutex_unlock(&p->lock);
    if (rc == GD_E_NOMEM)
        gd_err_set(err, rc, "out of memory");
    return rc;
}

void gd_creds_provider_free(gd_creds_provider *p)
{
    if (!p)
        return;
    gd_creds_clear(&p->cached);
    pthread_mutex_destroy(&p->lock);
    OPENSSL_cleanse(p, sizeof *p);
    free(p);
}
