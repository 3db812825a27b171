/* SPDX-License-Identifier: Apache-2.0 */
/* Region scope: GuardDuty's partition list intersected with Account ListRegions. */
#include "collector/regions.h"
#include "aws/endpoints.h"
#include "collector/gd_api.h"
#include "common/log.h"
#include "common/names.h"

#include <stdlib.h>
#include <string.h>

#define REGIONS_MAX_PAGES 100
#define REGIONS_PARSE_ATTEMPTS 3

static int contains(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

static int push(char ***v, size_t *n, const char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return GD_E_NOMEM;
    *v = nv;
    nv[*n] = strdup(s);
    if (!nv[*n])
        return GD_E_NOMEM;
    (*n)++;
    return 0;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int gd_regions_parse_flag(const char *value, char ***out, size_t *n, int *all, gd_err *err)
{
    *out = NULL;
    *n = 0;
    *all = 0;
    if (!value || !strcmp(value, "all")) {
        *all = 1;
        return 0;
    }
    const char *p = value;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        /* "a, b" (from GDREPORT_REGIONS or a pasted list): blanks around items are fine. */
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        char name[40];
        if (len == 0 || len >= sizeof name) {
            free_list(*out, *n);
            *out = NULL;
            *n = 0;
            return gd_err_set(err, GD_E_USAGE, "--regions: bad region list '%.100s'", value);
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (!gd_region_name_valid(name)) {
            free_list(*out, *n);
            *out = NULL;
            *n = 0;
            return gd_err_set(err, GD_E_USAGE, "--regions: '%s' is not a region name", name);
        }
        if (!contains(*out, *n, name) && push(out, n, name) != 0)
            return gd_err_set(err, GD_E_NOMEM, "--regions: out of memory");
        p = end ? end + 1 : p + strlen(p);
    }
    if (*n == 0)
        return gd_err_set(err, GD_E_USAGE, "--regions: empty list");
    return 0;
}

int gd_regions_parse_page(const json_t *root, char ***names, size_t *n, char **next,
                          gd_err *err)
{
    *next = NULL;
    const json_t *arr = json_object_get(root, "Regions");
    if (arr && !json_is_array(arr) && !json_is_null(arr))
        return gd_err_set(err, GD_E_PARSE, "ListRegions: \"Regions\" is not an array");
    for (size_t i = 0; arr && i < json_array_size(arr); i++) {
        const json_t *it = json_array_get(arr, i);
        const char *name = json_string_value(json_object_get(it, "RegionName"));
        const char *st = json_string_value(json_object_get(it, "RegionOptStatus"));
        if (!gd_region_name_valid(name) || !st)
            continue;
        if (strcmp(st, "ENABLED") != 0 && strcmp(st, "ENABLED_BY_DEFAULT") != 0)
            continue;
        if (!contains(*names, *n, name) && push(names, n, name) != 0)
            return gd_err_set(err, GD_E_NOMEM, "ListRegions: out of memory");
    }
    const char *t = NULL;
    if (gd_api_page_token(root, "NextToken", &t, err) != 0) {
        gd_err_prefix(err, "ListRegions");
        return GD_E_PARSE;
    }
    if (t && !(*next = strdup(t)))
        return gd_err_set(err, GD_E_NOMEM, "ListRegions: out of memory");
    return 0;
}

/* One ListRegions page; *root new on success. Malformed bodies are re-asked. */
static int list_regions_page(gd_aws_client *c, const char *partition, const char *token,
                             json_t **root, int *denied, gd_err *err)
{
    json_t *req = json_pack("{s:[s,s],s:i}", "RegionOptStatusContains", "ENABLED",
                            "ENABLED_BY_DEFAULT", "MaxResults", 50);
    if (req && token)
        json_object_set_new(req, "NextToken", json_string(token));
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return gd_err_set(err, GD_E_NOMEM, "ListRegions: out of memory");
    gd_aws_request r = {
        .service = "account", .region = gd_global_service_region("account", partition),
        .operation = "ListRegions", .method = "POST", .path = "/listRegions",
        .content_type = "application/json", .body = body, .body_len = strlen(body),
    };
    int rc = 0;
    for (int attempt = 1; attempt <= REGIONS_PARSE_ATTEMPTS; attempt++) {
        gd_aws_response resp;
        gd_aws_response_init(&resp);
        rc = gd_aws_call(c, &r, &resp, err);
        if (rc) {
            *denied = resp.error_kind == GD_AWS_ACCESS_DENIED;
            gd_aws_response_free(&resp);
            break;
        }
        rc = gd_api_parse_body(resp.body.data, resp.body.len, 0, root, err);
        gd_aws_response_free(&resp);
        if (!rc)
            break;
        gd_err_prefix(err, "%s ListRegions", r.region);
    }
    free(body);
    return rc;
}

/* Enabled regions by ListRegions into (*names, *n). */
static int list_enabled(gd_aws_client *c, const char *partition, char ***names, size_t *n,
                        int *denied, gd_err *err)
{
    gd_pager pager;
    gd_pager_init(&pager);
    int rc = 0;
    while (!rc && !pager.done && pager.pages < REGIONS_MAX_PAGES) {
        json_t *root = NULL;
        rc = list_regions_page(c, partition, pager.token, &root, denied, err);
        if (rc)
            break;
        char *next = NULL;
        rc = gd_regions_parse_page(root, names, n, &next, err);
        json_decref(root);
        if (!rc && (rc = gd_pager_next(&pager, next)) != 0)
            gd_pager_fail(&pager, rc, "ListRegions", err);
        free(next);
    }
    gd_pager_free(&pager);
    return rc;
}

static int scope_add(gd_region_scope *s, const char *name, int enabled)
{
    int *ne = realloc(s->enabled, (s->n + 1) * sizeof *ne);
    if (!ne)
        return GD_E_NOMEM;
    s->enabled = ne;
    size_t before = s->n;
    if (push(&s->names, &before, name) != 0)
        return GD_E_NOMEM;
    s->enabled[s->n++] = enabled;
    return 0;
}

int gd_regions_resolve(gd_aws_client *c, const char *partition,
                       const char *const *explicit_list, size_t n_explicit,
                       gd_region_scope *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    if (explicit_list) {
        snprintf(out->source, sizeof out->source, "flag");
        for (size_t i = 0; i < n_explicit; i++)
            if (scope_add(out, explicit_list[i], 1) != 0)
                return gd_err_set(err, GD_E_NOMEM, "regions: out of memory");
        return 0;
    }
    size_t n_part = 0;
    const char *const *part = gd_guardduty_regions(partition, &n_part);
    char **enabled = NULL;
    size_t n_enabled = 0;
    int denied = 0;
    gd_err lerr = {0};
    int rc = list_enabled(c, partition, &enabled, &n_enabled, &denied, &lerr);
    if (rc == GD_E_NOMEM) {
        free_list(enabled, n_enabled);
        return gd_err_set(err, rc, "%s", lerr.msg);
    }
    if (rc) {
        /* Without ListRegions every partition region is called; a disabled
         * one then answers UnrecognizedClientException and is recorded so. */
        snprintf(out->source, sizeof out->source, "%s",
                 denied ? "partition (ListRegions denied)" : "partition (ListRegions failed)");
        gd_api_clean_text(out->message, sizeof out->message, lerr.msg);
        gd_log(GD_LOG_WARN, NULL, "ListRegions", NULL, "%s; trying every %s region",
               out->message, partition);
    } else {
        snprintf(out->source, sizeof out->source, "account:ListRegions");
    }
    for (size_t i = 0; i < n_part; i++) {
        int on = rc ? 1 : contains(enabled, n_enabled, part[i]);
        if (scope_add(out, part[i], on) != 0) {
            free_list(enabled, n_enabled);
            return gd_err_set(err, GD_E_NOMEM, "regions: out of memory");
        }
    }
    free_list(enabled, n_enabled);
    return 0;
}

void gd_region_scope_free(gd_region_scope *s)
{
    if (!s)
        return;
    free_list(s->names, s->n);
    free(s->enabled);
    memset(s, 0, sizeof *s);
}
