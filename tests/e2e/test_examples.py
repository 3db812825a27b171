#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The shipped examples work: the systemd units pass `systemd-analyze verify`
and carry the hardening the README promises, the crontab lines are valid cron
syntax running `gdreport run` under flock with a log, the sample config is
accepted by `gdreport config show` even when world-readable (no secrets), and
examples/README.md describes every file."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("GD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
EX = os.path.join(SRC, "examples")
BIN = os.environ.get("GDREPORT_BIN", "")

passed = failed = skipped = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + msg)


def skip(msg):
    global skipped
    skipped += 1
    print("SKIP: " + msg)


def unit_settings(path):
    """[Section] -> list of (key, value); repeated keys kept in order."""
    out, section = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(section, []).append((key.strip(), value.strip()))
    return out


SERVICE_MUST = {
    "DynamicUser": "yes", "StateDirectory": "gdreport", "ProtectSystem": "strict",
    "ProtectHome": "yes", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "SystemCallFilter": "@system-service", "UMask": "0077", "Type": "oneshot",
}


def test_units():
    svc = unit_settings(os.path.join(EX, "gdreport.service"))["Service"]
    for key, want in SERVICE_MUST.items():
        check((key, want) in svc, "gdreport.service: missing %s=%s" % (key, want))
    check(any(k == "LoadCredential" or k == "EnvironmentFile" for k, _ in svc),
          "gdreport.service: no LoadCredential/EnvironmentFile for the profile")
    execs = [v for k, v in svc if k == "ExecStart"]
    check(len(execs) == 1 and execs[0].startswith("/usr/bin/gdreport run "),
          "gdreport.service: ExecStart must run /usr/bin/gdreport run")
    timer = unit_settings(os.path.join(EX, "gdreport.timer"))
    check(("Persistent", "true") in timer["Timer"], "gdreport.timer: Persistent=true")
    check(("WantedBy", "timers.target") in timer["Install"], "gdreport.timer: WantedBy")
    cal = [v for k, v in timer["Timer"] if k == "OnCalendar"]
    check(len(cal) == 1, "gdreport.timer: one OnCalendar")
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        skip("systemd-analyze not installed (apt-get install systemd)")
        return
    r = subprocess.run([analyze, "calendar", cal[0]], capture_output=True, text=True)
    check(r.returncode == 0, "OnCalendar %r: %s" % (cal[0], r.stderr.strip()))
    check(re.search(r"Next elapse: Mon ", r.stdout) is not None, "the timer fires on Mondays")
    with tempfile.TemporaryDirectory() as tmp:
        # verify wants the ExecStart binary to exist: use the one just built.
        exe = BIN if BIN and os.access(BIN, os.X_OK) else "/bin/true"
        text = open(os.path.join(EX, "gdreport.service"), encoding="utf-8").read()
        with open(os.path.join(tmp, "gdreport.service"), "w", encoding="utf-8") as f:
            f.write(text.replace("/usr/bin/gdreport", exe))
        shutil.copy(os.path.join(EX, "gdreport.timer"), tmp)
        r = subprocess.run([analyze, "verify", "--man=no", "gdreport.service", "gdreport.timer"],
                           cwd=tmp, capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and "gdreport" not in out,
              "systemd-analyze verify: rc %d: %s" % (r.returncode, out))
        # The hardening as systemd scores it (0 best .. 10 worst; 1.4 when written).
        r = subprocess.run([analyze, "security", "--offline=yes", "--no-pager",
                            "gdreport.service"], cwd=tmp, capture_output=True, text=True)
        m = re.search(r"Overall exposure level for gdreport.service: ([0-9.]+)", r.stdout)
        if m:
            check(float(m.group(1)) <= 2.0, "systemd-analyze security: exposure %s > 2.0"
                  % m.group(1))
        else:
            skip("systemd-analyze security --offline not supported here")


CRON_FIELD = re.compile(r"^[0-9*/,\-]+$")


def test_crontab():
    jobs = []
    for line in open(os.path.join(EX, "crontab"), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            continue
        fields = line.split(None, 5)
        check(len(fields) == 6 and all(CRON_FIELD.match(f) for f in fields[:5]),
              "crontab: not 5 time fields and a command: %r" % line)
        # cron turns an unescaped % into a newline.
        check(re.search(r"(?<!\\)%", fields[5]) is None, "crontab: unescaped %% in %r" % line)
        jobs.append(fields[5])
        cmd = fields[5].replace("\\%", "%")
        r = subprocess.run(["/bin/sh", "-n", "-c", cmd], capture_output=True, text=True)
        check(r.returncode == 0, "crontab: sh -n: %s" % r.stderr.strip())
    runs = [j for j in jobs if "gdreport run " in j]
    check(len(runs) == 1, "crontab: one gdreport run line")
    for j in runs:
        check("flock -n " in j, "crontab: gdreport run under flock -n")
        check(re.search(r">>\s*\S+\.log\"? 2>&1$", j) is not None, "crontab: log appended with 2>&1")


def test_config(tmp):
    if not BIN or not os.access(BIN, os.X_OK):
        skip("GDREPORT_BIN not built")
        return
    cfg = os.path.join(tmp, "config")
    shutil.copy(os.path.join(EX, "config.ini"), cfg)
    os.chmod(cfg, 0o644)  # as /etc/gdreport/config would be: no secrets, so accepted
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDREPORT_")}
    r = subprocess.run([BIN, "config", "show", "--json", "--config", cfg],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 0, "config show on examples/config.ini: %s" % r.stderr.strip())
    if r.returncode != 0:
        return
    doc = json.loads(r.stdout)
    check(doc["file"] == cfg, "config show names the file")
    redact = doc["sections"]["export"]["redact"]
    check(redact["value"] == "management" and redact["origin"].startswith("config " + cfg + ":"),
          "config show: [export] redact from the file, got %r" % redact)
    check(doc["sections"]["run"]["formats"]["value"] == "xlsx,json",
          "[run] formats: the list as the commands get it (blanks around items dropped)")
    env["GDREPORT_REDACT"] = "all"
    r = subprocess.run([BIN, "config", "show", "--json", "--config", cfg],
                       capture_output=True, text=True, env=env)
    redact = json.loads(r.stdout)["sections"]["export"]["redact"]
    check(redact == {"value": "all", "origin": "env GDREPORT_REDACT"},
          "the environment beats the file, got %r" % redact)


def test_readme():
    text = open(os.path.join(EX, "README.md"), encoding="utf-8").read()
    for name in sorted(os.listdir(EX)):
        if name != "README.md":
            check("`%s`" % name in text, "examples/README.md does not describe %s" % name)


def main():
    test_units()
    test_crontab()
    with tempfile.TemporaryDirectory() as tmp:
        test_config(tmp)
    test_readme()
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
