/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoint resolution (docs/facts.md E1, E2) over the compiled-in tables
 * of endpoints_data.c. The rule sets' behaviour, reduced to the five services
 * gdreport calls:
 *   regional: {prefix}.{region}.{dnsSuffix}; global: the partition endpoint,
 *   signed for its credential-scope region;
 *   FIPS: only the hosts the models publish (error elsewhere);
 *   dual-stack: {prefix}.{region}.{dualStackDnsSuffix};
 *   FIPS + dual-stack: {prefix}-fips.{region}.{dualStackDnsSuffix} where FIPS exists.
 * A configured URL wins over FIPS/dual-stack (sdkref "Dual-stack and FIPS"). */
#include "aws/endpoints.h"
#include "aws/endpoint_rules_internal.h"
#include "common/names.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Where a configured endpoint URL came from, for messages. */
typedef struct configured_url {
    const char *url;
    char from[160];
} configured_url;

static const gd_ep_service *find_service(const char *service)
{
    for (size_t i = 0; i < gd_ep_n_services; i++)
        if (!strcmp(gd_ep_services[i].service, service))
            return &gd_ep_services[i];
    return NULL;
}

static int in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

static int regex_match(const char *pattern, const char *s)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

const gd_ep_partition *gd_ep_partition_for_region(const char *region)
{
    if (!region || !*region)
        return NULL;
    for (size_t i = 0; i < gd_ep_n_partitions; i++)
        if (in_list(gd_ep_partitions[i].regions, gd_ep_partitions[i].n_regions, region))
            return &gd_ep_partitions[i];
    for (size_t i = 0; i < gd_ep_n_partitions; i++)
        if (regex_match(gd_ep_partitions[i].region_regex, region))
            return &gd_ep_partitions[i];
    return NULL;
}

const char *gd_partition_of_region(const char *region)
{
    const gd_ep_partition *p = gd_ep_partition_for_region(region);
    return p ? p->id : NULL;
}

const char *const *gd_guardduty_regions(const char *partition, size_t *n)
{
    for (size_t i = 0; i < gd_ep_n_partitions; i++) {
        if (partition && !strcmp(gd_ep_partitions[i].id, partition)) {
            *n = gd_ep_partitions[i].n_guardduty_regions;
            return gd_ep_partitions[i].guardduty_regions;
        }
    }
    *n = 0;
    return NULL;
}

static const gd_ep_global *find_global(const char *service, const char *partition)
{
    for (size_t i = 0; i < gd_ep_n_globals; i++)
        if (!strcmp(gd_ep_globals[i].service, service) &&
            !strcmp(gd_ep_globals[i].partition, partition))
            return &gd_ep_globals[i];
    return NULL;
}

const char *gd_global_service_region(const char *service, const char *partition)
{
    if (!service || !partition)
        return NULL;
    const gd_ep_global *g = find_global(service, partition);
    return g ? g->region : NULL;
}

int gd_endpoint_url_allowed(const char *url)
{
    char host[300];
    if (!url || gd_url_host(url, host, sizeof host) != 0)
        return 0;
    if (!strncasecmp(url, "https://", 8))
        return 1;
    if (strncasecmp(url, "http://", 7))
        return 0;
    return gd_host_is_loopback(host);
}

/* env value if set, else the profile's key, else 0. */
static int bool_setting(const gd_endpoint_config *cfg, const char *env_name, const char *key)
{
    const char *v = gd_env_get(cfg->env, env_name);
    if (!v && cfg->files && cfg->profile)
        v = gd_awsconfig_get(cfg->files, cfg->profile, key);
    return v && !strcasecmp(v, "true");
}

/* "GUARDDUTY" for AWS_ENDPOINT_URL_GUARDDUTY: the serviceId upper-cased, spaces as '_'. */
static const char *env_suffix(const char *service)
{
    static const struct {
        const char *service, *suffix;
    } map[] = {{"guardduty", "GUARDDUTY"}, {"organizations", "ORGANIZATIONS"},
               {"sts", "STS"}, {"account", "ACCOUNT"}, {"sso", "SSO"}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i].service, service))
            return map[i].suffix;
    return NULL;
}

static void configured_from_files(const gd_endpoint_config *cfg, const char *service,
                                  configured_url *out)
{
    if (!cfg->files || !cfg->profile)
        return;
    const char *services = gd_awsconfig_get(cfg->files, cfg->profile, "services");
    const char *v = services ? gd_awsconfig_services_get(cfg->files, services, service,
                                                         "endpoint_url")
                             : NULL;
    if (v && *v) {
        out->url = v;
        snprintf(out->from, sizeof out->from, "[services %s] %s.endpoint_url", services, service);
        return;
    }
    v = gd_awsconfig_get(cfg->files, cfg->profile, "endpoint_url");
    if (v && *v) {
        out->url = v;
        snprintf(out->from, sizeof out->from, "profile %s endpoint_url", cfg->profile);
    }
}

/* E1 precedence; out->url stays NULL when nothing is configured. */
static void find_configured(const gd_endpoint_config *cfg, const char *service,
                            configured_url *out)
{
    out->url = NULL;
    out->from[0] = '\0';
    if (cfg->flag_url && *cfg->flag_url) {
        out->url = cfg->flag_url;
        snprintf(out->from, sizeof out->from, "--endpoint-url");
        return;
    }
    if (bool_setting(cfg, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls"))
        return;
    char name[64];
    snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s", env_suffix(service));
    const char *v = gd_env_get(cfg->env, name);
    if (v) {
        out->url = v;
        snprintf(out->from, sizeof out->from, "%s", name);
        return;
    }
    v = gd_env_get(cfg->env, "AWS_ENDPOINT_URL");
    if (v) {
        out->url = v;
        snprintf(out->from, sizeof out->from, "AWS_ENDPOINT_URL");
        return;
    }
    configured_from_files(cfg, service, out);
}

static void host_header(const char *url, const char *auth, char *out, size_t n)
{
    size_t al = strlen(auth);
    int https = !strncasecmp(url, "https://", 8);
    const char *dflt = https ? ":443" : ":80";
    size_t dl = strlen(dflt);
    if (auth[0] != '[' || strchr(auth, ']')) {
        if (al > dl && !strcmp(auth + al - dl, dflt)) {
            snprintf(out, n, "%.*s", (int)(al - dl), auth);
            return;
        }
    }
    snprintf(out, n, "%s", auth);
}

static int use_configured(const configured_url *c, const gd_ep_service *svc, const char *region,
                          gd_endpoint *out, gd_err *err)
{
    char auth[256];
    if (!gd_endpoint_url_allowed(c->url) || gd_url_authority(c->url, auth, sizeof auth) != 0)
        return gd_err_set(err, GD_E_CONFIG,
                          "endpoint URL '%.200s' (from %s) refused: use https://, or http:// "
                          "only to a loopback address (127.0.0.1, ::1, localhost)",
                          c->url, c->from);
    size_t ul = strlen(c->url);
    while (ul > 0 && c->url[ul - 1] == '/')
        ul--;
    if (ul >= sizeof out->url)
        return gd_err_set(err, GD_E_CONFIG, "endpoint URL from %s is too long", c->from);
    snprintf(out->url, sizeof out->url, "%.*s", (int)ul, c->url);
    host_header(c->url, auth, out->host, sizeof out->host);
    const char *part = gd_partition_of_region(region);
    const char *global = part ? gd_global_service_region(svc->service, part) : NULL;
    snprintf(out->signing_region, sizeof out->signing_region, "%s", global ? global : region);
    snprintf(out->signing_name, sizeof out->signing_name, "%s", svc->signing_name);
    out->overridden = 1;
    return 0;
}

/* The modelled endpoint: the service's endpoint rule set, evaluated as the
 * SDKs do (aws/endpoint_rules.c; docs/facts.md E2). */
static int resolve_modeled(const gd_endpoint_config *cfg, const gd_ep_service *svc,
                           const char *region, gd_endpoint *out, gd_err *err)
{
    if (!gd_ep_partition_for_region(region))
        return gd_err_set(err, GD_E_CONFIG,
                          "region '%.64s' is not in the aws, aws-cn or aws-us-gov partition",
                          region);
    gd_ep_params prm = {region, bool_setting(cfg, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
                        bool_setting(cfg, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
                        NULL, 0};
    gd_ep_result r;
    int rc = gd_ep_rules_resolve(svc->service, &prm, &r);
    if (rc == GD_EP_RULE_ERROR)
        return gd_err_set(err, GD_E_CONFIG,
                          "%s in %s: %s (check AWS_USE_FIPS_ENDPOINT / use_fips_endpoint and "
                          "AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint)",
                          svc->service, region, r.error);
    if (rc != GD_EP_ENDPOINT || strncmp(r.url, "https://", 8) != 0)
        return gd_err_set(err, GD_E_INTERNAL, "%s in %s: %s", svc->service, region,
                          r.error[0] ? r.error : "endpoint rules gave no https URL");
    snprintf(out->url, sizeof out->url, "%s", r.url);
    snprintf(out->host, sizeof out->host, "%.*s", (int)strcspn(r.url + 8, "/"), r.url + 8);
    snprintf(out->signing_region, sizeof out->signing_region, "%s",
             r.signing_region[0] ? r.signing_region : region);
    snprintf(out->signing_name, sizeof out->signing_name, "%s",
             r.signing_name[0] ? r.signing_name : svc->signing_name);
    out->overridden = 0;
    return 0;
}

int gd_endpoint_resolve(const gd_endpoint_config *cfg, const char *service, const char *region,
                        gd_endpoint *out, gd_err *err)
{
    memset(out, 0, sizeof *out);
    const gd_ep_service *svc = service ? find_service(service) : NULL;
    if (!svc)
        return gd_err_set(err, GD_E_INTERNAL, "unknown service '%s'", service ? service : "");
    if (!gd_region_name_valid(region))
        return gd_err_set(err, GD_E_CONFIG, "invalid region '%.64s' for %s",
                          region ? region : "", service);
    gd_endpoint_config none = {0};
    if (!cfg)
        cfg = &none;
    configured_url c;
    find_configured(cfg, service, &c);
    if (c.url)
        return use_configured(&c, svc, region, out, err);
    return resolve_modeled(cfg, svc, region, out, err);
}
