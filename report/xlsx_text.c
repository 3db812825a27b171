/* SPDX-License-Identifier: Apache-2.0 */
/* Cell-text sanitizer for the xlsx writer (contract in xlsx_text.h).
 *
 * Why each rule exists (docs/facts.md, section X):
 *  - X6: libxlsxwriter 1.1.4 copies bytes into the sheet XML unchecked, so
 *    invalid UTF-8, CESU-8 surrogates or U+FFFE make the whole workbook
 *    "corrupt" in Excel. We repair and strip before it sees the text.
 *  - X5: it escapes C0 controls as _xHHHH_ but leaves a literal "_x0041_"
 *    alone, which Excel then decodes as "A"; an attacker could spell any
 *    character that way. MS-OI29500 2.1.1747: escape the '_' as _x005F_.
 *    The check runs on the cleaned text, so a stripped control character
 *    cannot hide an escape ("_x00\x01" "41_"), and a CR closes one too
 *    because the library itself writes CR as "_x000D_".
 *  - X2/X3: formula injection (OWASP ASVS 1.2.10, CWE-1236). 1.1.4 stores
 *    "=cmd|..." as text, but the cell turns live as soon as a user edits it,
 *    and CSV exports of the sheet keep the leading '='. Debian's 1.1.4 has no
 *    format_set_quote_prefix (1.1.6+), so the only defence left is a literal
 *    apostrophe at the start of the text. Unlike Excel's quote prefix it is
 *    VISIBLE in the cell: that is deliberate, it tells the auditor the value
 *    was neutralised, and it survives every conversion (CSV, LibreOffice).
 *  - Bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F) reorder
 *    how a cell displays (CVE-2021-42574, "Trojan Source"): each becomes a
 *    visible marker such as "\u27E8U+202E\u27E9". JSON keeps the exact value.
 *  - X1/X4: more than 32,767 code points is LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED;
 *    we cut and say so visibly instead of losing the cell. */
#include "report/xlsx_text.h"

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/utf8.h"

/* A cursor over the input that yields only code points that survive rules 1
 * and 2. Copying it gives a look-ahead. */
typedef struct clean_iter {
    const unsigned char *p, *end;
    unsigned changes;
} clean_iter;

/* XML 1.0 section 2.2 Char. Surrogates never get here (decode rejects them). */
static int xml_char_ok(uint32_t c)
{
    if (c < 0x20)
        return c == 0x9 || c == 0xA || c == 0xD;
    return c != 0xFFFE && c != 0xFFFF && c <= 0x10FFFF;
}

static int next_clean(clean_iter *it, uint32_t *cp)
{
    while (it->p < it->end) {
        uint32_t c;
        size_t n = gd_utf8_decode(it->p, (size_t)(it->end - it->p), &c);
        if (n == 0) {
            it->p++;
            it->changes |= GD_XLSX_TEXT_REPAIRED;
            *cp = 0xFFFD;
            return 1;
        }
        it->p += n;
        if (xml_char_ok(c)) {
            *cp = c;
            return 1;
        }
        it->changes |= GD_XLSX_TEXT_STRIPPED;
    }
    return 0;
}

static int is_hex(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Does the text after a '_' (at `it`) continue as "xHHHH_"? A CR counts as
 * the closing '_' too: libxlsxwriter writes CR as "_x000D_" (X5), so
 * "_x0041" CR would reach Excel as "_x0041_x000D_" and show an "A". */
static int starts_escape(clean_iter it)
{
    uint32_t c;
    if (!next_clean(&it, &c) || (c != 'x' && c != 'X'))
        return 0;
    for (int i = 0; i < 4; i++)
        if (!next_clean(&it, &c) || !is_hex(c))
            return 0;
    return next_clean(&it, &c) && (c == '_' || c == '\r');
}

/* Unicode bidirectional controls (UAX #9): embeddings and overrides
 * U+202A-U+202E, isolates U+2066-U+2069, and the marks U+200E/U+200F. In a
 * cell they reorder what the reader sees ("Trojan Source", CVE-2021-42574):
 * a finding title could display an account id or a file name reversed. */
static int is_bidi_control(uint32_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
           c == 0x200F;
}

static int formula_lead(uint32_t c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Output side: appends whole tokens (a character, or an escape) and remembers
 * the last token boundary where the marker still fits, so a cut never splits
 * a character or an _x005F_ escape. */
typedef struct sink {
    gd_buf *out;
    size_t chars, max_chars;
    size_t safe_len;   /* bytes of output at the last boundary with room for the marker */
    int cut;
} sink;

static int emit(sink *s, const char *bytes, size_t n, size_t chars)
{
    if (s->chars + chars > s->max_chars) {
        s->out->len = s->safe_len;
        s->out->data[s->safe_len] = '\0';
        s->cut = 1;
        return gd_buf_append(s->out, GD_XLSX_TRUNC_MARKER, sizeof GD_XLSX_TRUNC_MARKER - 1);
    }
    int rc = gd_buf_append(s->out, bytes, n);
    if (rc)
        return rc;
    s->chars += chars;
    if (s->chars <= s->max_chars - GD_XLSX_TRUNC_MARKER_CHARS)
        s->safe_len = s->out->len;
    return 0;
}

static int emit_char(sink *s, uint32_t c)
{
    char u[4];
    return emit(s, u, gd_utf8_encode(c, u), 1);
}

/* "\u27E8U+202E\u27E9": the control made visible and inert, as one token. */
static int emit_bidi_marker(sink *s, uint32_t c)
{
    char marker[24];
    int n = snprintf(marker, sizeof marker, "\xE2\x9F\xA8U+%04X\xE2\x9F\xA9", (unsigned)c);
    return emit(s, marker, (size_t)n, 8);
}

int gd_xlsx_text_sanitize_n(gd_buf *out, const char *in, size_t len, size_t max_chars,
                            unsigned *changes)
{
    if (changes)
        *changes = 0;
    if (max_chars <= GD_XLSX_TRUNC_MARKER_CHARS)
        return GD_E_USAGE;
    gd_buf_reset(out);
    if (!in) {
        in = "";
        len = 0;
    }
    clean_iter it = {(const unsigned char *)in, (const unsigned char *)in + len, 0};
    sink s = {out, 0, max_chars, 0, 0};
    unsigned quoted = 0, escaped = 0, bidi = 0;
    int rc = 0;
    uint32_t c;
    int first = 1;
    while (rc == 0 && !s.cut && next_clean(&it, &c)) {
        if (first && (formula_lead(c) || (len > 0 && in[0] == '\0'))) {
            rc = emit_char(&s, '\'');
            quoted = GD_XLSX_TEXT_QUOTED;
        }
        first = 0;
        if (rc == 0 && !s.cut && is_bidi_control(c)) {
            rc = emit_bidi_marker(&s, c);
            bidi = GD_XLSX_TEXT_BIDI;
        } else if (rc == 0 && !s.cut && c == '_' && starts_escape(it)) {
            rc = emit(&s, "_x005F_", 7, 7);
            escaped = GD_XLSX_TEXT_ESCAPED;
        } else if (rc == 0 && !s.cut) {
            rc = emit_char(&s, c);
        }
    }
    if (rc == 0 && first && len > 0 && in[0] == '\0') {
        rc = emit_char(&s, '\''); /* nothing but stripped bytes after a leading NUL */
        quoted = GD_XLSX_TEXT_QUOTED;
    }
    if (changes)
        *changes = it.changes | quoted | escaped | bidi | (s.cut ? GD_XLSX_TEXT_TRUNCATED : 0u);
    if (rc)
        gd_buf_reset(out);
    return rc;
}

int gd_xlsx_text_sanitize(gd_buf *out, const char *in, size_t len, unsigned *changes)
{
    return gd_xlsx_text_sanitize_n(out, in, len, GD_XLSX_CELL_MAX_CHARS, changes);
}
