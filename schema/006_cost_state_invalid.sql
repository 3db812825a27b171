-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 6: a region's cost can be 'invalid'.
--
-- cost_state 'invalid': GetUsageStatistics answered, but an amount in it is
-- outside the one amount grammar (common/validate.h: a plain decimal or
-- BigDecimal's 1E+3 form, below 10^19, at most 18 decimals). None of that
-- region's usage is stored for the run; cost_message says which amount and
-- why. Before this version such a region was recorded as 'failed'.
--
-- SQLite cannot change a CHECK in place, so run_regions is rebuilt (the
-- "other kinds of table schema changes" procedure of
-- https://www.sqlite.org/lang_altertable.html): a new table with every
-- column in the same order (001's, then 004's usage_calls), the same primary
-- key, the same foreign key to runs and STRICT; every row copied; the old
-- table dropped; the new one renamed. run_regions has no index besides its
-- primary key, no trigger and no view, and no table refers to it, so
-- nothing else needs to be rebuilt. The migration runner wraps this in one
-- transaction with the user_version change (store/store_migrate.c): a crash
-- leaves version 5 with the old table, or version 6 with the new one.
-- Dropping a child table with foreign_keys on only deletes its own rows; the
-- copy keeps run_id, so every row still points at its run.

CREATE TABLE run_regions_v6 (
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    state          TEXT    NOT NULL
                   CHECK (state IN ('pending', 'collected', 'no_detector', 'region_disabled',
                                    'not_admin', 'access_denied', 'failed')),
    message        TEXT,
    error_code     TEXT,
    request_id     TEXT,
    detector_id    TEXT,
    requests       INTEGER NOT NULL DEFAULT 0,
    retries        INTEGER NOT NULL DEFAULT 0,
    throttles      INTEGER NOT NULL DEFAULT 0,
    duration_ms    INTEGER NOT NULL DEFAULT 0,
    findings_listed  INTEGER NOT NULL DEFAULT 0,
    findings_new     INTEGER NOT NULL DEFAULT 0,
    findings_updated INTEGER NOT NULL DEFAULT 0,
    cost_state     TEXT    NOT NULL DEFAULT 'not_applicable'
                   CHECK (cost_state IN ('collected', 'denied', 'skipped', 'failed',
                                         'invalid', 'not_applicable')),
    cost_message   TEXT,
    usage_calls    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, region)
) STRICT;

INSERT INTO run_regions_v6 (run_id, region, state, message, error_code, request_id,
                            detector_id, requests, retries, throttles, duration_ms,
                            findings_listed, findings_new, findings_updated, cost_state,
                            cost_message, usage_calls)
SELECT run_id, region, state, message, error_code, request_id, detector_id, requests, retries,
       throttles, duration_ms, findings_listed, findings_new, findings_updated, cost_state,
       cost_message, usage_calls
  FROM run_regions;

DROP TABLE run_regions;
ALTER TABLE run_regions_v6 RENAME TO run_regions;
