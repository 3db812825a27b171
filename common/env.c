/* SPDX-License-Identifier: Apache-2.0 */
#include "common/env.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *gd_env_get(const gd_env *env, const char *name)
{
    const char *v = env && env->get ? env->get(env->ud, name) : getenv(name);
    return v && *v ? v : NULL;
}

int gd_env_bool(const gd_env *env, const char *name, int dflt)
{
    const char *v = gd_env_get(env, name);
    if (!v)
        return dflt;
    return !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes");
}
