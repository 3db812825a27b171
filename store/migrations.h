/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_STORE_MIGRATIONS_H
#define GD_STORE_MIGRATIONS_H
#include <stddef.h>

/* One SQL migration compiled in from schema/NNN_name.sql. Applied in order of
 * `version`; PRAGMA user_version holds the highest applied version. */
struct gd_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct gd_migration gd_migrations[];
extern const size_t gd_migrations_count;

#endif
