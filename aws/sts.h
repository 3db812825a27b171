/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_STS_H
#define GD_AWS_STS_H
/* STS (query protocol: form POST, XML response) calls gdreport makes. */
#include "aws/aws_client.h"
#include "common/err.h"

typedef struct gd_caller_identity {
    char account[16];
    char arn[512];
    char user_id[256];
} gd_caller_identity;

/* sts:GetCallerIdentity in `region` (regional endpoint). */
int gd_sts_get_caller_identity(gd_aws_client *c, const char *region, gd_caller_identity *out,
                               gd_err *err);

#endif
