/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_VALIDATE_H
#define GD_COMMON_VALIDATE_H
/* One validator per value, used where a value is collected (collector/) and
 * where it is read back (store/ rows, report/), so the two can never
 * disagree about what is valid. gd_valid_* return 1 when valid;
 * gd_amount_check returns 0 or a GD_E_* code and says why not. */
#include <stddef.h>

/* AWS account id: exactly 12 ASCII digits (^[0-9]{12}$). */
int gd_valid_account_id(const char *s);

/* GuardDuty severity: a finite number in [0, 10]. */
int gd_valid_severity(double v);

/* A real calendar date: month 1..12, day within that month (leap years). */
int gd_valid_date(int year, int month, int day);

/* Money amounts, one grammar and one range:
 *   grammar  -?[0-9]+(\.[0-9]+)?(E[+-][0-9]{1,4})?
 *            plain decimals ("12.3456", "-0.5", "7") or the scientific form
 *            Java's BigDecimal.toString writes ("1.0E-7", "1E+3"): capital E
 *            and a signed exponent. No "+", no ".5", no "1e3", no spaces.
 *   range    |value| < 10^19 and at most 18 digits after the point once
 *            trailing zeros are dropped (exact in report/decimal.h units).
 * Returns 0, or GD_E_PARSE (grammar) / GD_E_TOO_BIG (range) with a short
 * reason in why (may be NULL). */
#define GD_AMOUNT_TEXT_MAX 64
#define GD_AMOUNT_INT_DIGITS_MAX 19
#define GD_AMOUNT_FRAC_DIGITS_MAX 18
int gd_amount_check(const char *s, char *why, size_t why_n);

#endif
