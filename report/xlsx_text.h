/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_XLSX_TEXT_H
#define GD_REPORT_XLSX_TEXT_H
/* Cell-text sanitizer: turns any byte string (finding titles, resource names,
 * account names: attacker-influenced) into text that libxlsxwriter 1.1.4
 * writes as well-formed XML, that Excel shows verbatim, and that cannot
 * become a formula (docs/facts.md X1-X6).
 *
 * Every string cell, header and chart label the xlsx writer emits goes
 * through gd_xlsx_text_sanitize. It is a pure function: no locale, no global
 * state; the output buffer is caller-owned and reused across calls. */
#include <stddef.h>
#include "common/buf.h"

/* Excel's per-cell limit; libxlsxwriter 1.1.4 counts UTF-8 code points (X4). */
#define GD_XLSX_CELL_MAX_CHARS 32767
/* Appended when text is cut; the result, marker included, fits the limit. */
#define GD_XLSX_TRUNC_MARKER " \xE2\x80\xA6[truncated]"
#define GD_XLSX_TRUNC_MARKER_CHARS 13

/* What the sanitizer changed (bit flags, for tests and diagnostics). */
enum gd_xlsx_text_change {
    GD_XLSX_TEXT_REPAIRED = 1,   /* invalid UTF-8 byte(s) became U+FFFD */
    GD_XLSX_TEXT_STRIPPED = 2,   /* characters XML 1.0 forbids were removed */
    GD_XLSX_TEXT_ESCAPED = 4,    /* a literal _xHHHH_ got its '_' written as _x005F_ */
    GD_XLSX_TEXT_QUOTED = 8,     /* formula-like text got a leading apostrophe */
    GD_XLSX_TEXT_TRUNCATED = 16, /* cut to fit, marker appended */
    GD_XLSX_TEXT_BIDI = 32       /* a bidi control became a visible marker */
};

/* Sanitizes in[0..len) (may hold NUL bytes) into out, which is reset first.
 * The rules, in order:
 *  1. invalid UTF-8 -> U+FFFD per bad byte (overlongs, UTF-16 surrogates as in
 *     CESU-8, code points above U+10FFFF, stray or missing continuation bytes);
 *  2. characters outside XML 1.0 Char are removed (C0 controls other than
 *     tab/LF/CR, U+FFFE, U+FFFF); bidi controls (U+202A-U+202E,
 *     U+2066-U+2069, U+200E, U+200F) become a visible marker,
 *     "\u27E8U+202E\u27E9" (8 code points);
 *  3. a leading apostrophe when the cleaned text starts with = + - @ tab CR,
 *     or the input started with NUL (formula injection, see the .c file);
 *  4. each '_' that starts "_xHHHH_" (hex, x or X; a CR in place of the
 *     closing '_' counts, as libxlsxwriter writes CR as _x000D_) is written
 *     as "_x005F_";
 *  5. at most max_chars code points: longer text is cut on a character (never
 *     inside an escape) and GD_XLSX_TRUNC_MARKER appended.
 * *changes (may be NULL) receives enum gd_xlsx_text_change bits.
 * Returns 0, GD_E_USAGE when max_chars <= GD_XLSX_TRUNC_MARKER_CHARS,
 * GD_E_NOMEM or GD_E_TOO_BIG (from out's cap). */
int gd_xlsx_text_sanitize_n(gd_buf *out, const char *in, size_t len, size_t max_chars,
                            unsigned *changes);

/* gd_xlsx_text_sanitize_n with max_chars = GD_XLSX_CELL_MAX_CHARS. */
int gd_xlsx_text_sanitize(gd_buf *out, const char *in, size_t len, unsigned *changes);

#endif
