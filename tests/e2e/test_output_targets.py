#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 item 1 through the CLI: what is at -o decides how the report is written.

Everything lives in a private temp directory: a FIFO, a character device node made
with mknod (root only; skipped otherwise), a symlink, a directory. /dev/null and
other system paths are never touched."""
import os
import stat
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from gdtest import check  # noqa: E402

NOW = "2026-11-29T12:00:00Z"


def export(db, *args, **kw):
    return subprocess.run([gdtest.gdreport_bin(), "export", "--db", db, "--now", NOW] + list(args),
                          capture_output=True, timeout=120, **kw)


def read_fifo_in_background(fifo, sink):
    def reader():
        with open(fifo, "rb") as f:
            sink.append(f.read())
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    return t


def main():
    tmp = gdtest.tempdir("gd-outputs-")
    db = os.path.join(tmp, "gd.db")
    gdtest.fixture_db(db)

    p = export(db, "-o", "-")
    check(p.returncode == 0 and p.stdout.startswith(b"{"),
          "-o - without --format writes JSON to stdout (%s)" % p.stderr.decode().strip())

    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    for fmt, magic in (("json", b"{"), ("xlsx", b"PK")):
        got = []
        t = read_fifo_in_background(fifo, got)
        p = export(db, "--format", fmt, "-o", fifo)
        t.join(30)
        check(p.returncode == 0, "%s to a FIFO: exit 0 (%s)" % (fmt, p.stderr.decode().strip()))
        check(got and got[0].startswith(magic), "%s to a FIFO: the reader got the report" % fmt)
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "%s to a FIFO: still a FIFO" % fmt)

    p = export(db, "--format", "xlsx", "-o", "-")
    check(p.returncode == 0 and p.stdout.startswith(b"PK"), "xlsx to stdout is streamed")

    node = os.path.join(tmp, "null")
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as e:
        print("char device part skipped:", e)
    else:
        p = export(db, "--format", "json", "-o", node)
        check(p.returncode == 0, "to a character device: exit 0")
        check(stat.S_ISCHR(os.lstat(node).st_mode), "the device node is still a device node")

    target = os.path.join(tmp, "real.json")
    link = os.path.join(tmp, "latest.json")
    with open(target, "w") as f:
        f.write("old")
    os.symlink(target, link)
    p = export(db, "-o", link)
    check(p.returncode == 0 and os.path.islink(link), "symlink: written through, link kept")
    check(open(target, "rb").read().startswith(b"{"), "symlink: the target holds the report")

    sub = os.path.join(tmp, "adir")
    os.mkdir(sub)
    p = export(db, "--format", "json", "-o", sub)
    err = p.stderr.decode()
    check(p.returncode == 2 and "adir" in err and "directory" in err and err.count("\n") == 1,
          "a directory: exit 2, one line naming it (%r)" % err)

    p = export(db, "-o", "-", "--since", "2026-02-31", "--until", "2026-03-05")
    check(p.returncode == 2 and b"--since" in p.stderr,
          "--since 2026-02-31 is a usage error, not 3 March (%s)" % p.stderr.decode().strip())

    # SIGTERM/SIGINT/SIGHUP during a write: tests/unit/test_output.c (deterministic there).

    p = subprocess.run([gdtest.gdreport_bin(), "run", "--db", db,
                        "--out-dir", os.path.join(tmp, "missing", "parent", "out")],
                       capture_output=True, timeout=120)
    err = p.stderr.decode()
    check(p.returncode != 0 and "No such file or directory" in err,
          "run --out-dir with a missing parent gives the reason (%r)" % err)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
