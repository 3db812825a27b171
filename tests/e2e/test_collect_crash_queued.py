# SPDX-License-Identifier: Apache-2.0
"""kill -9 while fetched pages wait in the store's writer queue.

The fetch threads hand their pages to the store's writer and carry on; the
writer commits thousands of rows at once (store/store_writer.c). A collect is
killed right after its first commit, while GetFindings pages the fake has
already answered are not committed yet (shown from the fake's request count
against the committed rows). The durability contract (store.h) says: what was
committed stays, nothing half-stored appears, and the watermark never moved
past an uncommitted page. So the re-run must store every finding of the
fake's truth, count exactly the missing ones as new (none updated: nothing
changed in the fake), and the killed run shows as interrupted.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check
PER_REGION = 3000
REGIONS = 2              # the "small" scenario's admin regions
FETCHERS = 3             # collector/findings_sync.c: GetFindings in flight per region
ATTEMPTS = 6


def stored(db):
    try:
        return gdtest.sqlite_query(db, "SELECT count(*) FROM findings")[0][0]
    except Exception:
        return 0


def kill_after_first_commit(fake, db, env):
    """Starts a collect on a fresh DB and kills it once rows are committed.
    Returns (killed, answered_pages, committed_rows) or None if it finished
    first."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    fake.reset_stats()
    p = subprocess.Popen([gdtest.gdreport_bin(), "collect", "--db", db, "-q"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answered = 0
    end = time.monotonic() + 120
    while p.poll() is None and time.monotonic() < end:
        if os.path.exists(db) and stored(db) > 0:
            answered = fake.stats()["requests"].get("GetFindings", 0)
            os.kill(p.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    p.wait(timeout=60)
    if p.returncode != -signal.SIGKILL:
        return None
    return True, answered, stored(db)


def main():
    tmp = gdtest.tempdir("gd-crash-queued-")
    db = os.path.join(tmp, "queued.db")
    with gdtest.FakeAws(args=["--quiet", "--scenario", "small", "--findings-per-region",
                              str(PER_REGION)]) as fake:
        env = gdtest.gd_env(fake)
        fake.faults(reset=True, latency_ms=2)   # slow enough to catch pages in the queue
        truth = fake.truth()
        want = {f["id"] for f in gdtest.collected_findings(truth)}
        caught = None
        for _ in range(ATTEMPTS):
            r = kill_after_first_commit(fake, db, env)
            if r is None:
                continue
            _, answered, committed = r
            # Pages the collector surely received: every answered GetFindings
            # except those still in flight (at most FETCHERS a region), 50
            # findings each except each region's last.
            received_rows = (answered - REGIONS * FETCHERS - REGIONS) * 50
            if 0 < committed < len(want) and received_rows > committed:
                caught = (answered, committed, received_rows)
                break
        fake.faults(reset=True)
        check(caught is not None, "a collect was killed with received pages not yet "
              "committed (in %d attempts)" % ATTEMPTS)
        if caught is None:
            return gdtest.finish()
        answered, committed, received_rows = caught
        print("killed with >= %d rows received and %d committed (%d GetFindings answered)"
              % (received_rows, committed, answered))
        before = stored(db)
        cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env, timeout=300)
        check(cp.returncode == 0, "the re-run exits %d: %s" % (cp.returncode, cp.stderr[-1500:]))
        got = {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}
        check(got == want, "the re-run stored every finding (%d of %d, %d extra)"
              % (len(got & want), len(want), len(got - want)))
        new, updated = gdtest.sqlite_query(
            db, "SELECT sum(findings_new), sum(findings_updated) FROM run_regions"
                " WHERE run_id = (SELECT max(run_id) FROM runs)")[0]
        check(new == len(want) - before, "the re-run counts the %d missing findings as new "
              "(got %s)" % (len(want) - before, new))
        check(updated == 0, "nothing counted as updated (got %s)" % updated)
        outcomes = [r[0] for r in gdtest.sqlite_query(db, "SELECT outcome FROM runs ORDER BY run_id")]
        # The scenario has a broken region, so a whole run is "partial".
        check(len(outcomes) == 2 and outcomes[0] == "interrupted" and
              outcomes[1] in ("ok", "partial"),
              "the killed run shows as interrupted and the re-run finished: %r" % outcomes)
        check(gdtest.sqlite_query(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check")
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
