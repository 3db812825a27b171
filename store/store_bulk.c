/* SPDX-License-Identifier: Apache-2.0 */
/* A first load without the finding id index (schema/009).
 *
 * Finding ids are random, so with findings_id in place every row of a first
 * load (the 90-day backfill into a DB with no finding) was a random insert
 * into that index, and each commit of ~2,100 rows rewrote most of its leaf
 * pages into the WAL, which the checkpoint then read back and copied. A
 * collect into an empty findings table instead drops the index
 * (gd_store_report_index_defer) and this file keeps, in memory, the rowid of
 * every finding the load stores, keyed by a hash of its id. The upsert
 * (store_findings.c) finds a fetched finding's stored row through it, reads
 * that row by rowid to confirm the id and get the state the change rule needs,
 * and writes by rowid; so the outcomes are the same as with the index, and
 * the table never holds an id twice. The load ends (st_bulk_end) by building
 * findings_id in one sorted pass: when the collect builds its indexes, when
 * the map reaches BULK_MAX_IDS (memory stays bounded), or before any query
 * that looks findings up by id (incremental listings, archive and expiry:
 * they do not run on a first load, but a DB can have watermarks and no
 * finding). A collect killed in between leaves the DB without findings_id;
 * the next read-write open builds it (store_report_index.c).
 *
 * Transactions: the map must only ever name committed rows or rows of the
 * open transaction. store_tx.c calls st_bulk_tx_begin at BEGIN or SAVEPOINT
 * and st_bulk_tx_rollback at ROLLBACK (TO): the entries the rolled-back part
 * added (rowids above the mark taken at its start: SQLite gives a new row
 * max(rowid) + 1 and a first load deletes none) are dropped. An index built
 * in a transaction takes effect at its COMMIT (st_bulk_tx_commit frees the
 * map); a rollback puts the load back in bulk mode.
 *
 * Memory: a slot is 8 bytes (a 32-bit tag of the id's hash and a 32-bit
 * rowid), at most half the slots used: 2 MiB at 102,000 findings, 4 MiB at
 * BULK_MAX_IDS (6 MiB while the table doubles, old and new), paid for by a
 * page cache 4 MiB smaller during the load (BULK_CACHE_KIB). A tag is not
 * the id: every candidate is confirmed against the stored row, so a tag
 * collision costs a read, never a wrong row. */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define BULK_NAME "findings_id"
/* Past this many ids the load builds findings_id and goes on row by row. */
#define BULK_MAX_IDS ((size_t)1 << 18)
#define BULK_FIRST_CAP ((size_t)1 << 12)
/* The page cache during the load, in KiB, instead of ST_CACHE_KIB: the 8 MB
 * were for inserts at random places in four B-trees; without findings_id
 * and findings_report only findings_region_updated takes them, and the map
 * needs the memory (peak RSS at 50 ms, --parallel 12: bench/README.md). */
#define BULK_CACHE_KIB "4096"

struct st_bulk_slot {
    uint32_t tag;     /* 0: free */
    uint32_t rowid;
};

struct st_bulk {
    struct st_bulk_slot *slot;   /* owned; cap slots */
    size_t cap, n;               /* cap: a power of two; n <= cap / 2 */
    int64_t tx_mark, sp_mark;    /* highest rowid held at BEGIN / at SAVEPOINT */
    int64_t max_rowid;           /* highest rowid held */
    uint64_t seed;               /* the hash's start value, random per map */
    int starting;                /* findings_id dropped in the open transaction */
    int ending;                  /* findings_id built in the open transaction */
};

/* The id's 32-bit tag (FNV-1a over 64 bits from a random start, folded):
 * its low bits pick the home slot, so a rehash needs nothing but the tags.
 * 0 marks a free slot. The ids come from AWS, hostile by rule: with a fixed
 * start, ids sharing a home slot could be computed beforehand and sent to
 * turn each insert into a walk over the whole table; a start drawn per map
 * makes that guesswork. */
static uint32_t tag_of(uint64_t seed, const char *id)
{
    uint64_t h = seed;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    uint32_t t = (uint32_t)(h ^ (h >> 32));
    return t ? t : 1;
}

static void place(struct st_bulk_slot *slot, size_t cap, uint32_t tag, uint32_t rowid)
{
    size_t i = tag & (cap - 1);
    while (slot[i].tag)
        i = (i + 1) & (cap - 1);
    slot[i].tag = tag;
    slot[i].rowid = rowid;
}

/* Moves every entry into a table of cap slots. */
static int rehash(struct st_bulk *b, size_t cap)
{
    struct st_bulk_slot *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < b->cap; i++)
        if (b->slot[i].tag)
            place(slot, cap, b->slot[i].tag, b->slot[i].rowid);
    free(b->slot);
    b->slot = slot;
    b->cap = cap;
    return 0;
}

/* Frees the map and gives the connection its usual page cache back (only
 * speed depends on it, so a failure is ignored). */
static void bulk_free(gd_store *st)
{
    if (st->bulk) {
        free(st->bulk->slot);
        free(st->bulk);
        st->bulk = NULL;
        sqlite3_exec(st->db, "PRAGMA cache_size = -" ST_CACHE_KIB, NULL, NULL, NULL);
    }
}

int st_bulk_active(const gd_store *st)
{
    return st->bulk && !st->bulk->ending;
}

int st_bulk_index_present(gd_store *st, int *present, gd_err *err)
{
    return st_index_present(st, BULK_NAME, present, err);
}

/* FNV-1a's offset basis mixed with random bits (the clock and an address
 * if getrandom has none to give: still unknown to whoever sends the ids). */
static uint64_t new_seed(const void *salt)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)(uintptr_t)salt;
    }
    return 14695981039346656037u ^ r;
}

int st_bulk_start(gd_store *st, gd_err *err)
{
    /* Inside a caller's transaction a savepoint's rollback could bring the
     * index back behind the map's back: such a load keeps the index. */
    if (st->bulk || st->user_tx)
        return GD_OK;
    struct st_bulk *b = calloc(1, sizeof *b);
    if (b)
        b->slot = calloc(BULK_FIRST_CAP, sizeof *b->slot);
    if (!b || !b->slot) {
        free(b);
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    }
    b->cap = BULK_FIRST_CAP;
    b->seed = new_seed(b);
    int rc = st_exec(st, "DROP INDEX IF EXISTS " BULK_NAME, err, "drop index " BULK_NAME);
    if (rc == GD_OK)
        rc = st_exec(st, "PRAGMA cache_size = -" BULK_CACHE_KIB, err, "set cache_size");
    if (rc != GD_OK) {
        free(b->slot);
        free(b);
        return rc;
    }
    b->starting = 1;
    st->bulk = b;
    return GD_OK;
}

/* Builds findings_id in the caller's write transaction unless it exists.
 * UNIQUE: the bulk load never stores an id twice, so a failure here is a
 * store bug or a damaged DB, and it is reported rather than papered over. */
int st_bulk_build_index(gd_store *st, gd_err *err)
{
    int present = 0;
    int rc = st_bulk_index_present(st, &present, err);
    if (rc != GD_OK || present)
        return rc;
    return st_exec(st, "CREATE UNIQUE INDEX IF NOT EXISTS " BULK_NAME " ON findings(finding_id)",
                   err, "build index " BULK_NAME);
}

int st_bulk_end(gd_store *st, gd_err *err)
{
    if (!st_bulk_active(st))
        return GD_OK;
    int rc = st_bulk_build_index(st, err);
    if (rc == GD_OK)
        st->bulk->ending = 1;
    return rc;
}

int st_bulk_end_now(gd_store *st, gd_err *err)
{
    if (!st_bulk_active(st))
        return GD_OK;
    int rc = st_tx_begin(st, err);
    if (rc == GD_OK)
        rc = st_tx_end(st, st_bulk_end(st, err), err);
    return rc;
}

size_t st_bulk_count(const gd_store *st)
{
    return st->bulk ? st->bulk->n : 0;
}

int st_bulk_consistent(const gd_store *st)
{
    const struct st_bulk *b = st->bulk;
    if (!b)
        return 1;
    size_t mask = b->cap - 1, n = 0;
    for (size_t i = 0; i < b->cap; i++) {
        if (!b->slot[i].tag)
            continue;
        n++;
        for (size_t j = b->slot[i].tag & mask; j != i; j = (j + 1) & mask)
            if (!b->slot[j].tag)
                return 0;   /* a probe from its home stops before it */
    }
    return n == b->n && n * 2 <= b->cap;
}

int st_bulk_full(const gd_store *st)
{
    size_t max = st->bulk_max_ids ? st->bulk_max_ids : BULK_MAX_IDS;
    return st_bulk_active(st) && st->bulk->n >= max;
}

void st_bulk_probe_start(gd_store *st, const char *id, st_bulk_probe *p)
{
    p->b = st->bulk;
    p->tag = tag_of(p->b->seed, id);
    p->i = p->tag & (p->b->cap - 1);
}

int st_bulk_probe_next(st_bulk_probe *p, int64_t *rowid)
{
    const struct st_bulk *b = p->b;
    while (b->slot[p->i].tag) {
        size_t i = p->i;
        p->i = (p->i + 1) & (b->cap - 1);
        if (b->slot[i].tag == p->tag) {
            *rowid = b->slot[i].rowid;
            return 1;
        }
    }
    return 0;
}

int st_bulk_add(gd_store *st, const char *id, int64_t rowid, gd_err *err)
{
    struct st_bulk *b = st->bulk;
    if (rowid <= 0 || rowid > (int64_t)UINT32_MAX)
        return gd_err_set(err, GD_E_INTERNAL, "DB %s: finding %s stored at rowid %lld, outside"
                          " the first-load map", st->path, id, (long long)rowid);
    if ((b->n + 1) * 2 > b->cap && rehash(b, b->cap * 2) != 0)
        return gd_err_set(err, GD_E_NOMEM, "DB %s: out of memory", st->path);
    place(b->slot, b->cap, tag_of(b->seed, id), (uint32_t)rowid);
    b->n++;
    if (rowid > b->max_rowid)
        b->max_rowid = rowid;
    return GD_OK;
}

void st_bulk_tx_begin(gd_store *st, int savepoint)
{
    if (!st->bulk)
        return;
    if (savepoint)
        st->bulk->sp_mark = st->bulk->max_rowid;
    else
        st->bulk->tx_mark = st->bulk->max_rowid;
}

void st_bulk_tx_commit(gd_store *st, int savepoint)
{
    if (!st->bulk || savepoint)
        return;
    st->bulk->starting = 0;
    if (st->bulk->ending)
        bulk_free(st);
}

/* Drops what the rolled-back part added, in place (a rollback must not need
 * memory): the dropped slots are freed, then every entry is taken out and
 * placed again in probe order, starting after a free slot (there is one: at
 * most half are used), so no entry is left behind a hole on its probe path.
 * An entry only ever moves back towards its home, so none crosses that slot. */
static void purge(struct st_bulk *b, int64_t keep_max)
{
    size_t mask = b->cap - 1, start = 0;
    while (b->slot[start].tag)
        start++;
    for (size_t i = 0; i < b->cap; i++)
        if (b->slot[i].tag && (int64_t)b->slot[i].rowid > keep_max) {
            b->slot[i].tag = 0;
            b->n--;
        }
    b->max_rowid = 0;
    for (size_t k = 1; k <= b->cap; k++) {
        size_t i = (start + k) & mask;
        struct st_bulk_slot e = b->slot[i];
        if (!e.tag)
            continue;
        b->slot[i].tag = 0;
        place(b->slot, b->cap, e.tag, e.rowid);
        if ((int64_t)e.rowid > b->max_rowid)
            b->max_rowid = e.rowid;
    }
}

void st_bulk_tx_rollback(gd_store *st, int savepoint)
{
    struct st_bulk *b = st->bulk;
    if (!b)
        return;
    if (b->starting && !savepoint) {
        bulk_free(st);   /* the DROP INDEX is undone: not a bulk load after all */
        return;
    }
    int64_t mark = savepoint ? b->sp_mark : b->tx_mark;
    b->ending = 0;
    if (b->max_rowid > mark)
        purge(b, mark);
}

void st_bulk_free(gd_store *st)
{
    bulk_free(st);
}
