#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 item 4/8: rows already stored (by an older gdreport) that now fail
common/validate.h are reported and left out by export, which never refuses a whole
report over one bad row: an account id that is not 12 digits, a severity outside
[0, 10], a usage amount outside the one amount grammar."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check


def export(db, *args):
    return subprocess.run([gdtest.gdreport_bin(), "export", "--db", db, "--now",
                           "2026-11-29T12:00:00Z", "--format", "json", "-o", "-"] + list(args),
                          capture_output=True, text=True, timeout=120)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        clean, bad = os.path.join(tmp, "clean.db"), os.path.join(tmp, "bad.db")
        gdtest.fixture_db(clean)
        gdtest.fixture_db(bad)
        before = json.loads(export(clean).stdout)
        con = sqlite3.connect(bad)
        victims = [r[0] for r in con.execute(
            "SELECT finding_id FROM findings WHERE archived = 0 ORDER BY finding_id LIMIT 2")]
        con.execute("UPDATE findings SET account_id = '../../etc/passwd' WHERE finding_id = ?",
                    (victims[0],))
        con.execute("UPDATE findings SET severity = 11 WHERE finding_id = ?", (victims[1],))
        con.execute("UPDATE usage_costs SET amount = '1e999'")
        con.commit()
        con.close()
        p = export(bad, "--findings")
        check(p.returncode == 0, "export exits 0 over bad rows (%s)" % p.stderr.strip()[-300:])
        doc = json.loads(p.stdout or "{}")
        check("../../etc/passwd" not in p.stdout, "the bad account id is not in the report")
        ids = {f.get("id") or f.get("finding_id") for f in doc.get("findings", [])}
        check(not (set(victims) & ids), "the two bad findings are not listed")
        total = sum(doc["totals"]["active"].values())
        check(total == sum(before["totals"]["active"].values()) - 2,
              "the totals leave exactly those two out (%d)" % total)
        check("2 stored finding(s)" in p.stderr, "export says how many findings it left out")
        check("1e999" in p.stderr and "left out" in p.stderr,
              "export names the amounts it left out")
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
