/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_I18N_H
#define GD_COMMON_I18N_H
/* Translated text through GNU gettext (glibc), text domain "gdreport",
 * catalogs under po/ (po/README.md says how to add or update one).
 *
 * What is translated: workbook sheet names, headers, labels, chart titles,
 * page header and footer; the Markdown summary's words; `status` text; the
 * CLI's own error messages.
 * What is never translated: JSON (keys, enum values, labels), log lines in
 * JSON format, identifiers such as region states: machines read those.
 *
 * English is the msgid itself: until gd_i18n_init picks another language,
 * _() returns its argument unchanged, so English output is byte-identical
 * whatever the catalogs say. Only LC_MESSAGES is touched: numbers keep the
 * C locale's '.' (see cli/main.c). */

#define _(msgid) gd_tr(msgid)
/* Marks a string for xgettext where it is defined (tables); translate it
 * with _() where it is used. */
#define N_(msgid) (msgid)

enum gd_lang { GD_LANG_EN = 0, GD_LANG_JA = 1 };

/* Picks the language: lang ("en", "ja", or NULL for the environment:
 * LANGUAGE, LC_ALL, LC_MESSAGES, then LANG, as gettext reads them; a value
 * starting with "ja" means Japanese) and, for Japanese, binds the catalog
 * directory: $GDREPORT_LOCALEDIR, else <dir of the executable>/../locale
 * (a build tree), else <dir of the executable>/../share/locale, else the
 * compiled-in GD_LOCALEDIR. Returns 0, or -1 for an unknown lang. Call once,
 * before any thread starts. */
int gd_i18n_init(const char *lang);

/* The language in effect. */
int gd_i18n_lang(void);

/* msgid translated into the language in effect (borrowed, static storage). */
/* format_arg: printf-style checks see through _("...") to the msgid. */
const char *gd_tr(const char *msgid) __attribute__((format_arg(1)));

#endif
