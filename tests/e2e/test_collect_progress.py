# SPDX-License-Identifier: Apache-2.0
"""Progress display of `gdreport collect`: on a terminal, a live status line
("fetching: <region> <fetched>/<listed>") and one line per region as it ends;
nothing of the kind when stderr is not a terminal (cron, pipes), and nothing at
all on stderr with -q. A pseudo-terminal (stdlib pty) stands in for the TTY."""
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

FAILURES = []
PASSED = [0]


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILURES.append(what)
        print("FAIL: %s" % what)


def run_on_pty(args, env, timeout=120):
    """Runs gdreport with stderr on a pseudo-terminal; returns (rc, stdout, tty_text)."""
    master, slave = os.openpty()
    proc = subprocess.Popen([gdtest.gdreport_bin()] + args, env=env, stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks, deadline = [], time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    out = proc.communicate(timeout=timeout)[0]
    os.close(master)
    return proc.returncode, out.decode("utf-8", "replace"), \
        b"".join(chunks).decode("utf-8", "replace")


def pty_unavailable():
    """None when a pseudo-terminal can be opened here, else why not."""
    try:
        master, slave = os.openpty()
    except OSError as e:
        return str(e)
    os.close(master)
    os.close(slave)
    return None


def check_terminal(env, tmp, regions):
    db = os.path.join(tmp, "tty.db")
    rc, out, tty = run_on_pty(["collect", "--db", db, "--regions", regions, "--no-cost"], env)
    check(rc == 0, "collect on a terminal exits 0 (got %d): %s" % (rc, tty[-500:]))
    check("fetching: " in tty, "a live status line is drawn on a terminal")
    check("us-east-1 " in tty.split("fetching: ", 1)[-1] or "eu-west-1" in tty,
          "the status line names a region")
    for r in regions.split(","):
        check("] %s" % r in tty, "an end-of-region line for %s on the terminal" % r)
    check("[3/3]" in tty, "region lines are numbered [n/total]")
    check(tty.rstrip().endswith("\x1b[K") or "fetching" not in tty.splitlines()[-1],
          "the status line is cleared at the end")
    check("findings: 126 listed" in out, "the summary still goes to stdout "
          "(2 regions x (60 findings + 3 samples))")


def check_terminal_quiet(env, tmp, regions):
    db3 = os.path.join(tmp, "quiet.db")
    rc, out, tty = run_on_pty(["collect", "--db", db3, "--regions", regions, "--no-cost",
                               "-q"], env)
    check(rc == 0, "collect -q on a terminal exits 0")
    check(tty.strip() == "", "-q prints nothing on a terminal either: %r" % tty[:300])
    check(out == "", "-q prints no summary")


def main():
    regions = "us-east-1,eu-west-1,sa-east-1"
    no_pty = pty_unavailable()
    if no_pty:
        gdtest.skip_part("progress and -q on a terminal", "pty not available (%s)" % no_pty)
    with gdtest.FakeAws(["--scenario", "small", "--latency-ms", "20"]) as fake:
        env = gdtest.gd_env(fake)
        tmp = gdtest.tempdir("gdprogress-")
        if not no_pty:
            check_terminal(env, tmp, regions)

        db2 = os.path.join(tmp, "pipe.db")
        p = gdtest.run_gdreport(["collect", "--db", db2, "--regions", regions, "--no-cost"], env)
        check(p.returncode == 0, "collect with stderr on a pipe exits 0")
        check("fetching:" not in p.stderr and "[1/3]" not in p.stderr and "\x1b" not in p.stderr,
              "no progress or escape codes when stderr is not a terminal: %r" % p.stderr[:300])

        if not no_pty:
            check_terminal_quiet(env, tmp, regions)

    print("%d passed, %d failed" % (PASSED[0], len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
