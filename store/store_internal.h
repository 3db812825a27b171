/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_STORE_INTERNAL_H
#define GD_STORE_STORE_INTERNAL_H
/* Private to store/: the gd_store struct and the helpers every store_*.c
 * uses (mutex, cached statements, transactions, errors, binding). Nothing
 * outside store/ may include this header.
 *
 * Locking rule: every public gd_store_* function calls st_enter() first and
 * st_leave() on every return path. The mutex is recursive so a caller-scoped
 * transaction (gd_store_begin .. gd_store_commit) can keep it across calls. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"
#include "common/strset.h"

/* PRAGMA cache_size of a read-write connection, in KiB (store_open.c says
 * why; store_bulk.c lowers it during a first load). */
#define ST_CACHE_KIB "8192"

/* Upper bound on distinct cached SQL texts; raise it when adding statements. */
#define ST_STMT_SLOTS 96

struct st_stmt_slot {
    const char *sql;      /* borrowed: a static string, the cache key (by address) */
    sqlite3_stmt *stmt;   /* owned; finalized in gd_store_close */
};

/* ---- Findings: insert-first hints (store_findings.c) ----------------------
 * Per region, whether new rows are tried with INSERT ... ON CONFLICT DO
 * NOTHING before any lookup (a region's first load: nearly every row is new),
 * or looked up first (re-runs: nearly every row exists). Only a hint: either
 * way each row gets the exact change rule. Guarded by the store mutex. */
#define ST_INSERT_HINT_REGIONS 48
#define ST_INSERT_HINT_NAME 32
struct st_insert_hint {
    char region[ST_INSERT_HINT_NAME];   /* "" = free slot */
    unsigned absent_run;   /* consecutive lookups in the region that found no row */
    int insert_first;
};
struct st_insert_hints {
    struct st_insert_hint v[ST_INSERT_HINT_REGIONS];
    size_t n;
};

/* ---- A first load without the finding id index (store_bulk.c) -----------
 * Between st_bulk_start and the COMMIT after st_bulk_end, findings has no
 * findings_id index and st->bulk maps each stored id to its rowid. All of it
 * runs under the store mutex. */
struct st_bulk;
/* Walks the rowids whose entry may be id's (a hash tag matches): the caller
 * confirms each against the stored row. Valid until the next add or
 * transaction end. */
typedef struct st_bulk_probe {
    const struct st_bulk *b;
    size_t i;
    uint32_t tag;
} st_bulk_probe;

/* In a write transaction on an empty findings table: drops findings_id and
 * starts the map (not inside a caller-scoped transaction: a no-op there). */
int st_bulk_start(gd_store *st, gd_err *err);
/* 1 while rows must go through the map (started, findings_id not built). */
int st_bulk_active(const gd_store *st);
/* Ids the map holds (0 without one); 1 when every entry is reachable from
 * its home slot and the count is right (the tests' check of the purge). */
size_t st_bulk_count(const gd_store *st);
int st_bulk_consistent(const gd_store *st);
/* 1 when the map holds as many ids as it may: end the load at the next BEGIN. */
int st_bulk_full(const gd_store *st);
void st_bulk_probe_start(gd_store *st, const char *id, st_bulk_probe *p);
int st_bulk_probe_next(st_bulk_probe *p, int64_t *rowid);
/* Records the row just inserted for id (rowid: sqlite3_last_insert_rowid). */
int st_bulk_add(gd_store *st, const char *id, int64_t rowid, gd_err *err);
/* In the caller's write transaction: builds findings_id (if missing); the
 * map is freed at that transaction's COMMIT. No-op unless active. */
int st_bulk_end(gd_store *st, gd_err *err);
/* The same in a transaction of its own: before a query that seeks findings
 * by id. Call between st_enter and st_leave. */
int st_bulk_end_now(gd_store *st, gd_err *err);
/* findings_id: *present = 1 when it exists; build it when missing (in the
 * caller's write transaction). */
int st_bulk_index_present(gd_store *st, int *present, gd_err *err);
int st_bulk_build_index(gd_store *st, gd_err *err);
/* store_tx.c's hooks (savepoint: 1 for SAVEPOINT gd_call, 0 for BEGIN). */
void st_bulk_tx_begin(gd_store *st, int savepoint);
void st_bulk_tx_commit(gd_store *st, int savepoint);
void st_bulk_tx_rollback(gd_store *st, int savepoint);
/* gd_store_close: drops the map (findings_id stays missing if never built). */
void st_bulk_free(gd_store *st);

/* ---- Process-wide SQLite settings (store_sqlite_config.c) ----------------
 * Call before the process's first sqlite3_open_v2 (first thing in gd_store_open);
 * idempotent and thread-safe. */
void st_sqlite_configure(void);

struct gd_store {
    sqlite3 *db;                 /* owned */
    char *path;                  /* owned copy of the path given to gd_store_open */
    int mode;                    /* enum gd_store_mode */
    int schema_version;          /* PRAGMA user_version after migrations */
    pthread_mutex_t mu;          /* recursive; guards everything below and db */
    int user_tx;                 /* 1 between gd_store_begin and commit/rollback */
    int lock_fd;                 /* "<db>.lock" while the collect lock is held, else -1 */
    struct st_stmt_slot slots[ST_STMT_SLOTS];
    size_t n_slots;
    /* The findings writer (store_writer.c), created on the first submit:
     * its queue and counters are guarded by group_mu, not mu, so a fetch
     * thread can queue a page while the writer holds mu. */
    pthread_mutex_t group_mu;
    struct st_writer *writer;
    /* Account ids a finding row made sure of (store_findings.c note_account),
     * guarded by mu: known ones are in the committed accounts table, pending
     * ones were inserted by the open transaction. store_tx.c moves pending to
     * known on COMMIT and drops them on ROLLBACK or a new BEGIN. Rows of
     * accounts are never deleted, so a known id stays true. */
    gd_strset accounts_known, accounts_pending;
    /* store_findings.c: which regions' rows are tried INSERT-first. */
    struct st_insert_hints insert_hints;
    /* store_bulk.c: owned; non-NULL during a first load without findings_id.
     * bulk_max_ids: 0 = the default bound on its map; tests set it lower. */
    struct st_bulk *bulk;
    size_t bulk_max_ids;
};

void st_enter(gd_store *st);
void st_leave(gd_store *st);

/* Fills err with "DB <path>: <what>: <sqlite message>" and returns GD_E_DB. */
int st_db_error(gd_store *st, gd_err *err, const char *what);

/* The cached prepared statement for sql (a static string; the cache is keyed by
 * its address), ready to bind: not running, its bindings NULL. Call
 * st_stmt_reset (or st_step_done) when done with it, on every path: that
 * reset and clear is what leaves it ready for the next user (st_stmt only
 * resets a statement left busy). A statement that binds only some of its
 * parameters (store_findings.c) relies on the others being NULL. */
int st_stmt(gd_store *st, const char *sql, sqlite3_stmt **out, gd_err *err);
/* Resets s and clears its bindings (NULL s: no-op). */
void st_stmt_reset(sqlite3_stmt *s);
/* Steps a statement that returns no rows, then resets it. */
int st_step_done(gd_store *st, sqlite3_stmt *s, gd_err *err, const char *what);
/* Runs fixed SQL text (no data) with sqlite3_exec. */
int st_exec(gd_store *st, const char *sql, gd_err *err, const char *what);

/* store_report_index.c: *present = 1 when findings has the index named
 * name, or findings_report (in the caller's transaction, if any). */
int st_index_present(gd_store *st, const char *name, int *present, gd_err *err);
int st_report_index_present(gd_store *st, int *present, gd_err *err);
/* Read-write open: builds findings_report when a killed collect left it out
 * and no collect is running now. */
int st_report_index_repair(gd_store *st, gd_err *err);

/* store_completeness.c: the statement of gd_store_active_by_band_indexed
 * (its unit test checks the plan is an index-only scan). */
const char *st_active_by_band_indexed_sql(void);

/* store_identity.c: PRAGMA application_id of every gdreport DB ("GDRP"). */
#define GD_STORE_APPLICATION_ID 0x47445250
/* GD_OK for a gdreport DB (*needs_claim: new or from before the id, so a
 * read-write open sets it), GD_E_DB naming the file for anything else. */
int st_check_identity(gd_store *st, int *needs_claim, gd_err *err);
int st_claim_identity(gd_store *st, gd_err *err);

/* One write transaction per public call: BEGIN IMMEDIATE .. COMMIT, or a
 * SAVEPOINT inside a caller-scoped transaction so the call stays atomic. */
int st_tx_begin(gd_store *st, gd_err *err);
int st_tx_commit(gd_store *st, gd_err *err);
void st_tx_rollback(gd_store *st);
/* Ends the transaction st_tx_begin opened: commits when rc is GD_OK (and
 * returns the commit's outcome), else rolls back and returns rc. */
int st_tx_end(gd_store *st, int rc, gd_err *err);
/* Runs one bound write statement (no rows) in its own transaction; bind_rc is
 * the OR of the bind results (a bind failure is reported, nothing written).
 * The statement is always reset. */
int st_write_stmt(gd_store *st, sqlite3_stmt *s, int bind_rc, const char *what, gd_err *err);
/* A read transaction (deferred BEGIN) for multi-statement reads. */
int st_read_begin(gd_store *st, gd_err *err);
void st_read_end(gd_store *st);

/* store_findings.c, "Group commit": one page of findings. check refuses a
 * row missing a required field (no DB access); apply runs the upsert rule on
 * every row inside the caller's transaction (no BEGIN/COMMIT of its own),
 * zeroing *stats first. Call apply between st_enter and st_leave. */
int st_findings_check(gd_store *st, const gd_finding_row *rows, size_t n, gd_err *err);
int st_findings_apply(gd_store *st, int64_t run_id, const gd_finding_row *rows, size_t n,
                      gd_upsert_stats *stats, gd_err *err);
/* store_writer.c: commits what is queued, stops and frees the writer thread
 * (gd_store_close calls it before closing the DB). No-op without one. */
void st_writer_stop(gd_store *st);

/* store_migrate.c: PRAGMA user_version, the newest version this build knows,
 * and applying pending migrations (each in its own transaction). */
int st_user_version(gd_store *st, int *out, gd_err *err);
int st_max_schema_version(void);
int st_migrate(gd_store *st, gd_err *err);
/* schema/005: resource_id and event_*_seen of stored rows, from raw_json. */
int st_fill_finding_leads(gd_store *st, gd_err *err);

/* Refuses writes on a read-only store with a clear message. */
int st_require_writable(gd_store *st, gd_err *err);

/* Binding: NULL text binds SQL NULL. Strings are bound SQLITE_STATIC, so they
 * must stay valid until st_stmt_reset (always called before returning).
 * Each returns a SQLite code; callers OR them together and test once. */
int st_bind_text(sqlite3_stmt *s, int idx, const char *v);
/* v's first len bytes (no NUL among them); NULL v binds SQL NULL. */
int st_bind_text_len(sqlite3_stmt *s, int idx, const char *v, size_t len);
int st_bind_int64(sqlite3_stmt *s, int idx, int64_t v);
int st_bind_double(sqlite3_stmt *s, int idx, double v);

/* A row's raw_json length: raw_json_len when its producer set it (checked
 * against strlen in debug builds), else strlen. raw_json must be non-NULL. */
size_t st_raw_json_len(const gd_finding_row *f);

/* Temp table temp.gd_ids(seq, id UNIQUE) used for set operations on large id
 * lists (archive reconciliation, missing ids). Clears it, then fills it with
 * ids (duplicates kept once, first position wins). Call inside a transaction. */
int st_ids_load(gd_store *st, const char *const *ids, size_t n, gd_err *err);
int st_ids_clear(gd_store *st, gd_err *err);

/* Helpers for the string-array outputs (gd_store_free_strings frees them). */
struct st_strv {
    char **v;
    size_t n, cap;
};

/* One reconciliation of a region against an id list from AWS, in one write
 * transaction: temp.gd_ids = ids; update_sql (an UPDATE joined on
 * temp.gd_ids, bound ?1 run_id, ?2 region and, when it has a ?3, at_ms)
 * sets *changed; then, when list_sql is given, the finding ids it
 * selects (bound ?1 region) are appended to *listed (the caller's, freed
 * with st_strv_free also on failure). The id set is cleared before commit.
 * Call between st_enter and st_leave. Used by archive reconciliation and
 * expiry. */
typedef struct st_idset_update {
    const char *update_sql, *update_what;
    const char *list_sql, *list_what;      /* NULL: nothing to list */
    int64_t run_id, at_ms;
    const char *region;
} st_idset_update;
int st_idset_update_run(gd_store *st, const char *const *ids, size_t n,
                        const st_idset_update *u, int64_t *changed, struct st_strv *listed,
                        gd_err *err);
int st_strv_push(struct st_strv *sv, const char *s);
void st_strv_free(struct st_strv *sv);
/* Appends the first column of every row of s (bound by the caller) to sv;
 * resets s. */
int st_collect_ids(gd_store *st, sqlite3_stmt *s, struct st_strv *sv, const char *what,
                   gd_err *err);

#endif
