/* SPDX-License-Identifier: Apache-2.0 */
/* Opening and closing the store.
 *
 * Durability choices (docs/facts.md, section S):
 *  - WAL: readers (gdreport export) never block the collector's writes, and a
 *    commit is one append to the -wal file. Also for a first collect's bulk
 *    load, although WAL writes each new page twice (into the -wal, then into
 *    the DB by a checkpoint that reads it back): a rollback journal (PERSIST,
 *    synchronous=FULL, which that mode needs to be safe from power loss:
 *    sqlite.org/pragma.html#pragma_synchronous) while the DB had no finding
 *    wrote 20 % and read 40 % fewer bytes and saved 0.33 CPU-s of 4.1 at
 *    102,000 findings, but syncs ~5 times per transaction (~1,000 fsyncs
 *    instead of 23: journal, its directory, the DB), which made the collect
 *    26 % slower in wall (10 A/B pairs, bench/README.md, "s6journal").
 *  - synchronous=NORMAL, with one synchronous=FULL commit at the end of a
 *    run (gd_store_run_finish). S2: in WAL mode every transaction is durable
 *    across application crashes (kill -9, OOM) whatever the setting (S6: 60
 *    kill -9s against WAL+NORMAL on Debian's 3.40.1, no loss), and with
 *    WAL+NORMAL the DB is always consistent; only a power loss or OS crash may
 *    roll back the last commits. It drops them in order, never one from the
 *    middle: a WAL frame is valid only if its checksum, cumulative over every
 *    earlier frame since the WAL header, matches (SQLite fileformat2.html §4.1,
 *    "WAL File Format"), so recovery keeps a prefix of the commits; and a
 *    checkpoint syncs the WAL before copying it into the DB (pragma.html
 *    #pragma_synchronous). gdreport's correctness needs only that order: the
 *    region's watermark is written after its findings and the run's outcome
 *    after everything, so a lost tail loses the watermark with (or before) the
 *    findings it covers and the next run re-fetches them; nothing is skipped.
 *    FULL instead fsync'ed the WAL at every commit (~3 ms each on the bench
 *    disk, bench/README.md: 15 s of a 38 s collect for 2,040 batches). The
 *    FULL commit of the run's outcome syncs the whole WAL, so a finished run
 *    is on disk when collect returns. Other writers (prune, migrations) lose
 *    at most their own last commits on a power cut and are simply run again.
 *  - busy_timeout: a concurrent export or the WAL checkpoint makes SQLite
 *    briefly busy (S4); wait instead of failing the run.
 *  - The file is created 0600 by us before SQLite sees it: SQLite would
 *    create it 0644 & ~umask (S3/K3) and findings are sensitive. SQLite gives
 *    the -wal and -shm files the database file's permissions.
 *  - SQLITE_OPEN_NOMUTEX: the store's own mutex serialises every use of the
 *    connection, so SQLite's per-connection mutex would only be overhead. */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ST_BUSY_TIMEOUT_MS 30000
/* Checkpoint when the WAL reaches this many bytes (64 MB) instead of SQLite's
 * 1000 pages (S3): a GetFindings batch of 50 findings dirties ~100 pages, so
 * the default checkpointed (fsync WAL, copy, fsync DB, under the store mutex)
 * every ~10 batches; 64 MB cuts that ~16-fold at 4 KiB pages (bench/README.md).
 * Set in pages, from the DB's page size. The WAL is deleted when the last
 * connection closes. Measured for a first load (102,000 findings, A/B,
 * bench/README.md "s6journal"): no checkpoint until the load ends copies each
 * page into the DB once, but cost +0.8 CPU-s, nearly all kernel (likely the
 * WAL growing to 470 MB on new page-cache pages and disk blocks where the
 * 64 MB one is rewritten in place); 16 MB wrote 50 MB more for no gain. A
 * checkpoint on a thread and connection of its own cut the writer's time in
 * COMMIT by a third to a half, but neither CPU nor wall moved beyond the
 * noise, and the WAL grew to 117 MB (it restarts only once every frame is
 * copied, and the writer keeps adding frames while the thread copies). */
#define ST_WAL_CHECKPOINT_BYTES (64 * 1024 * 1024)
/* Page size of a DB this gdreport creates (SQLite's default is 4 KiB; an
 * existing DB keeps its own, the pragma is a no-op there). A findings row is
 * ~2 KB (raw_json), so 4 KiB pages held one row and a half-empty rest, and a
 * commit of a few hundred rows wrote many small pages. A/B at 101,900
 * findings (bench/README.md, issue 13, session 4): 8 KiB used 0.3-0.5 CPU-s
 * less than 4 KiB in the sqlite3 replay and the same CPU as 16 KiB, while
 * writing 24 % fewer bytes than 16 KiB (each dirty index leaf is rewritten
 * whole at every commit, so larger pages cost bytes). */
#define ST_NEW_DB_PAGE_SIZE "8192"

static const char SQL_IDS_TABLE[] =
    "CREATE TEMP TABLE IF NOT EXISTS gd_ids (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)";

static int create_private_file(const char *path, gd_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0)
        return gd_err_set(err, errno == EACCES ? GD_E_DENIED : GD_E_IO,
                          "DB %s cannot be created or opened: %s", path, strerror(errno));
    close(fd);
    return GD_OK;
}

static int require_existing_file(const char *path, gd_err *err)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return gd_err_set(err, GD_E_NOT_FOUND,
                              "DB %s does not exist: run gdreport collect first", path);
        return gd_err_set(err, GD_E_IO, "DB %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return gd_err_set(err, GD_E_IO, "DB %s is not a regular file", path);
    return GD_OK;
}

static int new_store(const char *path, int mode, gd_store **out, gd_err *err)
{
    pthread_mutexattr_t attr;
    gd_store *st = calloc(1, sizeof *st);

    *out = NULL;
    if (!st)
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", path);
    st->path = strdup(path);
    if (!st->path) {
        free(st);
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", path);
    }
    st->mode = mode;
    st->lock_fd = -1;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_init(&st->group_mu, NULL);
    *out = st;
    return GD_OK;
}

/* wal_autocheckpoint is in pages; the budget is in bytes whatever the page size. */
static int set_wal_checkpoint(gd_store *st, gd_err *err)
{
    sqlite3_stmt *s = NULL;
    int page_size = 0;
    char sql[64];

    if (sqlite3_prepare_v2(st->db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        page_size = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (page_size < 512)
        return st_db_error(st, err, "read page_size");
    snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %d",
             ST_WAL_CHECKPOINT_BYTES / page_size);
    return st_exec(st, sql, err, "set wal_autocheckpoint");
}

static int set_pragmas(gd_store *st, gd_err *err)
{
    int rc = GD_OK;

    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, ST_BUSY_TIMEOUT_MS);
    if (st->mode == GD_STORE_READ_WRITE) {
        /* Before anything writes the file: only an empty DB takes it. */
        rc = st_exec(st, "PRAGMA page_size = " ST_NEW_DB_PAGE_SIZE, err, "set page_size");
        if (rc == GD_OK)
            rc = st_exec(st, "PRAGMA journal_mode = WAL", err, "enable WAL");
        if (rc == GD_OK)
            rc = st_exec(st, "PRAGMA synchronous = NORMAL", err, "set synchronous");
        if (rc == GD_OK)
            rc = set_wal_checkpoint(st, err);
        /* 8 MB of page cache instead of SQLite's 2 MB: a collect inserts into
         * four B-trees at random places (finding id, account/report index,
         * created time), and with 2 MB most of those pages were read back
         * with pread for every batch. A/B at 102,000 findings, alternating:
         * 10.3 s -> 8.6 s wall, 7.8 -> 6.2 s CPU, peak RSS +7 MB; 16 MB was
         * no faster (bench/README.md, run 11). Most of a first load's reads are
         * not misses of this cache (session 6, 102,000 findings: ~950 MB read):
         * the checkpoints read the WAL back (~320 MB), the report index build
         * reads the table (~270 MB), and each region's completeness count
         * (store_completeness.c) reads its rows from the table (~230 MB);
         * 16 MB here read 100-180 MB less, beyond the RSS budget. */
        if (rc == GD_OK)
            rc = st_exec(st, "PRAGMA cache_size = -" ST_CACHE_KIB, err, "set cache_size");
    }
    if (rc == GD_OK)
        rc = st_exec(st, "PRAGMA foreign_keys = ON", err, "enable foreign keys");
    return rc;
}

/* The oldest schema a read-only open (export, status) can read as it is.
 * Migrations after version 1 only add indexes (002: the export's covering
 * index), so an older DB is still read correctly, only more slowly, and an
 * export right after an upgrade (or from a copy it cannot write) works
 * without a collect first. Raise this when a migration changes what the
 * reporter reads. */
#define ST_MIN_READ_VERSION 1

/* Refuses a DB from a newer gdreport; migrates (read-write) or, read-only,
 * reads it as it is from ST_MIN_READ_VERSION on and asks for a collect below. */
static int check_version(gd_store *st, gd_err *err)
{
    int max = st_max_schema_version();
    int v = 0;
    int rc = st_user_version(st, &v, err);

    if (rc != GD_OK)
        return rc;
    if (v > max)
        return gd_err_set(err, GD_E_DB,
                          "DB %s has schema version %d, newer than this gdreport supports (%d): "
                          "upgrade gdreport",
                          st->path, v, max);
    st->schema_version = v;
    if (st->mode == GD_STORE_READ_WRITE)
        return st_migrate(st, err);
    if (v < ST_MIN_READ_VERSION)
        return gd_err_set(err, GD_E_DB,
                          "DB %s has schema version %d, older than this gdreport (%d): "
                          "run gdreport collect to upgrade it",
                          st->path, v, max);
    return GD_OK;
}

/* "file:<path>?immutable=1" with the path percent-encoded where a URI needs it. */
static int immutable_uri(const char *path, char *out, size_t n)
{
    size_t w = 0;
    const char *prefix = "file:";
    for (const char *p = prefix; *p; p++)
        out[w++] = *p;
    for (const char *p = path; *p; p++) {
        if (w + 4 >= n)
            return -1;
        unsigned char c = (unsigned char)*p;
        if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7f)
            w += (size_t)snprintf(out + w, n - w, "%%%02X", c);
        else
            out[w++] = (char)c;
    }
    const char *suffix = "?immutable=1";
    if (w + strlen(suffix) + 1 > n)
        return -1;
    memcpy(out + w, suffix, strlen(suffix) + 1);
    return 0;
}

static int open_connection(gd_store *st, int immutable, gd_err *err)
{
    int flags = SQLITE_OPEN_NOMUTEX;
    char uri[8400];
    const char *name = st->path;
    flags |= st->mode == GD_STORE_READ_ONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (immutable) {
        if (immutable_uri(st->path, uri, sizeof uri) != 0)
            return gd_err_set(err, GD_E_USAGE, "DB %s: path too long", st->path);
        name = uri;
        flags |= SQLITE_OPEN_URI;
    }
    if (sqlite3_open_v2(name, &st->db, flags, NULL) != SQLITE_OK)
        return st->db ? st_db_error(st, err, "open")
                      : gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    int rc = set_pragmas(st, err);
    int needs_claim = 0;
    if (rc == GD_OK)
        rc = st_check_identity(st, &needs_claim, err);
    if (rc == GD_OK)
        rc = check_version(st, err);
    if (rc == GD_OK && needs_claim && st->mode == GD_STORE_READ_WRITE)
        rc = st_claim_identity(st, err);
    return rc;
}

/* A read-only open that failed because SQLite could not write the -shm beside
 * the DB (a backup, a snapshot, another user's directory) is retried with
 * immutable=1, which reads the main file alone. That is exact only when no
 * WAL holds commits the main file lacks and no collect is writing: both are
 * checked, and the message says what to do otherwise. */
static int cannot_write_beside(gd_store *st)
{
    int ext = st->db ? sqlite3_extended_errcode(st->db) : 0;
    int primary = ext & 0xff;
    return primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN;
}

static int reopen_immutable(gd_store *st, gd_err *err)
{
    char wal[4200];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", st->path);
    if (stat(wal, &sb) == 0 && sb.st_size > 0)
        return gd_err_set(err, GD_E_DB,
                          "DB %s cannot be read from here: its directory is not writable and "
                          "%s holds commits not yet in the DB; copy both files somewhere "
                          "writable, or let its owner run a collect first", st->path, wal);
    if (gd_store_collect_active(st))
        return gd_err_set(err, GD_E_LOCKED,
                          "DB %s: a collect is writing it and its directory is not writable "
                          "here; export after the collect ends", st->path);
    gd_err_clear(err);
    return open_connection(st, 1, err);
}

int gd_store_open(const char *path, int mode, gd_store **out, gd_err *err)
{
    gd_store *st = NULL;
    int rc;

    *out = NULL;
    st_sqlite_configure(); /* before SQLite initialises itself (store_sqlite_config.c) */
    if (!path || !*path)
        return gd_err_set(err, GD_E_USAGE, "DB path is empty");
    if (mode != GD_STORE_READ_WRITE && mode != GD_STORE_READ_ONLY)
        return gd_err_set(err, GD_E_USAGE, "DB %s: unknown open mode %d", path, mode);
    rc = mode == GD_STORE_READ_ONLY ? require_existing_file(path, err)
                                    : create_private_file(path, err);
    if (rc == GD_OK)
        rc = new_store(path, mode, &st, err);
    if (rc != GD_OK)
        return rc;
    rc = open_connection(st, 0, err);
    if (rc != GD_OK && mode == GD_STORE_READ_ONLY && cannot_write_beside(st)) {
        sqlite3_close(st->db);
        st->db = NULL;
        rc = reopen_immutable(st, err);
    }
    if (rc == GD_OK && mode == GD_STORE_READ_WRITE)
        rc = st_report_index_repair(st, err);
    if (rc == GD_OK)
        rc = st_exec(st, SQL_IDS_TABLE, err, "create temp id table");
    if (rc != GD_OK) {
        gd_store_close(st);
        return rc;
    }
    *out = st;
    return GD_OK;
}

void gd_store_close(gd_store *st)
{
    if (!st)
        return;
    if (st->user_tx)
        gd_store_rollback(st);
    st_writer_stop(st); /* commits the findings pages still queued */
    gd_store_unlock_collect(st);
    for (size_t i = 0; i < st->n_slots; i++)
        sqlite3_finalize(st->slots[i].stmt);
    /* Keeps query plans good as the findings table grows; analysis_limit
     * bounds the cost to a sample instead of a full scan of every index. */
    if (st->db && st->mode == GD_STORE_READ_WRITE && st->schema_version > 0)
        sqlite3_exec(st->db, "PRAGMA analysis_limit = 400; PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(st->db);
    pthread_mutex_destroy(&st->mu);
    pthread_mutex_destroy(&st->group_mu);
    gd_strset_free(&st->accounts_known);
    gd_strset_free(&st->accounts_pending);
    st_bulk_free(st);   /* an unfinished first load: the next open builds findings_id */
    free(st->path);
    free(st);
}

const char *gd_store_path(const gd_store *st)
{
    return st->path;
}

int gd_store_schema_version(gd_store *st)
{
    int v;

    st_enter(st);
    v = st->schema_version;
    st_leave(st);
    return v;
}
