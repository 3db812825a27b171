/* SPDX-License-Identifier: Apache-2.0 */
/* One-pass GetFindings scanner (findings_scan.h). The rule throughout: when
 * in doubt, decline; the jansson path is always there and always right. */
#include "collector/findings_scan.h"
#include "collector/gd_api.h"
#include "common/buf.h"
#include "common/resource_paths.h"
#include "common/timeutil.h"
#include "common/utf8.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define LINEAR_KEYS 16              /* objects with more keys get a hash for the dup check */
#define BODY_MAX (1u << 30)         /* offsets are 32-bit; bodies are capped far below */
/* The strings area: a first chunk of a fifth of the body, at most
 * STR_FIRST_MAX, then chunks of at least STR_CHUNK_MIN. A page's decoded
 * fields took 14 % of its body on average in the bench's 102,000 findings,
 * more than a fifth on 15 % of the pages, 22 % at most: a fifth spares
 * most pages a second chunk without holding much unused room while the
 * page waits for its commit. Chunks stay under glibc's mmap threshold in
 * the common case (collector/collect.c fixes it at 128 KB), so they are
 * recycled from the heap instead of mapped and faulted in fresh for every
 * page (issue 13). */
#define STR_CHUNK_MIN ((size_t)8 * 1024)
#define STR_FIRST_SHARE 5
#define STR_FIRST_MAX ((size_t)96 * 1024)

/* What a container is to us. */
enum role { R_OTHER, R_ROOT, R_FINDINGS, R_FINDING, R_RESOURCE, R_SERVICE, R_ADDINFO };

/* What the value being read means. String fields index cur_finding.str. */
enum target {
    T_ID, T_ACCOUNT, T_TYPE, T_CREATED, T_UPDATED, T_TITLE, T_RTYPE, T_FEATURE,
    T_ADDVAL,                       /* service.additionalInfo.value: the sample marker */
    N_STR_FIELDS,
    T_OTHER = N_STR_FIELDS, T_FINDINGS, T_FINDING, T_RESOURCE, T_SERVICE, T_SEVERITY,
    T_COUNT, T_ARCHIVED, T_ADDINFO
};

typedef struct frame {
    unsigned char is_obj, role, hashed;
    uint32_t key_start;             /* the object's keys are keys[key_start..nkeys) */
    uint32_t lead_mask;             /* lead paths this container is on (see Lead paths) */
    uint32_t lead_depth;            /* path segments matched to reach it */
    uint32_t items;                 /* an array's items so far */
} frame;

/* ---- Lead paths (schema/005's columns) ----------------------------------------
 * The store fills resource_id, event_first_seen and event_last_seen with
 * json_extract(raw_json, path), the paths of common/resource_paths.h and the
 * two event times. Following those paths while the finding is read spares the
 * store a second parse of every raw_json. A path's value is taken only when
 * it is a string (or null); anything else, or a path this parser cannot
 * follow, leaves the row to SQLite (gd_finding_row.leads_known = 0). */
#define MAX_LEAD_PATHS 32
#define MAX_LEAD_SEGS 8

typedef struct lead_seg {
    const char *key;                /* NULL: an array index */
    uint32_t len;
    uint32_t index;
} lead_seg;

typedef struct lead_path {
    const char *text;               /* the SQLite path ("$.resource.x[0].y"), static */
    lead_seg seg[MAX_LEAD_SEGS];
    uint32_t nseg;
} lead_path;

/* One distinct segment at a depth, and the paths that have it there: a key
 * is compared once per distinct segment, not once per path. */
typedef struct lead_group {
    lead_seg seg;
    uint32_t mask;
} lead_group;

typedef struct key_ref {
    uint32_t off, len;
} key_ref;

/* Per-depth open-addressing set of key indexes. A slot is live only when its
 * stamp is the table's current one, so a new object never clears the table. */
typedef struct dup_tab {
    uint32_t *slot, *stamp;
    uint32_t cap, used, cur;
} dup_tab;

/* A place where a finding's bytes are not written back as they came when it
 * is re-dumped (see redump_finding): whitespace p[pos..end), a number
 * p[pos..end) that is rewritten, or text p[pos..end): escapes and invalid
 * bytes next to each other, one edit for the run. */
typedef struct edit {
    uint32_t pos, end;
} edit;

typedef struct cur_finding {
    const char *str[N_STR_FIELDS];
    const char *lead[MAX_LEAD_PATHS];   /* a lead path's string, NULL if absent or null */
    uint32_t lead_unsure;               /* lead paths with a value that is not a string */
    int has_sev, has_count, archived;
    size_t repairs;                 /* U+FFFDs its strings needed: raw_json is re-dumped */
    size_t reals;                   /* its non-integer numbers (see redump_bound) */
    int edits_over;                 /* more edits than its list keeps (see edit_grow) */
    double sev;
    int64_t count;
    size_t start;
} cur_finding;

typedef struct scanner {
    const unsigned char *p;
    size_t len;
    char *body;                     /* p, writable: out->buf once the scan succeeds */
    gd_scan_chunk *strings;         /* decoded strings; the head is the chunk in use */
    const char *region, *detector_id;
    frame frames[GD_SCAN_MAX_DEPTH];
    int depth;
    key_ref *keys;
    uint32_t nkeys, cap_keys;
    dup_tab tabs[GD_SCAN_MAX_DEPTH];
    uint32_t stamp_seq;
    gd_finding_row *rows;
    size_t n, cap_rows;
    cur_finding cur;
    int seen_findings;
    int finding_depth;              /* depth of the open finding's frame, 0 outside one */
    gd_buf redump;                  /* raw_json of repaired findings (see redump_finding) */
    edit *edits;                    /* the open finding's, in body order */
    uint32_t nedits, cap_edits;
    size_t text_end;                /* end of the last edit when it is text, else 0 */
    int edits_lost;                 /* out of memory recording one: the scan fails */
    lead_path paths[MAX_LEAD_PATHS];
    uint32_t npaths, all_paths;     /* all_paths: a bit per path that parsed */
    lead_group groups[MAX_LEAD_SEGS][MAX_LEAD_PATHS];
    uint32_t ngroups[MAX_LEAD_SEGS];
    uint32_t ends_at[MAX_LEAD_SEGS];    /* paths whose last segment is at depth d */
    int first_seen, last_seen;      /* indexes of the event time paths */
    uint32_t next_mask;             /* lead paths the value about to be read is on */
    /* Per row, what is left to do once the scan is done (the body must stay
     * as sent until then: a decline hands it back untouched): a repaired row
     * (raw_json NULL) gets its offset in redump; any other row's raw_json is
     * ended by a NUL at body[row_fix[i]], the byte after its '}'. */
    size_t *row_fix;
} scanner;

/* ---- Bytes ------------------------------------------------------------------ */

/* 0 plain, 1 '"', 2 '\\', 3 control, 4 non-ASCII (validated as UTF-8). */
#define R3 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3
#define R0 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define R4 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4
static const unsigned char str_class[256] = {
    R3, R3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* 0x22 '"' */
    R0, R0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,   /* 0x5c '\\' */
    R0, R0,
    R4, R4, R4, R4, R4, R4, R4, R4};
#undef R3
#undef R0
#undef R4

/* Skips whole blocks of 16 plain bytes (str_class 0) from p[i] while 16
 * remain; stops at the first byte that is not plain in a block, or before
 * the last < 16 bytes (the table loops finish). SSE2, which every x86-64
 * has: a control or a non-ASCII byte is below 0x20 as a signed byte.
 * Elsewhere it skips nothing. */
static inline size_t skip_plain16(const unsigned char *p, size_t i, size_t len)
{
#if defined(__SSE2__) && defined(__GNUC__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  low = _mm_set1_epi8(0x20);
    while (len - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                              _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmplt_epi8(v, low));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#else
    (void)p;
    (void)len;
#endif
    return i;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static size_t skip_ws(const scanner *s, size_t i)
{
    while (i < s->len && is_ws(s->p[i]))
        i++;
    return i;
}

/* Makes room for one more edit of the open finding, whose edit at pos is
 * to be recorded; 0 when it cannot. The list grows only while the finding
 * has fewer edits than one per 8 of its bytes (plus 64), so it never takes
 * much more memory than the text: past that, edits_over, and if the finding
 * turns out to need a re-dump the page is declined (GD_SCAN_DENSE). Out of
 * memory, the scan fails at its end (edits_lost). Either way a finding is
 * never re-dumped from a partial list. */
static int edit_grow(scanner *s, size_t pos)
{
    if (s->nedits >= (pos - s->cur.start) / 8 + 64) {
        s->cur.edits_over = 1;
        return 0;
    }
    uint32_t cap = s->cap_edits ? s->cap_edits * 2 : 64;
    edit *v = realloc(s->edits, cap * sizeof *v);
    if (!v) {
        s->edits_lost = 1;
        return 0;
    }
    s->edits = v;
    s->cap_edits = cap;
    return 1;
}

/* Records an edit of the open finding; text: escapes or invalid bytes,
 * merged with the text edit just before when they touch. */
static inline void edit_add(scanner *s, size_t pos, size_t end, int text)
{
    if (text && s->text_end == pos && s->nedits) {
        s->edits[s->nedits - 1].end = (uint32_t)end;
        s->text_end = end;
        return;
    }
    if (s->nedits == s->cap_edits && !edit_grow(s, pos))
        return;
    s->edits[s->nedits++] = (edit){(uint32_t)pos, (uint32_t)end};
    s->text_end = text ? end : 0;
}

static size_t skip_ws_record(scanner *s, size_t i)
{
    size_t j = skip_ws(s, i);
    if (j != i && s->finding_depth)
        edit_add(s, i, j, 0);
    return j;
}

/* skip_ws between the tokens of a container: inside a finding, whitespace
 * is an edit (jansson's compact dump drops it). Small, to be inlined: most
 * bodies are compact. */
static inline size_t skip_ws_edit(scanner *s, size_t i)
{
    if (i < s->len && !is_ws(s->p[i]))
        return i;
    return skip_ws_record(s, i);
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex4(const unsigned char *h)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = h[k];
        int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* ---- Strings ---------------------------------------------------------------- */

/* Checks the escape at p[i] == '\\'; sets *next past it. The escapes
 * jansson refuses (\u0000, a lone surrogate) are GD_SCAN_ESCAPE, or, when
 * repair is allowed, taken with *repaired counted: they become U+FFFD exactly
 * where gd_api.c's repair_json_text puts one (a high surrogate without its
 * low half is replaced alone, 6 bytes). */
static int check_escape(const scanner *s, size_t i, size_t *next, int allow,
                        size_t *repaired)
{
    if (i + 1 >= s->len)
        return GD_SCAN_SYNTAX;
    unsigned char c = s->p[i + 1];
    if (c != 'u') {
        *next = i + 2;
        return strchr("\"\\/bfnrt", c) && c ? GD_SCAN_OK : GD_SCAN_SYNTAX;
    }
    if (s->len - i < 6)
        return GD_SCAN_SYNTAX;
    int u = hex4(s->p + i + 2);
    if (u < 0)
        return GD_SCAN_SYNTAX;
    int lone = u == 0 || (u >= 0xDC00 && u <= 0xDFFF);
    if (u >= 0xD800 && u <= 0xDBFF) {
        int lo = s->len - i >= 12 && s->p[i + 6] == '\\' && s->p[i + 7] == 'u'
                     ? hex4(s->p + i + 8) : -1;
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *next = i + 12;
            return GD_SCAN_OK;
        }
        lone = 1;
    }
    if (lone) {
        if (!allow)
            return GD_SCAN_ESCAPE;
        (*repaired)++;
    }
    *next = i + 6;
    return GD_SCAN_OK;
}

/* Validates the string whose opening quote is at p[i]: *end is the index of
 * the closing quote, *esc whether it has escapes. allow: text jansson
 * refuses (invalid UTF-8, \u0000, lone surrogates) is taken instead of
 * declined (strings inside a finding: handled per field), *repaired
 * counting the U+FFFDs it becomes (each adds at most 2 bytes to the text:
 * an invalid byte becomes 3, a 6-byte escape 3). */
static int scan_string(scanner *s, size_t i, size_t *end, int *esc, int allow,
                       size_t *repaired)
{
    const unsigned char *p = s->p;
    size_t len = s->len;
    *esc = 0;
    *repaired = 0;
    i++;
    for (;;) {
        /* The common run of plain ASCII, 16 then four at a time. */
        i = skip_plain16(p, i, len);
        while (i + 4 <= len && !(str_class[p[i]] | str_class[p[i + 1]] |
                                 str_class[p[i + 2]] | str_class[p[i + 3]]))
            i += 4;
        while (i < len && !str_class[p[i]])
            i++;
        if (i >= len)
            return GD_SCAN_SYNTAX;
        switch (str_class[p[i]]) {
        case 1:
            *end = i;
            return GD_SCAN_OK;
        case 2: {
            size_t at = i;
            int rc = check_escape(s, i, &i, allow, repaired);
            if (rc)
                return rc;
            if (allow)
                edit_add(s, at, i, 1);
            *esc = 1;
            break;
        }
        case 3:
            return GD_SCAN_CONTROL;
        default: {
            size_t n = gd_utf8_decode(p + i, len - i, NULL);
            if (!n && !allow)
                return GD_SCAN_UTF8;
            if (!n) {
                (*repaired)++;
                edit_add(s, i, i + 1, 1);
            }
            i += n ? n : 1;     /* repair: one U+FFFD per invalid byte */
        }
        }
    }
}

void gd_scan_chunks_free(gd_scan_chunk *c)
{
    while (c) {
        gd_scan_chunk *next = c->next;
        free(c);
        c = next;
    }
}

/* Room for need bytes in the strings area: the current chunk, or a new one
 * (the old ones stay where they are: rows point into them). NULL when out
 * of memory. The caller adds what it wrote to s->strings->used. */
static char *str_room(scanner *s, size_t need)
{
    gd_scan_chunk *c = s->strings;
    if (c && c->cap - c->used >= need)
        return c->data + c->used;
    size_t cap = c ? STR_CHUNK_MIN : s->len / STR_FIRST_SHARE;
    if (cap > STR_FIRST_MAX)
        cap = STR_FIRST_MAX;
    if (cap < STR_CHUNK_MIN)
        cap = STR_CHUNK_MIN;
    if (cap < need)
        cap = need;
    gd_scan_chunk *n = malloc(sizeof *n + cap);
    if (!n)
        return NULL;
    n->next = c;
    n->cap = cap;
    n->used = 0;
    s->strings = n;
    return n->data;
}

/* Decodes the already validated string p[from..to) into the strings area:
 * decoded text is no longer than its JSON, plus the NUL. NULL when out of
 * memory. */
static const char *decode_string(scanner *s, size_t from, size_t to, int esc)
{
    char *o = str_room(s, to - from + 1), *start = o;
    if (!o)
        return NULL;
    const unsigned char *p = s->p;
    if (!esc) {
        memcpy(o, p + from, to - from);
        o += to - from;
    }
    for (size_t i = from; esc && i < to;) {
        if (p[i] != '\\') {
            *o++ = (char)p[i++];
            continue;
        }
        unsigned char c = p[i + 1];
        if (c != 'u') {
            *o++ = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r'
                 : c == 't' ? '\t' : (char)c;
            i += 2;
            continue;
        }
        unsigned long cp = (unsigned long)hex4(p + i + 2);
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)hex4(p + i + 2) - 0xDC00);
            i += 6;
        }
        o += gd_utf8_encode((uint32_t)cp, o);
    }
    *o++ = '\0';
    s->strings->used += (size_t)(o - start);
    return start;
}

/* ---- Repaired strings (per field) -------------------------------------------- */

#define REPLACEMENT 0xFFFDul

/* The end of the run from p[i] (< to) that both jansson's load and its dump
 * keep byte for byte: printable ASCII but '"' and '\\', and valid UTF-8
 * sequences (jansson stores and writes a valid sequence as it came). It
 * stops at to, a quote, an escape, an invalid byte or a control. */
static size_t plain_run(const unsigned char *p, size_t i, size_t to)
{
    for (;;) {
        i = skip_plain16(p, i, to);
        while (i + 4 <= to && !(str_class[p[i]] | str_class[p[i + 1]] |
                                str_class[p[i + 2]] | str_class[p[i + 3]]))
            i += 4;
        while (i < to && !str_class[p[i]])
            i++;
        if (i >= to || str_class[p[i]] != 4)
            return i;
        size_t n = gd_utf8_decode(p + i, to - i, NULL);
        if (!n)
            return i;
        i += n;
    }
}

/* The next code point of a scanned string at p[*i] (< to), as jansson sees
 * the body after repair_json_text: invalid UTF-8 bytes, \u0000 and lone
 * surrogates are U+FFFD. */
static unsigned long next_cp(const unsigned char *p, size_t *i, size_t to)
{
    size_t k = *i;
    if (p[k] != '\\') {
        uint32_t cp;
        size_t n = gd_utf8_decode(p + k, to - k, &cp);
        *i = k + (n ? n : 1);
        return n ? cp : REPLACEMENT;
    }
    unsigned char c = p[k + 1];
    if (c != 'u') {
        *i = k + 2;
        return c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r'
             : c == 't' ? '\t' : c;
    }
    unsigned long cp = (unsigned long)hex4(p + k + 2);
    *i = k + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = to - k >= 12 && p[k + 6] == '\\' && p[k + 7] == 'u' ? hex4(p + k + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return REPLACEMENT;
        *i = k + 12;
        return 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
    }
    return cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF) ? REPLACEMENT : cp;
}

/* decode_string for a string that needed repair: at most 3 bytes per JSON
 * byte (an invalid byte becomes U+FFFD), plus the NUL. Runs that need no
 * change are copied whole; only escapes and invalid bytes are decoded. */
static const char *decode_repaired(scanner *s, size_t from, size_t to)
{
    char *o = str_room(s, 3 * (to - from) + 1), *start = o;
    if (!o)
        return NULL;
    const unsigned char *p = s->p;
    for (size_t i = from; i < to;) {
        size_t k = plain_run(p, i, to);
        memcpy(o, p + i, k - i);
        o += k - i;
        i = k;
        if (i < to)
            o += gd_utf8_encode((uint32_t)next_cp(p, &i, to), o);
    }
    *o++ = '\0';
    s->strings->used += (size_t)(o - start);
    return start;
}

/* ---- Numbers ---------------------------------------------------------------- */

typedef struct number {
    int is_int;
    int64_t ival;
    double dval;
    int has_dval;       /* dval is exactly what strtod gives */
} number;

/* 10^k for k <= 22: exact doubles. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The real m * 10^-k when the one IEEE division is correctly rounded, as
 * strtod's result is (Clinger's fast path: m <= 2^53, 10^k exact). */
static int exact_real(uint64_t m, int k, double *out)
{
    while (k > 0 && m % 10 == 0) {
        m /= 10;
        k--;
    }
    if (m > (1ULL << 53) || k > 22)
        return 0;
    *out = (double)m / pow10_exact[k];
    return 1;
}

/* JSON number at p[i]; *end is one past it. Declines exponents, integers of
 * more than 18 digits (strtoll could overflow: jansson errors) and reals of
 * more than 17 significant digits. */
static int scan_number(const scanner *s, size_t i, size_t *end, number *num)
{
    const unsigned char *p = s->p;
    size_t len = s->len;
    int neg = p[i] == '-';
    if (neg)
        i++;
    if (i >= len || !is_digit(p[i]))
        return GD_SCAN_SYNTAX;
    uint64_t m = 0;
    int sig = 0, frac = 0;
    if (p[i] == '0') {
        i++;
        if (i < len && is_digit(p[i]))
            return GD_SCAN_SYNTAX;
    } else {
        for (; i < len && is_digit(p[i]); i++) {
            if (++sig > 18)
                return GD_SCAN_NUMBER;
            m = m * 10 + (uint64_t)(p[i] - '0');
        }
    }
    num->is_int = 1;
    if (i < len && p[i] == '.') {
        num->is_int = 0;
        i++;
        if (i >= len || !is_digit(p[i]))
            return GD_SCAN_SYNTAX;
        for (; i < len && is_digit(p[i]); i++, frac++) {
            if (m || p[i] != '0')
                sig++;
            if (sig > 17)
                return GD_SCAN_NUMBER;
            m = m * 10 + (uint64_t)(p[i] - '0');
        }
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E'))
        return GD_SCAN_NUMBER;
    *end = i;
    num->ival = neg ? -(int64_t)m : (int64_t)m;
    num->has_dval = num->is_int ? 1 : exact_real(m, frac, &num->dval);
    if (num->is_int)
        num->dval = (double)num->ival;
    else if (neg)
        num->dval = -num->dval;
    return GD_SCAN_OK;
}

/* ---- Duplicate keys ----------------------------------------------------------- */

static uint32_t key_hash(const unsigned char *k, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

static int key_eq(const scanner *s, const key_ref *a, uint32_t off, uint32_t len)
{
    return a->len == len && memcmp(s->p + a->off, s->p + off, len) == 0;
}

/* Inserts key index ki into tab; GD_SCAN_DUP_KEY when an equal key is there. */
static int tab_insert(scanner *s, dup_tab *t, uint32_t ki)
{
    const key_ref *k = &s->keys[ki];
    uint32_t mask = t->cap - 1, h = key_hash(s->p + k->off, k->len) & mask;
    while (t->stamp[h] == t->cur) {
        if (key_eq(s, &s->keys[t->slot[h]], k->off, k->len))
            return GD_SCAN_DUP_KEY;
        h = (h + 1) & mask;
    }
    t->stamp[h] = t->cur;
    t->slot[h] = ki;
    t->used++;
    return GD_SCAN_OK;
}

/* (Re)builds the depth's table for the object's keys, with room to grow. */
static int tab_build(scanner *s, dup_tab *t, const frame *f)
{
    uint32_t n = s->nkeys - f->key_start;
    if (t->cap < n * 4) {
        uint32_t cap = t->cap ? t->cap : 64;
        while (cap < n * 4)
            cap *= 2;
        free(t->slot);
        free(t->stamp);
        t->slot = malloc(cap * sizeof *t->slot);
        t->stamp = calloc(cap, sizeof *t->stamp);
        t->cap = t->slot && t->stamp ? cap : 0;
        if (!t->cap)
            return GD_SCAN_NOMEM;
    }
    t->cur = ++s->stamp_seq;
    t->used = 0;
    for (uint32_t i = f->key_start; i < s->nkeys; i++)
        if (tab_insert(s, t, i))
            return GD_SCAN_DUP_KEY;
    return GD_SCAN_OK;
}

/* Adds key p[off..off+len) to the top object: small objects are compared
 * linearly, larger ones through the depth's hash table. Raw bytes compare
 * exactly like jansson's decoded keys because escaped keys were declined. */
static int add_key(scanner *s, uint32_t off, uint32_t len)
{
    frame *f = &s->frames[s->depth - 1];
    if (!f->hashed) {
        for (uint32_t i = f->key_start; i < s->nkeys; i++)
            if (key_eq(s, &s->keys[i], off, len))
                return GD_SCAN_DUP_KEY;
    }
    if (s->nkeys == s->cap_keys) {
        uint32_t cap = s->cap_keys ? s->cap_keys * 2 : 256;
        key_ref *v = realloc(s->keys, cap * sizeof *v);
        if (!v)
            return GD_SCAN_NOMEM;
        s->keys = v;
        s->cap_keys = cap;
    }
    s->keys[s->nkeys++] = (key_ref){off, len};
    dup_tab *t = &s->tabs[s->depth - 1];
    if (!f->hashed) {
        if (s->nkeys - f->key_start <= LINEAR_KEYS)
            return GD_SCAN_OK;
        f->hashed = 1;
        return tab_build(s, t, f);
    }
    if ((t->used + 1) * 2 > t->cap)
        return tab_build(s, t, f);
    return tab_insert(s, t, s->nkeys - 1);
}

/* ---- Lead paths ---------------------------------------------------------------- */

/* Parses a SQLite path of plain keys and [n] indexes ("$.a.b[0].c") into p;
 * 0 when it has anything else (quotes, wildcards, too many segments). */
static int lead_parse(lead_path *p, const char *text)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    if (!text || text[0] != '$')
        return 0;
    for (const char *c = text + 1; *c;) {
        if (p->nseg == MAX_LEAD_SEGS)
            return 0;
        lead_seg *g = &p->seg[p->nseg++];
        if (*c == '.') {
            const char *k = ++c;
            while (*c && *c != '.' && *c != '[' && *c != '"' && *c != '*')
                c++;
            if (c == k || *c == '"' || *c == '*')
                return 0;
            g->key = k;
            g->len = (uint32_t)(c - k);
        } else if (*c == '[') {
            uint32_t v = 0;
            const char *d = ++c;
            while (is_digit((unsigned char)*c) && v < 1000000)
                v = v * 10 + (uint32_t)(*c++ - '0');
            if (c == d || *c != ']')
                return 0;
            c++;
            g->index = v;
        } else {
            return 0;
        }
    }
    return p->nseg > 0;
}

static int seg_same(const lead_seg *a, const lead_seg *b)
{
    if (!a->key || !b->key)
        return !a->key && !b->key && a->index == b->index;
    return a->len == b->len && memcmp(a->key, b->key, a->len) == 0;
}

/* Files path p's segments into the per-depth groups. */
static void lead_group_add(scanner *s, uint32_t p)
{
    const lead_path *lp = &s->paths[p];
    for (uint32_t d = 0; d < lp->nseg; d++) {
        uint32_t g = 0;
        while (g < s->ngroups[d] && !seg_same(&s->groups[d][g].seg, &lp->seg[d]))
            g++;
        if (g == s->ngroups[d])
            s->groups[d][s->ngroups[d]++].seg = lp->seg[d];
        s->groups[d][g].mask |= 1u << p;
    }
    s->ends_at[lp->nseg - 1] |= 1u << p;
}

/* The resource paths, then the two event times. */
static void lead_setup(scanner *s)
{
    size_t n = 0;
    const gd_resource_path *t = gd_resource_paths(&n);
    s->first_seen = s->last_seen = -1;
    for (size_t i = 0; i < n + 2 && s->npaths < MAX_LEAD_PATHS; i++) {
        const char *text = i < n ? t[i].json_path
                         : i == n ? "$.service.eventFirstSeen" : "$.service.eventLastSeen";
        uint32_t k = s->npaths++;
        if (lead_parse(&s->paths[k], text)) {
            s->all_paths |= 1u << k;
            lead_group_add(s, k);
        }
        if (i == n)
            s->first_seen = (int)k;
        else if (i == n + 1)
            s->last_seen = (int)k;
    }
}

/* The paths of mask whose segment d is the key k[0..n). Distinct segments
 * differ, so at most one group matches. mask holds only paths longer than d. */
static uint32_t lead_by_key(const scanner *s, uint32_t mask, uint32_t d, const unsigned char *k,
                            uint32_t n)
{
    for (uint32_t g = 0; g < s->ngroups[d]; g++) {
        const lead_group *gr = &s->groups[d][g];
        if ((gr->mask & mask) && gr->seg.key && gr->seg.len == n &&
            memcmp(gr->seg.key, k, n) == 0)
            return gr->mask & mask;
    }
    return 0;
}

/* The paths of mask whose segment d is the array index i. */
static uint32_t lead_by_index(const scanner *s, uint32_t mask, uint32_t d, uint32_t i)
{
    for (uint32_t g = 0; g < s->ngroups[d]; g++) {
        const lead_group *gr = &s->groups[d][g];
        if ((gr->mask & mask) && !gr->seg.key && gr->seg.index == i)
            return gr->mask & mask;
    }
    return 0;
}

/* The paths of mask that end with segment d (their value is being read). */
static uint32_t lead_ending(const scanner *s, uint32_t mask, uint32_t d)
{
    return d < MAX_LEAD_SEGS ? mask & s->ends_at[d] : 0;
}

/* The row's lead columns, when every one it needs was followed. */
static void lead_finish(const scanner *s, const cur_finding *c, gd_finding_row *row)
{
    const char *path = gd_resource_path_of(row->resource_type);
    int rp = -1;
    for (uint32_t p = 0; path && p < s->npaths && rp < 0; p++)
        if (s->paths[p].text == path || strcmp(s->paths[p].text, path) == 0)
            rp = (int)p;
    if ((path && rp < 0) || s->first_seen < 0 || s->last_seen < 0)
        return;
    uint32_t need = 1u << s->first_seen | 1u << s->last_seen | (rp >= 0 ? 1u << rp : 0);
    if ((need & ~s->all_paths) || (need & c->lead_unsure))
        return;
    row->leads_known = 1;
    row->resource_id = rp >= 0 ? c->lead[rp] : NULL;
    row->event_first_seen = c->lead[s->first_seen];
    row->event_last_seen = c->lead[s->last_seen];
}

/* ---- Findings ----------------------------------------------------------------- */

static int key_is(const unsigned char *k, uint32_t n, const char *name, size_t name_len)
{
    return n == name_len && memcmp(k, name, n) == 0;
}
#define KEY_IS(lit) key_is(k, n, lit, sizeof lit - 1)

/* The meaning of the value under key k in a container of role r. */
static int key_target(int role, const unsigned char *k, uint32_t n)
{
    switch (role) {
    case R_ROOT:
        return KEY_IS("findings") ? T_FINDINGS : T_OTHER;
    case R_FINDING:
        return KEY_IS("id") ? T_ID : KEY_IS("accountId") ? T_ACCOUNT : KEY_IS("type") ? T_TYPE
             : KEY_IS("severity") ? T_SEVERITY : KEY_IS("createdAt") ? T_CREATED
             : KEY_IS("updatedAt") ? T_UPDATED : KEY_IS("title") ? T_TITLE
             : KEY_IS("resource") ? T_RESOURCE
             : KEY_IS("service") ? T_SERVICE : T_OTHER;
    case R_RESOURCE:
        return KEY_IS("resourceType") ? T_RTYPE : T_OTHER;
    case R_SERVICE:
        return KEY_IS("featureName") ? T_FEATURE : KEY_IS("count") ? T_COUNT
             : KEY_IS("archived") ? T_ARCHIVED : KEY_IS("additionalInfo") ? T_ADDINFO
             : T_OTHER;
    case R_ADDINFO:
        return KEY_IS("value") ? T_ADDVAL : T_OTHER;
    default:
        return T_OTHER;
    }
}
#undef KEY_IS

/* Same rule as gd_api.c's valid_id. */
static int valid_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > GD_API_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
            return 0;
    return 1;
}

static int start_finding(scanner *s, size_t i)
{
    if (s->n >= GD_SCAN_MAX_FINDINGS)
        return GD_SCAN_SHAPE;
    if (s->n == s->cap_rows) {
        size_t cap = s->cap_rows ? s->cap_rows * 2 : 64;
        gd_finding_row *v = realloc(s->rows, cap * sizeof *v);
        if (!v)
            return GD_SCAN_NOMEM;
        s->rows = v;
        size_t *fix = realloc(s->row_fix, cap * sizeof *fix);
        if (!fix)
            return GD_SCAN_NOMEM;
        s->row_fix = fix;
        s->cap_rows = cap;
    }
    memset(&s->cur, 0, sizeof s->cur);
    s->cur.start = i;
    s->nedits = 0;
    s->text_end = 0;
    return GD_SCAN_OK;
}

/* ---- Re-dumping a repaired finding ---------------------------------------------
 * A finding with a repaired string cannot keep its own bytes as raw_json
 * (they hold what jansson refuses), so it is written again the way the
 * jansson path writes it (json_dump_callback, JSON_COMPACT, jansson 2.14
 * dump.c): no whitespace, keys in body order, strings with only '"', '\\'
 * and control characters escaped (\b \f \n \r \t, else \u00XX upper
 * case), integers as %lld, reals as %.17g with a '.0' added when it has
 * neither '.' nor 'e' and the exponent's '+' and leading zeros removed.
 * Most of a finding's bytes are written back as they came: structure,
 * literals, integers, keys, printable ASCII and valid UTF-8 (jansson loads
 * and dumps a valid sequence unchanged). The scan records the rest as the
 * finding's edits (whitespace, escapes, invalid bytes, reals, -0), so the
 * re-dump copies the bytes between edits whole, straight into s->redump,
 * whose room for the finding it reserves at once (redump_bound).
 * tests/unit/test_findings_scan.c compares the bytes with the jansson path's. */

/* Room for n more bytes and one spare at the end of the redump (the writer
 * adds what it wrote to its len); NULL when out of memory. Grows by half
 * the text so far at least, so a page's findings reallocate it seldom. */
static char *redump_room(gd_buf *o, size_t n)
{
    if (o->cap - o->len > n)
        return o->data + o->len;
    return gd_buf_reserve(o, n + o->len / 2) ? NULL : o->data + o->len;
}

/* Appends p[0..n) to the redump: 0 or GD_SCAN_NOMEM. */
static int redump_put(gd_buf *o, const void *p, size_t n)
{
    char *w = redump_room(o, n);
    if (!w)
        return GD_SCAN_NOMEM;
    memcpy(w, p, n);
    o->len += n;
    return GD_SCAN_OK;
}

/* cp as jansson's dump writes it inside a string, into w (6 bytes at most). */
static size_t dump_cp(unsigned long cp, char *w)
{
    static const char hex[] = "0123456789ABCDEF";
    char e = cp == '"' ? '"' : cp == '\\' ? '\\' : cp == '\b' ? 'b' : cp == '\f' ? 'f'
           : cp == '\n' ? 'n' : cp == '\r' ? 'r' : cp == '\t' ? 't' : 0;
    if (e) {
        w[0] = '\\';
        w[1] = e;
        return 2;
    }
    if (cp < 0x20) {
        memcpy(w, "\\u00", 4);
        w[4] = hex[cp >> 4];
        w[5] = hex[cp & 15];
        return 6;
    }
    return gd_utf8_encode((uint32_t)cp, w);
}

/* %lld of v, into b (24 bytes at least). */
static size_t int_text(int64_t v, char *b)
{
    char t[24];
    size_t n = 0, k = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        t[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        b[k++] = '-';
    while (n)
        b[k++] = t[--n];
    return k;
}

/* jansson's jsonp_dtostr with its default precision (17), into b (64
 * bytes); its length, or 0 on failure. */
static size_t real_text(double v, char *b)
{
    int n = snprintf(b, 64 - 3, "%.17g", v);
    if (n < 0 || n >= 64 - 3)
        return 0;
    const char *point = localeconv()->decimal_point;
    char *pos = *point != '.' ? strchr(b, *point) : NULL;
    if (pos)
        *pos = '.';
    if (!strchr(b, '.') && !strchr(b, 'e')) {
        memcpy(b + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(b, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)n - (size_t)(end - b) + 1);
            n -= (int)(end - start);
        }
    }
    return (size_t)n;
}

/* A number as jansson stores and dumps it. The scanner took it, so it has
 * no exponent and at most 18 (integer) or 17 (real) digits: strtoll and
 * strtod cannot fail; a real not on the exact fast path is read with strtod,
 * in the locale's format as jansson does. */
static int redump_number(scanner *s, size_t i, size_t *next)
{
    number num;
    char b[64];
    if (scan_number(s, i, next, &num))
        return GD_SCAN_SYNTAX;
    if (num.is_int)
        return redump_put(&s->redump, b, int_text(num.ival, b));
    if (!num.has_dval) {
        size_t n = *next - i;
        if (n >= sizeof b)
            return GD_SCAN_SYNTAX;
        memcpy(b, s->p + i, n);
        b[n] = '\0';
        const char *point = localeconv()->decimal_point;
        char *dot = strchr(b, '.');
        if (dot && *point != '.')
            *dot = *point;
        num.dval = strtod(b, NULL);
    }
    size_t n = real_text(num.dval, b);
    return n ? redump_put(&s->redump, b, n) : GD_SCAN_SYNTAX;
}

/* Room the finding p[start..end] takes re-dumped, at most: its own bytes
 * (whitespace is dropped; structure, literals, integers and unchanged text
 * stay as long), 2 more per U+FFFD (scan_string's count), 32 more per real
 * (3 bytes at least in, 25 at most out), and its NUL. */
static size_t redump_bound(const cur_finding *c, size_t end)
{
    return end + 1 - c->start + 2 * c->repairs + 32 * c->reals + 1;
}

/* Writes the finding p[from..to] (its braces included) into s->redump,
 * NUL-terminated: the bytes between its edits as they came, in one copy
 * each, and each edit as jansson writes it. */
static int redump_finding(scanner *s, size_t from, size_t to)
{
    gd_buf *o = &s->redump;
    if (s->edits_lost || !redump_room(o, redump_bound(&s->cur, to)))
        return GD_SCAN_NOMEM;
    const unsigned char *p = s->p;
    for (uint32_t e = 0; e < s->nedits; e++) {
        size_t pos = s->edits[e].pos;
        if (pos < from)
            return GD_SCAN_SYNTAX;      /* not reached: edits are in body order */
        if (redump_put(o, p + from, pos - from))
            return GD_SCAN_NOMEM;
        unsigned char c = p[pos];
        if (is_ws(c)) {
            from = s->edits[e].end;
        } else if (c == '-' || is_digit(c)) {
            int rc = redump_number(s, pos, &from);
            if (rc)
                return rc;
        } else {                        /* escapes and invalid bytes */
            for (from = pos; from < s->edits[e].end;) {
                char *w = redump_room(o, 6);
                if (!w)
                    return GD_SCAN_NOMEM;
                o->len += dump_cp(next_cp(p, &from, s->len), w);
            }
        }
    }
    if (from > to + 1)
        return GD_SCAN_SYNTAX;          /* not reached: edits are inside the finding */
    if (redump_put(o, p + from, to + 1 - from))
        return GD_SCAN_NOMEM;
    return redump_put(o, "", 1);
}

/* The finding object closed at p[end]: the row, with parse_one_finding's
 * rules. A rule broken declines, so the jansson path words the error. */
static int finish_finding(scanner *s, size_t end)
{
    const cur_finding *c = &s->cur;
    gd_finding_row *row = &s->rows[s->n];
    memset(row, 0, sizeof *row);
    const char *acct = c->str[T_ACCOUNT], *type = c->str[T_TYPE];
    if (!valid_id(c->str[T_ID]) || !acct || !*acct || strlen(acct) > 64 || !type || !*type ||
        !c->has_sev || !isfinite(c->sev) || !c->str[T_CREATED] || !c->str[T_UPDATED] ||
        gd_time_parse_iso(c->str[T_CREATED], &row->created_ms) ||
        gd_time_parse_iso(c->str[T_UPDATED], &row->updated_ms))
        return GD_SCAN_FINDING;
    row->finding_id = c->str[T_ID];
    row->region = s->region;
    row->detector_id = s->detector_id;
    row->account_id = acct;
    row->type = type;
    row->severity = c->sev;
    row->created_at = c->str[T_CREATED];
    row->updated_at = c->str[T_UPDATED];
    row->title = c->str[T_TITLE];
    row->resource_type = c->str[T_RTYPE];
    row->feature_name = c->str[T_FEATURE];
    row->count = c->has_count && c->count >= 0 ? c->count : 1;
    row->archived = c->archived;
    row->sample = gd_api_is_sample_marker(c->str[T_ADDVAL]);
    lead_finish(s, c, row);
    /* raw_json: the object's own bytes in the body, ended by a NUL on the
     * byte after '}' (whitespace, ',' or ']') once the scan is done; a
     * repaired finding's is re-dumped, its pointer also set at the end (the
     * buffer may still move). See row_fix. */
    if (c->repairs) {
        if (c->edits_over)
            return GD_SCAN_DENSE;
        s->row_fix[s->n] = s->redump.len;
        int rc = redump_finding(s, c->start, end);
        if (rc)
            return rc;
        row->raw_json_len = s->redump.len - s->row_fix[s->n] - 1; /* its NUL excluded */
    } else {
        s->row_fix[s->n] = end + 1;
        row->raw_json = s->body + c->start;
        row->raw_json_len = end + 1 - c->start;
    }
    s->n++;
    return GD_SCAN_OK;
}

/* ---- The scan ----------------------------------------------------------------- */

static int push(scanner *s, int is_obj, int role)
{
    if (s->depth == GD_SCAN_MAX_DEPTH)
        return GD_SCAN_DEPTH;
    const frame *up = s->depth ? &s->frames[s->depth - 1] : NULL;
    uint32_t d = up ? up->lead_depth : 0;
    uint32_t mask = role == R_FINDING ? s->all_paths
                  : up && up->lead_mask ? s->next_mask & ~lead_ending(s, s->next_mask, d) : 0;
    s->frames[s->depth++] = (frame){(unsigned char)is_obj, (unsigned char)role, 0, s->nkeys,
                                    mask, role == R_FINDING ? 0 : d + 1, 0};
    if (role == R_FINDING)
        s->finding_depth = s->depth;
    return GD_SCAN_OK;
}

/* Closes the top container, whose last byte is p[i]. */
static int pop(scanner *s, size_t i)
{
    frame *f = &s->frames[--s->depth];
    if (f->is_obj)
        s->nkeys = f->key_start;
    if (f->role == R_FINDINGS)
        s->seen_findings = 1;
    if (f->role != R_FINDING)
        return GD_SCAN_OK;
    s->finding_depth = 0;
    return finish_finding(s, i);
}

static int role_for(int target, int is_obj)
{
    if (!is_obj)
        return target == T_FINDINGS ? R_FINDINGS : R_OTHER;
    return target == T_FINDING ? R_FINDING : target == T_RESOURCE ? R_RESOURCE
         : target == T_SERVICE ? R_SERVICE : target == T_ADDINFO ? R_ADDINFO : R_OTHER;
}

/* A scalar value at p[i] for target t; *next is one past it. */
static int scalar(scanner *s, size_t i, int t, uint32_t lead_ends, size_t *next)
{
    unsigned char c = s->p[i];
    if (c == '"') {
        size_t end;
        size_t repaired;
        int esc, rc = scan_string(s, i, &end, &esc, s->finding_depth > 0, &repaired);
        if (rc)
            return rc;
        s->cur.repairs += repaired;
        if (t < N_STR_FIELDS || lead_ends) {
            const char *v = repaired ? decode_repaired(s, i + 1, end)
                                     : decode_string(s, i + 1, end, esc);
            if (!v)
                return GD_SCAN_NOMEM;
            if (t < N_STR_FIELDS)
                s->cur.str[t] = v;
            for (uint32_t p = 0; lead_ends && p < s->npaths; p++)
                if (lead_ends >> p & 1)
                    s->cur.lead[p] = v;
        }
        *next = end + 1;
        return GD_SCAN_OK;
    }
    if (!(c == 'n' && s->len - i >= 4 && memcmp(s->p + i, "null", 4) == 0))
        s->cur.lead_unsure |= lead_ends;     /* json_extract gives a number or JSON text */
    if (c == '-' || is_digit(c)) {
        number num;
        int rc = scan_number(s, i, next, &num);
        if (rc)
            return rc;
        s->cur.reals += !num.is_int;
        if (s->finding_depth && (!num.is_int || (num.ival == 0 && c == '-')))
            edit_add(s, i, *next, 0);   /* written back otherwise: a real, or -0 */
        if (t == T_SEVERITY) {
            if (!num.has_dval)
                return GD_SCAN_NUMBER;
            s->cur.has_sev = 1;
            s->cur.sev = num.dval;
        } else if (t == T_COUNT && num.is_int) {
            s->cur.has_count = 1;
            s->cur.count = num.ival;
        }
        return GD_SCAN_OK;
    }
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(lits[k]);
        if (s->len - i >= n && memcmp(s->p + i, lits[k], n) == 0) {
            if (k == 0 && t == T_ARCHIVED)
                s->cur.archived = 1;
            *next = i + n;
            return GD_SCAN_OK;
        }
    }
    return GD_SCAN_SYNTAX;
}

/* A value at p[i] (after whitespace) for target *t: a scalar, or a
 * container opened (and closed at once when empty). *next is where to go on;
 * *want tells what comes next (0: ',' or a close, 1: a key, 2: an array item,
 * whose target is then in *t). */
static int value(scanner *s, size_t i, int *t, size_t *next, int *want)
{
    unsigned char c = s->p[i];
    *want = 0;
    if (c == ']' || c == '}' || c == ',' || c == ':')
        return GD_SCAN_SYNTAX;
    if ((*t == T_FINDINGS && c != '[') || (*t == T_FINDING && c != '{'))
        return GD_SCAN_SHAPE;
    uint32_t lead_ends = 0;
    if (s->depth && s->frames[s->depth - 1].lead_mask)
        lead_ends = lead_ending(s, s->next_mask, s->frames[s->depth - 1].lead_depth);
    if (c != '{' && c != '[')
        return scalar(s, i, *t, lead_ends, next);
    s->cur.lead_unsure |= lead_ends;         /* an object or array: JSON text */
    int is_obj = c == '{', role = role_for(*t, is_obj), rc = GD_SCAN_OK;
    if (*t == T_FINDING)
        rc = start_finding(s, i);
    if (!rc)
        rc = push(s, is_obj, role);
    if (rc)
        return rc;
    size_t j = skip_ws(s, i + 1);
    if (j < s->len && s->p[j] == (is_obj ? '}' : ']')) {
        if (j != i + 1 && s->finding_depth)
            edit_add(s, i + 1, j, 0);   /* else the next token's skip records it */
        *next = j + 1;
        return pop(s, j);
    }
    *next = i + 1;
    *want = is_obj ? 1 : 2;
    *t = role == R_FINDINGS ? T_FINDING : T_OTHER;
    return GD_SCAN_OK;
}

/* A key at p[i] (after whitespace) with its ':'; the target of its value. */
static int key(scanner *s, size_t i, size_t *next, int *t)
{
    size_t end;
    size_t repaired;
    int esc;
    if (i >= s->len || s->p[i] != '"')
        return GD_SCAN_SYNTAX;
    int rc = scan_string(s, i, &end, &esc, 0, &repaired);
    if (rc)
        return rc;
    if (esc)
        return GD_SCAN_KEY_ESCAPE;
    uint32_t off = (uint32_t)(i + 1), n = (uint32_t)(end - i - 1);
    rc = add_key(s, off, n);
    if (rc)
        return rc;
    const frame *f = &s->frames[s->depth - 1];
    *t = key_target(f->role, s->p + off, n);
    s->next_mask = f->lead_mask ? lead_by_key(s, f->lead_mask, f->lead_depth, s->p + off, n) : 0;
    size_t j = skip_ws_edit(s, end + 1);
    if (j >= s->len || s->p[j] != ':')
        return GD_SCAN_SYNTAX;
    *next = j + 1;
    return GD_SCAN_OK;
}

/* After a value inside the top container: ',' (then *want as for value())
 * or its close (*want 0). */
static int after_value(scanner *s, size_t *pi, int *t, int *want)
{
    size_t i = skip_ws_edit(s, *pi);
    if (i >= s->len)
        return GD_SCAN_SYNTAX;
    const frame *f = &s->frames[s->depth - 1];
    unsigned char c = s->p[i];
    *want = 0;
    *pi = i + 1;
    if (c == ',') {
        *want = f->is_obj ? 1 : 2;
        *t = f->role == R_FINDINGS ? T_FINDING : T_OTHER;
        return GD_SCAN_OK;
    }
    if (c != (f->is_obj ? '}' : ']'))
        return GD_SCAN_SYNTAX;
    return pop(s, i);
}

/* Iterative: the container stack is s->frames, so no hostile nesting can
 * reach the C stack. want: 0 after a value, 1 a key, 2 a value. */
static int scan(scanner *s)
{
    size_t i = skip_ws(s, 0);
    if (i >= s->len)
        return GD_SCAN_SYNTAX;
    if (s->p[i] != '{')
        return GD_SCAN_SHAPE;
    size_t j = skip_ws(s, i + 1);
    if (j < s->len && s->p[j] == '}')
        return GD_SCAN_SHAPE;          /* {}: no findings */
    int rc = push(s, 1, R_ROOT), t = T_OTHER, want = 1;
    i++;
    while (!rc && s->depth > 0) {
        if (want == 1) {
            rc = key(s, skip_ws_edit(s, i), &i, &t);
            want = 2;
        } else if (want == 2) {
            size_t v = skip_ws_edit(s, i);
            if (v >= s->len)
                return GD_SCAN_SYNTAX;
            frame *f = &s->frames[s->depth - 1];
            if (!f->is_obj)
                s->next_mask = f->lead_mask ? lead_by_index(s, f->lead_mask, f->lead_depth,
                                                            f->items++) : 0;
            rc = value(s, v, &t, &i, &want);
        } else {
            rc = after_value(s, &i, &t, &want);
        }
    }
    if (rc)
        return rc;
    if (s->edits_lost)
        return GD_SCAN_NOMEM;
    if (skip_ws(s, i) != s->len)
        return GD_SCAN_SYNTAX;
    return s->seen_findings ? GD_SCAN_OK : GD_SCAN_SHAPE;
}

/* The scan done: rows' raw_json pointers and NULs (row_fix). */
static void fix_rows(scanner *s, const char *redump)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->rows[i].raw_json)
            s->body[s->row_fix[i]] = '\0';
        else
            s->rows[i].raw_json = redump + s->row_fix[i];
    }
}

static void scanner_free(scanner *s)
{
    gd_buf_free(&s->redump);
    free(s->edits);
    free(s->row_fix);
    free(s->keys);
    for (int d = 0; d < GD_SCAN_MAX_DEPTH; d++) {
        free(s->tabs[d].slot);
        free(s->tabs[d].stamp);
    }
    free(s);
}

/* ---- The scanner's reuse ------------------------------------------------------
 * A fetch thread scans one page after another. Its scanner (14 KB, with the
 * lead paths parsed and its key, edit and table arrays grown) is kept for
 * its next page instead of a calloc, a parse of the lead paths and a fresh
 * growth of each array per page. Kept per thread (a thread-specific value,
 * freed when the thread ends), and only while its arrays are small: a
 * hostile page that grew them large has them freed. */
#define KEEP_MAX_BYTES ((size_t)256 * 1024)

static pthread_key_t scanner_key;
static pthread_once_t scanner_once = PTHREAD_ONCE_INIT;
static int scanner_key_ok;

static void scanner_destroy(void *p)
{
    scanner_free(p);
}

static void scanner_key_make(void)
{
    scanner_key_ok = pthread_key_create(&scanner_key, scanner_destroy) == 0;
}

/* What a kept scanner holds beyond itself. */
static size_t kept_bytes(const scanner *s)
{
    size_t n = (size_t)s->cap_keys * sizeof *s->keys + (size_t)s->cap_edits * sizeof *s->edits +
               s->cap_rows * sizeof *s->row_fix;
    for (int d = 0; d < GD_SCAN_MAX_DEPTH; d++)
        n += (size_t)s->tabs[d].cap * (sizeof *s->tabs[d].slot + sizeof *s->tabs[d].stamp);
    return n;
}

/* Empties a kept scanner for the next page: it keeps its lead paths and its
 * arrays (keys, edits, tables, row_fix), and starts every count at 0. */
static void scanner_reuse(scanner *s)
{
    s->strings = NULL;
    s->depth = 0;
    s->nkeys = 0;
    s->rows = NULL;           /* the last page's rows went with it */
    s->n = s->cap_rows = 0;   /* row_fix is grown again from its block */
    memset(&s->cur, 0, sizeof s->cur);
    s->seen_findings = 0;
    s->finding_depth = 0;
    s->nedits = 0;
    s->text_end = 0;
    s->edits_lost = 0;
    s->next_mask = 0;
    if (s->stamp_seq > UINT32_MAX / 2) {
        /* a table's live slots are those stamped with its build's number:
         * before the numbers could come round, start the tables afresh */
        for (int d = 0; d < GD_SCAN_MAX_DEPTH; d++) {
            free(s->tabs[d].slot);
            free(s->tabs[d].stamp);
        }
        memset(s->tabs, 0, sizeof s->tabs);
        s->stamp_seq = 0;
    }
}

/* The thread's kept scanner, emptied, or a new one; NULL when out of memory. */
static scanner *scanner_get(void)
{
    pthread_once(&scanner_once, scanner_key_make);
    scanner *s = scanner_key_ok ? pthread_getspecific(scanner_key) : NULL;
    if (s) {
        pthread_setspecific(scanner_key, NULL);
        scanner_reuse(s);
        return s;
    }
    s = calloc(1, sizeof *s);
    if (s)
        lead_setup(s);
    return s;
}

/* Keeps s for the thread's next page, or frees it. */
static void scanner_put(scanner *s)
{
    gd_buf_free(&s->redump);
    if (!scanner_key_ok || kept_bytes(s) > KEEP_MAX_BYTES ||
        pthread_getspecific(scanner_key) || pthread_setspecific(scanner_key, s) != 0)
        scanner_free(s);
}

int gd_findings_scan_take(char *body, size_t len, const char *region, const char *detector_id,
                          gd_scan_page *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > BODY_MAX)
        return GD_SCAN_SYNTAX;
    scanner *s = scanner_get();
    if (!s)
        return GD_SCAN_NOMEM;
    s->p = (const unsigned char *)body;
    s->body = body;
    s->len = len;
    s->region = region;
    s->detector_id = detector_id;
    gd_buf_init(&s->redump, SIZE_MAX / 2);
    int rc = scan(s);
    if (!rc && s->redump.len && !(out->redump = gd_buf_detach(&s->redump)))
        rc = GD_SCAN_NOMEM;
    if (rc) {
        free(s->rows);
        gd_scan_chunks_free(s->strings);
    } else {
        fix_rows(s, out->redump);
        out->rows = s->rows;
        out->n = s->n;
        out->buf = body;
        out->strings = s->strings;
        out->body_len = len;
    }
    scanner_put(s);
    return rc;
}

int gd_findings_scan(const char *body, size_t len, const char *region, const char *detector_id,
                     gd_scan_page *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > BODY_MAX)
        return GD_SCAN_SYNTAX;
    char *copy = malloc(len);
    if (!copy)
        return GD_SCAN_NOMEM;
    memcpy(copy, body, len);
    int rc = gd_findings_scan_take(copy, len, region, detector_id, out);
    if (rc)
        free(copy);
    return rc;
}

void gd_findings_scan_free(gd_scan_page *s)
{
    if (!s)
        return;
    free(s->rows);
    free(s->buf);
    gd_scan_chunks_free(s->strings);
    free(s->redump);
    memset(s, 0, sizeof *s);
}

const char *gd_findings_scan_status_name(int status)
{
    static const char *const names[GD_SCAN_N_STATUS] = {
        "ok", "syntax", "utf8", "control", "escape", "key_escape", "dup_key",
        "number", "depth", "shape", "finding", "dense", "nomem"};
    return status >= 0 && status < GD_SCAN_N_STATUS ? names[status] : "unknown";
}
