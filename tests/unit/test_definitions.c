/* SPDX-License-Identifier: Apache-2.0 */
/* report/definitions.c is the one place a figure's meaning is written: the
 * JSON Schema's description of the figure and README's "What each number
 * means" row must say exactly the same. */
#include "report/definitions.h"
#include "t.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The schema node of a JSON path such as "plans[].coverage_pct". */
static json_t *schema_node(json_t *schema, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "%s", id);
    json_t *n = schema;
    for (char *save = NULL, *part = strtok_r(path, ".", &save); part && n;
         part = strtok_r(NULL, ".", &save)) {
        size_t len = strlen(part);
        int array = len > 2 && !strcmp(part + len - 2, "[]");
        if (array)
            part[len - 2] = '\0';
        n = json_object_get(json_object_get(n, "properties"), part);
        if (array)
            n = json_object_get(n, "items");
    }
    return n;
}

static void test_table(void)
{
    for (int i = 0; i < GD_DEF_COUNT; i++) {
        const gd_definition *d = gd_def((enum gd_def_id)i);
        CHECK_MSG(d->id && d->label && d->label[0] && d->definition, "definition %d incomplete", i);
        if (!d->id || !d->definition)
            continue;
        size_t n = strlen(d->definition);
        CHECK_MSG(n > 10 && d->definition[n - 1] == '.', "%s: one sentence ending in '.'", d->id);
        CHECK_MSG(!strchr(d->definition, '\n'), "%s: one line", d->id);
        for (int j = 0; j < i; j++)
            CHECK_MSG(strcmp(gd_def((enum gd_def_id)j)->id, d->id) != 0, "%s twice", d->id);
    }
}

static void test_schema_agrees(const char *src)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/schema/report.schema.json", src);
    json_error_t jerr;
    json_t *schema = json_load_file(path, 0, &jerr);
    CHECK_MSG(schema != NULL, "%s: %s", path, jerr.text);
    if (!schema)
        return;
    for (int i = 0; i < GD_DEF_COUNT; i++) {
        const gd_definition *d = gd_def((enum gd_def_id)i);
        json_t *n = schema_node(schema, d->id);
        const char *desc = json_string_value(json_object_get(n, "description"));
        CHECK_MSG(n != NULL, "%s: not in the schema", d->id);
        CHECK_MSG(desc && !strcmp(desc, d->definition),
                  "%s: the schema's description differs from report/definitions.c:\n"
                  "  schema: %s\n  code:   %s", d->id, desc ? desc : "(none)", d->definition);
    }
    const char *ver = json_string_value(
        json_object_get(schema_node(schema, "schema_version"), "const"));
    CHECK_MSG(ver && !strcmp(ver, GD_REPORT_SCHEMA_VERSION), "schema_version const %s",
              ver ? ver : "(none)");
    json_decref(schema);
}

/* README has "| `id` | label | definition |" for every figure ('|' escaped). */
static void test_readme_agrees(const char *src)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/README.md", src);
    char *readme = read_text(path);
    CHECK_MSG(readme != NULL, "cannot read %s", path);
    if (!readme)
        return;
    CHECK(strstr(readme, "\n## What each number means\n") != NULL);
    for (int i = 0; i < GD_DEF_COUNT; i++) {
        const gd_definition *d = gd_def((enum gd_def_id)i);
        char row[2048], text[1024];
        size_t k = 0;
        for (const char *p = d->definition; *p && k + 2 < sizeof text; p++) {
            if (*p == '|')
                text[k++] = '\\';
            text[k++] = *p;
        }
        text[k] = '\0';
        snprintf(row, sizeof row, "\n| `%s` | %s | %s |\n", d->id, d->label, text);
        CHECK_MSG(strstr(readme, row) != NULL, "README.md lacks the row of %s:%s", d->id, row);
    }
    free(readme);
}

int main(void)
{
    const char *src = getenv("GD_SOURCE_DIR");
    test_table();
    if (!src || !*src) {
        fprintf(stderr, "GD_SOURCE_DIR not set: schema and README not checked\n");
        return 77;
    }
    test_schema_agrees(src);
    test_readme_agrees(src);
    return t_done();
}
