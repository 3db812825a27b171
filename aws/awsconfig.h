/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_AWSCONFIG_H
#define GD_AWS_AWSCONFIG_H
/* The AWS shared files: `config` ([default], [profile x], [sso-session x],
 * [services x]) and `credentials` ([x]; a [profile x] section there is ignored).
 * Paths: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and
 * ~/.aws/credentials with ~ from HOME. When a profile is in both files the keys
 * merge and the credentials file wins. '#' and ';' comments; continuation
 * (indented) lines form sub-keys, as used by `services` sections. Missing
 * files are not an error. */
#include <stddef.h>
#include "common/env.h"
#include "common/err.h"

typedef struct gd_awsconfig gd_awsconfig;

int gd_awsconfig_load(const gd_env *env, gd_awsconfig **out, gd_err *err);
/* For tests: parse from in-memory texts (either may be NULL). */
int gd_awsconfig_parse(const char *config_text, const char *credentials_text,
                       gd_awsconfig **out, gd_err *err);
void gd_awsconfig_free(gd_awsconfig *cfg);

int gd_awsconfig_has_profile(const gd_awsconfig *cfg, const char *profile);
/* Merged value of key in the profile, or NULL. Borrowed. */
const char *gd_awsconfig_get(const gd_awsconfig *cfg, const char *profile, const char *key);
/* Path of the file the winning value of key came from (credentials or
 * config path), or NULL when the key is unset. Borrowed. */
const char *gd_awsconfig_origin(const gd_awsconfig *cfg, const char *profile, const char *key);
/* Value from [sso-session NAME]. */
const char *gd_awsconfig_sso_session_get(const gd_awsconfig *cfg, const char *session,
                                         const char *key);
/* From [services NAME]:  service_key =\n   key = value   (service_key e.g. "guardduty"). */
const char *gd_awsconfig_services_get(const gd_awsconfig *cfg, const char *services_name,
                                      const char *service_key, const char *key);
/* Where a profile came from, for messages: "/home/u/.aws/config". Borrowed. */
const char *gd_awsconfig_config_path(const gd_awsconfig *cfg);
const char *gd_awsconfig_credentials_path(const gd_awsconfig *cfg);

/* The profile in effect: --profile, else AWS_PROFILE, else "default". */
const char *gd_awsconfig_profile_name(const gd_env *env, const char *flag_profile);

/* Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`.
 * Writes "" and returns GD_E_NOT_FOUND when none is set. */
int gd_awsconfig_region(const gd_env *env, const gd_awsconfig *cfg, const char *profile,
                        const char *flag_region, char *out, size_t n, gd_err *err);

#endif
