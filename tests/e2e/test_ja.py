#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Japanese output through gettext, end to end on the demo organisation.

`--lang ja` and LANG=ja_JP.UTF-8 give a workbook with Japanese sheet names,
headers, labels and chart titles and a Japanese font; rendered by LibreOffice
(fonts-noto-cjk installed for the glyphs) the PDF text is Japanese. JSON is
the same bytes in every language. `gdreport --lang ja status` and error
messages are Japanese. English stays byte-identical: the workbook with LANG
unset, LANG=C and --lang en is the same file.

Skips (77) without soffice/pdftotext, the compiled catalog or a Japanese
font (apt-get install libreoffice-calc-nogui poppler-utils gettext
fonts-noto-cjk)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
JA_SHEETS = ["概要", "アカウント", "保護プラン", "カバレッジ", "検出結果", "コスト", "推移", "定義"]


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def export(env, db, out, fmt, *extra):
    return gdexport.run_export(env, db, out, fmt, NOW, check, *extra)


def sheet_names(path):
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode("utf-8")
    return re.findall(r'<sheet name="([^"]+)"', xml)


def pdf_text(xlsx, out_dir):
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    try:
        subprocess.run(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
                        "--convert-to", "pdf", "--outdir", out_dir, xlsx],
                       capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = os.path.join(out_dir, os.path.splitext(os.path.basename(xlsx))[0] + ".pdf")
    if not os.path.exists(pdf):
        return ""
    return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          text=True).stdout


def main():
    for tool in ("soffice", "pdftotext", "fc-list"):
        if not shutil.which(tool):
            gdtest.skip("%s is not installed" % tool)
    build = os.environ.get("GD_BUILD_DIR", "")
    if not os.path.exists(os.path.join(build, "locale", "ja", "LC_MESSAGES", "gdreport.mo")):
        gdtest.skip("the Japanese catalog was not built (apt-get install gettext)")
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    if not fonts.strip():
        gdtest.skip("no font with Japanese glyphs (apt-get install fonts-noto-cjk)")

    tmp = gdtest.tempdir("gd-ja-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        env_en = {k: v for k, v in env.items() if k not in ("LANG", "LANGUAGE", "LC_ALL",
                                                            "LC_MESSAGES")}
        env_ja = dict(env_en, LANG="ja_JP.UTF-8")

        # English: the same bytes with LANG unset, LANG=C and --lang en.
        en = export(env_en, db, os.path.join(tmp, "en.xlsx"), "xlsx")
        en_c = export(dict(env_en, LANG="C"), db, os.path.join(tmp, "en-c.xlsx"), "xlsx")
        en_flag = export(env_ja, db, os.path.join(tmp, "en-flag.xlsx"), "xlsx", "--lang", "en")
        blob = open(en, "rb").read()
        check(blob == open(en_c, "rb").read(), "English workbook identical with LANG=C")
        check(blob == open(en_flag, "rb").read(), "--lang en overrides LANG=ja_JP.UTF-8")
        check(sheet_names(en)[:2] == ["Overview", "Accounts"], "English sheet names")

        # Japanese, by flag and by LANG.
        ja = export(env_en, db, os.path.join(tmp, "ja.xlsx"), "xlsx", "--lang", "ja")
        ja_env = export(env_ja, db, os.path.join(tmp, "ja-env.xlsx"), "xlsx")
        check(open(ja, "rb").read() == open(ja_env, "rb").read(),
              "LANG=ja_JP.UTF-8 gives the same workbook as --lang ja")
        names = sheet_names(ja)
        check([n for n in names if "(" not in n] == JA_SHEETS, "Japanese sheet names: %r" % names)
        z = zipfile.ZipFile(ja)
        check(b'val="Yu Gothic"' in z.read("xl/styles.xml"), "ja workbook names a Japanese font")
        check(b'val="Yu Gothic"' not in zipfile.ZipFile(en).read("xl/styles.xml"),
              "English workbook keeps the default font")
        book = gdexport.read_xlsx(ja)
        findings = book["検出結果"]
        header = [findings[(0, c)] for c in range(17)]
        check(header[:3] == ["重要度", "スコア", "タイプ"] and "検出結果 ID" in header,
              "Findings header in Japanese: %r" % header)
        bands = {findings.get((r, 0)) for r in range(1, 200)}
        check({"重大", "高", "中", "低"} >= (bands - {None}) and "重大" in bands,
              "severity labels in Japanese: %r" % bands)
        plans = {r.get("保護プラン") for r in gdexport.table(book["保護プラン"])}
        check("基本的な脅威検出" in plans and "S3 Protection" in plans,
              "plan names as in AWS's Japanese documentation: %r" % plans)
        # issue 11's definitions, section titles and week labels are Japanese too.
        defs = {v for (r, c), v in book["定義"].items() if c in (1, 2)}
        for want in ("カバレッジの不足", "使用量見積もりの合計", "週次の推移", "最後に成功した収集",
                     "リージョンに GuardDuty ディテクターがない"):
            check(want in defs, "Definitions sheet shows %r" % want)
        check(not any("Findings in scope" in v for v in defs), "no English definition left")
        costs = set(book["コスト"].values())
        check({"アカウント別", "プラン別", "リージョン別", "アカウント・プラン別"} <= costs,
              "Costs tables titled in Japanese")
        check("カバレッジの不足" in set(book["カバレッジ"].values()), "Coverage gaps title in Japanese")
        trends = set(book["推移"].values())
        check("先週" in trends and "今週（途中）" in trends, "Trends week labels in Japanese")
        charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
        chart_text = "".join(z.read(n).decode("utf-8") for n in charts)
        check("重要度別のアクティブな検出結果" in chart_text and "アカウント" in chart_text,
              "chart title and axis titles in Japanese")

        # JSON stays English and byte-identical.
        j_en = export(env_en, db, os.path.join(tmp, "en.json"), "json", "--findings")
        j_ja = export(env_en, db, os.path.join(tmp, "ja.json"), "json", "--findings",
                      "--lang", "ja")
        check(open(j_en, "rb").read() == open(j_ja, "rb").read(), "JSON identical in ja")

        # Rendered by LibreOffice with a CJK font.
        text = pdf_text(ja, tmp)
        for want in ("GuardDuty 組織レポート", "組織 ID", "委任管理者", "アクティブ合計", "重大",
                     "重要度別のアクティブな検出結果", "検出結果 ID", "ページ"):
            check(want in text, "PDF of the ja workbook shows %r" % want)

        # status and errors.
        cp = gdtest.run_gdreport(["--lang", "ja", "status", "--db", db, "--runs", "1"], env_en)
        check(cp.returncode == 0 and "実行" in cp.stdout and "検出結果" in cp.stdout,
              "gdreport --lang ja status is Japanese: %r" % cp.stdout[:200])
        check("リージョン別の最後に成功した収集" in cp.stdout,
              "status freshness line in Japanese: %r" % cp.stdout[-400:])
        cp = gdtest.run_gdreport(["status", "--db", db, "--runs", "1"], env_ja)
        check("実行" in cp.stdout, "LANG=ja_JP.UTF-8 gdreport status is Japanese")
        cp = gdtest.run_gdreport(["status", "--db", db, "--runs", "1"], env_en)
        check(cp.stdout.startswith("run ") and "実行" not in cp.stdout, "status stays English")
        cp = gdtest.run_gdreport(["export", "--redcat", "x"], env_ja)
        check(cp.returncode == 2 and "エラー" in cp.stderr and "--redact" in cp.stderr,
              "error messages in Japanese: %r" % cp.stderr)
        cp = gdtest.run_gdreport(["--lang", "fr", "status"], env_en)
        check(cp.returncode == 2 and "--lang" in cp.stderr, "--lang fr is a usage error")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
