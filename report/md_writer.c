/* SPDX-License-Identifier: Apache-2.0 */
/* gd_md_write_report: a one-page Markdown summary for the weekly meeting's
 * notes. Every figure comes from the same (already redacted) model the xlsx
 * and JSON writers read, and carries the same definition as
 * schema/report.schema.json; nothing is computed here beyond sums and the
 * top-N ordering the Overview uses (active total desc, account id asc).
 *
 * Text from AWS (account names, region messages) is hostile: it is put on
 * one line, control characters dropped, and every character Markdown or
 * HTML would interpret is backslash-escaped, so a name cannot become a
 * link, an image, a table cell break or markup.
 *
 * Words follow --lang (every fixed string goes through _(), po/ja.po);
 * numbers, account ids, region names and state identifiers do not. */
#include "report/writers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/output.h"
#include "common/region_state.h"
#include "common/timeutil.h"
#include "common/tz.h"
#include "report/definitions.h"
#include "report/plans.h"
#include "report/severity.h"

#define TOP_ACCOUNTS 10
#define MAX_LISTED 40   /* regions named per line; the rest are counted */

/* Writes s with Markdown/HTML-significant characters escaped. */
static void md_text(FILE *f, const char *s)
{
    if (!s || !*s) {
        fputs("-", f);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            fputc(' ', f);
            continue;
        }
        if (strchr("\\`*_{}[]<>#!|~&", *p))
            fputc('\\', f);
        fputc(*p, f);
    }
}

static int64_t total(const gd_sev_counts *s)
{
    int64_t t = 0;
    for (int i = 0; i < GD_SEV_COUNT; i++)
        t += s->n[i];
    return t;
}

/* "2026-12-07 09:30 UTC", or in the zone of --tz "... UTC+09:00". */
static void time_text(const gd_tz_scope *tz, int64_t ms, char *out, size_t n)
{
    if (!ms || !gd_tz_format_short(tz, ms, out, n))
        snprintf(out, n, "-");
}

static void write_head(FILE *f, const gd_report_model *m, const gd_tz_scope *tz)
{
    char gen[48], start[48], end[48];
    time_text(tz, m->generated_ms, gen, sizeof gen);
    time_text(tz, m->window_start_ms, start, sizeof start);
    time_text(tz, m->window_end_ms, end, sizeof end);
    fputs(_("# GuardDuty weekly summary: "), f);
    md_text(f, m->org_id);
    fputs("\n\n", f);
    fprintf(f, _("Generated %s. Window %s to %s. Last collect: %s%s."), gen, start, end,
            m->last_run_outcome ? m->last_run_outcome : "unknown",
            m->partial ? _(" (partial: some regions were not collected)") : "");
    if (m->n_redactions) {
        fputs(_(" Redacted:"), f);
        for (size_t i = 0; i < m->n_redactions; i++)
            fprintf(f, "%s %s", i ? "," : "", m->redactions[i] ? m->redactions[i] : "");
        fputc('.', f);
    }
    fputs("\n\n", f);
}

static void write_totals(FILE *f, const gd_report_model *m)
{
    const gd_report_totals *t = &m->totals;
    fprintf(f, "## %s\n\n| %s | %s | %s | %s | %s | %s | %s |\n", _("Findings"), _("Critical"),
            _("High"), _("Medium"), _("Low"), _("Active"), _("Archived"), _("New in window"));
    fputs("|---:|---:|---:|---:|---:|---:|---:|\n", f);
    fprintf(f, "| %lld | %lld | %lld | %lld | %lld | %lld | %lld |\n\n",
            (long long)t->active.n[GD_SEV_CRITICAL], (long long)t->active.n[GD_SEV_HIGH],
            (long long)t->active.n[GD_SEV_MEDIUM], (long long)t->active.n[GD_SEV_LOW],
            (long long)total(&t->active), (long long)t->archived, (long long)t->new_in_window);
}

/* Last week against the week before, the same weeks as trends.last_week and
 * trends.previous_week (report/model_trends.c), in the report's zone. */
static void write_wow(FILE *f, const gd_report_model *m)
{
    const gd_trend_week *last = &m->weeks[GD_REPORT_TREND_WEEKS - 1];
    const gd_trend_week *prev = &m->weeks[GD_REPORT_TREND_WEEKS - 2];
    int64_t l = total(&last->created), p = total(&prev->created);
    char start[40];
    fprintf(f, "## %s\n\n", _("Week over week"));
    fprintf(f, _("New findings last week (from %s, %s): %lld; "
                 "the week before: %lld; change: %+lld. Week to date: %lld.\n\n"),
            gd_tz_format_iso(last->start_ms, last->start_off_s, start, sizeof start)
                ? start : "-",
            m->trend_zone, (long long)l, (long long)p, (long long)(l - p),
            (long long)total(&m->week_to_date.created));
}

static int cmp_top(const void *a, const void *b)
{
    const gd_report_account *x = *(const gd_report_account *const *)a;
    const gd_report_account *y = *(const gd_report_account *const *)b;
    int64_t tx = total(&x->active), ty = total(&y->active);
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(x->account_id ? x->account_id : "", y->account_id ? y->account_id : "");
}

static int write_top_accounts(FILE *f, const gd_report_model *m, gd_err *err)
{
    fprintf(f, "## %s\n\n", _("Top accounts (active findings)"));
    const gd_report_account **top = malloc((m->n_accounts + 1) * sizeof *top);
    if (!top)
        return gd_err_set(err, GD_E_NOMEM, "Markdown report: out of memory");
    for (size_t i = 0; i < m->n_accounts; i++)
        top[i] = &m->accounts[i];
    qsort(top, m->n_accounts, sizeof *top, cmp_top);
    fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", _("Account"), _("Name"),
            _("Critical"), _("High"), _("Medium"), _("Low"), _("Total"), _("New in window"));
    fputs("|---|---|---:|---:|---:|---:|---:|---:|\n", f);
    size_t shown = 0;
    for (size_t i = 0; i < m->n_accounts && shown < TOP_ACCOUNTS; i++) {
        const gd_report_account *a = top[i];
        if (total(&a->active) == 0)
            break;
        fputs("| ", f);
        md_text(f, a->account_id);
        fputs(" | ", f);
        md_text(f, a->name);
        fprintf(f, " | %lld | %lld | %lld | %lld | %lld | %lld |\n",
                (long long)a->active.n[GD_SEV_CRITICAL], (long long)a->active.n[GD_SEV_HIGH],
                (long long)a->active.n[GD_SEV_MEDIUM], (long long)a->active.n[GD_SEV_LOW],
                (long long)total(&a->active), (long long)a->new_in_window);
        shown++;
    }
    if (!shown)
        fprintf(f, "| - | %s | | | | | | |\n", _("no active findings"));
    fputc('\n', f);
    free(top);
    return 0;
}

/* Whether a region was looked at comes from the one table
 * (common/region_state.c), as on the Overview. */
static int region_seen(const char *state)
{
    return gd_region_state_collected(state);
}

static void list_regions(FILE *f, const gd_report_model *m, int want_state_seen,
                         const char *only_state)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_regions; i++) {
        const gd_report_region *r = &m->regions[i];
        int match = only_state ? (r->state && !strcmp(r->state, only_state))
                               : (region_seen(r->state) == want_state_seen);
        if (!match)
            continue;
        if (n < MAX_LISTED) {
            fputs(n ? ", " : " ", f);
            md_text(f, r->region);
            if (!only_state) {
                fputs(" (", f);
                md_text(f, r->state ? r->state : "unknown");
                fputc(')', f);
            }
        }
        n++;
    }
    if (n > MAX_LISTED)
        fprintf(f, _(" and %zu more"), n - MAX_LISTED);
    if (!n)
        fputs(_(" none"), f);
    fputs("\n", f);
}

static void write_gaps(FILE *f, const gd_report_model *m)
{
    fprintf(f, "## %s\n\n- %s", _("Coverage gaps"), _("Regions not collected:"));
    list_regions(f, m, 0, NULL);
    fprintf(f, "- %s", _("Regions without a GuardDuty detector:"));
    list_regions(f, m, 1, "no_detector");
    fprintf(f, "- %s", _("Coverage per plan (covered cells of the account x region matrix):"));
    size_t n = 0;
    for (int p = 0; p < GD_PLAN_COUNT; p++) {
        const gd_report_plan *pl = &m->plans[p];
        if (pl->coverage_cells == 0 || pl->coverage_covered == pl->coverage_cells)
            continue;
        fprintf(f, _("%s %s %.1f%% (%lld of %lld)"), n ? ";" : "", _(gd_plan_label(p)),
                pl->coverage_pct, (long long)pl->coverage_covered, (long long)pl->coverage_cells);
        n++;
    }
    fputs(n ? "" : _(" none"), f);
    fputs("\n", f);
    size_t by_reason[GD_GAP_COUNT] = {0};
    for (size_t i = 0; i < m->n_gaps; i++)
        by_reason[m->gaps[i].reason]++;
    fprintf(f, _("- Gaps: %zu (the Coverage sheet and coverage.gaps list them)"), m->n_gaps);
    for (int r = 0; r < GD_GAP_COUNT; r++)
        if (by_reason[r])
            fprintf(f, "; %s: %zu", _(gd_gap_reason(r)->label), by_reason[r]);
    fputs("\n\n", f);
}

/* Regions whose newest collect got an amount outside the amount rules
 * (cost state invalid): named, so the reader knows why their cost is
 * missing or older. */
static void write_invalid_cost_regions(FILE *f, const gd_report_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_regions; i++) {
        if (!m->regions[i].cost_state || strcmp(m->regions[i].cost_state, "invalid"))
            continue;
        fputs(n++ ? ", " : _("Invalid cost (GetUsageStatistics sent an amount outside the amount "
                             "rules; none of that collect's amounts were stored) in: "), f);
        md_text(f, m->regions[i].region);
        if (m->regions[i].cost_message) {   /* the amount and the reason */
            fputs(" (", f);
            md_text(f, m->regions[i].cost_message);
            fputc(')', f);
        }
    }
    if (n)
        fputs(".\n\n", f);
}

static void write_cost(FILE *f, const gd_report_model *m)
{
    fprintf(f, "## %s\n\n", _("Cost (last 30 days, USD)"));
    if (m->cost_redacted) {
        fprintf(f, "%s\n\n", _("Redacted."));
        return;
    }
    write_invalid_cost_regions(f, m);
    if (!m->totals.cost_usd) {
        fprintf(f, "%s\n\n",
                _("Not collected (usage statistics were denied, skipped, failed or invalid)."));
        return;
    }
    fprintf(f, _("Total: $%s."), m->totals.cost_usd);
    for (int p = 0; p < GD_PLAN_COUNT; p++)
        if (m->plans[p].cost_usd)
            fprintf(f, _(" %s: $%s."), _(gd_plan_label(p)), m->plans[p].cost_usd);
    if (m->costs.projected)
        fputs(_(" Partly projected: some accounts are in a GuardDuty free trial."), f);
    fputs("\n\n", f);
}

/* The figures above, defined as in schema/report.schema.json and the README
 * (report/definitions.c); money ones only when cost is shown. */
static void write_definitions(FILE *f, const gd_report_model *m)
{
    static const enum gd_def_id shown[] = {
        GD_DEF_TOTAL_ACTIVE, GD_DEF_TOTAL_ARCHIVED, GD_DEF_TOTAL_NEW, GD_DEF_TREND_LAST_WEEK,
        GD_DEF_TREND_PREVIOUS_WEEK, GD_DEF_WEEK_NEW, GD_DEF_TREND_TO_DATE,
        GD_DEF_PLAN_COVERAGE_PCT, GD_DEF_COVERAGE_GAPS, GD_DEF_TOTAL_COST, GD_DEF_PLAN_COST,
    };
    fprintf(f, "## %s\n\n", _("Definitions"));
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        if (m->cost_redacted && gd_def_is_cost(shown[i]))
            continue;
        fprintf(f, "- %s: %s\n", _(gd_def_label(shown[i])), _(gd_def_text(shown[i])));
    }
}

static int write_all(FILE *f, const gd_report_model *m, gd_err *err)
{
    gd_tz_scope tz;
    int rc = gd_tz_scope_enter(&tz, m->trend_zone, err);
    if (rc)
        return rc;
    write_head(f, m, &tz);
    gd_tz_scope_leave(&tz);
    write_totals(f, m);
    write_wow(f, m);
    rc = write_top_accounts(f, m, err);
    if (rc)
        return rc;
    write_gaps(f, m);
    write_cost(f, m);
    write_definitions(f, m);
    return 0;
}

int gd_md_write_report(const gd_report_model *m, const char *path, gd_err *err)
{
    /* "-", a device or a FIFO is streamed; a file is written atomically
     * (common/output.h decides from what is at the path). */
    gd_output o;
    int rc = gd_output_open(&o, path, err);
    if (rc)
        return rc;
    rc = write_all(o.fp, m, err);
    if (!rc && ferror(o.fp))
        rc = gd_err_set(err, GD_E_IO, "%s: write failed", strcmp(path, "-") ? path : "stdout");
    if (rc) {
        gd_output_abort(&o);
        return rc;
    }
    return gd_output_commit(&o, err);
}
