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


def sso_rule_set():
    """The SSO portal's rules, in the shape every regional rule set here has
    (botocore's sso/2019-06-10 set reads the same): FIPS and dual-stack when
    the partition supports them, and in aws-us-gov the plain host is FIPS."""
    def eq(ref, val):
        return {"fn": "booleanEquals", "argv": [{"ref": ref}, val]}

    def attr(name):
        return {"fn": "getAttr", "argv": [{"ref": "PartitionResult"}, name]}

    def ep(url):
        return {"conditions": [], "endpoint": {"url": url, "properties": {}, "headers": {}},
                "type": "endpoint"}

    def err(msg, conds=None):
        return {"conditions": conds or [], "error": msg, "type": "error"}

    host = "https://portal.sso"
    regional = [
        {"conditions": [eq("UseFIPS", True), eq("UseDualStack", True)], "type": "tree", "rules": [
            {"conditions": [{"fn": "booleanEquals", "argv": [True, attr("supportsFIPS")]},
                            {"fn": "booleanEquals", "argv": [True, attr("supportsDualStack")]}],
             "type": "tree",
             "rules": [ep(host + "-fips.{Region}.{PartitionResult#dualStackDnsSuffix}")]},
            err("FIPS and DualStack are enabled, but this partition does not support one or both")]},
        {"conditions": [eq("UseFIPS", True)], "type": "tree", "rules": [
            {"conditions": [{"fn": "booleanEquals", "argv": [True, attr("supportsFIPS")]}],
             "type": "tree", "rules": [
                 dict(ep(host + ".{Region}.amazonaws.com"),
                      conditions=[{"fn": "stringEquals", "argv": ["aws-us-gov", attr("name")]}]),
                 ep(host + "-fips.{Region}.{PartitionResult#dnsSuffix}")]},
            err("FIPS is enabled but this partition does not support FIPS")]},
        {"conditions": [eq("UseDualStack", True)], "type": "tree", "rules": [
            {"conditions": [{"fn": "booleanEquals", "argv": [True, attr("supportsDualStack")]}],
             "type": "tree",
             "rules": [ep(host + ".{Region}.{PartitionResult#dualStackDnsSuffix}")]},
            err("DualStack is enabled but this partition does not support DualStack")]},
        ep(host + ".{Region}.{PartitionResult#dnsSuffix}"),
    ]
    return {"version": "1.0", "rules": [
        {"conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}], "type": "tree", "rules": [
            err("Invalid Configuration: FIPS and custom endpoint are not supported",
                [eq("UseFIPS", True)]),
            err("Invalid Configuration: Dualstack and custom endpoint are not supported",
                [eq("UseDualStack", True)]),
            {"conditions": [], "endpoint": {"url": {"ref": "Endpoint"}, "properties": {},
                                            "headers": {}}, "type": "endpoint"}]},
        {"conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "type": "tree", "rules": [
            {"conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}],
                             "assign": "PartitionResult"}], "type": "tree", "rules": regional}]},
        err("Invalid Configuration: Missing Region")]}


def c_long_string(name, text):
    """A static string as adjacent literals of at most 96 characters."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    parts = []
    while esc:
        cut = min(96, len(esc))
        while (len(esc[:cut]) - len(esc[:cut].rstrip("\\"))) % 2:
            cut += 1  # never end a literal inside an escape
        parts.append(esc[:cut])
        esc = esc[cut:]
    return ["%s =" % name] + ['    "%s"' % p for p in parts[:-1]] + ['    "%s";' % parts[-1]]


def rules_data(base, parts_doc):
    """Lines for the rule sets and the partitions their aws.partition() uses."""
    lines = ["", "/* Endpoint rule sets, evaluated by aws/endpoint_rules.c: botocore's for",
             " * guardduty, sts, organizations and account; sso is built by the generator",
             " * (see sso_rule_set). Partitions: every partition of partitions.json, its",
             " * regionRegex in POSIX form. Minified JSON. */"]
    docs = dict(parts_doc)
    docs["partitions"] = [dict(p, regionRegex=posix_regex(p["regionRegex"]))
                          for p in parts_doc["partitions"]]
    compact = dict(separators=(",", ":"), sort_keys=True)
    lines += c_long_string("const char gd_ep_rules_partitions[]", json.dumps(docs, **compact))
    sets = []
    for svc in SERVICES:
        rs = sso_rule_set() if svc == "sso" else load(base, RULESETS[svc] + "/endpoint-rule-set-1.json")
        rs = {"rules": rs["rules"], "version": rs.get("version", "1.0")}
        cname = "rules_%s" % svc.replace("-", "_")
        lines += c_long_string("static const char %s[]" % cname, json.dumps(rs, **compact))
        sets.append((svc, cname))
    lines.append("const gd_ep_rule_set gd_ep_rule_sets[] = {")
    for svc, cname in sets:
        lines.append("    {%s, %s}," % (c_str(svc), cname))
    lines.append("};")
    lines.append("const size_t gd_ep_n_rule_sets = sizeof gd_ep_rule_sets / sizeof *gd_ep_rule_sets;")
    return lines


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
    w('#include "aws/endpoint_rules_internal.h"')
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
    o.extend(rules_data(base, load(base, "partitions.json")))
    sys.stdout.write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
