# SPDX-License-Identifier: Apache-2.0
"""Findings with hostile text through the whole collect (issue 13): the fake's
--hostile-pct puts lone surrogates and NULs (sent as \\udc80 / \\u0000 escapes),
RTL overrides and 60 KB descriptions into a fifth of the findings. Every
finding is stored; titles and descriptions carry U+FFFD exactly where the
text had what JSON parsers refuse, and nothing else changes; each raw_json is
valid JSON whose title is the stored column and whose description is the
repaired text (schema/007 keeps the description only there); and no problem
is recorded (no finding fell out of its page)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check


def repaired(s):
    """What gdreport must store for a string of the truth: a lone surrogate
    or a NUL becomes U+FFFD, everything else stays."""
    if s is None:
        return None
    return "".join("\ufffd" if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in s)


def main():
    with tempfile.TemporaryDirectory() as tmp, gdtest.FakeAws(
            ["--scenario", "small", "--hostile-pct", "20", "--findings-per-region", "400"]) as fake:
        db = os.path.join(tmp, "h.db")
        cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], gdtest.gd_env(fake))
        check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-1500:]))
        truth = fake.truth(descriptions=True)
        want = {f["id"]: f for f in gdtest.collected_findings(truth)}
        columns = [r[1] for r in gdtest.sqlite_query(db, "PRAGMA table_info(findings)")]
        check("description" not in columns, "description is stored once, in raw_json")
        rows = gdtest.sqlite_query(
            db, "SELECT finding_id, title, json_extract(raw_json, '$.description'),"
                " json_valid(raw_json), json_extract(raw_json, '$.title') IS title,"
                " 1 FROM findings")
        got = {r[0]: r for r in rows}
        check(set(got) == set(want), "every finding stored (%d of %d)" % (len(got), len(want)))
        hostile = [i for i, f in want.items() if repaired(f["title"]) != f["title"]]
        check(len(hostile) >= 20, "the scenario has hostile titles (%d)" % len(hostile))
        bad = [i for i, f in want.items() if i in got and got[i][1] != repaired(f["title"])]
        check(not bad, "titles repaired exactly: %d differ, e.g. %r" % (
            len(bad), [(got[i][1], want[i]["title"]) for i in bad[:2]]))
        long_desc = [r for r in rows if r[2] and len(r[2]) >= 50000]
        check(long_desc, "60 KB descriptions stored whole (%d)" % len(long_desc))
        with_desc = [i for i, f in want.items() if f.get("description") is not None]
        check(len(with_desc) >= 20, "the scenario has hostile descriptions (%d)" % len(with_desc))
        bad = [i for i in with_desc if i in got and got[i][2] != repaired(want[i]["description"])]
        check(not bad, "descriptions in raw_json repaired exactly: %d differ" % len(bad))
        check(all(r[3] == 1 for r in rows), "every raw_json is valid JSON")
        check(all(r[4] == 1 and r[5] == 1 for r in rows),
              "raw_json's title is the stored column")
        problems = gdtest.sqlite_query(db, "SELECT kind, count(*) FROM run_problems "
                                           "WHERE kind LIKE 'finding%' GROUP BY kind")
        check(problems == [], "no finding fell out of its page: %s" % problems)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
