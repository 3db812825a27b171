/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 16 item 7 and "collect adds its schema to a foreign SQLite file":
 * a SQLite file that is not gdreport's is refused by name and left as it was;
 * a DB from before the application id is adopted; and a DB in a directory the
 * reader cannot write (a backup, another user's) is still exported and read
 * by status, read-only, via immutable=1 when its WAL holds nothing. The last
 * part drops to uid 65534 in a child (root only; skipped otherwise). */
#include "store/store.h"
#include "t.h"
#include "tmpdb.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) == SQLITE_OK)
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static long long peek(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void test_foreign_db_is_refused_and_untouched(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "identity");
    exec_sql(t.path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
                     "INSERT INTO photos VALUES (1, 'cat')");
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), GD_E_DB);
    CHECK_MSG(strstr(err.msg, t.path) && strstr(err.msg, "not a gdreport DB"), "%s", err.msg);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), GD_E_DB);
    CHECK_INT(peek(t.path, "SELECT count(*) FROM sqlite_master"), 1);
    CHECK_INT(peek(t.path, "PRAGMA user_version"), 0);
    CHECK_INT(peek(t.path, "PRAGMA application_id"), 0);

    /* Someone else's application id, even with no tables. */
    tmpdb_cleanup(&t);
    tmpdb_init(&t, "identity");
    exec_sql(t.path, "PRAGMA application_id = 42");
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), GD_E_DB);
    CHECK(strstr(err.msg, "application_id 42") != NULL);
    tmpdb_cleanup(&t);
}

static void test_new_and_old_gdreport_dbs_get_the_id(void)
{
    struct tmpdb t;
    tmpdb_init(&t, "identity");
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    gd_store_close(st);
    CHECK_INT(peek(t.path, "PRAGMA application_id"), 0x47445250);
    /* A gdreport DB from before the id: adopted, not refused. */
    exec_sql(t.path, "PRAGMA application_id = 0");
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_ONLY, &st, &err), 0);
    gd_store_close(st);
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    gd_store_close(st);
    CHECK_INT(peek(t.path, "PRAGMA application_id"), 0x47445250);
    tmpdb_cleanup(&t);
}

static int count_runs(void *ud, const gd_status_run *r)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

/* In a child running as nobody: open read-only and walk the runs. */
static int read_as_nobody(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(10);
        gd_store *st = NULL;
        gd_err err = {0};
        int runs = 0;
        if (gd_store_open(path, GD_STORE_READ_ONLY, &st, &err) != 0) {
            fprintf(stderr, "as nobody: %s\n", err.msg);
            _exit(11);
        }
        int rc = gd_store_status(st, 0, count_runs, NULL, &runs, &err);
        gd_store_close(st);
        _exit(rc == 0 && runs == 1 ? 0 : 12);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static void test_db_in_an_unwritable_directory_is_readable(void)
{
    if (geteuid() != 0) {
        printf("unwritable-directory part skipped: needs root to become nobody\n");
        return;
    }
    struct tmpdb t;
    tmpdb_init(&t, "identity");
    gd_store *st = NULL;
    gd_err err = {0};
    CHECK_INT(gd_store_open(t.path, GD_STORE_READ_WRITE, &st, &err), 0);
    int64_t run = 0;
    gd_run_info info = {.tool_version = "t", .partition = "aws", .retry_mode = "standard",
                        .started_ms = 1};
    CHECK_INT(gd_store_run_begin(st, &info, &run, &err), 0);
    CHECK_INT(gd_store_run_finish(st, run, "ok", NULL, 2, &err), 0);
    gd_store_close(st); /* the last close checkpoints and removes the WAL */
    chmod(t.path, 0644);
    chmod(t.dir, 0755); /* owned by root: nobody cannot create the -shm here */
    CHECK_INT(read_as_nobody(t.path), 0);

    /* While a writer holds the DB, its -shm exists and SQLite reads the WAL
     * through it read-only. */
    sqlite3 *holder = NULL;
    sqlite3_open(t.path, &holder);
    sqlite3_exec(holder, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                         "UPDATE runs SET message = 'x'", NULL, NULL, NULL);
    char wal[400], shm[400];
    snprintf(wal, sizeof wal, "%s-wal", t.path);
    snprintf(shm, sizeof shm, "%s-shm", t.path);
    chmod(wal, 0644);
    chmod(shm, 0644);
    CHECK_INT(read_as_nobody(t.path), 0);

    /* A copy with its -wal but no -shm (a backup): the WAL's commits are not
     * in the main file, and immutable=1 would silently miss them: refused. */
    struct tmpdb c;
    tmpdb_init(&c, "identity_copy");
    char cwal[400], cmd[1200];
    snprintf(cwal, sizeof cwal, "%s-wal", c.path);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s'", t.path, c.path, wal, cwal);
    CHECK_INT(system(cmd), 0);
    chmod(c.path, 0644);
    chmod(cwal, 0644);
    chmod(c.dir, 0755);
    struct stat sb;
    CHECK(stat(cwal, &sb) == 0 && sb.st_size > 0);
    CHECK_INT(read_as_nobody(c.path), 11);
    sqlite3_close(holder);
    tmpdb_cleanup(&c);
    tmpdb_cleanup(&t);
}

int main(void)
{
    test_foreign_db_is_refused_and_untouched();
    test_new_and_old_gdreport_dbs_get_the_id();
    test_db_in_an_unwritable_directory_is_readable();
    return t_done();
}
