-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 1. Applied once, inside a transaction, by store/.
-- Times are ISO-8601 UTC text ("..._at") and/or epoch milliseconds ("..._ms").
-- Money is exact decimal TEXT as AWS sent it, never REAL.

-- One row per `gdreport collect` invocation.
CREATE TABLE runs (
    run_id         INTEGER PRIMARY KEY,
    started_at     TEXT    NOT NULL,
    started_ms     INTEGER NOT NULL,
    ended_at       TEXT,
    ended_ms       INTEGER,
    tool_version   TEXT    NOT NULL,
    outcome        TEXT    NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
    message        TEXT,
    caller_account_id TEXT,          -- sts:GetCallerIdentity: the delegated admin
    caller_arn     TEXT,
    partition      TEXT,
    regions_source TEXT,             -- 'account:ListRegions', 'partition (ListRegions denied)', 'flag'
    full_sync      INTEGER NOT NULL DEFAULT 0,
    cost_enabled   INTEGER NOT NULL DEFAULT 1,
    retry_mode     TEXT
) STRICT;

-- What happened in each region in each run. Every region that was in scope
-- gets a row, including disabled and no-detector regions (coverage facts).
CREATE TABLE run_regions (
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
                   CHECK (cost_state IN ('collected', 'denied', 'skipped', 'failed', 'not_applicable')),
    cost_message   TEXT,
    PRIMARY KEY (run_id, region)
) STRICT;

-- Problems worth surfacing that do not fail a region (a finding over the
-- response cap, a member batch AWS left unprocessed, ...).
CREATE TABLE run_problems (
    problem_id     INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT,
    kind           TEXT    NOT NULL,  -- 'finding_too_large', 'unprocessed_account', ...
    subject        TEXT,              -- finding id, account id, ...
    message        TEXT    NOT NULL
) STRICT;
-- Deleting a run (gdreport prune) cascades here; without this index every
-- deleted run would scan the whole table.
CREATE INDEX run_problems_run ON run_problems(run_id);

-- The organization (Organizations DescribeOrganization). One row.
CREATE TABLE organization (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    org_id         TEXT,
    management_account_id    TEXT,
    management_account_email TEXT,
    delegated_admin_account_id TEXT,   -- the caller that collected
    state          TEXT NOT NULL CHECK (state IN ('collected', 'denied', 'not_in_org', 'failed')),
    message        TEXT,
    updated_run_id INTEGER NOT NULL
) STRICT;

-- Every account we know of. name/email/status come from Organizations
-- ListAccounts when permitted, else from GuardDuty members, else only the id
-- (an account seen only in a finding's accountId).
CREATE TABLE accounts (
    account_id     TEXT PRIMARY KEY,
    name           TEXT,
    email          TEXT,
    status         TEXT,
    source         TEXT NOT NULL CHECK (source IN ('organizations', 'guardduty_member', 'finding')),
    updated_run_id INTEGER NOT NULL
) STRICT;

-- The delegated admin's detector per region, as of the last run that collected it.
CREATE TABLE detectors (
    region         TEXT PRIMARY KEY,
    detector_id    TEXT NOT NULL,
    status         TEXT,
    finding_publishing_frequency TEXT,
    created_at     TEXT,
    updated_at     TEXT,
    org_auto_enable_members TEXT,     -- DescribeOrganizationConfiguration: NEW | ALL | NONE
    member_account_limit_reached INTEGER,
    updated_run_id INTEGER NOT NULL
) STRICT;

-- Detector features (GetDetector) joined with the org auto-enable setting
-- (DescribeOrganizationConfiguration) for the same feature name.
CREATE TABLE detector_features (
    region         TEXT NOT NULL,
    feature        TEXT NOT NULL,
    status         TEXT,              -- ENABLED | DISABLED | NULL when only org config names it
    org_auto_enable TEXT,             -- NEW | ALL | NONE | NULL
    additional_json TEXT,             -- additionalConfiguration as JSON text
    PRIMARY KEY (region, feature)
) STRICT;

-- GuardDuty members of the admin's detector, per region (ListMembers).
CREATE TABLE members (
    region         TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    detector_id    TEXT,
    relationship_status TEXT,
    email          TEXT,
    administrator_id TEXT,
    invited_at     TEXT,
    updated_at     TEXT,
    updated_run_id INTEGER NOT NULL,
    PRIMARY KEY (region, account_id)
) STRICT;

-- Each member's protection-plan features (GetMemberDetectors, batches of 50).
CREATE TABLE member_features (
    region         TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    feature        TEXT NOT NULL,     -- OrgFeature name, kept verbatim
    status         TEXT NOT NULL,     -- ENABLED | DISABLED
    additional_json TEXT,
    updated_run_id INTEGER NOT NULL,
    PRIMARY KEY (region, account_id, feature)
) STRICT;

-- Findings, keyed by finding id. Rows are kept after AWS expires them (history).
CREATE TABLE findings (
    finding_id     TEXT PRIMARY KEY,
    region         TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,  -- the finding's own accountId
    detector_id    TEXT,
    type           TEXT    NOT NULL,
    severity       REAL    NOT NULL,
    title          TEXT,
    description    TEXT,
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
    raw_json       TEXT    NOT NULL
) STRICT;
CREATE INDEX findings_region_updated ON findings(region, updated_ms);
CREATE INDEX findings_account ON findings(account_id);
CREATE INDEX findings_created ON findings(created_ms);

-- Incremental sync state per region. The watermark only moves after a region
-- completes, so a crash re-fetches and never skips.
CREATE TABLE region_sync (
    region         TEXT PRIMARY KEY,
    detector_id    TEXT    NOT NULL,
    watermark_ms   INTEGER NOT NULL,  -- next run lists updatedAt >= watermark_ms - overlap
    last_success_run_id INTEGER NOT NULL,
    last_full_sync_run_id INTEGER
) STRICT;

-- Usage statistics (GetUsageStatistics), per run and region.
--   kind 'account':         SUM_BY_ACCOUNT        (account_id set, feature '')
--   kind 'feature':         SUM_BY_FEATURES       (feature set, account_id '')
--   kind 'account_feature': SUM_BY_FEATURES for one account (both set)
CREATE TABLE usage_costs (
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('account', 'feature', 'account_feature')),
    account_id     TEXT    NOT NULL DEFAULT '',
    feature        TEXT    NOT NULL DEFAULT '',
    amount         TEXT    NOT NULL,  -- exact decimal text from AWS, e.g. "12.3456"
    unit           TEXT    NOT NULL,  -- "USD"
    window_start_ms INTEGER NOT NULL, -- GuardDuty reports the last 30 days
    window_end_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, region, kind, account_id, feature)
) STRICT;
