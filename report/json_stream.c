/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming JSON writer (json_internal.h): reproduces, piece by piece,
 * what json_dumpf(tree, JW_DUMP_FLAGS) writes for the whole tree.
 *
 * jansson with JSON_INDENT(n) writes a container at depth d as "{" (or "["),
 * then each member on its own line indented (d + 1) * n, members separated by
 * ",", and the closing bracket on a line indented d * n; an empty container
 * is "{}" / "[]"; a key is followed by ": ". A value dumped on its own
 * (json_dumpb, depth 0) therefore equals the same value dumped at depth d
 * once every newline in it is followed by d * n more spaces. Strings never
 * hold a raw newline (jansson escapes control characters), so every newline
 * in a dump is layout. */
#include "report/json_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OBUF_SIZE (256 * 1024)
#define DBUF_SIZE 4096

static const char spaces[] = "                                ";  /* >= JW_MAX_DEPTH * JW_INDENT */

static int fail(jw_out *o, int why, int e)
{
    if (!o->fail) {
        o->fail = why;
        o->err_no = e;
    }
    return -1;
}

int jw_out_init(jw_out *o, FILE *fp)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->obuf = malloc(OBUF_SIZE);
    o->dbuf = malloc(DBUF_SIZE);
    if (!o->obuf || !o->dbuf)
        return fail(o, JW_NOMEM, ENOMEM);
    o->ocap = OBUF_SIZE;
    o->dcap = DBUF_SIZE;
    return 0;
}

void jw_out_free(jw_out *o)
{
    free(o->obuf);
    free(o->dbuf);
    o->obuf = o->dbuf = NULL;
}

int jw_out_flush(jw_out *o)
{
    if (o->fail)
        return -1;
    if (o->olen && fwrite(o->obuf, 1, o->olen, o->fp) != o->olen)
        return fail(o, JW_IO, errno ? errno : EIO);
    o->olen = 0;
    return 0;
}

int jw_raw(jw_out *o, const char *s, size_t n)
{
    if (o->fail)
        return -1;
    if (o->olen + n > o->ocap) {
        if (jw_out_flush(o))
            return -1;
        if (n > o->ocap) {
            if (fwrite(s, 1, n, o->fp) != n)
                return fail(o, JW_IO, errno ? errno : EIO);
            return 0;
        }
    }
    memcpy(o->obuf + o->olen, s, n);
    o->olen += n;
    return 0;
}

/* A newline and the indentation of depth d. */
static int newline(jw_out *o, int d)
{
    char line[1 + sizeof spaces];
    line[0] = '\n';
    memcpy(line + 1, spaces, (size_t)d * JW_INDENT);
    return jw_raw(o, line, 1 + (size_t)d * JW_INDENT);
}

/* Before a member/element of the innermost container. */
static int separator(jw_out *o)
{
    if (o->fail)
        return -1;
    if (o->depth < 1)
        return 0; /* the top-level value */
    if (o->nonempty[o->depth - 1]) {
        if (jw_raw(o, ",", 1))
            return -1;
    } else {
        o->nonempty[o->depth - 1] = 1;
    }
    return newline(o, o->depth);
}

int jw_elem(jw_out *o)
{
    return separator(o);
}

int jw_key(jw_out *o, const char *key)
{
    if (separator(o))
        return -1;
    /* Keys are the report's own ASCII names: nothing to escape. */
    size_t n = strlen(key);
    return jw_raw(o, "\"", 1) || jw_raw(o, key, n) || jw_raw(o, "\": ", 3) ? -1 : 0;
}

int jw_open(jw_out *o, char c)
{
    if (o->fail)
        return -1;
    if (o->depth >= JW_MAX_DEPTH)
        return fail(o, JW_NOMEM, EOVERFLOW);
    o->nonempty[o->depth++] = 0;
    return jw_raw(o, &c, 1);
}

int jw_close(jw_out *o, char c)
{
    if (o->fail)
        return -1;
    int d = --o->depth;
    if (o->nonempty[d] && newline(o, d))
        return -1;
    return jw_raw(o, &c, 1);
}

/* Copies a depth-0 dump into the output, indenting it to the current depth. */
static int put_indented(jw_out *o, const char *s, size_t n)
{
    size_t pad = (size_t)o->depth * JW_INDENT;
    if (!pad)
        return jw_raw(o, s, n);
    const char *end = s + n;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        if (jw_raw(o, s, len) || (nl && jw_raw(o, spaces, pad)))
            return -1;
        s += len;
    }
    return 0;
}

int jw_put(jw_out *o, json_t *v)
{
    if (!v)
        return fail(o, JW_NOMEM, ENOMEM);
    if (o->fail) {
        json_decref(v);
        return -1;
    }
    size_t flags = JW_DUMP_FLAGS | JSON_ENCODE_ANY;
    size_t n = json_dumpb(v, o->dbuf, o->dcap, flags);
    if (n > o->dcap) {
        char *bigger = realloc(o->dbuf, n);
        if (!bigger) {
            json_decref(v);
            return fail(o, JW_NOMEM, ENOMEM);
        }
        o->dbuf = bigger;
        o->dcap = n;
        n = json_dumpb(v, o->dbuf, o->dcap, flags);
    }
    json_decref(v);
    if (n == 0 || n > o->dcap)
        return fail(o, JW_NOMEM, ENOMEM);
    return put_indented(o, o->dbuf, n);
}

json_t *jw_object_of(jw_fill_fn fill, const gd_report_model *m, const void *item)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    if (fill(obj, m, item)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Bytes jansson writes unescaped: printable ASCII except '"' and '\\'. */
static int is_plain(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
            return 0;
    *len = (size_t)(p - (const unsigned char *)s);
    return 1;
}

int jw_put_str(jw_out *o, const char *s)
{
    size_t n;
    if (!s)
        return jw_raw(o, "null", 4);
    if (!is_plain(s, &n))
        return jw_put(o, jw_str(s));   /* escaping and UTF-8 repair: jansson's */
    return jw_raw(o, "\"", 1) || jw_raw(o, s, n) || jw_raw(o, "\"", 1) ? -1 : 0;
}
