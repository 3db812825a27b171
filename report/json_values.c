/* SPDX-License-Identifier: Apache-2.0 */
/* Checked JSON value helpers for the report writer (see json_internal.h). */
#include "report/json_internal.h"
#include "common/timeutil.h"
#include "common/utf8.h"

#include <stdlib.h>
#include <string.h>

json_t *jw_str(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (gd_utf8_valid(s, n))
        return json_stringn(s, n);
    size_t len;
    char *fixed = gd_utf8_repair(s, n, &len);
    if (!fixed)
        return NULL;
    json_t *v = json_stringn(fixed, len);
    free(fixed);
    return v;
}

json_t *jw_time(int64_t ms)
{
    char buf[32];
    if (!ms)
        return json_null();
    return json_string(gd_time_format_iso(ms, buf, sizeof buf));
}

json_t *jw_date(int64_t ms)
{
    char buf[16];
    return json_string(gd_time_format_date(ms, buf, sizeof buf));
}

int jw_set(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return -1;
    return json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

int jw_push(json_t *arr, json_t *v)
{
    if (!v)
        return -1;
    return json_array_append_new(arr, v) == 0 ? 0 : -1;
}

json_t *jw_sev(const gd_sev_counts *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int rc = 0;
    for (int band = GD_SEV_CRITICAL; band >= GD_SEV_LOW; band--)
        rc |= jw_set(o, gd_severity_name(band), json_integer(c->n[band]));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *jw_types(const gd_type_count *t, size_t n)
{
    json_t *a = json_array();
    int rc = a ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = json_object();
        rc |= o ? 0 : -1;
        if (o) {
            rc |= jw_set(o, "type", jw_str(t[i].type));
            rc |= jw_set(o, "count", json_integer(t[i].count));
            rc |= jw_push(a, o);
        }
    }
    if (rc) {
        json_decref(a);
        return NULL;
    }
    return a;
}
