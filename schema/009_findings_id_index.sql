-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 9: the finding id's uniqueness moves from the
-- table's PRIMARY KEY to a named index, findings_id, and raw_json becomes the
-- last column (issue 13; bench/README.md, "Issue 13, session 8").
--
-- Why the index: finding ids are random, so every inserted finding was a
-- random insert into the primary key's automatic index, and each commit of a
-- first load (~2,100 rows) rewrote most of that index's leaf pages into the
-- WAL and read them back at the checkpoint. An automatic index cannot be
-- dropped; a named one can. A collect into a DB with no finding (the first,
-- 90-day backfill) drops findings_id, keeps each stored id's rowid in memory
-- to apply the same change rule, and builds the index once, sorted, after
-- the load (store/store_bulk.c). Every other run keeps it, and every query
-- by finding id (the per-row lookup, ON CONFLICT (finding_id), archive and
-- expiry updates) uses it as it used the automatic index.
--
-- Why raw_json last: building an index over the table (findings_id and
-- findings_report after a first load) reads each row up to its last indexed
-- column. With raw_json before resource_id (schema/005 appended the lead
-- columns after it), a finding whose JSON overflows its page had its
-- overflow chain read as well: 55 MB of 262 MB at 102,000 findings.
--
-- The table is rebuilt as 006 and 008 did (the "other kinds of table schema
-- changes" procedure of https://www.sqlite.org/lang_altertable.html): same
-- column names, types, defaults, CHECKs and STRICT; every row copied with its
-- rowid; the old table (and its indexes) dropped; the new one renamed; the
-- indexes created again. No table refers to findings and it has no trigger
-- or view. The migration runner wraps this in one transaction with the
-- user_version change (store/store_migrate.c): a crash leaves version 8 with
-- the old table, or version 9 with the new one. It runs once: 6.9 s wall
-- (4.1 CPU-s) for 102,000 findings (305 MB) on the bench machine, with free
-- disk of about twice the DB's size (the copy, and the WAL of the one
-- transaction); the old table's pages stay in the file as free pages that
-- later collects reuse (VACUUM returns them).

CREATE TABLE findings_v9 (
    finding_id     TEXT    NOT NULL,  -- unique: index findings_id
    region         TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,  -- the finding's own accountId
    detector_id    TEXT,
    type           TEXT    NOT NULL,
    severity       REAL    NOT NULL,
    title          TEXT,
    resource_type  TEXT,
    feature_name   TEXT,              -- service.featureName (a hint only)
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    count          INTEGER NOT NULL DEFAULT 1,
    archived       INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    first_run_id   INTEGER NOT NULL,  -- run that first stored it
    last_run_id    INTEGER NOT NULL,  -- last run that fetched a change to it
    sample         INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1)),
    archived_at_ms INTEGER,
    expired_at_ms  INTEGER,
    resource_id    TEXT,
    event_first_seen TEXT,
    event_last_seen TEXT,
    raw_json       TEXT    NOT NULL
) STRICT;

INSERT INTO findings_v9 (rowid, finding_id, region, account_id, detector_id, type, severity,
                         title, resource_type, feature_name, created_at, updated_at,
                         created_ms, updated_ms, count, archived, first_run_id, last_run_id,
                         sample, archived_at_ms, expired_at_ms, resource_id,
                         event_first_seen, event_last_seen, raw_json)
SELECT rowid, finding_id, region, account_id, detector_id, type, severity,
       title, resource_type, feature_name, created_at, updated_at,
       created_ms, updated_ms, count, archived, first_run_id, last_run_id,
       sample, archived_at_ms, expired_at_ms, resource_id,
       event_first_seen, event_last_seen, raw_json
  FROM findings ORDER BY rowid;

DROP TABLE findings;
ALTER TABLE findings_v9 RENAME TO findings;

CREATE UNIQUE INDEX findings_id ON findings(finding_id);
CREATE INDEX findings_region_updated ON findings(region, updated_ms);
CREATE INDEX findings_report ON findings(account_id, region, type, feature_name, archived,
                                         severity, created_ms, updated_ms, sample,
                                         archived_at_ms, expired_at_ms, resource_type,
                                         resource_id);
