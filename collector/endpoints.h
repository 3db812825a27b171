#ifndef GD_COLLECTOR_ENDPOINTS_H
#define GD_COLLECTOR_ENDPOINTS_H
/* Endpoint resolution for guardduty, organizations, sts, account and the SSO
 * portal, for the aws, aws-cn and aws-us-gov partitions (data compiled in from
 * ../shared/aws-models by tools/gen_endpoints.py; nothing is read at run time).
 *
 * Precedence, highest first (sdkref "Service-specific endpoints"):
 *   --endpoint-url (every service) > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL
 *   > config `services` section endpoint_url > profile endpoint_url > resolved.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls turn off
 * everything but the flag. FIPS: AWS_USE_FIPS_ENDPOINT / use_fips_endpoint;
 * dual-stack: AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint. */
#include <stddef.h>
#include "collector/awsconfig.h"
#include "common/env.h"
#include "common/err.h"

typedef struct gd_endpoint_config {
    const char *flag_url;            /* --endpoint-url, or NULL */
    const gd_env *env;
    const gd_awsconfig *files;       /* may be NULL */
    const char *profile;             /* profile in effect */
} gd_endpoint_config;

typedef struct gd_endpoint {
    char url[512];                   /* "https://guardduty.eu-west-1.amazonaws.com", no trailing slash */
    char signing_region[64];         /* region to put in the SigV4 scope */
    char signing_name[64];           /* "guardduty", "organizations", "sts", "account", "awsssoportal" */
    char host[256];                  /* Host header value (with :port when not default) */
    int overridden;                  /* 1 when a configured URL was used */
} gd_endpoint;

/* service: "guardduty" | "organizations" | "sts" | "account" | "sso". */
int gd_endpoint_resolve(const gd_endpoint_config *cfg, const char *service, const char *region,
                        gd_endpoint *out, gd_err *err);

/* "aws", "aws-cn", "aws-us-gov" for a region name (by the partitions' regex). */
const char *gd_partition_of_region(const char *region);
/* GuardDuty's regions in a partition, sorted; count in *n. Static storage. */
const char *const *gd_guardduty_regions(const char *partition, size_t *n);
/* The region a global service (organizations, account) is signed for. */
const char *gd_global_service_region(const char *service, const char *partition);
/* Is url acceptable: https, or http to a loopback host. */
int gd_endpoint_url_allowed(const char *url);

#endif
