/* SPDX-License-Identifier: Apache-2.0 */
/* Console links of report/finding_links.h (the resource table moved to
 * common/resource_paths.c, shared with the store). */
#include "report/finding_links.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/names.h"

static int finding_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (!isalnum((unsigned char)id[n]) || n >= 64)
            return 0;
    return n > 0;
}

int gd_finding_console_url(const char *region, const char *finding_id, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    if (!region || !finding_id || !gd_region_name_valid(region) || !finding_id_valid(finding_id))
        return -1;
    const char *domain = !strncmp(region, "cn-", 3)       ? "console.amazonaws.cn"
                         : !strncmp(region, "us-gov-", 7) ? "console.amazonaws-us-gov.com"
                                                          : "console.aws.amazon.com";
    int w = snprintf(out, n, "https://%s.%s/guardduty/home?region=%s#/findings?macros=current&fId=%s",
                     region, domain, region, finding_id);
    if (w < 0 || (size_t)w >= n) {
        if (n)
            out[0] = '\0';
        return -1;
    }
    return 0;
}
