#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate aws/endpoints_data.c from the AWS models (run at dev time).

    python3 tools/gen_endpoints.py AWS_MODELS_DIR > aws/endpoints_data.c

AWS_MODELS_DIR holds copies of botocore 1.43.67's data files (botocore/data/
in the boto/botocore repository), laid out as below.

Inputs (botocore 1.43.67 copies, see aws-models/README.md):
  partitions.json            dnsSuffix, dualStackDnsSuffix, regionRegex,
                             implicitGlobalRegion and region list per partition
  endpoints-excerpt.json     GuardDuty's region list, the FIPS host variants of
                             guardduty/sts/organizations, the global hosts and
                             credential scopes of organizations/account
  <svc>/*/endpoint-rule-set-1.json
                             checked for the URL templates the C resolver
                             hard-codes (so a model change fails here loudly);
                             account's FIPS host comes from its rule set because
                             the excerpt lists no variants for it.
The SSO portal is not in these models: portal.sso.{region}.{dnsSuffix}, signing
name "awsssoportal" (as in botocore's sso model), no FIPS/dual-stack variants.

The binary never reads the models: the output is checked in.
"""
import json
import os
import re
import sys

PARTITIONS = ["aws", "aws-cn", "aws-us-gov"]
SERVICES = ["guardduty", "organizations", "sts", "account", "sso"]
SIGNING = {"guardduty": "guardduty", "organizations": "organizations", "sts": "sts",
           "account": "account", "sso": "awsssoportal"}
HOST_PREFIX = {"guardduty": "guardduty", "organizations": "organizations", "sts": "sts",
               "account": "account", "sso": "portal.sso"}
DUALSTACK = {"guardduty": True, "organizations": True, "sts": True, "account": True, "sso": False}
RULESETS = {"guardduty": "guardduty/2017-11-28", "organizations": "organizations/2016-11-28",
            "sts": "sts/2011-06-15", "account": "account/2021-02-01"}


def load(base, rel):
    with open(os.path.join(base, rel), encoding="utf-8") as f:
        return json.load(f)


def posix_regex(rx):
    """The models use \\w, \\d and \\- ; POSIX ERE (regcomp) has none of them."""
    out = rx.replace("\\-", "-").replace("\\w", "[A-Za-z0-9_]").replace("\\d", "[0-9]")
    if "\\" in out:
        sys.exit("gen_endpoints: unsupported regex escape in %r" % rx)
    return out


def rule_urls(ruleset):
    urls = []

    def walk(rules):
        for r in rules:
            if r["type"] == "tree":
                walk(r["rules"])
            elif r["type"] == "endpoint":
                u = r["endpoint"]["url"]
                if isinstance(u, str):
                    urls.append(u)
    walk(ruleset["rules"])
    return urls


def check_rulesets(base):
    need = {
        "guardduty": ["https://guardduty.{Region}.{PartitionResult#dnsSuffix}",
                      "https://guardduty.{Region}.{PartitionResult#dualStackDnsSuffix}",
                      "https://guardduty-fips.{Region}.{PartitionResult#dualStackDnsSuffix}",
                      "https://guardduty.{Region}.amazonaws.com"],
        "sts": ["https://sts.{Region}.{PartitionResult#dnsSuffix}",
                "https://sts.{Region}.{PartitionResult#dualStackDnsSuffix}"],
        "organizations": ["https://organizations.us-east-1.amazonaws.com",
                          "https://organizations.cn-northwest-1.amazonaws.com.cn",
                          "https://organizations.us-gov-west-1.amazonaws.com"],
        "account": ["https://account.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dnsSuffix}",
                    "https://account-fips.{PartitionResult#implicitGlobalRegion}.{PartitionResult#dnsSuffix}"],
    }
    for svc, urls in need.items():
        have = rule_urls(load(base, RULESETS[svc] + "/endpoint-rule-set-1.json"))
        for u in urls:
            if u not in have:
                sys.exit("gen_endpoints: %s rule set no longer has %s" % (svc, u))


def c_str(s):
    return "NULL" if s is None else '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plain_regions(endpoints):
    """Region keys of a service, without the deprecated *-fips aliases and
    the partition-global pseudo regions."""
    return sorted(k for k, v in endpoints.items()
                  if not v.get("deprecated") and "global" not in k and not k.startswith("fips-"))


def fips_variant(ep):
    for v in ep.get("variants", []):
        if v.get("tags") == ["fips"] and "hostname" in v:
            return v["hostname"]
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_endpoints.py AWS_MODELS_DIR > aws/endpoints_data.c")
    base = sys.argv[1]
    check_rulesets(base)
    parts = {p["id"]: p for p in load(base, "partitions.json")["partitions"]}
    excerpt = {p["partition"]: p for p in load(base, "endpoints-excerpt.json")["partitions"]}

    o = []
    w = o.append
    w("/* SPDX-License-Identifier: Apache-2.0 */")
    w("/* GENERATED by tools/gen_endpoints.py from botocore 1.43.67's endpoint data")
    w(" * (botocore/data: partitions.json, an excerpt of endpoints.json, and")
    w(" * <service>/<version>/endpoint-rule-set-1.json). Do not edit: change the generator and re-run it. */")
    w('#include "aws/endpoints.h"')
    w("")
    w("#include <stddef.h>")
    w("")
    fips_rows = []
    global_rows = []
    for pid in PARTITIONS:
        p = parts[pid]
        ex = excerpt[pid]
        cid = pid.replace("-", "_")
        regions = sorted(r for r in p["regions"] if not r.endswith("-global"))
        w("static const char *const %s_regions[] = {" % cid)
        for r in regions:
            w("    %s," % c_str(r))
        w("};")
        gd = plain_regions(ex["services"]["guardduty"]["endpoints"])
        w("static const char *const %s_guardduty_regions[] = {" % cid)
        for r in gd:
            w("    %s," % c_str(r))
        w("};")
        w("")
        # FIPS hosts for regional services: the excerpt's variants.
        for svc in ["guardduty", "sts"]:
            eps = ex["services"].get(svc, {}).get("endpoints", {})
            for r in plain_regions(eps):
                h = fips_variant(eps[r])
                if h:
                    fips_rows.append((svc, pid, r, h))
        # Global services: host and signing region from the partition endpoint.
        for svc in ["organizations", "account"]:
            s = ex["services"].get(svc)
            igr = p["outputs"]["implicitGlobalRegion"]
            dns = p["outputs"]["dnsSuffix"]
            if s:
                ge = s["endpoints"][s["partitionEndpoint"]]
                region = ge["credentialScope"]["region"]
                host = ge["hostname"]
                fips = fips_variant(ge)
            else:
                # Not in the excerpt (account in aws-us-gov): the rule set's
                # https://account.{implicitGlobalRegion}.{dnsSuffix}
                region, host, fips = igr, "%s.%s.%s" % (svc, igr, dns), None
            if svc == "account":
                fips = "account-fips.%s.%s" % (igr, dns)
            global_rows.append((svc, pid, region, host))
            if fips:
                fips_rows.append((svc, pid, region, fips))

    w("const gd_ep_partition gd_ep_partitions[] = {")
    for pid in PARTITIONS:
        out = parts[pid]["outputs"]
        cid = pid.replace("-", "_")
        w("    {%s, %s, %s," % (c_str(pid), c_str(out["dnsSuffix"]), c_str(out["dualStackDnsSuffix"])))
        w("     /* %s */" % parts[pid]["regionRegex"])
        w("     %s," % c_str(posix_regex(parts[pid]["regionRegex"])))
        w("     %s, %s_regions, sizeof %s_regions / sizeof *%s_regions," %
          (c_str(out["implicitGlobalRegion"]), cid, cid, cid))
        w("     %s_guardduty_regions, sizeof %s_guardduty_regions / sizeof *%s_guardduty_regions}," %
          (cid, cid, cid))
    w("};")
    w("const size_t gd_ep_n_partitions = sizeof gd_ep_partitions / sizeof *gd_ep_partitions;")
    w("")
    w("const gd_ep_service gd_ep_services[] = {")
    for svc in SERVICES:
        w("    {%s, %s, %s, %d}," % (c_str(svc), c_str(HOST_PREFIX[svc]), c_str(SIGNING[svc]),
                                   1 if DUALSTACK[svc] else 0))
    w("};")
    w("const size_t gd_ep_n_services = sizeof gd_ep_services / sizeof *gd_ep_services;")
    w("")
    w("/* Global services: one endpoint per partition, signed for one region. */")
    w("const gd_ep_global gd_ep_globals[] = {")
    for svc, pid, region, host in global_rows:
        w("    {%s, %s, %s, %s}," % (c_str(svc), c_str(pid), c_str(region), c_str(host)))
    w("};")
    w("const size_t gd_ep_n_globals = sizeof gd_ep_globals / sizeof *gd_ep_globals;")
    w("")
    w("/* FIPS hosts that the models publish; any other (service, region) has none.")
    w(" * In aws-us-gov the normal host is already FIPS. */")
    w("const gd_ep_fips gd_ep_fips_hosts[] = {")
    for svc, pid, region, host in fips_rows:
        w("    {%s, %s, %s}," % (c_str(svc), c_str(region), c_str(host)))
    w("};")
    w("const size_t gd_ep_n_fips_hosts = sizeof gd_ep_fips_hosts / sizeof *gd_ep_fips_hosts;")
    sys.stdout.write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
