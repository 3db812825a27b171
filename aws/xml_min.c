/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded first-element text extraction for AWS XML (see xml_min.h). */
#include "aws/xml_min_internal.h"

#include "common/err.h"
#include "common/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XML_MAX_ENTITY 12 /* "&#x10FFFF;" fits */

static int is_name_end(char c)
{
    return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *find_byte(const char *p, const char *end, char c)
{
    return p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
}

/* Start of the first "<tag" followed by a name end, or NULL. */
static const char *find_start_tag(const char *p, const char *end, const char *tag, size_t tl)
{
    while ((p = find_byte(p, end, '<')) != NULL) {
        if ((size_t)(end - p) > tl + 1 && !memcmp(p + 1, tag, tl) && is_name_end(p[1 + tl]))
            return p;
        p++;
    }
    return NULL;
}

/* Start of the first "</tag>" (optional spaces before '>'), or NULL. */
static const char *find_end_tag(const char *p, const char *end, const char *tag, size_t tl)
{
    while ((p = find_byte(p, end, '<')) != NULL) {
        if ((size_t)(end - p) > tl + 2 && p[1] == '/' && !memcmp(p + 2, tag, tl)) {
            const char *q = p + 2 + tl;
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
                q++;
            if (q < end && *q == '>')
                return p;
        }
        p++;
    }
    return NULL;
}

int gd_xml_element(const char *xml, size_t len, const char *tag, const char **content,
                   size_t *content_len)
{
    size_t tl = tag ? strlen(tag) : 0;
    const char *end = xml + len;
    *content = NULL;
    *content_len = 0;
    if (!xml || !tl)
        return GD_E_NOT_FOUND;
    const char *start = find_start_tag(xml, end, tag, tl);
    if (!start)
        return GD_E_NOT_FOUND;
    const char *gt = find_byte(start + 1 + tl, end, '>');
    if (!gt)
        return GD_E_PARSE;
    if (gt[-1] == '/') {
        *content = gt + 1;
        return 0;
    }
    const char *close = find_end_tag(gt + 1, end, tag, tl);
    if (!close)
        return GD_E_PARSE;
    *content = gt + 1;
    *content_len = (size_t)(close - (gt + 1));
    return 0;
}

/* "#65" / "#x41" -> UTF-8; NUL, surrogates and > U+10FFFF are refused. */
static int decode_numeric(const char *name, size_t nl, char out[4], size_t *out_len)
{
    char digits[XML_MAX_ENTITY + 1];
    int hex = nl > 1 && (name[1] == 'x' || name[1] == 'X');
    size_t skip = hex ? 2 : 1;
    if (nl <= skip || nl - skip > 8)
        return GD_E_PARSE;
    memcpy(digits, name + skip, nl - skip);
    digits[nl - skip] = '\0';
    for (size_t i = 0; digits[i]; i++)
        if (!(hex ? strchr("0123456789abcdefABCDEF", digits[i]) : strchr("0123456789", digits[i])))
            return GD_E_PARSE;
    unsigned long cp = strtoul(digits, NULL, hex ? 16 : 10);
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return GD_E_PARSE;
    *out_len = gd_utf8_encode((uint32_t)cp, out);
    return 0;
}

static int decode_entity(const char *name, size_t nl, char out[4], size_t *out_len)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    if (nl && name[0] == '#')
        return decode_numeric(name, nl, out, out_len);
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strlen(named[i].name) == nl && !memcmp(name, named[i].name, nl)) {
            out[0] = named[i].c;
            *out_len = 1;
            return 0;
        }
    return GD_E_PARSE;
}

int gd_xml_decode(const char *text, size_t len, char *out, size_t n)
{
    size_t o = 0;
    if (!n)
        return GD_E_TOO_BIG;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        char piece[4];
        size_t pl = 1;
        piece[0] = text[i];
        if (text[i] == '<' || text[i] == '\0')
            return GD_E_PARSE;
        if (text[i] == '&') {
            const char *semi = find_byte(text + i + 1, text + len, ';');
            if (!semi || (size_t)(semi - (text + i + 1)) > XML_MAX_ENTITY ||
                decode_entity(text + i + 1, (size_t)(semi - (text + i + 1)), piece, &pl))
                return (out[0] = '\0', GD_E_PARSE);
            i = (size_t)(semi - text);
        }
        if (o + pl >= n)
            return (out[0] = '\0', GD_E_TOO_BIG);
        memcpy(out + o, piece, pl);
        o += pl;
        out[o] = '\0';
    }
    return 0;
}

int gd_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t n)
{
    const char *content;
    size_t clen;
    if (n)
        out[0] = '\0';
    int rc = gd_xml_element(xml, len, tag, &content, &clen);
    if (rc)
        return rc;
    rc = gd_xml_decode(content, clen, out, n);
    if (rc && n)
        out[0] = '\0';
    return rc;
}

int gd_xml_text_in(const char *xml, size_t len, const char *outer, const char *tag, char *out,
                   size_t n)
{
    const char *content;
    size_t clen;
    if (n)
        out[0] = '\0';
    int rc = gd_xml_element(xml, len, outer, &content, &clen);
    if (rc)
        return rc;
    return gd_xml_text(content, clen, tag, out, n);
}
