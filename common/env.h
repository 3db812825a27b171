/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_ENV_H
#define GD_COMMON_ENV_H
/* Injectable environment lookup, so credential/endpoint/region rules can be
 * table-tested without touching the process environment. A NULL gd_env (or a
 * NULL get) means getenv(). Empty values count as unset, as in the AWS SDKs. */

typedef struct gd_env {
    const char *(*get)(void *ud, const char *name);
    void *ud;
} gd_env;

/* Returns NULL when unset or empty. The string is borrowed. */
const char *gd_env_get(const gd_env *env, const char *name);
/* "true"/"1"/"yes" (any case) -> 1; unset -> dflt; anything else -> 0. */
int gd_env_bool(const gd_env *env, const char *name, int dflt);

#endif
