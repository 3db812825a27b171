/* SPDX-License-Identifier: Apache-2.0 */
/* Print setup shared by every sheet, so the workbook prints as a document an
 * auditor can file: landscape, one page wide (as many pages tall as the rows
 * need), the sheet's header row repeated on every page, the chosen paper,
 * and a page header (report title, sheet name, organization) and footer
 * (generated time and zone, filters, redactions, "Page N of M").
 *
 * Header and footer are Excel "&" codes (&L left, &C centre, &R right, &A
 * sheet name, &P page, &N pages); text from the model is sanitized like a cell and its '&' doubled,
 * so an organization name cannot inject codes. Excel allows 255 characters
 * per header or footer: the filters part is cut to fit. */
#include "report/xlsx_sheets.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "report/severity.h"
#include "report/xlsx_text.h"

/* Appends s to out (capacity n) with '&' doubled; stops before overflow. */
static void append_escaped(char *out, size_t n, const char *s)
{
    size_t w = strlen(out);
    for (; *s && w + 2 < n; s++) {
        if (*s == '&')
            out[w++] = '&';
        out[w++] = *s;
    }
    out[w] = '\0';
}

/* Sanitized (bidi made visible, controls removed) copy of untrusted text. */
static const char *clean(xw_ctx *c, const char *s, size_t max_chars)
{
    if (!s)
        return "";
    if (gd_xlsx_text_sanitize_n(&c->text, s, strlen(s), max_chars, NULL) != 0)
        return "";
    return gd_buf_cstr(&c->text);
}

static void describe_filters(const gd_report_model *m, char *out, size_t n)
{
    const gd_report_options *o = &m->opts;
    size_t w = 0;
    out[0] = '\0';
    if (o->n_accounts)
        w += (size_t)snprintf(out + w, n - w, _("%saccounts: %zu"), w ? ", " : "", o->n_accounts);
    if (w < n && o->n_regions)
        w += (size_t)snprintf(out + w, n - w, _("%sregions: %zu"), w ? ", " : "", o->n_regions);
    if (w < n && o->min_severity > 0)
        w += (size_t)snprintf(out + w, n - w, _("%sseverity %s and above"), w ? ", " : "",
                              _(gd_severity_label(o->min_severity)));
    if (w < n && o->include_archived)
        w += (size_t)snprintf(out + w, n - w, _("%sarchived included"), w ? ", " : "");
    if (w == 0)
        snprintf(out, n, "%s", _("none"));
}

/* Marked for translation here, translated by the caller. */
static const char *describe_redactions(const gd_report_model *m)
{
    if (m->cost_redacted && m->management_redacted)
        return N_("management account and cost removed");
    if (m->management_redacted)
        return N_("management account removed");
    if (m->cost_redacted)
        return N_("cost removed");
    return N_("none");
}

int xw_print_init(xw_ctx *c)
{
    const gd_report_model *m = c->m;
    char org[160] = "";
    append_escaped(org, sizeof org,
                   clean(c, m->org_id ? m->org_id : _("organization unknown"), 60));
    char title[120] = "";
    append_escaped(title, sizeof title, _("GuardDuty organization report"));
    char right[200];
    snprintf(right, sizeof right, _("Organization %s"), org);
    snprintf(c->print_header, sizeof c->print_header, "&L&\"-,Bold\"%s&C&A&R%s", title, right);

    char when[48], filters[120], tail[160];
    /* 2026-12-07 09:30 UTC, or 2026-12-07 18:30 UTC+09:00 with --tz */
    if (!gd_tz_format_short(&c->tz, m->generated_ms, when, sizeof when))
        snprintf(when, sizeof when, "-");
    describe_filters(m, filters, sizeof filters);
    snprintf(tail, sizeof tail, _("; redactions: %s&RPage &P of &N"), _(describe_redactions(m)));
    /* Generated time first, page numbers last: only the filters are cut. */
    snprintf(c->print_footer, sizeof c->print_footer, _("&LGenerated %s; filters: "), when);
    size_t room = LXW_HEADER_FOOTER_MAX - strlen(c->print_footer) - strlen(tail);
    char cut[120];
    snprintf(cut, sizeof cut, "%.*s", (int)(room < sizeof cut ? room : sizeof cut - 1), filters);
    append_escaped(c->print_footer, sizeof c->print_footer, cut);
    strncat(c->print_footer, tail, sizeof c->print_footer - strlen(c->print_footer) - 1);
    return c->rc;
}

void xw_print_setup(xw_ctx *c, lxw_worksheet *ws, lxw_row_t header_row)
{
    if (c->rc || !ws)
        return;
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, c->paper);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.7, 0.7);
    xw_check(c, ws, header_row, 0, worksheet_repeat_rows(ws, header_row, header_row));
    xw_check(c, ws, 0, 0, worksheet_set_header(ws, c->print_header));
    xw_check(c, ws, 0, 0, worksheet_set_footer(ws, c->print_footer));
}

void xw_print_one_page(xw_ctx *c, lxw_worksheet *ws)
{
    if (c->rc || !ws)
        return;
    worksheet_fit_to_pages(ws, 1, 1);
}
