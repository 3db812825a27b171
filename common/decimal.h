/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_DECIMAL_H
#define GD_COMMON_DECIMAL_H
/* Exact decimal money arithmetic: no binary floating point anywhere.
 *
 * A gd_decimal holds a signed value with up to GD_DECIMAL_SCALE fractional
 * digits (a 128-bit integer of units of 10^-18), enough for any amount AWS
 * reports. Parsing accepts exactly common/validate.h's amount grammar and
 * range, the one the collector checks before storing ("12.3456", "-0.5", "7",
 * "1E-7", "1.5E+2"; not ".5", "+1", "1e3", "NaN", "1,5", spaces, or values
 * that would lose digits). Formatting is canonical:
 * no exponent, no leading '+', no trailing fractional zeros, "0" for zero. */
#include <stddef.h>
#include "common/err.h"

#define GD_DECIMAL_SCALE 18
/* Longest canonical text, including the sign and the NUL. */
#define GD_DECIMAL_STR_MAX 48

__extension__ typedef __int128 gd_decimal_units;

typedef struct gd_decimal {
    gd_decimal_units units;   /* value * 10^GD_DECIMAL_SCALE */
} gd_decimal;

/* 0 or GD_E_PARSE (junk, or more than 18 fractional digits that are not
 * zeros), or GD_E_TOO_BIG (beyond +-10^19). *out is untouched on failure. */
int gd_decimal_parse(const char *s, gd_decimal *out);
/* 0 or GD_E_TOO_BIG on overflow (*acc unchanged then). */
int gd_decimal_add(gd_decimal *acc, gd_decimal v);
/* *acc -= v; 0 or GD_E_TOO_BIG (*acc unchanged then). */
int gd_decimal_sub(gd_decimal *acc, gd_decimal v);
/* -1, 0 or 1. */
int gd_decimal_cmp(gd_decimal a, gd_decimal b);
int gd_decimal_is_zero(gd_decimal a);
/* Canonical text into out (at least GD_DECIMAL_STR_MAX bytes). Returns out. */
char *gd_decimal_format(gd_decimal v, char *out, size_t n);
/* Parses a and b, adds, and writes the canonical sum. For one-off sums. */
int gd_decimal_add_str(const char *a, const char *b, char *out, size_t n);

#endif
