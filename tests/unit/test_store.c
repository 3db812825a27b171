/* SPDX-License-Identifier: Apache-2.0 */
/* Store behaviour: open/migrations, runs, accounts, setup, findings change
 * rule, id-set operations, watermarks, usage, status, prune. Each test uses a
 * fresh DB file in its own temp directory; a second plain SQLite connection
 * inspects what the store wrote. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "store/migrations.h"
#include "store/report_query.h"
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

/* ---- Fixtures ------------------------------------------------------------ */

static gd_store *open_rw(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    int rc = gd_store_open(path, GD_STORE_READ_WRITE, &st, &err);
    CHECK_MSG(rc == 0, "open %s: %s", path, err.msg);
    return st;
}

/* A separate connection to look at what the store wrote. */
static sqlite3 *peek_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "peek_open %s: %s\n", path, sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

static sqlite3 *peek_open_create(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "peek_open_create %s: %s\n", path, sqlite3_errmsg(db));
        exit(2);
    }
    return db;
}

/* The single integer a query returns (-999 when no row). Query text is fixed. */
static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "q_int: %s: %s\n", sql, sqlite3_errmsg(db));
        return -998;
    }
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The single text a query returns, copied into out ("" when NULL/no row). */
static const char *q_text(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        snprintf(out, n, "error: %s", sqlite3_errmsg(db));
        return out;
    }
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static int64_t peek_int(const char *path, const char *sql)
{
    sqlite3 *db = peek_open(path);
    int64_t v = q_int(db, sql);
    sqlite3_close(db);
    return v;
}

static const char *peek_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = peek_open(path);
    q_text(db, sql, out, n);
    sqlite3_close(db);
    return out;
}

/* FNV-1a over every finding and account column except run bookkeeping: two
 * DBs with the same content hash the same whatever runs wrote them. */
static uint64_t content_hash(const char *path)
{
    static const char *const queries[] = {
        "SELECT finding_id, region, account_id, detector_id, type, severity, title,"
        " resource_type, feature_name, created_at, updated_at, created_ms,"
        " updated_ms, count, archived, raw_json FROM findings ORDER BY finding_id",
        "SELECT account_id, name, email, status, source FROM accounts ORDER BY account_id"};
    uint64_t h = 1469598103934665603ULL;
    sqlite3 *db = peek_open(path);
    for (size_t q = 0; q < 2; q++) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, queries[q], -1, &s, NULL) != SQLITE_OK)
            exit(2);
        while (sqlite3_step(s) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                const unsigned char *v = sqlite3_column_text(s, c);
                const char *txt = v ? (const char *)v : "\x01NULL";
                for (const char *p = txt; *p; p++)
                    h = (h ^ (unsigned char)*p) * 1099511628211ULL;
                h = (h ^ 0x1f) * 1099511628211ULL;
            }
            h = (h ^ 0x1e) * 1099511628211ULL;
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return h;
}

static int max_version(void)
{
    int max = 0;
    for (size_t i = 0; i < gd_migrations_count; i++)
        if (gd_migrations[i].version > max)
            max = gd_migrations[i].version;
    return max;
}

static int64_t begin_run(gd_store *st, int64_t started_ms)
{
    gd_run_info info = {.tool_version = "test", .started_ms = started_ms, .cost_enabled = 1};
    gd_err err = {0};
    int64_t id = 0;
    int rc = gd_store_run_begin(st, &info, &id, &err);
    CHECK_MSG(rc == 0, "run_begin: %s", err.msg);
    return id;
}

/* Findings built from an id: strings live in the caller's char buffers. */
struct frow {
    char id[64], raw[128];
    gd_finding_row row;
};

static void frow_make(struct frow *f, const char *id, const char *region, const char *account,
                      int64_t updated_ms, int archived, int64_t count)
{
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->raw, sizeof f->raw, "{\"Id\":\"%s\",\"UpdatedAt\":%lld}", id,
             (long long)updated_ms);
    memset(&f->row, 0, sizeof f->row);
    f->row.finding_id = f->id;
    f->row.region = region;
    f->row.account_id = account;
    f->row.detector_id = "det1";
    f->row.type = "Recon:EC2/PortProbeUnprotectedPort";
    f->row.severity = 5.0;
    f->row.title = "title";
    f->row.created_at = "2026-01-01T00:00:00.000Z";
    f->row.updated_at = "2026-01-02T00:00:00.000Z";
    f->row.created_ms = 1000;
    f->row.updated_ms = updated_ms;
    f->row.count = count;
    f->row.archived = archived;
    f->row.raw_json = f->raw;
}

static int upsert1(gd_store *st, int64_t run, struct frow *f, gd_upsert_stats *stats)
{
    gd_err err = {0};
    int rc = gd_store_upsert_findings(st, run, &f->row, 1, stats, &err);
    CHECK_MSG(rc == 0, "upsert %s: %s", f->id, err.msg);
    return rc;
}

/* ---- Open and migrations --------------------------------------------------- */

static void test_open_creates_private_file_with_current_schema(void)
{
    struct tmpdb t;
    struct stat sb;
    char txt[64];
    mode_t old = umask(022); /* the 0600 must not come from the umask */
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    umask(old);
    CHECK(st != NULL);
    CHECK_INT(stat(t.path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    char wal[400];
    snprintf(wal, sizeof wal, "%s-wal", t.path); /* SQLite copies the DB file's mode */
    CHECK_INT(stat(wal, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    CHECK_INT(gd_store_schema_version(st), max_version());
    CHECK_STR(gd_store_path(st), t.path);
    CHECK_INT(peek_int(t.path, "PRAGMA user_version"), max_version());
    CHECK_STR(peek_text(t.path, "PRAGMA journal_mode", txt, sizeof txt), "wal");
    CHECK_INT(peek_int(t.path, "PRAGMA page_size"), 8192); /* a new DB's (store_open.c) */
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings'"), 1);
    gd_err err = {0};
    CHECK_INT(gd_store_integrity_check(st, &err), 0);
    gd_store_close(st);
    /* Re-open: nothing to migrate, same version. */
    st = open_rw(t.path);
    CHECK_INT(gd_store_schema_version(st), max_version());
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_open_refuses_db_from_newer_gdreport(void)
{
    struct tmpdb t;
    char expect[600], set[64];
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store_close(open_rw(t.path));
    sqlite3 *db = peek_open(t.path);
    snprintf(set, sizeof set, "PRAGMA user_version = %d", max_version() + 7);
    CHECK_INT(sqlite3_exec(db, set, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(expect, sizeof expect,
             "DB %s has schema version %d, newer than this gdreport supports (%d): "
             "upgrade gdreport",
             t.path, max_version() + 7, max_version());
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), GD_E_DB);
    CHECK(st == NULL);
    CHECK_STR(err.msg, expect);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), GD_E_DB);
    CHECK_STR(err.msg, expect);
    tmpdb_cleanup(&t);
}

static void test_failed_migration_leaves_the_db_untouched(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    sqlite3 *db = peek_open_create(t.path);
    /* A table in the way of 001's CREATE TABLE accounts, created after runs,
     * in a file marked as gdreport's (a foreign one is refused before). */
    CHECK_INT(sqlite3_exec(db, "PRAGMA application_id = 1195659856", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE accounts (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), GD_E_DB);
    CHECK_MSG(strstr(err.msg, "migration 001_init failed") != NULL, "%s", err.msg);
    CHECK_INT(peek_int(t.path, "PRAGMA user_version"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 0);
    tmpdb_cleanup(&t);
}

static void test_read_only_open_of_missing_file_is_not_found_and_creates_nothing(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), GD_E_NOT_FOUND);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, t.path) != NULL);
    CHECK_INT(access(t.path, F_OK), -1);
    tmpdb_cleanup(&t);
}

static void test_read_only_open_of_older_db_asks_for_a_collect(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    FILE *f = fopen(t.path, "w"); /* an empty file is a version-0 SQLite DB */
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), GD_E_DB);
    CHECK_MSG(strstr(err.msg, "run gdreport collect to upgrade it") != NULL, "%s", err.msg);
    CHECK(strstr(err.msg, t.path) != NULL);
    CHECK_INT(peek_int(t.path, "PRAGMA user_version"), 0); /* not migrated */
    tmpdb_cleanup(&t);
}

static int count_group_cb(void *ud, const gd_rq_agg *g)
{
    int64_t *n = ud;
    n[0] += g->findings;
    if (g->band >= 2)
        n[1] += g->findings;
    return 0;
}

/* Migration 002 on a version-1 DB that already holds findings: the export's
 * covering index replaces findings_account, rows untouched; until then a
 * read-only open (export) reads the DB as it is. */
static void test_v1_db_gets_the_report_index(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    sqlite3 *db = peek_open_create(t.path);
    CHECK_INT(gd_migrations[0].version, 1);
    CHECK_INT(sqlite3_exec(db, gd_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
        "PRAGMA user_version = 1;"
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, first_run_id, last_run_id, raw_json) VALUES"
        " ('f1', 'us-east-1', '111111111111', 'Recon:EC2/PortProbeUnprotectedPort', 2.0,"
        "  'a', 'b', 1, 2, 1, 1, '{}'),"
        " ('f2', 'eu-west-1', '222222222222', 'Policy:S3/BucketPublicAccessGranted', 8.0,"
        "  'a', 'b', 3, 4, 1, 1, '{}')", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* Read-only (export): read as it is, from the table, not migrated. */
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), 0);
    CHECK_INT(gd_store_schema_version(st), 1);
    int64_t groups[2] = {0, 0};
    gd_rq_scope all = {.min_band = 0};
    CHECK_INT(gd_rq_finding_groups(st, &all, count_group_cb, groups, &err), 0);
    CHECK_INT(groups[0], 2);        /* rows */
    CHECK_INT(groups[1], 1);        /* of band high or above */
    gd_store_close(st);
    st = NULL;
    CHECK_INT(peek_int(t.path, "PRAGMA user_version"), 1);
    st = open_rw(t.path);
    CHECK(st != NULL);
    CHECK_INT(gd_store_schema_version(st), max_version());
    gd_store_close(st);
    CHECK(max_version() >= 2);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings_report'"), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings_account'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings INDEXED BY findings_report"
                               " WHERE account_id = '222222222222' AND severity >= 7"), 1);
    tmpdb_cleanup(&t);
}

/* ---- Latest usage per region (store/report_query.c) ----------------------- */

struct usage_seen {
    char rows[16][80];
    size_t n;
};

static int usage_seen_cb(void *ud, const gd_rq_usage *u)
{
    struct usage_seen *s = ud;
    if (s->n < 16)
        snprintf(s->rows[s->n++], sizeof s->rows[0], "%s %s %s %s %s %lld", u->region, u->kind,
                 u->account_id, u->feature ? u->feature : "-", u->amount ? u->amount : "-",
                 (long long)u->run_id);
    return 0;
}

/* Each region's newest run up to max_run_id, which need not be the same run
 * for every region (a region whose cost read failed keeps an older run), and
 * a region with usage only after max_run_id has none. Rows come region,
 * kind, account, feature ascending; the keys variant gives the same rows
 * without feature and amount. */
static void test_latest_usage_per_region(void)
{
    struct tmpdb t;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    CHECK_INT(gd_store_exec_script(st,
        "INSERT INTO runs (run_id, started_at, started_ms, tool_version, outcome) VALUES"
        " (1, 'a', 1, 't', 'ok'), (2, 'a', 2, 't', 'ok'), (3, 'a', 3, 't', 'ok');"
        "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
        " window_start_ms, window_end_ms) VALUES"
        " (1, 'us-east-1', 'account', '111111111111', '', '9.9', 'USD', 1, 2),"
        " (2, 'us-east-1', 'feature', '', 'FLOW_LOGS', '2.5', 'USD', 1, 2),"
        " (2, 'us-east-1', 'account', '222222222222', '', '1.5', 'USD', 1, 2),"
        " (2, 'us-east-1', 'account', '111111111111', '', '0.5', 'USD', 1, 2),"
        " (1, 'eu-west-1', 'account', '111111111111', '', '3.0', 'USD', 1, 2),"
        " (3, 'eu-west-1', 'account', '111111111111', '', '7.0', 'USD', 1, 2),"
        " (3, 'ap-south-1', 'account', '111111111111', '', '8.0', 'USD', 1, 2)", &err), 0);
    static const char *const want[] = {
        "eu-west-1 account 111111111111  3.0 1",
        "us-east-1 account 111111111111  0.5 2",
        "us-east-1 account 222222222222  1.5 2",
        "us-east-1 feature  FLOW_LOGS 2.5 2",
    };
    static const char *const want_keys[] = {
        "eu-west-1 account 111111111111 - - 1",
        "us-east-1 account 111111111111 - - 2",
        "us-east-1 account 222222222222 - - 2",
        "us-east-1 feature  - - 2",
    };
    struct usage_seen seen = {0}, keys = {0};
    CHECK_INT(gd_rq_latest_usage(st, 2, usage_seen_cb, &seen, &err), 0);
    CHECK_INT(gd_rq_latest_usage_keys(st, 2, usage_seen_cb, &keys, &err), 0);
    CHECK_INT(seen.n, 4);
    CHECK_INT(keys.n, 4);
    for (size_t i = 0; i < 4 && i < seen.n && i < keys.n; i++) {
        CHECK_STR(seen.rows[i], want[i]);
        CHECK_STR(keys.rows[i], want_keys[i]);
    }
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_read_only_store_reads_but_refuses_writes(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    int64_t run = 0;
    tmpdb_init(&t, "store_test");
    gd_store_close(open_rw(t.path));
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), 0);
    gd_run_info info = {.tool_version = "t", .started_ms = 1};
    CHECK(gd_store_run_begin(st, &info, &run, &err) < 0);
    CHECK(strstr(err.msg, "read-only") != NULL);
    const char *ids[] = {"a"};
    char **missing = NULL;
    size_t n_missing = 0;
    CHECK_INT(gd_store_missing_findings(st, ids, 1, &missing, &n_missing, &err), 0);
    CHECK_INT(n_missing, 1);
    gd_store_free_strings(missing, n_missing);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Runs ----------------------------------------------------------------- */

static void test_run_lifecycle_and_interrupted_runs(void)
{
    struct tmpdb t;
    gd_err err = {0};
    char txt[128];
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1700000000000);
    CHECK(r1 > 0);
    CHECK_INT(gd_store_run_set_caller(st, r1, "111122223333", "arn:aws:iam::111122223333:root",
                                      "aws", "account:ListRegions", &err),
              0);
    gd_region_result res = {.region = "eu-west-1", .state = "pending"};
    CHECK_INT(gd_store_region_result(st, r1, &res, &err), 0);
    res.state = "collected";
    res.requests = 12;
    res.findings_new = 3;
    res.cost_state = "collected";
    CHECK_INT(gd_store_region_result(st, r1, &res, &err), 0);
    CHECK_INT(gd_store_add_problem(st, r1, "eu-west-1", "finding_too_large", "f1", "too big",
                                   &err),
              0);
    CHECK_INT(gd_store_run_finish(st, r1, "ok", NULL, 1700000005000, &err), 0);
    CHECK_INT(gd_store_run_finish(st, 9999, "ok", NULL, 1, &err), GD_E_NOT_FOUND);
    CHECK(gd_store_run_finish(st, r1, "bogus", NULL, 1, &err) == GD_E_DB);

    int64_t r2 = begin_run(st, 1700000100000);
    CHECK(r2 > r1);
    CHECK_INT(gd_store_runs_mark_interrupted(st, &err), 0);
    gd_store_close(st);

    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM run_regions"), 1);
    CHECK_STR(peek_text(t.path, "SELECT state FROM run_regions", txt, sizeof txt), "collected");
    CHECK_INT(peek_int(t.path, "SELECT requests + findings_new FROM run_regions"), 15);
    CHECK_STR(peek_text(t.path, "SELECT caller_account_id FROM runs WHERE run_id = 1", txt,
                        sizeof txt),
              "111122223333");
    CHECK_STR(peek_text(t.path, "SELECT outcome FROM runs WHERE run_id = 1", txt, sizeof txt),
              "ok");
    CHECK_STR(peek_text(t.path, "SELECT ended_at FROM runs WHERE run_id = 1", txt, sizeof txt),
              "2023-11-14T22:13:25.000Z");
    CHECK_STR(peek_text(t.path, "SELECT outcome FROM runs WHERE run_id = 2", txt, sizeof txt),
              "interrupted");
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM run_problems WHERE subject = 'f1'"), 1);
    tmpdb_cleanup(&t);
}

/* ---- Findings ------------------------------------------------------------- */

static void test_findings_change_rule(void)
{
    struct tmpdb t;
    struct frow f;
    gd_upsert_stats s = {0, 0, 0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);

    frow_make(&f, "f1", "eu-west-1", "111111111111", 5000, 0, 1);
    upsert1(st, r1, &f, &s);
    CHECK_INT(s.inserted, 1);

    /* Same everything: unchanged, and the DB file sees no commit at all. */
    sqlite3 *peek = peek_open(t.path);
    int64_t dv = q_int(peek, "PRAGMA data_version");
    int64_t changes_before = q_int(peek, "SELECT last_run_id FROM findings");
    uint64_t hash_before = content_hash(t.path);
    upsert1(st, r2, &f, &s);
    CHECK(content_hash(t.path) == hash_before);
    CHECK_INT(s.unchanged, 1);
    CHECK_INT(q_int(peek, "PRAGMA data_version"), dv);
    CHECK_INT(q_int(peek, "SELECT last_run_id FROM findings"), changes_before);

    /* Newer updated_ms: updated, first_run_id kept, last_run_id moves. */
    frow_make(&f, "f1", "eu-west-1", "111111111111", 6000, 0, 1);
    upsert1(st, r2, &f, &s);
    CHECK_INT(s.updated, 1);
    CHECK_INT(q_int(peek, "SELECT first_run_id FROM findings"), r1);
    CHECK_INT(q_int(peek, "SELECT last_run_id FROM findings"), r2);
    CHECK_INT(q_int(peek, "SELECT updated_ms FROM findings"), 6000);

    /* Same updated_ms, archived flips: updated. */
    frow_make(&f, "f1", "eu-west-1", "111111111111", 6000, 1, 1);
    upsert1(st, r2, &f, &s);
    CHECK_INT(s.updated, 2);
    CHECK_INT(q_int(peek, "SELECT archived FROM findings"), 1);

    /* Same updated_ms, count differs: updated. */
    frow_make(&f, "f1", "eu-west-1", "111111111111", 6000, 1, 4);
    upsert1(st, r2, &f, &s);
    CHECK_INT(s.updated, 3);
    CHECK_INT(q_int(peek, "SELECT count FROM findings"), 4);

    /* Older updated_ms with a different count: a stale page never wins. */
    frow_make(&f, "f1", "eu-west-1", "111111111111", 5500, 0, 2);
    dv = q_int(peek, "PRAGMA data_version");
    upsert1(st, r2, &f, &s);
    CHECK_INT(s.unchanged, 2);
    CHECK_INT(q_int(peek, "PRAGMA data_version"), dv);
    CHECK_INT(q_int(peek, "SELECT count FROM findings"), 4);
    CHECK_INT(s.inserted + s.updated + s.unchanged, 6);

    /* The finding's account appears with source 'finding'. */
    CHECK_INT(q_int(peek, "SELECT count(*) FROM accounts WHERE account_id = '111111111111'"
                          " AND source = 'finding'"),
              1);
    sqlite3_close(peek);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_findings_batch_is_all_or_nothing(void)
{
    struct tmpdb t;
    struct frow f[3];
    gd_finding_row rows[3];
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        frow_make(&f[i], id, "us-east-1", "222222222222", 100, 0, 1);
        rows[i] = f[i].row;
    }
    rows[2].type = NULL; /* invalid row: nothing of the batch is stored */
    CHECK(gd_store_upsert_findings(st, r1, rows, 3, &s, &err) < 0);
    CHECK(strstr(err.msg, "b2") != NULL);
    CHECK_INT(s.inserted + s.updated + s.unchanged, 0);
    rows[2].type = "T";
    rows[1].severity = NAN; /* NaN is refused by the STRICT REAL column */
    CHECK(gd_store_upsert_findings(st, r1, rows, 3, &s, &err) < 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 0);
    CHECK_INT(s.inserted, 0);
    rows[1].severity = 8.0;
    CHECK_INT(gd_store_upsert_findings(st, r1, rows, 3, &s, &err), 0);
    CHECK_INT(s.inserted, 3);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* store_findings.c remembers the account ids it made sure of, to skip the
 * accounts INSERT for the next finding of the same account. An id whose
 * INSERT was rolled back (a failed page, a caller's rollback) must not be
 * remembered: the next finding of that account still gives it a row. */
static void put_account(gd_store *st, int64_t run, const char *id, const char *name,
                        const char *email, const char *source);

static void test_finding_accounts_survive_rollbacks(void)
{
    struct tmpdb t;
    struct frow f[2];
    gd_finding_row rows[2];
    gd_err err = {0};
    const char *count_sql = "SELECT count(*) FROM accounts WHERE account_id = '333333333333'";
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    frow_make(&f[0], "acct-a", "us-east-1", "333333333333", 100, 0, 1);
    frow_make(&f[1], "acct-b", "us-east-1", "444444444444", 100, 0, 1);
    rows[0] = f[0].row;
    rows[1] = f[1].row;
    rows[1].severity = NAN; /* fails after row 0 and its account went in */
    CHECK(gd_store_upsert_findings(st, r1, rows, 2, NULL, &err) < 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts"), 0);
    frow_make(&f[0], "acct-c", "us-east-1", "333333333333", 100, 0, 1);
    upsert1(st, r1, &f[0], NULL);
    CHECK_INT(peek_int(t.path, count_sql), 1);
    frow_make(&f[0], "acct-d", "us-east-1", "333333333333", 100, 0, 1); /* known now */
    upsert1(st, r1, &f[0], NULL);
    CHECK_INT(peek_int(t.path, count_sql), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings WHERE account_id = '333333333333'"),
              2);
    /* a caller-scoped transaction rolled back */
    CHECK_INT(gd_store_begin(st, &err), 0);
    frow_make(&f[1], "acct-e", "us-east-1", "555555555555", 100, 0, 1);
    upsert1(st, r1, &f[1], NULL);
    gd_store_rollback(st);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts WHERE account_id = '555555555555'"),
              0);
    frow_make(&f[1], "acct-f", "us-east-1", "555555555555", 100, 0, 1);
    upsert1(st, r1, &f[1], NULL);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts WHERE account_id = '555555555555'"),
              1);
    /* a page that fails inside a caller-scoped transaction rolls back to its
     * savepoint: its account is gone again, and a later finding of the same
     * account in that transaction gives it a row. */
    CHECK_INT(gd_store_begin(st, &err), 0);
    frow_make(&f[0], "acct-h", "us-east-1", "666666666666", 100, 0, 1);
    frow_make(&f[1], "acct-i", "us-east-1", "777777777777", 100, 0, 1);
    rows[0] = f[0].row;
    rows[1] = f[1].row;
    rows[1].severity = NAN;
    CHECK(gd_store_upsert_findings(st, r1, rows, 2, NULL, &err) < 0);
    frow_make(&f[0], "acct-j", "us-east-1", "666666666666", 100, 0, 1);
    upsert1(st, r1, &f[0], NULL);
    CHECK_INT(gd_store_commit(st, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts WHERE account_id = '666666666666'"),
              1);
    /* a better source still wins over a remembered id */
    put_account(st, r1, "333333333333", "Prod", NULL, "organizations");
    frow_make(&f[0], "acct-g", "us-east-1", "333333333333", 100, 0, 1);
    upsert1(st, r1, &f[0], NULL);
    char txt[64];
    CHECK_STR(peek_text(t.path, "SELECT source FROM accounts WHERE account_id = '333333333333'",
                        txt, sizeof txt), "organizations");
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_findings_reconcile_archived(void)
{
    struct tmpdb t;
    struct frow f;
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    char **cands = NULL;
    size_t n_cands = 0;
    int64_t changed = -1;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    const char *ids[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        frow_make(&f, ids[i], "r1", "111111111111", 10, 0, 1);
        upsert1(st, r1, &f, &s);
    }
    frow_make(&f, "d", "r1", "111111111111", 10, 1, 1); /* archived, AWS no longer says so */
    upsert1(st, r1, &f, &s);
    frow_make(&f, "e", "r2", "111111111111", 10, 1, 1); /* another region: out of scope */
    upsert1(st, r1, &f, &s);

    const char *archived_now[] = {"a", "x-not-stored"};
    CHECK_INT(gd_store_reconcile_archived(st, r2, "r1", archived_now, 2, &changed, &cands,
                                          &n_cands, &err),
              0);
    CHECK_INT(changed, 1);
    CHECK_INT(n_cands, 1);
    if (n_cands == 1)
        CHECK_STR(cands[0], "d");
    gd_store_free_strings(cands, n_cands);
    CHECK_INT(peek_int(t.path, "SELECT archived FROM findings WHERE finding_id = 'a'"), 1);
    CHECK_INT(peek_int(t.path, "SELECT last_run_id FROM findings WHERE finding_id = 'a'"), r2);
    CHECK_INT(peek_int(t.path, "SELECT archived FROM findings WHERE finding_id = 'b'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings WHERE finding_id LIKE 'x%'"), 0);

    /* Again: nothing left to flip; a and d are now both candidates-or-listed. */
    CHECK_INT(gd_store_reconcile_archived(st, r2, "r1", archived_now, 2, &changed, &cands,
                                          &n_cands, &err),
              0);
    CHECK_INT(changed, 0);
    CHECK_INT(n_cands, 1);
    gd_store_free_strings(cands, n_cands);

    /* Empty list: every archived row of the region is a candidate, sorted. */
    CHECK_INT(gd_store_reconcile_archived(st, r2, "r1", NULL, 0, &changed, &cands, &n_cands,
                                          &err),
              0);
    CHECK_INT(n_cands, 2);
    if (n_cands == 2) {
        CHECK_STR(cands[0], "a");
        CHECK_STR(cands[1], "d");
    }
    gd_store_free_strings(cands, n_cands);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The collector skips reconciliation and expiry for a region with no row:
 * any row of the region counts, archived or expired or not, and only the
 * region's own rows. */
static void test_region_has_findings(void)
{
    struct tmpdb t;
    struct frow f;
    gd_err err = {0};
    int has = -1;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    CHECK_INT(gd_store_region_has_findings(st, "r1", &has, &err), 0);
    CHECK_INT(has, 0);
    frow_make(&f, "a", "r2", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, NULL);
    CHECK_INT(gd_store_region_has_findings(st, "r1", &has, &err), 0);
    CHECK_INT(has, 0);
    CHECK_INT(gd_store_region_has_findings(st, "r2", &has, &err), 0);
    CHECK_INT(has, 1);
    frow_make(&f, "b", "r1", "111111111111", 10, 1, 1); /* archived only */
    upsert1(st, r1, &f, NULL);
    CHECK_INT(gd_store_region_has_findings(st, "r1", &has, &err), 0);
    CHECK_INT(has, 1);
    const char *gone[] = {"b"};
    int64_t marked = 0;
    CHECK_INT(gd_store_mark_expired(st, r1, "r1", gone, 1, 1000, &marked, &err), 0);
    CHECK_INT(marked, 1);
    CHECK_INT(gd_store_region_has_findings(st, "r1", &has, &err), 0); /* expired still counts */
    CHECK_INT(has, 1);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_findings_missing_ids_in_input_order(void)
{
    struct tmpdb t;
    struct frow f;
    gd_err err = {0};
    char **missing = NULL;
    size_t n = 0;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    frow_make(&f, "a", "r1", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, NULL);
    frow_make(&f, "b", "r1", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, NULL);
    const char *ask[] = {"a", "z", "b", "y", "z"};
    CHECK_INT(gd_store_missing_findings(st, ask, 5, &missing, &n, &err), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(missing[0], "z");
        CHECK_STR(missing[1], "y");
    }
    gd_store_free_strings(missing, n);
    CHECK_INT(gd_store_missing_findings(st, ask, 0, &missing, &n, &err), 0);
    CHECK_INT(n, 0);
    gd_store_free_strings(missing, n);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Accounts, organization, setup --------------------------------------- */

static void put_account(gd_store *st, int64_t run, const char *id, const char *name,
                        const char *email, const char *source)
{
    gd_account_info a = {.account_id = id, .name = name, .email = email, .source = source};
    gd_err err = {0};
    CHECK_MSG(gd_store_put_accounts(st, run, &a, 1, &err) == 0, "%s", err.msg);
}

static void test_accounts_keep_the_best_source(void)
{
    struct tmpdb t;
    struct frow f;
    char txt[128];
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    frow_make(&f, "f1", "r1", "333333333333", 10, 0, 1);
    upsert1(st, r1, &f, NULL);
    put_account(st, r1, "333333333333", NULL, "m@example.com", "guardduty_member");
    CHECK_STR(peek_text(t.path, "SELECT source FROM accounts", txt, sizeof txt),
              "guardduty_member");
    put_account(st, r1, "333333333333", "Prod", "org@example.com", "organizations");
    put_account(st, r1, "333333333333", NULL, "other@example.com", "guardduty_member");
    put_account(st, r1, "333333333333", "x", "y", "finding");
    frow_make(&f, "f2", "r1", "333333333333", 10, 0, 1);
    upsert1(st, r1, &f, NULL);
    CHECK_STR(peek_text(t.path, "SELECT source || '|' || name || '|' || email FROM accounts",
                        txt, sizeof txt),
              "organizations|Prod|org@example.com");
    /* Same source refreshes; NULL keeps the known value. */
    put_account(st, r1, "333333333333", NULL, "new@example.com", "organizations");
    CHECK_STR(peek_text(t.path, "SELECT name || '|' || email FROM accounts", txt, sizeof txt),
              "Prod|new@example.com");
    gd_account_info bad = {.account_id = "444444444444", .source = "rumour"};
    CHECK_INT(gd_store_put_accounts(st, r1, &bad, 1, &err), GD_E_DB);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts"), 1);

    gd_org_info org = {.org_id = "o-1", .management_account_id = "999999999999",
                       .state = "collected"};
    CHECK_INT(gd_store_put_organization(st, r1, &org, &err), 0);
    org.state = "denied";
    org.message = "AccessDenied";
    CHECK_INT(gd_store_put_organization(st, r1, &org, &err), 0);
    CHECK_STR(peek_text(t.path, "SELECT state || '|' || message FROM organization", txt,
                        sizeof txt),
              "denied|AccessDenied");
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM organization"), 1);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_detector_and_members_are_replaced_per_region(void)
{
    struct tmpdb t;
    gd_err err = {0};
    char txt[128];
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    gd_feature_status feats[3] = {{.name = "S3_DATA_EVENTS", .status = "ENABLED",
                                   .org_auto_enable = "NEW"},
                                  {.name = "EKS_AUDIT_LOGS", .status = "DISABLED"},
                                  {.name = "RDS_LOGIN_EVENTS", .status = NULL,
                                   .org_auto_enable = "ALL"}};
    gd_detector_info det = {.region = "eu-west-1", .detector_id = "d1", .status = "ENABLED",
                            .member_account_limit_reached = -1, .features = feats,
                            .n_features = 3};
    CHECK_INT(gd_store_put_detector(st, r1, &det, &err), 0);
    det.region = "us-east-1";
    CHECK_INT(gd_store_put_detector(st, r1, &det, &err), 0);
    det.region = "eu-west-1";
    det.detector_id = "d2";
    det.n_features = 2;
    det.member_account_limit_reached = 1;
    CHECK_INT(gd_store_put_detector(st, r1, &det, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM detector_features"
                               " WHERE region = 'eu-west-1'"),
              2);
    CHECK_STR(peek_text(t.path, "SELECT detector_id FROM detectors WHERE region = 'eu-west-1'",
                        txt, sizeof txt),
              "d2");
    CHECK_INT(peek_int(t.path, "SELECT member_account_limit_reached FROM detectors"
                               " WHERE region = 'eu-west-1'"),
              1);
    CHECK_INT(peek_int(t.path, "SELECT member_account_limit_reached IS NULL FROM detectors"
                               " WHERE region = 'us-east-1'"),
              1);

    gd_feature_status mf[2] = {{.name = "S3_DATA_EVENTS", .status = "ENABLED"},
                               {.name = "NO_STATUS", .status = NULL}};
    gd_member_info m[3] = {{.account_id = "1", .relationship_status = "Enabled",
                            .features = mf, .n_features = 2},
                           {.account_id = "2", .relationship_status = "Enabled",
                            .features = mf, .n_features = 1},
                           {.account_id = "3", .relationship_status = "Invited"}};
    CHECK_INT(gd_store_replace_members(st, r1, "eu-west-1", m, 3, &err), 0);
    CHECK_INT(gd_store_replace_members(st, r1, "us-east-1", m, 2, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM member_features"
                               " WHERE region = 'eu-west-1'"),
              2); /* the feature without a status is skipped */
    CHECK_INT(gd_store_replace_members(st, r1, "eu-west-1", &m[2], 1, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM members WHERE region = 'eu-west-1'"), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM member_features"
                               " WHERE region = 'eu-west-1'"),
              0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM members WHERE region = 'us-east-1'"), 2);

    CHECK_INT(gd_store_clear_region_setup(st, "us-east-1", &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM detectors WHERE region = 'us-east-1'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM detector_features"
                               " WHERE region = 'us-east-1'"),
              0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM members WHERE region = 'us-east-1'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM member_features"
                               " WHERE region = 'us-east-1'"),
              0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM detectors WHERE region = 'eu-west-1'"), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM members WHERE region = 'eu-west-1'"), 1);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Watermarks, usage ---------------------------------------------------- */

static void test_watermarks(void)
{
    struct tmpdb t;
    gd_err err = {0};
    int64_t wm = -1;
    int found = -1;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    CHECK_INT(gd_store_get_watermark(st, "eu-west-1", "d1", &wm, &found, &err), 0);
    CHECK_INT(found, 0);
    CHECK_INT(gd_store_set_watermark(st, "eu-west-1", "d1", 5000, r1, 1, &err), 0);
    CHECK_INT(gd_store_get_watermark(st, "eu-west-1", "d1", &wm, &found, &err), 0);
    CHECK_INT(found, 1);
    CHECK_INT(wm, 5000);
    CHECK_INT(gd_store_get_watermark(st, "eu-west-1", "d-new", &wm, &found, &err), 0);
    CHECK_INT(found, 0);
    CHECK_INT(gd_store_get_watermark(st, "us-east-1", "d1", &wm, &found, &err), 0);
    CHECK_INT(found, 0);
    CHECK_INT(gd_store_set_watermark(st, "eu-west-1", "d1", 7000, r2, 0, &err), 0);
    CHECK_INT(gd_store_get_watermark(st, "eu-west-1", "d1", &wm, &found, &err), 0);
    CHECK_INT(wm, 7000);
    CHECK_INT(peek_int(t.path, "SELECT last_full_sync_run_id FROM region_sync"), r1);
    CHECK_INT(peek_int(t.path, "SELECT last_success_run_id FROM region_sync"), r2);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_usage_is_replaced_per_run_and_region(void)
{
    struct tmpdb t;
    gd_err err = {0};
    char txt[64];
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    gd_usage_row rows[3] = {{.kind = "account", .account_id = "1", .amount = "12.3456",
                             .unit = "USD"},
                            {.kind = "feature", .feature = "S3_DATA_EVENTS", .amount = "0.10",
                             .unit = "USD"},
                            {.kind = "account_feature", .account_id = "1",
                             .feature = "S3_DATA_EVENTS", .amount = "0.10", .unit = "USD"}};
    CHECK_INT(gd_store_put_usage(st, r1, "eu-west-1", rows, 3, 100, 200, &err), 0);
    CHECK_INT(gd_store_put_usage(st, r1, "us-east-1", rows, 3, 100, 200, &err), 0);
    CHECK_INT(gd_store_put_usage(st, r1, "eu-west-1", rows + 1, 1, 100, 300, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM usage_costs WHERE region = 'eu-west-1'"),
              1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM usage_costs WHERE region = 'us-east-1'"),
              3);
    CHECK_STR(peek_text(t.path, "SELECT '[' || account_id || ']' || amount FROM usage_costs"
                                " WHERE region = 'eu-west-1'",
                        txt, sizeof txt),
              "[]0.10");
    CHECK_STR(peek_text(t.path, "SELECT amount FROM usage_costs WHERE kind = 'account'"
                                " AND region = 'us-east-1'",
                        txt, sizeof txt),
              "12.3456");
    /* A duplicate key fails the whole call and keeps the previous rows. */
    gd_usage_row dup[2] = {rows[0], rows[0]};
    CHECK_INT(gd_store_put_usage(st, r1, "us-east-1", dup, 2, 100, 200, &err), GD_E_DB);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM usage_costs WHERE region = 'us-east-1'"),
              3);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Status ---------------------------------------------------------------- */

static int status_run_cb(void *ud, const gd_status_run *r)
{
    gd_buf_printf(ud, "run%lld:%s ", (long long)r->run_id, r->outcome);
    return 0;
}

static int status_region_cb(void *ud, const gd_status_region *r)
{
    gd_buf_printf(ud, "%lld/%s:%s ", (long long)r->run_id, r->region, r->state);
    return 0;
}

static int status_stop_cb(void *ud, const gd_status_run *r)
{
    (void)ud;
    return r->run_id == 2 ? 42 : 0;
}

static void test_status_walks_runs_newest_first_with_their_regions(void)
{
    struct tmpdb t;
    gd_err err = {0};
    gd_buf out;
    gd_buf_init(&out, 0);
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2), r3 = begin_run(st, 3);
    gd_region_result res = {.region = "us-east-1", .state = "collected"};
    CHECK_INT(gd_store_region_result(st, r2, &res, &err), 0);
    res.region = "ap-south-1";
    res.state = "failed";
    CHECK_INT(gd_store_region_result(st, r2, &res, &err), 0);
    CHECK_INT(gd_store_region_result(st, r1, &res, &err), 0);
    CHECK_INT(gd_store_run_finish(st, r3, "partial", NULL, 4, &err), 0);
    CHECK_INT(gd_store_lock_collect(st, &err), 0); /* a collect is live: "running" is true */
    CHECK_INT(gd_store_status(st, 2, status_run_cb, status_region_cb, &out, &err), 0);
    CHECK_STR(gd_buf_cstr(&out),
              "run3:partial run2:running 2/ap-south-1:failed 2/us-east-1:collected ");
    gd_buf_reset(&out);
    CHECK_INT(gd_store_status(st, 0, status_run_cb, NULL, &out, &err), 0);
    CHECK_STR(gd_buf_cstr(&out), "run3:partial run2:running run1:running ");
    gd_store_unlock_collect(st);
    /* Nobody holds the lock: a row still "running" was interrupted (issue 16). */
    gd_buf_reset(&out);
    CHECK_INT(gd_store_status(st, 0, status_run_cb, NULL, &out, &err), 0);
    CHECK_STR(gd_buf_cstr(&out), "run3:partial run2:interrupted run1:interrupted ");
    CHECK_INT(gd_store_status(st, 0, status_stop_cb, status_region_cb, &out, &err), 42);
    gd_buf_free(&out);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Prune ---------------------------------------------------------------- */

static void test_prune_dry_run_counts_and_real_run_deletes(void)
{
    struct tmpdb t;
    struct frow f;
    gd_err err = {0};
    gd_prune_stats ps = {-1, -1, -1};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1000), r2 = begin_run(st, 2000), r3 = begin_run(st, 9000);
    CHECK_INT(gd_store_run_finish(st, r1, "ok", NULL, 1001, &err), 0);
    CHECK_INT(gd_store_run_finish(st, r2, "ok", NULL, 2001, &err), 0);
    CHECK_INT(gd_store_run_finish(st, r3, "failed", NULL, 9001, &err), 0);
    gd_usage_row u = {.kind = "account", .account_id = "1", .amount = "1", .unit = "USD"};
    CHECK_INT(gd_store_put_usage(st, r1, "eu-west-1", &u, 1, 0, 1, &err), 0);
    CHECK_INT(gd_store_put_usage(st, r2, "eu-west-1", &u, 1, 0, 1, &err), 0);
    gd_region_result res = {.region = "eu-west-1", .state = "collected"};
    CHECK_INT(gd_store_region_result(st, r1, &res, &err), 0);
    CHECK_INT(gd_store_add_problem(st, r1, "eu-west-1", "k", "s", "m", &err), 0);
    frow_make(&f, "old", "eu-west-1", "1", 1500, 0, 1);
    upsert1(st, r1, &f, NULL);
    frow_make(&f, "new", "eu-west-1", "1", 8000, 0, 1);
    upsert1(st, r1, &f, NULL);

    /* Cutoff 5000: r1 goes; r2 is the newest successful run and stays; r3 is newer. */
    CHECK_INT(gd_store_prune(st, 5000, 1, 0, &ps, &err), 0);
    CHECK_INT(ps.runs, 1);
    CHECK_INT(ps.usage_rows, 1);
    CHECK_INT(ps.findings, 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM runs"), 3);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 2);

    gd_prune_stats real = {-1, -1, -1};
    CHECK_INT(gd_store_prune(st, 5000, 0, 1, &real, &err), 0);
    CHECK(memcmp(&real, &ps, sizeof ps) == 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM runs WHERE run_id = 1"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM runs WHERE run_id IN (2, 3)"), 2);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM run_regions"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM run_problems"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM usage_costs"), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings WHERE finding_id = 'new'"), 1);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 1);

    /* Far-future cutoff: still never the newest successful run. */
    CHECK_INT(gd_store_prune(st, INT64_MAX, 0, 0, &real, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM runs WHERE run_id = 2"), 1);
    CHECK_INT(gd_store_integrity_check(st, &err), 0);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Caller-scoped transactions and threads ------------------------------- */

static void test_caller_scoped_transaction(void)
{
    struct tmpdb t;
    struct frow f;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    CHECK_INT(gd_store_begin(st, &err), 0);
    frow_make(&f, "in-tx", "r1", "1", 1, 0, 1);
    upsert1(st, r1, &f, NULL);
    f.row.type = NULL; /* this call fails alone; the earlier one stays in the tx */
    CHECK(gd_store_upsert_findings(st, r1, &f.row, 1, NULL, &err) < 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 0); /* not committed yet */
    CHECK_INT(gd_store_commit(st, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 1);
    CHECK_INT(gd_store_begin(st, &err), 0);
    frow_make(&f, "rolled-back", "r1", "1", 1, 0, 1);
    upsert1(st, r1, &f, NULL);
    gd_store_rollback(st);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 1);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

#define THREADS 4
#define THREAD_BATCHES 40

struct thread_arg {
    gd_store *st;
    int64_t run;
    int index;
    int failures;
    gd_upsert_stats stats;
};

static void *region_thread(void *p)
{
    struct thread_arg *a = p;
    char region[32];
    snprintf(region, sizeof region, "region-%d", a->index);
    for (int b = 0; b < THREAD_BATCHES; b++) {
        struct frow f[10];
        gd_finding_row rows[10];
        gd_err err = {0};
        for (int i = 0; i < 10; i++) {
            char id[48];
            snprintf(id, sizeof id, "t%d-%d-%d", a->index, b, i);
            frow_make(&f[i], id, region, "555555555555", 10 + b, 0, 1);
            f[i].row.region = region;
            rows[i] = f[i].row;
        }
        if (gd_store_upsert_findings(a->st, a->run, rows, 10, &a->stats, &err) != 0)
            a->failures++;
        gd_region_result res = {.region = region, .state = "pending"};
        if (gd_store_region_result(a->st, a->run, &res, &err) != 0)
            a->failures++;
    }
    return NULL;
}

static void test_region_threads_share_one_store(void)
{
    struct tmpdb t;
    pthread_t th[THREADS];
    struct thread_arg args[THREADS];
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct thread_arg){.st = st, .run = r1, .index = i};
        pthread_create(&th[i], NULL, region_thread, &args[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(args[i].failures, 0);
        CHECK_INT(args[i].stats.inserted, THREAD_BATCHES * 10);
    }
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), THREADS * THREAD_BATCHES * 10);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM run_regions"), THREADS);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Volume: 100k findings in batches of 50 -------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Upserts n findings in batches of 50; returns the elapsed seconds (printed
 * for the record, never asserted). */
static double upsert_volume(gd_store *st, int64_t run, int n, gd_upsert_stats *stats)
{
    double t0 = now_s();
    for (int b = 0; b < n / 50; b++) {
        struct frow f[50];
        gd_finding_row rows[50];
        gd_err err = {0};
        for (int i = 0; i < 50; i++) {
            char id[48];
            snprintf(id, sizeof id, "vol-%06d", b * 50 + i);
            frow_make(&f[i], id, "eu-west-1", "000000000000", 1000 + b, 0, 1);
            rows[i] = f[i].row;
        }
        if (gd_store_upsert_findings(st, run, rows, 50, stats, &err) != 0) {
            CHECK_MSG(0, "volume batch %d: %s", b, err.msg);
            break;
        }
    }
    return now_s() - t0;
}

static void test_upsert_100k_findings_then_rerun_changes_nothing(void)
{
    struct tmpdb t;
    gd_upsert_stats first = {0, 0, 0}, again = {0, 0, 0};
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    double s1 = upsert_volume(st, r1, 100000, &first);
    CHECK_INT(first.inserted, 100000);
    sqlite3 *peek = peek_open(t.path);
    int64_t dv = q_int(peek, "PRAGMA data_version");
    uint64_t h = content_hash(t.path);
    double s2 = upsert_volume(st, r2, 100000, &again);
    CHECK_INT(again.unchanged, 100000);
    CHECK_INT(q_int(peek, "PRAGMA data_version"), dv);
    CHECK(content_hash(t.path) == h);

    /* Reconciling 100k archived ids and asking for 100k missing ids. */
    const char **ids = calloc(100000, sizeof *ids);
    char (*buf)[16] = calloc(100000, sizeof *buf);
    for (int i = 0; i < 100000; i++) {
        snprintf(buf[i], sizeof buf[i], "vol-%06d", i + (i % 2 ? 100000 : 0));
        ids[i] = buf[i];
    }
    char **out = NULL;
    size_t n_out = 0;
    int64_t changed = 0;
    double t0 = now_s();
    CHECK_INT(gd_store_reconcile_archived(st, r2, "eu-west-1", ids, 100000, &changed, &out,
                                          &n_out, &err),
              0);
    double s3 = now_s() - t0;
    CHECK_INT(changed, 50000);
    CHECK_INT(n_out, 0);
    gd_store_free_strings(out, n_out);
    t0 = now_s();
    CHECK_INT(gd_store_missing_findings(st, ids, 100000, &out, &n_out, &err), 0);
    double s4 = now_s() - t0;
    CHECK_INT(n_out, 50000);
    gd_store_free_strings(out, n_out);
    free(ids);
    free(buf);
    printf("volume: 100k findings in batches of 50: insert %.2fs, unchanged re-run %.2fs; "
           "reconcile 100k ids %.2fs; missing of 100k ids %.2fs\n",
           s1, s2, s3, s4);
    sqlite3_close(peek);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* ---- Main ---------------------------------------------------------------- */

/* ---- Finding lifecycle (schema/003) ---------------------------------------- */

static int64_t finding_int(const char *path, const char *id, const char *col)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s FROM findings WHERE finding_id = '%s'", col, id);
    return peek_int(path, sql);   /* -999: NULL */
}

/* archived_at_ms: set when a row is first stored or seen archived (insert,
 * update, reconciliation), kept while it stays archived, cleared on
 * unarchive; sample is stored as the collector decided it. */
static void test_findings_archived_at_and_sample(void)
{
    struct tmpdb t;
    struct frow f;
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    char **cands = NULL;
    size_t n_cands = 0;
    int64_t changed = 0;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    int64_t t0 = (int64_t)time(NULL) * 1000 - 1000;
    frow_make(&f, "active", "r1", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, &s);
    frow_make(&f, "born-archived", "r1", "111111111111", 10, 1, 1);
    upsert1(st, r1, &f, &s);
    frow_make(&f, "sample", "r1", "111111111111", 10, 0, 1);
    f.row.sample = 1;
    upsert1(st, r1, &f, &s);
    frow_make(&f, "later", "r1", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, &s);

    CHECK_INT(finding_int(t.path, "active", "archived_at_ms"), -999);
    /* The region's first sync: archived before gdreport saw it, time unknown. */
    int64_t born = finding_int(t.path, "born-archived", "archived_at_ms");
    CHECK_INT(born, -999);
    /* Once the region has completed a sync, a finding first stored archived
     * was archived since then: first seen archived now. */
    CHECK_INT(gd_store_set_watermark(st, "r1", "det1", 1, r1, 1, &err), GD_OK);
    frow_make(&f, "born-archived-later", "r1", "111111111111", 10, 1, 1);
    upsert1(st, r1, &f, &s);
    int64_t born2 = finding_int(t.path, "born-archived-later", "archived_at_ms");
    CHECK_MSG(born2 >= t0 && born2 <= (int64_t)time(NULL) * 1000 + 1000,
              "archived_at_ms %lld not in [%lld, now]", (long long)born2, (long long)t0);
    CHECK_INT(finding_int(t.path, "sample", "sample"), 1);
    CHECK_INT(finding_int(t.path, "active", "sample"), 0);

    /* Archived by a newer copy: set; a still newer archived copy keeps it. */
    frow_make(&f, "later", "r1", "111111111111", 20, 1, 1);
    upsert1(st, r1, &f, &s);
    int64_t first = finding_int(t.path, "later", "archived_at_ms");
    CHECK(first >= t0 && first <= (int64_t)time(NULL) * 1000 + 1000);
    sqlite3 *db = peek_open(t.path);
    CHECK_INT(sqlite3_exec(db, "UPDATE findings SET archived_at_ms = 42"
                               " WHERE finding_id = 'later'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    frow_make(&f, "later", "r1", "111111111111", 30, 1, 2);
    upsert1(st, r1, &f, &s);
    CHECK_INT(finding_int(t.path, "later", "archived_at_ms"), 42);
    /* Unarchived: cleared. */
    frow_make(&f, "later", "r1", "111111111111", 40, 0, 2);
    upsert1(st, r1, &f, &s);
    CHECK_INT(finding_int(t.path, "later", "archived_at_ms"), -999);

    /* Archived by reconciliation (the archived-only listing). */
    const char *archived_now[] = {"active", "born-archived"};
    CHECK_INT(gd_store_reconcile_archived(st, r1, "r1", archived_now, 2, &changed, &cands,
                                          &n_cands, &err), 0);
    gd_store_free_strings(cands, n_cands);
    CHECK_INT(changed, 1);
    int64_t rec = finding_int(t.path, "active", "archived_at_ms");
    CHECK(rec >= t0 && rec <= (int64_t)time(NULL) * 1000 + 1000);
    CHECK_INT(finding_int(t.path, "born-archived", "archived_at_ms"), born);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* raw_json is stored as exactly its text, whether the producer gave its
 * length (raw_json_len, as the collector does) or left it 0 (strlen): no NUL
 * or byte past it, multi-byte UTF-8 and a 60 KB value intact. Rows that bind
 * different parameter sets go through the same cached statements in turn,
 * so a parameter one row binds must not reach the next (which leaves it
 * NULL): the second row's leads come from its own raw_json, not the first's. */
static void test_raw_json_stored_exactly(void)
{
    struct tmpdb t;
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    size_t big_len = 60 * 1024;
    char *big = malloc(big_len + 1);
    CHECK(big != NULL);
    if (!big)
        return;
    memcpy(big, "{\"d\":\"", 6);
    for (size_t i = 6; i < big_len - 2; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + big_len - 2, "\"}", 3);
    struct frow f[4];
    frow_make(&f[0], "len-known", "r1", "111111111111", 10, 1, 1);
    snprintf(f[0].raw, sizeof f[0].raw, "{\"t\":\"caf\xc3\xa9 \xe2\x82\xac\"}");
    f[0].row.raw_json_len = strlen(f[0].raw);
    f[0].row.leads_known = 1;
    f[0].row.resource_id = "i-first";
    f[0].row.event_first_seen = "2026-01-01T00:00:00Z";
    frow_make(&f[1], "len-unknown", "r1", "111111111111", 10, 0, 1);
    snprintf(f[1].raw, sizeof f[1].raw, "{\"t\":\"x\"}");
    frow_make(&f[2], "big-known", "r1", "111111111111", 10, 0, 1);
    f[2].row.raw_json = big;
    f[2].row.raw_json_len = big_len;
    frow_make(&f[3], "big-unknown", "r1", "111111111111", 10, 1, 1);
    f[3].row.raw_json = big;
    for (int i = 0; i < 4; i++)
        CHECK_INT(gd_store_upsert_findings(st, r1, &f[i].row, 1, &s, &err), GD_OK);
    /* the same rows again in one page (updated: newer copies) */
    gd_finding_row page[4];
    for (int i = 0; i < 4; i++) {
        page[i] = f[i].row;
        page[i].updated_ms = 20;
    }
    CHECK_INT(gd_store_upsert_findings(st, r1, page, 4, &s, &err), GD_OK);
    sqlite3 *db = peek_open(t.path);
    sqlite3_stmt *q = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT CAST(raw_json AS BLOB), resource_id, updated_ms"
                                     " FROM findings WHERE finding_id = ?1", -1, &q, NULL),
              SQLITE_OK);
    for (int i = 0; i < 4; i++) {
        const char *want = f[i].row.raw_json;
        sqlite3_bind_text(q, 1, f[i].id, -1, SQLITE_STATIC);
        CHECK_INT(sqlite3_step(q), SQLITE_ROW);
        int n = sqlite3_column_bytes(q, 0);
        const void *got = sqlite3_column_blob(q, 0);
        CHECK_MSG((size_t)n == strlen(want) && got && memcmp(got, want, (size_t)n) == 0,
                  "%s: raw_json stored %d bytes, want %zu", f[i].id, n, strlen(want));
        CHECK_INT(sqlite3_column_int64(q, 2), 20);
        if (i == 0)
            CHECK_STR((const char *)sqlite3_column_text(q, 1), "i-first");
        else
            CHECK_MSG(sqlite3_column_type(q, 1) == SQLITE_NULL, "%s: resource_id %s", f[i].id,
                      (const char *)sqlite3_column_text(q, 1));
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    free(big);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* Expiry: candidates are the region's stored, not-expired rows a complete
 * listing lacks; marking keeps history and the first expiry time; a listing
 * or a fetch that names the finding again un-expires it. */
static void test_findings_expiry(void)
{
    struct tmpdb t;
    struct frow f;
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    char **cands = NULL;
    size_t n_cands = 0;
    int64_t back = -1, marked = -1;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    const char *ids[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        frow_make(&f, ids[i], "r1", "111111111111", 10, i == 3, 1);
        upsert1(st, r1, &f, &s);
    }
    frow_make(&f, "other-region", "r2", "111111111111", 10, 0, 1);
    upsert1(st, r1, &f, &s);

    const char *listed[] = {"a", "d", "never-stored"};
    CHECK_INT(gd_store_expiry_candidates(st, r2, "r1", listed, 3, &back, &cands, &n_cands,
                                         &err), 0);
    CHECK_INT(back, 0);
    CHECK_INT(n_cands, 2);
    if (n_cands == 2) {
        CHECK_STR(cands[0], "b");
        CHECK_STR(cands[1], "c");
    }
    gd_store_free_strings(cands, n_cands);

    const char *gone[] = {"b", "c", "other-region"};
    CHECK_INT(gd_store_mark_expired(st, r2, "r1", gone, 3, 5000, &marked, &err), 0);
    CHECK_INT(marked, 2);                        /* not the other region's row */
    CHECK_INT(finding_int(t.path, "b", "expired_at_ms"), 5000);
    CHECK_INT(finding_int(t.path, "other-region", "expired_at_ms"), -999);
    CHECK_INT(finding_int(t.path, "b", "last_run_id"), r2);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 5);   /* history kept */
    CHECK_INT(gd_store_mark_expired(st, r2, "r1", gone, 2, 6000, &marked, &err), 0);
    CHECK_INT(marked, 0);
    CHECK_INT(finding_int(t.path, "b", "expired_at_ms"), 5000);        /* first time kept */

    /* Expired rows are no candidates; listed again: back. */
    const char *listed2[] = {"a", "b", "d"};
    CHECK_INT(gd_store_expiry_candidates(st, r2, "r1", listed2, 3, &back, &cands, &n_cands,
                                         &err), 0);
    CHECK_INT(back, 1);
    CHECK_INT(n_cands, 0);
    gd_store_free_strings(cands, n_cands);
    CHECK_INT(finding_int(t.path, "b", "expired_at_ms"), -999);
    CHECK_INT(finding_int(t.path, "c", "expired_at_ms"), 5000);

    /* Fetched again, even as an older copy: back too, counted as an update. */
    gd_upsert_stats s2 = {0, 0, 0};
    frow_make(&f, "c", "r1", "111111111111", 5, 0, 1);
    upsert1(st, r2, &f, &s2);
    CHECK_INT(s2.updated, 1);
    CHECK_INT(finding_int(t.path, "c", "expired_at_ms"), -999);
    CHECK_INT(finding_int(t.path, "c", "updated_ms"), 10);             /* not overwritten */

    /* An expired archived row is no unarchive candidate any more (it would
     * be fetched again every run for nothing). */
    const char *gone_d[] = {"d"};
    CHECK_INT(gd_store_mark_expired(st, r2, "r1", gone_d, 1, 7000, &marked, &err), 0);
    int64_t changed = 0;
    CHECK_INT(gd_store_reconcile_archived(st, r2, "r1", NULL, 0, &changed, &cands, &n_cands,
                                          &err), 0);
    CHECK_INT(n_cands, 0);
    gd_store_free_strings(cands, n_cands);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

typedef struct lc_tally {
    int64_t by_state[GD_RQ_LC_COUNT];
    int rows;
    char first[64];
} lc_tally;

static int lc_count_cb(void *ud, const gd_rq_lifecycle_count *c)
{
    lc_tally *t = ud;
    if (t->rows++ == 0)
        snprintf(t->first, sizeof t->first, "%s/%s", c->account_id, c->region);
    for (int i = 0; i < GD_RQ_LC_COUNT; i++)
        t->by_state[i] += c->findings[i];
    return 0;
}

static int lc_group_cb(void *ud, const gd_rq_agg *a)
{
    lc_tally *t = ud;
    t->by_state[a->lifecycle] += a->findings;
    t->rows++;
    return 0;
}

static int lc_each_cb(void *ud, const gd_rq_finding *f)
{
    lc_tally *t = ud;
    t->by_state[f->lifecycle]++;
    t->rows++;
    return 0;
}

/* One row per state (plus a sample that is also archived and one that is
 * also expired: sample wins), then every read function's view of them. */
/* ---- Insert first (store_findings.c) ----------------------------------------
 * Once a region's lookups keep finding nothing (its first load), its rows are
 * inserted without a lookup, and only a conflict sends a row to the lookup.
 * These pages run long enough for that mode to start (a handful of new ids)
 * and then repeat ids, so every outcome of the change rule and every count
 * has to come out of the conflict path exactly as out of the lookup. */

#define IF_NEW 12   /* new ids before the repeats: well past the switch */

static const char *raw_of(const char *path, const char *id, char *out, size_t n)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT raw_json FROM findings WHERE finding_id = '%s'", id);
    return peek_text(path, sql, out, n);
}

/* One first-load page: IF_NEW new ids, then each outcome once as a repeat of
 * an id stored earlier in the same page. */
static void test_insert_first_repeats_in_one_page(void)
{
    struct tmpdb t;
    struct frow f[IF_NEW + 6];
    gd_finding_row rows[IF_NEW + 6];
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    char id[32], txt[128];
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    for (int i = 0; i < IF_NEW; i++) {
        snprintf(id, sizeof id, "if-%02d", i);
        frow_make(&f[i], id, "eu-north-1", i % 2 ? "111111111111" : "222222222222", 100, 0, 1);
    }
    frow_make(&f[IF_NEW + 0], "if-02", "eu-north-1", "222222222222", 200, 0, 1); /* newer */
    frow_make(&f[IF_NEW + 1], "if-03", "eu-north-1", "111111111111", 50, 1, 7);  /* older */
    frow_make(&f[IF_NEW + 2], "if-04", "eu-north-1", "222222222222", 100, 1, 1); /* archived */
    frow_make(&f[IF_NEW + 3], "if-05", "eu-north-1", "111111111111", 100, 0, 3); /* count */
    frow_make(&f[IF_NEW + 4], "if-06", "eu-north-1", "222222222222", 100, 0, 1); /* same */
    frow_make(&f[IF_NEW + 5], "if-02", "eu-north-1", "222222222222", 300, 0, 1); /* newer again */
    f[IF_NEW + 0].row.title = "second copy";
    f[IF_NEW + 1].row.title = "stale copy";
    f[IF_NEW + 5].row.title = "third copy";
    for (int i = 0; i < IF_NEW + 6; i++)
        rows[i] = f[i].row;
    CHECK_INT(gd_store_upsert_findings(st, r1, rows, IF_NEW + 6, &s, &err), 0);
    CHECK_INT(s.inserted, IF_NEW);
    CHECK_INT(s.updated, 4);
    CHECK_INT(s.unchanged, 2);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), IF_NEW);
    CHECK_INT(finding_int(t.path, "if-02", "updated_ms"), 300);
    CHECK_STR(raw_of(t.path, "if-02", txt, sizeof txt), "{\"Id\":\"if-02\",\"UpdatedAt\":300}");
    CHECK_STR(peek_text(t.path, "SELECT title FROM findings WHERE finding_id = 'if-02'", txt,
                        sizeof txt), "third copy");
    CHECK_INT(finding_int(t.path, "if-03", "updated_ms"), 100);
    CHECK_INT(finding_int(t.path, "if-03", "count"), 1);
    CHECK_INT(finding_int(t.path, "if-03", "archived"), 0);
    CHECK_STR(peek_text(t.path, "SELECT title FROM findings WHERE finding_id = 'if-03'", txt,
                        sizeof txt), "title");
    CHECK_INT(finding_int(t.path, "if-04", "archived"), 1);
    CHECK_INT(finding_int(t.path, "if-05", "count"), 3);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM accounts WHERE source = 'finding'"), 2);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The same repeats across pages (each its own commit) and in a region that
 * has rows: a repeated id after a run of new ones, an expired row fetched
 * again (unexpired, counted updated), and re-running a whole page changes
 * nothing. */
static void test_insert_first_across_pages_and_expired_rows(void)
{
    struct tmpdb t;
    struct frow f[IF_NEW + 3];
    gd_finding_row rows[IF_NEW + 3];
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    char id[32], txt[128];
    int64_t marked = 0;
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    for (int i = 0; i < IF_NEW; i++) {
        snprintf(id, sizeof id, "ip-%02d", i);
        frow_make(&f[i], id, "ap-south-1", "111111111111", 100, 0, 1);
        rows[i] = f[i].row;
    }
    CHECK_INT(gd_store_upsert_findings(st, r1, rows, IF_NEW, &s, &err), 0);
    CHECK_INT(s.inserted, IF_NEW);
    const char *gone[] = {"ip-01"};
    CHECK_INT(gd_store_mark_expired(st, r1, "ap-south-1", gone, 1, 5000, &marked, &err), 0);
    CHECK_INT(marked, 1);

    /* New ids again, then the expired row's same copy, an older copy, and
     * a newer one of rows stored by the first page. */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < IF_NEW; i++) {
        snprintf(id, sizeof id, "iq-%02d", i);
        frow_make(&f[i], id, "ap-south-1", "111111111111", 100, 0, 1);
    }
    frow_make(&f[IF_NEW + 0], "ip-01", "ap-south-1", "111111111111", 100, 0, 1);
    frow_make(&f[IF_NEW + 1], "ip-02", "ap-south-1", "111111111111", 90, 0, 5);
    frow_make(&f[IF_NEW + 2], "ip-03", "ap-south-1", "111111111111", 110, 0, 1);
    for (int i = 0; i < IF_NEW + 3; i++)
        rows[i] = f[i].row;
    CHECK_INT(gd_store_upsert_findings(st, r2, rows, IF_NEW + 3, &s, &err), 0);
    CHECK_INT(s.inserted, IF_NEW);
    CHECK_INT(s.updated, 2);
    CHECK_INT(s.unchanged, 1);
    CHECK_INT(finding_int(t.path, "ip-01", "expired_at_ms"), -999);
    CHECK_INT(finding_int(t.path, "ip-01", "last_run_id"), r2);
    CHECK_INT(finding_int(t.path, "ip-02", "count"), 1);
    CHECK_INT(finding_int(t.path, "ip-02", "last_run_id"), r1);
    CHECK_INT(finding_int(t.path, "ip-03", "updated_ms"), 110);
    CHECK_STR(raw_of(t.path, "ip-03", txt, sizeof txt), "{\"Id\":\"ip-03\",\"UpdatedAt\":110}");
    CHECK_INT(finding_int(t.path, "iq-00", "first_run_id"), r2);

    /* A stale copy with a value the table refuses (NaN severity: NULL in a
     * NOT NULL column) changes nothing and fails nothing, as with a lookup
     * first; a newer one fails its page alone. */
    memset(&s, 0, sizeof s);
    for (int i = 0; i < IF_NEW; i++) {
        snprintf(id, sizeof id, "ir-%02d", i);
        frow_make(&f[i], id, "ap-south-1", "111111111111", 100, 0, 1);
        rows[i] = f[i].row;
    }
    frow_make(&f[IF_NEW], "ip-04", "ap-south-1", "111111111111", 90, 0, 1);
    rows[IF_NEW] = f[IF_NEW].row;
    rows[IF_NEW].severity = NAN;
    CHECK_INT(gd_store_upsert_findings(st, r2, rows, IF_NEW + 1, &s, &err), 0);
    CHECK_INT(s.inserted, IF_NEW);
    CHECK_INT(s.unchanged, 1);
    CHECK_INT(finding_int(t.path, "ip-04", "severity"), 5);
    rows[IF_NEW].updated_ms = 120;
    CHECK(gd_store_upsert_findings(st, r2, &rows[IF_NEW], 1, &s, &err) < 0);
    CHECK_INT(finding_int(t.path, "ip-04", "updated_ms"), 100);
    for (int i = 0; i < IF_NEW + 3; i++)
        rows[i] = f[i].row;

    /* A page of stored rows only: nothing changes. */
    memset(&s, 0, sizeof s);
    uint64_t before = content_hash(t.path);
    CHECK_INT(gd_store_upsert_findings(st, r2, rows, IF_NEW + 3, &s, &err), 0);
    CHECK_INT(s.unchanged, IF_NEW + 3);
    CHECK(content_hash(t.path) == before);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

static void test_lifecycle_reads(void)
{
    struct tmpdb t;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1);
    char sql[2048];
    /* Week bounds 0, 100, 200, 300 (ms). severity 8 = high (band 2). */
    snprintf(sql, sizeof sql,
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, archived, sample, archived_at_ms, expired_at_ms,"
        " first_run_id, last_run_id, raw_json) VALUES"
        " ('act', 'r1', '111111111111', 'T', 8.0, 'a', 'b', 50, 50, 0, 0, NULL, NULL, %1$lld, %1$lld, '{}'),"
        " ('arc', 'r1', '111111111111', 'T', 8.0, 'a', 'b', 50, 50, 1, 0, 150, NULL, %1$lld, %1$lld, '{}'),"
        " ('old', 'r1', '111111111111', 'T', 8.0, 'a', 'b', 50, 50, 1, 0, NULL, NULL, %1$lld, %1$lld, '{}'),"
        " ('exp', 'r2', '111111111111', 'T', 8.0, 'a', 'b', 150, 150, 0, 0, NULL, 250, %1$lld, %1$lld, '{}'),"
        " ('smp', 'r1', '222222222222', 'T', 8.0, 'a', 'b', 150, 150, 0, 1, NULL, NULL, %1$lld, %1$lld, '{}'),"
        " ('smpa', 'r1', '222222222222', 'T', 8.0, 'a', 'b', 150, 150, 1, 1, 160, NULL, %1$lld, %1$lld, '{}'),"
        " ('smpx', 'r1', '222222222222', 'T', 8.0, 'a', 'b', 150, 150, 0, 1, NULL, 250, %1$lld, %1$lld, '{}')",
        (long long)r1);
    CHECK_INT(gd_store_exec_script(st, sql, &err), 0);

    gd_rq_scope all = {.min_band = 0, .limit = -1, .include_archived = 1};
    lc_tally c = {{0}, 0, ""};
    CHECK_INT(gd_rq_lifecycle_counts(st, &all, lc_count_cb, &c, &err), 0);
    CHECK_INT(c.by_state[GD_RQ_LC_ACTIVE], 1);
    CHECK_INT(c.by_state[GD_RQ_LC_ARCHIVED], 2);
    CHECK_INT(c.by_state[GD_RQ_LC_EXPIRED], 1);
    CHECK_INT(c.by_state[GD_RQ_LC_SAMPLE], 3);
    CHECK_INT(c.rows, 3);                       /* (111, r1), (111, r2), (222, r1) */
    CHECK_STR(c.first, "111111111111/r1");

    /* Groups and the iterator leave samples and expired rows out unless asked. */
    lc_tally g = {{0}, 0, ""};
    CHECK_INT(gd_rq_finding_groups(st, &all, lc_group_cb, &g, &err), 0);
    CHECK_INT(g.rows, 3);
    CHECK_INT(g.by_state[GD_RQ_LC_SAMPLE] + g.by_state[GD_RQ_LC_EXPIRED], 0);
    gd_rq_scope every = all;
    every.include_samples = every.include_expired = 1;
    lc_tally g2 = {{0}, 0, ""};
    CHECK_INT(gd_rq_finding_groups(st, &every, lc_group_cb, &g2, &err), 0);
    CHECK_INT(g2.rows, 7);
    CHECK_INT(g2.by_state[GD_RQ_LC_SAMPLE], 3);
    CHECK_INT(g2.by_state[GD_RQ_LC_EXPIRED], 1);
    lc_tally e = {{0}, 0, ""};
    CHECK_INT(gd_rq_findings_each(st, &all, lc_each_cb, &e, &err), 0);
    CHECK_INT(e.rows, 3);
    gd_rq_scope samples = all;
    samples.include_samples = 1;
    lc_tally e2 = {{0}, 0, ""};
    CHECK_INT(gd_rq_findings_each(st, &samples, lc_each_cb, &e2, &err), 0);
    CHECK_INT(e2.by_state[GD_RQ_LC_SAMPLE], 2);   /* smpx is expired too: not asked for */
    CHECK_INT(e2.rows, 5);

    /* Weeks [0,100) [100,200) [200,300). */
    int64_t bounds[] = {0, 100, 200, 300};
    gd_rq_week w[3];
    CHECK_INT(gd_rq_lifecycle_weeks(st, &all, bounds, 3, w, &err), 0);
    CHECK_INT(w[0].created[2], 3);              /* act, arc, old; samples never */
    CHECK_INT(w[1].created[2], 1);              /* exp */
    CHECK_INT(w[1].archived[2], 1);             /* arc at 150 */
    CHECK_INT(w[0].archived[2] + w[2].archived[2], 0);
    CHECK_INT(w[2].expired[2], 1);              /* exp at 250 */
    CHECK_INT(w[0].open_at_end[2], 2);          /* act, arc (archived later); not old */
    CHECK_INT(w[1].open_at_end[2], 2);          /* act, exp */
    CHECK_INT(w[2].open_at_end[2], 1);          /* act */
    CHECK_INT(w[0].created[0] + w[0].created[1] + w[0].created[3], 0);
    /* Equal bounds: an empty last week (--now at a week's first instant)
     * counts nothing and leaves the week before it whole. */
    int64_t empty_last[] = {0, 100, 100};
    CHECK_INT(gd_rq_lifecycle_weeks(st, &all, empty_last, 2, w, &err), 0);
    CHECK_INT(w[1].created[0] + w[1].created[1] + w[1].created[2] + w[1].created[3], 0);
    CHECK_INT(w[1].archived[2] + w[1].expired[2], 0);
    CHECK_INT(w[1].open_at_end[2], w[0].open_at_end[2]);
    int64_t bad[] = {0, 100, 50};
    CHECK(gd_rq_lifecycle_weeks(st, &all, bad, 2, w, &err) != 0);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* The detail column of every EXPLAIN QUERY PLAN row, joined. */
static void query_plan(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = peek_open(path);
    sqlite3_stmt *s = NULL;
    size_t used = 0;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        snprintf(out, n, "error: %s", sqlite3_errmsg(db));
    while (s && sqlite3_step(s) == SQLITE_ROW && used + 1 < n)
        used += (size_t)snprintf(out + used, n - used, "%s;", sqlite3_column_text(s, 3));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* Migration 003 on a version-2 DB: samples found in the stored JSON with the
 * collector's rule (a "[SAMPLE]" title alone is not one; a value that is not
 * JSON is not one and does not stop the migration), and the covering index
 * holds the lifecycle columns so the export's counts stay index-only. */
static void test_v2_db_gets_lifecycle_columns(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "store_test");
    sqlite3 *db = peek_open_create(t.path);
    CHECK_INT(gd_migrations[0].version, 1);
    CHECK_INT(gd_migrations[1].version, 2);
    CHECK_INT(sqlite3_exec(db, gd_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, gd_migrations[1].sql, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
        "PRAGMA user_version = 2;"
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, first_run_id, last_run_id, archived, raw_json)"
        " VALUES"
        " ('s', 'r', '1', 'T', 2, 'a', 'b', 1, 2, 1, 1, 1,"
        "  '{\"service\":{\"additionalInfo\":{\"value\":\"{\\\"sample\\\":true}\",\"type\":\"default\"}}}'),"
        " ('t', 'r', '1', 'T', 2, 'a', 'b', 1, 2, 1, 1, 0,"
        "  '{\"title\":\"[SAMPLE] x\",\"service\":{\"additionalInfo\":{\"value\":\"{\\\"sample\\\":false}\"}}}'),"
        " ('n', 'r', '1', 'T', 2, 'a', 'b', 1, 2, 1, 1, 0,"
        "  '{\"service\":{\"additionalInfo\":{\"value\":\"sample: not json\"}}}'),"
        " ('o', 'r', '1', 'T', 2, 'a', 'b', 1, 2, 1, 1, 0, 'not json, says sample')",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    gd_store *st = open_rw(t.path);
    CHECK_INT(gd_store_schema_version(st), max_version());
    gd_store_close(st);
    CHECK_INT(finding_int(t.path, "s", "sample"), 1);
    CHECK_INT(finding_int(t.path, "t", "sample"), 0);
    CHECK_INT(finding_int(t.path, "n", "sample"), 0);
    CHECK_INT(finding_int(t.path, "o", "sample"), 0);
    CHECK_INT(finding_int(t.path, "s", "archived_at_ms"), -999);   /* unknown */
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM pragma_index_info('findings_report')"
                               " WHERE name IN ('sample', 'archived_at_ms', 'expired_at_ms',"
                               " 'created_ms', 'archived', 'severity', 'account_id')"), 7);
    /* The columns gd_rq_finding_groups and gd_rq_lifecycle_* read. */
    char plan[256];
    query_plan(t.path,
              "EXPLAIN QUERY PLAN SELECT account_id, region, type, feature_name, severity,"
              " archived, created_ms, updated_ms, sample, archived_at_ms, expired_at_ms"
              " FROM findings INDEXED BY findings_report WHERE sample = 0"
              " AND expired_at_ms IS NULL", plan, sizeof plan);
    CHECK_MSG(strstr(plan, "COVERING INDEX findings_report") != NULL, "plan: %s", plan);
    tmpdb_cleanup(&t);
}

/* Migration 007 on a DB of the version before it that holds a finding: the
 * description column and findings_created go, the row keeps every other value
 * and its description stays readable from raw_json; the DB keeps its page
 * size (only a new DB gets the larger one). */
static void test_v6_db_gets_lean_findings(void)
{
    struct tmpdb t;
    char text[256];
    int before = 0;
    tmpdb_init(&t, "store_test");
    sqlite3 *db = peek_open_create(t.path);
    for (size_t i = 0; i < gd_migrations_count && gd_migrations[i].version < 7; i++) {
        CHECK_MSG(sqlite3_exec(db, gd_migrations[i].sql, NULL, NULL, NULL) == SQLITE_OK,
                  "%s: %s", gd_migrations[i].name, sqlite3_errmsg(db));
        before = gd_migrations[i].version;
    }
    char set[64];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", before);
    CHECK_INT(sqlite3_exec(db, set, NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
        "INSERT INTO findings (finding_id, region, account_id, type, severity, title,"
        " description, created_at, updated_at, created_ms, updated_ms, first_run_id,"
        " last_run_id, raw_json, resource_id) VALUES"
        " ('d1', 'us-east-1', '111111111111', 'T', 5, 'caf\xc3\xa9', 'long \xe2\x80\xae text',"
        "  'a', 'b', 1, 2, 1, 1,"
        "  '{\"id\":\"d1\",\"title\":\"caf\xc3\xa9\",\"description\":\"long \\u202e text\"}',"
        "  'i-1')", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK(before >= 5);
    CHECK_INT(peek_int(t.path, "PRAGMA page_size"), 4096);
    gd_store *st = open_rw(t.path);
    CHECK_INT(gd_store_schema_version(st), max_version());
    gd_store_close(st);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM pragma_table_info('findings')"
                               " WHERE name = 'description'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings_created'"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'findings_report'"), 1);
    CHECK_STR(peek_text(t.path, "SELECT title || '|' || resource_id || '|' || updated_ms FROM findings",
                        text, sizeof text), "caf\xc3\xa9|i-1|2");
    CHECK_STR(peek_text(t.path, "SELECT json_extract(raw_json, '$.description') FROM findings",
                        text, sizeof text), "long \xe2\x80\xae text");
    CHECK_INT(peek_int(t.path, "PRAGMA page_size"), 4096);
    tmpdb_cleanup(&t);
}

typedef struct trial_seen {
    int rows, denied_rows;
    char text[512];
} trial_seen;

static int trial_cb(void *ud, const gd_rq_trial *t)
{
    trial_seen *s = ud;
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof s->text - used, "%s/%s/%s/%s=%lld;", t->region, t->state,
             t->account_id ? t->account_id : "-", t->feature ? t->feature : "-",
             (long long)t->days_left);
    s->rows++;
    if (!t->account_id)
        s->denied_rows++;
    return 0;
}

/* Free-trial days: replaced per (run, region); the read side gives each
 * region's newest asking run, a denied region once with no account. */
static void test_free_trial_days(void)
{
    struct tmpdb t;
    gd_err err = {0};
    tmpdb_init(&t, "store_test");
    gd_store *st = open_rw(t.path);
    int64_t r1 = begin_run(st, 1), r2 = begin_run(st, 2);
    gd_trial_row a[] = {{"111111111111", "FLOW_LOGS", 30}, {"111111111111", "S3_DATA_EVENTS", 0},
                        {"222222222222", "FLOW_LOGS", 12}};
    CHECK_INT(gd_store_put_free_trial(st, r1, "us-east-1", "collected", NULL, a, 3, &err), 0);
    CHECK_INT(gd_store_put_free_trial(st, r1, "eu-west-1", "collected", NULL, a, 1, &err), 0);
    /* run 2: us-east-1 again (replaces nothing of run 1), eu-west-1 denied */
    CHECK_INT(gd_store_put_free_trial(st, r2, "us-east-1", "collected", NULL, a + 2, 1, &err), 0);
    CHECK_INT(gd_store_put_free_trial(st, r2, "eu-west-1", "denied", "SCP says no", NULL, 0,
                                      &err), 0);
    /* the same (run, region) again replaces its rows */
    CHECK_INT(gd_store_put_free_trial(st, r2, "us-east-1", "collected", NULL, a + 1, 2, &err), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM free_trial_days WHERE run_id = 2"), 2);
    gd_trial_row bad = {"333333333333", NULL, 3};
    CHECK(gd_store_put_free_trial(st, r2, "ap-south-1", "collected", NULL, &bad, 1, &err) != 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM free_trial_regions WHERE region = 'ap-south-1'"),
              0);                                             /* all or nothing */
    trial_seen seen = {0, 0, ""};
    CHECK_INT(gd_rq_free_trial(st, r2, trial_cb, &seen, &err), 0);
    CHECK_STR(seen.text, "eu-west-1/denied/-/-=-1;"
                         "us-east-1/collected/111111111111/S3_DATA_EVENTS=0;"
                         "us-east-1/collected/222222222222/FLOW_LOGS=12;");
    CHECK_INT(seen.denied_rows, 1);
    trial_seen first = {0, 0, ""};
    CHECK_INT(gd_rq_free_trial(st, r1, trial_cb, &first, &err), 0);   /* as of run 1 */
    CHECK_INT(first.rows, 4);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_open_creates_private_file_with_current_schema();
    test_open_refuses_db_from_newer_gdreport();
    test_failed_migration_leaves_the_db_untouched();
    test_read_only_open_of_missing_file_is_not_found_and_creates_nothing();
    test_read_only_open_of_older_db_asks_for_a_collect();
    test_v1_db_gets_the_report_index();
    test_latest_usage_per_region();
    test_read_only_store_reads_but_refuses_writes();
    test_run_lifecycle_and_interrupted_runs();
    test_findings_change_rule();
    test_findings_batch_is_all_or_nothing();
    test_finding_accounts_survive_rollbacks();
    test_findings_reconcile_archived();
    test_region_has_findings();
    test_findings_missing_ids_in_input_order();
    test_accounts_keep_the_best_source();
    test_detector_and_members_are_replaced_per_region();
    test_watermarks();
    test_usage_is_replaced_per_run_and_region();
    test_status_walks_runs_newest_first_with_their_regions();
    test_prune_dry_run_counts_and_real_run_deletes();
    test_caller_scoped_transaction();
    test_region_threads_share_one_store();
    test_upsert_100k_findings_then_rerun_changes_nothing();
    test_findings_archived_at_and_sample();
    test_findings_expiry();
    test_raw_json_stored_exactly();
    test_insert_first_repeats_in_one_page();
    test_insert_first_across_pages_and_expired_rows();
    test_lifecycle_reads();
    test_v2_db_gets_lifecycle_columns();
    test_v6_db_gets_lean_findings();
    test_free_trial_days();
    return t_done();
}
