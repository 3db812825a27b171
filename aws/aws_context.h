/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_AWS_CONTEXT_H
#define GD_AWS_AWS_CONTEXT_H
/* Everything needed to talk to AWS, assembled once per process from flags,
 * environment and the shared config files: profile, home region, partition,
 * endpoint configuration, credential provider, retry quota and client
 * options. Commands (doctor, collect) build one and create one gd_aws_client
 * per thread from it. */
#include "aws/aws_client.h"
#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "aws/endpoints.h"
#include "aws/retry.h"
#include "common/env.h"
#include "common/err.h"

typedef struct gd_aws_context_options {
    const char *profile;          /* --profile or NULL */
    const char *region;           /* --region or NULL */
    const char *endpoint_url;     /* --endpoint-url or NULL */
    const gd_env *env;            /* NULL: process environment */
    long connect_timeout_ms;      /* 0: default */
    long request_timeout_ms;      /* 0: default */
    int max_attempts;             /* 0: AWS_MAX_ATTEMPTS / max_attempts / 3 */
} gd_aws_context_options;

typedef struct gd_aws_context {
    const gd_env *env;
    gd_awsconfig *files;
    char profile[128];
    char region[64];              /* home region */
    char partition[16];           /* aws | aws-cn | aws-us-gov */
    gd_endpoint_config endpoints;
    gd_creds_provider *creds;
    gd_retry_quotas quotas;       /* one retry bucket per region, shared by all threads */
    gd_aws_options client_opts;   /* wired to creds and quotas */
} gd_aws_context;

/* Fails with GD_E_CREDS / GD_E_CONFIG / GD_E_USAGE and a clear message (no
 * region configured, unknown profile, MFA profile, expired SSO token, ...). */
int gd_aws_context_init(gd_aws_context *ctx, const gd_aws_context_options *opts, gd_err *err);
void gd_aws_context_cleanup(gd_aws_context *ctx);
/* One client per thread. */
int gd_aws_context_new_client(gd_aws_context *ctx, gd_aws_client **out, gd_err *err);

#endif
