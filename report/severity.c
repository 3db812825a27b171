/* SPDX-License-Identifier: Apache-2.0 */
#include "report/severity.h"

#include <strings.h>

int gd_severity_band(double severity)
{
    if (severity >= 9.0)
        return GD_SEV_CRITICAL;
    if (severity >= 7.0)
        return GD_SEV_HIGH;
    if (severity >= 4.0)
        return GD_SEV_MEDIUM;
    return GD_SEV_LOW;
}

static const char *const names[GD_SEV_COUNT] = {"low", "medium", "high", "critical"};
static const char *const labels[GD_SEV_COUNT] = {"Low", "Medium", "High", "Critical"};

const char *gd_severity_name(int band)
{
    return band >= 0 && band < GD_SEV_COUNT ? names[band] : "low";
}

const char *gd_severity_label(int band)
{
    return band >= 0 && band < GD_SEV_COUNT ? labels[band] : "Low";
}

int gd_severity_parse(const char *s)
{
    for (int i = 0; s && i < GD_SEV_COUNT; i++)
        if (!strcasecmp(s, names[i]))
            return i;
    return -1;
}
