/* SPDX-License-Identifier: Apache-2.0 */
/* A first load without the finding id index (store/store_bulk.c): a collect
 * into an empty findings table drops findings_id and finds repeated ids
 * through an in-memory map instead. Each test runs the same pages into two
 * stores, one in that mode and one with the index all along, and requires
 * the same outcome of every page (counts, success) and the same stored rows;
 * then checks where the mode ends: the index build at the collect's end, the
 * map's bound, a query by id, a rollback, and a load killed before its end. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "t.h"
#include "tmpdb.h"
#include "rawdb.h"
#include "storerun.h"

#define POOL 4000      /* distinct ids a test draws from */
#define PAGE 50

struct frow {
    char id[32], raw[96];
    gd_finding_row row;
};

struct pair {
    struct tmpdb ta, tb;
    gd_store *bulk, *indexed;
    int64_t run;
};

static int64_t peek_int(const char *path, const char *sql)
{
    sqlite3 *db = db_open(path, 0);
    int64_t v = q_int(db, sql);
    sqlite3_close(db);
    return v;
}

static int has_index(const char *path, const char *name)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                              " AND name = '%s' AND tbl_name = 'findings'", name);
    return (int)peek_int(path, sql);
}

/* Every column of every finding, in id order, plus the accounts. */
static void dump(const char *path, char *out, size_t n)
{
    sqlite3 *db = db_open(path, 0);
    q_rows(db, 1,
           "SELECT finding_id, region, account_id, detector_id, type, severity, title,"
           " resource_type, feature_name, created_at, updated_at, created_ms, updated_ms, count,"
           " archived, first_run_id, last_run_id, sample, archived_at_ms IS NULL, expired_at_ms,"
           " resource_id, event_first_seen, event_last_seen, raw_json FROM findings"
           " ORDER BY finding_id", out, n);
    size_t used = strlen(out);
    q_rows(db, 1, "SELECT account_id, source FROM accounts ORDER BY account_id", out + used,
           n - used);
    sqlite3_close(db);
}

/* The store connection's own PRAGMA cache_size (KiB, negative). */
static int64_t cache_kib(gd_store *st)
{
    return q_int(st->db, "PRAGMA cache_size");
}

static void pair_open(struct pair *p, const char *name)
{
    gd_err err = {0};
    int deferred = -1;
    tmpdb_init(&p->ta, name);
    tmpdb_init(&p->tb, name);
    p->bulk = open_rw(p->ta.path);
    p->indexed = open_rw(p->tb.path);
    CHECK_INT(gd_store_lock_collect(p->bulk, &err), 0);
    CHECK_MSG(gd_store_report_index_defer(p->bulk, &deferred, &err) == 0, "%s", err.msg);
    CHECK_INT(deferred, 1);
    CHECK_INT(has_index(p->ta.path, "findings_id"), 0);
    CHECK_INT(has_index(p->tb.path, "findings_id"), 1);
    p->run = begin_run(p->bulk);
    CHECK_INT(begin_run(p->indexed), p->run);
}

static void pair_close(struct pair *p)
{
    gd_store_close(p->bulk);
    gd_store_close(p->indexed);
    tmpdb_cleanup(&p->ta);
    tmpdb_cleanup(&p->tb);
}

static void pair_same_rows(struct pair *p, const char *when)
{
    static char a[4 << 20], b[4 << 20];
    dump(p->ta.path, a, sizeof a);
    dump(p->tb.path, b, sizeof b);
    CHECK_MSG(strlen(a) < sizeof a - 1, "dump too large (%s)", when);
    CHECK_MSG(strcmp(a, b) == 0, "stored rows differ %s", when);
}

static void frow_make(struct frow *f, unsigned id, int64_t updated_ms, int archived,
                      int64_t count)
{
    snprintf(f->id, sizeof f->id, "b%05u", id);
    snprintf(f->raw, sizeof f->raw, "{\"Id\":\"%s\",\"UpdatedAt\":%lld,\"Count\":%lld}", f->id,
             (long long)updated_ms, (long long)count);
    memset(&f->row, 0, sizeof f->row);
    f->row.finding_id = f->id;
    f->row.region = id % 3 ? "eu-west-1" : "us-east-1";
    f->row.account_id = id % 2 ? "111111111111" : "222222222222";
    f->row.detector_id = "det1";
    f->row.type = "Recon:EC2/PortProbeUnprotectedPort";
    f->row.severity = 1.0 + id % 9;
    f->row.title = "title";
    f->row.created_at = "2026-01-01T00:00:00.000Z";
    f->row.updated_at = "2026-01-02T00:00:00.000Z";
    f->row.created_ms = 1000;
    f->row.updated_ms = updated_ms;
    f->row.count = count;
    f->row.archived = archived;
    f->row.raw_json = f->raw;
}

/* The same page into both stores: same result, same counts. Returns the rc. */
static int pair_page(struct pair *p, const struct frow *f, size_t n, const char *when)
{
    gd_finding_row rows[PAGE + 1];
    gd_upsert_stats sa = {0, 0, 0}, sb = {0, 0, 0};
    gd_err ea = {0}, eb = {0};
    for (size_t i = 0; i < n; i++)
        rows[i] = f[i].row;
    int ra = gd_store_upsert_findings(p->bulk, p->run, rows, n, &sa, &ea);
    int rb = gd_store_upsert_findings(p->indexed, p->run, rows, n, &sb, &eb);
    CHECK_MSG(ra == rb, "%s: bulk %d (%s), indexed %d (%s)", when, ra, ea.msg, rb, eb.msg);
    CHECK_MSG(sa.inserted == sb.inserted && sa.updated == sb.updated &&
                  sa.unchanged == sb.unchanged,
              "%s: bulk %lld/%lld/%lld, indexed %lld/%lld/%lld", when, (long long)sa.inserted,
              (long long)sa.updated, (long long)sa.unchanged, (long long)sb.inserted,
              (long long)sb.updated, (long long)sb.unchanged);
    return ra;
}

static unsigned lcg(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

/* A page of mostly new ids and repeats of any stored one, with newer, older
 * and same copies, archive flips and count changes; every 9th page ends with
 * a new id whose severity the table refuses, so the page fails whole. */
static void random_page(unsigned *seed, unsigned *next_new, int page_no, struct frow *f,
                        size_t *n)
{
    size_t k = 0;
    for (; k < PAGE; k++) {
        unsigned r = lcg(seed);
        unsigned id = r % 10 < 6 && *next_new < POOL ? (*next_new)++
                                                      : (*next_new ? lcg(seed) % *next_new : 0);
        frow_make(&f[k], id, 100 + lcg(seed) % 4, lcg(seed) % 10 == 0, 1 + (lcg(seed) % 12 == 0));
    }
    if (page_no % 9 == 8 && *next_new < POOL) {
        frow_make(&f[k], (*next_new)++, 100, 0, 1);
        f[k++].row.severity = NAN;
    }
    *n = k;
}

/* The whole first load: every page's outcome and the rows equal the indexed
 * store's; then the collect's index build ends the mode with a unique
 * findings_id, and later pages take the indexed path in both. */
static void test_first_load_matches_the_indexed_path(void)
{
    struct pair p;
    struct frow f[PAGE + 1];
    unsigned seed = 7, next_new = 0;
    size_t n;
    int failed = 0;
    char when[64];
    gd_err err = {0};
    pair_open(&p, "bulk_diff");
    for (int i = 0; i < 90; i++) {
        random_page(&seed, &next_new, i, f, &n);
        snprintf(when, sizeof when, "page %d", i);
        failed += pair_page(&p, f, n, when) != 0;
    }
    CHECK_MSG(failed == 10, "%d pages failed", failed);
    CHECK_INT(has_index(p.ta.path, "findings_id"), 0);
    CHECK(p.bulk->bulk != NULL);
    CHECK_INT(cache_kib(p.bulk), -4096);   /* the map's memory comes out of the cache */
    CHECK_INT(cache_kib(p.indexed), -8192);
    /* past 2,048: the map's table grew at least once */
    CHECK_MSG(st_bulk_count(p.bulk) > 2048, "%zu ids in the map", st_bulk_count(p.bulk));
    CHECK_INT(peek_int(p.ta.path, "SELECT count(*) FROM findings"), (int64_t)st_bulk_count(p.bulk));
    pair_same_rows(&p, "after the load");

    CHECK_MSG(gd_store_report_index_build(p.bulk, &err) == 0, "%s", err.msg);
    CHECK(p.bulk->bulk == NULL);
    CHECK_INT(cache_kib(p.bulk), -8192);
    CHECK_INT(has_index(p.ta.path, "findings_id"), 1);
    CHECK_INT(has_index(p.ta.path, "findings_report"), 1);
    CHECK_INT(peek_int(p.ta.path, "SELECT \"unique\" FROM pragma_index_list('findings')"
                                  " WHERE name = 'findings_id'"), 1);
    for (int i = 90; i < 100; i++) {
        random_page(&seed, &next_new, i, f, &n);
        snprintf(when, sizeof when, "page %d, indexed", i);
        pair_page(&p, f, n, when);
    }
    pair_same_rows(&p, "after the build");
    sqlite3 *db = db_open(p.ta.path, 0);
    char ok[64];
    q_rows(db, 0, "PRAGMA integrity_check", ok, sizeof ok);
    CHECK_STR(ok, "ok|;");
    sqlite3_close(db);
    pair_close(&p);
}

/* Rolled-back rows leave the map (store_tx.c's hooks): a caller's
 * transaction rolled back, and a page that fails alone, among thousands of
 * entries; the first grows the map's table (4,096 ids fill its second
 * size) and then rolls back 500 ids, so the purge runs on a table rehashed
 * since its mark, where removed entries sit inside others' probe paths.
 * Every id stored before is still found (a repeat is unchanged, not inserted
 * again), and the rolled-back ids are new again. */
#define RB_LOADED 4050
#define RB_TX 500      /* ids of the caller's transaction that is rolled back */

static void test_rollbacks_keep_the_map_exact(void)
{
    struct pair p;
    struct frow f[PAGE + 1];
    gd_finding_row rows[PAGE];
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    pair_open(&p, "bulk_rollback");
    for (unsigned base = 0; base < RB_LOADED; base += PAGE) {
        for (unsigned k = 0; k < PAGE; k++)
            frow_make(&f[k], base + k, 100, 0, 1);
        pair_page(&p, f, PAGE, "load");
    }
    /* A caller's transaction, rolled back: its ids are gone from the map. */
    CHECK_INT(st_bulk_count(p.bulk), RB_LOADED);
    CHECK_INT(gd_store_begin(p.bulk, &err), 0);
    for (unsigned base = RB_LOADED + 1000; base < RB_LOADED + 1000 + RB_TX; base += PAGE) {
        for (unsigned k = 0; k < PAGE; k++) {
            frow_make(&f[k], base + k, 100, 0, 1);
            rows[k] = f[k].row;
        }
        memset(&s, 0, sizeof s);
        CHECK_INT(gd_store_upsert_findings(p.bulk, p.run, rows, PAGE, &s, &err), 0);
        CHECK_INT(s.inserted, PAGE);
    }
    /* inside it, a page that fails: rolled back to its savepoint alone */
    struct frow bad[2];
    gd_finding_row bad_rows[2];
    frow_make(&bad[0], RB_LOADED + 300, 100, 0, 1);
    frow_make(&bad[1], RB_LOADED + 301, 100, 0, 1);
    bad[1].row.severity = NAN;
    bad_rows[0] = bad[0].row;
    bad_rows[1] = bad[1].row;
    CHECK(gd_store_upsert_findings(p.bulk, p.run, bad_rows, 2, &s, &err) != 0);
    CHECK_INT(st_bulk_count(p.bulk), RB_LOADED + RB_TX);
    CHECK(st_bulk_consistent(p.bulk));
    gd_store_rollback(p.bulk);
    CHECK_INT(st_bulk_count(p.bulk), RB_LOADED);
    CHECK(st_bulk_consistent(p.bulk));
    /* A page that fails alone. */
    for (unsigned k = 0; k < PAGE; k++)
        frow_make(&f[k], RB_LOADED + 100 + k, 100, 0, 1);
    frow_make(&f[PAGE], RB_LOADED + 200, 100, 0, 1);
    f[PAGE].row.severity = NAN;
    CHECK(pair_page(&p, f, PAGE + 1, "failing page") != 0);
    CHECK_INT(st_bulk_count(p.bulk), RB_LOADED);
    CHECK(st_bulk_consistent(p.bulk));
    CHECK_INT(peek_int(p.ta.path, "SELECT count(*) FROM findings"), RB_LOADED);

    /* Everything again: all unchanged, the 100 rolled-back ids new. */
    for (unsigned base = 0; base < RB_LOADED; base += PAGE) {
        for (unsigned k = 0; k < PAGE; k++)
            frow_make(&f[k], base + k, 100, 0, 1);
        for (unsigned k = 0; k < PAGE; k++)
            rows[k] = f[k].row;
        memset(&s, 0, sizeof s);
        CHECK_INT(gd_store_upsert_findings(p.bulk, p.run, rows, PAGE, &s, &err), 0);
        CHECK_MSG(s.unchanged == PAGE, "ids from %u: %lld unchanged", base,
                  (long long)s.unchanged);
    }
    for (unsigned base = RB_LOADED; base < RB_LOADED + 200; base += 100) {
        for (unsigned k = 0; k < PAGE; k++)
            frow_make(&f[k], base + k, 100, 0, 1);
        for (unsigned k = 0; k < PAGE; k++)
            rows[k] = f[k].row;
        memset(&s, 0, sizeof s);
        CHECK_INT(gd_store_upsert_findings(p.bulk, p.run, rows, PAGE, &s, &err), 0);
        CHECK_INT(s.inserted, PAGE);
    }
    CHECK(p.bulk->bulk != NULL);
    CHECK_MSG(gd_store_report_index_build(p.bulk, &err) == 0, "unique build: %s", err.msg);
    CHECK_INT(peek_int(p.ta.path, "SELECT count(*) FROM findings"), RB_LOADED + 100);
    pair_close(&p);
}

/* The map's bound: at the first BEGIN once it is full, findings_id is built
 * and the rest of the load goes row by row through the index, with the same
 * outcomes. */
static void test_a_full_map_builds_the_index_and_goes_on(void)
{
    struct pair p;
    struct frow f[PAGE + 1];
    unsigned seed = 11, next_new = 0;
    size_t n;
    char when[64];
    pair_open(&p, "bulk_full");
    p.bulk->bulk_max_ids = 120;
    for (int i = 0; i < 30; i++) {
        random_page(&seed, &next_new, i, f, &n);
        snprintf(when, sizeof when, "page %d", i);
        pair_page(&p, f, n, when);
        if (i == 1)
            CHECK_INT(has_index(p.ta.path, "findings_id"), 0);
    }
    CHECK(p.bulk->bulk == NULL);
    CHECK_INT(has_index(p.ta.path, "findings_id"), 1);
    pair_same_rows(&p, "after a full map");
    pair_close(&p);
}

/* A query that seeks findings by id (here: which listed ids are missing)
 * ends the mode first, and answers as the indexed store does. */
static void test_a_query_by_id_ends_the_mode(void)
{
    struct pair p;
    struct frow f[PAGE + 1];
    const char *ids[3] = {"b00003", "b09999", "b00049"};
    char **missing = NULL;
    size_t n_missing = 0;
    gd_err err = {0};
    pair_open(&p, "bulk_query");
    for (unsigned k = 0; k < PAGE; k++)
        frow_make(&f[k], k, 100, 0, 1);
    pair_page(&p, f, PAGE, "load");
    CHECK_MSG(gd_store_missing_findings(p.bulk, ids, 3, &missing, &n_missing, &err) == 0, "%s",
              err.msg);
    CHECK_INT(n_missing, 1);
    if (n_missing == 1)
        CHECK_STR(missing[0], "b09999");
    gd_store_free_strings(missing, n_missing);
    CHECK(p.bulk->bulk == NULL);
    CHECK_INT(has_index(p.ta.path, "findings_id"), 1);
    for (unsigned k = 0; k < PAGE; k++)
        frow_make(&f[k], k + 25, 101, 0, 1);
    pair_page(&p, f, PAGE, "after the query");
    pair_same_rows(&p, "after the query");
    pair_close(&p);
}

/* A load that ends without the build (a killed collect closes nothing, but
 * this is what it leaves): no findings_id, no duplicate; the next read-write
 * open builds it, unique. */
static void test_an_unfinished_load_is_repaired_at_open(void)
{
    struct tmpdb t;
    struct frow f[PAGE];
    gd_finding_row rows[PAGE];
    gd_err err = {0};
    int deferred = 0;
    tmpdb_init(&t, "bulk_repair");
    gd_store *st = open_rw(t.path);
    CHECK_INT(gd_store_lock_collect(st, &err), 0);
    CHECK_INT(gd_store_report_index_defer(st, &deferred, &err), 0);
    CHECK_INT(deferred, 1);
    int64_t run = begin_run(st);
    for (unsigned k = 0; k < PAGE; k++) {
        frow_make(&f[k], k % 30, 100 + k / 30, 0, 1);
        rows[k] = f[k].row;
    }
    CHECK_INT(gd_store_upsert_findings(st, run, rows, PAGE, NULL, &err), 0);
    gd_store_close(st);
    CHECK_INT(has_index(t.path, "findings_id"), 0);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 30);
    CHECK_INT(peek_int(t.path, "SELECT count(DISTINCT finding_id) FROM findings"), 30);
    st = open_rw(t.path);
    CHECK_INT(has_index(t.path, "findings_id"), 1);
    CHECK_INT(has_index(t.path, "findings_report"), 1);
    gd_store_close(st);
    /* findings_id alone missing (findings_report kept) is repaired too. */
    sqlite3 *db = db_open(t.path, 0);
    CHECK_INT(sqlite3_exec(db, "DROP INDEX findings_id", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    st = open_rw(t.path);
    CHECK_INT(has_index(t.path, "findings_id"), 1);
    gd_store_close(st);
    tmpdb_cleanup(&t);
}

/* schema/009 on a DB at version 8 with findings: every value and rowid
 * kept (rowids out of id order, NULLs, both archive states), the key's
 * automatic index replaced by the unique findings_id, the other two indexes
 * back, and the upsert's ON CONFLICT (finding_id) works on the result. */
static void test_migration_9_keeps_every_row(void)
{
    static const char COLS[] =
        "rowid, finding_id, region, account_id, detector_id, type, severity, title,"
        " resource_type, feature_name, created_at, updated_at, created_ms, updated_ms, count,"
        " archived, first_run_id, last_run_id, sample, archived_at_ms, expired_at_ms,"
        " resource_id, event_first_seen, event_last_seen, raw_json";
    struct tmpdb t;
    char before[4096], after[4096], sql[512];
    tmpdb_init(&t, "bulk_migrate");
    sqlite3 *db = db_open(t.path, 1);
    for (size_t i = 0; i < gd_migrations_count && gd_migrations[i].version <= 8; i++)
        CHECK_MSG(sqlite3_exec(db, gd_migrations[i].sql, NULL, NULL, NULL) == SQLITE_OK,
                  "%s: %s", gd_migrations[i].name, sqlite3_errmsg(db));
    CHECK_INT(sqlite3_exec(db,
        "PRAGMA user_version = 8;"
        "INSERT INTO runs (run_id, started_at, started_ms, tool_version, outcome) VALUES"
        " (1, '2026-01-01T00:00:00Z', 1767225600000, '0.8', 'ok');"
        "INSERT INTO findings (rowid, finding_id, region, account_id, detector_id, type,"
        " severity, title, resource_type, feature_name, created_at, updated_at, created_ms,"
        " updated_ms, count, archived, first_run_id, last_run_id, raw_json, sample,"
        " archived_at_ms, expired_at_ms, resource_id, event_first_seen, event_last_seen)"
        " VALUES (7, 'zz', 'us-east-1', '111111111111', 'd', 'T', 8.5, NULL, 'Instance',"
        " 'FlowLogs', 'a', 'b', 1, 2, 3, 1, 1, 1, '{\"x\":1}', 1, 5, NULL, 'i-1', 'f', 'l'),"
        " (3, 'aa', 'eu-west-1', '222222222222', NULL, 'T2', 1.0, 't', NULL, NULL, 'c', 'd',"
        " 10, 20, 1, 0, 1, 1, '{}', 0, NULL, 99, NULL, NULL, NULL);",
        NULL, NULL, NULL), SQLITE_OK);
    snprintf(sql, sizeof sql, "SELECT %s FROM findings ORDER BY rowid", COLS);
    q_rows(db, 1, sql, before, sizeof before);
    sqlite3_close(db);

    gd_store *st = open_rw(t.path);
    CHECK_INT(gd_store_schema_version(st), max_version());
    db = db_open(t.path, 0);
    q_rows(db, 1, sql, after, sizeof after);
    CHECK_STR(after, before);
    CHECK_INT(q_int(db, "SELECT \"unique\" FROM pragma_index_list('findings')"
                        " WHERE name = 'findings_id'"), 1);
    CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_index_list('findings')"), 3);
    CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_index_list('findings')"
                        " WHERE name IN ('findings_region_updated', 'findings_report')"), 2);
    CHECK_INT(q_int(db, "SELECT name = 'raw_json' FROM pragma_table_info('findings')"
                        " ORDER BY cid DESC LIMIT 1"), 1);
    sqlite3_close(db);
    struct frow f;
    gd_upsert_stats s = {0, 0, 0};
    gd_err err = {0};
    frow_make(&f, 0, 3, 0, 1);
    snprintf(f.id, sizeof f.id, "zz");
    CHECK_MSG(gd_store_upsert_findings(st, 1, &f.row, 1, &s, &err) == 0, "%s", err.msg);
    CHECK_INT(s.updated, 1);
    gd_store_close(st);
    CHECK_INT(peek_int(t.path, "SELECT count(*) FROM findings"), 2);
    tmpdb_cleanup(&t);
}

/* Each map's hash starts from its own random value (store_bulk.c), so the
 * same id gets another tag in another map: ids colliding in one cannot be
 * computed beforehand. Three maps agreeing happens about once in 2^64. */
static void test_each_map_hashes_from_its_own_start(void)
{
    struct pair a, b, c;
    st_bulk_probe pa, pb, pc;
    pair_open(&a, "bulk_seed");
    pair_open(&b, "bulk_seed");
    pair_open(&c, "bulk_seed");
    st_bulk_probe_start(a.bulk, "0123456789abcdef0123456789abcdef", &pa);
    st_bulk_probe_start(b.bulk, "0123456789abcdef0123456789abcdef", &pb);
    st_bulk_probe_start(c.bulk, "0123456789abcdef0123456789abcdef", &pc);
    CHECK_MSG(pa.tag != pb.tag || pb.tag != pc.tag, "tag %u in three maps", (unsigned)pa.tag);
    pair_close(&a);
    pair_close(&b);
    pair_close(&c);
}

int main(void)
{
    test_each_map_hashes_from_its_own_start();
    test_migration_9_keeps_every_row();
    test_first_load_matches_the_indexed_path();
    test_rollbacks_keep_the_map_exact();
    test_a_full_map_builds_the_index_and_goes_on();
    test_a_query_by_id_ends_the_mode();
    test_an_unfinished_load_is_repaired_at_open();
    return t_done();
}
