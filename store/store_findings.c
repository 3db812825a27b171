/* SPDX-License-Identifier: Apache-2.0 */
/* Findings upsert: the change rule that makes re-runs idempotent.
 *
 * For each fetched row the stored (updated_ms, archived, count) is looked up
 * first and the rule is decided here in C, so the three outcomes (inserted,
 * updated, unchanged) are counted exactly and an unchanged row costs one
 * indexed read and no write at all: re-running a collect on unchanged data
 * leaves the DB file untouched. The lookup and the write happen under the
 * store mutex inside one BEGIN IMMEDIATE transaction, so nothing can change
 * the row in between; the lookup gives the row's rowid, and the write goes
 * by it. A region whose rows all turn out new (its first load) skips the
 * lookup and inserts at once ("Insert first" below); a conflict sends the row
 * back to the lookup, so the outcomes stay the same. A first load into an
 * empty DB looks rows up in memory instead of through findings_id
 * (store_bulk.c), then takes the same steps. */
#include "store/store_internal.h"

#include <string.h>

#include "common/resource_paths.h"
#include "common/timeutil.h"

/* A stored row's place and state; columns 1..4 as in SQL_FINDING_STATE_ROWID
 * (state_from reads both). Every write after a lookup goes by rowid. */
static const char SQL_FINDING_STATE[] =
    "SELECT rowid, updated_ms, archived, count, expired_at_ms IS NOT NULL FROM findings"
    " WHERE finding_id = ?1";

/* schema/005's columns: the values the parser read (?23..?25) when it
 * followed their paths (?22 = 1, gd_finding_row.leads_known), else read here
 * from the finding's JSON (?17) with its resource path (?21,
 * common/resource_paths.h), the same expressions as
 * store/store_finding_leads.c uses for rows stored before that version.
 * Parsing every raw_json again cost about as much as the scanner's whole
 * pass; CASE evaluates the JSON branch only when it is taken. */
#define SQL_LEADS_JSON(known, path)                                                     \
    " CASE WHEN ?22 THEN " known " WHEN json_valid(?17) THEN json_extract(?17, " path ") END"
#define SQL_LEADS_VALUES                                                                \
    SQL_LEADS_JSON("?23", "?21") "," SQL_LEADS_JSON("?24", "'$.service.eventFirstSeen'") "," \
    SQL_LEADS_JSON("?25", "'$.service.eventLastSeen'")

/* archived_at_ms on insert: a finding first stored already archived was
 * archived some time before gdreport saw it. When its region has completed a
 * sync with the same detector before (region_sync has its row), that was since
 * the last run, so "now" is the first-seen-archived time the definition asks
 * for (suppression rules archive new findings at once). On a region's first sync the archive may be
 * months old: NULL ("time unknown"), so trends neither count it as archived
 * in the week of the first collect nor as open in earlier weeks. */
#define SQL_FINDING_INSERT_ROW                                                          \
    "INSERT INTO findings (finding_id, region, account_id, detector_id, type, severity, title," \
    " resource_type, feature_name, created_at, updated_at, created_ms, updated_ms,"    \
    " count, archived, raw_json, first_run_id, last_run_id, sample, archived_at_ms,"    \
    " resource_id, event_first_seen, event_last_seen)"                                  \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"  \
    " ?18, ?18, ?19,"                                                                   \
    " CASE WHEN ?16 = 1 AND EXISTS (SELECT 1 FROM region_sync"                          \
    "   WHERE region = ?2 AND detector_id = ?4) THEN ?20 END," SQL_LEADS_VALUES ")"
static const char SQL_FINDING_INSERT[] = SQL_FINDING_INSERT_ROW
    " ON CONFLICT (finding_id) DO NOTHING";
/* A first load's insert of an id its map does not hold (store_bulk.c): no
 * findings_id index to name in ON CONFLICT, and no conflict possible. */
static const char SQL_FINDING_INSERT_NEW[] = SQL_FINDING_INSERT_ROW;

/* first_run_id is deliberately not touched. archived_at_ms (schema/003): kept
 * while the row stays archived (NULL there means "archived before gdreport
 * recorded when"), set to now on the change to archived, NULL when
 * unarchived. A fetched finding exists, so it is not expired. */
#define SQL_FINDING_UPDATE_SET                                                          \
    "UPDATE findings SET region = ?2, account_id = ?3, detector_id = ?4, type = ?5,"    \
    " severity = ?6, title = ?7, resource_type = ?9, feature_name = ?10,"               \
    " created_at = ?11, updated_at = ?12, created_ms = ?13, updated_ms = ?14, count = ?15," \
    " archived_at_ms = CASE WHEN ?16 = 0 THEN NULL WHEN archived = 1 THEN archived_at_ms" \
    " ELSE ?20 END,"                                                                    \
    " archived = ?16, raw_json = ?17, last_run_id = ?18, sample = ?19, expired_at_ms = NULL," \
    " (resource_id, event_first_seen, event_last_seen) = (" SQL_LEADS_VALUES ")"
/* The row the lookup found, by its rowid (?26). */
static const char SQL_FINDING_UPDATE_ROWID[] = SQL_FINDING_UPDATE_SET " WHERE rowid = ?26";

/* A stale copy (older updatedAt) of an expired row: AWS still has it. */
static const char SQL_FINDING_UNEXPIRE_ROWID[] =
    "UPDATE findings SET expired_at_ms = NULL, last_run_id = ?2 WHERE rowid = ?1";

/* A first load's candidate row (store_bulk.c): its id confirms the match. */
static const char SQL_FINDING_STATE_ROWID[] =
    "SELECT finding_id, updated_ms, archived, count, expired_at_ms IS NOT NULL FROM findings"
    " WHERE rowid = ?1";

/* An account id seen only in a finding; any better source wins later. */
static const char SQL_ACCOUNT_FROM_FINDING[] =
    "INSERT INTO accounts (account_id, source, updated_run_id) VALUES (?1, 'finding', ?2)"
    " ON CONFLICT (account_id) DO NOTHING";

enum change { CHANGE_UPDATE, CHANGE_NONE };

struct stored_state {
    int64_t updated_ms, count;
    int archived, expired;
};

/* The rule from store.h: newer -> change; same time with a different archived
 * flag or count -> change; older -> never (a stale page must not undo a newer
 * one). */
static enum change decide(const struct stored_state *old, const gd_finding_row *f)
{
    if (f->updated_ms > old->updated_ms)
        return CHANGE_UPDATE;
    if (f->updated_ms < old->updated_ms)
        return CHANGE_NONE;
    if ((f->archived ? 1 : 0) != old->archived || f->count != old->count)
        return CHANGE_UPDATE;
    return CHANGE_NONE;
}

static int check_row(gd_store *st, const gd_finding_row *f, size_t i, gd_err *err)
{
    const char *missing = !f->finding_id    ? "finding_id"
                          : !f->region      ? "region"
                          : !f->account_id  ? "account_id"
                          : !f->type        ? "type"
                          : !f->created_at  ? "created_at"
                          : !f->updated_at  ? "updated_at"
                          : !f->raw_json    ? "raw_json"
                                            : NULL;
    if (missing)
        return gd_err_set(err, GD_E_INTERNAL, "DB %s: finding %zu (%s) has no %s", st->path, i,
                          f->finding_id ? f->finding_id : "?", missing);
    return GD_OK;
}

/* Columns 1..4 of SQL_FINDING_STATE and SQL_FINDING_STATE_ROWID. */
static void state_from(sqlite3_stmt *s, struct stored_state *old)
{
    old->updated_ms = sqlite3_column_int64(s, 1);
    old->archived = sqlite3_column_int(s, 2);
    old->count = sqlite3_column_int64(s, 3);
    old->expired = sqlite3_column_int(s, 4);
}

/* Through findings_id: *rowid = the stored row of id (and *old its state),
 * or 0 when the table has none. */
static int lookup(gd_store *st, const char *id, int64_t *rowid, struct stored_state *old,
                  gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_FINDING_STATE, &s, err);
    int step;

    *rowid = 0;
    if (rc != GD_OK)
        return rc;
    if (st_bind_text(s, 1, id) != SQLITE_OK) {
        rc = st_db_error(st, err, "bind finding id");
        st_stmt_reset(s);
        return rc;
    }
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *rowid = sqlite3_column_int64(s, 0);
        state_from(s, old);
    } else if (step != SQLITE_DONE) {
        rc = st_db_error(st, err, "look up finding");
    }
    st_stmt_reset(s);
    return rc;
}

/* Binds the row for the INSERTs and SQL_FINDING_UPDATE_ROWID. Parameters a
 * row's SQL cannot read stay unbound (NULL: the last use's st_stmt_reset or
 * st_step_done cleared them, see st_stmt): ?20 is
 * read only for an archived row, ?21 only without leads_known, ?23..?25
 * only with it. That saves the clock read and the resource-path search per
 * row, and a bind each. */
static int bind_finding(sqlite3_stmt *s, int64_t run_id, const gd_finding_row *f)
{
    int b = SQLITE_OK;

    b |= st_bind_text(s, 1, f->finding_id);
    b |= st_bind_text(s, 2, f->region);
    b |= st_bind_text(s, 3, f->account_id);
    b |= st_bind_text(s, 4, f->detector_id);
    b |= st_bind_text(s, 5, f->type);
    b |= st_bind_double(s, 6, f->severity);
    b |= st_bind_text(s, 7, f->title);
    /* ?8 is unused since schema/007 dropped the description column (raw_json
     * holds it); the numbers stay as they were. */
    b |= st_bind_text(s, 9, f->resource_type);
    b |= st_bind_text(s, 10, f->feature_name);
    b |= st_bind_text(s, 11, f->created_at);
    b |= st_bind_text(s, 12, f->updated_at);
    b |= st_bind_int64(s, 13, f->created_ms);
    b |= st_bind_int64(s, 14, f->updated_ms);
    b |= st_bind_int64(s, 15, f->count);
    b |= st_bind_int64(s, 16, f->archived ? 1 : 0);
    b |= st_bind_text_len(s, 17, f->raw_json, st_raw_json_len(f));
    b |= st_bind_int64(s, 18, run_id);
    b |= st_bind_int64(s, 19, f->sample ? 1 : 0);
    if (f->archived)
        b |= st_bind_int64(s, 20, gd_time_now_ms());
    b |= st_bind_int64(s, 22, f->leads_known ? 1 : 0);
    if (f->leads_known) {
        b |= st_bind_text(s, 23, f->resource_id);
        b |= st_bind_text(s, 24, f->event_first_seen);
        b |= st_bind_text(s, 25, f->event_last_seen);
    } else {
        b |= st_bind_text(s, 21, gd_resource_path_of(f->resource_type));
    }
    return b;
}

/* *changed: 1 when the statement wrote the row; 0 when the INSERT found the
 * id stored already (ON CONFLICT DO NOTHING). rowid: the row to update for
 * SQL_FINDING_UPDATE_ROWID (?26), else unused. */
static int write_finding(gd_store *st, const char *sql, int64_t run_id, const gd_finding_row *f,
                         int64_t rowid, int *changed, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, sql, &s, err);
    int b;

    *changed = 0;
    if (rc != GD_OK)
        return rc;
    b = bind_finding(s, run_id, f);
    if (sql == SQL_FINDING_UPDATE_ROWID)
        b |= st_bind_int64(s, 26, rowid);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind finding");
        st_stmt_reset(s);
        return rc;
    }
    rc = st_step_done(st, s, err, sql == SQL_FINDING_INSERT || sql == SQL_FINDING_INSERT_NEW
                                      ? "insert finding" : "update finding");
    if (rc == GD_OK)
        *changed = sqlite3_changes(st->db) > 0;
    return rc;
}

/* Makes sure the finding's account has a row. The ids already known to be
 * in the committed table (st->accounts_known) skip the statement: an org's
 * findings come from a few hundred accounts, and the INSERT ... ON CONFLICT
 * cost about as much as a tenth of the whole row's work. Outside a caller's
 * transaction an id is remembered as pending until its COMMIT (store_tx.c),
 * and a pending id skips it too: its row is in the open transaction, and a
 * rollback forgets the pending ids with it. That matters for a first load,
 * whose first transaction (thousands of rows, nothing known yet) ran the
 * statement for every row; each run costs several times a findings INSERT,
 * as the CHECK's IN list on accounts.source builds a temporary B-tree. */
static int note_account(gd_store *st, int64_t run_id, const char *account_id, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;

    if (gd_strset_has(&st->accounts_known, account_id))
        return GD_OK;
    if (!st->user_tx && gd_strset_has(&st->accounts_pending, account_id))
        return GD_OK;
    int rc = st_stmt(st, SQL_ACCOUNT_FROM_FINDING, &s, err);
    if (rc != GD_OK)
        return rc;
    b |= st_bind_text(s, 1, account_id);
    b |= st_bind_int64(s, 2, run_id);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind account");
        st_stmt_reset(s);
        return rc;
    }
    rc = st_step_done(st, s, err, "add account from finding");
    if (rc == GD_OK && !st->user_tx)
        gd_strset_add(&st->accounts_pending, account_id);
    return rc;
}

/* ---- Insert first ------------------------------------------------------------
 *
 * A region's first load (the 90-day backfill) stores rows that are all new,
 * and there the lookup before each INSERT found nothing every time: one
 * statement run and one B-tree seek per row for no information. The INSERT
 * itself seeks the finding id's index for its uniqueness check, so a row of a
 * region in insert-first mode is inserted at once with ON CONFLICT DO
 * NOTHING, and only when that finds the id stored (sqlite3_changes() == 0: a
 * finding fetched twice, or a region that has rows after all) does the row
 * take the lookup path, which applies the change rule exactly as before. So
 * the mode never changes an outcome, only which statements run.
 *
 * The mode is learned per region (st_insert_hints): a region turns to
 * insert-first after INSERT_FIRST_AFTER lookups in a row found nothing and
 * back to lookup-first at its first conflict, so a re-run, whose rows mostly
 * exist, pays at most one wasted INSERT attempt per run of new rows. */
#define INSERT_FIRST_AFTER 4

static struct st_insert_hint *hint_of(gd_store *st, const char *region)
{
    struct st_insert_hints *h = &st->insert_hints;
    size_t len = strlen(region);

    if (len == 0 || len >= ST_INSERT_HINT_NAME)
        return NULL;
    for (size_t i = 0; i < h->n; i++)
        if (memcmp(h->v[i].region, region, len + 1) == 0)
            return &h->v[i];
    if (h->n == ST_INSERT_HINT_REGIONS)
        return NULL; /* more regions than slots: the rest look up first */
    struct st_insert_hint *e = &h->v[h->n++];
    memcpy(e->region, region, len + 1);
    e->absent_run = 0;
    e->insert_first = 0;
    return e;
}

/* Learns from a lookup's outcome: found says whether the id was stored. */
static void hint_learn(struct st_insert_hint *h, int found)
{
    if (!h)
        return;
    if (found) {
        h->absent_run = 0;
        return;
    }
    if (++h->absent_run >= INSERT_FIRST_AFTER)
        h->insert_first = 1;
}

/* Insert-first: *done = 1 when the row was new and is now stored. A value a
 * constraint refuses (NOT NULL, CHECK: checked before the id's uniqueness)
 * also goes to the lookup: a stored row the rule leaves unchanged never
 * fails on the fetched copy's values, with or without insert-first. SQLite
 * refuses such an INSERT before it writes anything, and the transaction
 * carries on. */
static int try_insert(gd_store *st, struct st_insert_hint *h, int64_t run_id,
                      const gd_finding_row *f, gd_upsert_stats *batch, int *done, gd_err *err)
{
    int inserted = 0;
    int rc = write_finding(st, SQL_FINDING_INSERT, run_id, f, 0, &inserted, err);

    *done = 0;
    if (rc != GD_OK && (sqlite3_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT) {
        gd_err_clear(err);
        return GD_OK;
    }
    if (rc != GD_OK)
        return rc;
    if (!inserted) {
        h->insert_first = 0; /* the id is stored: the region has rows */
        h->absent_run = 0;
        return GD_OK;
    }
    *done = 1;
    batch->inserted++;
    return note_account(st, run_id, f->account_id, err);
}

/* ---- A first load's rows (store_bulk.c) -------------------------------------
 *
 * Without findings_id, a row's stored copy is found through the load's map:
 * each candidate rowid is read and its finding_id compared, and the change
 * rule is the same decide() as on the indexed path. An id the map does not
 * hold is not in the table (every row of the table came through the map). */

/* *same = 1 (and *old filled) when the row at rowid holds id. */
static int read_candidate(gd_store *st, int64_t rowid, const char *id,
                          struct stored_state *old, int *same, gd_err *err)
{
    sqlite3_stmt *s;
    int rc = st_stmt(st, SQL_FINDING_STATE_ROWID, &s, err);

    *same = 0;
    if (rc != GD_OK)
        return rc;
    if (st_bind_int64(s, 1, rowid) != SQLITE_OK) {
        rc = st_db_error(st, err, "bind rowid");
        st_stmt_reset(s);
        return rc;
    }
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(s, 0);
        if (stored && strcmp(stored, id) == 0) {
            *same = 1;
            state_from(s, old);
        }
    } else if (step != SQLITE_DONE) {
        rc = st_db_error(st, err, "look up finding");
    }
    st_stmt_reset(s);
    return rc;
}

/* *rowid = the stored row of id, or 0 when the table has none. */
static int bulk_lookup(gd_store *st, const char *id, int64_t *rowid, struct stored_state *old,
                       gd_err *err)
{
    st_bulk_probe p;
    int64_t candidate;

    *rowid = 0;
    st_bulk_probe_start(st, id, &p);
    while (st_bulk_probe_next(&p, &candidate)) {
        int same = 0;
        int rc = read_candidate(st, candidate, id, old, &same, err);
        if (rc != GD_OK)
            return rc;
        if (same) {
            *rowid = candidate;
            return GD_OK;
        }
    }
    return GD_OK;
}

/* ---- Every row ------------------------------------------------------------ */

static int unexpire(gd_store *st, int64_t run_id, int64_t rowid, gd_err *err)
{
    sqlite3_stmt *s;
    int b = SQLITE_OK;
    int rc = st_stmt(st, SQL_FINDING_UNEXPIRE_ROWID, &s, err);

    if (rc != GD_OK)
        return rc;
    b |= st_bind_int64(s, 1, rowid);
    b |= st_bind_int64(s, 2, run_id);
    if (b != SQLITE_OK) {
        rc = st_db_error(st, err, "bind rowid");
        st_stmt_reset(s);
        return rc;
    }
    return st_step_done(st, s, err, "mark finding not expired");
}

/* The stored row of id, through the first load's map or findings_id:
 * *rowid (0 when none) and its state. */
static int find_stored(gd_store *st, const char *id, int64_t *rowid, struct stored_state *old,
                       gd_err *err)
{
    return st_bulk_active(st) ? bulk_lookup(st, id, rowid, old, err)
                              : lookup(st, id, rowid, old, err);
}

/* A row the lookup did not find. A first load has no findings_id to name in
 * ON CONFLICT: a plain INSERT, whose rowid the map learns. */
static int insert_new(gd_store *st, int64_t run_id, const gd_finding_row *f, gd_err *err)
{
    int changed = 0;
    if (!st_bulk_active(st))
        return write_finding(st, SQL_FINDING_INSERT, run_id, f, 0, &changed, err);
    int rc = write_finding(st, SQL_FINDING_INSERT_NEW, run_id, f, 0, &changed, err);
    if (rc == GD_OK)
        rc = st_bulk_add(st, f->finding_id, sqlite3_last_insert_rowid(st->db), err);
    return rc;
}

static int upsert_one(gd_store *st, int64_t run_id, const gd_finding_row *f,
                      gd_upsert_stats *batch, gd_err *err)
{
    struct stored_state old = {0, 0, 0, 0};
    int64_t rowid = 0;
    int rc, done = 0, changed = 0;
    struct st_insert_hint *h = st_bulk_active(st) ? NULL : hint_of(st, f->region);

    if (h && h->insert_first) {
        rc = try_insert(st, h, run_id, f, batch, &done, err);
        if (rc != GD_OK || done)
            return rc;
    }
    rc = find_stored(st, f->finding_id, &rowid, &old, err);
    if (rc != GD_OK)
        return rc;
    hint_learn(h, rowid != 0);
    if (!rowid) {
        rc = insert_new(st, run_id, f, err);
        batch->inserted++;
    } else if (decide(&old, f) == CHANGE_UPDATE) {
        rc = write_finding(st, SQL_FINDING_UPDATE_ROWID, run_id, f, rowid, &changed, err);
        batch->updated++;
    } else if (old.expired) {
        batch->updated++;
        return unexpire(st, run_id, rowid, err);
    } else {
        batch->unchanged++;
        return GD_OK; /* its account was noted when the row was written */
    }
    if (rc == GD_OK)
        rc = note_account(st, run_id, f->account_id, err);
    return rc;
}

/* ---- Group commit ----------------------------------------------------------
 *
 * The collector's fetch threads (3 per region, up to --parallel regions) each
 * store pages of <= 50 findings. They hand each page to the store's writer
 * (store_writer.c) and carry on; the writer applies many queued pages in one
 * transaction (about 4,000 rows) and reports each page's outcome after the
 * COMMIT. Small commits were the cost: each rewrote the index leaves its rows
 * touched (random finding ids), so ~200-row commits wrote the DB several
 * times over to the WAL. The functions below are the page-level pieces the
 * writer and gd_store_upsert_findings use: the per-row code above is
 * unchanged and each page still passes through upsert_one row by row. */

int st_findings_check(gd_store *st, const gd_finding_row *rows, size_t n, gd_err *err)
{
    int rc = GD_OK;
    for (size_t i = 0; rc == GD_OK && i < n; i++)
        rc = check_row(st, &rows[i], i, err);
    return rc;
}

int st_findings_apply(gd_store *st, int64_t run_id, const gd_finding_row *rows, size_t n,
                      gd_upsert_stats *stats, gd_err *err)
{
    int rc = GD_OK;
    memset(stats, 0, sizeof *stats);
    for (size_t i = 0; rc == GD_OK && i < n; i++)
        rc = upsert_one(st, run_id, &rows[i], stats, err);
    return rc;
}
