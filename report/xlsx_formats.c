/* SPDX-License-Identifier: Apache-2.0 */
/* Cell formats of the workbook: created once, owned by the workbook. */
#include "report/xlsx_sheets.h"

#include "report/severity.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

/* Severity colours: Critical dark red, High red-orange, Medium amber, Low
 * grey-blue; white text on the two dark fills. Charts use the same fills. */
static const lxw_color_t SEV_FILL[GD_SEV_COUNT] = {
    [GD_SEV_LOW] = 0x9DB3C8,
    [GD_SEV_MEDIUM] = 0xFFC000,
    [GD_SEV_HIGH] = 0xE8590C,
    [GD_SEV_CRITICAL] = 0x8B0000,
};
static const lxw_color_t SEV_FONT[GD_SEV_COUNT] = {
    [GD_SEV_LOW] = LXW_COLOR_BLACK,
    [GD_SEV_MEDIUM] = LXW_COLOR_BLACK,
    [GD_SEV_HIGH] = LXW_COLOR_WHITE,
    [GD_SEV_CRITICAL] = LXW_COLOR_WHITE,
};

/* Japanese workbooks name a font with Japanese glyphs on every format (and
 * on the base format every otherwise unformatted cell gets): Yu Gothic is
 * the default Japanese font of current Office; viewers without it pick
 * their own CJK font (LibreOffice: Noto Sans CJK JP via fontconfig). */
#define JA_FONT "Yu Gothic"

static lxw_format *add(xw_ctx *c)
{
    if (c->rc)
        return NULL;
    lxw_format *f = workbook_add_format(c->wb);
    if (!f)
        xw_fail(c, GD_E_NOMEM, "cannot create a cell format");
    else if (gd_i18n_lang() == GD_LANG_JA)
        format_set_font_name(f, JA_FONT);
    return f;
}

static lxw_format *num_format(xw_ctx *c, const char *pattern)
{
    lxw_format *f = add(c);
    if (f)
        format_set_num_format(f, pattern);
    return f;
}

static lxw_format *header_format(xw_ctx *c, lxw_color_t fill, lxw_color_t font)
{
    lxw_format *f = add(c);
    if (f) {
        format_set_bold(f);
        format_set_bg_color(f, fill);
        format_set_font_color(f, font);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    }
    return f;
}

/* The currency format for the unit the costs carry: "$#,##0.00" for USD
 * (GuardDuty usage statistics are in USD), '#,##0.00 "EUR"' for another
 * three-letter unit, a plain two-decimal number otherwise. The model holds
 * one unit (report/model_costs.c refuses to sum two). */
static void money_pattern(const gd_report_model *m, char *out, size_t n)
{
    const char *unit = m->costs.unit && *m->costs.unit ? m->costs.unit : NULL;
    int plain = unit && strlen(unit) == 3;
    for (size_t i = 0; plain && i < 3; i++)
        plain = unit[i] >= 'A' && unit[i] <= 'Z';
    if (unit && !plain)
        snprintf(out, n, "#,##0.00");
    else if (!unit || !strcmp(unit, "USD"))
        snprintf(out, n, "$#,##0.00");
    else
        snprintf(out, n, "#,##0.00 \"%s\"", unit);
}

lxw_color_t xw_severity_color(int band)
{
    return band >= 0 && band < GD_SEV_COUNT ? SEV_FILL[band] : SEV_FILL[GD_SEV_LOW];
}

int xw_formats_init(xw_ctx *c)
{
    xw_formats *x = &c->fmt;
    /* NULL in English: cells keep the workbook's default format, as before. */
    x->base = gd_i18n_lang() == GD_LANG_JA ? add(c) : NULL;
    x->title = add(c);
    if (x->title) {
        format_set_bold(x->title);
        format_set_font_size(x->title, 14);
    }
    x->section = add(c);
    if (x->section)
        format_set_bold(x->section);
    x->label = x->section;
    x->header = header_format(c, 0xD9E1F2, LXW_COLOR_BLACK);
    x->count = num_format(c, "#,##0");
    x->date = num_format(c, "yyyy-mm-dd hh:mm:ss");
    x->pct = num_format(c, "0.0%");
    char money[32];
    money_pattern(c->m, money, sizeof money);
    x->money = num_format(c, money);
    x->score = num_format(c, "0.0");
    x->hours = num_format(c, "0.0\" h\"");
    x->link = add(c);
    if (x->link) {
        format_set_underline(x->link, LXW_UNDERLINE_SINGLE);
        format_set_font_color(x->link, LXW_COLOR_BLUE);
    }
    x->wrap = add(c);
    if (x->wrap)
        format_set_text_wrap(x->wrap);
    for (int b = 0; b < GD_SEV_COUNT; b++) {
        x->sev[b] = add(c);
        if (x->sev[b]) {
            format_set_bg_color(x->sev[b], SEV_FILL[b]);
            format_set_font_color(x->sev[b], SEV_FONT[b]);
            format_set_bold(x->sev[b]);
        }
        x->sev_header[b] = header_format(c, SEV_FILL[b], SEV_FONT[b]);
    }
    return c->rc;
}
