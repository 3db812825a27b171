/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials named by a profile of the shared files (docs/facts.md C5):
 * static keys, role_arn + source_profile chains or credential_source, web
 * identity, SSO and credential_process. This file only plans (no I/O beyond
 * the already-loaded files); creds.c runs the plan. */
#include "aws/creds_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *get(const gd_creds_options *o, const char *profile, const char *key)
{
    const char *v = gd_awsconfig_get(o->files, profile, key);
    return v && *v ? v : NULL;
}

static int copy_field(char *dst, size_t n, const char *v, const char *profile, const char *key,
                      gd_err *err)
{
    if (!v) {
        dst[0] = '\0';
        return 0;
    }
    if (strlen(v) >= n)
        return gd_err_set(err, GD_E_CONFIG, "profile %s: %s is too long", profile, key);
    snprintf(dst, n, "%s", v);
    return 0;
}

static int plan_sso(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                    gd_err *err)
{
    const char *session = get(o, profile, "sso_session");
    const char *url = get(o, profile, "sso_start_url");
    const char *region = get(o, profile, "sso_region");
    if (session) {
        url = gd_awsconfig_sso_session_get(o->files, session, "sso_start_url");
        region = gd_awsconfig_sso_session_get(o->files, session, "sso_region");
        if (!url || !region)
            return gd_err_set(err, GD_E_CONFIG,
                              "profile %s: [sso-session %s] needs sso_start_url and sso_region",
                              profile, session);
    }
    const char *account = get(o, profile, "sso_account_id");
    const char *role = get(o, profile, "sso_role_name");
    if (!url || !region || !account || !role)
        return gd_err_set(err, GD_E_CONFIG,
                          "profile %s: SSO needs sso_account_id, sso_role_name and either "
                          "sso_session or sso_start_url + sso_region",
                          profile);
    plan->kind = GD_CREDS_KIND_SSO;
    int rc = copy_field(plan->sso_session, sizeof plan->sso_session, session, profile,
                        "sso_session", err);
    if (!rc)
        rc = copy_field(plan->sso_start_url, sizeof plan->sso_start_url, url, profile,
                        "sso_start_url", err);
    if (!rc)
        rc = copy_field(plan->sso_region, sizeof plan->sso_region, region, profile, "sso_region",
                        err);
    if (!rc)
        rc = copy_field(plan->sso_account_id, sizeof plan->sso_account_id, account, profile,
                        "sso_account_id", err);
    if (!rc)
        rc = copy_field(plan->sso_role_name, sizeof plan->sso_role_name, role, profile,
                        "sso_role_name", err);
    return rc;
}

static int plan_web_identity(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                             gd_err *err)
{
    plan->kind = GD_CREDS_KIND_WEB_IDENTITY;
    int rc = copy_field(plan->role_arn, sizeof plan->role_arn, get(o, profile, "role_arn"),
                        profile, "role_arn", err);
    if (!rc)
        rc = copy_field(plan->token_file, sizeof plan->token_file,
                        get(o, profile, "web_identity_token_file"), profile,
                        "web_identity_token_file", err);
    if (!rc)
        rc = copy_field(plan->session_name, sizeof plan->session_name,
                        get(o, profile, "role_session_name"), profile, "role_session_name", err);
    return rc;
}

/* A profile's own (non-role) source. GD_E_NOT_FOUND when it has none. */
static int plan_base(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                     gd_err *err)
{
    snprintf(plan->profile, sizeof plan->profile, "%s", profile);
    if (get(o, profile, "role_arn") && get(o, profile, "web_identity_token_file"))
        return plan_web_identity(o, profile, plan, err);
    if (get(o, profile, "sso_session") || get(o, profile, "sso_start_url") ||
        get(o, profile, "sso_account_id"))
        return plan_sso(o, profile, plan, err);
    if (get(o, profile, "aws_access_key_id") || get(o, profile, "aws_secret_access_key")) {
        plan->kind = GD_CREDS_KIND_STATIC;
        return 0;
    }
    const char *proc = get(o, profile, "credential_process");
    if (proc) {
        plan->kind = GD_CREDS_KIND_PROCESS;
        return copy_field(plan->process, sizeof plan->process, proc, profile,
                          "credential_process", err);
    }
    return gd_err_set(err, GD_E_NOT_FOUND, "profile %s has no credentials", profile);
}

static int plan_credential_source(const gd_creds_options *o, const char *profile,
                                  const char *source, gd_creds_plan *plan, gd_err *err)
{
    plan->profile[0] = '\0';
    if (!strcmp(source, "Environment")) {
        int rc = gd_creds_env_present(o->env, err);
        if (rc == 0)
            return gd_err_set(err, GD_E_CREDS,
                              "profile %s: credential_source Environment but "
                              "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
                              profile);
        if (rc < 0)
            return rc;
        plan->kind = GD_CREDS_KIND_ENV;
        return 0;
    }
    if (!strcmp(source, "Ec2InstanceMetadata")) {
        plan->kind = GD_CREDS_KIND_IMDS;
        return 0;
    }
    if (!strcmp(source, "EcsContainer")) {
        int rc = gd_creds_container_present(o->env, err);
        if (rc == 0)
            return gd_err_set(err, GD_E_CREDS,
                              "profile %s: credential_source EcsContainer but neither "
                              "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set",
                              profile);
        if (rc < 0)
            return rc;
        plan->kind = GD_CREDS_KIND_CONTAINER;
        return 0;
    }
    return gd_err_set(err, GD_E_CONFIG,
                      "profile %s: credential_source '%.64s' is not Environment, "
                      "Ec2InstanceMetadata or EcsContainer",
                      profile, source);
}

static int fill_role(const gd_creds_options *o, const char *profile, gd_creds_role *role,
                     gd_err *err)
{
    memset(role, 0, sizeof *role);
    snprintf(role->profile, sizeof role->profile, "%s", profile);
    int rc = copy_field(role->role_arn, sizeof role->role_arn, get(o, profile, "role_arn"),
                        profile, "role_arn", err);
    if (!rc)
        rc = copy_field(role->external_id, sizeof role->external_id,
                        get(o, profile, "external_id"), profile, "external_id", err);
    if (!rc)
        rc = copy_field(role->session_name, sizeof role->session_name,
                        get(o, profile, "role_session_name"), profile, "role_session_name", err);
    if (rc)
        return rc;
    const char *d = get(o, profile, "duration_seconds");
    if (d) {
        char *end;
        errno = 0;
        long v = strtol(d, &end, 10);
        if (errno || *end || v < 900 || v > 43200)
            return gd_err_set(err, GD_E_CONFIG,
                              "profile %s: duration_seconds '%.32s' is not a number of seconds "
                              "between 900 and 43200",
                              profile, d);
        role->duration_seconds = (int)v;
    }
    return 0;
}

typedef struct visit {
    const char *names[GD_CREDS_MAX_CHAIN + 1];
    size_t n;
} visit;

static int resolve(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                   visit *seen, gd_err *err);

static int loop_error(const visit *seen, const char *again, gd_err *err)
{
    char path[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < seen->n && used < sizeof path; i++)
        used += (size_t)snprintf(path + used, sizeof path - used, "%s -> ", seen->names[i]);
    return gd_err_set(err, GD_E_CONFIG, "source_profile loop: %s%s", path, again);
}

/* Base credentials for the role in `profile` (which has role_arn). */
static int resolve_role_source(const gd_creds_options *o, const char *profile,
                               gd_creds_plan *plan, visit *seen, gd_err *err)
{
    const char *src = get(o, profile, "source_profile");
    const char *cs = get(o, profile, "credential_source");
    if (src && cs)
        return gd_err_set(err, GD_E_CONFIG,
                          "profile %s sets both source_profile and credential_source; use one",
                          profile);
    if (!src && !cs)
        return gd_err_set(err, GD_E_CONFIG,
                          "profile %s has role_arn but neither source_profile nor "
                          "credential_source",
                          profile);
    if (cs)
        return plan_credential_source(o, profile, cs, plan, err);
    if (!strcmp(src, profile)) {
        /* A profile may name itself when it holds static keys (botocore
         * test_source_profile_can_reference_self). */
        if (!get(o, profile, "aws_access_key_id"))
            return loop_error(seen, src, err);
        snprintf(plan->profile, sizeof plan->profile, "%s", profile);
        plan->kind = GD_CREDS_KIND_STATIC;
        return 0;
    }
    for (size_t i = 0; i < seen->n; i++)
        if (!strcmp(seen->names[i], src))
            return loop_error(seen, src, err);
    if (seen->n >= GD_CREDS_MAX_CHAIN)
        return gd_err_set(err, GD_E_CONFIG, "profile %s: source_profile chain longer than %d",
                          profile, GD_CREDS_MAX_CHAIN);
    if (get(o, src, "aws_access_key_id")) {
        /* A source profile with static keys ends the chain: its keys sign
         * the AssumeRole, and its own role_arn (if any) is not assumed
         * (botocore AssumeRoleProvider._resolve_credentials_from_profile;
         * docs/facts.md C5). */
        seen->names[seen->n++] = src;
        snprintf(plan->profile, sizeof plan->profile, "%s", src);
        plan->kind = GD_CREDS_KIND_STATIC;
        return 0;
    }
    return resolve(o, src, plan, seen, err);
}

static int resolve(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                   visit *seen, gd_err *err)
{
    if (!gd_awsconfig_has_profile(o->files, profile))
        return gd_err_set(err, GD_E_CONFIG, "profile %s not found in %s or %s", profile,
                          gd_awsconfig_config_path(o->files),
                          gd_awsconfig_credentials_path(o->files));
    seen->names[seen->n++] = profile;
    if (!get(o, profile, "role_arn") || get(o, profile, "web_identity_token_file"))
        return plan_base(o, profile, plan, err);
    if (get(o, profile, "mfa_serial"))
        return gd_err_set(err, GD_E_CREDS,
                          "profile %s needs MFA (mfa_serial), not usable unattended", profile);
    int rc = resolve_role_source(o, profile, plan, seen, err);
    if (rc != 0)
        return rc == GD_E_NOT_FOUND ? gd_err_set(err, GD_E_CREDS,
                                                 "profile %s: its source_profile has no "
                                                 "credentials",
                                                 profile)
                                    : rc;
    if (plan->n_roles >= GD_CREDS_MAX_CHAIN)
        return gd_err_set(err, GD_E_CONFIG, "profile %s: role chain too long", profile);
    return fill_role(o, profile, &plan->roles[plan->n_roles++], err);
}

int gd_creds_profile_plan(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                          gd_err *err)
{
    memset(plan, 0, sizeof *plan);
    visit seen = {{0}, 0};
    return resolve(o, profile, plan, &seen, err);
}

int gd_creds_profile_static_fetch(const gd_awsconfig *files, const char *profile, gd_creds *out,
                                  gd_err *err)
{
    const char *akid = gd_awsconfig_get(files, profile, "aws_access_key_id");
    const char *secret = gd_awsconfig_get(files, profile, "aws_secret_access_key");
    if (!akid || !*akid || !secret || !*secret)
        return gd_err_set(err, GD_E_CREDS,
                          "profile %s needs both aws_access_key_id and aws_secret_access_key",
                          profile);
    const char *token = gd_awsconfig_get(files, profile, "aws_session_token");
    if (!token || !*token)
        token = gd_awsconfig_get(files, profile, "aws_security_token");
    int rc = gd_creds_set(out, akid, secret, token && *token ? token : NULL, 0, err);
    if (rc != 0) {
        gd_err_prefix(err, "profile %s", profile);
        return rc;
    }
    snprintf(out->source, sizeof out->source, "profile %s (static keys in %s)", profile,
             gd_awsconfig_origin(files, profile, "aws_access_key_id"));
    return 0;
}
