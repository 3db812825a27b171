#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16: an export killed by SIGTERM, SIGINT or SIGHUP while it writes a regular
file leaves no ".name.xlsx.XXXXXX" temp file behind, and the target is either absent
(it was new) or the old file, untouched. gdreport dies by that signal (README "Exit
codes": a shell shows 128 + the signal number).

The point of the signal is deterministic, never a sleep: a real `gdreport export` runs
on a DB with 100,000 extra findings (its workbook takes seconds to write); the test
polls the output folder until the temp file appears, stops the process (SIGSTOP),
waits until /proc says it is stopped, checks the temp file is still there (the report
is not yet renamed into place) and is the only new file, then sends the signal and
SIGCONT: the signal is taken while the temp file is live, whatever the machine's load. If the export ever outruns
the poll (the temp file came and went), that attempt is run again, at most 3 times."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from gdtest import check  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
EXTRA_FINDINGS = 100000
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
OLD = b"the previous report: must survive a killed export\n"
DEADLINE_S = 120      # every poll below gives up after this long (a hung export fails)
ATTEMPTS = 3


def big_db(path):
    """The report fixture plus EXTRA_FINDINGS copies of one active finding."""
    gdtest.fixture_db(path)
    con = sqlite3.connect(path)
    cols = [c[1] for c in con.execute("PRAGMA table_info(findings)")]
    pick = ", ".join("'killed-export-' || n" if c == "finding_id" else c for c in cols)
    con.execute("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)"
                " INSERT INTO findings (%s) SELECT %s FROM seq,"
                " (SELECT * FROM findings WHERE archived = 0 ORDER BY finding_id LIMIT 1)"
                % (", ".join(cols), pick), (EXTRA_FINDINGS,))
    con.commit()
    con.close()


def default_signals():
    """In the child: the three signals with their default action and unblocked, as
    from a terminal, cron or systemd (gdreport keeps an inherited SIG_IGN, e.g. nohup,
    on purpose; the test must not depend on how it was started)."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def proc_state(pid):
    """The state letter of /proc/<pid>/stat ('T' stopped), or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def poll(cond, what):
    """Bounded polling: cond() until true or DEADLINE_S; returns its last value."""
    end = time.monotonic() + DEADLINE_S
    while True:
        v = cond()
        if v or time.monotonic() > end:
            if not v:
                check(False, "timed out waiting for %s" % what)
            return v
        time.sleep(0.001)


def temps(folder, name):
    return sorted(n for n in os.listdir(folder) if n.startswith("." + name + "."))


def stop(p):
    """SIGSTOP, then bounded polling until /proc says it stopped (or it is gone)."""
    os.kill(p.pid, signal.SIGSTOP)
    poll(lambda: proc_state(p.pid) in ("T", "t", None), "the export to stop")


def one_attempt(db, folder, name, fmt, sig, extra):
    """Runs the export and signals it while its temp file is live. Returns the
    process's exit status, or None when the export finished before it was caught."""
    target = os.path.join(folder, name)
    with open(os.path.join(folder, "stderr"), "wb") as err:
        p = subprocess.Popen([gdtest.gdreport_bin(), "export", "--db", db, "--now", NOW,
                              "--format", fmt, "-o", target] + extra,
                             stdout=subprocess.DEVNULL, stderr=err, preexec_fn=default_signals)
    try:
        seen = poll(lambda: temps(folder, name) or p.poll() is not None,
                    "the temp file of %s" % name)
        if seen is True or not seen:        # exited (or timed out) before a temp showed
            return None if p.wait(DEADLINE_S) == 0 else p.returncode
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end:
            stop(p)
            if p.poll() is not None:        # it ended on its own: caught too late
                return None if p.returncode == 0 else p.returncode
            others = [n for n in os.listdir(folder) if n not in (name, "stderr")]
            mine = temps(folder, name)
            if mine and others == mine:
                # Stopped with the temp file live and nothing else in the folder
                # (libxlsxwriter's own tmp.* files exist for a few microseconds
                # between creation and unlink: not a point to signal at).
                os.kill(p.pid, sig)
                os.kill(p.pid, signal.SIGCONT)
                return p.wait(DEADLINE_S)
            os.kill(p.pid, signal.SIGCONT)
            if not mine:                    # renamed into place: too late
                p.wait(DEADLINE_S)
                return None
            time.sleep(0.001)               # bounded polling for a clean point
        check(False, "no clean point to signal the export at in %d s" % DEADLINE_S)
        return None
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def case(db, tmp, fmt, sig, old, extra=()):
    label = "%s, %s, %s target" % (fmt, signal.Signals(sig).name, "old" if old else "new")
    folder = os.path.join(tmp, "%s-%s-%s" % (fmt, sig, "old" if old else "new"))
    os.mkdir(folder)
    name = "report." + fmt
    target = os.path.join(folder, name)
    for attempt in range(1, ATTEMPTS + 1):
        if old:
            with open(target, "wb") as f:
                f.write(OLD)
            os.utime(target, ns=(1700000000000000000, 1700000000000000000))
            before = os.stat(target)
        elif os.path.exists(target):
            os.unlink(target)
        rc = one_attempt(db, folder, name, fmt, sig, list(extra))
        if rc is not None:
            break
        print("%s: attempt %d: the export finished before it was caught; again" % (label, attempt))
    else:
        check(False, "%s: the export was never caught with its temp file live in %d attempts"
              % (label, ATTEMPTS))
        return
    with open(os.path.join(folder, "stderr"), "rb") as f:
        stderr = f.read().decode(errors="replace").strip()
    check(rc == -sig, "%s: gdreport dies by the signal (status %r, want %r): %s"
          % (label, rc, -sig, stderr[-300:]))
    left = sorted(n for n in os.listdir(folder) if n not in (name, "stderr"))
    check(not left, "%s: no temp file (or any other file) left behind: %s" % (label, left))
    if old:
        after = os.stat(target)
        with open(target, "rb") as f:
            data = f.read()
        check(data == OLD and (after.st_ino, after.st_mtime_ns, after.st_size) ==
              (before.st_ino, before.st_mtime_ns, before.st_size),
              "%s: the old file is untouched (%r...)" % (label, data[:40]))
    else:
        check(not os.path.exists(target), "%s: no target file" % label)


def main():
    if not os.path.isdir("/proc/self"):
        return gdtest.skip("no /proc to see that the export stopped")
    tmp = gdtest.tempdir("gd-export-signals-")
    db = os.path.join(tmp, "gd.db")
    big_db(db)
    for sig in SIGNALS:
        for old in (False, True):
            case(db, tmp, "xlsx", sig, old)
    # JSON to a regular file goes through the same temp file and handler.
    case(db, tmp, "json", signal.SIGTERM, True, extra=("--findings",))
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
