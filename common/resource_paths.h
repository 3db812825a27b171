/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_COMMON_RESOURCE_PATHS_H
#define GD_COMMON_RESOURCE_PATHS_H
/* The one table of where a finding's main resource id lives: GuardDuty
 * resource type -> SQLite JSON path into the finding's JSON. Pure data, so
 * the store (which extracts the id once, when a finding is written, and for
 * rows stored before schema/005) and the report (which documents and tests
 * it) share it. */
#include <stddef.h>

typedef struct gd_resource_path {
    const char *resource_type;   /* resource.resourceType, as GuardDuty spells it */
    const char *json_path;       /* SQLite JSON path into the finding's JSON */
} gd_resource_path;

/* The table (static storage); *n gets its length. */
const gd_resource_path *gd_resource_paths(size_t *n);

/* The path for resource_type, or NULL (unknown type, or NULL). */
const char *gd_resource_path_of(const char *resource_type);

/* The same table as a JSON object {"Instance": "$.resource...", ...}
 * (static storage, built on first use). */
const char *gd_resource_paths_json(void);

#endif
