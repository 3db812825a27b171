-- SPDX-License-Identifier: Apache-2.0
-- gdreport store, version 2: a covering index for the export's finding counts.
--
-- `gdreport export` counts every finding in scope by account, region, type,
-- plan, band, week (store/report_query.c, gd_rq_finding_groups). Without this
-- index it reads the whole findings table, raw_json included (~2.6 KB per
-- real finding: ~2.6 GB for 1,000,000 findings); with it, an index-only scan
-- of the eight columns it needs (~100 MB), and the rows come grouped by
-- account, region and type, so the per-row lookups repeat the last one.
--
-- findings_account(account_id) is a prefix of this index: every query it
-- served (distinct accounts, an account filter) is served by this one.
CREATE INDEX findings_report ON findings(account_id, region, type, feature_name, archived,
                                         severity, created_ms, updated_ms);
DROP INDEX findings_account;
