-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 5: where a finding leads, extracted once.
--
-- resource_id:      the finding's main resource id: json_extract(raw_json,
--                   <path of its resource_type>) with the one table in
--                   common/resource_paths.c; NULL when the type is not in
--                   the table or the finding has no such detail.
-- event_first_seen: json_extract(raw_json, '$.service.eventFirstSeen')
-- event_last_seen:  json_extract(raw_json, '$.service.eventLastSeen')
--
-- Written by the store with every finding it writes (store/store_findings.c)
-- and, for the rows stored before this version, filled from raw_json in this
-- migration's transaction (store/store_finding_leads.c: the table lives in
-- C, so SQL does not hold a second copy of it). Before, the export read
-- raw_json of every finding in scope to rank resources (report/leads.c) and
-- for the Findings sheet's columns; now the summary never reads raw_json.

ALTER TABLE findings ADD COLUMN resource_id TEXT;
ALTER TABLE findings ADD COLUMN event_first_seen TEXT;
ALTER TABLE findings ADD COLUMN event_last_seen TEXT;

-- The export's counts stay index-only (schema/002, 003); the top-resources
-- count (store/report_query.c, gd_rq_leads) becomes index-only too with the
-- resource columns appended after the old ones (the account seek and every
-- existing query's plan are unchanged).
DROP INDEX findings_report;
CREATE INDEX findings_report ON findings(account_id, region, type, feature_name, archived,
                                         severity, created_ms, updated_ms, sample,
                                         archived_at_ms, expired_at_ms, resource_type,
                                         resource_id);
