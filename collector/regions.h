/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COLLECTOR_REGIONS_H
#define GD_COLLECTOR_REGIONS_H
/* Which regions a collect covers, and which of them are enabled.
 *
 * All regions: GuardDuty's regions in the caller's partition
 * (gd_guardduty_regions). Account ListRegions (POST /listRegions, PascalCase
 * keys, signed for the global-service region) tells which are enabled; the
 * others are recorded as region_disabled without being called. When
 * ListRegions is denied (or fails), every partition region is treated as
 * enabled and regions_source says so. An explicit --regions list is taken as
 * given (names validated, duplicates dropped). */
#include <stddef.h>
#include <jansson.h>
#include "aws/aws_client.h"
#include "common/err.h"

typedef struct gd_region_scope {
    char **names;        /* owned, sorted as the partition list (flag order for --regions) */
    int *enabled;        /* 1 = call it, 0 = record region_disabled */
    size_t n;
    char source[64];     /* "account:ListRegions", "partition (ListRegions denied)",
                            "partition (ListRegions failed)", "flag" */
    char message[GD_ERR_MSG_MAX];  /* why ListRegions was not used, "" otherwise */
} gd_region_scope;

/* Parses a "--regions" value ("all" -> *all = 1, else "r1,r2"). */
int gd_regions_parse_flag(const char *value, char ***out, size_t *n, int *all, gd_err *err);

/* One ListRegions page: appends the names with status ENABLED or
 * ENABLED_BY_DEFAULT to (*names, *n); *next new or NULL. */
int gd_regions_parse_page(const json_t *root, char ***names, size_t *n, char **next,
                          gd_err *err);

/* Builds the scope. explicit_list NULL -> all GuardDuty regions of partition. */
int gd_regions_resolve(gd_aws_client *c, const char *partition,
                       const char *const *explicit_list, size_t n_explicit,
                       gd_region_scope *out, gd_err *err);
void gd_region_scope_free(gd_region_scope *s);

#endif
