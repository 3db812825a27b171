/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_JSON_INTERNAL_H
#define GD_REPORT_JSON_INTERNAL_H
/* Private to report/json_*.c: writing the report's JSON.
 *
 * The document is streamed (report/json_stream.c): the
 * top-level object and its arrays are written piece by piece, and only one
 * small jansson value (one account, one cost row, one finding, ...) exists at
 * a time; it is dumped with the same flags jansson would use for the whole
 * tree and re-indented to its depth, so the bytes are exactly those of
 * json_dumpf on the full tree (JSON_INDENT(2), insertion order).
 *
 * Every json_* result is checked (docs/facts.md J1): a NULL value makes
 * jw_set fail instead of silently dropping the key, and strings are repaired
 * to valid UTF-8 before json_stringn sees them. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include "report/model.h"

/* Indented for people who diff reports; reals with up to 10 significant
 * digits (severities like 8.9, coverage like 88.9) print exactly as meant. */
#define JW_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
#define JW_INDENT 2
#define JW_MAX_DEPTH 8

/* Value constructors; NULL only when out of memory. */
json_t *jw_str(const char *s);            /* NULL s -> json null */
json_t *jw_time(int64_t ms);              /* ISO-8601 UTC, or null for 0 */
json_t *jw_date(int64_t ms);              /* YYYY-MM-DD */
json_t *jw_sev(const gd_sev_counts *c);   /* {"critical","high","medium","low"} */
json_t *jw_types(const gd_type_count *t, size_t n);

/* Sets key to v (stealing v). -1 when v is NULL or the set fails. */
int jw_set(json_t *obj, const char *key, json_t *v);
/* Appends v (stealing v). -1 when v is NULL or the append fails. */
int jw_push(json_t *arr, json_t *v);

/* ---- Streaming writer --------------------------------------------------- */
enum jw_fail { JW_OK = 0, JW_NOMEM, JW_IO };

typedef struct jw_out {
    FILE *fp;
    char *obuf;           /* output buffer, written to fp when full */
    size_t olen, ocap;
    char *dbuf;           /* scratch for json_dumpb */
    size_t dcap;
    int depth;            /* containers open */
    unsigned char nonempty[JW_MAX_DEPTH];  /* 1 once the container holds a member */
    int fail;             /* enum jw_fail; sticky: later calls do nothing */
    int err_no;           /* errno of the first write error */
} jw_out;

/* All return 0, or -1 once o->fail is set (and keep returning -1). */
int jw_out_init(jw_out *o, FILE *fp);
/* Writes what is buffered to fp (not fflush). */
int jw_out_flush(jw_out *o);
void jw_out_free(jw_out *o);
/* The separator (and indentation) before the next member/element, then for
 * objects "key": . Call before every value inside a container. */
int jw_key(jw_out *o, const char *key);
int jw_elem(jw_out *o);
/* Opens '{' or '[' as the current value; closes it with '}' or ']'. */
int jw_open(jw_out *o, char c);
int jw_close(jw_out *o, char c);
/* Writes v (stolen; NULL = out of memory) as the current value. */
int jw_put(jw_out *o, json_t *v);
/* Raw bytes (the final newline). */
int jw_raw(jw_out *o, const char *s, size_t n);
/* Writes s as a JSON string value (NULL: null), the same bytes as
 * jw_put(o, jw_str(s)): plain printable ASCII is copied as is, anything else
 * goes through jansson. For rows written without a jansson object. */
int jw_put_str(jw_out *o, const char *s);

/* Builds a small object with fill(); NULL (and nothing leaked) on failure. */
typedef int (*jw_fill_fn)(json_t *obj, const gd_report_model *m, const void *item);
json_t *jw_object_of(jw_fill_fn fill, const gd_report_model *m, const void *item);

/* The report's members from "schema_version" to "trends", written into the
 * open top-level object. */
int jw_report_members(jw_out *o, const gd_report_model *m);
/* "costs": the cost object (basis, window, unit, total and four lists; the
 * writer adds it last). */
int jw_costs_member(jw_out *o, const gd_report_model *m);

#endif
