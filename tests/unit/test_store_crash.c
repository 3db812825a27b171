/* SPDX-License-Identifier: Apache-2.0 */
/* kill -9 at random moments, then re-run: the DB must pass integrity_check,
 * every batch must be all there or not there at all, every batch the child
 * acknowledged after its commit returned must be there, and finishing the
 * work must give exactly the content of an uninterrupted run.
 *
 * The child repeats the whole deterministic workload from the start each time
 * (as a re-run of collect re-fetches from the last watermark), so already
 * stored batches come back unchanged. The number of kills is fixed; the
 * random delays only decide where they land. No timing is asserted. */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

#define BATCHES 200
#define NEW_PER_BATCH 49 /* plus one marker row and one update of an older batch */
#define KILLS 25
#define SEED 20261129u

/* ---- The workload ----------------------------------------------------------- */

struct batch_rows {
    char ids[NEW_PER_BATCH + 2][32];
    char raw[NEW_PER_BATCH + 2][96];
    char region[16], account[16];
    gd_finding_row rows[NEW_PER_BATCH + 2];
    size_t n;
};

static void add_row(struct batch_rows *br, const char *id, int64_t updated_ms, int64_t count)
{
    size_t i = br->n++;
    snprintf(br->ids[i], sizeof br->ids[i], "%s", id);
    snprintf(br->raw[i], sizeof br->raw[i], "{\"Id\":\"%s\",\"UpdatedMs\":%lld,\"Count\":%lld}",
             id, (long long)updated_ms, (long long)count);
    br->rows[i] = (gd_finding_row){.finding_id = br->ids[i], .region = br->region,
                                   .account_id = br->account, .detector_id = "det",
                                   .type = "Backdoor:EC2/C&CActivity.B", .severity = 8.0,
                                   .title = "t", .created_at = "2026-01-01T00:00:00Z",
                                   .updated_at = "2026-01-01T00:00:00Z", .created_ms = 1,
                                   .updated_ms = updated_ms, .count = count,
                                   .raw_json = br->raw[i]};
}

/* Batch b: 49 new findings, its marker, and a newer version of the first
 * finding of batch b/2 (so batches also update earlier rows). */
static void make_batch(int b, struct batch_rows *br)
{
    char id[32];
    br->n = 0;
    snprintf(br->region, sizeof br->region, "region-%d", b % 3);
    snprintf(br->account, sizeof br->account, "%012d", b % 7);
    for (int i = 0; i < NEW_PER_BATCH; i++) {
        snprintf(id, sizeof id, "b%04d-%02d", b, i);
        add_row(br, id, 1000 + b, 1);
    }
    snprintf(id, sizeof id, "marker-%04d", b);
    add_row(br, id, 1000 + b, 1);
    if (b > 0) {
        snprintf(id, sizeof id, "b%04d-00", b / 2);
        add_row(br, id, 100000 + b, 1 + b);
    }
}

/* Runs the workload from batch `start`; ack_fd (or -1) gets each batch number
 * once its commit has returned. Returns 0 or the failing store code. */
static int run_workload(const char *path, int start, int ack_fd)
{
    static struct batch_rows br;
    gd_store *st = NULL;
    gd_err err = {0};
    int64_t run = 0;
    gd_run_info info = {.tool_version = "crash-test", .started_ms = 1};
    int rc = gd_store_open(path, GD_STORE_READ_WRITE, &st, &err);
    if (rc == 0)
        rc = gd_store_runs_mark_interrupted(st, &err);
    if (rc == 0)
        rc = gd_store_run_begin(st, &info, &run, &err);
    for (int b = start; rc == 0 && b < BATCHES; b++) {
        make_batch(b, &br);
        rc = gd_store_upsert_findings(st, run, br.rows, br.n, NULL, &err);
        if (rc == 0 && ack_fd >= 0 && write(ack_fd, &b, sizeof b) != (ssize_t)sizeof b)
            rc = GD_E_IO;
        gd_region_result res = {.region = br.region, .state = "pending",
                                .findings_listed = b};
        if (rc == 0 && b % 10 == 9) /* progress rows: other writes between batches */
            rc = gd_store_region_result(st, run, &res, &err);
    }
    if (rc == 0)
        rc = gd_store_run_finish(st, run, "ok", NULL, 2, &err);
    if (rc != 0)
        fprintf(stderr, "workload: %s\n", err.msg);
    gd_store_close(st);
    return rc;
}

/* ---- Checks ------------------------------------------------------------------ */

static sqlite3 *peek_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "peek_open %s: %s\n", path, sqlite3_errmsg(db));
        exit(2);
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

/* Counts of (new rows of batch b, marker of b, updated_ms of the row b updated). */
struct batch_view {
    int64_t rows, marker, updated_ms;
};

static struct batch_view view_batch(sqlite3 *db, int b)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM findings WHERE finding_id GLOB ?1),"
        " (SELECT count(*) FROM findings WHERE finding_id = ?2),"
        " (SELECT updated_ms FROM findings WHERE finding_id = ?3)";
    struct batch_view v = {-1, -1, -1};
    char glob[32], marker[32], updated[32];
    sqlite3_stmt *s = NULL;
    snprintf(glob, sizeof glob, "b%04d-*", b);
    snprintf(marker, sizeof marker, "marker-%04d", b);
    snprintf(updated, sizeof updated, "b%04d-00", b / 2);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return v;
    sqlite3_bind_text(s, 1, glob, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, marker, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, updated, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        v.rows = sqlite3_column_int64(s, 0);
        v.marker = sqlite3_column_int64(s, 1);
        v.updated_ms = sqlite3_column_type(s, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return v;
}

/* Every batch all-or-nothing; every acknowledged batch present. Returns the
 * number of batches found complete; *first_missing (may be NULL) gets the
 * first batch not stored, where a re-run resumes. */
static int check_batches(const char *path, const unsigned char *acked, int kill_no,
                         int *first_missing)
{
    sqlite3 *db = peek_open(path);
    int complete = 0;
    if (first_missing)
        *first_missing = BATCHES;
    for (int b = 0; b < BATCHES; b++) {
        struct batch_view v = view_batch(db, b);
        int whole = v.marker == 1 && v.rows == NEW_PER_BATCH;
        int none = v.marker == 0 && v.rows == 0;
        CHECK_MSG(whole || none, "kill %d: batch %d is partial (rows %lld, marker %lld)",
                  kill_no, b, (long long)v.rows, (long long)v.marker);
        if (whole && b > 0)
            CHECK_MSG(v.updated_ms >= 100000 + b, "kill %d: batch %d kept its rows but lost its"
                      " update (updated_ms %lld)", kill_no, b, (long long)v.updated_ms);
        if (acked[b])
            CHECK_MSG(whole, "kill %d: batch %d was acknowledged but is missing", kill_no, b);
        complete += whole;
        if (!whole && first_missing && *first_missing == BATCHES)
            *first_missing = b;
    }
    sqlite3_close(db);
    return complete;
}

static void check_integrity(const char *path, int kill_no)
{
    gd_store *st = NULL;
    gd_err err = {0};
    int rc = gd_store_open(path, GD_STORE_READ_WRITE, &st, &err);
    CHECK_MSG(rc == 0, "kill %d: reopen: %s", kill_no, err.msg);
    if (rc == 0) {
        rc = gd_store_integrity_check(st, &err);
        CHECK_MSG(rc == 0, "kill %d: %s", kill_no, err.msg);
    }
    gd_store_close(st);
}

/* FNV-1a over findings and accounts, without run bookkeeping columns. */
static uint64_t content_hash(const char *path)
{
    static const char *const queries[] = {
        "SELECT finding_id, region, account_id, detector_id, type, severity, title,"
        " created_at, updated_at, created_ms, updated_ms, count, archived, raw_json"
        " FROM findings ORDER BY finding_id",
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
                for (const unsigned char *p = v ? v : (const unsigned char *)"\x01"; *p; p++)
                    h = (h ^ *p) * 1099511628211ULL;
                h = (h ^ 0x1f) * 1099511628211ULL;
            }
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return h;
}

/* ---- Kill loop ----------------------------------------------------------------- */

/* Reads every acknowledgement the dead child left in the pipe. */
static void drain_acks(int fd, unsigned char *acked)
{
    int b;
    while (read(fd, &b, sizeof b) == (ssize_t)sizeof b)
        if (b >= 0 && b < BATCHES)
            acked[b] = 1;
}

/* One child run from `start`, killed after delay_us (or finishing first).
 * Returns 1 when it died by the signal. */
static int kill_one(const char *path, int start, unsigned delay_us, unsigned char *acked)
{
    int acks[2];
    if (pipe(acks) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        close(acks[0]);
        _exit(run_workload(path, start, acks[1]) == 0 ? 0 : 1);
    }
    close(acks[1]);
    usleep(delay_us);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    drain_acks(acks[0], acked);
    close(acks[0]);
    CHECK_MSG(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
              "child failed with status %d", status);
    return WIFSIGNALED(status);
}

static void test_kill9_then_rerun_converges(void)
{
    struct tmpdb crashed, clean;
    unsigned char acked[BATCHES];
    int killed = 0, resume = 0;
    memset(acked, 0, sizeof acked);
    srand(SEED);
    tmpdb_init(&crashed, "crash_killed");
    tmpdb_init(&clean, "crash_clean");

    for (int k = 0; k < KILLS; k++) {
        /* Mostly mid-batch; every fifth kill lands very early (open, migration).
         * Like collect after a crash, the child resumes a little before the
         * first batch not stored, so it re-sends some stored ones. */
        unsigned delay_us = k % 5 == 0 ? (unsigned)(rand() % 3000)
                                       : 2000 + (unsigned)(rand() % 300000);
        killed += kill_one(crashed.path, resume > 3 ? resume - 3 : 0, delay_us, acked);
        check_integrity(crashed.path, k);
        check_batches(crashed.path, acked, k, &resume);
    }
    int complete_before = check_batches(crashed.path, acked, KILLS, NULL);
    printf("crash: %d of %d children killed mid-run; %d of %d batches stored before the "
           "final run\n",
           killed, KILLS, complete_before, BATCHES);

    /* Finish the work: a full re-run from the start, as after a lost watermark. */
    CHECK_INT(run_workload(crashed.path, 0, -1), 0);
    CHECK_INT(check_batches(crashed.path, acked, KILLS + 1, NULL), BATCHES);
    CHECK_INT(run_workload(clean.path, 0, -1), 0);
    CHECK(content_hash(crashed.path) == content_hash(clean.path));
    check_integrity(crashed.path, KILLS + 1);
    tmpdb_cleanup(&crashed);
    tmpdb_cleanup(&clean);
}

int main(void)
{
    test_kill9_then_rerun_converges();
    return t_done();
}
