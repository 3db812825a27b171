/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_CREDS_INTERNAL_H
#define GD_AWS_CREDS_INTERNAL_H
/* Internal to aws/: the credential sources, one per file (aws/creds_*.c),
 * chained by creds.c. Other modules use aws/creds.h only. */
#include "aws/aws_client.h"
#include "aws/creds.h"

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

#endif
