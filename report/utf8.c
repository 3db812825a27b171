/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 validation and repair (see utf8.h). */
#include "report/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid sequence at s (at most n bytes), or 0 when invalid. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int gd_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = seq_len(p + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

char *gd_utf8_repair(const char *s, size_t n, size_t *out_len)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *p = (const unsigned char *)s;
    char *d = malloc(n * 3 + 1); /* each bad byte becomes 3 bytes at most */
    if (!d)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t l = seq_len(p + i, n - i);
        if (l) {
            memcpy(d + w, p + i, l);
            w += l;
            i += l;
        } else {
            memcpy(d + w, replacement, 3);
            w += 3;
            i++;
        }
    }
    d[w] = '\0';
    if (out_len)
        *out_len = w;
    return d;
}
