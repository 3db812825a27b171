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
#include "store/store.h"
#include "t.h"

/* ---- Fixtures ------------------------------------------------------------ */

struct tmpdb {
    char dir[256];
    char path[300];
};

static void tmpdb_init(struct tmpdb *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/gd_store_test.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t->dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(t->path, sizeof t->path, "%s/gd.db", t->dir);
}

static void tmpdb_cleanup(struct tmpdb *t)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
    char p[400];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

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
        " description, resource_type, feature_name, created_at, updated_at, created_ms,"
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
    tmpdb_init(&t);
    gd_store *st = open_rw(t.path);
    umask(old);
    CHECK(st != NULL);
    CHECK_INT(stat(t.path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    CHECK_INT(gd_store_schema_version(st), max_version());
    CHECK_STR(gd_store_path(st), t.path);
    CHECK_INT(peek_int(t.path, "PRAGMA user_version"), max_version());
    CHECK_STR(peek_text(t.path, "PRAGMA journal_mode", txt, sizeof txt), "wal");
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
    tmpdb_init(&t);
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

static void test_read_only_open_of_missing_file_is_not_found_and_creates_nothing(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    tmpdb_init(&t);
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
    tmpdb_init(&t);
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

static void test_read_only_store_reads_but_refuses_writes(void)
{
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    int64_t run = 0;
    tmpdb_init(&t);
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
    tmpdb_init(&t);
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
    tmpdb_init(&t);
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
    tmpdb_init(&t);
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

/* ---- Main ---------------------------------------------------------------- */

int main(void)
{
    test_open_creates_private_file_with_current_schema();
    test_open_refuses_db_from_newer_gdreport();
    test_read_only_open_of_missing_file_is_not_found_and_creates_nothing();
    test_read_only_open_of_older_db_asks_for_a_collect();
    test_read_only_store_reads_but_refuses_writes();
    test_run_lifecycle_and_interrupted_runs();
    test_findings_change_rule();
    test_findings_batch_is_all_or_nothing();
    return t_done();
}
