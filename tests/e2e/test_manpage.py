#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""docs/gdreport.1 renders without a single groff or man warning, carries the
project's version, and documents what the binary really offers: every command
in `gdreport --help` has its own subsection, and every long option a command's
`gdreport help <command>` prints appears in that subsection (for `run`, in the
collect or export one it passes options on to) and in the bash completion;
every config key is a real option of its command; and the completion offers
the right values for the options that take a fixed set."""
import json
import os
import re
import shutil
import subprocess
import sys

SRC = os.environ.get("GD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("GDREPORT_BIN", "")
PAGE = os.path.join(SRC, "docs", "gdreport.1")
COMPLETION = os.path.join(SRC, "completion", "gdreport.bash")
# Options every command may print in its help without the man page repeating them
# (--lang is described once, under "Global options").
GENERIC = {"--help", "--version", "--lang"}

passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + msg)


def render_warnings():
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    r = subprocess.run(["groff", "-man", "-ww", "-z", PAGE], capture_output=True, text=True,
                       env=env)
    check(r.returncode == 0 and not r.stderr.strip(), "groff -man -ww -z: " + r.stderr.strip())
    if shutil.which("man"):
        r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", PAGE],
                           capture_output=True, text=True, env=env)
        check(r.returncode == 0 and not r.stderr.strip(), "man --warnings -l: " + r.stderr.strip())
        check("EXIT STATUS" in r.stdout and "ENVIRONMENT" in r.stdout, "man renders the page")
    else:
        print("note: man not installed (apt-get install man-db); checked with groff only")


def project_version():
    text = open(os.path.join(SRC, "CMakeLists.txt"), encoding="utf-8").read()
    m = re.search(r"project\(gdreport\s+VERSION\s+([0-9.]+)", text)
    return m.group(1) if m else None


def sections(source):
    """Subsection name -> its roff text with \\- turned into -."""
    out, name, buf = {}, None, []
    for line in source.splitlines():
        if line.startswith(".SS ") or line.startswith(".SH "):
            if name:
                out[name] = "\n".join(buf)
            name = line[4:].strip().strip('"') if line.startswith(".SS ") else None
            buf = []
        elif name:
            buf.append(line.replace("\\-", "-"))
    if name:
        out[name] = "\n".join(buf)
    return out


def binary_commands():
    r = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    block = r.stdout.split("Commands:", 1)[-1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def command_options(cmd):
    r = subprocess.run([BIN, "help", cmd], capture_output=True, text=True)
    if r.returncode != 0 or "not implemented yet" in r.stdout:
        return None
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", r.stdout)) - GENERIC


def options_documented():
    if not BIN or not os.access(BIN, os.X_OK):
        print("note: GDREPORT_BIN not built; options not compared")
        return
    source = open(PAGE, encoding="utf-8").read()
    secs = sections(source)
    completion = open(COMPLETION, encoding="utf-8").read()
    commands = binary_commands()
    check(len(commands) >= 7, "gdreport --help lists the commands: %r" % commands)
    for cmd in commands:
        check(cmd in secs, "man page has no subsection for '%s'" % cmd)
        check(re.search(r"\b%s\b" % cmd, completion) is not None,
              "completion does not offer '%s'" % cmd)
        opts = command_options(cmd)
        if opts is None:
            print("note: '%s' is not implemented yet; its options are not compared" % cmd)
            continue
        where = secs.get(cmd, "")
        if cmd == "run":
            where += secs.get("collect", "") + secs.get("export", "")
        for opt in sorted(opts):
            check(re.search(re.escape(opt) + r"(?![\w-])", where) is not None,
                  "man page, %s: %s is not documented" % (cmd, opt))
            check(re.search(re.escape(opt) + r"(?![\w-])", completion) is not None,
                  "completion: %s of %s is missing" % (opt, cmd))


COMPLETION_CASES = [  # words on the line -> what the completion offers
    (["gdreport", ""], "collect export run status doctor prune config help"),
    (["gdreport", "export", "--redact", ""], "management cost all"),
    (["gdreport", "export", "--format", "=", "j"], "json"),
    (["gdreport", "run", "--formats", "xlsx,"], "xlsx,xlsx xlsx,json xlsx,md"),
    (["gdreport", "collect", "--log-format", ""], "text json"),
    (["gdreport", "export", "--min-severity", "h"], "high"),
    (["gdreport", "config", ""], "show path"),
]


def completion_offers():
    """Runs the completion function in bash (without bash-completion loaded)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMPREPLY=(); _gdreport; echo "${COMPREPLY[*]}"')
    for words, want in COMPLETION_CASES:
        r = subprocess.run(["bash", "--norc", "-c", script, "x", COMPLETION] + words,
                           capture_output=True, text=True)
        check(r.stdout.strip() == want, "completion of %r: %r, expected %r"
              % (words, r.stdout.strip(), want))


# Config keys that are not spelled as a long option of their command.
KEY_ALIASES = {"output": "-o", "verbose": "-v"}


def config_keys_are_options():
    """Every config key is one of its command's options (config.h promises it)."""
    if not BIN or not os.access(BIN, os.X_OK):
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDREPORT_")}
    r = subprocess.run([BIN, "config", "show", "--json", "--config", "/dev/null"],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 0, "config show --config /dev/null: " + r.stderr.strip())
    if r.returncode != 0:
        return
    for section, keys in json.loads(r.stdout)["sections"].items():
        text = subprocess.run([BIN, "help", section], capture_output=True, text=True).stdout
        if "not implemented yet" in text:
            continue
        for key in keys:
            opt = KEY_ALIASES.get(key, "--" + key)
            check(re.search(re.escape(opt) + r"(?![\w-])", text) is not None,
                  "config key [%s] %s is not an option of 'gdreport %s'" % (section, key, section))


def main():
    if not shutil.which("groff"):
        print("SKIP: groff is not installed (apt-get install groff-base)")
        return 77
    render_warnings()
    source = open(PAGE, encoding="utf-8").read()
    version = project_version()
    check(version and '"gdreport %s"' % version in source.split("\n.SH", 1)[0],
          ".TH does not carry version %s" % version)
    for code in "0123":
        check(re.search(r"^\.SH EXIT STATUS$.*?^\.B %s$" % code, source, re.S | re.M),
              "EXIT STATUS does not explain %s" % code)
    options_documented()
    config_keys_are_options()
    completion_offers()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
