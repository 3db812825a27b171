/* gd_json_write_report (writers.h): the model as JSON, written atomically
 * (common/atomicfile.h: temp file, fsync, rename; json_dump_file would
 * overwrite in place, J2). "-" writes to stdout. The findings detail is
 * capped at opts.findings_cap rows; "findings_truncated" says when rows were
 * left out. */
#include "common/atomicfile.h"
#include "report/json_internal.h"
#include "report/writers.h"

#include <errno.h>
#include <string.h>

/* Indented for people who diff reports; reals with up to 10 significant
 * digits (severities like 8.9, coverage like 88.9) print exactly as meant. */
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

typedef struct findings_ctx {
    json_t *arr;
    int64_t cap;      /* -1 = no cap */
    int64_t written;
    int truncated;
    int failed;
} findings_ctx;

static int fill_finding(json_t *o, const gd_finding_view *f)
{
    int rc = jw_set(o, "finding_id", jw_str(f->finding_id));
    rc |= jw_set(o, "account_id", jw_str(f->account_id));
    rc |= jw_set(o, "region", jw_str(f->region));
    rc |= jw_set(o, "type", jw_str(f->type));
    rc |= jw_set(o, "plan", json_string(gd_plan_id(f->plan)));
    rc |= jw_set(o, "severity", json_real(f->severity));
    rc |= jw_set(o, "severity_band", json_string(gd_severity_name(f->band)));
    rc |= jw_set(o, "title", jw_str(f->title));
    rc |= jw_set(o, "resource_type", jw_str(f->resource_type));
    rc |= jw_set(o, "created_at", jw_time(f->created_ms));
    rc |= jw_set(o, "updated_at", jw_time(f->updated_ms));
    rc |= jw_set(o, "count", json_integer(f->count));
    rc |= jw_set(o, "archived", json_boolean(f->archived));
    return rc;
}

static int on_finding(void *ud, const gd_finding_view *f)
{
    findings_ctx *c = ud;
    if (c->cap >= 0 && c->written >= c->cap) {
        c->truncated = 1;
        return 1; /* stop: one row past the cap proves there is more */
    }
    json_t *o = json_object();
    if (!o || fill_finding(o, f) || jw_push(c->arr, o)) {
        if (o)
            json_decref(o);
        c->failed = 1;
        return -1;
    }
    c->written++;
    return 0;
}

static int add_findings(json_t *doc, const gd_report_model *m, const gd_finding_source *src,
                        gd_err *err)
{
    findings_ctx c = {json_array(), m->opts.findings_cap, 0, 0, 0};
    if (!c.arr)
        return gd_err_set(err, GD_E_NOMEM, "out of memory writing findings");
    int rc = src->each(src->src_ud, on_finding, &c, err);
    if (c.failed) {
        json_decref(c.arr);
        return gd_err_set(err, GD_E_NOMEM, "out of memory writing findings");
    }
    if (rc < 0) {
        json_decref(c.arr);
        return rc;
    }
    if (jw_set(doc, "findings", c.arr) || jw_set(doc, "findings_truncated",
                                                 json_boolean(c.truncated)))
        return gd_err_set(err, GD_E_NOMEM, "out of memory writing findings");
    return 0;
}

static int build_doc(const gd_report_model *m, const gd_finding_source *findings, json_t **out,
                     gd_err *err)
{
    json_t *doc = jw_report(m);
    *out = NULL;
    if (!doc)
        return gd_err_set(err, GD_E_NOMEM, "out of memory building the JSON report");
    int rc = findings ? add_findings(doc, m, findings, err) : 0;
    if (!rc && !m->cost_redacted && jw_set(doc, "costs", jw_costs(m)))
        rc = gd_err_set(err, GD_E_NOMEM, "out of memory building the JSON report");
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

static int dump_to(FILE *fp, const json_t *doc)
{
    if (json_dumpf(doc, fp, DUMP_FLAGS) != 0)
        return -1;
    return fputc('\n', fp) == EOF ? -1 : 0;
}

static int write_stdout(const json_t *doc, gd_err *err)
{
    if (dump_to(stdout, doc) != 0 || fflush(stdout) != 0 || ferror(stdout))
        return gd_err_set(err, GD_E_IO, "writing the JSON report to stdout failed: %s",
                          strerror(errno));
    return 0;
}

static int write_file(const json_t *doc, const char *path, gd_err *err)
{
    gd_atomic_file af;
    int rc = gd_atomic_open(&af, path, err);
    if (rc)
        return rc;
    if (dump_to(af.fp, doc) != 0) {
        int e = errno;
        gd_atomic_abort(&af);
        return gd_err_set(err, GD_E_IO, "%s: write failed: %s", path, strerror(e));
    }
    return gd_atomic_commit(&af, err);
}

int gd_json_write_report(const gd_report_model *m, const gd_finding_source *findings,
                         const char *path, gd_err *err)
{
    json_t *doc;
    int rc = build_doc(m, findings, &doc, err);
    if (rc)
        return rc;
    rc = !strcmp(path, "-") ? write_stdout(doc, err) : write_file(doc, path, err);
    json_decref(doc);
    return rc;
}
