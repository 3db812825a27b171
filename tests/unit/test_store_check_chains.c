/* SPDX-License-Identifier: Apache-2.0 */
/* Migration 008 (schema/008_check_or_chains.sql) on a DB at version 7 that
 * holds accounts and usage rows: accounts and usage_costs are rebuilt with
 * their CHECKs as OR chains. Every row (rowid included), column, key, foreign
 * key, automatic index and STRICT is kept; the same bad values are refused;
 * and no INSERT into a table a collect writes per row opens an ephemeral
 * table any more (an IN list of three or more constants in a CHECK did, on
 * every execution). */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "store/store.h"
#include "rawdb.h"
#include "t.h"
#include "tmpdb.h"

static int exec_ok(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* How many OpenEphemeral opcodes the statement compiles to (-1: no prepare). */
static int ephemeral_opens(sqlite3 *db, const char *sql)
{
    char explain[2048];
    sqlite3_stmt *s = NULL;
    int n = 0;
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    while (sqlite3_step(s) == SQLITE_ROW)
        if (!strcmp((const char *)sqlite3_column_text(s, 1), "OpenEphemeral"))
            n++;
    sqlite3_finalize(s);
    return n;
}

/* The store's writes to the two rebuilt tables (store_usage.c, store_org.c). */
static const char SQL_USAGE_INSERT[] =
    "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
    " window_start_ms, window_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_ACCOUNT_UPSERT[] =
    "INSERT INTO accounts (account_id, name, email, status, source, updated_run_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (account_id) DO UPDATE SET name = COALESCE(excluded.name, accounts.name),"
    " source = excluded.source, updated_run_id = excluded.updated_run_id";

/* Each table's shape ("@" stands for the table's name): columns (name, type, not null, default, key position),
 * indexes (name, unique, origin, columns), foreign keys, STRICT. */
static const char *const SHAPE[] = {
    "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' ||"
    " coalesce(dflt_value, '') || ':' || pk, ',') FROM pragma_table_info('@')",
    "SELECT l.name, l.\"unique\", l.origin, group_concat(i.name, ',')"
    " FROM pragma_index_list('@') l, pragma_index_info(l.name) i GROUP BY l.name"
    " ORDER BY l.name",
    "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('@')",
    "SELECT strict, ncol, wr FROM pragma_table_list('@')",
    "SELECT rowid, * FROM @ ORDER BY rowid",
};
#define N_SHAPE (sizeof SHAPE / sizeof SHAPE[0])
static const char *const TABLES[] = {"accounts", "usage_costs"};

static void shape(sqlite3 *db, char out[2][N_SHAPE][4096])
{
    char sql[512];
    for (size_t t = 0; t < 2; t++)
        for (size_t q = 0; q < N_SHAPE; q++) {
            const char *at = strchr(SHAPE[q], '@');
            snprintf(sql, sizeof sql, "%.*s%s%s", (int)(at - SHAPE[q]), SHAPE[q], TABLES[t],
                     at + 1);
            q_rows(db, 1, sql, out[t][q], sizeof out[t][q]);
        }
}

/* A DB as gdreport 7 left it, with rows whose rowids are not in key order
 * (a deleted row, a later insert of a smaller key) and values of every kind. */
static void make_v7_db(const char *path)
{
    sqlite3 *db = db_open(path, 1);
    for (size_t i = 0; i < gd_migrations_count && gd_migrations[i].version <= 7; i++)
        CHECK_MSG(exec_ok(db, gd_migrations[i].sql), "%s: %s", gd_migrations[i].name,
                  sqlite3_errmsg(db));
    CHECK(exec_ok(db,
        "PRAGMA user_version = 7;"
        "INSERT INTO runs (run_id, started_at, started_ms, tool_version, outcome) VALUES"
        " (1, '2026-01-01T00:00:00Z', 1767225600000, '0.7', 'ok'),"
        " (2, '2026-01-02T00:00:00Z', 1767312000000, '0.7', 'partial');"
        "INSERT INTO accounts (account_id, name, email, status, source, updated_run_id) VALUES"
        " ('333333333333', 'Prod \xe2\x80\xae caf\xc3\xa9', 'p@example.com', 'ACTIVE',"
        "  'organizations', 1),"
        " ('222222222222', NULL, 'm@example.com', 'Enabled', 'guardduty_member', 1),"
        " ('999999999999', NULL, NULL, NULL, 'finding', 2),"
        " ('111111111111', 'Gone', NULL, 'SUSPENDED', 'organizations', 2);"
        "DELETE FROM accounts WHERE account_id = '999999999999';"
        "INSERT INTO accounts (account_id, source, updated_run_id) VALUES"
        " ('000000000001', 'finding', 2);"
        "INSERT INTO usage_costs (run_id, region, kind, account_id, feature, amount, unit,"
        " window_start_ms, window_end_ms) VALUES"
        " (2, 'us-east-1', 'feature', '', 'FLOW_LOGS', '0.000001', 'USD', 10, 20),"
        " (1, 'us-east-1', 'account', '333333333333', '', '12.3456', 'USD', 1, 2),"
        " (1, 'eu-west-1', 'account_feature', '333333333333', 'S3_DATA_EVENTS',"
        "  '123456789012345678.123456789012345678', 'USD', 1, 2),"
        " (2, 'ap-south-1', 'account', '222222222222', '', '0', 'USD', 10, 20);"
        "INSERT INTO usage_costs (run_id, region, kind, amount, unit, window_start_ms,"
        " window_end_ms, feature) VALUES (1, 'us-east-1', 'feature', '1E+3', 'USD', 1, 2,"
        " 'RDS_LOGIN_EVENTS');"));
    /* What the CHECKs are for, before the migration. */
    CHECK(!exec_ok(db, "UPDATE usage_costs SET kind = 'bogus' WHERE run_id = 1"));
    CHECK(!exec_ok(db, "UPDATE accounts SET source = 'bogus'"));
    sqlite3_close(db);
}

/* Bad values the store asks to write are refused, good ones of every kind
 * and source are written. */
static void store_refuses_bad_values(const char *path)
{
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_MSG(gd_store_open(path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    if (!st)
        return;
    CHECK_INT(gd_store_schema_version(st), max_version());
    gd_usage_row good[] = {{"account", "444444444444", "", "1.5", "USD"},
                           {"feature", "", "EBS_MALWARE_PROTECTION", "2", "USD"},
                           {"account_feature", "444444444444", "EBS_MALWARE_PROTECTION", "2",
                            "USD"}};
    CHECK_MSG(gd_store_put_usage(st, 2, "eu-west-1", good, 3, 10, 20, &err) == 0, "%s", err.msg);
    static const char *const bad_kinds[] = {"bogus", "Account", "account ", "", "features"};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        gd_usage_row bad = {bad_kinds[i], "444444444444", "F", "1", "USD"};
        CHECK_MSG(gd_store_put_usage(st, 2, "ca-central-1", &bad, 1, 10, 20, &err) != 0,
                  "kind '%s' accepted", bad_kinds[i]);
    }
    gd_account_info accounts[] = {{"555555555555", "n", NULL, NULL, "organizations"},
                                  {"666666666666", NULL, "e", NULL, "guardduty_member"},
                                  {"777777777777", NULL, NULL, NULL, "finding"}};
    CHECK_MSG(gd_store_put_accounts(st, 2, accounts, 3, &err) == 0, "%s", err.msg);
    static const char *const bad_sources[] = {"bogus", "Finding", "organization", ""};
    for (size_t i = 0; i < sizeof bad_sources / sizeof bad_sources[0]; i++) {
        gd_account_info bad = {"888888888888", NULL, NULL, NULL, bad_sources[i]};
        CHECK_MSG(gd_store_put_accounts(st, 2, &bad, 1, &err) != 0, "source '%s' accepted",
                  bad_sources[i]);
        /* the upsert's update branch checks too */
        bad.account_id = "777777777777";
        CHECK_MSG(gd_store_put_accounts(st, 2, &bad, 1, &err) != 0,
                  "source '%s' accepted on update", bad_sources[i]);
    }
    gd_store_close(st);

    sqlite3 *db = db_open(path, 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs WHERE run_id = 2 AND"
                        " region = 'eu-west-1'"), 3);
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs WHERE region = 'ca-central-1'"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM accounts WHERE account_id = '888888888888'"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM accounts WHERE source = 'finding'"
                        " AND account_id = '777777777777'"), 1);
    sqlite3_close(db);
}

static void constraints_kept(sqlite3 *db)
{
    CHECK(!exec_ok(db, "UPDATE usage_costs SET kind = 'bogus' WHERE run_id = 1"));
    CHECK(!exec_ok(db, "UPDATE usage_costs SET kind = NULL WHERE run_id = 1"));
    CHECK(!exec_ok(db, "UPDATE accounts SET source = 'bogus'"));
    CHECK(!exec_ok(db, "UPDATE accounts SET source = NULL"));
    CHECK(!exec_ok(db, "UPDATE usage_costs SET window_end_ms = 'late'"));          /* STRICT */
    CHECK(!exec_ok(db, "UPDATE accounts SET updated_run_id = 'x'"));               /* STRICT */
    CHECK(!exec_ok(db, "INSERT INTO accounts (account_id, source, updated_run_id)"
                       " VALUES ('333333333333', 'finding', 1)"));                /* key */
    CHECK(!exec_ok(db, "INSERT INTO usage_costs (run_id, region, kind, account_id, amount,"
                       " unit, window_start_ms, window_end_ms) VALUES (1, 'us-east-1',"
                       " 'account', '333333333333', '1', 'USD', 1, 2)"));          /* key */
    CHECK(!exec_ok(db, "INSERT INTO usage_costs (run_id, region, kind, amount, unit,"
                       " window_start_ms, window_end_ms) VALUES (99, 'x', 'feature', '1',"
                       " 'USD', 1, 2)"));                                          /* FK */
    /* Defaults: a feature row's account_id is ''. */
    CHECK(exec_ok(db, "INSERT INTO usage_costs (run_id, region, kind, feature, amount, unit,"
                      " window_start_ms, window_end_ms) VALUES (2, 'xx-1', 'feature', 'F',"
                      " '1', 'USD', 1, 2)"));
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs WHERE region = 'xx-1'"
                        " AND account_id = ''"), 1);
    /* Deleting a run (prune) still takes its usage along. */
    CHECK(exec_ok(db, "DELETE FROM runs WHERE run_id = 1"));
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs WHERE run_id = 1"), 0);
}

static void test_v7_db_gets_or_chain_checks(void)
{
    struct tmpdb t;
    static char before[2][N_SHAPE][4096], after[2][N_SHAPE][4096];
    char names_before[4096], names_after[4096], txt[256];

    CHECK(max_version() >= 8);
    tmpdb_init(&t, "check_chains");
    make_v7_db(t.path);
    sqlite3 *db = db_open(t.path, 0);
    shape(db, before);
    q_rows(db, 1, "SELECT type, name, tbl_name FROM sqlite_master"
                     " WHERE tbl_name IN ('accounts', 'usage_costs') ORDER BY name", names_before,
           sizeof names_before);
    CHECK(ephemeral_opens(db, SQL_USAGE_INSERT) > 0);   /* what 008 is for */
    sqlite3_close(db);

    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    CHECK_INT(st ? gd_store_schema_version(st) : -1, max_version());
    gd_store_close(st);

    db = db_open(t.path, 0);
    shape(db, after);
    for (size_t i = 0; i < 2; i++)
        for (size_t q = 0; q < N_SHAPE; q++)
            /* accounts has no foreign key: its query 2 is the one empty answer */
            CHECK_MSG((before[i][q][0] || (i == 0 && q == 2)) &&
                          !strcmp(before[i][q], after[i][q]),
                      "%s, query %zu\nbefore: %s\nafter:  %s", TABLES[i], q, before[i][q],
                      after[i][q]);
    CHECK_INT(q_int(db, "SELECT count(*) FROM usage_costs"), 5);
    CHECK_INT(q_int(db, "SELECT count(*) FROM accounts"), 4);
    /* Same objects, same names (the key's automatic index followed the rename).
     * Only the two tables 008 rebuilds: 009 rebuilds findings with other
     * indexes (test_store_bulk.c checks those). */
    q_rows(db, 1, "SELECT type, name, tbl_name FROM sqlite_master"
                     " WHERE tbl_name IN ('accounts', 'usage_costs') ORDER BY name", names_after,
           sizeof names_after);
    CHECK_MSG(!strcmp(names_before, names_after), "before: %s\nafter:  %s", names_before,
              names_after);
    CHECK_INT(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v8%'"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    q_rows(db, 1, "PRAGMA integrity_check", txt, sizeof txt);
    CHECK_STR(txt, "T:ok|;");
    sqlite3_close(db);

    store_refuses_bad_values(t.path);
    db = db_open(t.path, 0);
    constraints_kept(db);
    sqlite3_close(db);
    tmpdb_cleanup(&t);
}

/* On a new DB, no INSERT into a table a collect writes per row (or per
 * account, member, usage row) compiles to an ephemeral table: a CHECK with an
 * IN list of 3+ constants would rebuild one on every execution. */
static void test_per_row_inserts_open_no_ephemeral_table(void)
{
    static const char *const per_row[] = {
        SQL_USAGE_INSERT,
        SQL_ACCOUNT_UPSERT,
        "INSERT OR REPLACE INTO members (region, account_id, updated_run_id) VALUES (?1, ?2, ?3)",
        "INSERT OR REPLACE INTO member_features (region, account_id, feature, status,"
        " updated_run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        "INSERT OR REPLACE INTO free_trial_days (run_id, region, account_id, feature,"
        " days_left) VALUES (?1, ?2, ?3, ?4, ?5)",
        "INSERT OR REPLACE INTO detector_features (region, feature, status) VALUES (?1, ?2, ?3)",
        "INSERT INTO findings (finding_id, region, account_id, type, severity, created_at,"
        " updated_at, created_ms, updated_ms, archived, sample, first_run_id, last_run_id,"
        " raw_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        "INSERT INTO run_problems (run_id, region, kind, subject, message)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
    };
    struct tmpdb t;
    gd_store *st = NULL;
    gd_err err = {0};
    char sql[256];

    tmpdb_init(&t, "check_chains");
    CHECK_MSG(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err) == 0, "%s", err.msg);
    gd_store_close(st);
    sqlite3 *db = db_open(t.path, 0);
    for (size_t i = 0; i < sizeof per_row / sizeof per_row[0]; i++)
        CHECK_MSG(ephemeral_opens(db, per_row[i]) == 0, "ephemeral table in: %s", per_row[i]);
    /* And the CHECK text itself, should the statements above drift from the store's. */
    for (size_t i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql, "SELECT instr(upper(sql), ' IN (') FROM sqlite_master"
                                  " WHERE name = '%s'", TABLES[i]);
        CHECK_MSG(q_int(db, sql) == 0, "%s: CHECK with an IN list", TABLES[i]);
    }
    sqlite3_close(db);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_v7_db_gets_or_chain_checks();
    test_per_row_inserts_open_no_ephemeral_table();
    return t_done();
}
