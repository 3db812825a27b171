/* SPDX-License-Identifier: Apache-2.0 */
/* Multi-row inserts (store/store_rows.h): gd_store_put_usage,
 * gd_store_put_free_trial, gd_store_replace_members and gd_store_put_accounts
 * store exactly what one INSERT per row stored.
 *
 * Each test writes the same generated rows twice: through the store, and into
 * a reference DB of the same schema with the statements the store ran before
 * it inserted many rows per statement (kept below, one row per execution).
 * The row counts straddle the chunk size (full chunks, then a tail), repeat
 * keys inside a chunk and across a chunk boundary, and carry hostile text.
 * Then both DBs' tables are compared column by column, in rowid order where
 * the order is kept too, else in key order. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"
#include "storerun.h"

/* ---- The single-row statements the store ran before ----------------------- */

static const char REF_USAGE_DELETE[] = "DELETE FROM usage_costs WHERE run_id = ?1 AND region = ?2";
static const char REF_USAGE_INSERT[] =
    "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
    " window_start_ms, window_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char REF_TRIAL_DELETE[] =
    "DELETE FROM free_trial_days WHERE run_id = ?1 AND region = ?2";
static const char REF_TRIAL_INSERT[] =
    "INSERT OR REPLACE INTO free_trial_days (run_id, region, account_id, feature, days_left)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char REF_TRIAL_STATE[] =
    "INSERT OR REPLACE INTO free_trial_regions (run_id, region, state, message)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char REF_DEL_MEMBERS[] = "DELETE FROM members WHERE region = ?1";
static const char REF_DEL_MEMBER_FEATURES[] = "DELETE FROM member_features WHERE region = ?1";
static const char REF_MEMBER_INSERT[] =
    "INSERT OR REPLACE INTO members (region, account_id, detector_id, relationship_status,"
    " email, administrator_id, invited_at, updated_at, updated_run_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char REF_MEMBER_FEATURE_INSERT[] =
    "INSERT OR REPLACE INTO member_features (region, account_id, feature, status,"
    " additional_json, updated_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
#define REF_RANK(col) \
    "CASE " col " WHEN 'organizations' THEN 3 WHEN 'guardduty_member' THEN 2 ELSE 1 END"
static const char REF_ACCOUNT_PUT[] =
    "INSERT INTO accounts (account_id, name, email, status, source, updated_run_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (account_id) DO UPDATE SET name = COALESCE(excluded.name, accounts.name),"
    " email = COALESCE(excluded.email, accounts.email),"
    " status = COALESCE(excluded.status, accounts.status), source = excluded.source,"
    " updated_run_id = excluded.updated_run_id"
    " WHERE " REF_RANK("excluded.source") " >= " REF_RANK("accounts.source");

/* ---- Fixtures ------------------------------------------------------------ */

/* Both DBs: the store's, and the reference (made by the store, so the same
 * schema and the same run ids, then written with plain SQLite). */
struct pair {
    struct tmpdb t, r;
    gd_store *st;
    sqlite3 *ref;
    int64_t run;
};

static void pair_open(struct pair *p)
{
    tmpdb_init(&p->t, "store_rows");
    tmpdb_init(&p->r, "store_rows_ref");
    gd_store *r = open_rw(p->r.path);
    int64_t ref_run = begin_run(r);
    gd_store_close(r);
    p->st = open_rw(p->t.path);
    p->run = begin_run(p->st);
    CHECK_INT(ref_run, p->run);
    if (sqlite3_open_v2(p->r.path, &p->ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "open reference: %s\n", sqlite3_errmsg(p->ref));
        exit(2);
    }
    sqlite3_exec(p->ref, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
}

static void pair_close(struct pair *p)
{
    gd_store_close(p->st);
    sqlite3_close(p->ref);
    tmpdb_cleanup(&p->t);
    tmpdb_cleanup(&p->r);
}

/* Runs sql on the reference with the texts and integers given in order of
 * their parameters: types is a string of 't' (text, NULL allowed) and 'i'. */
static int ref_run(sqlite3 *db, const char *sql, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    va_list ap;
    int rc;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(db));
        exit(2);
    }
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i') {
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        } else {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT);
        }
    }
    va_end(ap);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Every column of every row sql returns, typed, in the order it returns them. */
static char *dump(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    gd_buf b;
    gd_buf_init(&b, 0);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "dump %s: %s\n", sql, sqlite3_errmsg(db));
        exit(2);
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(s); c++) {
            if (sqlite3_column_type(s, c) == SQLITE_NULL)
                gd_buf_appends(&b, "N|");
            else
                gd_buf_printf(&b, "%d:%s|", sqlite3_column_type(s, c),
                              (const char *)sqlite3_column_text(s, c));
        }
        gd_buf_appends(&b, "\n");
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    char *out = strdup(b.data ? b.data : "");
    gd_buf_free(&b);
    return out;
}

/* The store's and the reference's answers to sql are equal and hold rows
 * lines (rows < 0: any number). */
static void check_same(const struct pair *p, const char *sql, long rows)
{
    char *got = dump(p->t.path, sql), *want = dump(p->r.path, sql);
    long lines = 0;
    for (const char *c = want; *c; c++)
        lines += *c == '\n';
    CHECK_MSG(strcmp(got, want) == 0, "%s:\nstore:\n%.2000s\nreference:\n%.2000s", sql, got,
              want);
    if (rows >= 0)
        CHECK_MSG(lines == rows, "%s: %ld rows, expected %ld", sql, lines, rows);
    free(got);
    free(want);
}

/* Deterministic text: hostile bytes (quotes, commas, NUL-free control bytes,
 * UTF-8) and lengths from 0 to a few hundred, from a seed. */
static void text_of(char *out, size_t cap, const char *prefix, unsigned seed)
{
    static const char *const bits[] = {"'", "\"", ",", "\x01", "\xc3\xa9", "\xe2\x82\xac",
                                       "); DROP TABLE x; --", "?", "%s", "\\", " "};
    size_t len = (size_t)snprintf(out, cap, "%s%u", prefix, seed);
    unsigned n = seed % 7 == 0 ? 60 : seed % 4;
    for (unsigned k = 0; k < n && len + 24 < cap; k++) {
        const char *bit = bits[(seed + k * 3) % (sizeof bits / sizeof bits[0])];
        memcpy(out + len, bit, strlen(bit) + 1);
        len += strlen(bit);
    }
}

/* ---- Usage ----------------------------------------------------------------- */

#define U_N 77   /* two chunks of 32 and a tail of 13 */

struct usage_set {
    char acct[U_N][24], feat[U_N][128], amount[U_N][32];
    gd_usage_row rows[U_N];
};

static void usage_make(struct usage_set *u, unsigned seed)
{
    static const char *const kinds[] = {"account", "feature", "account_feature"};
    for (unsigned i = 0; i < U_N; i++) {
        snprintf(u->acct[i], sizeof u->acct[i], "%012u", 100000000u + i);
        text_of(u->feat[i], sizeof u->feat[i], "F", seed + i);
        snprintf(u->amount[i], sizeof u->amount[i], "%u.%04u", seed + i, i * 37 % 10000);
        const char *kind = kinds[i % 3];
        u->rows[i] = (gd_usage_row){kind, i % 3 == 1 ? (i % 2 ? NULL : "") : u->acct[i],
                                    i % 3 == 0 ? (i % 2 ? NULL : "") : u->feat[i],
                                    u->amount[i], i % 5 ? "USD" : "EUR"};
    }
}

static void ref_usage(struct pair *p, const char *region, const gd_usage_row *rows, size_t n,
                      int64_t ws, int64_t we)
{
    sqlite3_exec(p->ref, "BEGIN", NULL, NULL, NULL);
    ref_run(p->ref, REF_USAGE_DELETE, "it", p->run, region);
    for (size_t i = 0; i < n; i++) {
        const gd_usage_row *u = &rows[i];
        CHECK_INT(ref_run(p->ref, REF_USAGE_INSERT, "ittttttii", p->run, region, u->kind,
                          u->account_id ? u->account_id : "", u->feature ? u->feature : "",
                          u->amount, u->unit, ws, we),
                  0);
    }
    sqlite3_exec(p->ref, "COMMIT", NULL, NULL, NULL);
}

static void test_usage_rows_as_single_inserts_stored_them(void)
{
    struct pair p;
    struct usage_set *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    gd_err err = {0};
    pair_open(&p);
    usage_make(a, 1);
    usage_make(b, 500);
    CHECK_INT(gd_store_put_usage(p.st, p.run, "eu-west-1", a->rows, U_N, 10, 20, &err), 0);
    ref_usage(&p, "eu-west-1", a->rows, U_N, 10, 20);
    CHECK_INT(gd_store_put_usage(p.st, p.run, "us-east-1", b->rows, 40, 10, 20, &err), 0);
    ref_usage(&p, "us-east-1", b->rows, 40, 10, 20);
    /* the same (run, region) again: replaced by fewer rows, one tail only */
    CHECK_INT(gd_store_put_usage(p.st, p.run, "us-east-1", b->rows + 3, 5, 11, 21, &err), 0);
    ref_usage(&p, "us-east-1", b->rows + 3, 5, 11, 21);
    check_same(&p, "SELECT rowid, * FROM usage_costs ORDER BY rowid", U_N + 5);

    /* A key repeated in the second chunk fails the call: nothing of it stays. */
    a->rows[40] = a->rows[2];
    CHECK_INT(gd_store_put_usage(p.st, p.run, "eu-west-1", a->rows, U_N, 30, 40, &err), GD_E_DB);
    CHECK_MSG(strstr(err.msg, "UNIQUE") != NULL, "%s", err.msg);
    /* ... and so does one in the tail, and a bad kind in a chunk. */
    a->rows[40] = b->rows[40];
    a->rows[70] = a->rows[69];
    CHECK_INT(gd_store_put_usage(p.st, p.run, "eu-west-1", a->rows, U_N, 30, 40, &err), GD_E_DB);
    usage_make(a, 1);
    a->rows[33].kind = "bogus";
    CHECK_INT(gd_store_put_usage(p.st, p.run, "eu-west-1", a->rows, U_N, 30, 40, &err), GD_E_DB);
    CHECK_MSG(strstr(err.msg, "CHECK") != NULL, "%s", err.msg);
    check_same(&p, "SELECT rowid, * FROM usage_costs ORDER BY rowid", U_N + 5);
    pair_close(&p);
    free(a);
    free(b);
}

/* ---- Free-trial days ------------------------------------------------------- */

#define T_N 101   /* three chunks and a tail of 5 */

struct trial_set {
    char acct[T_N][24], feat[T_N][128];
    gd_trial_row rows[T_N];
};

/* Repeats: 5 -> 20 (one chunk), 30 -> 34 (across a chunk boundary), 2 -> 99
 * (first chunk to the tail); each repeat has other days: the last must win. */
static void trial_make(struct trial_set *s, unsigned seed)
{
    for (unsigned i = 0; i < T_N; i++) {
        snprintf(s->acct[i], sizeof s->acct[i], "%012u", 200000000u + (i * 7919) % 97);
        text_of(s->feat[i], sizeof s->feat[i], "T", seed + i);
        s->rows[i] = (gd_trial_row){s->acct[i], s->feat[i], (int64_t)((seed + i * 13) % 31)};
    }
    static const unsigned from[] = {5, 30, 2}, to[] = {20, 34, 99};
    for (size_t k = 0; k < 3; k++) {
        s->rows[to[k]].account_id = s->acct[from[k]];
        s->rows[to[k]].feature = s->feat[from[k]];
        s->rows[to[k]].days_left = s->rows[from[k]].days_left + 100;
    }
}

static void ref_trial(struct pair *p, const char *region, const char *state, const char *msg,
                      const gd_trial_row *rows, size_t n)
{
    sqlite3_exec(p->ref, "BEGIN", NULL, NULL, NULL);
    ref_run(p->ref, REF_TRIAL_DELETE, "it", p->run, region);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(ref_run(p->ref, REF_TRIAL_INSERT, "ittti", p->run, region, rows[i].account_id,
                          rows[i].feature, rows[i].days_left),
                  0);
    ref_run(p->ref, REF_TRIAL_STATE, "ittt", p->run, region, state, msg);
    sqlite3_exec(p->ref, "COMMIT", NULL, NULL, NULL);
}

static void test_free_trial_rows_as_single_inserts_stored_them(void)
{
    struct pair p;
    struct trial_set *a = calloc(1, sizeof *a);
    gd_err err = {0};
    pair_open(&p);
    trial_make(a, 3);
    CHECK_INT(gd_store_put_free_trial(p.st, p.run, "eu-west-1", "collected", NULL, a->rows, T_N,
                                      &err),
              0);
    ref_trial(&p, "eu-west-1", "collected", NULL, a->rows, T_N);
    CHECK_INT(gd_store_put_free_trial(p.st, p.run, "us-east-1", "collected", "m'sg", a->rows + 1,
                                      64, &err),
              0);
    ref_trial(&p, "us-east-1", "collected", "m'sg", a->rows + 1, 64);
    /* A repeated key keeps the last row's days (rowids may differ: OR REPLACE
     * gave the repeat a new rowid, the upsert keeps the first one). */
    check_same(&p, "SELECT run_id, region, account_id, feature, days_left FROM free_trial_days"
                   " ORDER BY run_id, region, account_id, feature",
               T_N - 3 + 64 - 2);
    check_same(&p, "SELECT * FROM free_trial_regions ORDER BY run_id, region", 2);
    /* An incomplete row, even in the tail, writes nothing of the call. */
    a->rows[T_N - 1].days_left = -1;
    CHECK(gd_store_put_free_trial(p.st, p.run, "eu-west-1", "collected", NULL, a->rows, T_N,
                                  &err) != 0);
    check_same(&p, "SELECT run_id, region, account_id, feature, days_left FROM free_trial_days"
                   " ORDER BY run_id, region, account_id, feature",
               T_N - 3 + 64 - 2);
    pair_close(&p);
    free(a);
}

/* ---- Members and member features ---------------------------------------------- */

#define M_N 45   /* one chunk and a tail of 13; 3 features each, one without status */

struct member_set {
    char acct[M_N][24], email[M_N][128], json[M_N][512];
    gd_feature_status feats[M_N][3];
    gd_member_info m[M_N];
};

/* Member 40 repeats member 7 (other email and features): the last wins. */
static void member_make(struct member_set *s, unsigned seed)
{
    for (unsigned i = 0; i < M_N; i++) {
        snprintf(s->acct[i], sizeof s->acct[i], "%012u", 300000000u + i * 3);
        text_of(s->email[i], sizeof s->email[i], "e", seed + i);
        text_of(s->json[i], sizeof s->json[i], "{\"j\":", seed * 7 + i);
        s->feats[i][0] = (gd_feature_status){"S3_DATA_EVENTS", i % 2 ? "ENABLED" : "DISABLED",
                                             NULL, i % 3 ? s->json[i] : NULL};
        s->feats[i][1] = (gd_feature_status){"NO_STATUS", NULL, NULL, NULL};
        s->feats[i][2] = (gd_feature_status){i % 4 ? "RUNTIME_MONITORING" : "EKS_AUDIT_LOGS",
                                             "ENABLED", NULL, s->json[(i + 5) % M_N]};
        s->m[i] = (gd_member_info){s->acct[i], i % 5 ? "det" : NULL, "Enabled", s->email[i],
                                   "999999999999", i % 2 ? "2024-01-01T00:00:00Z" : NULL,
                                   "2024-02-02T00:00:00Z", s->feats[i], i % 6 == 5 ? 0 : 3};
    }
    s->m[40].account_id = s->acct[7];
    s->feats[40][0].name = "FLOW_LOGS";
}

static void ref_members(struct pair *p, const char *region, const gd_member_info *m, size_t n)
{
    sqlite3_exec(p->ref, "BEGIN", NULL, NULL, NULL);
    ref_run(p->ref, REF_DEL_MEMBERS, "t", region);
    ref_run(p->ref, REF_DEL_MEMBER_FEATURES, "t", region);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(ref_run(p->ref, REF_MEMBER_INSERT, "tttttttti", region, m[i].account_id,
                          m[i].detector_id, m[i].relationship_status, m[i].email,
                          m[i].administrator_id, m[i].invited_at, m[i].updated_at, p->run),
                  0);
        for (size_t j = 0; j < m[i].n_features; j++) {
            const gd_feature_status *f = &m[i].features[j];
            if (f->status)
                CHECK_INT(ref_run(p->ref, REF_MEMBER_FEATURE_INSERT, "ttttti", region,
                                  m[i].account_id, f->name, f->status, f->additional_json,
                                  p->run),
                          0);
        }
    }
    sqlite3_exec(p->ref, "COMMIT", NULL, NULL, NULL);
}

/* The count a "SELECT count(*) ..." of the store's DB returns. */
static int64_t peek_count(const struct pair *p, const char *sql)
{
    char *d = dump(p->t.path, sql);
    int64_t v = strncmp(d, "1:", 2) == 0 ? strtoll(d + 2, NULL, 10) : -1;
    free(d);
    return v;
}

static void test_members_as_single_inserts_stored_them(void)
{
    struct pair p;
    struct member_set *a = calloc(1, sizeof *a);
    gd_err err = {0};
    pair_open(&p);
    member_make(a, 9);
    CHECK_INT(gd_store_replace_members(p.st, p.run, "eu-west-1", a->m, M_N, &err), 0);
    ref_members(&p, "eu-west-1", a->m, M_N);
    CHECK_INT(gd_store_replace_members(p.st, p.run, "us-east-1", a->m + 2, 33, &err), 0);
    ref_members(&p, "us-east-1", a->m + 2, 33);
    CHECK_INT(gd_store_replace_members(p.st, p.run, "eu-west-1", a->m + 5, 40, &err), 0);
    ref_members(&p, "eu-west-1", a->m + 5, 40);
    /* Rowid order too: the report reads member_features in table order. */
    check_same(&p, "SELECT rowid, * FROM members ORDER BY rowid", 33 + 39);
    check_same(&p, "SELECT rowid, * FROM member_features ORDER BY rowid", -1);
    CHECK_INT(peek_count(&p, "SELECT count(*) FROM member_features WHERE feature = 'FLOW_LOGS'"),
              1);   /* member 40 (a repeat of 7) stored its own */
    pair_close(&p);
    free(a);
}

/* ---- Accounts -------------------------------------------------------------- */

#define A_N 70   /* two chunks and a tail of 6 */

/* Repeats with other sources, inside a chunk and across chunks: an equal or
 * better source refreshes the row, a worse one leaves it. */
static void test_accounts_as_single_inserts_stored_them(void)
{
    static const char *const sources[] = {"finding", "guardduty_member", "organizations"};
    struct pair p;
    char acct[A_N][24], name[A_N][64];
    gd_account_info v[A_N];
    gd_err err = {0};
    pair_open(&p);
    for (unsigned i = 0; i < A_N; i++) {
        snprintf(acct[i], sizeof acct[i], "%012u", 400000000u + (i % 50) * 11);
        text_of(name[i], sizeof name[i], "n", i);
        v[i] = (gd_account_info){acct[i], i % 3 ? name[i] : NULL, i % 4 ? name[(i + 1) % A_N] : NULL,
                                 i % 2 ? "ACTIVE" : NULL, sources[(i * 7) % 3]};
    }
    CHECK_INT(gd_store_put_accounts(p.st, p.run, v, A_N, &err), 0);
    sqlite3_exec(p.ref, "BEGIN", NULL, NULL, NULL);
    for (unsigned i = 0; i < A_N; i++)
        CHECK_INT(ref_run(p.ref, REF_ACCOUNT_PUT, "ttttti", v[i].account_id, v[i].name,
                          v[i].email, v[i].status, v[i].source, p.run),
                  0);
    sqlite3_exec(p.ref, "COMMIT", NULL, NULL, NULL);
    check_same(&p, "SELECT rowid, * FROM accounts ORDER BY rowid", 50);
    /* A bad source anywhere fails the whole call. */
    v[40].source = "rumour";
    v[1].name = "changed";
    CHECK_INT(gd_store_put_accounts(p.st, p.run, v, A_N, &err), GD_E_DB);
    check_same(&p, "SELECT rowid, * FROM accounts ORDER BY rowid", 50);
    pair_close(&p);
}

int main(void)
{
    test_usage_rows_as_single_inserts_stored_them();
    test_free_trial_rows_as_single_inserts_stored_them();
    test_members_as_single_inserts_stored_them();
    test_accounts_as_single_inserts_stored_them();
    return t_done();
}
