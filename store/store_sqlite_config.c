/* SPDX-License-Identifier: Apache-2.0 */
/* Process-wide SQLite settings. sqlite3_config only works before SQLite is
 * initialised (the first sqlite3_open_v2 does that), so it belongs first in
 * gd_store_open; when something else in the process initialised
 * SQLite already, the settings are simply not applied (SQLITE_MISUSE, only
 * speed depends on them). */
#include "store/store_internal.h"

static pthread_once_t configured = PTHREAD_ONCE_INIT;

/* Memory statistics off: with them on (SQLite's default), every
 * sqlite3_malloc and sqlite3_free takes a process-wide mutex and updates
 * counters. Statements allocate their cursors and record buffers anew on
 * every run (this libsqlite3 is built without lookaside), ~8 allocations per
 * stored finding. Nothing in gdreport reads the counters
 * (sqlite3_memory_used, sqlite3_status) or sets a heap limit, which would
 * need them. */
static void configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void st_sqlite_configure(void)
{
    pthread_once(&configured, configure);
}
