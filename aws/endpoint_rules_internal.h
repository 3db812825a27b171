/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GD_AWS_ENDPOINT_RULES_INTERNAL_H
#define GD_AWS_ENDPOINT_RULES_INTERNAL_H
/* Internal to aws/: an evaluator of the AWS endpoint rule sets (the
 * endpoint-rule-set-1.json language the SDKs share: trees of conditions,
 * endpoints and errors) over the rule sets compiled into endpoints_data.c.
 * It implements what those rule sets use: isSet, not, booleanEquals,
 * stringEquals, getAttr, aws.partition, and {Ref} / {Ref#attr} templates.
 * Anything else is reported as an unsupported rule, never guessed. */
#include <stddef.h>

typedef struct gd_ep_rule_set {
    const char *service;          /* our key: "guardduty", "sts", ..., "sso" */
    const char *json;             /* minified rule set */
} gd_ep_rule_set;

extern const gd_ep_rule_set gd_ep_rule_sets[];
extern const size_t gd_ep_n_rule_sets;
extern const char gd_ep_rules_partitions[]; /* partitions.json, POSIX regexes */

typedef struct gd_ep_params {
    const char *region;           /* NULL: unset */
    int use_fips;
    int use_dualstack;
    const char *endpoint;         /* SDK::Endpoint, NULL: unset */
    int use_global_endpoint;      /* STS only (AWS::STS::UseGlobalEndpoint) */
} gd_ep_params;

typedef struct gd_ep_result {
    char url[512];
    char signing_region[64];      /* from authSchemes, "" when the rule gives none */
    char signing_name[64];        /* from authSchemes, "" when the rule gives none */
    char error[256];              /* the rule's error text when it ends in one */
} gd_ep_result;

enum gd_ep_outcome {
    GD_EP_ENDPOINT = 0,           /* url set */
    GD_EP_RULE_ERROR = 1,         /* the rules end in an error: error set */
    GD_EP_UNSUPPORTED = -1        /* unknown service, function or malformed rule: error set */
};

/* Evaluates the rule set of service. Thread-safe. */
int gd_ep_rules_resolve(const char *service, const gd_ep_params *params, gd_ep_result *out);

#endif
