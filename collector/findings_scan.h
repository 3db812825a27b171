/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_FINDINGS_SCAN_H
#define GD_COLLECTOR_FINDINGS_SCAN_H
/* Fast path for GetFindings bodies (issue 3): one strict pass over
 * {"findings":[{...},...]} without building a jansson tree.
 *
 * Contract: gd_findings_scan either gives exactly the rows that
 * gd_api_parse_body + gd_api_parse_findings would give (same strings, same
 * numbers), or DECLINES, and the caller must use the jansson path, which keeps
 * today's behaviour (error messages, batch splits). raw_json is the finding's
 * own bytes (json_equal to the jansson object), except for a finding with a
 * string jansson refuses (invalid UTF-8, \u0000, a lone surrogate): that
 * string is repaired per field exactly as gd_api.c's repair path does (U+FFFD)
 * and the finding's raw_json is re-dumped byte-identical to the jansson
 * path's; the page's other findings stay on the fast path.
 * It declines on anything else jansson treats specially or that it is not
 * sure of: such text outside a finding or in a key, escaped keys, duplicate
 * keys at any depth, numbers that strtoll/strtod might treat differently,
 * deep nesting, trailing bytes, raw control characters, a body not shaped
 * like a GetFindings response, any finding that breaks a field rule (the
 * jansson path then reports it), and a repaired finding so dense in escapes
 * and invalid bytes that tracking them would take more memory than its text.
 *
 * Bounded: no recursion, nesting capped at GD_SCAN_MAX_DEPTH, memory
 * O(body length). Locale-independent (no strtod). Pure: no I/O. */
#include <stddef.h>
#include "store/store.h"

#define GD_SCAN_MAX_DEPTH 64          /* jansson allows 2048; real findings nest < 12 */
#define GD_SCAN_MAX_FINDINGS 10000    /* as gd_api's get_array */

/* Outcome: 0 is success, the rest say why the scanner declined. */
enum gd_scan_status {
    GD_SCAN_OK = 0,
    GD_SCAN_SYNTAX,        /* not JSON, truncated, trailing bytes, empty */
    GD_SCAN_UTF8,          /* invalid/overlong UTF-8, UTF-8 surrogates */
    GD_SCAN_CONTROL,       /* raw control character in a string */
    GD_SCAN_ESCAPE,        /* \u0000, lone or invalid \u surrogate */
    GD_SCAN_KEY_ESCAPE,    /* a key with a backslash escape */
    GD_SCAN_DUP_KEY,       /* duplicate key in some object */
    GD_SCAN_NUMBER,        /* exponent, too many digits */
    GD_SCAN_DEPTH,         /* nesting deeper than GD_SCAN_MAX_DEPTH */
    GD_SCAN_SHAPE,         /* root not an object, findings absent / not an
                            * array / too long / a non-object item */
    GD_SCAN_FINDING,       /* a finding breaks a field rule */
    GD_SCAN_DENSE,         /* a repaired finding with more edits than a
                            * re-dump keeps track of (one per 8 bytes) */
    GD_SCAN_NOMEM,
    GD_SCAN_N_STATUS
};

/* The decoded strings of a page: chunks that are never moved or grown, so
 * the rows' pointers into them stay valid while more are added. */
typedef struct gd_scan_chunk {
    struct gd_scan_chunk *next;
    size_t cap, used;
    char data[];
} gd_scan_chunk;

/* Frees a chunk list (NULL is fine). */
void gd_scan_chunks_free(gd_scan_chunk *c);

/* A scanned page. rows[i].raw_json points into buf (or redump), the rows'
 * other strings into strings; region and detector_id are the caller's
 * pointers. Owns rows, buf, strings and redump. */
typedef struct gd_scan_page {
    gd_finding_row *rows;
    size_t n;
    char *buf;      /* the body, each finding NUL-terminated in place */
    gd_scan_chunk *strings;
    char *redump;   /* raw_json of the repaired findings, or NULL */
    size_t body_len;
} gd_scan_page;

/* Scans body (len bytes, need not be NUL-terminated), which it takes over
 * when it succeeds. Returns GD_SCAN_OK with *out filled and out->buf == body (the
 * page frees it; the byte after each finding's '}' is overwritten with a
 * NUL), or a decline status with *out empty and body untouched and still
 * the caller's. No copy of the body is made. */
int gd_findings_scan_take(char *body, size_t len, const char *region, const char *detector_id,
                          gd_scan_page *out);
/* The same for a borrowed body (len bytes, need not be NUL-terminated): the
 * page gets a copy. Free with gd_findings_scan_free in both cases. */
int gd_findings_scan(const char *body, size_t len, const char *region, const char *detector_id,
                     gd_scan_page *out);
void gd_findings_scan_free(gd_scan_page *s);

/* Short name of a status ("dup_key", ...), for tests and logs. */
const char *gd_findings_scan_status_name(int status);

#endif
