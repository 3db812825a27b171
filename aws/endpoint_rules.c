/* SPDX-License-Identifier: Apache-2.0 */
/* The endpoint rules evaluator (see endpoint_rules_internal.h). The rule
 * language is the one the SDKs share (Smithy "rules engine": a rule set is
 * a list of rules tried in order; a rule's conditions must all hold, then it
 * is a tree of more rules, an endpoint or an error). Rule sets and
 * partitions are parsed once, then only read, so threads share them. */
#include "aws/endpoint_rules_internal.h"

#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 16
#define MAX_SCRATCH 24
#define MAX_DEPTH 32
#define MAX_PARTITIONS 16

typedef enum { V_NONE = 0, V_STR, V_BOOL, V_OBJ } vtype;

typedef struct value {
    vtype t;
    const char *s;          /* V_STR: borrowed (rule set, params or scratch) */
    int b;                  /* V_BOOL */
    const json_t *obj;      /* V_OBJ: borrowed from the parsed partitions */
} value;

typedef struct eval_ctx {
    const gd_ep_params *params;
    struct { const char *name; value v; } vars[MAX_VARS];
    size_t n_vars;
    char scratch[MAX_SCRATCH][512];
    size_t n_scratch;
    char *error;            /* out->error */
    size_t error_n;
    int unsupported;
} eval_ctx;

static struct {
    pthread_once_t once;
    json_t *sets[8];
    json_t *partitions;     /* the "partitions" array */
    regex_t regex[MAX_PARTITIONS];
    int regex_ok[MAX_PARTITIONS];
} g = {PTHREAD_ONCE_INIT, {0}, NULL, {{0}}, {0}};

static void load_all(void)
{
    for (size_t i = 0; i < gd_ep_n_rule_sets && i < sizeof g.sets / sizeof *g.sets; i++)
        g.sets[i] = json_loads(gd_ep_rule_sets[i].json, 0, NULL);
    json_t *doc = json_loads(gd_ep_rules_partitions, 0, NULL);
    g.partitions = doc ? json_incref(json_object_get(doc, "partitions")) : NULL;
    json_decref(doc);
    for (size_t i = 0; g.partitions && i < json_array_size(g.partitions) && i < MAX_PARTITIONS;
         i++) {
        const char *rx = json_string_value(json_object_get(json_array_get(g.partitions, i),
                                                           "regionRegex"));
        g.regex_ok[i] = rx && regcomp(&g.regex[i], rx, REG_EXTENDED | REG_NOSUB) == 0;
    }
}

static void unsupported(eval_ctx *c, const char *what, const char *name)
{
    if (!c->unsupported)
        snprintf(c->error, c->error_n, "endpoint rules: unsupported %s '%.64s'", what,
                 name ? name : "?");
    c->unsupported = 1;
}

/* ---- values ------------------------------------------------------------ */

static value none(void)
{
    value v = {V_NONE, NULL, 0, NULL};
    return v;
}

static value str(const char *s)
{
    value v = {s ? V_STR : V_NONE, s, 0, NULL};
    return v;
}

static value boolean(int b)
{
    value v = {V_BOOL, NULL, b != 0, NULL};
    return v;
}

static value from_json(const json_t *j)
{
    if (json_is_string(j))
        return str(json_string_value(j));
    if (json_is_boolean(j))
        return boolean(json_is_true(j));
    if (json_is_object(j)) {
        value v = {V_OBJ, NULL, 0, j};
        return v;
    }
    return none();
}

static value lookup(eval_ctx *c, const char *name)
{
    for (size_t i = c->n_vars; i > 0; i--)
        if (!strcmp(c->vars[i - 1].name, name))
            return c->vars[i - 1].v;
    const gd_ep_params *p = c->params;
    if (!strcmp(name, "Region"))
        return str(p->region);
    if (!strcmp(name, "Endpoint"))
        return str(p->endpoint);
    if (!strcmp(name, "UseFIPS"))
        return boolean(p->use_fips);
    if (!strcmp(name, "UseDualStack"))
        return boolean(p->use_dualstack);
    if (!strcmp(name, "UseGlobalEndpoint"))
        return boolean(p->use_global_endpoint);
    return none();
}

/* getAttr paths: "name", "a.b", "list[0]". */
static value get_attr(const value *v, const char *path)
{
    if (v->t != V_OBJ || !path)
        return none();
    const json_t *cur = v->obj;
    char part[128];
    while (*path && cur) {
        size_t n = strcspn(path, ".[");
        if (n >= sizeof part)
            return none();
        if (n) {
            memcpy(part, path, n);
            part[n] = '\0';
            cur = json_object_get(cur, part);
        }
        path += n;
        if (*path == '[') {
            char *end;
            long idx = strtol(path + 1, &end, 10);
            if (*end != ']' || idx < 0)
                return none();
            cur = json_array_get(cur, (size_t)idx);
            path = end + 1;
        }
        if (*path == '.')
            path++;
    }
    return from_json(cur);
}

/* ---- templates: "https://x.{Region}.{PartitionResult#dnsSuffix}" ---------- */

static const char *expand(eval_ctx *c, const char *tpl)
{
    if (!strchr(tpl, '{'))
        return tpl;
    if (c->n_scratch >= MAX_SCRATCH) {
        unsupported(c, "template count", tpl);
        return NULL;
    }
    char *out = c->scratch[c->n_scratch++];
    size_t w = 0, cap = sizeof c->scratch[0];
    for (const char *p = tpl; *p;) {
        const char *piece = p;
        size_t len = 1;
        char ref[128];
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (*p == '{' && p[1] == '{') {
            p += 2; /* "{{" is a literal brace */
        } else if (*p == '}' && p[1] == '}') {
            p += 2;
        } else if (close && (size_t)(close - p - 1) < sizeof ref) {
            memcpy(ref, p + 1, (size_t)(close - p - 1));
            ref[close - p - 1] = '\0';
            char *hash = strchr(ref, '#');
            if (hash)
                *hash++ = '\0';
            value v = lookup(c, ref);
            if (hash)
                v = get_attr(&v, hash);
            if (v.t != V_STR) {
                unsupported(c, "template reference", ref);
                return NULL;
            }
            piece = v.s;
            len = strlen(v.s);
            p = close + 1;
        } else {
            p++;
        }
        if (w + len >= cap) {
            unsupported(c, "template length", tpl);
            return NULL;
        }
        memcpy(out + w, piece, len);
        w += len;
    }
    out[w] = '\0';
    return out;
}

/* ---- functions --------------------------------------------------------- */

static value eval_expr(eval_ctx *c, const json_t *e, int depth);

static value partition_of(const char *region)
{
    const json_t *fallback = NULL;
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < json_array_size(g.partitions); i++) {
            const json_t *p = json_array_get(g.partitions, i);
            const char *id = json_string_value(json_object_get(p, "id"));
            if (id && !strcmp(id, "aws"))
                fallback = p;
            int hit = pass == 0
                          ? json_object_get(json_object_get(p, "regions"), region) != NULL
                          : i < MAX_PARTITIONS && g.regex_ok[i] &&
                                regexec(&g.regex[i], region, 0, NULL, 0) == 0;
            if (hit)
                return from_json(json_object_get(p, "outputs"));
        }
    }
    /* No partition claims the region: the aws partition, as the SDKs do. */
    return fallback ? from_json(json_object_get(fallback, "outputs")) : none();
}

static value call_fn(eval_ctx *c, const char *fn, const json_t *argv, int depth)
{
    value a[2] = {none(), none()};
    size_t n = json_array_size(argv);
    for (size_t i = 0; i < n && i < 2; i++)
        a[i] = eval_expr(c, json_array_get(argv, i), depth + 1);
    if (!strcmp(fn, "isSet"))
        return boolean(a[0].t != V_NONE);
    if (!strcmp(fn, "not"))
        return boolean(!(a[0].t == V_BOOL && a[0].b));
    if (!strcmp(fn, "booleanEquals"))
        return boolean(a[0].t == V_BOOL && a[1].t == V_BOOL && a[0].b == a[1].b);
    if (!strcmp(fn, "stringEquals"))
        return boolean(a[0].t == V_STR && a[1].t == V_STR && !strcmp(a[0].s, a[1].s));
    if (!strcmp(fn, "getAttr"))
        return get_attr(&a[0], a[1].t == V_STR ? a[1].s : NULL);
    if (!strcmp(fn, "aws.partition"))
        return a[0].t == V_STR ? partition_of(a[0].s) : none();
    unsupported(c, "function", fn);
    return none();
}

static value eval_expr(eval_ctx *c, const json_t *e, int depth)
{
    if (depth > MAX_DEPTH) {
        unsupported(c, "nesting", "depth");
        return none();
    }
    if (json_is_string(e)) {
        const char *s = expand(c, json_string_value(e));
        return s ? str(s) : none();
    }
    if (json_is_boolean(e))
        return boolean(json_is_true(e));
    if (json_is_object(e)) {
        const json_t *ref = json_object_get(e, "ref");
        if (json_is_string(ref))
            return lookup(c, json_string_value(ref));
        const char *fn = json_string_value(json_object_get(e, "fn"));
        if (fn)
            return call_fn(c, fn, json_object_get(e, "argv"), depth);
    }
    unsupported(c, "expression", "?");
    return none();
}

/* ---- rules ------------------------------------------------------------- */

static int conditions_hold(eval_ctx *c, const json_t *conds)
{
    for (size_t i = 0; i < json_array_size(conds); i++) {
        const json_t *cond = json_array_get(conds, i);
        value v = eval_expr(c, cond, 0);
        if (c->unsupported)
            return 0;
        int ok = v.t == V_BOOL ? v.b : v.t != V_NONE;
        if (!ok)
            return 0;
        const char *assign = json_string_value(json_object_get(cond, "assign"));
        if (assign) {
            if (c->n_vars >= MAX_VARS) {
                unsupported(c, "variable count", assign);
                return 0;
            }
            c->vars[c->n_vars].name = assign;
            c->vars[c->n_vars].v = v;
            c->n_vars++;
        }
    }
    return 1;
}

static void auth_scheme(eval_ctx *c, const json_t *endpoint, gd_ep_result *out)
{
    const json_t *schemes = json_object_get(json_object_get(endpoint, "properties"),
                                            "authSchemes");
    const json_t *s = json_array_get(schemes, 0);
    const char *region = json_string_value(json_object_get(s, "signingRegion"));
    const char *name = json_string_value(json_object_get(s, "signingName"));
    if (region && (region = expand(c, region)) != NULL)
        snprintf(out->signing_region, sizeof out->signing_region, "%s", region);
    if (name && (name = expand(c, name)) != NULL)
        snprintf(out->signing_name, sizeof out->signing_name, "%s", name);
}

/* 1 endpoint, 2 error, 0 no rule matched, -1 unsupported. */
static int eval_rules(eval_ctx *c, const json_t *rules, gd_ep_result *out, int depth)
{
    if (depth > MAX_DEPTH) {
        unsupported(c, "nesting", "rules");
        return -1;
    }
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const json_t *r = json_array_get(rules, i);
        size_t saved_vars = c->n_vars;
        if (!conditions_hold(c, json_object_get(r, "conditions"))) {
            c->n_vars = saved_vars;
            if (c->unsupported)
                return -1;
            continue;
        }
        const char *type = json_string_value(json_object_get(r, "type"));
        int rc;
        if (type && !strcmp(type, "tree")) {
            rc = eval_rules(c, json_object_get(r, "rules"), out, depth + 1);
        } else if (type && !strcmp(type, "error")) {
            value e = eval_expr(c, json_object_get(r, "error"), 0);
            snprintf(out->error, sizeof out->error, "%s", e.t == V_STR ? e.s : "endpoint error");
            rc = c->unsupported ? -1 : 2;
        } else if (type && !strcmp(type, "endpoint")) {
            const json_t *ep = json_object_get(r, "endpoint");
            value u = eval_expr(c, json_object_get(ep, "url"), 0);
            if (u.t == V_STR && !c->unsupported) {
                snprintf(out->url, sizeof out->url, "%s", u.s);
                auth_scheme(c, ep, out);
            }
            rc = c->unsupported || u.t != V_STR ? -1 : 1;
            if (rc < 0)
                unsupported(c, "endpoint url", "?");
        } else {
            unsupported(c, "rule type", type);
            rc = -1;
        }
        c->n_vars = saved_vars;
        if (rc != 0)
            return rc; /* a tree whose rules all fail matches nothing: fall through */
    }
    return 0;
}

int gd_ep_rules_resolve(const char *service, const gd_ep_params *params, gd_ep_result *out)
{
    memset(out, 0, sizeof *out);
    pthread_once(&g.once, load_all);
    const json_t *set = NULL;
    for (size_t i = 0; service && i < gd_ep_n_rule_sets && i < sizeof g.sets / sizeof *g.sets; i++)
        if (!strcmp(gd_ep_rule_sets[i].service, service))
            set = g.sets[i];
    if (!set || !g.partitions) {
        snprintf(out->error, sizeof out->error, "endpoint rules: no rule set for '%.64s'",
                 service ? service : "");
        return GD_EP_UNSUPPORTED;
    }
    eval_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(out->error, sizeof out->error, "endpoint rules: out of memory");
        return GD_EP_UNSUPPORTED;
    }
    c->params = params;
    c->error = out->error;
    c->error_n = sizeof out->error;
    int rc = eval_rules(c, json_object_get(set, "rules"), out, 0);
    free(c);
    if (rc == 1)
        return GD_EP_ENDPOINT;
    if (rc == 2)
        return GD_EP_RULE_ERROR;
    if (rc == 0)
        snprintf(out->error, sizeof out->error, "endpoint rules: no rule matched");
    out->url[0] = '\0';
    return GD_EP_UNSUPPORTED;
}
