/* SPDX-License-Identifier: Apache-2.0 */
/* report/xlsx_text: hostile cell text in, exact safe text out. */
#include "common/buf.h"
#include "common/err.h"
#include "report/xlsx_text.h"
#include "t.h"

#include <stdlib.h>

#define FFFD "\xEF\xBF\xBD"
#define R GD_XLSX_TEXT_REPAIRED
#define S GD_XLSX_TEXT_STRIPPED
#define E GD_XLSX_TEXT_ESCAPED
#define Q GD_XLSX_TEXT_QUOTED
#define T GD_XLSX_TEXT_TRUNCATED
#define BIDI GD_XLSX_TEXT_BIDI

typedef struct text_case {
    const char *name;
    const char *in;
    size_t len;          /* 0: strlen(in) */
    const char *want;
    unsigned changes;
} text_case;

static const text_case CASES[] = {
    {"plain ascii", "GuardDuty finding", 0, "GuardDuty finding", 0},
    {"empty", "", 0, "", 0},
    {"formula =", "=1+1", 0, "'=1+1", Q},
    {"formula + ", "+SUM(A1:A9)", 0, "'+SUM(A1:A9)", Q},
    {"formula -", "-2+3", 0, "'-2+3", Q},
    {"formula @", "@SUM(1)", 0, "'@SUM(1)", Q},
    {"leading tab", "\t=1", 0, "'\t=1", Q},
    {"leading CR", "\r=1", 0, "'\r=1", Q},
    {"leading LF is not a formula", "\nx", 0, "\nx", 0},
    {"DDE payload", "=cmd|' /C calc'!A0", 0, "'=cmd|' /C calc'!A0", Q},
    {"= inside is fine", "a=b+c", 0, "a=b+c", 0},
    {"leading NUL then =", "\0=1", 3, "'=1", Q | S},
    {"leading NUL then text", "\0abc", 4, "'abc", Q | S},
    {"only NUL", "\0", 1, "'", Q | S},
    {"NUL inside", "a\0b", 3, "ab", S},
    {"stripped control hides =", "\x01=HYPERLINK(\"x\")", 0, "'=HYPERLINK(\"x\")", Q | S},
    {"literal escape", "_x0041_", 0, "_x005F_x0041_", E},
    {"literal escape upper X, mixed hex", "_X00aF_", 0, "_x005F_X00aF_", E},
    {"escape of an underscore", "_x005F_", 0, "_x005F_x005F_", E},
    {"double underscore", "__x0041_", 0, "__x005F_x0041_", E},
    {"two escapes", "_x0041__x0042_", 0, "_x005F_x0041__x005F_x0042_", E},
    {"CR closes an escape (the library writes CR as _x000D_)", "_x0041\r", 0,
     "_x005F_x0041\r", E},
    {"LF does not close one", "_x0041\n", 0, "_x0041\n", 0},
    {"three hex digits", "_x004_", 0, "_x004_", 0},
    {"no closing underscore", "_x0041", 0, "_x0041", 0},
    {"non-hex digit", "_x00G1_", 0, "_x00G1_", 0},
    {"escape assembled by stripping", "_x00\x01" "41_", 0, "_x005F_x0041_", S | E},
    {"C0 controls removed, DEL kept", "a\x01" "b\x1f" "c\x7f", 0, "abc\x7f", S},
    {"tab LF CR kept", "t\tl\nc\r", 0, "t\tl\nc\r", 0},
    {"U+FFFE removed", "a\xEF\xBF\xBE" "b", 0, "ab", S},
    {"U+FFFF removed", "a\xEF\xBF\xBF" "b", 0, "ab", S},
    {"U+FFFD kept", FFFD, 0, FFFD, 0},
    {"U+D7FF U+E000 kept", "\xED\x9F\xBF\xEE\x80\x80", 0, "\xED\x9F\xBF\xEE\x80\x80", 0},
    {"U+10FFFF kept", "\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF", 0},
    {"multibyte kept", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0,
     "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0},
    {"bad byte 0xFF", "a\xFF" "b", 0, "a" FFFD "b", R},
    {"lone continuation", "\x80", 0, FFFD, R},
    {"overlong 2-byte slash", "\xC0\xAF", 0, FFFD FFFD, R},
    {"overlong NUL C1", "\xC1\x80", 0, FFFD FFFD, R},
    {"overlong 3-byte", "\xE0\x80\xAF", 0, FFFD FFFD FFFD, R},
    {"overlong 4-byte", "\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD, R},
    {"CESU-8 surrogate pair", "\xED\xA0\x80\xED\xB0\x80", 0,
     FFFD FFFD FFFD FFFD FFFD FFFD, R},
    {"above U+10FFFF (F4 90)", "\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD, R},
    {"above U+10FFFF (F5)", "\xF5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD, R},
    {"truncated sequence at end", "x\xE2\x82", 0, "x" FFFD FFFD, R},
    {"truncated sequence before ascii", "\xE2\x82" "A", 0, FFFD FFFD "A", R},
    {"formula then bad byte", "=\xFF", 0, "'=" FFFD, Q | R},
    {"BOM is not a formula lead", "\xEF\xBB\xBF=1", 0, "\xEF\xBB\xBF=1", 0},
    /* Bidi controls become visible, inert markers (CVE-2021-42574). */
    {"RLO override", "invoice\xE2\x80\xAE" "fdp.exe", 0,
     "invoice\xE2\x9F\xA8U+202E\xE2\x9F\xA9" "fdp.exe", BIDI},
    {"LRE..PDF", "\xE2\x80\xAA" "a" "\xE2\x80\xAC", 0,
     "\xE2\x9F\xA8U+202A\xE2\x9F\xA9" "a" "\xE2\x9F\xA8U+202C\xE2\x9F\xA9", BIDI},
    {"RLE and LRO", "\xE2\x80\xAB\xE2\x80\xAD", 0,
     "\xE2\x9F\xA8U+202B\xE2\x9F\xA9\xE2\x9F\xA8U+202D\xE2\x9F\xA9", BIDI},
    {"isolates LRI..PDI", "\xE2\x81\xA6x\xE2\x81\xA7y\xE2\x81\xA8z\xE2\x81\xA9", 0,
     "\xE2\x9F\xA8U+2066\xE2\x9F\xA9x\xE2\x9F\xA8U+2067\xE2\x9F\xA9y"
     "\xE2\x9F\xA8U+2068\xE2\x9F\xA9z\xE2\x9F\xA8U+2069\xE2\x9F\xA9", BIDI},
    {"LRM and RLM", "\xE2\x80\x8E-\xE2\x80\x8F", 0,
     "\xE2\x9F\xA8U+200E\xE2\x9F\xA9-\xE2\x9F\xA8U+200F\xE2\x9F\xA9", BIDI},
    {"neighbours U+2065 and U+202F kept", "\xE2\x81\xA5\xE2\x80\xAF", 0,
     "\xE2\x81\xA5\xE2\x80\xAF", 0},
    {"bidi then formula is not a formula", "\xE2\x80\xAE=1", 0,
     "\xE2\x9F\xA8U+202E\xE2\x9F\xA9=1", BIDI},
};

static void test_table(void)
{
    gd_buf out;
    gd_buf_init(&out, 0);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const text_case *c = &CASES[i];
        size_t len = c->len ? c->len : strlen(c->in);
        unsigned changes = 99;
        int rc = gd_xlsx_text_sanitize(&out, c->in, len, &changes);
        CHECK_MSG(rc == 0, "%s: rc %d", c->name, rc);
        CHECK_MSG(strcmp(gd_buf_cstr(&out), c->want) == 0, "%s: got \"%s\" want \"%s\"", c->name,
                  gd_buf_cstr(&out), c->want);
        CHECK_MSG(out.len == strlen(c->want), "%s: len %zu", c->name, out.len);
        CHECK_MSG(changes == c->changes, "%s: changes %u want %u", c->name, changes, c->changes);
    }
    gd_buf_free(&out);
}

static const text_case CUT_CASES[] = {
    {"a bidi marker is one token", "abcdef\xE2\x80\xAE" "ghijklmnopqrstuvw", 0,
     "abcdef" GD_XLSX_TRUNC_MARKER, BIDI | T},
    /* max_chars 20 in all of these: 7 characters + the 13-character marker. */
    {"exactly the limit", "abcdefghijklmnopqrst", 0, "abcdefghijklmnopqrst", 0},
    {"one over", "abcdefghijklmnopqrstu", 0, "abcdefg" GD_XLSX_TRUNC_MARKER, T},
    {"cut on a character, not a byte",
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
     0, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" GD_XLSX_TRUNC_MARKER, T},
    {"never inside an escape", "abcde_x0041_zzzzzzzzz", 0, "abcde" GD_XLSX_TRUNC_MARKER, E | T},
    {"escape grows text past the limit", "_x0041__x0042_xxx", 0,
     "_x005F_" GD_XLSX_TRUNC_MARKER, E | T},
    {"quote counts", "=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, "'=aaaaa" GD_XLSX_TRUNC_MARKER, Q | T},
    {"stripped bytes do not count", "a\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
     "bcdefghijklmnopqrs", 0, "abcdefghijklmnopqrs", S},
};

static void test_truncation_small_limit(void)
{
    gd_buf out;
    gd_buf_init(&out, 0);
    for (size_t i = 0; i < sizeof CUT_CASES / sizeof CUT_CASES[0]; i++) {
        const text_case *c = &CUT_CASES[i];
        unsigned changes = 0;
        int rc = gd_xlsx_text_sanitize_n(&out, c->in, strlen(c->in), 20, &changes);
        CHECK_MSG(rc == 0, "%s: rc %d", c->name, rc);
        CHECK_MSG(strcmp(gd_buf_cstr(&out), c->want) == 0, "%s: got \"%s\" want \"%s\"", c->name,
                  gd_buf_cstr(&out), c->want);
        CHECK_MSG(changes == c->changes, "%s: changes %u want %u", c->name, changes, c->changes);
    }
    CHECK_INT(gd_xlsx_text_sanitize_n(&out, "x", 1, GD_XLSX_TRUNC_MARKER_CHARS, NULL), GD_E_USAGE);
    gd_buf_free(&out);
}

static size_t count_code_points(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The real limit, with 1-byte and 4-byte characters (1.1.4 counts code points). */
static void test_truncation_excel_limit(void)
{
    gd_buf out;
    gd_buf_init(&out, 0);
    size_t n = 40000;
    char *big = malloc(n * 4);
    CHECK(big != NULL);
    if (!big)
        return;
    memset(big, 'a', GD_XLSX_CELL_MAX_CHARS);
    unsigned changes = 0;
    CHECK_INT(gd_xlsx_text_sanitize(&out, big, GD_XLSX_CELL_MAX_CHARS, &changes), 0);
    CHECK_INT(out.len, GD_XLSX_CELL_MAX_CHARS);
    CHECK_INT(changes, 0);

    memset(big, 'a', GD_XLSX_CELL_MAX_CHARS + 1);
    CHECK_INT(gd_xlsx_text_sanitize(&out, big, GD_XLSX_CELL_MAX_CHARS + 1, &changes), 0);
    CHECK_INT(count_code_points(out.data, out.len), GD_XLSX_CELL_MAX_CHARS);
    CHECK_INT(changes, T);
    const char *marker = GD_XLSX_TRUNC_MARKER;
    CHECK(out.len > strlen(marker) &&
          strcmp(out.data + out.len - strlen(marker), marker) == 0);

    for (size_t i = 0; i < n; i++)
        memcpy(big + 4 * i, "\xF0\x9F\x98\x80", 4);
    CHECK_INT(gd_xlsx_text_sanitize(&out, big, n * 4, &changes), 0);
    CHECK_INT(count_code_points(out.data, out.len), GD_XLSX_CELL_MAX_CHARS);
    CHECK_INT(out.len, (GD_XLSX_CELL_MAX_CHARS - GD_XLSX_TRUNC_MARKER_CHARS) * 4 + strlen(marker));
    CHECK_INT(changes, T);

    /* All-invalid input: every byte becomes a 3-byte U+FFFD, still cut on the character count. */
    memset(big, 0xFF, n);
    CHECK_INT(gd_xlsx_text_sanitize(&out, big, n, &changes), 0);
    CHECK_INT(count_code_points(out.data, out.len), GD_XLSX_CELL_MAX_CHARS);
    CHECK_INT(changes, R | T);
    free(big);
    gd_buf_free(&out);
}

static void test_marker_length_matches_its_text(void)
{
    const char *m = GD_XLSX_TRUNC_MARKER;
    CHECK_INT(count_code_points(m, strlen(m)), GD_XLSX_TRUNC_MARKER_CHARS);
}

static void test_buffer_cap_is_reported(void)
{
    gd_buf small;
    gd_buf_init(&small, 4);
    CHECK_INT(gd_xlsx_text_sanitize(&small, "abcdefgh", 8, NULL), GD_E_TOO_BIG);
    CHECK_STR(gd_buf_cstr(&small), "");
    gd_buf_free(&small);
}

static void test_null_input_is_empty(void)
{
    gd_buf out;
    gd_buf_init(&out, 0);
    CHECK_INT(gd_xlsx_text_sanitize(&out, NULL, 0, NULL), 0);
    CHECK_STR(gd_buf_cstr(&out), "");
    gd_buf_free(&out);
}

int main(void)
{
    test_table();
    test_truncation_small_limit();
    test_truncation_excel_limit();
    test_marker_length_matches_its_text();
    test_buffer_cap_is_reported();
    test_null_input_is_empty();
    return t_done();
}
