-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 8: the CHECKs of the two tables a collect writes
-- per row are written as OR chains instead of IN lists. Same semantics.
--
-- Why: SQLite evaluates `col IN ('a', 'b', 'c')` (three or more constants)
-- by building an ephemeral B-tree of the constants, and the statement builds
-- it again on every execution (EXPLAIN shows OpenEphemeral). An INSERT into
-- usage_costs cost ~45k instructions for that alone, about 19,000 times per
-- 12-region collect; accounts is upserted for every account seen in every
-- region. `col = 'a' OR col = 'b' OR col = 'c'` compiles to three Eq opcodes.
-- Both forms accept and refuse the same values: the columns are NOT NULL
-- STRICT TEXT, and `=` compares with the same collation (BINARY) as IN.
-- Keep new CHECKs on hot tables in this form (an IN list of two constants is
-- fine: SQLite turns it into Eq tests itself).
--
-- The tables written a few times per region or per run (runs, run_regions,
-- organization, free_trial_regions) keep their IN lists: a few dozen
-- ephemeral tables per collect cost nothing measurable, and a rebuild is a
-- full copy.
--
-- SQLite cannot change a CHECK in place, so both tables are rebuilt as 006
-- did (the "other kinds of table schema changes" procedure of
-- https://www.sqlite.org/lang_altertable.html): a new table with every
-- column in the same order, the same types, defaults, primary key, foreign
-- key and STRICT; every row copied; the old table dropped; the new one
-- renamed. Rows keep their rowids, so a scan without ORDER BY still sees
-- them in the order they were written. The rename also renames the primary key's automatic index
-- (sqlite_autoindex_<table>_1). Neither table has another index, a trigger
-- or a view, and no table refers to either, so nothing else is rebuilt.
-- Dropping usage_costs (a child of runs) with foreign_keys on only deletes
-- its own rows; the copy keeps run_id. The migration runner wraps this in one
-- transaction with the user_version change (store/store_migrate.c): a crash
-- leaves version 7 with the old tables, or version 8 with the new ones.

CREATE TABLE accounts_v8 (
    account_id     TEXT PRIMARY KEY,
    name           TEXT,
    email          TEXT,
    status         TEXT,
    source         TEXT NOT NULL CHECK (source = 'organizations' OR source = 'guardduty_member'
                                        OR source = 'finding'),
    updated_run_id INTEGER NOT NULL
) STRICT;

INSERT INTO accounts_v8 (rowid, account_id, name, email, status, source, updated_run_id)
SELECT rowid, account_id, name, email, status, source, updated_run_id
  FROM accounts ORDER BY rowid;

DROP TABLE accounts;
ALTER TABLE accounts_v8 RENAME TO accounts;

-- Usage statistics (GetUsageStatistics), per run and region.
--   kind 'account':         SUM_BY_ACCOUNT        (account_id set, feature '')
--   kind 'feature':         SUM_BY_FEATURES       (feature set, account_id '')
--   kind 'account_feature': SUM_BY_FEATURES for one account (both set)
CREATE TABLE usage_costs_v8 (
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    kind           TEXT    NOT NULL
                   CHECK (kind = 'account' OR kind = 'feature' OR kind = 'account_feature'),
    account_id     TEXT    NOT NULL DEFAULT '',
    feature        TEXT    NOT NULL DEFAULT '',
    amount         TEXT    NOT NULL,  -- exact decimal text from AWS, e.g. "12.3456"
    unit           TEXT    NOT NULL,  -- "USD"
    window_start_ms INTEGER NOT NULL, -- GuardDuty reports the last 30 days
    window_end_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, region, kind, account_id, feature)
) STRICT;

INSERT INTO usage_costs_v8 (rowid, run_id, region, kind, account_id, feature, amount, unit,
                            window_start_ms, window_end_ms)
SELECT rowid, run_id, region, kind, account_id, feature, amount, unit, window_start_ms,
       window_end_ms
  FROM usage_costs ORDER BY rowid;

DROP TABLE usage_costs;
ALTER TABLE usage_costs_v8 RENAME TO usage_costs;
