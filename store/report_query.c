/* SPDX-License-Identifier: Apache-2.0 */
/* Read-side SQL for the report (see report_query.h). Counting happens in SQL
 * (GROUP BY) so the report never holds one row per finding in memory; list
 * filters are bound as JSON arrays and expanded with json_each, so every value
 * stays a bound parameter. */
#include "store/report_query.h"
#include "common/buf.h"
#include "store/report_query_internal.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The hint the report's findings queries carry. Without it SQLite would
 * scan the table, raw_json and all, for several of them. */
static const char RQ_REPORT_INDEX_HINT[] = " INDEXED BY findings_report";

/* sql without its INDEXED BY findings_report hints (malloc'd). */
static char *without_index_hint(const char *sql)
{
    size_t hint = sizeof RQ_REPORT_INDEX_HINT - 1;
    char *out = malloc(strlen(sql) + 1), *w = out;
    const char *p = sql, *h;
    if (!out)
        return NULL;
    while ((h = strstr(p, RQ_REPORT_INDEX_HINT)) != NULL) {
        memcpy(w, p, (size_t)(h - p));
        w += h - p;
        p = h + hint;
    }
    strcpy(w, p);
    return out;
}

/* Prepares sql (uncached: these run once per export). A DB whose
 * findings_report is missing (a first collect is loading it, or was killed
 * before building it: store_report_index.c) is read without the hint: the
 * same rows, from the table. Call it inside the read transaction the
 * statement will run in, so the lookup and the read see the same schema. */
static int rq_prepare_or(gd_store *st, const char *sql, const char *sql_no_index,
                         sqlite3_stmt **out, gd_err *err)
{
    char *plain = NULL;
    const char *use = sql;
    int present = 1;
    *out = NULL;
    if (sql_no_index || strstr(sql, RQ_REPORT_INDEX_HINT)) {
        int rc = st_report_index_present(st, &present, err);
        if (rc != GD_OK)
            return rc;
        if (!present && sql_no_index)
            use = sql_no_index;
        else if (!present && !(use = plain = without_index_hint(sql)))
            return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    }
    int prc = sqlite3_prepare_v2(st->db, use, -1, out, NULL);
    free(plain);
    if (prc != SQLITE_OK) {
        *out = NULL;
        return st_db_error(st, err, "prepare report query");
    }
    return GD_OK;
}

/* sql_no_index: the statement to run instead when findings_report is
 * missing (NULL: sql without its INDEXED BY). */
static int rq_prepare(gd_store *st, const char *sql, sqlite3_stmt **out, gd_err *err)
{
    return rq_prepare_or(st, sql, NULL, out, err);
}

/* Opens a read transaction unless one is open (the report's snapshot);
 * *own says whether rq_read_close ends it. */
static int rq_read_open(gd_store *st, int *own, gd_err *err)
{
    *own = sqlite3_get_autocommit(st->db);
    return *own ? st_read_begin(st, err) : GD_OK;
}

static void rq_read_close(gd_store *st, int own)
{
    if (own)
        st_read_end(st);
}

static int rq_walk(gd_store *st, sqlite3_stmt *s, rq_row_fn row, void *ctx, gd_err *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int stop = row(s, ctx);
        if (stop)
            return stop;
    }
    if (rc != SQLITE_DONE)
        return st_db_error(st, err, "read report data");
    return GD_OK;
}

/* Runs a prepared statement under the store's lock, in the snapshot when one
 * is open (gd_rq_snapshot_begin), else in its own read transaction. */
static int rq_run(gd_store *st, sqlite3_stmt *s, rq_row_fn row, void *ctx, gd_err *err)
{
    int own_tx = sqlite3_get_autocommit(st->db);
    int rc = own_tx ? st_read_begin(st, err) : GD_OK;
    if (rc == GD_OK) {
        rc = rq_walk(st, s, row, ctx, err);
        if (own_tx)
            st_read_end(st);
    }
    sqlite3_finalize(s);
    return rc;
}

int gd_rq_snapshot_begin(gd_store *st, int *owner, gd_err *err)
{
    int rc = GD_OK;
    *owner = 0;
    st_enter(st);
    if (sqlite3_get_autocommit(st->db)) {
        rc = st_exec(st, "BEGIN", err, "begin report snapshot");
        *owner = rc == GD_OK;
    }
    st_leave(st);
    return rc;
}

void gd_rq_snapshot_end(gd_store *st, int owner)
{
    if (!st || !owner)
        return;
    st_enter(st);
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    st_leave(st);
}

/* ---- Test fixtures ------------------------------------------------------- */

int gd_store_exec_script(gd_store *st, const char *sql, gd_err *err)
{
    st_enter(st);
    int rc = st_tx_begin(st, err);
    if (rc == GD_OK) {
        if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = st_db_error(st, err, "run script");
            st_tx_rollback(st);
        } else {
            rc = st_tx_commit(st, err);
        }
    }
    st_leave(st);
    return rc;
}

/* ---- Runs and regions ---------------------------------------------------- */

static int latest_run_row(sqlite3_stmt *s, void *ctx)
{
    gd_rq_run *out = ctx;
    out->run_id = sqlite3_column_int64(s, 0);
    out->ended_ms = sqlite3_column_int64(s, 1);
    const char *outcome = col_text(s, 2);
    snprintf(out->outcome, sizeof out->outcome, "%s", outcome ? outcome : "");
    const char *arn = col_text(s, 3), *version = col_text(s, 4);
    snprintf(out->caller_arn, sizeof out->caller_arn, "%s", arn ? arn : "");
    snprintf(out->tool_version, sizeof out->tool_version, "%s", version ? version : "");
    return 1;
}

int gd_rq_latest_run(gd_store *st, gd_rq_run *out, gd_err *err)
{
    static const char sql[] =
        "SELECT run_id, COALESCE(ended_ms, started_ms), outcome, caller_arn, tool_version"
        " FROM runs"
        " WHERE outcome IN ('ok', 'partial') ORDER BY run_id DESC LIMIT 1";
    sqlite3_stmt *s;
    memset(out, 0, sizeof *out);
    st_enter(st);
    int rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK)
        rc = rq_run(st, s, latest_run_row, out, err);
    st_leave(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gd_err_set(err, GD_E_EMPTY,
                          "DB %s has no completed collect run: run gdreport collect first",
                          gd_store_path(st));
    return GD_OK;
}

typedef struct region_ctx {
    gd_rq_region_cb cb;
    void *ud;
} region_ctx;

static int region_row(sqlite3_stmt *s, void *ctx)
{
    region_ctx *c = ctx;
    gd_rq_region r = {
        .region = col_text(s, 0), .state = col_text(s, 1), .message = col_text(s, 2),
        .cost_state = col_text(s, 3), .detector_id = col_text(s, 4),
        .run_id = sqlite3_column_int64(s, 5), .ended_ms = sqlite3_column_int64(s, 6),
        .completeness = col_text(s, 7), .cost_message = col_text(s, 8),
    };
    return c->cb(c->ud, &r);
}

/* Runs sql with ?1 = max_run_id, each row through row() to cb. */
static int run_bound(gd_store *st, const char *sql, int64_t max_run_id, rq_row_fn row,
                     gd_rq_region_cb cb, void *ud, gd_err *err)
{
    sqlite3_stmt *s;
    region_ctx c = {cb, ud};
    st_enter(st);
    int rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK) {
        sqlite3_bind_int64(s, 1, max_run_id);
        rc = rq_run(st, s, row, &c, err);
    }
    st_leave(st);
    return rc;
}

int gd_rq_region_states(gd_store *st, int64_t max_run_id, gd_rq_region_cb cb, void *ud,
                        gd_err *err)
{
    static const char sql[] =
        "WITH done AS (SELECT rr.*, COALESCE(r.ended_ms, r.started_ms) AS ended_ms"
        "  FROM run_regions rr JOIN runs r ON r.run_id = rr.run_id"
        "  WHERE r.outcome <> 'running' AND rr.state <> 'pending' AND rr.run_id <= ?1)"
        " SELECT d.region, d.state, d.message, d.cost_state, d.detector_id, d.run_id, d.ended_ms,"
        "  (SELECT p.message FROM run_problems p WHERE p.run_id = d.run_id"
        "   AND p.region = d.region AND p.kind = 'completeness' ORDER BY p.problem_id DESC"
        "   LIMIT 1), d.cost_message"
        " FROM done d WHERE d.run_id = (SELECT MAX(d2.run_id) FROM done d2"
        "  WHERE d2.region = d.region) ORDER BY d.region";
    return run_bound(st, sql, max_run_id, region_row, cb, ud, err);
}

static int state_time_row(sqlite3_stmt *s, void *ctx)
{
    region_ctx *c = ctx;
    gd_rq_region r = {.region = col_text(s, 0), .state = col_text(s, 1),
                      .run_id = sqlite3_column_int64(s, 2), .ended_ms = sqlite3_column_int64(s, 3)};
    return c->cb(c->ud, &r);
}

int gd_rq_region_state_times(gd_store *st, int64_t max_run_id, gd_rq_region_cb cb, void *ud,
                             gd_err *err)
{
    /* SQLite's bare-column rule: with MAX(), run_id comes from the row that
     * holds the maximum. */
    static const char sql[] =
        "SELECT rr.region, rr.state, rr.run_id, MAX(COALESCE(r.ended_ms, r.started_ms))"
        " FROM run_regions rr JOIN runs r ON r.run_id = rr.run_id"
        " WHERE r.outcome <> 'running' AND (?1 = 0 OR rr.run_id <= ?1)"
        " GROUP BY rr.region, rr.state ORDER BY rr.region, rr.state";
    return run_bound(st, sql, max_run_id, state_time_row, cb, ud, err);
}

static int detector_row(sqlite3_stmt *s, void *ctx)
{
    region_ctx *c = ctx;
    gd_rq_region r = {.region = col_text(s, 0), .detector_id = col_text(s, 1),
                      .state = col_text(s, 2), .org_auto_enable_members = col_text(s, 3)};
    return c->cb(c->ud, &r);
}

int gd_rq_detectors(gd_store *st, gd_rq_region_cb cb, void *ud, gd_err *err)
{
    static const char sql[] =
        "SELECT region, detector_id, status, org_auto_enable_members FROM detectors"
        " ORDER BY region";
    sqlite3_stmt *s;
    region_ctx c = {cb, ud};
    st_enter(st);
    int rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK)
        rc = rq_run(st, s, detector_row, &c, err);
    st_leave(st);
    return rc;
}

/* ---- Organization and accounts ------------------------------------------- */

static int org_row(sqlite3_stmt *s, void *ctx)
{
    gd_rq_org *o = ctx;
    o->org_id = dup_or_null(col_text(s, 0));
    o->management_account_id = dup_or_null(col_text(s, 1));
    o->management_account_email = dup_or_null(col_text(s, 2));
    o->delegated_admin_account_id = dup_or_null(col_text(s, 3));
    o->state = dup_or_null(col_text(s, 4));
    return 1;
}

int gd_rq_org_get(gd_store *st, gd_rq_org *out, int *found, gd_err *err)
{
    static const char sql[] =
        "SELECT org_id, management_account_id, management_account_email,"
        " delegated_admin_account_id, state FROM organization WHERE singleton = 1";
    sqlite3_stmt *s;
    memset(out, 0, sizeof *out);
    *found = 0;
    st_enter(st);
    int rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK)
        rc = rq_run(st, s, org_row, out, err);
    st_leave(st);
    if (rc < 0)
        return rc;
    *found = rc == 1;
    return GD_OK;
}

void gd_rq_org_free(gd_rq_org *org)
{
    if (!org)
        return;
    free(org->org_id);
    free(org->management_account_id);
    free(org->management_account_email);
    free(org->delegated_admin_account_id);
    free(org->state);
    memset(org, 0, sizeof *org);
}

typedef struct cb_ctx {
    void *cb;
    void *ud;
} cb_ctx;

static int account_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_account a = {.account_id = col_text(s, 0), .name = col_text(s, 1),
                       .email = col_text(s, 2), .status = col_text(s, 3),
                       .source = col_text(s, 4)};
    return ((gd_rq_account_cb)c->cb)(c->ud, &a);
}

/* Runs a query with no parameters through a row adapter. */
/* rq_simple with the statement to run instead when findings_report is
 * missing (rq_prepare_or). */
static int rq_simple_or(gd_store *st, const char *sql, const char *sql_no_index, rq_row_fn row,
                        cb_ctx *c, gd_err *err)
{
    sqlite3_stmt *s;
    int own;
    st_enter(st);
    int rc = rq_read_open(st, &own, err);
    if (rc == GD_OK)
        rc = rq_prepare_or(st, sql, sql_no_index, &s, err);
    if (rc == GD_OK)
        rc = rq_run(st, s, row, c, err);
    rq_read_close(st, own);
    st_leave(st);
    return rc;
}

static int rq_simple(gd_store *st, const char *sql, rq_row_fn row, cb_ctx *c, gd_err *err)
{
    return rq_simple_or(st, sql, NULL, row, c, err);
}

int gd_rq_accounts(gd_store *st, gd_rq_account_cb cb, void *ud, gd_err *err)
{
    cb_ctx c = {(void *)cb, ud};
    return rq_simple(st,
                     "SELECT account_id, name, email, status, source FROM accounts"
                     " ORDER BY account_id",
                     account_row, &c, err);
}

static int member_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_member m = {.region = col_text(s, 0), .account_id = col_text(s, 1),
                      .relationship_status = col_text(s, 2), .email = col_text(s, 3)};
    return ((gd_rq_member_cb)c->cb)(c->ud, &m);
}

int gd_rq_members(gd_store *st, gd_rq_member_cb cb, void *ud, gd_err *err)
{
    cb_ctx c = {(void *)cb, ud};
    return rq_simple(st,
                     "SELECT region, account_id, relationship_status, email FROM members"
                     " ORDER BY account_id, region",
                     member_row, &c, err);
}

static int feature_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_feature f = {.region = col_text(s, 0), .account_id = col_text(s, 1),
                       .feature = col_text(s, 2), .status = col_text(s, 3),
                       .additional_json = col_text(s, 4), .org_auto_enable = col_text(s, 5)};
    return ((gd_rq_feature_cb)c->cb)(c->ud, &f);
}

/* Only the Runtime Monitoring rows' additionalConfiguration: the agent
 * management switches the coverage checks; the other rows' text would be
 * read for nothing. */
#define RQ_RUNTIME_JSON                                                                  \
    " CASE WHEN feature IN ('RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING')"             \
    " THEN additional_json END"

int gd_rq_member_features(gd_store *st, gd_rq_feature_cb cb, void *ud, gd_err *err)
{
    cb_ctx c = {(void *)cb, ud};
    /* Table order: neither a sort of the ~240,000 rows nor a lookup per row
     * from the primary-key index (measured 0.19 s against 0.31 s and 0.50 s
     * sorted by account in the sqlite3 shell); the report's marks do not
     * depend on order. */
    return rq_simple(st, "SELECT region, account_id, feature, status," RQ_RUNTIME_JSON
                         ", NULL FROM member_features", feature_row, &c, err);
}

int gd_rq_detector_features(gd_store *st, gd_rq_feature_cb cb, void *ud, gd_err *err)
{
    cb_ctx c = {(void *)cb, ud};
    return rq_simple(st,
                     "SELECT region, NULL, feature, status," RQ_RUNTIME_JSON
                     ", org_auto_enable FROM detector_features ORDER BY region, feature",
                     feature_row, &c, err);
}

/* ---- Scope --------------------------------------------------------------- */

/* JSON array text of strings for json_each; NULL list -> NULL (no filter). */
static char *json_list(const char *const *v, size_t n)
{
    if (!v)
        return NULL;
    gd_buf b;
    gd_buf_init(&b, 0);
    int rc = gd_buf_appends(&b, "[");
    for (size_t i = 0; i < n && !rc; i++) {
        rc |= gd_buf_appends(&b, i ? ",\"" : "\"");
        for (const unsigned char *p = (const unsigned char *)v[i]; *p && !rc; p++) {
            if (*p == '"' || *p == '\\')
                rc |= gd_buf_printf(&b, "\\%c", *p);
            else if (*p < 0x20)
                rc |= gd_buf_printf(&b, "\\u%04x", *p);
            else
                rc |= gd_buf_append(&b, p, 1);
        }
        rc |= gd_buf_appends(&b, "\"");
    }
    rc |= gd_buf_appends(&b, "]");
    if (rc) {
        gd_buf_free(&b);
        return NULL;
    }
    return gd_buf_detach(&b);
}

static const double band_floor[] = {-1e300, 4.0, 7.0, 9.0};

typedef struct scope_binds {
    char *accounts_json, *regions_json;
} scope_binds;

static int bind_scope(sqlite3_stmt *s, const gd_rq_scope *sc, scope_binds *b)
{
    b->accounts_json = json_list(sc->accounts, sc->n_accounts);
    b->regions_json = json_list(sc->regions, sc->n_regions);
    if ((sc->accounts && !b->accounts_json) || (sc->regions && !b->regions_json))
        return GD_E_NOMEM;
    int band = sc->min_band < 0 ? 0 : sc->min_band > 3 ? 3 : sc->min_band;
    int rc = st_bind_text(s, 1, b->accounts_json);
    rc |= st_bind_text(s, 2, b->regions_json);
    rc |= st_bind_double(s, 3, band_floor[band]);
    rc |= st_bind_text(s, 4, sc->exclude_account);
    rc |= st_bind_int64(s, 5, sc->until_ms);
    return rc == SQLITE_OK ? GD_OK : GD_E_DB;
}

static void free_binds(scope_binds *b)
{
    free(b->accounts_json);
    free(b->regions_json);
}

int st_rq_scoped(gd_store *st, const char *sql, const gd_rq_scope *scope, rq_row_fn row,
                 void *c, gd_err *err)
{
    sqlite3_stmt *s;
    scope_binds b = {0};
    int own;
    st_enter(st);
    int rc = rq_read_open(st, &own, err);
    if (rc == GD_OK)
        rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK && bind_scope(s, scope, &b) != GD_OK) {
        rc = gd_err_set(err, GD_E_NOMEM, "DB %s: cannot bind the report scope", st->path);
        sqlite3_finalize(s);
    } else if (rc == GD_OK) {
        st_bind_int64(s, 6, scope->window_start_ms);
        st_bind_int64(s, 7, scope->window_end_ms);
        st_bind_int64(s, 8, scope->include_archived);
        st_bind_int64(s, 9, scope->trend_start_ms);
        st_bind_int64(s, 10, scope->limit ? scope->limit : -1);
        if (sqlite3_bind_parameter_count(s) >= 11)
            st_bind_text(s, 11, scope->resource_paths);
        st_bind_int64(s, 12, scope->include_samples);
        st_bind_int64(s, 13, scope->include_expired);
        rc = rq_run(st, s, row, c, err);
    }
    rq_read_close(st, own);
    st_leave(st);
    free_binds(&b);
    return rc;
}

/* ---- Aggregates ---------------------------------------------------------- */

static int agg_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_agg a = {
        .account_id = col_text(s, 0), .region = col_text(s, 1), .type = col_text(s, 2),
        .feature_name = col_text(s, 3), .band = sqlite3_column_int(s, 4),
        .archived = sqlite3_column_int(s, 5), .in_window = sqlite3_column_int(s, 6),
        .week_index = sqlite3_column_int64(s, 7), .findings = sqlite3_column_int64(s, 8),
        .last_updated_ms = sqlite3_column_int64(s, 9), .sample = sqlite3_column_int(s, 10),
        .lifecycle = sqlite3_column_int(s, 11), .created_ms = sqlite3_column_int64(s, 12),
        .archived_at_ms = sqlite3_column_int64(s, 13),
        .expired_at_ms = sqlite3_column_int64(s, 14),
    };
    return ((gd_rq_agg_cb)c->cb)(c->ud, &a);
}

/* Bands must match report/severity.c: critical >= 9, high >= 7, medium >= 4. */
#define RQ_GROUPS_HEAD                                                                    \
    "SELECT account_id, region, type, feature_name,"                                      \
    " CASE WHEN severity >= 9.0 THEN 3 WHEN severity >= 7.0 THEN 2"                       \
    "      WHEN severity >= 4.0 THEN 1 ELSE 0 END AS band,"                                \
    " archived, (created_ms >= ?6 AND created_ms < ?7) AS in_window,"
/* Schema 3: lifecycle (enum gd_rq_lifecycle; samples and expired rows only
 * when the scope asks for them). Before it, every row is active or archived. */
#define RQ_GROUPS_SELECT                                                                  \
    RQ_GROUPS_HEAD                                                                        \
    " CASE WHEN archived = 0 AND sample = 0 AND expired_at_ms IS NULL AND created_ms >= ?9" \
    "      THEN (created_ms / 86400000 + 3) / 7 ELSE -1 END AS week_index,"               \
    " 1, updated_ms, sample," RQ_LIFECYCLE ", created_ms,"                                \
    " COALESCE(archived_at_ms, -1), COALESCE(expired_at_ms, -1)"
#define RQ_GROUPS_SELECT_V2                                                               \
    RQ_GROUPS_HEAD                                                                        \
    " CASE WHEN archived = 0 AND created_ms >= ?9"                                        \
    "      THEN (created_ms / 86400000 + 3) / 7 ELSE -1 END AS week_index,"               \
    " 1, updated_ms, 0, archived, created_ms, -1, -1"
/* No GROUP BY on purpose: SQLite groups by sorting every row, which
 * measured 3.9 s CPU for 1M findings against 1.4 s for a sequential read
 * aggregated by the caller in hash tables of bounded size
 * (report/model_counts.c), same output. The read is an index-only scan of
 * findings_report (schema/002), which holds every column used here: it never
 * touches the table rows and their raw_json. INDEXED BY: left to itself
 * SQLite may scan the table instead. A version-1 DB opened read-only (not
 * migrated yet: store_open.c), or one whose first collect has not built the
 * index yet (rq_prepare), is read from the table, with the same rows. */
int gd_rq_finding_groups(gd_store *st, const gd_rq_scope *scope, gd_rq_agg_cb cb, void *ud,
                         gd_err *err)
{
    static const char sql[] = RQ_GROUPS_SELECT " FROM findings INDEXED BY findings_report"
        RQ_SCOPE_WHERE RQ_LIFECYCLE_SCOPE;
    static const char sql_accounts[] = RQ_GROUPS_SELECT
        " FROM findings INDEXED BY findings_report" RQ_SCOPE_WHERE_ACCOUNTS RQ_LIFECYCLE_SCOPE;
    static const char sql_v2[] =
        RQ_GROUPS_SELECT_V2 " FROM findings INDEXED BY findings_report" RQ_SCOPE_WHERE;
    static const char sql_v1[] = RQ_GROUPS_SELECT_V2 " FROM findings" RQ_SCOPE_WHERE;
    cb_ctx c = {(void *)cb, ud};
    int version = gd_store_schema_version(st);
    const char *q = version < 2 ? sql_v1 : version < 3 ? sql_v2
                  : scope->accounts ? sql_accounts : sql;
    return st_rq_scoped(st, q, scope, agg_row, &c, err);
}

static int name_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    return ((gd_rq_name_cb)c->cb)(c->ud, col_text(s, 0));
}

/* SELECT DISTINCT account_id FROM findings WHERE RQ_VALID_FINDING, without
 * reading every index entry (1.1 s for 1M findings): a loose scan that seeks
 * each next account id on the index whose first column it is, then keeps it
 * when its id passes RQ_VALID_FINDING's account-id half and one of its rows
 * the severity half (an index seek that stops at the first such row). That
 * index is findings_report; without it (rq_prepare_or) each seek would be a
 * scan of the table, so the same set comes from one scan and a sort. */
int gd_rq_finding_accounts(gd_store *st, gd_rq_name_cb cb, void *ud, gd_err *err)
{
    static const char sql_no_index[] =
        "SELECT DISTINCT account_id FROM findings WHERE" RQ_VALID_FINDING
        " ORDER BY account_id";
    static const char sql[] =
        "WITH RECURSIVE a(id) AS (SELECT min(account_id) FROM findings"
        "  UNION ALL SELECT (SELECT min(account_id) FROM findings WHERE account_id > a.id)"
        "  FROM a WHERE a.id IS NOT NULL)"
        " SELECT id FROM a WHERE id IS NOT NULL AND length(id) = 12"
        " AND id NOT GLOB '*[^0-9]*' AND EXISTS (SELECT 1 FROM findings"
        "  WHERE account_id = a.id AND severity >= 0 AND severity <= 10)"
        " ORDER BY id";
    cb_ctx c = {(void *)cb, ud};
    return rq_simple_or(st, sql, sql_no_index, name_row, &c, err);
}

static int count_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    *(int64_t *)c->ud = sqlite3_column_int64(s, 0);
    return 0;
}

int gd_rq_invalid_findings(gd_store *st, int64_t *n, gd_err *err)
{
    cb_ctx c = {NULL, n};
    *n = 0;
    /* INDEXED BY: both columns are in findings_report (schema 2+), but SQLite
     * would scan the table, raw_json pages and all (2 s for 1M findings). */
    return rq_simple(st, gd_store_schema_version(st) < 2
                             ? "SELECT count(*) FROM findings WHERE NOT" RQ_VALID_FINDING
                             : "SELECT count(*) FROM findings INDEXED BY findings_report"
                               " WHERE NOT" RQ_VALID_FINDING,
                     count_row, &c, err);
}

int gd_rq_finding_regions(gd_store *st, gd_rq_name_cb cb, void *ud, gd_err *err)
{
    cb_ctx c = {(void *)cb, ud};
    return rq_simple(st, "SELECT DISTINCT region FROM findings ORDER BY region", name_row, &c,
                     err);
}

/* ---- Usage --------------------------------------------------------------- */

static int usage_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_usage u = {
        .region = col_text(s, 0), .kind = col_text(s, 1), .account_id = col_text(s, 2),
        .feature = col_text(s, 3), .amount = col_text(s, 4), .unit = col_text(s, 5),
        .run_id = sqlite3_column_int64(s, 6), .window_start_ms = sqlite3_column_int64(s, 7),
        .window_end_ms = sqlite3_column_int64(s, 8),
    };
    return ((gd_rq_usage_cb)c->cb)(c->ud, &u);
}

/* The newest run (<= max_run_id) with usage rows, per region. */
typedef struct usage_run {
    char *region;   /* owned */
    int64_t run_id;
} usage_run;

typedef struct usage_runs {
    usage_run *v;
    size_t n, cap;
} usage_runs;

static void usage_runs_free(usage_runs *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].region);
    free(r->v);
}

/* Records (run, region); runs come ascending, so the last one seen wins. */
static int usage_runs_put(usage_runs *r, const char *region, int64_t run_id)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].region, region)) {
            r->v[i].run_id = run_id;
            return GD_OK;
        }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        usage_run *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return GD_E_NOMEM;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n].region = strdup(region);
    if (!r->v[r->n].region)
        return GD_E_NOMEM;
    r->v[r->n++].run_id = run_id;
    return GD_OK;
}

static int cmp_usage_run(const void *x, const void *y)
{
    return strcmp(((const usage_run *)x)->region, ((const usage_run *)y)->region);
}

/* Every distinct (run, region) of usage_costs up to max_run_id, by a loose
 * scan of the primary key (run_id, region, ...): one index seek per pair, so
 * the cost grows with runs x regions, not with usage rows. Leaves the newest
 * run per region in *out, sorted by region. Call inside a read transaction. */
static int usage_latest_runs(gd_store *st, int64_t max_run_id, usage_runs *out, gd_err *err)
{
    static const char sql[] =
        "SELECT run_id, region FROM usage_costs"
        " WHERE (run_id, region) > (?1, ?2) AND run_id <= ?3"
        " ORDER BY run_id, region LIMIT 1";
    sqlite3_stmt *s;
    int rc = rq_prepare(st, sql, &s, err);
    int64_t run = INT64_MIN;
    char *region = strdup("");
    if (rc == GD_OK && !region)
        rc = gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory reading usage", st->path);
    while (rc == GD_OK) {
        sqlite3_reset(s);
        if (st_bind_int64(s, 1, run) | st_bind_text(s, 2, region) | st_bind_int64(s, 3, max_run_id))
            rc = st_db_error(st, err, "bind usage query");
        int step = rc == GD_OK ? sqlite3_step(s) : SQLITE_DONE;
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = st_db_error(st, err, "read report data");
            break;
        }
        run = sqlite3_column_int64(s, 0);
        free(region);
        region = strdup(col_text(s, 1) ? col_text(s, 1) : "");
        if (!region || usage_runs_put(out, region, run) != GD_OK)
            rc = gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory reading usage", st->path);
    }
    sqlite3_finalize(s);
    free(region);
    if (rc == GD_OK && out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_usage_run);
    return rc;
}

/* For each region of runs, walks sql (?1 = run, ?2 = region) through usage_row. */
static int usage_walk_regions(gd_store *st, const char *sql, const usage_runs *runs,
                              cb_ctx *c, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = rq_prepare(st, sql, &s, err);
    for (size_t i = 0; rc == GD_OK && i < runs->n; i++) {
        sqlite3_reset(s);
        if (st_bind_int64(s, 1, runs->v[i].run_id) | st_bind_text(s, 2, runs->v[i].region))
            rc = st_db_error(st, err, "bind usage query");
        else
            rc = rq_walk(st, s, usage_row, c, err);
    }
    sqlite3_finalize(s);
    return rc;
}

/* Per region: its newest run's rows, read in primary-key order, so SQLite
 * neither runs a subquery per row nor sorts (the single query this replaced,
 * with a correlated MAX per row and a temp B-tree for the ORDER BY, took
 * ~0.4 s per call on 252,449 rows). One read transaction for both steps. */
static int latest_usage(gd_store *st, int64_t max_run_id, const char *sql, cb_ctx *c,
                        gd_err *err)
{
    usage_runs runs = {0};
    st_enter(st);
    int own_tx = sqlite3_get_autocommit(st->db);
    int rc = own_tx ? st_read_begin(st, err) : GD_OK;
    if (rc == GD_OK) {
        rc = usage_latest_runs(st, max_run_id, &runs, err);
        if (rc == GD_OK)
            rc = usage_walk_regions(st, sql, &runs, c, err);
        if (own_tx)
            st_read_end(st);
    }
    st_leave(st);
    usage_runs_free(&runs);
    return rc;
}

int gd_rq_latest_usage(gd_store *st, int64_t max_run_id, gd_rq_usage_cb cb, void *ud,
                       gd_err *err)
{
    static const char sql[] =
        "SELECT region, kind, account_id, feature, amount, unit, run_id,"
        " window_start_ms, window_end_ms FROM usage_costs"
        " WHERE run_id = ?1 AND region = ?2 ORDER BY kind, account_id, feature";
    cb_ctx c = {(void *)cb, ud};
    return latest_usage(st, max_run_id, sql, &c, err);
}

int gd_rq_latest_usage_keys(gd_store *st, int64_t max_run_id, gd_rq_usage_cb cb, void *ud,
                            gd_err *err)
{
    /* Only primary-key columns: read from the index alone. */
    static const char sql[] =
        "SELECT region, kind, account_id, NULL, NULL, NULL, run_id, 0, 0 FROM usage_costs"
        " WHERE run_id = ?1 AND region = ?2 ORDER BY kind, account_id, feature";
    cb_ctx c = {(void *)cb, ud};
    return latest_usage(st, max_run_id, sql, &c, err);
}


/* ---- Where findings lead --------------------------------------------------- */

static int lead_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_lead l = {
        .kind = sqlite3_column_int(s, 0), .account_id = col_text(s, 1), .key = col_text(s, 2),
        .detail = col_text(s, 3), .count = sqlite3_column_int64(s, 4),
    };
    return ((gd_rq_lead_cb)c->cb)(c->ud, &l);
}

/* The schema version that added findings.resource_id and event_*_seen
 * (schema/005_finding_leads.sql); older DBs (read-only opens) are read from
 * raw_json as before. */
#define GD_SCHEMA_FINDING_LEADS 5

int gd_rq_leads(gd_store *st, const gd_rq_scope *scope, gd_rq_lead_cb cb, void *ud, gd_err *err)
{
    /* The resource path is looked up by key in ?11, as in gd_rq_findings_each. */
    static const char sql[] =
        "SELECT 0, account_id, type, NULL, count(*) FROM findings" RQ_SCOPE_WHERE
        " AND archived = 0 GROUP BY account_id, type"
        " UNION ALL"
        " SELECT 1, account_id, rid, resource_type, count(*) FROM ("
        "  SELECT account_id, resource_type, json_extract(raw_json,"
        "   (SELECT value FROM json_each(?11) WHERE key = resource_type)) AS rid"
        "  FROM findings" RQ_SCOPE_WHERE " AND archived = 0 AND ?11 IS NOT NULL"
        "  AND json_valid(raw_json))"
        " WHERE rid IS NOT NULL GROUP BY account_id, resource_type, rid"
        " UNION ALL"
        " SELECT 2, account_id, NULL, NULL, count(*) FROM findings" RQ_SCOPE_WHERE
        " AND archived = 1 AND updated_ms >= ?6 AND updated_ms < ?7 GROUP BY account_id";
    /* schema/005: resource ids are columns of findings_report, so this is
     * one index-only scan (INDEXED BY: left to itself SQLite served the
     * archived-in-window part from findings_region_updated plus a table
     * lookup per row) into groups per account, type and resource, which
     * the three kinds then sum: 2.4 s instead of three scans' 3.7 s for 1M
     * findings. raw_json is never read. HAVING keeps the kinds' "no
     * findings, no row" of the query above. */
    static const char sql_v5[] =
        "WITH g AS MATERIALIZED (SELECT account_id, type, resource_type, resource_id,"
        "  sum(archived = 0) AS active,"
        "  sum(archived = 1 AND updated_ms >= ?6 AND updated_ms < ?7) AS archived_in_window"
        "  FROM findings INDEXED BY findings_report" RQ_SCOPE_WHERE
        "  GROUP BY account_id, type, resource_type, resource_id)"
        " SELECT 0, account_id, type, NULL, sum(active) FROM g GROUP BY account_id, type"
        " HAVING sum(active) > 0"
        " UNION ALL"
        " SELECT 1, account_id, resource_id, resource_type, sum(active) FROM g"
        " WHERE ?11 IS NOT NULL AND resource_id IS NOT NULL"
        " GROUP BY account_id, resource_type, resource_id HAVING sum(active) > 0"
        " UNION ALL"
        " SELECT 2, account_id, NULL, NULL, sum(archived_in_window) FROM g GROUP BY account_id"
        " HAVING sum(archived_in_window) > 0";
    cb_ctx c = {(void *)cb, ud};
    const char *q = gd_store_schema_version(st) < GD_SCHEMA_FINDING_LEADS ? sql : sql_v5;
    return st_rq_scoped(st, q, scope, lead_row, &c, err);
}

/* ---- Findings detail ----------------------------------------------------- */

static int finding_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_finding f = {
        .finding_id = col_text(s, 0), .region = col_text(s, 1), .account_id = col_text(s, 2),
        .type = col_text(s, 3), .feature_name = col_text(s, 4), .resource_type = col_text(s, 5),
        .title = col_text(s, 6), .severity = sqlite3_column_double(s, 7),
        .created_ms = sqlite3_column_int64(s, 8), .updated_ms = sqlite3_column_int64(s, 9),
        .count = sqlite3_column_int64(s, 10), .archived = sqlite3_column_int(s, 11),
        .resource_id = col_text(s, 12), .first_seen = col_text(s, 13), .last_seen = col_text(s, 14),
        .sample = sqlite3_column_int(s, 15), .lifecycle = sqlite3_column_int(s, 16),
        .archived_at_ms = sqlite3_column_int64(s, 17),
        .expired_at_ms = sqlite3_column_int64(s, 18),
    };
    return ((gd_rq_finding_cb)c->cb)(c->ud, &f);
}

int gd_rq_findings_each(gd_store *st, const gd_rq_scope *scope, gd_rq_finding_cb cb, void *ud,
                        gd_err *err)
{
    /* The resource id's path is looked up by key in ?11, never spliced into
     * the path text, so a hostile resourceType cannot make a path; raw_json is
     * the collector's own re-dump, json_valid guards against anything else. */
#define RQ_EACH_SELECT                                                                    \
    "SELECT finding_id, region, account_id, type, feature_name, resource_type, title,"    \
    " severity, created_ms, updated_ms, count, archived,"                                 \
    " CASE WHEN ?11 IS NOT NULL AND json_valid(raw_json) THEN json_extract(raw_json,"     \
    "  (SELECT value FROM json_each(?11) WHERE key = resource_type)) END,"                \
    " CASE WHEN ?11 IS NOT NULL AND json_valid(raw_json)"                                 \
    "  THEN json_extract(raw_json, '$.service.eventFirstSeen') END,"                      \
    " CASE WHEN ?11 IS NOT NULL AND json_valid(raw_json)"                                 \
    "  THEN json_extract(raw_json, '$.service.eventLastSeen') END,"
#define RQ_EACH_TAIL " ORDER BY severity DESC, updated_ms DESC, finding_id ASC LIMIT ?10"
    /* schema/005: the same three values, stored when the finding was written. */
#define RQ_EACH_SELECT_V5                                                                 \
    "SELECT finding_id, region, account_id, type, feature_name, resource_type, title,"    \
    " severity, created_ms, updated_ms, count, archived,"                                 \
    " CASE WHEN ?11 IS NOT NULL THEN resource_id END,"                                    \
    " CASE WHEN ?11 IS NOT NULL THEN event_first_seen END,"                               \
    " CASE WHEN ?11 IS NOT NULL THEN event_last_seen END,"
    static const char sql_v5[] = RQ_EACH_SELECT_V5 " sample," RQ_LIFECYCLE ","
        " COALESCE(archived_at_ms, -1), COALESCE(expired_at_ms, -1) FROM findings"
        RQ_SCOPE_WHERE " AND (archived = 0 OR ?8 <> 0)" RQ_LIFECYCLE_SCOPE RQ_EACH_TAIL;
    static const char sql[] = RQ_EACH_SELECT " sample," RQ_LIFECYCLE ","
        " COALESCE(archived_at_ms, -1), COALESCE(expired_at_ms, -1) FROM findings"
        RQ_SCOPE_WHERE " AND (archived = 0 OR ?8 <> 0)" RQ_LIFECYCLE_SCOPE RQ_EACH_TAIL;
    static const char sql_v2[] = RQ_EACH_SELECT " 0, archived, -1, -1 FROM findings"
        RQ_SCOPE_WHERE " AND (archived = 0 OR ?8 <> 0)" RQ_EACH_TAIL;
    cb_ctx c = {(void *)cb, ud};
    int version = gd_store_schema_version(st);
    const char *q = version < 3 ? sql_v2 : version < GD_SCHEMA_FINDING_LEADS ? sql : sql_v5;
    return st_rq_scoped(st, q, scope, finding_row, &c, err);
}

/* ---- Finding lifecycle (schema/003) ------------------------------------- */

static int lifecycle_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_lifecycle_count l = {.account_id = col_text(s, 0), .region = col_text(s, 1)};
    for (int i = 0; i < GD_RQ_LC_COUNT; i++)
        l.findings[i] = sqlite3_column_int64(s, 2 + i);
    return ((gd_rq_lifecycle_cb)c->cb)(c->ud, &l);
}

/* GROUP BY account_id, region follows the index order of findings_report:
 * SQLite streams the groups without a sort. */
int gd_rq_lifecycle_counts(gd_store *st, const gd_rq_scope *scope, gd_rq_lifecycle_cb cb,
                           void *ud, gd_err *err)
{
    static const char sql[] =
        "SELECT account_id, region,"
        " SUM(sample = 0 AND expired_at_ms IS NULL AND archived = 0),"
        " SUM(sample = 0 AND expired_at_ms IS NULL AND archived = 1),"
        " SUM(sample = 0 AND expired_at_ms IS NOT NULL), SUM(sample = 1)"
        " FROM findings INDEXED BY findings_report" RQ_SCOPE_WHERE
        " GROUP BY account_id, region ORDER BY account_id, region";
    static const char sql_v2[] =
        "SELECT account_id, region, SUM(archived = 0), SUM(archived = 1), 0, 0"
        " FROM findings" RQ_SCOPE_WHERE " GROUP BY account_id, region"
        " ORDER BY account_id, region";
    cb_ctx c = {(void *)cb, ud};
    return st_rq_scoped(st, gd_store_schema_version(st) < 3 ? sql_v2 : sql, scope, lifecycle_row,
                     &c, err);
}

/* The week w with bounds[w] <= t < bounds[w + 1], or -1. */
static long week_of(const st_rq_weeks *w, int64_t t)
{
    if (t < 0 || t < w->bounds[0] || t >= w->bounds[w->n])
        return -1;
    size_t lo = 0, hi = w->n;   /* bounds[lo] <= t < bounds[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->bounds[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

void st_rq_week_add(const st_rq_weeks *w, int band, int64_t created, int archived,
                    int64_t archived_at, int64_t expired_at)
{
    long k;
    if ((k = week_of(w, created)) >= 0)
        w->out[k].created[band]++;
    if (archived && (k = week_of(w, archived_at)) >= 0)
        w->out[k].archived[band]++;
    if ((k = week_of(w, expired_at)) >= 0)
        w->out[k].expired[band]++;
    /* Open from created until the first of archived_at and expired_at. An
     * archived row with no archived_at (archived before schema 3) was closed
     * at a time nobody recorded: it is never counted open. */
    int64_t closed = archived ? (archived_at >= 0 ? archived_at : created) : -1;
    if (expired_at >= 0 && (closed < 0 || expired_at < closed))
        closed = expired_at;
    for (size_t i = 0; i < w->n; i++) {
        int64_t end = w->bounds[i + 1];
        if (created < end && (closed < 0 || closed >= end))
            w->out[i].open_at_end[band]++;
    }
}

static int week_row(sqlite3_stmt *s, void *ctx)
{
    st_rq_week_add(ctx, sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1),
                   sqlite3_column_int(s, 2), sqlite3_column_int64(s, 3),
                   sqlite3_column_int64(s, 4));
    return 0;
}

int st_rq_weeks_check(const int64_t *bounds, size_t n_weeks, gd_err *err)
{
    /* Equal bounds are an empty week: the week to date when --now is the
     * first instant of a week (a cron job at Monday 00:00). */
    for (size_t i = 0; i < n_weeks; i++)
        if (bounds[i] > bounds[i + 1])
            return gd_err_set(err, GD_E_INTERNAL, "week bounds must not descend (week %zu)", i);
    return GD_OK;
}

int gd_rq_lifecycle_weeks(gd_store *st, const gd_rq_scope *scope, const int64_t *bounds,
                          size_t n_weeks, gd_rq_week *out, gd_err *err)
{
    static const char sql[] =
        "SELECT CASE WHEN severity >= 9.0 THEN 3 WHEN severity >= 7.0 THEN 2"
        "  WHEN severity >= 4.0 THEN 1 ELSE 0 END,"
        " created_ms, archived, COALESCE(archived_at_ms, -1), COALESCE(expired_at_ms, -1)"
        " FROM findings INDEXED BY findings_report" RQ_SCOPE_WHERE
        " AND sample = 0 AND created_ms < ?6";
    static const char sql_v2[] =
        "SELECT CASE WHEN severity >= 9.0 THEN 3 WHEN severity >= 7.0 THEN 2"
        "  WHEN severity >= 4.0 THEN 1 ELSE 0 END, created_ms, archived, -1, -1"
        " FROM findings" RQ_SCOPE_WHERE " AND created_ms < ?6";
    memset(out, 0, n_weeks * sizeof *out);
    if (n_weeks == 0)
        return GD_OK;
    int rc = st_rq_weeks_check(bounds, n_weeks, err);
    if (rc)
        return rc;
    st_rq_weeks w = {bounds, n_weeks, out};
    gd_rq_scope sc = *scope;
    sc.window_start_ms = bounds[n_weeks];   /* ?6: nothing created after the last week */
    return st_rq_scoped(st, gd_store_schema_version(st) < 3 ? sql_v2 : sql, &sc, week_row,
                     &w, err);
}

/* ---- Free-trial days (schema/003) ------------------------------------------ */

static int trial_row(sqlite3_stmt *s, void *ctx)
{
    cb_ctx *c = ctx;
    gd_rq_trial t = {
        .region = col_text(s, 0), .state = col_text(s, 1), .message = col_text(s, 2),
        .run_id = sqlite3_column_int64(s, 3), .account_id = col_text(s, 4),
        .feature = col_text(s, 5),
        .days_left = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 6),
    };
    return ((gd_rq_trial_cb)c->cb)(c->ud, &t);
}

int gd_rq_free_trial(gd_store *st, int64_t max_run_id, gd_rq_trial_cb cb, void *ud, gd_err *err)
{
    static const char sql[] =
        "WITH latest AS (SELECT region, MAX(run_id) AS run_id FROM free_trial_regions"
        "  WHERE run_id <= ?1 GROUP BY region)"
        " SELECT r.region, r.state, r.message, r.run_id, d.account_id, d.feature, d.days_left"
        " FROM latest l JOIN free_trial_regions r ON r.region = l.region AND r.run_id = l.run_id"
        " LEFT JOIN free_trial_days d ON d.run_id = r.run_id AND d.region = r.region"
        " ORDER BY r.region, d.account_id, d.feature";
    if (gd_store_schema_version(st) < 3)
        return GD_OK;   /* an older DB read as it is: no free-trial data */
    cb_ctx c = {(void *)cb, ud};
    sqlite3_stmt *s;
    st_enter(st);
    int rc = rq_prepare(st, sql, &s, err);
    if (rc == GD_OK) {
        st_bind_int64(s, 1, max_run_id);
        rc = rq_run(st, s, trial_row, &c, err);
    }
    st_leave(st);
    return rc;
}
