#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""examples/iam-policy.json is the least-privilege policy: valid, read-only,
and exactly the GuardDuty / Organizations / Account operations that the C
sources call (no more, no less). Also checks examples/scp-deny-usage.json.

The called set is derived from the sources: every C string literal that is
exactly an operation name of one of those services' models (botocore data/<service>/*/service-2.json,
found through $GD_AWS_MODELS; skipped when absent)
counts as a call, e.g. `.operation = "ListFindings"`. STS and SSO calls are
left out on purpose: sts:GetCallerIdentity needs no permission, and
AssumeRole* / SSO GetRoleCredentials are governed by the role's trust policy
and the SSO permission set, not by this policy."""
import json
import os
import re
import sys

SRC = os.environ.get("GD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
MODELS = os.environ.get("GD_AWS_MODELS", "")
SERVICES = {  # IAM prefix -> model folder
    "guardduty": "guardduty/2017-11-28",
    "organizations": "organizations/2016-11-28",
    "account": "account/2021-02-01",
}
SOURCE_DIRS = ["collector", "cli"]
READ_ONLY = re.compile(r"^(guardduty|organizations|account):(List|Get|Describe)[A-Za-z]+$")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def load_json(name):
    with open(os.path.join(SRC, "examples", name), encoding="utf-8") as f:
        return json.load(f)


def policy_actions(policy):
    """Checks the document's shape and returns its actions."""
    if policy.get("Version") != "2012-10-17":
        fail("iam-policy.json: Version must be 2012-10-17")
    actions = []
    for st in policy.get("Statement", []):
        if st.get("Effect") != "Allow":
            fail("iam-policy.json: statement %s is not Allow" % st.get("Sid"))
        if "NotAction" in st or "NotResource" in st:
            fail("iam-policy.json: statement %s uses NotAction/NotResource" % st.get("Sid"))
        acts = st.get("Action", [])
        actions += [acts] if isinstance(acts, str) else acts
    for a in actions:
        if not READ_ONLY.match(a):
            fail("iam-policy.json: %r is not a read-only List/Get/Describe action" % a)
    if len(set(actions)) != len(actions):
        fail("iam-policy.json: an action is listed twice")
    return set(actions)


def model_operations():
    """Operation name -> set of IAM prefixes whose model has it."""
    ops = {}
    for prefix, folder in SERVICES.items():
        with open(os.path.join(MODELS, folder, "service-2.json"), encoding="utf-8") as f:
            for name in json.load(f)["operations"]:
                ops.setdefault(name, set()).add(prefix)
    return ops


def strip_comments(code):
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"//[^\n]*", " ", code)


LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def called_operations(ops):
    """IAM actions named by string literals in the C sources."""
    called = {}
    for d in SOURCE_DIRS:
        folder = os.path.join(SRC, d)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".c"):
                continue
            code = strip_comments(open(os.path.join(folder, name), encoding="utf-8").read())
            last_service = None
            for m in LITERAL.finditer(code):
                lit = m.group(1)
                if lit in SERVICES:
                    last_service = lit
                owners = ops.get(lit)
                if not owners:
                    continue
                # A name in two models (TagResource...) goes to the service
                # literal seen last before it, as in `.service = ..., .operation = ...`.
                prefix = next(iter(owners)) if len(owners) == 1 else last_service
                if prefix in owners:
                    called.setdefault("%s:%s" % (prefix, lit), "%s/%s" % (d, name))
    return called


def check_scp():
    scp = load_json("scp-deny-usage.json")
    if scp.get("Version") != "2012-10-17":
        fail("scp-deny-usage.json: Version must be 2012-10-17")
    sts = scp.get("Statement", [])
    denied = [a for st in sts if st.get("Effect") == "Deny"
              for a in ([st["Action"]] if isinstance(st.get("Action"), str) else st.get("Action", []))]
    if denied != ["guardduty:GetUsageStatistics"]:
        fail("scp-deny-usage.json: must deny exactly guardduty:GetUsageStatistics, got %r" % denied)
    if any(st.get("Effect") == "Allow" for st in sts):
        fail("scp-deny-usage.json: an SCP here only denies")


def main():
    actions = policy_actions(load_json("iam-policy.json"))
    check_scp()
    print("policy: %d actions" % len(actions))
    if os.path.isdir(MODELS):
        ops = model_operations()
    else:
        # Without the models only the policy's own names can be recognised:
        # that still proves every listed action is called.
        print("SKIP: policy actions -> AWS model operations: no AWS models at %s; "
              "checking policy -> sources only" % MODELS)
        ops = {}
        for a in actions:
            prefix, name = a.split(":", 1)
            ops.setdefault(name, set()).add(prefix)
    called = called_operations(ops)
    if not called:
        print("SKIP: the C sources call no GuardDuty/Organizations/Account operation yet")
        return 1 if failures else 77
    for a in sorted(set(called) - actions):
        fail("%s is called in %s but missing from iam-policy.json" % (a, called[a]))
    for a in sorted(actions - set(called)):
        fail("%s is in iam-policy.json but no source calls it" % a)
    print("sources: %d operations: %s" % (len(called), ", ".join(sorted(called))))
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
