#ifndef GD_REPORT_JSON_INTERNAL_H
#define GD_REPORT_JSON_INTERNAL_H
/* Private to report/json_*.c: building the report's JSON tree.
 *
 * Every json_* result is checked (reliability-facts J1): a NULL value makes
 * jw_set fail instead of silently dropping the key, and strings are repaired
 * to valid UTF-8 before json_stringn sees them. */
#include <jansson.h>
#include <stdint.h>
#include "report/model.h"

/* Value constructors; NULL only when out of memory. */
json_t *jw_str(const char *s);            /* NULL s -> json null */
json_t *jw_time(int64_t ms);              /* ISO-8601 UTC, or null for 0 */
json_t *jw_date(int64_t ms);              /* YYYY-MM-DD */
json_t *jw_sev(const gd_sev_counts *c);   /* {"critical","high","medium","low"} */
json_t *jw_types(const gd_type_count *t, size_t n);

/* Sets key to v (stealing v). -1 when v is NULL or the set fails. */
int jw_set(json_t *obj, const char *key, json_t *v);
/* Appends v (stealing v). -1 when v is NULL or the append fails. */
int jw_push(json_t *arr, json_t *v);

/* The report document without the findings detail and costs. NULL when out
 * of memory. */
json_t *jw_report(const gd_report_model *m);
/* The "costs" array (the writer adds it last, after "findings"). */
json_t *jw_costs(const gd_report_model *m);

#endif
