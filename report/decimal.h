/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_REPORT_DECIMAL_H
#define GD_REPORT_DECIMAL_H
/* The exact decimals moved to common/ (the collector checks usage sums with
 * them); this keeps report code that includes the old path building. */
#include "common/decimal.h"
#endif
