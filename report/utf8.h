/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_UTF8_H
#define GD_REPORT_UTF8_H
/* UTF-8 validation and repair for report text. Jansson's json_string()
 * returns NULL for invalid UTF-8 (reliability-facts J1), and xlsx cells must
 * be valid XML text, so writers repair strings first instead of dropping them. */
#include <stddef.h>

/* 1 when s[0..n) is valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
int gd_utf8_valid(const char *s, size_t n);
/* A malloc'd copy of s with every invalid byte sequence replaced by U+FFFD;
 * NULL when out of memory. *out_len (may be NULL) gets the length. */
char *gd_utf8_repair(const char *s, size_t n, size_t *out_len);

#endif
