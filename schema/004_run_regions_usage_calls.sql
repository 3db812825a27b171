-- SPDX-License-Identifier: Apache-2.0
-- GetUsageStatistics requests (pages, not counting the client's retries) the
-- region's usage step sent in this run: the cost of the usage scheme is
-- visible per run (docs/scaling.md gives the budget). 0 for older runs and
-- for runs without cost.
ALTER TABLE run_regions ADD COLUMN usage_calls INTEGER NOT NULL DEFAULT 0;
