/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_STORE_ROWS_H
#define GD_STORE_STORE_ROWS_H
/* Private to store/: inserting many rows of one table with multi-row
 * statements ("INSERT ... VALUES (...), (...), ...").
 *
 * Why: a single-row INSERT pays per row for what SQLite does per statement
 * execution (opening and closing the table, index and foreign-key cursors,
 * seeking from the root, halting and resetting the VM). One execution for
 * ST_ROWS_CHUNK rows pays that once; the rows are still inserted one after the
 * other, in the caller's order, with the same constraint checks and conflict
 * handling, so the stored rows are those the single-row loop stored.
 *
 * Each statement is given twice, as static strings (the statement cache keys
 * on their address): one row tuple, and ST_ROWS_CHUNK tuples built with
 * ST_ROWS_VALUES from the same tuple text of anonymous "?" parameters, so row j
 * of an execution has parameters j * cols + 1 .. j * cols + cols. */
#include <stddef.h>
#include <sqlite3.h>

#include "store/store_internal.h"

/* Rows per multi-row execution: past 32 the gain per row is small (measured
 * on usage_costs: 16 rows 12.7k instructions per row, 32 rows 12.4k) while the
 * statement text and its parameters grow. */
#define ST_ROWS_CHUNK 32

#define ST_ROWS_2_(t) t ", " t
#define ST_ROWS_4_(t) ST_ROWS_2_(t) ", " ST_ROWS_2_(t)
#define ST_ROWS_8_(t) ST_ROWS_4_(t) ", " ST_ROWS_4_(t)
#define ST_ROWS_16_(t) ST_ROWS_8_(t) ", " ST_ROWS_8_(t)
/* ST_ROWS_CHUNK copies of the row tuple t (a string literal), comma-separated. */
#define ST_ROWS_VALUES(t) ST_ROWS_16_(t) ", " ST_ROWS_16_(t)

/* Binds row i of the caller's rows at parameters base + 1 .. base + cols;
 * returns the OR of the bind results. */
typedef int (*st_row_binder)(sqlite3_stmt *s, int base, const void *rows, size_t i);

/* Inserts rows 0 .. n-1 in order: ST_ROWS_CHUNK at a time with sql_many, the
 * rest one at a time with sql_one (cols parameters per row in both). Stops at
 * the first failure (nothing is undone: call inside a transaction, which the
 * caller rolls back). what names the write in error messages. Call between
 * st_enter and st_leave. */
int st_insert_rows(gd_store *st, const char *sql_one, const char *sql_many, int cols,
                   const void *rows, size_t n, st_row_binder bind, const char *what,
                   gd_err *err);

#endif
