/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_ORG_API_H
#define GD_COLLECTOR_ORG_API_H
/* AWS Organizations calls gdreport makes (json 1.1 protocol: POST /,
 * X-Amz-Target AWSOrganizationsV20161128.<Op>, PascalCase keys; signed for
 * the partition's global-service region). Parsers are pure; the call
 * wrappers make one gd_aws_call each (the client retries). */
#include <stddef.h>
#include <jansson.h>
#include "aws/aws_client.h"
#include "common/err.h"

typedef struct gd_org_description {
    char id[64];
    char management_account_id[16];
    char management_account_email[256];
} gd_org_description;

enum gd_org_state {
    GD_ORG_COLLECTED = 0,
    GD_ORG_NOT_IN_ORG,     /* AWSOrganizationsNotInUseException */
    GD_ORG_DENIED,         /* AccessDenied*: not fatal */
    GD_ORG_FAILED
};

/* Returns 0 and sets *state; err holds the reason when state != COLLECTED.
 * Only out-of-memory is returned as an error. */
int gd_org_describe(gd_aws_client *c, const char *partition, gd_org_description *out,
                    int *state, gd_err *err);
int gd_org_parse_description(const json_t *root, gd_org_description *out, gd_err *err);

typedef struct gd_org_account {
    char id[16];
    char *name, *email, *status;   /* owned, may be NULL */
} gd_org_account;

typedef struct gd_org_accounts {
    gd_org_account *v;
    size_t n, cap;
} gd_org_accounts;

/* Appends one ListAccounts page to out; *next is a new string or NULL. */
int gd_org_parse_accounts_page(const json_t *root, gd_org_accounts *out, char **next,
                               gd_err *err);
/* Every account (MaxResults 20, looping through empty pages until the token
 * ends). Returns 0 and *state as for gd_org_describe. A listing still going
 * at deadline_mono_ms (gd_time_monotonic_ms clock), a repeated, non-string or
 * oversized NextToken ends it with *state GD_ORG_FAILED and err saying why:
 * never read as "no more accounts". */
int gd_org_list_accounts(gd_aws_client *c, const char *partition, int64_t deadline_mono_ms,
                         gd_org_accounts *out, int *state, gd_err *err);
void gd_org_accounts_free(gd_org_accounts *a);

#endif
