#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gdreport export --format json against schema/report.schema.json.

Builds a DB from schema/NNN_*.sql + tests/fixtures/report_fixture.sql with the
sqlite3 stdlib module, runs `gdreport export` with every --redact value and a
few filters, validates each document with JSON Schema Draft 2020-12, checks
that redacted output holds no management value and no amount, checks exit
codes and messages, and checks the output is byte-identical under
LC_ALL=de_DE.UTF-8 (generated with localedef when not installed)."""
import glob
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)

SRC = os.environ.get("GD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("GDREPORT_BIN", "gdreport")
NOW = "2026-11-29T12:00:00Z"
MANAGEMENT = ["111111111111", "mgmt@example.com", "Org Management"]
failures = []


def check(cond, what):
    if cond:
        print("ok:", what)
    else:
        print("FAIL:", what)
        failures.append(what)


def build_db(path, with_fixture=True):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gdtest
    gdtest.fixture_db(path, with_fixture)


def fixture_amounts():
    text = open(os.path.join(SRC, "tests", "fixtures", "report_fixture.sql"), encoding="utf-8").read()
    usage = text[text.index("INSERT INTO usage_costs"):]
    usage = usage[:usage.index(";")]
    return sorted(set(re.findall(r"'([0-9]+\.[0-9]+)'", usage)))


def export(db, *args, env=None):
    cmd = [BIN, "export", "--db", db, "--format", "json", "--now", NOW] + list(args)
    return subprocess.run(cmd, capture_output=True, env=env, timeout=120)


def de_locale_env(tmp):
    have = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    env = dict(os.environ)
    if "de_de.utf8" in have:
        env["LC_ALL"] = "de_DE.UTF-8"
        return env
    if not shutil.which("localedef"):
        return None
    locpath = os.path.join(tmp, "locales")
    os.makedirs(locpath)
    subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(locpath, "de_DE.UTF-8")],
                   capture_output=True)
    if not os.path.isdir(os.path.join(locpath, "de_DE.UTF-8")):
        return None
    env.update(LC_ALL="de_DE.UTF-8", LOCPATH=locpath)
    return env


def validate_variants(db, validator, amounts):
    variants = {
        "plain": [], "findings": ["--findings", "--include-archived"],
        "management": ["--redact", "management", "--findings"],
        "cost": ["--redact", "cost", "--findings"], "all": ["--redact", "all", "--findings"],
        "filtered": ["--accounts", "333333333333,444444444444", "--regions", "us-east-1",
                     "--min-severity", "medium", "--window", "30d"],
        "since-until": ["--since", "2026-11-01", "--until", "2026-11-20T00:00:00Z"],
    }
    outputs = {}
    for name, args in variants.items():
        p = export(db, "-o", "-", *args)
        check(p.returncode == 0, "%s: exit 0 (%s)" % (name, p.stderr.decode(errors="replace").strip()))
        text = p.stdout.decode("utf-8")
        doc = json.loads(text)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        check(not errors, "%s: valid against the schema %s" % (name, [e.message for e in errors[:3]]))
        outputs[name] = (args, p.stdout, doc)
        if "management" in args or "all" in args:
            for v in MANAGEMENT:
                check(v not in text, "%s: %r absent" % (name, v))
            check("management_account" in doc["redactions"], "%s: redactions names it" % name)
        if "cost" in args or "all" in args:
            for a in amounts:
                check(a not in text, "%s: amount %s absent" % (name, a))
            check(text.count('"cost_') == text.count('"cost_state": "redacted"') and
                  '"costs"' not in text, "%s: no cost key (a region's cost_state is \"redacted\")"
                  % name)
    return outputs


def check_numbers(outputs):
    doc = outputs["plain"][2]
    t = doc["totals"]
    check(t["active"] == {"critical": 2, "high": 2, "medium": 5, "low": 5}, "plain: active totals")
    check(t["archived"] == 3 and t["new_in_window"] == 9, "plain: archived and new totals")
    check(t["cost_usd"] == "35.9296", "plain: exact cost total")
    m = outputs["management"][2]
    check(m["totals"]["active"] == {"critical": 1, "high": 2, "medium": 4, "low": 5},
          "management: totals recomputed without the management account")
    s = {k: sum(a["active"][k] for a in m["accounts"]) for k in m["totals"]["active"]}
    check(s == m["totals"]["active"], "management: totals = sum of remaining accounts")
    # The plan mapping agrees with the ground-truth helper for every placed type
    # (gdtest.plan_of knows only the fake's catalogue, so its UNCLASSIFIED is not compared).
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import gdtest
    except ImportError:
        gdtest = None
    for finding in outputs["findings"][2]["findings"] if gdtest else []:
        want = gdtest.plan_of(finding["type"])
        if want != "UNCLASSIFIED":
            check(finding["plan"] == want, "plan of %s is %s" % (finding["type"], want))
    f = outputs["filtered"][2]
    check([a["account_id"] for a in f["accounts"]] == ["333333333333", "444444444444"],
          "filtered: only the listed accounts")
    check([r["region"] for r in f["regions"]] == ["us-east-1"], "filtered: only the listed region")
    check(f["totals"]["active"]["low"] == 0, "filtered: --min-severity medium drops low")


def check_cli(tmp, db):
    out = os.path.join(tmp, "report-{date}.json")
    p = export(db, "-o", out, "-q")
    path = os.path.join(tmp, "report-2026-11-29.json")
    check(p.returncode == 0 and os.path.exists(path), "-o with {date} writes report-2026-11-29.json")
    check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "report file mode 0600")
    p = export(db, "-o", "-", "--redact", "everything")
    check(p.returncode == 2 and b"--redact" in p.stderr, "bad --redact: exit 2 naming the flag")
    p = export(db, "-o", "-", "--accounts", "12")
    check(p.returncode == 2 and b"--accounts" in p.stderr, "bad --accounts: exit 2 naming the flag")
    p = export(db, "-o", "-", "--bogus")
    check(p.returncode == 2 and b"--bogus" in p.stderr, "unknown flag: exit 2 naming it")
    empty = os.path.join(tmp, "empty.db")
    build_db(empty, with_fixture=False)
    p = export(empty, "-o", "-")
    check(p.returncode == 1 and b"no completed collect run: run gdreport collect first" in p.stderr,
          "never-collected DB: exit 1 with a clear message")
    p = export(os.path.join(tmp, "missing.db"), "-o", "-")
    check(p.returncode == 1 and not os.path.exists(os.path.join(tmp, "missing.db")),
          "missing DB: exit 1 and nothing created")
    no_org = os.path.join(tmp, "no_org.db")
    build_db(no_org)
    con = sqlite3.connect(no_org)
    con.execute("DELETE FROM organization")
    con.commit()
    con.close()
    p = export(no_org, "-o", os.path.join(tmp, "no_org.json"), "--redact", "management")
    check(p.returncode == 1 and b"cannot redact the management account" in p.stderr
          and not os.path.exists(os.path.join(tmp, "no_org.json")),
          "--redact management without a known management account: exit 1, no file")
    h = subprocess.run([BIN, "help", "export"], capture_output=True, text=True)
    check(h.returncode == 0 and "Examples:" in h.stdout and "--redact" in h.stdout, "help export")


def main():
    schema = json.load(open(os.path.join(SRC, "schema", "report.schema.json"), encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    tmp = tempfile.mkdtemp(prefix="gd_report_schema_")
    try:
        db = os.path.join(tmp, "fixture.db")
        build_db(db)
        outputs = validate_variants(db, validator, fixture_amounts())
        check_numbers(outputs)
        again = export(db, "-o", "-", *outputs["all"][0])
        check(again.stdout == outputs["all"][1], "two runs give identical bytes")
        env = de_locale_env(tmp)
        if env is None:
            print("SKIP: de_DE.UTF-8 export check: no de_DE.UTF-8 locale and localedef cannot make one")
        else:
            for name in ("plain", "findings"):
                p = export(db, "-o", "-", *outputs[name][0], env=env)
                check(p.stdout == outputs[name][1], "%s: identical under LC_ALL=de_DE.UTF-8" % name)
        check_cli(tmp, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
