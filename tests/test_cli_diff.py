"""``lscplan diff`` through the real entry point: every format and every exit code,
and a broken version reported as trouble (2) naming its side."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import edit
from typer.testing import CliRunner

from lscplan.diff import DiffResult, diff_versions
from lscplan.diff_report import DIFF_FORMATS
from lscplan.diff_wording import change_message

MESSAGE = "metric `ae-four-hour`, 2021/22: 95.0% → 96.0% (improves)"


@pytest.fixture
def pair(small_plan: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The starter plan and a copy with one metric target changed."""
    new = tmp_path / "new"
    shutil.copytree(small_plan, new)
    edit(new / "metrics.yaml", "2021/22: 95.0", "2021/22: 96.0")
    return small_plan, new


def test_no_changes(cli, small_plan: Path) -> None:
    result = cli("diff", small_plan, small_plan, "--exit-code")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == f"old ({small_plan}) → new ({small_plan}): no changes\n"


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_every_format_and_exit_code(cli, pair: tuple[Path, Path], fmt: str) -> None:
    old, new = pair
    result = cli("diff", old, new, "--format", fmt, "--exit-code")
    assert (result.code, result.stderr) == (1, "")
    out = result.stdout
    if fmt == "text":
        assert out.splitlines()[2:4] == ["Metrics", f"  ~ {MESSAGE}"]
        assert "\x1b[" not in out  # not a terminal: no colour
    elif fmt == "markdown":
        assert ("| ~ | metric `ae-four-hour`<br><sub>metrics.yaml:29</sub> | `values.2021/22` "
                "| 95.0% | 96.0% |") in out
    elif fmt == "json":
        payload = json.loads(out)
        assert [(c["op"], c["entity"], c["id"], c["field"], c["old"], c["new"])
                for c in payload["changes"]] == [
            ("changed", "metric", "ae-four-hour", "values.2021/22", 95.0, 96.0)]
        assert payload["summary"]["total"] == 1
    else:
        assert out.startswith("<!DOCTYPE html>")
        assert "metric <code>ae-four-hour</code>, 2021/22: 95.0% → 96.0% (improves)" in out


def test_changes_without_exit_code_exit_0(cli, pair: tuple[Path, Path]) -> None:
    result = cli("diff", *pair)
    assert result.code == 0
    assert MESSAGE in result.stdout


def test_one_version_compares_with_the_plan_folder_here(cli, pair: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    old, new = pair
    here = tmp_path / "here"
    shutil.copytree(new, here / "plan")
    result = cli("diff", old, cwd=here)
    assert result.code == 0, result.stderr
    assert "→ new (working tree): 1 change" in result.stdout


def test_a_broken_side_is_compared_all_the_same(cli, pair: tuple[Path, Path]) -> None:
    old, new = pair
    edit(new / "finance.yaml", "movement: 5000", "movement: 5500")
    result = cli("diff", old, new, "--exit-code")
    assert result.code == 2
    out = result.stdout.splitlines()
    assert out[1] == f"new ({new}) fails its checks (1 error); compared all the same"
    assert out[3] == ("Checks: the change introduces 1 error, 0 warnings and fixes 0 errors, "
                      "0 warnings")
    assert out[4].startswith("  + introduced error[allocation-movement] finance.yaml:13:17: ")
    assert MESSAGE in result.stdout  # the change itself
    lines = result.stderr.splitlines()
    assert lines[0] == f"lscplan: new ({new}) fails its checks:"
    errors = [line for line in lines if "error[" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"{new}/finance.yaml:13:17: error[allocation-movement]: ")
    assert lines[-1].startswith("failed: 1 error")
    assert "warning[" not in result.stderr  # the errors are not buried among warnings


def test_a_fixed_error_and_a_new_warning_are_named(cli, pair: tuple[Path, Path]) -> None:
    old, new = pair
    edit(old / "finance.yaml", "movement: 5000", "movement: 5500")
    edit(new / "finance.yaml", "2021/22: {income: 335000,", "2021/22: {income: 330000,")
    result = cli("diff", old, new, "--format", "json")
    assert result.code == 2  # the old side fails its checks
    found = [(d["op"], d["severity"], d["rule"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert ("fixed", "error", "allocation-movement") in found
    assert ("introduced", "warning", "balance-not-reached") in found
    page = cli("diff", old, new, "--format", "html").stdout
    assert '<li class="fixed">fixed error[allocation-movement] finance.yaml:13:17: ' in page
    assert '<li class="introduced">introduced warning[balance-not-reached] ' in page
    assert "compared all the same" in page
    assert '<h2 id="documents">Documents: not compared, because old (' in page
    assert "fails its checks, so no build of it would succeed</h2>" in page


def test_an_unreadable_side_is_trouble(cli, pair: tuple[Path, Path]) -> None:
    old, new = pair
    edit(new / "metrics.yaml", "direction: higher", "direction: upwards")
    result = cli("diff", old, new)
    assert (result.code, result.stdout) == (2, "")
    assert f"lscplan: new ({new}) fails its checks:" in result.stderr


def test_both_sides_broken(cli, pair: tuple[Path, Path]) -> None:
    old, new = pair
    for side in pair:
        edit(side / "metrics.yaml", "direction: higher", "direction: upwards")
    result = cli("diff", old, new)
    assert result.code == 2
    assert f"lscplan: old ({old}) fails its checks:" in result.stderr
    assert f"lscplan: new ({new}) fails its checks:" in result.stderr


def test_usage_trouble(cli, small_plan: Path, tmp_path: Path) -> None:
    missing = cli("diff", small_plan, tmp_path / "nowhere")
    assert missing.code == 2
    assert "is neither a plan directory nor a revision of a git repository" in missing.stderr
    assert cli("diff", small_plan, small_plan, "--format", "pdf").code == 2
    assert cli("diff").code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("diff", small_plan, empty)
    assert result.code == 2
    assert f"lscplan: new ({empty}) fails its checks:" in result.stderr


def test_the_command_calls_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    from lscplan import cli as cli_module

    calls = []

    def fake(old: str, new: str | None, plan_path: str, **paths: str | None) -> DiffResult:
        calls.append((old, new, plan_path, paths))
        return DiffResult(())

    monkeypatch.setattr("lscplan.diff.diff_versions", fake)
    result = CliRunner().invoke(cli_module.app, ["diff", "main", "--plan-path", "docs/plan",
                                                 "--format", "json", "--exit-code"])
    assert result.exit_code == 0
    assert calls == [("main", None, "docs/plan",
                      {"old_plan_path": None, "new_plan_path": None, "documents": True,
                       "pages": False})]
    assert json.loads(result.stdout)["changes"] == []


# --- acceptance: the bundled plan ---------------------------------------------------------------


def _rewrite(path: Path, change: Callable[[dict], None]) -> None:
    """Change a plan file's data and write it back in another layout (block style, no
    comments): only the change itself may show in the diff."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6),
                    encoding="utf-8")


@pytest.mark.slow
def test_bundled_plan_three_changes_each_once_in_every_format(
        cli, bundled_plan: Path, tmp_path: Path) -> None:
    new = tmp_path / "changed-plan"
    shutil.copytree(bundled_plan, new)
    last = yaml.safe_load((new / "plan.yaml").read_text(encoding="utf-8"))["period"]["last"]
    found: dict[str, str] = {}

    def target(data: dict) -> None:  # a changed metric target
        metric = data["metrics"][0]
        found["metric"] = metric["id"]
        metric["values"][last] += -1 if metric["values"][last] >= 1 else 1

    def retitle(data: dict) -> None:  # priority 4 retitled
        priority = next(p for p in data["priorities"] if p["number"] == 4)
        found["priority"] = priority["id"]
        priority["title"] += " (revised)"

    def drop(data: dict) -> None:  # a programme removed from the cancer portfolio
        found["programme"] = data["programmes"].pop()["id"]

    _rewrite(new / "metrics.yaml", target)
    _rewrite(new / "priorities.yaml", retitle)
    _rewrite(new / "portfolios" / "cancer.yaml", drop)

    result = diff_versions(str(bundled_plan), str(new))
    expected = [
        ("changed", "priority", found["priority"], "title"),
        ("removed", "programme", found["programme"], None),
        ("changed", "metric", found["metric"], f"values.{last}"),
    ]
    assert [(c.op, c.entity, c.id, c.field) for c in result.changes] == expected
    messages = [change_message(c) for c in result.changes]
    assert messages[0].startswith(f"priority 4 `{found['priority']}` retitled: ")
    assert messages[1] == f"programme `{found['programme']}` removed from portfolio `cancer`"
    assert messages[2].startswith(f"metric `{found['metric']}`, {last}: ")

    text = DIFF_FORMATS["text"](result)
    marked = [line[4:] for line in text.splitlines() if line[:4] in ("  ~ ", "  - ", "  + ")
              and not line[4:].startswith(("introduced ", "fixed ", "changed "))]
    assert marked[:3] == messages
    assert marked[3:] == [  # which documents a build will write differently
        "`ltp-submission`: changes",
        *marked[4:]]

    markdown = DIFF_FORMATS["markdown"](result)
    rows = [row for row in markdown.splitlines() if row[:4] in ("| ~ ", "| - ", "| + ")
            and not row.startswith(("| ~ changed |", "| + introduced |", "| - fixed |"))]
    assert len(rows) == 3
    for row, (_, _, eid, _) in zip(rows, expected, strict=True):
        assert f"`{eid}`" in row and markdown.count(f"`{eid}`") == 1

    page = DIFF_FORMATS["html"](result)
    assert page.count('<div class="message">') == 3
    assert (page.count('<tr class="changed">'), page.count('<tr class="removed">'),
            page.count('<tr class="added">')) == (2, 1, 0)
    for _, _, eid, _ in expected:
        assert page.count(f"<code>{eid}</code>") == 2  # in the message and the entity

    run = cli("diff", bundled_plan, new, "--format", "json", "--exit-code")
    assert (run.code, run.stderr) == (1, "")
    for output in (DIFF_FORMATS["json"](result), run.stdout):
        payload = json.loads(output)
        assert [(c["op"], c["entity"], c["id"], c["field"])
                for c in payload["changes"]] == expected
        assert payload["summary"]["total"] == 3


# --- issue 13: a Markdown comment that fits ---------------------------------------------------

_YEAR_VALUE = re.compile(r"(\d{4}/\d{2}: )(-?\d+(?:\.\d+)?)(?=[,}\s])")
_KEY_VALUE = re.compile(r"^(\s*(?:baseline|allocation|movement|value|people|income|"
                        r"expenditure): )(-?\d+(?:\.\d+)?)\s*$", re.M)


def _bump(match: re.Match) -> str:
    value = match.group(2)
    return match.group(1) + (str(round(float(value) - 0.5, 1)) if "." in value
                             else str(int(value) + 1))


def test_a_series_is_one_row_with_a_year_strip(cli, pair: tuple[Path, Path]) -> None:
    old, new = pair
    edit(new / "metrics.yaml", "2019/20: 87.0", "2019/20: 86.0")
    markdown = cli("diff", old, new, "--format", "markdown").stdout
    rows = [r for r in markdown.splitlines() if r.startswith("| ~ | metric `ae-four-hour`")]
    assert rows == ["| ~ | metric `ae-four-hour`<br><sub>metrics.yaml:27</sub> | "
                    "`values.*`<br>**2019/20** · 2020/21 · "
                    "**2021/22** | 87.0% · 95.0% | 86.0% · 96.0% |"]


@pytest.mark.slow
def test_touching_every_figure_of_the_bundled_plan_fits_a_comment(
        cli, bundled_plan: Path, tmp_path: Path) -> None:
    new = tmp_path / "every-figure"
    shutil.copytree(bundled_plan, new)
    for path in new.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_KEY_VALUE.sub(_bump, _YEAR_VALUE.sub(_bump, text)), encoding="utf-8")
    run = cli("diff", bundled_plan, new, "--format", "markdown", "--full-diff",
              "the plan-diff artifact")
    assert run.code == 2  # the sums no longer add up: compared all the same
    markdown = run.stdout
    payload = json.loads(cli("diff", bundled_plan, new, "--format", "json").stdout)
    assert payload["summary"]["total"] > 400
    assert len(markdown) < 60_000
    notes = markdown.split("\n\n")[2]
    assert notes.startswith("Folded (open each to read it): ")
    assert "Metrics (" in notes and "Activity (" in notes
    assert notes.endswith("The full diff: the plan-diff artifact.")
    assert markdown.count("<details>") == markdown.count("</details>") >= 4
    assert "<details><summary><b>Metrics</b>" in markdown


def test_a_small_diff_folds_nothing(cli, pair: tuple[Path, Path]) -> None:
    markdown = cli("diff", *pair, "--format", "markdown").stdout
    assert "<details>" not in markdown and "Folded" not in markdown
    assert "Documents: a build writes 3 documents differently" in markdown
    quick = cli("diff", *pair, "--format", "markdown", "--no-documents").stdout
    assert "Documents" not in quick and MESSAGE.split(",")[0] in quick


def test_over_the_budget_the_longest_sections_give_up_rows(
        bundled_plan: Path, tmp_path: Path) -> None:
    from lscplan.diff_report import markdown_diff

    new = tmp_path / "every-figure"
    shutil.copytree(bundled_plan, new)
    for path in new.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_KEY_VALUE.sub(_bump, _YEAR_VALUE.sub(_bump, text)), encoding="utf-8")
    result = diff_versions(str(bundled_plan), str(new))
    markdown = markdown_diff(result, budget=20_000)
    assert len(markdown) < 20_000
    notes = markdown.split("\n\n")[2]
    assert "Left out to keep this under 20,000 characters: " in notes
    assert "Activity (" in notes.split("Left out")[1]
    assert notes.endswith("The full diff: run `lscplan diff --format html` to make the HTML "
                          "page.")
    assert "more rows left out here.*" in markdown
    assert "#### Documents" in markdown or "Documents:" in markdown


def test_the_ci_workflow_is_the_one_documented() -> None:
    root = Path(__file__).resolve().parent.parent
    workflow = (root / ".github/workflows/plan-diff.yml").read_text(encoding="utf-8")
    assert f"```yaml\n{workflow}```\n" in (root / "docs/ci.md").read_text(encoding="utf-8")
    steps = yaml.safe_load(workflow)["jobs"]["plan-diff"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "--format markdown" in runs and "--format html" in runs and "--full-diff" in runs
    # what the pull request changes: from the merge base, never main's later commits reversed
    assert runs.count('lscplan diff "$BASE...HEAD"') == 2
    script = next(s["with"]["script"] for s in steps if "github-script" in s.get("uses", ""))
    assert "updateComment" in script and "createComment" in script
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].split() == ["plan-diff.html", "build/*.pdf"]
