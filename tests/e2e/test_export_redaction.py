#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gdreport export --redact management|cost|all against the fake's ground truth.

One collect of the default scenario (fixed --now), then for every --redact value a
JSON and an xlsx export. Checks:
* the JSON text and every part of the workbook (raw bytes and XML-unescaped) hold
  none of the management account's id, name and email (values from the truth), and,
  with cost redaction, no cost amount of the DB's usage_costs table and no total
  (the totals of the unredacted and of the management-redacted report);
* management redaction: every count, cost and trend equals the truth computed
  without the management account (gdexport.expected_report(exclude=...)), totals
  equal the sum of the remaining rows, and the account is in no coverage cell,
  plan coverage count, week-over-week row or chart range; the org-wide per-feature
  cost rows (which include it) are gone;
* cost redaction: no Costs sheet, no cost column, no cost_* / costs key anywhere in
  the JSON; "redactions" names what was removed (and never a value)."""
import json
import os
import re
import shutil
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
REDACTIONS = {"management": ["management_account"], "cost": ["cost"],
              "all": ["management_account", "cost"]}


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def export(env, db, out, fmt, *extra):
    return gdexport.run_export(env, db, out, fmt, NOW, check, *extra)


# ---------------------------------------------------------------- amount search
# How amounts are searched, and why. A plain substring search for short amounts is
# useless: "0.35" occurs inside scores, percentages and the many Excel date serials
# (46325.62348667824) of a workbook that legitimately keeps them. So:
# * every amount is searched in all its spellings: the DB text ("75.50"), the
#   normalized decimal ("75.5", what the writers print) and "%.16G" of the double
#   (what libxlsxwriter writes into <v>);
# * as a whole number TOKEN (a maximal run digits[.digits], so "1234.5" inside
#   "41234.56" does not count) when the spelling has >= 4 significant digits: an
#   accidental equal token among counts, scores (x.y <= 10), coverage percentages
#   and date serials is then practically impossible, while any real leak (a cell
#   value, "$1234.5", "1234.5 USD", a chart cache) is caught in raw and
#   XML-unescaped text alike;
# * shorter spellings as EXACT VALUES only: in JSON as a quoted string (money is
#   always a JSON string, counts never are), in XML as a whole element text
#   ">0.35<" (a <v>, <t> or chart <c:v> holding exactly it), and then only when
#   it has >= 2 fraction digits (a score never has, so "5.5" cannot be confused);
#   integral or one-decimal amounts ("12.00" -> "12", "2.40" -> "2.4") are not
#   searched in the workbook, where they are indistinguishable from counts and
#   scores: the JSON quoted search and the workbook's structure (no Costs sheet,
#   no cost column, no total cost row) cover them.
# A positive control runs the same search on the unredacted outputs and requires
# every DB amount to be found there, so the search cannot silently miss a format.
def spellings_norm(amount):
    norm = format(Decimal(amount).normalize(), "f")
    return norm.rstrip("0").rstrip(".") if "." in norm else norm


def spellings(amount):
    return {amount, spellings_norm(amount), "%.16G" % float(Decimal(amount))}


def sig_digits(s):
    return len(s.replace("-", "").replace(".", "").lstrip("0"))


def frac_digits(s):
    return len(s.split(".", 1)[1]) if "." in s else 0


NUMBER_TOKEN = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?")
ELEMENT_TEXT = re.compile(r">([^<]*)<")
JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


class Index:
    """The number tokens, whole element texts and JSON strings of some texts, extracted
    once (searching 2,700 amounts x 3 spellings by regex through megabytes is too slow)."""

    def __init__(self, texts):
        self.tokens, self.exact = set(), set()
        for t in texts:
            self.tokens.update(NUMBER_TOKEN.findall(t))
            self.exact.update(ELEMENT_TEXT.findall(t))
            self.exact.update(JSON_STRING.findall(t))


class AmountSearch:
    def __init__(self, amounts):
        self.amounts = sorted(set(amounts))
        self.forms = {a: spellings(a) for a in self.amounts}

    def hits_json(self, text, amounts=None):
        """JSON: every spelling as an exact string value; >= 4 significant digits also
        as a number token anywhere."""
        idx = Index([text])
        return {a for a in (amounts or self.amounts)
                if any(s in idx.exact or (sig_digits(s) >= 4 and s in idx.tokens)
                       for s in self.forms[a])}

    def hits_xml(self, texts, amounts=None):
        """XML: >= 4 significant digits as a number token anywhere; shorter spellings
        with >= 2 fraction digits as a whole element text."""
        idx = texts if isinstance(texts, Index) else Index(texts)
        return {a for a in (amounts or self.amounts)
                if any((sig_digits(s) >= 4 and s in idx.tokens) or
                       (sig_digits(s) < 4 and frac_digits(s) >= 2 and s in idx.exact)
                       for s in self.forms[a])}

    def xml_searchable(self, a):
        """Whether the workbook search can see this amount at all: the writers print the
        normalized spelling ("2.40" -> "2.4"), and a short one with one fraction digit
        looks like a score. Those are covered by the JSON search and by the workbook's
        structure (no Costs sheet, no cost column)."""
        s = spellings_norm(a)
        return sig_digits(s) >= 4 or frac_digits(s) >= 2


def xml_texts(path):
    """Every part of the workbook, raw and XML-unescaped."""
    out = []
    for name, data in gdexport.xml_parts(path).items():
        out.append(data.decode("utf-8", "replace"))
        out.append(gdexport.unescaped(data))
    return Index(out)


MONEY = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def money_values(obj, out):
    """Every cost_* amount and costs[].amount in a JSON report (cost_state values like
    "collected" are states, not money)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.startswith("cost_") and isinstance(v, str) and MONEY.match(v):
                out.add(v)
            elif k == "cost_by_plan" and isinstance(v, dict):
                out.update(x for x in v.values() if isinstance(x, str))
            elif k in ("amount", "total") and isinstance(v, str) and MONEY.match(v):
                out.add(v)
            else:
                money_values(v, out)
    elif isinstance(obj, list):
        for v in obj:
            money_values(v, out)
    return out


def cost_keys(obj, path="", out=None):
    out = [] if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            # a region's cost_state "redacted" says that it was, never what
            if (k.startswith("cost") or k == "costs") and (k, v) != ("cost_state", "redacted"):
                out.append(path + "/" + k)
            cost_keys(v, path + "/" + k, out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            cost_keys(v, "%s/%d" % (path, i), out)
    return out


def json_strings(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append(k)
            json_strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            json_strings(v, out)
    elif isinstance(obj, str):
        out.append(obj)
    return out


# ---------------------------------------------------------------- management checks
def check_mgmt_gone(label, mgmt_values, json_text=None, doc=None, xlsx=None):
    for v in mgmt_values:
        if json_text is not None:
            strings = json_strings(doc, [])
            check(v not in json_text and not any(v in s for s in strings),
                  "%s: %r absent from the JSON (text and decoded strings)" % (label, v))
        if xlsx is not None:
            hits = [n for n, data in gdexport.xml_parts(xlsx).items()
                    if v.encode() in data or v in gdexport.unescaped(data)]
            check(not hits, "%s: %r absent from every workbook part %s" % (label, v, hits))


def check_mgmt_structure(label, doc, truth, mgmt):
    ids = {a["account_id"] for a in doc["accounts"]}
    check(mgmt not in ids, "%s: no management account row" % label)
    check("management_account_id" not in doc["organization"],
          "%s: organization.management_account_id absent" % label)
    check(all(c["account_id"] != mgmt for c in doc["coverage"]["accounts"]),
          "%s: no coverage cell of the management account" % label)
    check(all(w["account_id"] != mgmt for w in doc["trends"]["week_over_week"]["accounts"]),
          "%s: no week-over-week row of the management account" % label)
    check(all(g["account_id"] != mgmt for g in doc["coverage"]["gaps"]) and
          all(r["account_id"] != mgmt for r in doc["coverage"]["matrix"]),
          "%s: no coverage gap or matrix row of the management account" % label)
    # Plan x region coverage: Foundational is fully in the truth (Enabled members + the
    # admin); for the switchable plans the admin's own detector is not in the truth,
    # so it may add one on either side, never more.
    admin = truth["admin_account_id"]
    bad = []
    for c in doc["coverage"]["plans"]:
        members = [m for m in truth["members"].get(c["region"], []) if m["accountId"] != mgmt]
        if truth["region_states"].get(c["region"]) != "collected":
            if c["accounts_enabled"] or c["accounts_disabled"]:
                bad.append(c)
            continue
        if c["plan"] == "FOUNDATIONAL":
            on = sum(m["relationshipStatus"] == "Enabled" for m in members) + 1
            want = (on, len(members) + 1 - on)
            if (c["accounts_enabled"], c["accounts_disabled"]) != want:
                bad.append((c, want))
            continue
        feats = [f for f, p in gdexport.MEMBER_FEATURE_PLAN.items() if p == c["plan"]]
        known = [m for m in members if not m.get("unprocessed")
                 and any(f in m["features"] for f in feats)]
        on = sum(any(m["features"].get(f) == "ENABLED" for f in feats) for m in known)
        extra_on = c["accounts_enabled"] - on
        total = c["accounts_enabled"] + c["accounts_disabled"]
        if extra_on not in (0, 1) or total - len(known) not in (0, 1) or \
                (total - len(known) == 0 and extra_on) or admin == mgmt:
            bad.append((c, on, len(known)))
    check(not bad, "%s: plan x region coverage counts equal the truth without the management "
                   "account (%d differ: %s)" % (label, len(bad), bad[:2]))


def check_chart_ranges(label, xlsx, book, remaining, mgmt_values):
    """Every chart's category/value ranges point at rows of remaining accounts only."""
    parts = gdexport.xml_parts(xlsx)
    refs = set()
    for name, data in parts.items():
        if name.startswith("xl/charts/"):
            refs |= set(re.findall(r"<c:f>([^<]+)</c:f>", data.decode()))
    check(refs, "%s: the workbook has chart ranges" % label)
    bad = []
    for ref in refs:
        m = re.match(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?$", ref)
        if not m:
            bad.append(("unparsed", ref))
            continue
        sheet, c1, r1, c2, r2 = m.groups()
        cells = book.get(sheet, {})
        col1, col2 = gdexport._col_index(c1), gdexport._col_index(c2 or c1)
        for r in range(int(r1) - 1, int(r2 or r1)):
            for c in range(col1, col2 + 1):
                v = cells.get((r, c)) or ""
                if any(x in v for x in mgmt_values):
                    bad.append((ref, v))
    check(not bad, "%s: no chart range reaches a management account cell %s" % (label, bad[:3]))
    # The severity-by-account chart's categories are account ids of remaining accounts.
    cats = []
    for ref in refs:
        m = re.match(r"Overview!\$A\$(\d+):\$A\$(\d+)$", ref)
        if m:
            cats += [book["Overview"].get((r, 0)) for r in range(int(m.group(1)) - 1,
                                                                  int(m.group(2)))]
    check(cats and all(c in remaining for c in cats if c),
          "%s: account chart categories are remaining accounts (%d cells)" % (label, len(cats)))


# ---------------------------------------------------------------- main
def main():
    tmp = gdtest.tempdir("gd-export-redact-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
            truth = fake.truth()
        mgmt = truth["management_account_id"]
        macc = [a for a in truth["accounts"] if a["id"] == mgmt]
        check(len(macc) == 1 and macc[0]["name"] and macc[0]["email"],
              "truth names the management account")
        mgmt_values = [mgmt, macc[0]["name"], macc[0]["email"], truth["management_account_email"]]
        mgmt_values = sorted(set(mgmt_values))

        # Unredacted exports: positive controls for the searches.
        plain_json = export(env, db, os.path.join(tmp, "plain.json"), "json")
        plain_text = open(plain_json, encoding="utf-8").read()
        plain = json.loads(plain_text)
        plain_xlsx = export(env, db, os.path.join(tmp, "plain.xlsx"), "xlsx")
        for v in mgmt_values:
            check(v in plain_text, "control: %r is in the unredacted JSON" % v)
        for v in (mgmt, macc[0]["name"]):   # the workbook lists ids and names, not emails
            check(any(v.encode() in d for d in gdexport.xml_parts(plain_xlsx).values()),
                  "control: %r is in the unredacted workbook" % v)

        db_amounts = {r[0] for r in gdtest.sqlite_query(db, "SELECT DISTINCT amount FROM usage_costs")}
        check(len(db_amounts) > 1000, "usage_costs holds %d distinct amounts" % len(db_amounts))
        # The report prints sums (per account, plan, region, account x plan), not
        # the DB's per-region rows: the controls are every amount the unredacted
        # report prints, and the redacted outputs are searched for those and for
        # every DB amount.
        reported = money_values(plain, set())
        check(len(reported) > 500, "the unredacted JSON reports %d distinct amounts" % len(reported))
        search = AmountSearch(db_amounts | reported)
        missing = reported - search.hits_json(plain_text, reported)
        check(not missing, "control: every reported amount is found in the unredacted JSON "
              "(%d missing: %s)" % (len(missing), sorted(missing)[:5]))
        xml_rep = {a for a in reported if search.xml_searchable(a)}
        plain_texts = xml_texts(plain_xlsx)
        missing = xml_rep - search.hits_xml(plain_texts, xml_rep)
        check(not missing, "control: every searchable reported amount (%d of %d) is found in the "
              "unredacted workbook (%d missing: %s)" % (len(xml_rep), len(reported), len(missing),
                                                        sorted(missing)[:5]))

        # The management account's own amounts and the org-wide rows that include it: no
        # other row has the same text, so finding one would mean it leaked.
        rows = gdtest.sqlite_query(db, "SELECT kind, account_id, amount FROM usage_costs")
        # Candidates: its usage rows, the org-wide per-feature rows, and the unredacted
        # totals, plan costs and its own account sums. Minus every value another account
        # legitimately shows (its rows and its sums), compared by value ("0.03" and
        # another account's "0.030" print the same).
        others = {Decimal(a) for k, acct, a in rows if k != "feature" and acct != mgmt}
        mgmt_only = {a for k, acct, a in rows if acct == mgmt or k == "feature"}
        mgmt_only |= money_values(plain["totals"], set()) | money_values(plain["plans"], set())
        for acc in plain["accounts"]:
            vals = money_values(acc, set())
            if acc["account_id"] == mgmt:
                mgmt_only |= vals
            else:
                others |= {Decimal(v) for v in vals}
        mgmt_only = {a for a in mgmt_only if Decimal(a) not in others}
        check(mgmt_only, "%d amounts belong only to the management account or include it"
              % len(mgmt_only))

        docs = {}
        validator = gdexport.schema_validator()
        for redact in ("management", "cost", "all"):
            label = "--redact " + redact
            jpath = export(env, db, os.path.join(tmp, redact + ".json"), "json", "--redact", redact)
            xpath = export(env, db, os.path.join(tmp, redact + ".xlsx"), "xlsx", "--redact", redact)
            text = open(jpath, encoding="utf-8").read()
            doc = json.loads(text)
            docs[redact] = doc
            book = gdexport.read_xlsx(xpath)
            texts = xml_texts(xpath)
            check(doc["redactions"] == REDACTIONS[redact],
                  "%s: redactions = %s (%s)" % (label, REDACTIONS[redact], doc["redactions"]))
            overview = " ".join(book["Overview"].values())
            check(all(r in overview for r in REDACTIONS[redact]),
                  "%s: the Overview names the redactions" % label)
            mgmt_red = redact in ("management", "all")
            cost_red = redact in ("cost", "all")
            exp = gdexport.expected_report(truth, NOW, exclude=mgmt if mgmt_red else None,
                                           lifecycle=gdexport.db_lifecycle(db))

            if mgmt_red:
                check_mgmt_gone(label, mgmt_values, text, doc, xpath)
                check_mgmt_structure(label, doc, truth, mgmt)
                remaining = {a["account_id"] for a in doc["accounts"]}
                check_chart_ranges(label, xpath, book, remaining, mgmt_values)
                if not cost_red:
                    leaked = search.hits_json(text, mgmt_only) | search.hits_xml(texts, mgmt_only)
                    check(not leaked, "%s: no amount of (or including) the management account "
                          "(%d searched, found %s)" % (label, len(mgmt_only), sorted(leaked)[:5]))
                    c = doc["costs"]
                    check(not any(r["account_id"] == mgmt
                                  for r in c["by_account"] + c["by_account_plan"]),
                          "%s: no management cost row" % label)
                    # Org-wide per-feature sums include it: with it left out, every
                    # plan is the named accounts' sum, so no "other accounts" row.
                    check(not any(r["other_accounts"] for r in c["by_account_plan"]),
                          "%s: no 'other accounts' cost row" % label)
            else:
                check(mgmt in text, "%s: the management account is still reported" % label)
            # Every count, trend and (unless redacted) cost equals the truth computed
            # without the management account when it is redacted.
            gdexport.check_schema(validator, doc, check, label)
            gdexport.compare_json(doc, exp, check, label, costs=not cost_red)
            gdexport.check_xlsx(xpath, doc, exp, check, costs=not cost_red, label=label + " xlsx")

            if cost_red:
                keys = cost_keys(doc)
                check(not keys, "%s: no cost key anywhere in the JSON %s" % (label, keys[:5]))
                hits = search.hits_json(text)
                check(not hits, "%s: no amount in the JSON (%d searched; found %s)" % (
                    label, len(search.amounts), sorted(hits)[:5]))
                hits = search.hits_xml(texts)
                check(not hits, "%s: no amount in any workbook part (%d searched; found %s)" % (
                    label, len(search.amounts), sorted(hits)[:5]))
                check("Costs" not in book, "%s: no Costs sheet" % label)
                # "Cost state" (collected / denied per region) is a state, not money.
                # Whole words: the AI Protection type Impact:IAMUser/CostHarvesting
                # and its title are finding text, not cost labels.
                heads = [v for s in book.values() for (r, c), v in s.items()
                         if re.search(r"\bUSD\b|\bCost\b", v) and v != "Cost state"]
                check(not heads, "%s: no cost column or label in the workbook %s" % (
                    label, heads[:5]))
            else:
                check("costs" in doc and doc["totals"].get("cost_usd"),
                      "%s: costs are still reported" % label)

        # The management-redacted totals are new amounts: cost redaction on top of it
        # must not print them either.
        extra = money_values(docs["management"], set()) - set(search.amounts)
        if extra:
            s2 = AmountSearch(extra)
            jtext = open(os.path.join(tmp, "all.json"), encoding="utf-8").read()
            hits = s2.hits_json(jtext) | s2.hits_xml(xml_texts(os.path.join(tmp, "all.xlsx")))
            check(not hits, "--redact all: none of the %d recomputed totals (found %s)" % (
                len(extra), sorted(hits)[:5]))
        check(Decimal(docs["management"]["totals"]["cost_usd"]) ==
              gdexport.expected_report(truth, NOW, exclude=mgmt)["totals"]["cost_usd"],
              "--redact management: total cost = truth without the management account")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
