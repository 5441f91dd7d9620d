"""``lscplan build`` through the real entry point: exit codes, options, the manifest,
the progress lines, and the imports ``--help`` and ``check`` avoid.

HTML-only builds keep this module quick; the PDF side is covered by test_write.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import edit

from lscplan.pipeline import check
from lscplan.progress import BuildDisplay, interactive, line, summary
from lscplan.write import BuildResult, DocumentResult, Event

DOCS = ["ltp-submission", "public-summary", "delivery-report", "board-governing-body-update"]
#: The documents also written for Word.
WORD = ["public-summary", "board-governing-body-update"]
BOARD = "board-governing-body-update"


def test_html_build(cli, small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("build", small_plan, "--out", out, "--no-pdf")
    assert result.code == 0, result.stderr
    checked = check(small_plan)  # the counts are the plan's, not written out here
    warnings = len(checked.report.warnings)
    illustrative = sum(n for *_, n, _loc in checked.plan.illustrative_figures())
    assert result.stdout.splitlines() == [
        "built ltp-submission.html", "built ltp-submission.xlsx",
        *(f"built {d}.{ext}" for d in DOCS[1:] for ext in ("html", "docx")
          if ext == "html" or d in WORD),
        f"done: 4 documents (4 built, 0 unchanged), no PDF, {warnings} warnings "
        f"({illustrative} illustrative figures); outputs in {out}/"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{d}.html" for d in DOCS] + [f"{d}.docx" for d in WORD]
        + ["ltp-submission.xlsx", "manifest.json"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == DOCS
    entry = manifest["documents"][0]
    assert entry["html"] == "ltp-submission.html" and entry["pdf"] is None
    assert entry["pages"] is None and entry["sha256"]["pdf"] is None
    assert len(entry["sha256"]["html"]) == 64
    assert entry["xlsx"] == "ltp-submission.xlsx" and len(entry["sha256"]["xlsx"]) == 64
    assert "xlsx" not in manifest["documents"][1]  # only the submission has a workbook
    # board papers and the public summary are Word files too; the submission is not
    assert "docx" not in entry
    for doc in manifest["documents"][1:]:
        if doc["id"] in WORD:
            assert doc["docx"] == f"{doc['id']}.docx" and len(doc["sha256"]["docx"]) == 64
        else:  # the delivery report is HTML and PDF
            assert "docx" not in doc
    assert manifest["plan"]["version"] == "0.1"

    again = cli("build", small_plan, "--out", out, "--no-pdf")
    assert again.code == 0
    assert again.stdout.splitlines()[:-1] == [f"unchanged {d}" for d in DOCS]
    assert again.stdout.splitlines()[-1].startswith("done: 4 documents (0 built, 4 unchanged)")


def test_workbook_alone(cli, small_plan: Path, tmp_path: Path) -> None:
    """--formats xlsx writes the workbook alone; --no-html --no-pdf leave the workbook
    and the Word files."""
    out = tmp_path / "out"
    result = cli("build", small_plan, "--out", out, "--formats", "xlsx")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "built ltp-submission.xlsx"
    assert sorted(p.name for p in out.iterdir()) == ["ltp-submission.xlsx", "manifest.json"]
    office = cli("build", small_plan, "--out", tmp_path / "office", "--no-html", "--no-pdf")
    assert sorted(p.name for p in (tmp_path / "office").iterdir()) == sorted(
        ["ltp-submission.xlsx", "manifest.json", *(f"{d}.docx" for d in WORD)])
    assert office.code == 0
    # an HTML build later keeps the workbook while the plan is unchanged
    again = cli("build", small_plan, "--out", out, "--no-pdf")
    assert "built ltp-submission.xlsx" not in again.stdout.splitlines()
    assert (out / "ltp-submission.xlsx").exists()
    # a change to the plan: the workbook is made again with the HTML; a workbook-only
    # build then removes the HTML it leaves out of date, as --no-html always has
    edit(small_plan / "finance.yaml", "2019/20: 9000", "2019/20: 9100")
    third = cli("build", small_plan, "--out", out, "--no-pdf", "--only", "ltp-submission")
    assert third.stdout.splitlines()[:2] == ["built ltp-submission.html",
                                             "built ltp-submission.xlsx"]
    edit(small_plan / "finance.yaml", "2019/20: 9100", "2019/20: 9200")
    fourth = cli("build", small_plan, "--out", out, "--no-pdf", "--no-html")
    assert {"built ltp-submission.xlsx", "removed ltp-submission.html (out of date)"
            } <= set(fourth.stdout.splitlines())


def test_defaults_plan_and_build_in_cwd(cli, small_plan: Path) -> None:
    result = cli("build", "--no-pdf", "--quiet", cwd=small_plan.parent)
    assert result.code == 0 and result.stdout == "" and result.stderr == ""
    assert (small_plan.parent / "build" / "manifest.json").exists()


@pytest.mark.pdf
def test_pdf_only_one_document(cli, small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("build", small_plan, "--out", out, "--only", BOARD, "--formats", "pdf",
                 "--jobs", "1")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"built {BOARD}.pdf (")
    assert lines[0].endswith(" pages)")
    pages = int(lines[0].split("(")[1].split()[0])
    assert lines[1].startswith(f"done: 1 document (1 built, 0 unchanged), {pages} pages, ")
    assert sorted(p.name for p in out.iterdir()) == [f"{BOARD}.pdf", "manifest.json"]
    entry = json.loads((out / "manifest.json").read_text())["documents"][0]
    assert entry["id"] == BOARD and entry["html"] is None and entry["pages"] >= 2


def test_only_repeatable_and_manifest_stays_complete(cli, small_plan, tmp_path) -> None:
    out = tmp_path / "out"
    assert cli("build", small_plan, "--out", out, "--no-pdf", "-q").code == 0
    result = cli("build", small_plan, "--out", out, "--no-pdf", "--force",
                 "--only", "public-summary", "--only", BOARD)
    assert result.code == 0
    assert result.stdout.splitlines()[:-1] == ["built public-summary.html",
                                               "built public-summary.docx",
                                               f"built {BOARD}.html", f"built {BOARD}.docx"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [d["id"] for d in manifest["documents"]] == DOCS


def test_plan_errors_exit_1_and_write_nothing(cli, small_plan: Path, tmp_path: Path) -> None:
    edit(small_plan / "finance.yaml", "    allocation: 315000", "    allocation: 315001")
    out = tmp_path / "out"
    result = cli("build", small_plan, "--out", out)
    assert result.code == 1
    assert f"{small_plan}/finance.yaml:" in result.stdout
    assert "error[allocation-total]" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("failed: ")
    assert not out.exists()


def test_usage_errors_exit_2(cli, small_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    unknown = cli("build", small_plan, "--out", out, "--only", "board-nope")
    assert unknown.code == 2
    assert "board-nope" in unknown.stderr
    assert ("ltp-submission, public-summary, delivery-report, board-governing-body-update"
            in unknown.stderr)
    nothing = cli("build", small_plan, "--out", out, "--formats", "xlsx",
                  "--only", "public-summary")  # it has no workbook: no format is left
    assert nothing.code == 2 and "nothing to build" in nothing.stderr
    unknown = cli("build", small_plan, "--out", out, "--formats", "html,odt")
    assert unknown.code == 2
    assert "unknown format odt; the formats are html, pdf, xlsx, docx" in unknown.stderr
    assert cli("build", tmp_path / "missing", "--out", out).code == 2
    assert cli("build", small_plan, "--out", out, "--jobs", "0").code == 2
    (tmp_path / "file").write_text("x")
    assert cli("build", small_plan, "--out", tmp_path / "file").code == 2
    assert cli("build", small_plan, "--bogus").code == 2
    assert not out.exists()


def test_progress_lines() -> None:
    assert line(Event("built", "x", "x.pdf", 23)) == "built x.pdf (23 pages)"
    assert line(Event("built", "x", "x.pdf", 1)) == "built x.pdf (1 page)"
    assert line(Event("built", "x", "x.html")) == "built x.html"
    assert line(Event("unchanged", "public-summary")) == "unchanged public-summary"
    assert line(Event("render", "x", "x.pdf")) is None


def test_summary_line() -> None:
    docs = [DocumentResult("a", "A", built=["a.html", "a.pdf"], pages=40),
            DocumentResult("b", "B", unchanged=["b.html", "b.pdf"], pages=1),
            DocumentResult("c", "C", built=["c.html"])]
    result = BuildResult(Path("build"), Path("build/manifest.json"), docs, warnings=4,
                         illustrative=1312)
    assert summary(result) == ("done: 3 documents (2 built, 1 unchanged), 41 pages, "
                               "4 warnings (1,312 illustrative figures); outputs in build/")
    one = BuildResult(Path("out"), Path("out/manifest.json"), docs[2:], warnings=1)
    assert summary(one) == ("done: 1 document (1 built, 0 unchanged), no PDF, 1 warning; "
                            "outputs in out/")


def test_plain_lines_in_ci_and_off_a_terminal(monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert interactive(Terminal()) and not interactive(io.StringIO())
    assert BuildDisplay(stream=Terminal()).rich
    assert not BuildDisplay(quiet=True, stream=Terminal()).rich
    monkeypatch.setenv("CI", "true")
    assert not interactive(Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not interactive(Terminal())


def test_rich_display_on_a_terminal() -> None:
    stream = io.StringIO()
    with BuildDisplay(stream=stream, rich=True) as display:
        display.event(Event("start", count=1))
        display.event(Event("render", "x", "x.pdf"))
        display.event(Event("done", "x"))
        display.event(Event("built", "x", "x.pdf", 3))
    assert "built x.pdf (3 pages)" in stream.getvalue()
    quiet = io.StringIO()
    with BuildDisplay(quiet=True, stream=quiet) as display:
        display.event(Event("built", "x", "x.pdf", 3))
        display.finish(BuildResult(Path("b"), Path("b/manifest.json"), []))
    assert quiet.getvalue() == ""


LAZY = """
import sys
from lscplan.cli import app
try:
    app({args!r})
except SystemExit:
    pass
heavy = sorted(m for m in ("weasyprint", "matplotlib", "jinja2", "markdown_it")
               if m in sys.modules)
print("heavy:", ",".join(heavy))
"""


def test_help_and_check_do_not_import_the_renderers(small_plan: Path) -> None:
    # check parses Markdown (the markdown rule) but never loads the renderers.
    for args, expected in ((["--help"], "heavy:"), (["build", "--help"], "heavy:"),
                           (["check", str(small_plan)], "heavy: markdown_it")):
        proc = subprocess.run([sys.executable, "-c", LAZY.format(args=args)],
                              capture_output=True, text=True, timeout=120)
        assert proc.stdout.rstrip().splitlines()[-1] == expected, (args, proc.stdout)
