/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_CREDS_H
#define GD_AWS_CREDS_H
/* AWS credentials, resolved in the SDKs' standard order:
 *   1. --profile given: that profile only (env keys are not consulted).
 *   2. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> STS AssumeRoleWithWebIdentity
 *   4. the profile (AWS_PROFILE or default) from the shared files: static keys,
 *      role_arn + source_profile (chains, loop detection) or credential_source
 *      (Environment | Ec2InstanceMetadata | EcsContainer), external_id,
 *      role_session_name, duration_seconds, mfa_serial (refused: needs MFA, not
 *      usable unattended), credential_process, SSO (sso_session / sso_start_url,
 *      cached token in ~/.aws/sso/cache, GetRoleCredentials)
 *   5. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI
 *      (+ AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])
 *   6. EC2 IMDSv2 (AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT)
 * Assume-role calls the regional STS endpoint. Temporary credentials are
 * refreshed at least 5 minutes before they expire.
 *
 * Secrets (secret key, session token, web identity/SSO/IMDS/container tokens)
 * are never logged, printed or written anywhere. */
#include <stdint.h>
#include "aws/awsconfig.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "common/env.h"
#include "common/err.h"
#include "common/timeutil.h"

typedef struct gd_creds {
    char access_key_id[128];
    char secret_access_key[128];
    char *session_token;          /* NULL or owned (malloc) */
    int64_t expires_ms;           /* 0: does not expire */
    char source[256];             /* human description, never a secret:
                                     "environment", "profile prod (static keys in /x/credentials)",
                                     "assume-role arn:aws:iam::1:role/R via profile base", "imds role R" */
} gd_creds;

/* Zeroes the secrets and frees the token. */
void gd_creds_clear(gd_creds *c);
int gd_creds_copy(gd_creds *dst, const gd_creds *src);

typedef struct gd_creds_options {
    const char *flag_profile;     /* --profile, or NULL */
    const char *region;           /* resolved home region: regional STS */
    const gd_env *env;            /* NULL: process environment */
    const gd_awsconfig *files;    /* loaded shared files (may be NULL) */
    const gd_endpoint_config *endpoints;
    const gd_clock *clock;        /* NULL: real clock */
    gd_http_opts http;            /* for STS, SSO, IMDS, container calls */
} gd_creds_options;

typedef struct gd_creds_provider gd_creds_provider;

/* Resolves which source applies (without calling out yet where avoidable). */
int gd_creds_provider_new(const gd_creds_options *opts, gd_creds_provider **out, gd_err *err);
/* Thread-safe. Returns cached credentials, refreshing them when they expire
 * within 5 minutes. out must be cleared with gd_creds_clear. */
int gd_creds_provider_get(gd_creds_provider *p, gd_creds *out, gd_err *err);
void gd_creds_provider_free(gd_creds_provider *p);

/* Short description of the source the provider will use (no call made), for
 * doctor: "profile prod: assume-role arn:... via profile base". Borrowed. */
const char *gd_creds_provider_describe(const gd_creds_provider *p);

/* ---- Internal: one credential source per file (aws/creds_*.c), chained
 * by creds.c. Not for other modules. ---- */
enum gd_creds_kind {
    GD_CREDS_KIND_ENV = 1,        /* creds_env.c */
    GD_CREDS_KIND_STATIC,         /* creds_profile.c: aws_access_key_id in a profile */
    GD_CREDS_KIND_WEB_IDENTITY,   /* creds_web_identity.c */
    GD_CREDS_KIND_PROCESS,        /* creds_process.c */
    GD_CREDS_KIND_SSO,            /* creds_sso.c */
    GD_CREDS_KIND_CONTAINER,      /* creds_container.c */
    GD_CREDS_KIND_IMDS            /* creds_imds.c */
};

#define GD_CREDS_MAX_CHAIN 8

typedef struct gd_creds_role {    /* one sts:AssumeRole hop (creds_assume_role.c) */
    char profile[128];
    char role_arn[256];
    char external_id[256];
    char session_name[128];       /* "" -> "gdreport-<epoch>" */
    int duration_seconds;         /* 0 -> STS default */
} gd_creds_role;

/* How to obtain credentials: a base source, then zero or more role hops. */
typedef struct gd_creds_plan {
    int kind;                     /* enum gd_creds_kind */
    char profile[128];            /* profile holding the base source, "" if none */
    char describe[256];           /* human text, never a secret */
    char role_arn[256];           /* web identity */
    char token_file[1024];        /* web identity */
    char session_name[128];       /* web identity */
    char process[2048];           /* credential_process command */
    char sso_session[128];        /* "" for legacy sso_start_url profiles */
    char sso_start_url[512];
    char sso_region[64];
    char sso_account_id[32];
    char sso_role_name[128];
    gd_creds_role roles[GD_CREDS_MAX_CHAIN];
    size_t n_roles;               /* applied in order after the base */
} gd_creds_plan;

/* creds_env.c: 1 when both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set,
 * 0 when neither, GD_E_CREDS (err set) when only one is. */
int gd_creds_env_present(const gd_env *env, gd_err *err);
int gd_creds_env_fetch(const gd_env *env, gd_creds *out, gd_err *err);
/* creds_profile.c: resolves profile (source_profile chains, credential_source,
 * loops, MFA) into plan. GD_E_NOT_FOUND when the profile holds no credential
 * settings at all (the chain then goes on). */
int gd_creds_profile_plan(const gd_creds_options *o, const char *profile, gd_creds_plan *plan,
                          gd_err *err);
int gd_creds_profile_static_fetch(const gd_awsconfig *files, const char *profile, gd_creds *out,
                                  gd_err *err);
/* creds_assume_role.c: sts:AssumeRole at the regional STS of o->region, signed with source. */
int gd_creds_assume_role(const gd_creds_options *o, const gd_creds_role *role,
                         const gd_creds *source, gd_creds *out, gd_err *err);
/* POSTs a query-protocol form body to the regional STS of o->region (signed
 * with source, or unsigned when source is NULL) and parses <Credentials>. */
int gd_creds_sts_post(const gd_creds_options *o, const gd_creds *source, const char *operation,
                      const char *form_body, gd_creds *out, gd_err *err);
/* Parses an STS <Credentials> XML block (AssumeRole*Response) into out. */
int gd_creds_from_sts_xml(const char *xml, size_t len, gd_creds *out, gd_err *err);
/* creds_web_identity.c */
int gd_creds_web_identity_fetch(const gd_creds_options *o, const gd_creds_plan *plan,
                                gd_creds *out, gd_err *err);
/* creds_process.c: runs command with /bin/sh -c (stdout capped, timeout). */
int gd_creds_process_fetch(const char *command, const char *profile, gd_creds *out, gd_err *err);
/* creds_sso.c: token cache check (no network) and GetRoleCredentials. */
int gd_creds_sso_check_token(const gd_creds_options *o, const gd_creds_plan *plan, gd_err *err);
int gd_creds_sso_fetch(const gd_creds_options *o, const gd_creds_plan *plan, gd_creds *out,
                       gd_err *err);
/* creds_container.c: 1 when a container URI is configured (and valid), 0 when
 * none, GD_E_CREDS for a refused URI or token. */
int gd_creds_container_present(const gd_env *env, gd_err *err);
int gd_creds_container_fetch(const gd_creds_options *o, gd_creds *out, gd_err *err);
/* The JSON both metadata services return: {"AccessKeyId","SecretAccessKey",
 * "Token","Expiration"} (+ "Code":"Success" from IMDS). what names the source. */
int gd_creds_from_metadata_json(const char *what, const char *body, size_t len, gd_creds *out,
                                gd_err *err);
/* creds_imds.c */
int gd_creds_imds_disabled(const gd_env *env);
int gd_creds_imds_fetch(const gd_creds_options *o, gd_creds *out, gd_err *err);
/* creds.c helpers shared by the sources: fill out from JSON-ish fields. */
int gd_creds_set(gd_creds *out, const char *akid, const char *secret, const char *token,
                 int64_t expires_ms, gd_err *err);

#endif
