/* SPDX-License-Identifier: Apache-2.0 */
/* Redaction (see redact.h). Management redaction does not subtract anything:
 * the model is built with the management account excluded in every SQL
 * aggregate (rebuilt here if it was not), then its id, name and email are
 * scrubbed from whatever text remains. Cost redaction frees every amount.
 * A final self-check walks every string of the model and fails with
 * GD_E_INTERNAL if a redacted value survived. */
#include "report/redact.h"
#include "report/model_internal.h"
#include "report/redact_internal.h"
#include "common/region_state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REDACTED_TEXT "[redacted]"
#define MIN_NAME_LEN 3   /* shorter names are not searched in free text */

static void free_lines(gd_cost_line *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].account_id);
        free(v[i].region);
        free(v[i].amount);
    }
    free(v);
}

void gd_report_free_costs(gd_report_model *m)
{
    gd_report_costs *c = &m->costs;
    free_lines(c->by_account, c->n_by_account);
    free_lines(c->by_plan, c->n_by_plan);
    free_lines(c->by_region, c->n_by_region);
    free_lines(c->by_account_plan, c->n_by_account_plan);
    free(c->unit);
    free(c->total);
    memset(c, 0, sizeof *c);
}

/* The values management redaction removes; NULL entries are unknown. */
static void secrets(const gd_report_model *m, const char *v[3])
{
    const gd_report_private *p = m->priv;
    v[0] = p ? p->mgmt_id : NULL;
    v[1] = p ? p->mgmt_email : NULL;
    v[2] = p && p->mgmt_name && strlen(p->mgmt_name) >= MIN_NAME_LEN ? p->mgmt_name : NULL;
}

/* Length of a mention of needle at s, or 0. Letters compare without case
 * (AWS-ROOT+MANAGEMENT@EXAMPLE.COM is the same mailbox), and in an account id
 * one '-' or ' ' may stand between any two digits (7669-4172-3162, the way
 * the console and people write them). ASCII case only: ids and emails are. */
static size_t mention_len(const char *s, const char *needle, int is_id)
{
    const char *p = s;
    for (const char *n = needle; *n; n++, p++) {
        if (is_id && n != needle && (*p == '-' || *p == ' ') && p[1] == *n)
            p++;
        if (!*p || tolower((unsigned char)*p) != tolower((unsigned char)*n))
            return 0;
    }
    return (size_t)(p - s);
}

static const char *find_mention(const char *s, const char *needle, int is_id, size_t *len)
{
    for (const char *p = s; *p; p++)
        if ((*len = mention_len(p, needle, is_id)) != 0)
            return p;
    return NULL;
}

static int is_account_id_value(const char *v)
{
    size_t n = 0;
    for (; v[n]; n++)
        if (!isdigit((unsigned char)v[n]))
            return 0;
    return n == 12;
}

static int replace_all(const char *s, const char *needle, char **out)
{
    int is_id = is_account_id_value(needle);
    size_t len, hits = 0;
    for (const char *p = find_mention(s, needle, is_id, &len); p;
         p = find_mention(p + len, needle, is_id, &len))
        hits++;
    char *d = malloc(strlen(s) + hits * sizeof REDACTED_TEXT + 1);
    if (!d)
        return GD_E_NOMEM;
    char *w = d;
    const char *p = s, *q;
    while ((q = find_mention(p, needle, is_id, &len))) {
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, REDACTED_TEXT, sizeof REDACTED_TEXT - 1);
        w += sizeof REDACTED_TEXT - 1;
        p = q + len;
    }
    memcpy(w, p, strlen(p) + 1);
    *out = d;
    return 0;
}

static int mentions(const char *s, const char *needle)
{
    size_t len;
    return s && needle && *needle && find_mention(s, needle, is_account_id_value(needle), &len);
}

int gd_report_scrub_text(const gd_report_model *m, const char *s, char **out)
{
    const char *v[3];
    *out = NULL;
    if (!s)
        return 0;
    secrets(m, v);
    for (int i = 0; i < 3; i++) {
        if (!v[i] || !*v[i] || !mentions(*out ? *out : s, v[i]))
            continue;
        char *next;
        if (replace_all(*out ? *out : s, v[i], &next)) {
            free(*out);
            *out = NULL;
            return GD_E_NOMEM;
        }
        free(*out);
        *out = next;
    }
    return 0;
}

/* Scrubs one owned string field in place: NULL when it equals a redacted
 * value, mentions replaced otherwise. */
static int scrub_field(const gd_report_model *m, char **field)
{
    const char *v[3];
    secrets(m, v);
    if (!*field)
        return 0;
    const char *name = m->priv ? m->priv->mgmt_name : NULL;
    int equal = name && *name && !strcasecmp(*field, name);
    for (int i = 0; i < 3; i++)
        equal |= v[i] && !strcasecmp(*field, v[i]);
    if (equal) {
        free(*field);
        *field = NULL;
        return 0;
    }
    char *clean;
    if (gd_report_scrub_text(m, *field, &clean))
        return GD_E_NOMEM;
    if (clean) {
        free(*field);
        *field = clean;
    }
    return 0;
}

static int drop_from_filter(gd_report_model *m)
{
    size_t w = 0;
    for (size_t i = 0; m->opts.accounts && i < m->opts.n_accounts; i++) {
        if (m->priv->mgmt_id && !strcmp(m->opts.accounts[i], m->priv->mgmt_id))
            free(m->opts.accounts[i]);
        else
            m->opts.accounts[w++] = m->opts.accounts[i];
    }
    m->opts.n_accounts = m->opts.accounts ? w : 0;
    return 0;
}

/* The completeness check counts the management account's findings too, so
 * its numbers would give them away by subtraction: only the verdict stays. */
static int verdict_only(char **completeness)
{
    const char *keep = NULL;
    if (!*completeness)
        return 0;
    if (!strncmp(*completeness, "complete:", 9))
        keep = "complete: matches GuardDuty's count";
    else if (!strncmp(*completeness, "differs", 7))
        keep = "differs from GuardDuty's count (the numbers are left out: --redact management)";
    else
        keep = "not checked";
    char *v = strdup(keep);
    if (!v)
        return GD_E_NOMEM;
    free(*completeness);
    *completeness = v;
    return 0;
}

static int scrub_management(gd_report_model *m)
{
    int rc = 0;
    free(m->management_account_id);
    m->management_account_id = NULL;
    rc |= scrub_field(m, &m->delegated_admin_account_id);
    rc |= scrub_field(m, &m->org_id);
    rc |= scrub_field(m, &m->caller_arn);
    rc |= drop_from_filter(m);
    for (size_t i = 0; i < m->n_regions; i++) {
        rc |= scrub_field(m, &m->regions[i].message);
        rc |= scrub_field(m, &m->regions[i].cost_message);
        rc |= verdict_only(&m->regions[i].completeness);
    }
    for (size_t i = 0; i < m->n_accounts; i++) {
        rc |= scrub_field(m, &m->accounts[i].name);
        rc |= scrub_field(m, &m->accounts[i].email);
        rc |= scrub_field(m, &m->accounts[i].status);
    }
    return rc ? GD_E_NOMEM : 0;
}

static void scrub_costs(gd_report_model *m)
{
    free(m->totals.cost_usd);
    m->totals.cost_usd = NULL;
    for (size_t i = 0; i < m->n_accounts; i++) {
        free(m->accounts[i].cost_usd);
        m->accounts[i].cost_usd = NULL;
        for (int p = 0; p < GD_PLAN_COUNT; p++) {
            free(m->accounts[i].cost_by_plan[p]);
            m->accounts[i].cost_by_plan[p] = NULL;
        }
    }
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        free(m->plans[p].cost_usd);
        m->plans[p].cost_usd = NULL;
    }
    gd_report_free_costs(m);
    for (size_t i = 0; i < m->n_regions; i++) {
        char *st = strdup(GD_COST_STATE_REDACTED);
        if (st) {   /* out of memory keeps the old state: a state, never an amount */
            free(m->regions[i].cost_state);
            m->regions[i].cost_state = st;
        }
        free(m->regions[i].cost_message);   /* it can name an amount */
        m->regions[i].cost_message = NULL;
    }
}

static int note_redaction(gd_report_model *m, const char *what)
{
    for (size_t i = 0; i < m->n_redactions; i++)
        if (!strcmp(m->redactions[i], what))
            return 0;
    if (m->n_redactions >= sizeof m->redactions / sizeof *m->redactions)
        return GD_E_INTERNAL;
    m->redactions[m->n_redactions] = strdup(what);
    if (!m->redactions[m->n_redactions])
        return GD_E_NOMEM;
    m->n_redactions++;
    return 0;
}

/* Replaces m's content by a model built with the management account
 * excluded in SQL. */
static int rebuild_without_management(gd_report_model *m, gd_err *err)
{
    gd_report_options o = m->opts;
    o.redact |= GD_REDACT_MANAGEMENT;
    gd_report_model *fresh;
    int rc = gd_report_model_build(m->store, &o, &fresh, err);
    if (rc)
        return rc;
    gd_report_model old = *m;
    *m = *fresh;
    *fresh = old;
    /* The old model opened the store snapshot the new one joined: hand the
     * ownership over so the snapshot outlives the old content. */
    m->priv->snapshot_owner = fresh->priv->snapshot_owner;
    fresh->priv->snapshot_owner = 0;
    gd_report_model_free(fresh);
    return 0;
}

/* ---- Self-check ---------------------------------------------------------- */

typedef struct check_ctx {
    const char *id, *email;   /* searched in every string */
    const char *name;         /* searched in names and free text only */
    const char *where;
} check_ctx;

static int has(const char *s, const char *needle)
{
    return mentions(s, needle);
}

/* Identifiers and emails must appear nowhere. */
static int leaks_id(const check_ctx *c, const char *s)
{
    return has(s, c->id) || has(s, c->email);
}

/* Names, emails and messages must not carry the management name either
 * (whole, or inside longer text when the name is not trivially short). */
static int leaks_text(const check_ctx *c, const char *s)
{
    if (leaks_id(c, s))
        return 1;
    if (!s || !c->name || !*c->name)
        return 0;
    return !strcasecmp(s, c->name) || (strlen(c->name) >= MIN_NAME_LEN && has(s, c->name));
}

#define CHECK_WITH(fn, c, s, what)                                                    \
    do {                                                                               \
        if (fn((c), (s))) {                                                            \
            (c)->where = (what);                                                       \
            return 1;                                                                  \
        }                                                                              \
    } while (0)
#define CHECK_STR(c, s, what) CHECK_WITH(leaks_id, c, s, what)
#define CHECK_TEXT(c, s, what) CHECK_WITH(leaks_text, c, s, what)

static int check_accounts(check_ctx *c, const gd_report_model *m)
{
    for (size_t i = 0; i < m->n_accounts; i++) {
        const gd_report_account *a = &m->accounts[i];
        CHECK_STR(c, a->account_id, "accounts.account_id");
        CHECK_TEXT(c, a->name, "accounts.name");
        CHECK_TEXT(c, a->email, "accounts.email");
        CHECK_TEXT(c, a->status, "accounts.status");
        for (size_t j = 0; j < a->n_membership; j++)
            CHECK_STR(c, a->membership[j].relationship_status, "accounts.membership");
        if (a->is_management) {
            c->where = "accounts (management row)";
            return 1;
        }
    }
    return 0;
}

static int check_tables(check_ctx *c, const gd_report_model *m)
{
    for (size_t i = 0; i < m->n_regions; i++)
        CHECK_TEXT(c, m->regions[i].message, "regions.message");
    for (size_t i = 0; i < m->n_regions; i++)
        CHECK_TEXT(c, m->regions[i].cost_message, "regions.cost_message");
    for (size_t i = 0; i < m->n_coverage; i++)
        CHECK_STR(c, m->coverage[i].account_id, "coverage.account_id");
    for (size_t i = 0; i < m->costs.n_by_account; i++)
        CHECK_STR(c, m->costs.by_account[i].account_id, "costs.by_account");
    for (size_t i = 0; i < m->costs.n_by_account_plan; i++)
        CHECK_STR(c, m->costs.by_account_plan[i].account_id, "costs.by_account_plan");
    for (size_t i = 0; i < m->n_wow; i++)
        CHECK_STR(c, m->wow[i].account_id, "trends.week_over_week");
    for (size_t i = 0; i < m->n_gaps; i++)
        CHECK_STR(c, m->gaps[i].account_id, "coverage.gaps");
    for (size_t i = 0; i < m->n_matrix; i++)
        CHECK_STR(c, m->matrix[i].account_id, "coverage.matrix");
    for (size_t i = 0; i < m->opts.n_accounts; i++)
        CHECK_STR(c, m->opts.accounts[i], "filters.accounts");
    CHECK_STR(c, m->management_account_id, "organization.management_account_id");
    CHECK_STR(c, m->delegated_admin_account_id, "organization.delegated_admin_account_id");
    CHECK_TEXT(c, m->org_id, "organization.id");
    CHECK_STR(c, m->caller_arn, "collection.caller_arn");
    return 0;
}

static int costs_left(const gd_report_model *m)
{
    const gd_report_costs *k = &m->costs;
    int left = m->totals.cost_usd != NULL || k->present || k->total || k->unit ||
               k->n_by_account || k->n_by_plan || k->n_by_region || k->n_by_account_plan;
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        left |= m->plans[p].cost_usd != NULL;
    for (size_t i = 0; i < m->n_accounts; i++) {
        left |= m->accounts[i].cost_usd != NULL;
        for (int p = 0; p < GD_PLAN_COUNT; p++)
            left |= m->accounts[i].cost_by_plan[p] != NULL;
    }
    return left;
}

static int self_check(const gd_report_model *m, gd_err *err)
{
    if (m->cost_redacted && costs_left(m))
        return gd_err_set(err, GD_E_INTERNAL, "cost redaction left an amount in the report");
    if (!m->management_redacted)
        return 0;
    check_ctx c = {m->priv ? m->priv->mgmt_id : NULL, m->priv ? m->priv->mgmt_email : NULL,
                   m->priv ? m->priv->mgmt_name : NULL, NULL};
    if (check_accounts(&c, m) || check_tables(&c, m))
        return gd_err_set(err, GD_E_INTERNAL,
                          "management redaction left the management account in %s", c.where);
    return 0;
}

int gd_report_redact(gd_report_model *m, int flags, gd_err *err)
{
    int rc = 0;
    if ((flags & GD_REDACT_MANAGEMENT) && !(m->priv && m->priv->mgmt_excluded)) {
        rc = rebuild_without_management(m, err);
        if (rc)
            return rc;
        flags |= m->opts.redact;
    }
    if (flags & GD_REDACT_MANAGEMENT) {
        rc = scrub_management(m);
        if (!rc)
            rc = note_redaction(m, "management_account");
        m->management_redacted = 1;
    }
    if (!rc && (flags & GD_REDACT_COST)) {
        scrub_costs(m);
        rc = note_redaction(m, "cost");
        m->cost_redacted = 1;
    }
    if (rc)
        return gd_err_set(err, rc, "redaction failed: %s", gd_errcode_name(rc));
    m->opts.redact |= flags;
    return self_check(m, err);
}
