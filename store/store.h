/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_STORE_H
#define GD_STORE_STORE_H
/* The SQLite store: the only module that includes sqlite3.h.
 *
 * Threading: one gd_store may be shared by the collector's region threads;
 * every call takes the store's mutex and runs in its own transaction (or in a
 * caller-scoped one via gd_store_begin/commit), so a crash never leaves a
 * half-written batch. Findings pages are the exception: they are handed to
 * the store's writer thread, which commits many pages at once (see
 * "Asynchronous findings upserts" below for the durability contract).
 *
 * Strings passed in are copied; strings handed out are owned by the caller
 * unless stated otherwise. Every function returns 0 or a negative GD_E_* and
 * fills err with a message that names the DB path. */
#include <stdint.h>
#include <stddef.h>
#include "common/err.h"

typedef struct gd_store gd_store;

enum gd_store_mode { GD_STORE_READ_WRITE = 0, GD_STORE_READ_ONLY = 1 };

/* Opens (creating with mode 0600 when missing and mode is read-write), sets
 * WAL, synchronous=NORMAL (every commit survives a crash of the process; a
 * power cut may drop the last commits, in order: store_open.c), busy_timeout
 * and foreign keys, and applies pending
 * migrations. A DB whose user_version is newer than this build knows is
 * refused (GD_E_DB). Read-only mode never creates the file and fails with
 * GD_E_NOT_FOUND when it is absent; it never migrates, so an older DB fails
 * with GD_E_DB asking for a collect; every write call on it fails. *out is new
 * (free with gd_store_close, which accepts NULL and releases the collect lock). */
int gd_store_open(const char *path, int mode, gd_store **out, gd_err *err);
void gd_store_close(gd_store *st);
const char *gd_store_path(const gd_store *st);
int gd_store_schema_version(gd_store *st);

/* PRAGMA integrity_check: 0 when "ok", else GD_E_DB with the first problem. */
int gd_store_integrity_check(gd_store *st, gd_err *err);

/* Caller-scoped transaction: every store call between begin and commit joins
 * it (each call still all-or-nothing, via a savepoint). The calling thread
 * keeps the store's mutex until commit/rollback, so other threads wait: keep
 * the scope short. Call commit/rollback from the thread that called begin.
 * A failed commit rolls back. rollback is a no-op without a transaction. */
int gd_store_begin(gd_store *st, gd_err *err);
int gd_store_commit(gd_store *st, gd_err *err);
void gd_store_rollback(gd_store *st);

/* ---- Collect lock ------------------------------------------------------ */
/* Exclusive, non-blocking lock for one collect per DB (a "<db>.lock" file with
 * flock + the holder's pid). GD_E_LOCKED with "another collect is running (pid N)"
 * when held. Released by gd_store_unlock_collect, gd_store_close or process
 * death. Locking again through the same store is a no-op. */
int gd_store_lock_collect(gd_store *st, gd_err *err);
void gd_store_unlock_collect(gd_store *st);
/* 1 when some process holds the collect lock now (read-only: never creates
 * the lock file). A run row still "running" while nobody holds the lock was
 * interrupted (killed, or its end could not be written): status shows it so. */
int gd_store_collect_active(gd_store *st);

/* ---- The report's covering index (store_report_index.c) ---------------- */
/* At the start of a collect, with the collect lock held: when no finding is
 * stored yet (the first collect's backfill), drops the index findings_report,
 * which only the report reads, so the load does not maintain it row by row,
 * and the finding id index findings_id, whose uniqueness the load keeps in
 * memory (store_bulk.c), and sets *deferred; otherwise builds them if they
 * are missing (a killed first collect) and leaves *deferred 0. */
int gd_store_report_index_defer(gd_store *st, int *deferred, gd_err *err);
/* Builds findings_id, then findings_report with the migration's definition,
 * when they are missing (one sorted pass over the findings each); a no-op
 * when they exist. Call it after the regions have stored their findings,
 * before gd_store_run_finish. */
int gd_store_report_index_build(gd_store *st, gd_err *err);

/* ---- Runs -------------------------------------------------------------- */
typedef struct gd_run_info {
    const char *tool_version;
    const char *caller_account_id;  /* may be NULL */
    const char *caller_arn;
    const char *partition;
    const char *regions_source;
    int full_sync;
    int cost_enabled;
    const char *retry_mode;
    int64_t started_ms;
} gd_run_info;

int gd_store_run_begin(gd_store *st, const gd_run_info *info, int64_t *run_id, gd_err *err);
/* Late facts about a run (caller identity is known only after STS answers). */
int gd_store_run_set_caller(gd_store *st, int64_t run_id, const char *account_id,
                            const char *arn, const char *partition, const char *regions_source,
                            gd_err *err);
/* outcome: "ok", "partial", "failed", "interrupted". Committed with
 * synchronous=FULL: once it returns, the run and everything committed before
 * it is on disk, power cut included. */
int gd_store_run_finish(gd_store *st, int64_t run_id, const char *outcome,
                        const char *message, int64_t ended_ms, gd_err *err);
/* Marks runs left 'running' by a killed process as 'interrupted' (called at the
 * start of a collect, after the lock is held). */
int gd_store_runs_mark_interrupted(gd_store *st, gd_err *err);

typedef struct gd_region_result {
    const char *region;
    const char *state;         /* collected | no_detector | region_disabled | not_admin |
                                  access_denied | failed | pending */
    const char *message;       /* NULL when none */
    const char *error_code;
    const char *request_id;
    const char *detector_id;
    int64_t requests, retries, throttles, duration_ms;
    int64_t findings_listed, findings_new, findings_updated;
    const char *cost_state;    /* collected | denied | skipped | failed | not_applicable */
    const char *cost_message;
    int64_t usage_calls;       /* GetUsageStatistics requests (pages) of the usage step */
} gd_region_result;

/* Insert or replace the run's row for result->region. */
int gd_store_region_result(gd_store *st, int64_t run_id, const gd_region_result *result,
                           gd_err *err);
int gd_store_add_problem(gd_store *st, int64_t run_id, const char *region, const char *kind,
                         const char *subject, const char *message, gd_err *err);

/* ---- Organization and accounts ------------------------------------------ */
typedef struct gd_org_info {
    const char *org_id;
    const char *management_account_id;
    const char *management_account_email;
    const char *delegated_admin_account_id;
    const char *state;     /* collected | denied | not_in_org | failed */
    const char *message;
} gd_org_info;
int gd_store_put_organization(gd_store *st, int64_t run_id, const gd_org_info *org, gd_err *err);

typedef struct gd_account_info {
    const char *account_id;
    const char *name;      /* may be NULL */
    const char *email;
    const char *status;
    const char *source;    /* organizations | guardduty_member | finding */
} gd_account_info;
/* Upsert; a better source never gets overwritten by a worse one
 * (organizations > guardduty_member > finding). */
int gd_store_put_accounts(gd_store *st, int64_t run_id, const gd_account_info *accounts,
                          size_t n, gd_err *err);

/* ---- Detectors and members (current state, replaced per region) --------- */
typedef struct gd_feature_status {
    const char *name;             /* feature name, verbatim */
    const char *status;           /* ENABLED | DISABLED | NULL */
    const char *org_auto_enable;  /* detector features only: NEW | ALL | NONE | NULL */
    const char *additional_json;  /* NULL or JSON text (additionalConfiguration; detector
                                   * features: each entry also carries the org's "autoEnable") */
} gd_feature_status;

typedef struct gd_detector_info {
    const char *region;
    const char *detector_id;
    const char *status;
    const char *finding_publishing_frequency;
    const char *created_at;
    const char *updated_at;
    const char *org_auto_enable_members;
    int member_account_limit_reached;   /* -1 unknown */
    const gd_feature_status *features;
    size_t n_features;
} gd_detector_info;
/* Replaces the region's detector row and its features. */
int gd_store_put_detector(gd_store *st, int64_t run_id, const gd_detector_info *det, gd_err *err);
/* Removes the region's detector, features, members and member features (the
 * region now has no detector). */
int gd_store_clear_region_setup(gd_store *st, const char *region, gd_err *err);

typedef struct gd_member_info {
    const char *account_id;
    const char *detector_id;
    const char *relationship_status;
    const char *email;
    const char *administrator_id;
    const char *invited_at;
    const char *updated_at;
    const gd_feature_status *features;  /* from GetMemberDetectors; may be 0 */
    size_t n_features;
} gd_member_info;
/* Replaces every member (and member feature) of the region in one transaction. */
int gd_store_replace_members(gd_store *st, int64_t run_id, const char *region,
                             const gd_member_info *members, size_t n, gd_err *err);

/* ---- Findings ---------------------------------------------------------- */
typedef struct gd_finding_row {
    const char *finding_id;
    const char *region;
    const char *account_id;
    const char *detector_id;
    const char *type;
    double severity;
    const char *title;
    const char *resource_type;
    const char *feature_name;
    const char *created_at;     /* ISO text as AWS sent it */
    const char *updated_at;
    int64_t created_ms, updated_ms;
    int64_t count;
    int archived;
    int sample;                 /* CreateSampleFindings marker (gd_api_is_sample_marker) */
    const char *raw_json;       /* the whole finding object */
    /* strlen(raw_json) when the producer knows it (the collector's parsers
     * do), so the store need not scan ~210 MB of raw_json twice per collect;
     * 0 means unknown: the store runs strlen. When set it must equal
     * strlen(raw_json) exactly (the NUL excluded): the stored bytes are
     * raw_json's first raw_json_len bytes. */
    size_t raw_json_len;
    /* schema/005's columns, when the parser followed their paths (leads_known
     * 1): each is what json_extract(raw_json, path) gives, a string or NULL
     * (absent, or JSON null). leads_known 0: the store extracts them. */
    int leads_known;
    const char *resource_id, *event_first_seen, *event_last_seen;
} gd_finding_row;

typedef struct gd_upsert_stats {
    int64_t inserted;   /* new ids */
    int64_t updated;    /* existing ids whose updatedAt grew, or archived/count changed */
    int64_t unchanged;
} gd_upsert_stats;

/* The upsert rule, for every path below: a stored row changes only when the
 * fetched updated_ms is newer, or archived or count differ, or the row was
 * marked expired (a fetched finding exists: expired_at_ms is cleared, even by
 * an older copy); unchanged data leaves the DB untouched. archived_at_ms
 * becomes the current time when a row is inserted archived or changes to
 * archived, stays while it stays archived, and is cleared on unarchive. (Precisely: newer updated_ms -> every column is
 * replaced; same updated_ms with a different archived or count -> replaced;
 * an older updated_ms never overwrites a newer stored row.) first_run_id is
 * kept; last_run_id becomes run_id on insert and on change. Accounts seen only here are added with source
 * 'finding'. A page (one call's rows) is all-or-nothing: a page that fails
 * in the DB stores none of its rows and fails alone.
 *
 * Synchronous: returns once the page is committed (or failed); stats are added
 * to (not reset), and only for a committed page. Rows are borrowed for the
 * call. Inside a caller-scoped transaction (gd_store_begin, same thread) the
 * page joins that transaction. Otherwise it goes through the store's writer
 * (below) and waits for it, so it may share a commit with other pages. */
int gd_store_upsert_findings(gd_store *st, int64_t run_id, const gd_finding_row *rows, size_t n,
                             gd_upsert_stats *stats, gd_err *err);

/* ---- Asynchronous findings upserts (store_writer.c) ----------------------
 * The collector's fetch threads hand a page over and carry on; one writer
 * thread, owned by the store and started on the first submit, applies the
 * queued pages in large transactions. It COMMITs when 4,000 rows or 4 MiB of
 * finding JSON are queued, when a barrier is waiting, 100 ms after the oldest
 * queued page arrived, and at gd_store_close. Big commits are the
 * point: each commit rewrites the index leaves its rows touched, so ~200-row
 * commits wrote several times the DB's size to the WAL (bench/README.md,
 * "Store writer").
 *
 * Memory is bounded: a submit blocks while the pages not yet committed (queued
 * or being applied) hold more than 6,000 rows or 6 MiB of JSON (it always
 * admits a page when nothing is pending).
 *
 * Durability contract: a page is durable once its done callback reports
 * GD_OK (synchronous=NORMAL: a process crash keeps it, a power cut may drop
 * the last commits in order). After a crash every page committed so far is
 * kept and nothing else is: a page is never half stored. The collector moves
 * a region's watermark only after gd_store_pages_barrier returned GD_OK for
 * every page of the region, so after a crash the next run lists from the old
 * watermark and fetches again whatever was not committed.
 *
 * A gd_store_pages is one submitter's set of pages (the collector has one per
 * region): it counts the pages not yet done and keeps the first failure. */
typedef struct gd_store_pages gd_store_pages;

/* Called exactly once per page gd_store_pages_submit accepted, after the page's
 * transaction committed (rc GD_OK, stats = this page's outcome) or after it
 * failed (rc < 0, err says why, nothing of the page stored, stats zero). It
 * runs on the writer thread (or the submitting thread when the page was
 * applied inline) without the store's locks held, but it must not call this
 * gd_store. This is where the page's owner frees the rows. */
typedef void (*gd_store_page_done)(void *ud, int rc, const gd_upsert_stats *stats,
                                   const gd_err *err);

/* *out is new; free with gd_store_pages_free. Fails on a read-only store. */
int gd_store_pages_new(gd_store *st, gd_store_pages **out, gd_err *err);
/* Queues a page; returns at once unless the writer is over its memory bound
 * (then it waits for room). Ownership: rows and every string they point to
 * must stay valid and unchanged until done(ud, ...) is called; the store
 * never copies or frees them. A row missing a required field is refused here
 * (GD_E_INTERNAL, done is NOT called, the caller keeps the rows). n == 0:
 * done is called at once with zero stats. Inside a caller-scoped transaction
 * (same thread) the page is applied at once into that transaction and done
 * is called before this returns. */
int gd_store_pages_submit(gd_store_pages *sp, int64_t run_id, const gd_finding_row *rows,
                          size_t n, gd_store_page_done done, void *ud, gd_err *err);
/* Waits until every page submitted through sp so far is done (committed or
 * failed), asking the writer to commit now instead of waiting for a bigger
 * group. GD_OK when none of sp's pages ever failed, else the first failure's
 * code and message (a failure stays reported by every later barrier). */
int gd_store_pages_barrier(gd_store_pages *sp, gd_err *err);
/* Waits like a barrier (its result is dropped), then frees. Accepts NULL.
 * Call it before gd_store_close; gd_store_close itself finishes every queued
 * page (committed or reported to done), after which the handle is plain
 * memory that free() releases. */
void gd_store_pages_free(gd_store_pages *sp);

/* What the writer did since the store was opened (bench and tests). */
typedef struct gd_store_writer_stats {
    int64_t commits;              /* writer transactions committed */
    int64_t pages, rows;          /* pages and rows in them */
    int64_t pages_failed;
    int64_t backpressure_waits;   /* submits that waited for room */
    int64_t peak_pending_rows;    /* most rows queued or being applied at once */
    int64_t peak_pending_bytes;   /* the same in finding JSON bytes */
    int64_t cache_spills;         /* dirty pages SQLite wrote before a commit (cache full) */
} gd_store_writer_stats;
void gd_store_get_writer_stats(gd_store *st, gd_store_writer_stats *out);

/* Archive reconciliation for one region: ids (of that region) currently archived
 * in AWS. Rows in the list with archived=0 become 1. The ids not in the list
 * whose row is archived=1 are returned in *out_unarchive_candidates (caller frees
 * each and the array with gd_store_free_strings) so the collector can re-fetch
 * them: GetFindings tells unarchived (archived=false) from expired (absent).
 * *changed counts rows flipped to archived. */
int gd_store_reconcile_archived(gd_store *st, int64_t run_id, const char *region,
                                const char *const *archived_ids, size_t n,
                                int64_t *changed, char ***out_unarchive_candidates,
                                size_t *n_candidates, gd_err *err);
/* ---- Expiry (schema/003) ---------------------------------------------------
 * GuardDuty drops a finding ~90 days after its last update; gdreport keeps the
 * row and marks it expired. listed_ids must be a COMPLETE listing of the
 * region's findings (archived and unarchived). In one transaction: listed
 * rows marked expired are un-expired (*unexpired counts them), and the ids of
 * the region's stored, not-expired rows that are NOT listed are returned in
 * *out_candidates (id ascending; free with gd_store_free_strings): the
 * collector confirms them with GetFindings before gd_store_mark_expired. */
int gd_store_expiry_candidates(gd_store *st, int64_t run_id, const char *region,
                               const char *const *listed_ids, size_t n, int64_t *unexpired,
                               char ***out_candidates, size_t *n_candidates, gd_err *err);
/* Sets expired_at_ms = expired_at_ms on the region's listed ids that are not
 * expired yet (an earlier expiry time is kept). *marked counts them. */
int gd_store_mark_expired(gd_store *st, int64_t run_id, const char *region,
                          const char *const *ids, size_t n, int64_t expired_at_ms,
                          int64_t *marked, gd_err *err);

/* *has = 1 when the store holds any finding of region (archived, expired or
 * from an earlier detector), else 0. Taken before a region's sync stores
 * anything, 0 means there is nothing to expire or to reconcile. */
int gd_store_region_has_findings(gd_store *st, const char *region, int *has, gd_err *err);

/* Which of ids (same region) are not stored yet. Same ownership as above. */
int gd_store_missing_findings(gd_store *st, const char *const *ids, size_t n,
                              char ***out_missing, size_t *n_missing, gd_err *err);
/* Ids an earlier run of region fetched but could not store (its run_problems
 * of kind finding_too_large / finding_malformed / finding_invalid) that are
 * still not stored; at most limit. Same ownership as above. */
int gd_store_unstored_findings(gd_store *st, const char *region, size_t limit, char ***out,
                               size_t *n, gd_err *err);
void gd_store_free_strings(char **v, size_t n);
/* Stored unarchived findings of region (and its detector) by severity band:
 * low < 4, medium < 7, high < 9, critical >= 9 (store_completeness.c). */
int gd_store_active_by_band(gd_store *st, const char *region, const char *detector_id,
                            int64_t by_band[4], gd_err *err);
/* The same count for each of regions[0..n) into by_band[0..n) (caller-owned,
 * zeroed here), in one pass over the covering index findings_report instead
 * of the regions' rows, and with no detector filter: exact only where every
 * stored finding of a region came from this run's detector of it (a first
 * load, collector/collect.c). Fails (GD_E_DB) when the index is missing. */
int gd_store_active_by_band_indexed(gd_store *st, const char *const *regions, size_t n,
                                    int64_t (*by_band)[4], gd_err *err);
/* Sets the message of run_id's completeness problem of region (the one row
 * the collect added for it), adding the row when there is none. */
int gd_store_set_completeness(gd_store *st, int64_t run_id, const char *region,
                              const char *message, gd_err *err);

/* ---- Incremental sync state -------------------------------------------- */
/* found = 0 when the region was never synced (full sync needed), or when the
 * stored detector id differs from detector_id (a new detector: full sync). */
int gd_store_get_watermark(gd_store *st, const char *region, const char *detector_id,
                           int64_t *watermark_ms, int *found, gd_err *err);
int gd_store_set_watermark(gd_store *st, const char *region, const char *detector_id,
                           int64_t watermark_ms, int64_t run_id, int full_sync, gd_err *err);

/* ---- Usage ------------------------------------------------------------- */
typedef struct gd_usage_row {
    const char *kind;        /* account | feature | account_feature */
    const char *account_id;  /* "" or NULL when kind = feature */
    const char *feature;     /* "" or NULL when kind = account */
    const char *amount;      /* exact decimal text */
    const char *unit;
} gd_usage_row;
/* Replaces the (run, region) usage rows in one transaction. */
int gd_store_put_usage(gd_store *st, int64_t run_id, const char *region,
                       const gd_usage_row *rows, size_t n, int64_t window_start_ms,
                       int64_t window_end_ms, gd_err *err);

/* ---- Free-trial days (GetRemainingFreeTrialDays, schema/003) ------------ */
typedef struct gd_trial_row {
    const char *account_id;
    const char *feature;       /* FreeTrialFeatureResult name, verbatim */
    int64_t days_left;         /* >= 0 */
} gd_trial_row;
/* Replaces the (run, region) free-trial rows and records the region's state
 * ('collected', 'denied', 'failed'; message may be NULL) in one transaction. */
int gd_store_put_free_trial(gd_store *st, int64_t run_id, const char *region,
                            const char *state, const char *message,
                            const gd_trial_row *rows, size_t n, gd_err *err);

/* ---- Status (gdreport status) ------------------------------------------ */
/* Calls cb for each of the last `limit` runs (limit <= 0: all), newest first;
 * right after each run, region_cb (may be NULL) for each of that run's region
 * rows, region ascending. Strings are borrowed for the duration of the
 * callback (NULL when the column is NULL). A callback returning non-zero stops
 * the walk and that value is returned. Callbacks must not call the store. */
typedef struct gd_status_run {
    int64_t run_id;
    const char *started_at, *ended_at, *tool_version, *outcome, *message;
    const char *caller_account_id, *regions_source;
    int full_sync;
} gd_status_run;
typedef struct gd_status_region {
    int64_t run_id;
    const char *region, *state, *message, *error_code, *request_id, *cost_state, *cost_message;
    int64_t requests, retries, throttles, duration_ms, findings_listed, findings_new,
        findings_updated;
    const char *completeness;   /* the GetFindingsStatistics cross-check, NULL if none */
} gd_status_region;
typedef int (*gd_status_run_cb)(void *ud, const gd_status_run *run);
typedef int (*gd_status_region_cb)(void *ud, const gd_status_region *region);
int gd_store_status(gd_store *st, int limit, gd_status_run_cb run_cb,
                    gd_status_region_cb region_cb, void *ud, gd_err *err);

/* ---- Maintenance (gdreport prune) --------------------------------------- */
typedef struct gd_prune_stats { int64_t runs, findings, usage_rows; } gd_prune_stats;
/* Deletes runs older than cutoff_ms (never the newest successful one) and
 * findings whose updated_ms < cutoff_ms; dry_run only counts. "Successful"
 * means outcome ok or partial; runs still 'running' are never deleted. A run's
 * region rows, problems and usage rows go with it (usage_rows counts those).
 * stats gets the same counts in dry and real runs. vacuum (ignored on a dry
 * run) rewrites the file afterwards to give the space back. */
int gd_store_prune(gd_store *st, int64_t cutoff_ms, int dry_run, int vacuum,
                   gd_prune_stats *stats, gd_err *err);

#endif
