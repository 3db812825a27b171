/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_UTF8_H
#define GD_COMMON_UTF8_H
/* UTF-8, the one rule for the whole program (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF; the same strictness as Jansson, whose
 * json_string() refuses anything else). The collector checks AWS bodies with
 * it, report writers repair text with it instead of dropping strings, and
 * xlsx cells (which must be valid XML text) are decoded with it. */
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the valid sequence at s, reading at most avail bytes,
 * with its code point in *cp (may be NULL); 0 when s does not start one.
 * avail must be at least 1. */
size_t gd_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);
/* Writes cp (a scalar value <= U+10FFFF) as UTF-8; returns 1..4. */
size_t gd_utf8_encode(uint32_t cp, char out[4]);

/* 1 when s[0..n) is valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
int gd_utf8_valid(const char *s, size_t n);
/* A malloc'd copy of s with every invalid byte sequence replaced by U+FFFD;
 * NULL when out of memory. *out_len (may be NULL) gets the length. */
char *gd_utf8_repair(const char *s, size_t n, size_t *out_len);

#endif
