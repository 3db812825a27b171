/* SPDX-License-Identifier: Apache-2.0 */
/* gettext set-up for gdreport (contract in i18n.h).
 *
 * glibc only looks at LANGUAGE when LC_MESSAGES is not the plain "C"
 * locale, and a system may not have ja_JP.UTF-8 generated at all (Debian's
 * locales package generates what the admin chose). So for Japanese we set
 * LC_MESSAGES to the built-in C.UTF-8 and LANGUAGE to "ja": the catalog is
 * found without any generated locale, and nothing else about the C locale
 * changes. */
#include "common/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOMAIN "gdreport"

#ifndef GD_LOCALEDIR
#define GD_LOCALEDIR "/usr/share/locale"
#endif

static int current = GD_LANG_EN;

static const char *env_language(void)
{
    static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return v;
    }
    return NULL;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the catalogs are: see gd_i18n_init in i18n.h. */
static void locale_dir(char *out, size_t n)
{
    const char *env = getenv("GDREPORT_LOCALEDIR");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return;
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"/../locale", "/../share/locale"};
            for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
                snprintf(out, n, "%s%s/ja/LC_MESSAGES", exe, rel[i]);
                if (is_dir(out)) {
                    snprintf(out, n, "%s%s", exe, rel[i]);
                    return;
                }
            }
        }
    }
    snprintf(out, n, "%s", GD_LOCALEDIR);
}

int gd_i18n_init(const char *lang)
{
    const char *want = lang ? lang : env_language();
    int ja = want && !strncmp(want, "ja", 2);
    if (lang && !ja && strcmp(lang, "en") != 0)
        return -1;
    current = ja ? GD_LANG_JA : GD_LANG_EN;
    if (!ja)
        return 0;
    char dir[4200];
    locale_dir(dir, sizeof dir);
    setenv("LANGUAGE", "ja", 1);
    if (!setlocale(LC_MESSAGES, "C.UTF-8"))
        setlocale(LC_MESSAGES, "C.utf8");
    bindtextdomain(DOMAIN, dir);
    bind_textdomain_codeset(DOMAIN, "UTF-8");
    return 0;
}

int gd_i18n_lang(void)
{
    return current;
}

const char *gd_tr(const char *msgid)
{
    if (current == GD_LANG_EN || !msgid || !*msgid)
        return msgid;
    return dgettext(DOMAIN, msgid);
}
