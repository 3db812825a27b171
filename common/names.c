/* SPDX-License-Identifier: Apache-2.0 */
/* Region names and URL hosts (see names.h). */
#include "common/names.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int region_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int gd_region_name_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > GD_REGION_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!region_char(s[i]))
            return 0;
    return 1;
}

int gd_url_authority(const char *url, char *out, size_t n)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p || n == 0)
        return -1;
    p += 3;
    size_t len = strcspn(p, "/?#");
    if (len == 0 || len >= n || memchr(p, '@', len))
        return -1;
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)p[i]) || iscntrl((unsigned char)p[i]))
            return -1;
    if (p[len - 1] == ':')
        return -1; /* "host:" without a port */
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int gd_url_host(const char *url, char *out, size_t n)
{
    char auth[512];
    if (n == 0 || gd_url_authority(url, auth, sizeof auth) != 0)
        return -1;
    const char *host = auth;
    size_t len;
    if (auth[0] == '[') {
        const char *end = strchr(auth, ']');
        if (!end)
            return -1;
        host = auth + 1;
        len = (size_t)(end - host);
    } else {
        len = strcspn(auth, ":");
    }
    if (len == 0 || len >= n)
        return -1;
    memcpy(out, host, len);
    out[len] = '\0';
    return 0;
}

int gd_host_is_loopback(const char *host)
{
    unsigned char a[16];
    static const unsigned char v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
        return 1;
    if (inet_pton(AF_INET6, host, a) == 1)
        return !memcmp(a, v6_loop, sizeof a);
    /* inet_pton(AF_INET) accepts only the dotted quad, never "127.1". */
    return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}
