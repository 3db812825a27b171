/* SPDX-License-Identifier: Apache-2.0 */
/* Static credentials from the environment (docs/facts.md C1). Empty
 * values count as unset (gd_env_get). */
#include "aws/creds_internal.h"

#include <stdio.h>

int gd_creds_env_present(const gd_env *env, gd_err *err)
{
    const char *akid = gd_env_get(env, "AWS_ACCESS_KEY_ID");
    const char *secret = gd_env_get(env, "AWS_SECRET_ACCESS_KEY");
    if (akid && secret)
        return 1;
    if (!akid && !secret)
        return 0;
    return gd_err_set(err, GD_E_CREDS, "%s is set but %s is not: set both or neither",
                      akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                      akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
}

int gd_creds_env_fetch(const gd_env *env, gd_creds *out, gd_err *err)
{
    int rc = gd_creds_env_present(env, err);
    if (rc == 0)
        return gd_err_set(err, GD_E_CREDS,
                          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    if (rc < 0)
        return rc;
    const char *token = gd_env_get(env, "AWS_SESSION_TOKEN");
    if (!token)
        token = gd_env_get(env, "AWS_SECURITY_TOKEN"); /* legacy name, botocore reads it */
    int64_t expires = 0;
    const char *exp = gd_env_get(env, "AWS_CREDENTIAL_EXPIRATION");
    if (exp && gd_time_parse_iso(exp, &expires) != 0)
        return gd_err_set(err, GD_E_CREDS, "AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 time");
    rc = gd_creds_set(out, gd_env_get(env, "AWS_ACCESS_KEY_ID"),
                      gd_env_get(env, "AWS_SECRET_ACCESS_KEY"), token, expires, err);
    if (rc != 0) {
        gd_err_prefix(err, "environment");
        return rc;
    }
    snprintf(out->source, sizeof out->source, "environment");
    return 0;
}
