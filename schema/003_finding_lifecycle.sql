-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 3: finding lifecycle and free-trial days.
--
-- A stored finding is in exactly one lifecycle state, decided in this order:
--   sample   sample = 1: made by CreateSampleFindings (its
--            service.additionalInfo.value is a JSON string whose object has
--            "sample": true). Never a threat, whatever else is true of it.
--   expired  expired_at_ms IS NOT NULL: absent from a complete ListFindings
--            listing of its region (archived and unarchived both listed) and
--            confirmed absent by GetFindings. The row is kept (history).
--   archived archived = 1.
--   active   everything else.
--
-- archived_at_ms: when gdreport first saw the finding archived (collect time,
-- epoch ms); NULL when it is not archived or was archived before this
-- version of gdreport stored it (unknown). Cleared when AWS unarchives it.
-- expired_at_ms: when gdreport found it expired; cleared if it reappears.

ALTER TABLE findings ADD COLUMN sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1));
ALTER TABLE findings ADD COLUMN archived_at_ms INTEGER;
ALTER TABLE findings ADD COLUMN expired_at_ms INTEGER;

-- Findings stored before this version: the same sample rule as the collector
-- (collector/gd_api.c, gd_api_is_sample_marker), in SQL. instr() first, so
-- only the few rows that mention "sample" pay for JSON parsing; CASE keeps
-- json_extract away from text that is not JSON.
UPDATE findings SET sample = 1
 WHERE instr(raw_json, 'sample') > 0
   AND CASE WHEN json_valid(raw_json)
             AND json_type(raw_json, '$.service.additionalInfo.value') = 'text'
            THEN CASE WHEN json_valid(json_extract(raw_json, '$.service.additionalInfo.value'))
                      THEN json_type(json_extract(raw_json, '$.service.additionalInfo.value'),
                                     '$.sample') = 'true'
                      ELSE 0 END
            ELSE 0 END;

-- The export's counts stay index-only (schema/002): the covering index gains
-- the lifecycle columns, after the old ones so the account seek is unchanged.
DROP INDEX findings_report;
CREATE INDEX findings_report ON findings(account_id, region, type, feature_name, archived,
                                         severity, created_ms, updated_ms, sample,
                                         archived_at_ms, expired_at_ms);

-- GetRemainingFreeTrialDays, per run, region, account and feature
-- (FreeTrialFeatureResult name, verbatim, e.g. EKS_RUNTIME_MONITORING).
CREATE TABLE free_trial_days (
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    feature        TEXT    NOT NULL,
    days_left      INTEGER NOT NULL CHECK (days_left >= 0),
    PRIMARY KEY (run_id, region, account_id, feature)
) STRICT;

-- Whether the free-trial call worked in a region and run: 'collected',
-- 'denied' (an SCP or policy refused GetRemainingFreeTrialDays: recorded, not
-- fatal) or 'failed'. A region with no row was not asked (no detector).
CREATE TABLE free_trial_regions (
    run_id         INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('collected', 'denied', 'failed')),
    message        TEXT,
    PRIMARY KEY (run_id, region)
) STRICT;
