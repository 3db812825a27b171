/* SPDX-License-Identifier: Apache-2.0 */
/* AWS Organizations: DescribeOrganization and ListAccounts (Organizations API Reference; botocore data/organizations/2016-11-28/service-2.json). */
#include "collector/org_api.h"
#include "aws/endpoints.h"
#include "common/timeutil.h"
#include "collector/gd_api.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#define ORG_PARSE_ATTEMPTS 3     /* a malformed 2xx body is asked for again */
#define ORG_MAX_PAGES 100000     /* 2 million accounts: far above any org */

static int classify(const gd_aws_response *resp)
{
    if (!strcmp(resp->error_code, "AWSOrganizationsNotInUseException"))
        return GD_ORG_NOT_IN_ORG;
    if (resp->error_kind == GD_AWS_ACCESS_DENIED ||
        !strncmp(resp->error_code, "AccessDenied", 12))
        return GD_ORG_DENIED;
    return GD_ORG_FAILED;
}

/* One json-1.1 call; *root is new on GD_ORG_COLLECTED. */
static int org_call(gd_aws_client *c, const char *partition, const char *op, const char *body,
                    json_t **root, int *state, gd_err *err)
{
    char target[96];
    snprintf(target, sizeof target, "AWSOrganizationsV20161128.%s", op);
    gd_aws_request req = {
        .service = "organizations",
        .region = gd_global_service_region("organizations", partition),
        .operation = op, .method = "POST", .path = "/", .target = target,
        .content_type = "application/x-amz-json-1.1", .body = body, .body_len = strlen(body),
    };
    *root = NULL;
    for (int attempt = 1;; attempt++) {
        gd_aws_response resp;
        gd_aws_response_init(&resp);
        int rc = gd_aws_call(c, &req, &resp, err);
        if (rc) {
            *state = classify(&resp);
            gd_aws_response_free(&resp);
            return 0;
        }
        gd_err perr;
        rc = gd_api_parse_body(resp.body.data, resp.body.len, 0, root, &perr);
        if (!rc) {
            gd_aws_response_free(&resp);
            *state = GD_ORG_COLLECTED;
            return 0;
        }
        gd_log(GD_LOG_WARN, req.region, op, resp.request_id, "bad response body: %s", perr.msg);
        gd_aws_response_free(&resp);
        if (attempt >= ORG_PARSE_ATTEMPTS) {
            *state = GD_ORG_FAILED;
            gd_err_set(err, GD_E_PARSE, "%s %s: %s", req.region, op, perr.msg);
            return 0;
        }
    }
}

int gd_org_parse_description(const json_t *root, gd_org_description *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *org = json_object_get(root, "Organization");
    if (!json_is_object(org))
        return gd_err_set(err, GD_E_PARSE, "DescribeOrganization: no \"Organization\" object");
    const char *mgmt = json_string_value(json_object_get(org, "MasterAccountId"));
    if (!gd_api_is_account_id(mgmt))
        return gd_err_set(err, GD_E_PARSE, "DescribeOrganization: bad MasterAccountId");
    snprintf(out->management_account_id, sizeof out->management_account_id, "%s", mgmt);
    const char *id = json_string_value(json_object_get(org, "Id"));
    gd_api_clean_text(out->id, sizeof out->id, id ? id : "");
    const char *email = json_string_value(json_object_get(org, "MasterAccountEmail"));
    gd_api_clean_text(out->management_account_email, sizeof out->management_account_email,
                      email ? email : "");
    return 0;
}

int gd_org_describe(gd_aws_client *c, const char *partition, gd_org_description *out,
                    int *state, gd_err *err)
{
    json_t *root;
    memset(out, 0, sizeof *out);
    int rc = org_call(c, partition, "DescribeOrganization", "{}", &root, state, err);
    if (rc || *state != GD_ORG_COLLECTED)
        return rc;
    if (gd_org_parse_description(root, out, err) != 0)
        *state = GD_ORG_FAILED;
    json_decref(root);
    return 0;
}

static int accounts_push(gd_org_accounts *a, const json_t *it)
{
    const char *id = json_string_value(json_object_get(it, "Id"));
    if (!gd_api_is_account_id(id))
        return 0;   /* not an account id: skip, never store garbage */
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        gd_org_account *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return GD_E_NOMEM;
        a->v = v;
        a->cap = cap;
    }
    gd_org_account *acc = &a->v[a->n++];
    memset(acc, 0, sizeof *acc);
    snprintf(acc->id, sizeof acc->id, "%s", id);
    const char *s;
    if ((s = json_string_value(json_object_get(it, "Name"))))
        acc->name = strdup(s);
    if ((s = json_string_value(json_object_get(it, "Email"))))
        acc->email = strdup(s);
    if ((s = json_string_value(json_object_get(it, "Status"))))
        acc->status = strdup(s);
    return 0;
}

int gd_org_parse_accounts_page(const json_t *root, gd_org_accounts *out, char **next,
                               gd_err *err)
{
    *next = NULL;
    const json_t *arr = json_object_get(root, "Accounts");
    if (arr && !json_is_array(arr) && !json_is_null(arr))
        return gd_err_set(err, GD_E_PARSE, "ListAccounts: \"Accounts\" is not an array");
    for (size_t i = 0; arr && i < json_array_size(arr); i++)
        if (accounts_push(out, json_array_get(arr, i)) != 0)
            return gd_err_set(err, GD_E_NOMEM, "ListAccounts: out of memory");
    const char *t = NULL;
    if (gd_api_page_token(root, "NextToken", &t, err) != 0) {
        gd_err_prefix(err, "ListAccounts");
        return GD_E_PARSE;
    }
    if (t && !(*next = strdup(t)))
        return gd_err_set(err, GD_E_NOMEM, "ListAccounts: out of memory");
    return 0;
}

int gd_org_list_accounts(gd_aws_client *c, const char *partition, int64_t deadline_mono_ms,
                         gd_org_accounts *out, int *state, gd_err *err)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int rc = 0;
    *state = GD_ORG_COLLECTED;
    while (!pager.done) {
        if (pager.pages >= ORG_MAX_PAGES || gd_time_monotonic_ms() >= deadline_mono_ms) {
            *state = GD_ORG_FAILED;
            gd_err_set(err, GD_E_TOO_BIG, "ListAccounts: stopped after %zu page(s) (%zu "
                       "accounts): the run's budget is spent and the service still returns a "
                       "NextToken", pager.pages, out->n);
            break;
        }
        json_t *req = json_pack("{s:i}", "MaxResults", 20);
        if (req && pager.token)
            json_object_set_new(req, "NextToken", json_string(pager.token));
        char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
        json_decref(req);
        if (!body) {
            rc = gd_err_set(err, GD_E_NOMEM, "ListAccounts: out of memory");
            break;
        }
        json_t *root = NULL;
        rc = org_call(c, partition, "ListAccounts", body, &root, state, err);
        free(body);
        if (rc || *state != GD_ORG_COLLECTED)
            break;
        char *next = NULL;
        /* Empty pages with a NextToken are normal: keep going until it ends. */
        rc = gd_org_parse_accounts_page(root, out, &next, err);
        json_decref(root);
        if (!rc && (rc = gd_pager_next(&pager, next)) != 0)
            gd_pager_fail(&pager, rc, "ListAccounts", err);
        free(next);
        if (rc) {
            *state = GD_ORG_FAILED;
            rc = rc == GD_E_NOMEM ? rc : 0;
            break;
        }
    }
    gd_pager_free(&pager);
    return rc;
}

void gd_org_accounts_free(gd_org_accounts *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].name);
        free(a->v[i].email);
        free(a->v[i].status);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}
