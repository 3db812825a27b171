/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_CREDS_H
#define GD_AWS_CREDS_H
/* AWS credentials, resolved in the SDKs' standard order:
 *   1. --profile given: that profile only (env keys are not consulted).
 *   2. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]
 *   3. the profile (AWS_PROFILE or default) when it assumes a role (role_arn
 *      without web_identity_token_file): see 5
 *   4. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> STS AssumeRoleWithWebIdentity
 *   5. the profile (AWS_PROFILE or default) from the shared files: static keys,
 *      role_arn + source_profile (chains, loop detection) or credential_source
 *      (Environment | Ec2InstanceMetadata | EcsContainer), external_id,
 *      role_session_name, duration_seconds, mfa_serial (refused: needs MFA, not
 *      usable unattended), credential_process, SSO (sso_session / sso_start_url,
 *      cached token in ~/.aws/sso/cache, GetRoleCredentials)
 *      A source_profile holding static keys ends a chain: its own role_arn
 *      is not assumed.
 *   6. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI
 *      (+ AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])
 *   7. EC2 IMDSv2 (AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT)
 * Assume-role calls the regional STS endpoint. Temporary credentials are
 * refreshed at least 5 minutes before they expire.
 *
 * Secrets (secret key, session token, web identity/SSO/IMDS/container tokens)
 * are never logged, printed or written anywhere. */
#include <stdint.h>
#include "aws/awsconfig.h"
#include "aws/creds_value.h"
#include "aws/endpoints.h"
#include "aws/http.h"
#include "common/env.h"
#include "common/err.h"
#include "common/timeutil.h"

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

#endif
