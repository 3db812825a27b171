#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 items 3-6 and 8 against a hostile server: tests/e2e/hostile_proxy.py sits
in front of tests/fakeaws and rewrites one operation's responses.

  ListAccounts that never ends          stops at the run's budget, with the reason
  ListFindings nextToken over 64 KiB    that region fails with the reason (exit 3)
  ListFindings nextToken not a string   same
  ListFindings nextToken repeated       same
  GetFindings: every finding malformed  0 stored is partial, ids in status, the
                                        watermark stays; the next run stores them all,
                                        archived ones included
  GetFindings: bad accountId / severity that finding is not stored, the region is partial
  GetUsageStatistics amount "1e999"     the region's cost is stored as invalid with the
  (20 integer digits, 28 decimals,      reason, nothing of it is stored or reported, the
  or only in the top lists)             run is partial (exit 3); export still works
  GetFindingsStatistics                 status says "complete: matches GuardDuty's
                                        count", or the difference when it differs"""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdexport  # noqa: E402
import gdtest  # noqa: E402
from hostile_proxy import HostileProxy  # noqa: E402

check = gdtest.check
REGION = "us-east-1"


def collect(env, db, *extra, timeout=300):
    return gdtest.run_gdreport(["collect", "--db", db, "--regions", REGION] + list(extra), env,
                               timeout=timeout)


def region_row(db):
    rows = gdtest.sqlite_query(
        db, "SELECT state, error_code, message, cost_state, cost_message FROM run_regions "
            "WHERE run_id = (SELECT max(run_id) FROM runs) AND region = ?", (REGION,))
    return dict(zip(("state", "code", "message", "cost", "cost_message"), rows[0])) if rows else {}


def stored_ids(db):
    return {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}


def want_ids(fake):
    return {f["id"] for f in gdtest.collected_findings(fake.truth()) if f["region"] == REGION}


def endless_accounts(fake, tmp):
    def answer(req, state):
        return {"Accounts": [], "NextToken": "page-%d" % state["calls"]}
    with HostileProxy(fake.url, "ListAccounts", answer=answer) as proxy:
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        t0 = time.time()
        cp = collect(env, os.path.join(tmp, "accounts.db"), "--no-cost", "--region-budget", "6s",
                     timeout=120)
        took = time.time() - t0
    check(took < 60, "endless ListAccounts stops at the run's budget (%.1f s)" % took)
    check("ListAccounts" in cp.stderr and "budget" in cp.stderr,
          "... and says why: %s" % cp.stderr.strip()[-300:])

    def repeat(req, state):
        return {"Accounts": [], "NextToken": "same"}
    with HostileProxy(fake.url, "ListAccounts", answer=repeat) as proxy:
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        cp = collect(env, os.path.join(tmp, "accounts2.db"), "--no-cost", timeout=120)
    check("repeated a page token" in cp.stderr, "a repeated NextToken fails ListAccounts: %s"
          % cp.stderr.strip()[-300:])


def bad_tokens(fake, tmp):
    def listing(req):
        return json.dumps((req or {}).get("findingCriteria"), sort_keys=True)

    def oversized(doc, req, state):
        if doc.get("nextToken"):
            doc["nextToken"] = "A" * 70000
        return doc

    def not_a_string(doc, req, state):
        if doc.get("nextToken"):
            doc["nextToken"] = 12345
        return doc

    def repeated(doc, req, state):
        first = state.setdefault(listing(req), doc.get("nextToken"))
        if doc.get("nextToken") and first:
            doc["nextToken"] = first   # page 2 points back at page 2
        return doc

    for name, fn, words in (("over 64 KiB", oversized, "70000 bytes"),
                            ("not a string", not_a_string, "not a string"),
                            ("repeated", repeated, "repeated")):
        db = os.path.join(tmp, "token-%s.db" % name.replace(" ", "-"))
        with HostileProxy(fake.url, "ListFindings", rewrite=fn) as proxy:
            cp = collect(gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url), db, "--no-cost")
        row = region_row(db)
        check(cp.returncode == 3, "nextToken %s: exit 3 (got %d)" % (name, cp.returncode))
        check(row.get("state") == "failed" and words in (row.get("message") or ""),
              "nextToken %s: the region failed with the reason: %s" % (name, row))
        wm = gdtest.sqlite_query(db, "SELECT count(*) FROM region_sync")
        check(wm == [(0,)], "nextToken %s: no watermark stored: %s" % (name, wm))


def unstorable_findings(fake, tmp):
    db = os.path.join(tmp, "malformed.db")

    def break_all(doc, req, state):
        for f in doc.get("findings", []):
            f["severity"] = "high"   # a string: malformed
        return doc
    with HostileProxy(fake.url, "GetFindings", rewrite=break_all) as proxy:
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        cp = collect(env, db, "--no-cost")
        st = gdtest.run_gdreport(["status", "--db", db], env)
    want = want_ids(fake)
    archived = {f["id"] for f in gdtest.collected_findings(fake.truth())
                if f["region"] == REGION and f["archived"]}
    row = region_row(db)
    check(cp.returncode == 3, "every finding malformed: exit 3, not 0 (got %d)" % cp.returncode)
    check(not stored_ids(db), "... nothing stored")
    check(row.get("code") == "FindingsNotStored", "... the region says FindingsNotStored: %s" % row)
    check("FindingsNotStored" in st.stdout and any(i in st.stdout for i in want),
          "... status lists finding ids")
    check(gdtest.sqlite_query(db, "SELECT count(*) FROM region_sync") == [(0,)],
          "... the watermark does not advance")
    check(archived, "the fake has archived findings in %s" % REGION)
    cp = collect(gdtest.gd_env(fake), db, "--no-cost")
    got = stored_ids(db)
    check(cp.returncode == 0 and got == want,
          "the next run stores them all (%d of %d, exit %d)" % (len(got & want), len(want),
                                                                cp.returncode))
    check(archived <= got, "... archived ones included (%d of %d)" % (len(archived & got),
                                                                      len(archived)))


def invalid_values(fake, tmp):
    db = os.path.join(tmp, "invalid.db")
    bad = {}

    def poison(doc, req, state):
        fs = doc.get("findings", [])
        if len(fs) >= 2 and "acct" not in bad:
            fs[0]["accountId"] = "../../etc/passwd"
            fs[1]["severity"] = 11
            bad["acct"], bad["sev"] = fs[0]["id"], fs[1]["id"]
        return doc
    with HostileProxy(fake.url, "GetFindings", rewrite=poison) as proxy:
        cp = collect(gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url), db, "--no-cost")
    got = stored_ids(db)
    check(bad and bad["acct"] not in got and bad["sev"] not in got,
          "an accountId that is not 12 digits and a severity of 11 are not stored")
    check(cp.returncode == 3 and region_row(db).get("code") == "FindingsNotStored",
          "... and the region is partial")
    kinds = gdtest.sqlite_query(db, "SELECT count(*) FROM run_problems WHERE kind = "
                                    "'finding_invalid'")
    check(kinds == [(2,)], "... two finding_invalid problems: %s" % kinds)
    sevs = gdtest.sqlite_query(db, "SELECT count(*) FROM findings WHERE severity < 0 OR "
                                   "severity > 10 OR length(account_id) != 12")
    check(sevs == [(0,)], "no stored finding breaks the rules")


def region_costs_in_report(doc, region):
    """Every cost figure of the JSON report that belongs to region."""
    costs = doc.get("costs") or {}
    return [r for r in costs.get("by_region") or [] if r.get("region") == region]


def invalid_amount_case(fake, tmp, amount, lists):
    """GetUsageStatistics sends amount in every entry of the given lists: the
    region's cost is stored as 'invalid' with the reason, nothing of it is
    stored or reported, the run is partial and export still works."""
    db = os.path.join(tmp, "amount.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    label = "amount %s in %s" % (amount, "/".join(lists))

    def inflate(doc, req, state):
        stats = doc.get("usageStatistics") or {}
        for key in lists:
            for e in stats.get(key) or []:
                for item in e.get("accounts") or [e]:   # topAccountsByFeature nests them
                    item.setdefault("total", {})["amount"] = amount
        return doc
    with HostileProxy(fake.url, "GetUsageStatistics", rewrite=inflate) as proxy:
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        cp = collect(env, db)
    row = region_row(db)
    msg = row.get("cost_message") or ""
    check(row.get("cost") == "invalid" and "invalid amount" in msg and amount[:30] in msg
          and "(" in msg, "%s: the region's cost is stored as invalid, with the amount and the "
          "reason: %s %s" % (label, row.get("cost"), msg))
    check(row.get("state") == "collected", "%s: the region's findings are still collected (%s)"
          % (label, row.get("state")))
    check(cp.returncode == 3 and "invalid" in cp.stdout,
          "%s: an AWS-side bad response for one region: partial, exit 3 (got %d): %s"
          % (label, cp.returncode, cp.stdout.strip()[-300:]))
    n = gdtest.sqlite_query(db, "SELECT count(*) FROM usage_costs WHERE region = ?", (REGION,))
    check(n == [(0,)], "%s: no amount of the region is stored (%s rows)" % (label, n))
    st = gdtest.run_gdreport(["status", "--db", db, "--json"], env)
    regs = json.loads(st.stdout or "{}").get("runs", [{}])[0].get("regions", [])
    mine = [r for r in regs if r.get("region") == REGION]
    check(mine and mine[0].get("cost_state") == "invalid" and
          mine[0].get("cost_makes_run_partial") is True and
          "invalid amount" in (mine[0].get("cost_message") or ""),
          "%s: status --json: cost invalid, makes the run partial, with the reason: %s"
          % (label, mine))
    ex = gdtest.run_gdreport(["export", "--db", db, "-o", "-"], env)
    check(ex.returncode == 0, "%s: export still works (%s)" % (label, ex.stderr.strip()))
    doc = json.loads(ex.stdout or "{}")
    states = {r.get("region"): r.get("cost_state") for r in doc.get("regions", [])}
    check(states.get(REGION) == "invalid", "%s: the report's cost state is invalid (%s)"
          % (label, states))
    mine = [r for r in doc.get("regions", []) if r.get("region") == REGION]
    note = (mine[0].get("cost_message") if mine else None) or ""
    check("invalid amount" in note and "(" in note,
          "%s: the report gives the reason as the collect recorded it: %r" % (label, note))
    figures = json.dumps([{k: v for k, v in r.items() if k != "cost_message"}
                          for r in doc.get("regions", [])] +
                         [{k: v for k, v in doc.items() if k != "regions"}])
    check(not region_costs_in_report(doc, REGION) and
          not (doc.get("totals") or {}).get("cost_usd") and amount not in figures,
          "%s: no amount of the region is reported (only quoted in its cost_message)" % label)
    red = gdtest.run_gdreport(["export", "--db", db, "-o", "-", "--redact", "cost"], env)
    check(red.returncode == 0 and amount not in red.stdout and '"cost_message"' not in red.stdout,
          "%s: --redact cost drops the cost_message with its amount" % label)
    check((doc.get("collection") or {}).get("outcome") == "partial",
          "%s: the report says the run was partial" % label)
    errors = schema_errors(doc)
    if errors is not None:
        check(not errors, "%s: the report matches the JSON Schema (%s)" % (label, errors[:3]))
    invalid_in_md_and_xlsx(env, db, tmp, label, amount)


def invalid_in_md_and_xlsx(env, db, tmp, label, amount):
    """The md report names the region under Cost with its reason; the workbook's
    Overview gives its cost state as invalid and, in its Message, the reason (as
    does the Costs sheet's Cost note when that sheet exists); the rejected amount
    is quoted only in that reason, never as a figure."""
    md = gdtest.run_gdreport(["export", "--db", db, "--format", "md", "-o", "-"], env)
    cost = md.stdout.split("## Cost", 1)[-1].split("\n## ", 1)[0]
    outside = md.stdout.replace(cost, "")
    check(md.returncode == 0 and "Invalid cost" in cost and REGION in cost and
          "invalid amount" in cost and amount not in outside,
          "%s: md names the region's invalid cost and its reason, the amount only there: %r"
          % (label, cost.strip()[:300]))
    out = os.path.join(tmp, "amount.xlsx")
    ex = gdtest.run_gdreport(["export", "--db", db, "--format", "xlsx", "-o", out], env)
    if not check(ex.returncode == 0, "%s: xlsx export (%s)" % (label, ex.stderr.strip())):
        return
    cells = gdexport.read_xlsx(out).get("Overview", {})
    head = [(r, c) for (r, c), v in cells.items() if v == "Cost state"]
    got = [cells.get((r, head[0][1])) for (r, c), v in cells.items()
           if head and c == 0 and r > head[0][0] and v == REGION]
    check(got == ["invalid"], "%s: the Overview's cost state is invalid (%r)" % (label, got))
    book = gdexport.read_xlsx(out)
    msg_head = [(r, c) for (r, c), v in cells.items() if v == "Message"]
    notes = [cells.get((r, msg_head[0][1])) for (r, c), v in cells.items()
             if msg_head and c == 0 and r > msg_head[0][0] and v == REGION]
    check(len(notes) == 1 and "cost: " in (notes[0] or "") and "invalid amount" in notes[0],
          "%s: the Overview's Message gives the cost's reason: %r" % (label, notes))
    notes += [v for (r, c), v in book.get("Costs", {}).items()   # when other regions have cost
              if isinstance(v, str) and "invalid amount" in v]
    check(not any(amount in str(v) for sheet in book.values() for v in sheet.values()
                  if v not in notes), "%s: no other cell holds the amount" % label)


def schema_errors(doc):
    """The report's JSON Schema errors, or None (with a SKIP line) without
    python3-jsonschema."""
    try:
        import jsonschema
    except ImportError:
        print("SKIP: report schema check of the invalid cost state: python3-jsonschema is "
              "not installed")
        return None
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema",
                        "report.schema.json")
    with open(path, encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    return [e.message for e in validator.iter_errors(doc)]


def invalid_amounts(fake, tmp):
    for amount in ("1e999", "12345678901234567890", "0.1234567890123456789012345678"):
        invalid_amount_case(fake, tmp, amount, ("sumByAccount", "sumByFeature"))
    # only the per-feature top lists (the call that spares the batches) are bad
    invalid_amount_case(fake, tmp, "1e999", ("topAccountsByFeature",))


def overview_completeness(db, env, tmp, want):
    """The workbook carries the same verdict for the auditor: the Overview's
    regions table has a completeness column with status's text."""
    out = os.path.join(tmp, "complete.xlsx")
    ex = gdtest.run_gdreport(["export", "--db", db, "--format", "xlsx", "-o", out], env)
    check(ex.returncode == 0, "xlsx export (%s)" % ex.stderr.strip())
    if ex.returncode != 0:
        return
    cells = gdexport.read_xlsx(out).get("Overview", {})
    head = [(r, c) for (r, c), v in cells.items() if v == "Completeness (GuardDuty's count)"]
    check(len(head) == 1, "Overview: one completeness column (%r)" % head)
    if len(head) != 1:
        return
    hr, hc = head[0]
    got = [cells.get((r, hc)) for (r, c), v in cells.items() if c == 0 and r > hr and v == REGION]
    check(got == [want] and (want or "").startswith("complete: matches"),
          "Overview: %s's completeness is status's verdict (%r, want %r)" % (REGION, got, want))


def completeness(fake, tmp):
    db = os.path.join(tmp, "complete.db")
    env = gdtest.gd_env(fake)
    cp = collect(env, db, "--no-cost")
    st = gdtest.run_gdreport(["status", "--db", db, "--json"], env)
    doc = json.loads(st.stdout or "{}")
    regs = doc.get("runs", [{}])[0].get("regions", [])
    msg = [r.get("completeness") for r in regs if r.get("region") == REGION]
    check(cp.returncode == 0 and msg and (msg[0] or "").startswith(
        "complete: matches GuardDuty's count"), "status: complete: matches (%s)" % msg)
    overview_completeness(db, env, tmp, msg[0] if msg else None)

    def more(doc, req, state):
        for g in doc.get("findingStatistics", {}).get("groupedBySeverity", []):
            g["totalFindings"] += 1
        return doc
    with HostileProxy(fake.url, "GetFindingsStatistics", rewrite=more) as proxy:
        env2 = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)
        cp = collect(env2, db, "--no-cost")
        st = gdtest.run_gdreport(["status", "--db", db], env2)
    check(cp.returncode == 0, "a difference is a warning, not a failure (exit %d)" % cp.returncode)
    check("differs from GuardDuty's count" in st.stdout, "status shows the difference")


def main():
    # 400: a full sync lists by severity band (collector/findings_list.c), and the
    # repeated-token case needs a chain of at least 3 pages (the Low and Medium bands)
    with gdtest.FakeAws(args=["--scenario", "small", "--findings-per-region", "400"]) as fake, \
            tempfile.TemporaryDirectory() as tmp:
        endless_accounts(fake, tmp)
        bad_tokens(fake, tmp)
        unstorable_findings(fake, tmp)
        invalid_values(fake, tmp)
        invalid_amounts(fake, tmp)
        completeness(fake, tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
