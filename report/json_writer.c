/* SPDX-License-Identifier: Apache-2.0 */
/* gd_json_write_report (writers.h): the model as JSON, written atomically
 * (common/atomicfile.h: temp file, fsync, rename; json_dump_file would
 * overwrite in place, J2). "-" writes to stdout. The findings detail is
 * capped at opts.findings_cap rows; "findings_truncated" says when rows were
 * left out.
 *
 * The document is streamed (json_internal.h): memory stays at one row's
 * jansson value plus the output buffer, whatever the number of rows. A
 * failure half-way leaves no file (the temp file is removed); on stdout the
 * bytes already written stay written and the error is returned. */
#include "common/output.h"
#include "report/json_internal.h"
#include "report/writers.h"

#include "report/finding_links.h"
#include "report/leads.h"

#include <errno.h>
#include <string.h>

typedef struct findings_ctx {
    jw_out *out;
    int64_t cap;      /* -1 = no cap */
    int64_t written;
    int truncated;
} findings_ctx;

static int fill_finding(json_t *o, const gd_report_model *m, const void *item)
{
    const gd_finding_view *f = item;
    (void)m;
    int rc = jw_set(o, "finding_id", jw_str(f->finding_id));
    rc |= jw_set(o, "account_id", jw_str(f->account_id));
    rc |= jw_set(o, "region", jw_str(f->region));
    rc |= jw_set(o, "type", jw_str(f->type));
    rc |= jw_set(o, "plan", json_string(gd_plan_id(f->plan)));
    rc |= jw_set(o, "severity", json_real(f->severity));
    rc |= jw_set(o, "severity_band", json_string(gd_severity_name(f->band)));
    rc |= jw_set(o, "title", jw_str(f->title));
    rc |= jw_set(o, "resource_type", jw_str(f->resource_type));
    rc |= jw_set(o, "resource_id", jw_str(f->resource_id));
    rc |= jw_set(o, "created_at", jw_time(f->created_ms));
    rc |= jw_set(o, "first_seen", jw_time(f->first_seen_ms));
    rc |= jw_set(o, "last_seen", jw_time(f->last_seen_ms));
    rc |= jw_set(o, "updated_at", jw_time(f->updated_ms));
    char url[512];
    rc |= jw_set(o, "console_url",
                 gd_finding_console_url(f->region, f->finding_id, url, sizeof url) == 0
                     ? json_string(url) : json_null());
    rc |= jw_set(o, "count", json_integer(f->count));
    rc |= jw_set(o, "archived", json_boolean(f->archived));
    rc |= jw_set(o, "sample", json_boolean(f->sample));
    return rc;
}

static int on_finding(void *ud, const gd_finding_view *f)
{
    findings_ctx *c = ud;
    if (c->cap >= 0 && c->written >= c->cap) {
        c->truncated = 1;
        return 1; /* stop: one row past the cap proves there is more */
    }
    if (jw_elem(c->out) || jw_put(c->out, jw_object_of(fill_finding, NULL, f)))
        return -1;
    c->written++;
    return 0;
}

/* "findings": [...], "findings_truncated": bool. A source error is returned
 * as is (err set by the source); writer failures are left in out->fail. */
static int add_findings(jw_out *out, const gd_report_model *m, const gd_finding_source *src,
                        gd_err *err)
{
    findings_ctx c = {out, m->opts.findings_cap, 0, 0};
    if (jw_key(out, "findings") || jw_open(out, '['))
        return -1;
    int rc = src->each(src->src_ud, on_finding, &c, err);
    if (out->fail)
        return -1;
    if (rc < 0)
        return rc;
    if (jw_close(out, ']') || jw_key(out, "findings_truncated") ||
        jw_put(out, json_boolean(c.truncated)))
        return -1;
    return 0;
}

static json_t *lead_list(const gd_lead_count *v, size_t n, int resources)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = json_object();
        int rc = !o;
        if (resources) {
            rc |= jw_set(o, "resource_id", jw_str(v[i].key));
            rc |= jw_set(o, "resource_type", jw_str(v[i].detail));
        } else {
            rc |= jw_set(o, "type", jw_str(v[i].key));
        }
        rc |= jw_set(o, "count", json_integer(v[i].count));
        if (rc || jw_push(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *lead_set(const gd_lead_set *s, const char *account_id)
{
    json_t *o = json_object();
    int rc = !o;
    if (account_id)
        rc |= jw_set(o, "account_id", jw_str(account_id));
    rc |= jw_set(o, "archived_in_window", json_integer(s->archived_in_window));
    rc |= jw_set(o, "top_types", lead_list(s->types, s->n_types, 0));
    rc |= jw_set(o, "top_resources", lead_list(s->resources, s->n_resources, 1));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The leads object's members, one at a time: the organization's set, then
 * "accounts" streamed one account's set at a time (the whole tree for 2,000
 * accounts was ~20 MB of jansson values; same bytes). */
static int put_leads(jw_out *out, const gd_report_leads *l)
{
    const gd_lead_set *org = &l->org;
    if (jw_open(out, '{') || jw_key(out, "archived_in_window") ||
        jw_put(out, json_integer(org->archived_in_window)) || jw_key(out, "top_types") ||
        jw_put(out, lead_list(org->types, org->n_types, 0)) ||
        jw_key(out, "top_resources") ||
        jw_put(out, lead_list(org->resources, org->n_resources, 1)) ||
        jw_key(out, "accounts") || jw_open(out, '['))
        return -1;
    for (size_t i = 0; i < l->n_accounts; i++)
        if (jw_elem(out) || jw_put(out, lead_set(&l->accounts[i].set, l->accounts[i].account_id)))
            return -1;
    return jw_close(out, ']') || jw_close(out, '}') ? -1 : 0;
}

/* "leads": where the findings lead (report/leads.h), when the model has a
 * store to read them from. */
static int add_leads(jw_out *out, const gd_report_model *m, gd_err *err)
{
    gd_report_leads *l = NULL;
    int rc = gd_report_leads_build(m, &l, err);
    if (rc)
        return rc;
    rc = jw_key(out, "leads") || put_leads(out, l) ? -1 : 0;
    gd_report_leads_free(l);
    return rc;
}

/* The whole document and its final newline; 0, -1 with out->fail set, or a
 * findings source's error (out->fail not set). */
static int write_doc(jw_out *out, const gd_report_model *m, const gd_finding_source *findings,
                     gd_err *err)
{
    if (jw_open(out, '{') || jw_report_members(out, m))
        return -1;
    if (m->store) {
        int rc = add_leads(out, m, err);
        if (rc)
            return rc;
    }
    if (findings) {
        int rc = add_findings(out, m, findings, err);
        if (rc)
            return rc;
    }
    if (!m->cost_redacted && jw_costs_member(out, m))
        return -1;
    if (jw_close(out, '}') || jw_raw(out, "\n", 1) || jw_out_flush(out))
        return -1;
    return 0;
}

/* Streams the document to fp. Writer failures get a message naming where
 * the report goes (path, or NULL for stdout); a findings source's error is
 * returned as the source set it. */
static int stream_to(FILE *fp, const char *path, const gd_report_model *m,
                     const gd_finding_source *findings, gd_err *err)
{
    jw_out out;
    int rc = jw_out_init(&out, fp);
    if (!rc)
        rc = write_doc(&out, m, findings, err);
    if (rc && out.fail == JW_NOMEM)
        rc = gd_err_set(err, GD_E_NOMEM, "%s: out of memory writing the JSON report",
                        path ? path : "stdout");
    else if (rc && out.fail == JW_IO && path)
        rc = gd_err_set(err, GD_E_IO, "%s: write failed: %s", path, strerror(out.err_no));
    else if (rc && out.fail == JW_IO)
        rc = gd_err_set(err, GD_E_IO, "writing the JSON report to stdout failed: %s",
                        strerror(out.err_no));
    jw_out_free(&out);
    return rc;
}

/* "-", a device or a FIFO is streamed; a file is written atomically
 * (common/output.h decides from what is at the path). */
static int write_to(const gd_report_model *m, const gd_finding_source *findings,
                    const char *path, gd_err *err)
{
    gd_output o;
    int rc = gd_output_open(&o, path, err);
    if (rc)
        return rc;
    rc = stream_to(o.fp, strcmp(path, "-") ? path : NULL, m, findings, err);
    if (rc) {
        gd_output_abort(&o);
        return rc;
    }
    return gd_output_commit(&o, err);
}

int gd_json_write_report(const gd_report_model *m, const gd_finding_source *findings,
                         const char *path, gd_err *err)
{
    return write_to(m, findings, path, err);
}
