/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_GD_API_H
#define GD_COLLECTOR_GD_API_H
/* GuardDuty rest-json operations used by the collector (GuardDuty API
 * Reference; botocore data/guardduty/2017-11-28/service-2.json): request building and response parsing. Pure functions: no I/O, no
 * clock. The collector sends the built gd_aws_request with gd_aws_call.
 *
 * Everything AWS sends is treated as hostile: wrong types, missing required
 * keys and ids of absurd length are GD_E_PARSE (so the caller retries the
 * request); optional fields that are absent or of the wrong type are NULL.
 * Parsed structs own their strings (free with the matching _free). */
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "aws/aws_client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/strpool.h"
#include "store/store.h"

#define GD_API_PAGE_MAX 50          /* maxResults for every paged GuardDuty call */
#define GD_API_BATCH_MAX 50         /* ids per GetFindings / GetMemberDetectors / usage accountIds */
#define GD_API_ID_MAX 300           /* finding / detector id length (model) */
#define GD_API_TOKEN_MAX 65536      /* a longer nextToken is treated as malformed */

/* ---- Pagination ---------------------------------------------------------- */
/* Follows nextToken: done on an absent, null or "" token. A token already
 * seen in this listing (botocore R10: never loop) fails the listing: it is
 * never read as "no more pages", which would drop the rest silently. Loops
 * are bounded by the region budget (gd_region_call) or the run budget
 * (ListAccounts), not by a page count. */
typedef struct gd_pager {
    char *token;            /* token to send next, NULL on the first page; owned */
    uint64_t *seen;         /* hashes of tokens received; owned */
    size_t n_seen, cap_seen;
    int done;               /* 1: no more pages */
    int repeated;           /* 1: stopped because a token repeated */
    size_t pages;
} gd_pager;

void gd_pager_init(gd_pager *p);
void gd_pager_free(gd_pager *p);
/* Records the response's token (NULL, "" or a string). Returns 0, GD_E_NOMEM,
 * or GD_E_PARSE when the token repeated (p->repeated, p->done set). */
int gd_pager_next(gd_pager *p, const char *response_token);
/* Why gd_pager_next failed, as "OP: ..." in err; returns its code. */
int gd_pager_fail(const gd_pager *p, int code, const char *op, gd_err *err);
/* The next-page token of a response object: 0 with *token NULL when the
 * member is absent, null or "" (the last page), 0 with *token borrowed from
 * root, or GD_E_PARSE when it is not a string or longer than
 * GD_API_TOKEN_MAX (err says which): that listing fails. */
int gd_api_page_token(const json_t *root, const char *key, const char **token, gd_err *err);

/* ---- Requests ------------------------------------------------------------ */
/* A request with its storage: path, query and body are owned by the struct. */
typedef struct gd_api_req {
    gd_aws_request req;
    gd_buf path;
    gd_buf query;
    char *body;
} gd_api_req;

void gd_api_req_free(gd_api_req *r);

int gd_api_req_list_detectors(gd_api_req *r, const char *region, const char *next_token,
                              gd_err *err);
int gd_api_req_get_detector(gd_api_req *r, const char *region, const char *detector_id,
                            gd_err *err);
int gd_api_req_org_config(gd_api_req *r, const char *region, const char *detector_id,
                          const char *next_token, gd_err *err);
int gd_api_req_get_administrator(gd_api_req *r, const char *region, const char *detector_id,
                                 gd_err *err);
/* onlyAssociated=false: members not yet invited or disassociated too. */
int gd_api_req_list_members(gd_api_req *r, const char *region, const char *detector_id,
                            const char *next_token, gd_err *err);
int gd_api_req_member_detectors(gd_api_req *r, const char *region, const char *detector_id,
                                const char *const *account_ids, size_t n, gd_err *err);
/* GetRemainingFreeTrialDays for 1..50 account ids (the model's AccountIds limit). */
int gd_api_req_free_trial(gd_api_req *r, const char *region, const char *detector_id,
                          const char *const *account_ids, size_t n, gd_err *err);

/* ListFindings, sorted by updatedAt ASC, 50 per page. since_ms >= 0 adds
 * updatedAt >= since_ms; archived is -1 (any), 0 or 1 (service.archived);
 * sev_ge / sev_lt > 0 add the criterion "severity" with greaterThanOrEqual /
 * lessThan (0: no such bound). Ranges [a, b) of whole numbers are disjoint and
 * together exhaustive for any double; the model's values are longs, and with
 * whole-number bounds x >= n and x < n mean the same whether AWS compares
 * the double or its whole part. */
typedef struct gd_list_findings_filter {
    int64_t since_ms;
    int archived;
    int sev_ge, sev_lt;
} gd_list_findings_filter;
int gd_api_req_list_findings(gd_api_req *r, const char *region, const char *detector_id,
                             const gd_list_findings_filter *filter, const char *next_token,
                             gd_err *err);
/* GetFindingsStatistics of the unarchived findings (service.archived =
 * false), grouped by severity: one call per region for the completeness
 * check (region_worker.c). */
#define GD_API_STATS_GROUPS_MAX 100   /* the model's MaxResults100 */
int gd_api_req_findings_statistics(gd_api_req *r, const char *region, const char *detector_id,
                                   gd_err *err);
/* Sums the groups into by_band (low, medium, high, critical). *complete is 0
 * when the group limit was reached (more severities may exist). */
int gd_api_parse_findings_statistics(const json_t *root, int64_t by_band[4], int *complete,
                                     gd_err *err);
int gd_api_req_get_findings(gd_api_req *r, const char *region, const char *detector_id,
                            const char *const *ids, size_t n, gd_err *err);
/* type: "SUM_BY_ACCOUNT" | "SUM_BY_FEATURES" | "TOP_ACCOUNTS_BY_FEATURE".
 * n == 0: no accountIds (all). */
int gd_api_req_usage(gd_api_req *r, const char *region, const char *detector_id,
                     const char *type, const char *const *account_ids, size_t n,
                     const char *next_token, gd_err *err);
/* The same with usageCriteria.features = [feature] (feature NULL: none). */
int gd_api_req_usage_feature(gd_api_req *r, const char *region, const char *detector_id,
                             const char *type, const char *const *account_ids, size_t n,
                             const char *feature, const char *next_token, gd_err *err);

/* ---- Responses ----------------------------------------------------------- */
/* Parses a response body that must be a JSON object. allow_empty: an empty
 * body (GetAdministratorAccount from the admin itself) gives an empty
 * object. *out is new (json_decref). */
int gd_api_parse_body(const char *body, size_t len, int allow_empty, json_t **out,
                      gd_err *err);

/* A page of ids (ListDetectors "detectorIds", ListFindings "findingIds"). */
typedef struct gd_id_page {
    char **ids;
    size_t n;
    char *next_token;       /* NULL at the end */
    char *text;             /* NULL: each ids[i] is its own allocation; else the one
                               block they all point into (id_page_scan.c) */
} gd_id_page;
int gd_api_parse_id_page(const json_t *root, const char *key, gd_id_page *out, gd_err *err);
void gd_id_page_free(gd_id_page *p);

typedef struct gd_api_feature {
    char *name;
    char *status;           /* detector/member: ENABLED | DISABLED; org config: NULL */
    char *auto_enable;      /* org config: NEW | ALL | NONE; else NULL */
    char *additional_json;  /* additionalConfiguration as compact JSON, or NULL */
} gd_api_feature;

typedef struct gd_api_detector {
    char *status, *finding_publishing_frequency, *created_at, *updated_at;
    gd_api_feature *features;
    size_t n_features;
} gd_api_detector;
int gd_api_parse_detector(const json_t *root, gd_api_detector *out, gd_err *err);
void gd_api_detector_free(gd_api_detector *d);

typedef struct gd_api_org_config {
    char *auto_enable_members;   /* NEW | ALL | NONE or NULL */
    int member_account_limit_reached;  /* -1 unknown */
    gd_api_feature *features;
    size_t n_features;
    char *next_token;
} gd_api_org_config;
int gd_api_parse_org_config(const json_t *root, gd_api_org_config *out, gd_err *err);
void gd_api_org_config_free(gd_api_org_config *c);

/* GetAdministratorAccount: administrator.accountId, or "" when the body is
 * empty / has no administrator (the caller is the admin or standalone). */
int gd_api_parse_administrator(const json_t *root, char *account, size_t n, gd_err *err);

typedef struct gd_api_member {
    char *account_id, *detector_id, *relationship_status, *email, *administrator_id;
    char *invited_at, *updated_at;
} gd_api_member;
typedef struct gd_api_members_page {
    gd_api_member *members;
    size_t n;
    char *next_token;
} gd_api_members_page;
/* Members whose accountId is not 12 digits are skipped (counted in *skipped). */
int gd_api_parse_members(const json_t *root, gd_api_members_page *out, size_t *skipped,
                         gd_err *err);
void gd_api_members_page_free(gd_api_members_page *p);
/* Frees the strings one member owns (not m itself). */
void gd_api_member_free(gd_api_member *m);

typedef struct gd_api_member_detector {
    char *account_id;
    gd_api_feature *features;
    size_t n_features;
} gd_api_member_detector;
typedef struct gd_api_unprocessed {
    char *account_id;
    char *result;
} gd_api_unprocessed;
typedef struct gd_api_member_detectors {
    gd_api_member_detector *members;
    size_t n;
    gd_api_unprocessed *unprocessed;
    size_t n_unprocessed;
} gd_api_member_detectors;
int gd_api_parse_member_detectors(const json_t *root, gd_api_member_detectors *out,
                                  gd_err *err);
void gd_api_member_detectors_free(gd_api_member_detectors *m);

/* GetFindings. rows[i] strings and raw[i] (one finding's JSON,
 * NUL-terminated) point into memory the page owns; valid until
 * gd_api_findings_free. Two producers:
 *  - gd_api_parse_findings (jansson): strings point into the tree kept in
 *    root; raw[i] is the compact re-serialised finding, all in raw_buf.
 *  - the one-pass scanner (gd_api_findings_from_buf / _from_body,
 *    fast_path = 1): root is NULL; raw_buf is the body itself (taken over
 *    from the response, or a copy), in which raw[i] is the finding's own
 *    bytes as AWS sent them (json_equal to what the jansson path dumps); the
 *    decoded strings the rows point to are in raw_strings; a finding whose
 *    text was repaired has its raw[i] in raw_extra, as the jansson path
 *    dumps it.
 * A finding lacking id/accountId/type/severity/createdAt/updatedAt, or with a
 * bad timestamp, makes the whole response fail (GD_E_PARSE from
 * gd_api_parse_findings, GD_API_E_BAD_FINDING from gd_api_findings_from_body). */
typedef struct gd_api_findings {
    gd_finding_row *rows;     /* owned array */
    char **raw;               /* owned array of pointers into raw_buf */
    char *raw_buf;            /* owned */
    char *raw_extra;          /* owned: the scanner's re-dumped findings, or NULL */
    struct gd_scan_chunk *raw_strings; /* owned: the scanner's decoded strings, or NULL */
    size_t n;
    json_t *root;             /* owned reference, or NULL */
    int fast_path;            /* 1: rows came from the one-pass scanner */
} gd_api_findings;
int gd_api_parse_findings(json_t *root, const char *region, const char *detector_id,
                          gd_api_findings *out, gd_err *err);
void gd_api_findings_free(gd_api_findings *f);

/* "The body is valid JSON but a finding in it is malformed" (or the findings
 * array is missing / not an array / too long): asking AWS again will not
 * help; the caller splits the batch to isolate the finding. err->code is set
 * to it. */
#define GD_API_E_BAD_FINDING GD_E_BAD_ITEM

/* A GetFindings body (borrowed; len bytes, need not be NUL-terminated) to
 * rows in *out (new: gd_api_findings_free; region and detector_id are
 * borrowed by the rows). Tries the one-pass scanner (collector/findings_scan.h)
 * and falls back to gd_api_parse_body + gd_api_parse_findings whenever it
 * declines, so the result is always what the jansson path gives. Returns:
 *   0                     rows ready;
 *   GD_E_PARSE            the body is unusable as JSON (ask AWS again);
 *   GD_API_E_BAD_FINDING  valid JSON, but a finding is malformed;
 *   GD_E_NOMEM.
 * On failure *out is empty and err says why. */
int gd_api_findings_from_body(const char *body, size_t len, const char *region,
                              const char *detector_id, gd_api_findings *out, gd_err *err);
/* The same for a response body in a gd_buf: when the scanner takes the page,
 * the rows keep body's data itself (no copy; body is left empty); otherwise
 * body is left as it was, for its owner to free. */
int gd_api_findings_from_buf(gd_buf *body, const char *region, const char *detector_id,
                             gd_api_findings *out, gd_err *err);

/* State for gd_api_findings_body_parser. Zero it, then set region and
 * detector_id (borrowed; they must outlive out). */
/* 1 when service.additionalInfo.value (the JSON text AWS sends there; NULL
 * when absent) marks a CreateSampleFindings sample: a JSON object whose
 * "sample" is true. Both finding parsers (jansson and findings_scan.c) and
 * schema/003's backfill use this rule. */
int gd_api_is_sample_marker(const char *additional_info_value);

typedef struct gd_api_findings_ud {
    const char *region, *detector_id;
    gd_api_findings out;      /* the rows on success; the caller frees it */
    int malformed;            /* 1: GD_API_E_BAD_FINDING (why in bad.msg), out empty */
    gd_err bad;
} gd_api_findings_ud;

/* A gd_body_parser (collector/region_call.h) for GetFindings: ud is a
 * gd_api_findings_ud. Returns 0 with ud->out filled, or 0 with ud->malformed
 * set (the body is fine, so it is not asked for again: the caller splits the
 * batch), or GD_E_PARSE / GD_E_NOMEM (the call is sent again). A page the
 * scanner takes keeps body's data (gd_api_findings_from_buf); otherwise
 * nothing of body is kept. Safe to call again (a new round): it frees what
 * an earlier call left in ud->out. */
int gd_api_findings_body_parser(void *ud, gd_buf *body, gd_err *err);

/* GetUsageStatistics: sumByAccount (key = accountId), sumByFeature
 * (key = feature) or topAccountsByFeature (key = accountId, feature set; a
 * feature listed with no accounts gives no entry). Amounts are kept as the
 * exact text AWS sent. An amount outside common/validate.h's amount rules
 * fails the whole page with GD_API_E_BAD_AMOUNT and a message naming the
 * amount, its key and the reason ("invalid amount ..."): the caller records
 * the region's cost as 'invalid' and stores none of it. Any other problem is
 * GD_E_PARSE or GD_E_NOMEM. */
#define GD_API_E_BAD_AMOUNT GD_E_BAD_ITEM
/* The gd_call_fail code collector/usage_sync.c gives that failure. */
#define GD_API_INVALID_AMOUNT_CODE "InvalidAmount"
typedef struct gd_api_usage_entry {
    char *key;
    char *amount;
    char *unit;
    char *feature;            /* TOP_ACCOUNTS_BY_FEATURE only, else NULL */
} gd_api_usage_entry;
typedef struct gd_api_usage_page {
    gd_api_usage_entry *entries;
    size_t n;
    char *next_token;
    gd_strpool pool;          /* empty: each entry's strings are their own allocations
                                 (the jansson path); else they all point into it
                                 (usage_scan.c: no allocation per string) */
} gd_api_usage_page;
int gd_api_parse_usage(const json_t *root, const char *type, gd_api_usage_page *out,
                       gd_err *err);
void gd_api_usage_page_free(gd_api_usage_page *p);

/* ---- Small validators ---------------------------------------------------- */
int gd_api_is_account_id(const char *s);   /* exactly 12 ASCII digits */
/* Copies s into out (size n) replacing control characters with '?', so an
 * AWS message can go into a log line or a one-line error. */
void gd_api_clean_text(char *out, size_t n, const char *s);

#endif
