#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The flag table (cli/flags_table.c) is the one list of options. `--help` and
the config keys are generated from it; the man page and the bash completion
are checked against it here, in both directions. Unknown flags, missing
values and bad values are exit 2 with one line naming the flag (and a
suggestion when one is close). The old per-command parsers are gone."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import check, finish  # noqa: E402

SRC = os.environ.get("GD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("GDREPORT_BIN", "")
PAGE = os.path.join(SRC, "docs", "gdreport.1")
COMPLETION = os.path.join(SRC, "completion", "gdreport.bash")
CONFIG_SECTIONS = ["collect", "export", "run", "prune"]


def run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("GDREPORT_")}
    e.update(env or {})
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e)


def table():
    r = run("--dump-flags")
    check(r.returncode == 0, "--dump-flags: " + r.stderr)
    return json.loads(r.stdout)["flags"]


def spellings(flag):
    out = ["--" + flag["name"]]
    if flag.get("short"):
        out.append(flag["short"])
    if flag["name"] == "verbose":
        out.append("-vv")
    return out


def flags_of(rows, cmd):
    return [f for f in rows if cmd in f["commands"]]


def help_matches_table(rows, commands):
    for cmd in commands:
        text = run("help", cmd).stdout
        block = text.split("Options:\n", 1)[-1].split("\n\n", 1)[0]
        listed = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", block))
        want = {"--" + f["name"] for f in flags_of(rows, cmd)}
        check(listed == want, "help %s lists %s, table has %s"
              % (cmd, sorted(listed ^ want), sorted(want)))


def man_sections():
    out, name, buf = {}, None, []
    for line in open(PAGE, encoding="utf-8").read().splitlines():
        if line.startswith((".SS ", ".SH ")):
            if name:
                out[name] = buf
            name = line[4:].strip().strip('"') if line.startswith(".SS ") else None
            buf = []
        elif name:
            buf.append(line.replace("\\-", "-"))
    if name:
        out[name] = buf
    return out


def man_matches_table(rows, commands):
    secs = man_sections()
    every = [f for f in rows if set(f["commands"]) >= set(commands)]
    for f in every:   # global options: once, in their own subsection
        if f["name"] != "help":
            check(re.search(r"--%s(?![\w-])" % f["name"], "\n".join(secs.get("Global options", [])))
                  is not None, "man page: global option --%s is not under Global options" % f["name"])
    for cmd in commands:
        lines = secs.get(cmd, [])
        text = "\n".join(lines)
        if cmd == "run":
            text += "\n".join(secs.get("collect", []) + secs.get("export", []))
        for f in flags_of(rows, cmd):
            if f in every:
                continue
            for s in spellings(f):
                check(re.search(re.escape(s) + r"(?![\w-])", text) is not None,
                      "man page, %s: %s is not documented" % (cmd, s))
        # Every option a .TP item of this command describes is in the table.
        names = {"--" + f["name"] for f in flags_of(rows, cmd)}
        for i, line in enumerate(lines[:-1]):
            if line == ".TP":
                for opt in re.findall(r"--[a-z][a-z-]*[a-z]", lines[i + 1]):
                    check(opt in names, "man page, %s documents %s, which %s does not take"
                          % (cmd, opt, cmd))


def completion(words):
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMPREPLY=(); _gdreport; echo "${COMPREPLY[*]}"')
    r = subprocess.run(["bash", "--norc", "-c", script, "x", COMPLETION] + words,
                       capture_output=True, text=True)
    return set(r.stdout.split())


def completion_matches_table(rows, commands):
    for cmd in commands:
        words = ["gdreport", cmd] + (["show"] if cmd == "config" else []) + ["-"]
        offered = completion(words)
        want = {s for f in flags_of(rows, cmd) for s in spellings(f)}
        check(offered == want, "completion of %s offers %s too many / %s missing"
              % (cmd, sorted(offered - want), sorted(want - offered)))
        for f in flags_of(rows, cmd):
            if f.get("allowed") and f["arg"] != "LIST":
                got = completion(["gdreport", cmd, "--" + f["name"], ""])
                want_values = set(f["allowed"].split("|"))
                check(got == want_values, "completion of %s --%s: %s, table %s"
                      % (cmd, f["name"], sorted(got), sorted(want_values)))


def config_keys_match_table(rows):
    r = run("config", "show", "--json", "--config", "/dev/null")
    check(r.returncode == 0, "config show: " + r.stderr)
    got = {s: set(keys) for s, keys in json.loads(r.stdout)["sections"].items()}
    for section in CONFIG_SECTIONS:
        want = {f["config_key"] for f in flags_of(rows, section) if f.get("config_key")}
        check(got.get(section) == want, "[%s] keys %s, table %s"
              % (section, sorted(got.get(section, ())), sorted(want)))
    for f in rows:
        if f.get("config_key"):
            env = "GDREPORT_" + f["config_key"].upper().replace("-", "_")
            check(f.get("env") == env, "--%s: env %r, expected %s" % (f["name"], f.get("env"), env))


def errors_are_usage(commands):
    cases = [
        (["export", "--redcat", "all"], "--redcat", "did you mean --redact?"),
        (["collect", "--paralel", "4"], "--paralel", "did you mean --parallel?"),
        (["collect", "--parallel"], "--parallel", "needs a value"),
        (["collect", "--parallel", "40"], "--parallel", "outside 1..32"),
        (["export", "--min-severity", "hgh"], "--min-severity", "not one of"),
        (["export", "--keep", "9d"], "--keep", "does not apply to export"),
        (["prune", "--keep", "soon"], "--keep", "not a duration"),
        (["status", "--runs", "0"], "--runs", "outside"),
        (["run", "--now", "yesterday"], "--now", "ISO-8601"),
        (["doctor", "--full"], "--full", "does not apply"),
        (["export", "--findings=yes"], "--findings", "takes no value"),
        (["status", "extra"], "extra", "unexpected argument"),
    ]
    for argv, flag, words in cases:
        r = run(*argv)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2, "%s: exit %d, expected 2" % (argv, r.returncode))
        check(len(lines) == 1 and flag in lines[0] and words in lines[0],
              "%s: stderr %r should be one line naming %s with %r" % (argv, r.stderr, flag, words))
    for cmd in commands:
        r = run(cmd, "--help")
        check(r.returncode == 0 and "Options:" in r.stdout, "%s --help prints the options" % cmd)


def old_parsers_gone():
    cli = os.path.join(SRC, "cli")
    for name in sorted(os.listdir(cli)):
        if not name.endswith(".c") or name.startswith("flags"):
            continue
        text = open(os.path.join(cli, name), encoding="utf-8").read()
        for pattern in ("getopt_long", "flag_value(", "struct passthrough", "argv[++i]",
                        "parse_switch("):
            check(pattern not in text, "cli/%s still has its own parser (%s)" % (name, pattern))


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("SKIP: GDREPORT_BIN not built")
        return 77
    rows = table()
    commands = ["collect", "export", "run", "status", "doctor", "prune", "config"]
    help_matches_table(rows, commands)
    man_matches_table(rows, commands)
    completion_matches_table(rows, commands)
    config_keys_match_table(rows)
    errors_are_usage(commands)
    old_parsers_gone()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
