#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Install and packaging: `cmake --install` honours --prefix and DESTDIR and
puts the binary, man page, bash completion, README and examples where Debian
expects them; `cpack -G DEB` from the build tree makes a .deb whose control
data (name, version, section, Depends on the real Debian 12 library packages)
and contents are right, and whose binary runs after `dpkg -x`. As root with
CI=true the package is also installed with `dpkg -i` and removed again.

Uses the already built tree in GD_BUILD_DIR (no rebuild), so it needs
cmake/Install.cmake and cmake/Packaging.cmake included from CMakeLists.txt."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("GD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("GD_BUILD_DIR", "")
LIBS = ["libcurl4", "libssl3", "libsqlite3-0", "libjansson4", "libxlsxwriter4"]
INSTALLED = [  # relative to the prefix
    "bin/gdreport",
    "share/bash-completion/completions/gdreport",
    "share/doc/gdreport/README.md",
    "share/doc/gdreport/copyright",
    "share/doc/gdreport/examples/README.md",
    "share/doc/gdreport/examples/iam-policy.json",
    "share/doc/gdreport/examples/scp-deny-usage.json",
    "share/doc/gdreport/examples/config.ini",
    "share/doc/gdreport/examples/crontab",
    "share/doc/gdreport/examples/gdreport.service",
    "share/doc/gdreport/examples/gdreport.timer",
]
MANPAGES = ("share/man/man1/gdreport.1.gz", "share/man/man1/gdreport.1")

passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def project_version():
    text = open(os.path.join(SRC, "CMakeLists.txt"), encoding="utf-8").read()
    return re.search(r"project\(gdreport\s+VERSION\s+([0-9.]+)", text).group(1)


def check_tree(root, prefix, what):
    base = os.path.join(root, prefix.lstrip("/"))
    for rel in INSTALLED:
        check(os.path.isfile(os.path.join(base, rel)), "%s: %s/%s missing" % (what, prefix, rel))
    check(any(os.path.isfile(os.path.join(base, m)) for m in MANPAGES),
          "%s: man page missing under %s/share/man/man1" % (what, prefix))
    exe = os.path.join(base, "bin/gdreport")
    check(os.access(exe, os.X_OK), "%s: bin/gdreport is not executable" % what)


def test_destdir_install(tmp):
    stage = os.path.join(tmp, "stage")
    r = run(["cmake", "--install", BUILD, "--prefix", "/opt/gdr"],
            env=dict(os.environ, DESTDIR=stage))
    check(r.returncode == 0, "cmake --install: " + r.stderr.strip())
    check_tree(stage, "/opt/gdr", "DESTDIR install")
    leaked = os.path.exists("/opt/gdr")
    check(not leaked, "cmake --install wrote outside DESTDIR")


def build_deb(tmp):
    out = os.path.join(tmp, "pkg")
    r = run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
             "-B", out])
    check(r.returncode == 0, "cpack: " + (r.stdout + r.stderr).strip()[-2000:])
    debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
    check(len(debs) == 1, "cpack made one .deb: %r" % debs)
    return os.path.join(out, debs[0]) if debs else None


def field(deb, name):
    return run(["dpkg-deb", "-f", deb, name]).stdout.strip()


def test_control(deb):
    version = project_version()
    check(field(deb, "Package") == "gdreport", "Package is gdreport")
    check(field(deb, "Version").startswith(version + "-") or field(deb, "Version") == version,
          "Version %r is not %s" % (field(deb, "Version"), version))
    check(field(deb, "Section") == "admin", "Section is admin")
    check(re.match(r".+ <[^>]+@[^>]+>$", field(deb, "Maintainer")) is not None,
          "Maintainer is 'Name <email>'")
    check(field(deb, "Description").startswith("GuardDuty"), "Description")
    depends = [d.strip().split()[0] for d in field(deb, "Depends").split(",") if d.strip()]
    for lib in LIBS:
        check(lib in depends, "Depends lacks %s: %r" % (lib, depends))
    # Not visible to dpkg-shlibdeps: HTTPS needs the CA bundle, STRICT tables SQLite 3.37.
    check("ca-certificates" in depends, "Depends lacks ca-certificates: %r" % depends)
    check(re.search(r"libsqlite3-0 \(>= 3\.37", field(deb, "Depends")) is not None,
          "Depends has libsqlite3-0 (>= 3.37): %r" % field(deb, "Depends"))
    info = run(["dpkg-deb", "-I", deb])
    check(info.returncode == 0 and "Package: gdreport" in info.stdout, "dpkg-deb -I")
    listing = run(["dpkg-deb", "-c", deb]).stdout
    for rel in INSTALLED + [MANPAGES[0]]:
        check(" ./usr/" + rel + "\n" in listing + "\n", "package lacks /usr/" + rel)
    check(re.search(r"^-rwxr-xr-x root/root .* \./usr/bin/gdreport$", listing, re.M) is not None,
          "/usr/bin/gdreport is root-owned 0755")


def test_runs(exe, what):
    r = run([exe, "--version"])
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and lines[:1] == ["gdreport " + project_version()],
          "%s --version: first line %r %r" % (what, r.stdout, r.stderr))
    check(any(l.startswith("License: Apache-2.0") for l in lines),
          "%s --version names the licence: %r" % (what, r.stdout))
    r = run([exe, "--help"])
    check(r.returncode == 0 and "Commands:" in r.stdout, "%s --help" % what)


def check_copyright(doc):
    """/usr/share/doc/gdreport/copyright is DEP-5 and says Apache-2.0, pointing
    at Debian's copy of the licence text; a changelog.Debian.gz is beside it."""
    text = open(os.path.join(doc, "copyright"), encoding="utf-8").read()
    check(text.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"),
          "copyright: DEP-5 Format line first")
    check(re.search(r"^Files: \*\nCopyright: .+\nLicense: Apache-2\.0$", text, re.M) is not None,
          "copyright: Files: * paragraph with Copyright and License: Apache-2.0")
    check("/usr/share/common-licenses/Apache-2.0" in text, "copyright: points at common-licenses")
    check(os.path.isfile(os.path.join(doc, "changelog.Debian.gz")), "changelog.Debian.gz in the .deb")


def test_extracted(deb, tmp):
    root = os.path.join(tmp, "root")
    r = run(["dpkg-deb", "-x", deb, root])
    check(r.returncode == 0, "dpkg-deb -x: " + r.stderr)
    check_tree(root, "/usr", "dpkg -x")
    check_copyright(os.path.join(root, "usr/share/doc/gdreport"))
    test_runs(os.path.join(root, "usr/bin/gdreport"), "extracted gdreport")
    comp = os.path.join(root, "usr/share/bash-completion/completions/gdreport")
    r = run(["bash", "-c", 'source "$1" && complete -p gdreport', "x", comp])
    check(r.returncode == 0 and "_gdreport" in r.stdout, "completion loads: " + r.stderr)


# Lintian tags a package built from this tree may carry, and why:
#  bogus-mail-host*: the default maintainer gdreport@localhost is a placeholder
#    (a distributor sets -DGDREPORT_DEB_MAINTAINER, README "Installing");
#  initial-upload-closes-no-bugs: the one changelog entry closes no Debian bug;
#  binary-has-unneeded-section: CPack strips without removing .comment.
LINTIAN_ACCEPTED = {"bogus-mail-host", "bogus-mail-host-in-debian-changelog",
                    "initial-upload-closes-no-bugs", "binary-has-unneeded-section"}


def cache_value(name):
    """A value from the build tree's CMakeCache.txt, or "" when absent."""
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def accepted_tags():
    """LINTIAN_ACCEPTED, plus hardening-no-fortify-functions for a tree that is
    not built with Debian's hardening: a Debug build (CI's ASan+UBSan build)
    has no -O2, and _FORTIFY_SOURCE needs optimisation, so CMakeLists.txt
    leaves it out there. A release build (the one that ships) must have it."""
    tags = set(LINTIAN_ACCEPTED)
    if cache_value("CMAKE_BUILD_TYPE") == "Debug" or cache_value("GDREPORT_HARDEN") == "OFF":
        tags.add("hardening-no-fortify-functions")
    return tags


def test_lintian(deb):
    """lintian --pedantic: no tag at all about the copyright or the licence,
    and nothing else beyond accepted_tags()."""
    if not shutil.which("lintian"):
        print("SKIP: lintian check of the .deb: lintian not installed (apt-get install lintian)")
        return
    r = run(["lintian", "--pedantic", "-I", "-E", "--tag-display-limit", "0", deb], timeout=300)
    tags = re.findall(r"^([EWIPX]): gdreport(?: \S+)?: (\S+)(.*)$", r.stdout, re.M)
    accepted = accepted_tags()
    # Non-zero with tags: error tags, judged below; non-zero without: lintian failed.
    check(r.returncode == 0 or tags, "lintian ran (exit %d): %r" % (r.returncode, r.stderr[-500:]))
    for level, tag, rest in tags:
        check("copyright" not in tag and "licen" not in tag,
              "lintian %s: %s%s (copyright/licence)" % (level, tag, rest))
        check(tag in accepted, "lintian %s: %s%s" % (level, tag, rest))
    print("lintian: %s" % (", ".join(sorted({t for _, t, _ in tags})) or "no tags"))


def test_real_install(deb):
    if os.geteuid() != 0 or os.environ.get("CI") != "true":
        print("SKIP: dpkg -i/--purge of the .deb: only as root with CI=true")
        return
    if run(["dpkg-query", "-W", "-f=${Status}", "gdreport"]).stdout.startswith("install ok"):
        print("SKIP: dpkg -i/--purge of the .deb: a gdreport package is already installed")
        return
    r = run(["dpkg", "-i", deb])
    check(r.returncode == 0, "dpkg -i: " + r.stderr)
    try:
        test_runs("/usr/bin/gdreport", "installed gdreport")
        if shutil.which("man"):
            r = run(["man", "-w", "gdreport"])
            check(r.returncode == 0 and "gdreport.1" in r.stdout, "man -w gdreport")
    finally:
        r = run(["dpkg", "--purge", "gdreport"])
        check(r.returncode == 0, "dpkg --purge: " + r.stderr)
    check(not os.path.exists("/usr/bin/gdreport"), "removed again")


def main():
    missing = [t for t in ("cmake", "cpack", "dpkg-deb") if not shutil.which(t)]
    if missing:
        print("SKIP: %s not installed (apt-get install cmake dpkg-dev)" % ", ".join(missing))
        return 77
    if not BUILD or not os.path.isfile(os.path.join(BUILD, "CPackConfig.cmake")):
        print("SKIP: no CPackConfig.cmake in GD_BUILD_DIR: CMakeLists.txt does not "
              "include(cmake/Install.cmake) and include(cmake/Packaging.cmake) yet")
        return 77
    with tempfile.TemporaryDirectory(prefix="gdreport-pkg-") as tmp:
        test_destdir_install(tmp)
        deb = build_deb(tmp)
        if deb:
            test_control(deb)
            test_extracted(deb, tmp)
            test_lintian(deb)
            test_real_install(deb)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
