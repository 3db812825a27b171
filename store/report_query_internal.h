/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_REPORT_QUERY_INTERNAL_H
#define GD_STORE_REPORT_QUERY_INTERNAL_H
/* Private to store/report_query.c and store/report_pass.c: the SQL text of
 * the finding scope and the helpers both use. Nothing outside store/ may
 * include this header. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/report_query.h"

/* Stored rows that fail common/validate.h's account id (^[0-9]{12}$) and
 * severity ([0, 10]) rules, written in SQL so the aggregates skip them (a DB
 * from an older gdreport may hold such rows; export reports how many and goes
 * on: one bad row never refuses a whole report). Keep in step with
 * gd_valid_account_id / gd_valid_severity; test_stored_invalid_rows.py checks
 * the same rows both ways. */
#define RQ_VALID_FINDING                                                                \
    " (severity >= 0 AND severity <= 10 AND length(account_id) = 12"                    \
    " AND account_id NOT GLOB '*[^0-9]*')"
/* The lifecycle state of a row (schema/003), as enum gd_rq_lifecycle. */
#define RQ_LIFECYCLE                                                                    \
    " CASE WHEN sample = 1 THEN 3 WHEN expired_at_ms IS NOT NULL THEN 2"                \
    "      WHEN archived = 1 THEN 1 ELSE 0 END"
/* Samples and expired rows only when the scope asks (?12, ?13). */
#define RQ_LIFECYCLE_SCOPE                                                              \
    " AND (sample = 0 OR ?12 <> 0) AND (expired_at_ms IS NULL OR ?13 <> 0)"

/* The scope predicate shared by every finding query; parameters ?1..?5.
 * RQ_SCOPE_FILTERS: all of it but the account list and the validity. */
#define RQ_SCOPE_FILTERS                                                                \
    " (?2 IS NULL OR region IN (SELECT value FROM json_each(?2)))"                      \
    " AND severity >= ?3 AND (?4 IS NULL OR account_id <> ?4)"                          \
    " AND (?5 = 0 OR created_ms < ?5)"
#define RQ_SCOPE_REST " AND" RQ_VALID_FINDING " AND" RQ_SCOPE_FILTERS
#define RQ_SCOPE_WHERE                                                                  \
    " WHERE (?1 IS NULL OR account_id IN (SELECT value FROM json_each(?1)))" RQ_SCOPE_REST
/* With --accounts (?1 never NULL): a plain IN lets SQLite seek the index on
 * its first column, account_id, instead of scanning every entry. */
#define RQ_SCOPE_WHERE_ACCOUNTS                                                         \
    " WHERE account_id IN (SELECT value FROM json_each(?1))" RQ_SCOPE_REST

/* A row callback adapter: called for each row of a walked statement. */
typedef int (*rq_row_fn)(sqlite3_stmt *s, void *ctx);

/* Prepares sql, binds the scope (?1..?5, then ?6 window start, ?7 window
 * end, ?8 include_archived, ?9 trend start, ?10 row limit, ?11 resource paths,
 * ?12 include_samples, ?13 include_expired; a query that does not use one of
 * ?6..?13 just gets SQLITE_RANGE for it, which is ignored), runs it under the
 * store's lock in the open snapshot (or its own read transaction). */
int st_rq_scoped(gd_store *st, const char *sql, const gd_rq_scope *scope, rq_row_fn row,
                 void *ctx, gd_err *err);

/* gd_rq_lifecycle_weeks' accumulator: out[n] per week of bounds[n + 1]. */
typedef struct st_rq_weeks {
    const int64_t *bounds;
    size_t n;
    gd_rq_week *out;
} st_rq_weeks;
/* GD_OK, or GD_E_INTERNAL when the bounds descend. */
int st_rq_weeks_check(const int64_t *bounds, size_t n_weeks, gd_err *err);
/* Adds one finding (never a sample; band as enum gd_severity_band; -1 for an
 * unknown archived_at / expired_at) to the weeks it was created, archived,
 * expired in and open at the end of. */
void st_rq_week_add(const st_rq_weeks *w, int band, int64_t created, int archived,
                    int64_t archived_at, int64_t expired_at);

/* report_pass.c's SQL text, for the test that holds its plan to one
 * covering scan with no sort (tests/unit/test_store_pass.c). */
const char *st_rq_pass_sql(void);

#endif
