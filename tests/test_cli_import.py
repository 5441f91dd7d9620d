"""``lscplan import`` through the real entry point: build, edit the workbook as a
spreadsheet would, import; the plan checks and differs by exactly those figures; and
every refusal names its cell and leaves every file as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lscplan.resources import starter_dir

WORKBOOK = "ltp-submission.xlsx"


def _digests(plan_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(plan_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(plan_dir.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def starter_workbook(entry_point: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter plan's workbook, built once (only its copies are edited)."""
    root = tmp_path_factory.mktemp("starter-workbook")
    shutil.copytree(starter_dir(), root / "plan")
    result = subprocess.run([str(entry_point), "build", str(root / "plan"), "--out",
                             str(root / "out"), "--formats", "xlsx", "-q"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "out" / WORKBOOK


@pytest.fixture
def built(starter_workbook: Path, small_plan: Path, tmp_path: Path) -> Path:
    """A workbook as ``lscplan build small_plan --out tmp_path/out`` writes it."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copyfile(starter_workbook, out / WORKBOOK)
    return out / WORKBOOK


def _edited(built: Path, tmp_path: Path, edit) -> Path:
    wb = load_workbook(built)
    edit(wb)
    target = tmp_path / "edited.xlsx"
    wb.save(target)
    return target


def _row(ws, key: str) -> int:
    return next(r for r in range(4, ws.max_row + 1) if ws.cell(r, ws.max_column).value == key)


def test_round_trip(cli, built: Path, small_plan: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    shutil.copytree(small_plan, before)

    def edit(wb) -> None:
        wb["Finance"]["C4"] = 326000  # income 2020/21, £'000
        metrics = wb["Metrics"]
        metrics.cell(_row(metrics, "ae-four-hour"), 9).value = 0.915  # 2021/22: 91.5%
        workforce = wb["Workforce"]
        workforce.cell(_row(workforce, "nursing"), 4).value = 3150  # WTE 2020/21
        # ... and its places and staffing types with it, so that they still add up
        for measure, wte in (("WTE in post, North Place", 1900),
                             ("WTE in post, Substantive", 2870)):
            row = next(r for r in range(4, workforce.max_row + 1)
                       if workforce.cell(r, 2).value == measure)
            workforce.cell(row, 4).value = wte

    edited = _edited(built, tmp_path, edit)
    old_finance = (small_plan / "finance.yaml").read_text(encoding="utf-8")
    old_metrics = (small_plan / "metrics.yaml").read_text(encoding="utf-8")
    result = cli("import", edited, small_plan)
    assert result.code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == (f"imported 5 figures from {edited} into {small_plan}/finance.yaml, "
                         f"{small_plan}/metrics.yaml, {small_plan}/workforce.yaml")
    assert lines[0] == (f"old ({small_plan}) → new ({small_plan} with edited.xlsx): "
                        "5 changes (0 added, 0 removed, 5 changed)")
    # diff's view: each figure, and the derived figures it moved
    assert "  ~ metric `ae-four-hour`, 2021/22: 95.0% → 91.5% (worsens)" in lines
    assert "      ↳ meets the national standard: yes → no" in lines
    assert "      ↳ surplus 2020/21: −£5,000k → −£4,000k (+£1,000k)" in lines

    # only the numbers changed: every comment, key and layout is as it was
    assert (small_plan / "finance.yaml").read_text(encoding="utf-8") == old_finance.replace(
        "2020/21: {income: 325000,", "2020/21: {income: 326000,", 1)
    new_metrics = (small_plan / "metrics.yaml").read_text(encoding="utf-8")
    assert [(a, b) for a, b in zip(old_metrics.splitlines(), new_metrics.splitlines(),
                                   strict=True) if a != b] == [
        ("      2021/22: 95.0", "      2021/22: 91.5")]

    assert cli("check", small_plan).code == 0
    diff = cli("diff", before, small_plan, "--format", "json", "--no-documents")
    assert diff.code == 0, diff.stderr
    changes = {(c["entity"], c["id"], c["field"], c["old"], c["new"])
               for c in json.loads(diff.stdout)["changes"]}
    assert changes == {
        ("trajectory", None, "years.2020/21.income", 325000, 326000),
        ("metric", "ae-four-hour", "values.2021/22", 95.0, 91.5),
        ("staff-group", "nursing", "wte.2020/21", 3100, 3150),
        ("staff-group", "nursing", "by_place.north-place.2020/21", 1850, 1900),
        ("staff-group", "nursing", "by_type.substantive.2020/21", 2820, 2870),
    }
    # the workbook built again holds the new figures: importing it changes nothing
    out = built.parent
    assert cli("build", small_plan, "--out", out, "--no-pdf", "-q").code == 0
    again = cli("import", out / WORKBOOK, small_plan)
    assert again.code == 0 and "nothing written" in again.stdout


def test_the_plans_own_changes_since_the_build_stand(cli, built, small_plan, tmp_path
                                                     ) -> None:
    """A figure changed in the YAML after the build and left alone in the workbook
    keeps the plan's value; one the workbook changes too is refused, at its cell."""
    from helpers import edit as edit_yaml

    edit_yaml(small_plan / "finance.yaml", "2019/20: 9000", "2019/20: 9100")  # efficiency

    def edit(wb) -> None:
        wb["Finance"]["C4"] = 326000

    result = cli("import", _edited(built, tmp_path, edit), small_plan)
    assert result.code == 0, result.stdout
    text = (small_plan / "finance.yaml").read_text(encoding="utf-8")
    assert "2019/20: 9100" in text and "{income: 326000," in text
    assert "efficiency" not in result.stdout.lower()  # not set back to 9,000

    edit_yaml(small_plan / "finance.yaml", "{income: 326000,", "{income: 325500,")

    def conflict(wb) -> None:
        wb["Finance"]["C4"] = 327000

    out = _refused(cli, built, small_plan, tmp_path, conflict)
    assert out.splitlines()[0] == (
        f"{tmp_path}/edited.xlsx: Finance!C4: error[workbook-conflict]: changed in the "
        "workbook (325,000 to 327,000) and in the plan since the workbook was built (to "
        "325,500): build the workbook again and make the change there")


def test_an_unchanged_workbook_writes_nothing(cli, built: Path, small_plan: Path) -> None:
    digests = _digests(small_plan)
    result = cli("import", built, small_plan)
    assert result.code == 0
    assert result.stdout == f"no figure in {built} differs from the plan: nothing written\n"
    assert _digests(small_plan) == digests


def _refused(cli, built, small_plan, tmp_path, edit) -> str:
    digests = _digests(small_plan)
    result = cli("import", _edited(built, tmp_path, edit), small_plan)
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert _digests(small_plan) == digests  # nothing written
    return result.stdout


def test_text_in_a_number_cell(cli, built, small_plan, tmp_path) -> None:
    def edit(wb) -> None:
        wb["Finance"]["C4"] = 326000  # a good change, refused all the same
        wb["Finance"]["D5"] = "335,000"

    out = _refused(cli, built, small_plan, tmp_path, edit)
    assert out.splitlines() == [
        f"{tmp_path}/edited.xlsx: Finance!D5: error[workbook-number]: text, not a number "
        "('335,000'): type the number itself, without separators or units",
        "failed: 1 cell cannot be imported; nothing written"]


def test_rows_and_columns_not_lscplans_are_left_alone(cli, built, small_plan, tmp_path
                                                      ) -> None:
    """A row added under a table and a year column added: not lscplan's, so ignored,
    and said so, a line each; nothing else changed, nothing written."""
    def edit(wb) -> None:
        ws = wb["Activity"]
        row = ws.max_row + 1
        ws.cell(row, 1, "Walk-in centre attendances")
        ws.cell(row, 3, 1000)
        wb["Finance"]["F3"] = "2022/23"

    digests = _digests(small_plan)
    result = cli("import", _edited(built, tmp_path, edit), small_plan)
    assert result.code == 0, result.stdout + result.stderr
    row = load_workbook(built)["Activity"].max_row + 1
    lines = result.stdout.splitlines()
    assert ("edited.xlsx: Finance!F:F: warning[workbook-ignored]: column F is not "
            "lscplan's (inserted or added): its values ignored") in lines[0]
    assert (f"edited.xlsx: Activity!{row}:{row}: warning[workbook-ignored]: row {row} is "
            "not lscplan's (inserted or added): its 2 values ignored") in lines[1]
    assert "nothing written" in lines[-1]
    assert _digests(small_plan) == digests


def test_round_trip_with_an_inserted_working_row_and_column(cli, built, small_plan,
                                                            tmp_path) -> None:
    """Sheets let rows and columns be inserted: a finance team adds a working row in
    the middle of a table and a working column between two years, with their own
    figures and formulas; lscplan's figures move, its formulas move with them, and
    import finds each where it now is, writes the one figure changed and leaves the
    working row and column alone (saying so)."""
    from helpers import insert

    def edit(wb) -> None:
        activity = wb["Activity"]
        insert(wb, "Activity", row=5)  # between the first two places
        activity["A5"], activity["C5"], activity["D5"] = "Working: winter", 1234, "=C5*1.1"
        insert(wb, "Finance", col=3)  # between 2019/20 and 2020/21
        finance = wb["Finance"]
        finance["C3"] = "Working"
        finance["C4"] = "=B4*1.02"
        finance["D4"] = 326000  # income 2020/21, moved from C4 to D4 by the insert

    protected = load_workbook(built)
    for ws in protected.worksheets[:-1]:  # (not the About sheet)
        assert ws.protection.sheet and not ws.protection.insertRows
        assert not ws.protection.insertColumns  # (False: inserting is allowed)
    edited = _edited(built, tmp_path, edit)
    old_finance = (small_plan / "finance.yaml").read_text(encoding="utf-8")
    result = cli("import", edited, small_plan)
    assert result.code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any("Finance!C:C: warning[workbook-ignored]: column C is not lscplan's" in line
               for line in lines)
    assert any("warning[workbook-ignored]: row " in line and "Activity!" in line
               for line in lines)
    assert lines[-1] == f"imported 1 figure from {edited} into {small_plan}/finance.yaml"
    assert (small_plan / "finance.yaml").read_text(encoding="utf-8") == old_finance.replace(
        "2020/21: {income: 325000,", "2020/21: {income: 326000,", 1)
    assert cli("check", small_plan).code == 0


def test_changed_formula(cli, built, small_plan, tmp_path) -> None:
    def edit(wb) -> None:
        wb["Finance"]["B6"] = "=B4-B5+1000"

    out = _refused(cli, built, small_plan, tmp_path, edit)
    assert ("Finance!B6: error[workbook-formula]: the formula was changed (=B4-B5 became "
            "=B4-B5+1000)") in out


def test_a_total_that_no_longer_adds_up(cli, built, small_plan, tmp_path) -> None:
    """A baseline changed without its published total: the check under the total
    would read "differs by"; refused at that cell, nothing written."""
    def edit(wb) -> None:
        wb["Allocations"]["B4"] = 101000

    digests = _digests(small_plan)
    result = cli("import", _edited(built, tmp_path, edit), small_plan)
    assert result.code == 1
    assert ("Allocations!B7: error[workbook-total]: the total in B6 (300,000) differs by "
            "−1,000 from the sum of the organisations above (301,000)") in result.stdout
    assert "nothing written" in result.stdout
    assert _digests(small_plan) == digests


def test_figures_that_break_a_rule(cli, built, small_plan, tmp_path) -> None:
    """A baseline and its total changed together: the total adds up, but the plan would
    fail allocation-movement (the published movement no longer matches): reported
    at the YAML, nothing written."""
    def edit(wb) -> None:
        wb["Allocations"]["B4"] = 101000
        wb["Allocations"]["B6"] = 301000

    digests = _digests(small_plan)
    result = cli("import", _edited(built, tmp_path, edit), small_plan)
    assert result.code == 1
    assert f"{small_plan}/finance.yaml:" in result.stdout
    assert "error[allocation-movement]" in result.stdout
    assert "warning[" not in result.stdout  # the errors alone: warnings are for check
    assert "nothing written" in result.stderr
    assert _digests(small_plan) == digests


def test_bad_paths(cli, small_plan: Path, tmp_path: Path) -> None:
    missing = cli("import", tmp_path / "nope.xlsx", small_plan)
    assert missing.code == 2 and "no workbook at" in missing.stderr
    built_somewhere = tmp_path / "x.xlsx"
    built_somewhere.write_text("not a workbook")
    digests = _digests(small_plan)
    bad = cli("import", built_somewhere, small_plan)
    assert bad.code == 1 and "error[workbook-file]" in bad.stdout
    assert "Traceback" not in bad.stderr
    assert _digests(small_plan) == digests
    assert cli("import", built_somewhere, tmp_path / "no-plan").code == 2
    assert cli("import").code == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_saved_by_libreoffice(cli, built, small_plan, tmp_path) -> None:
    """LibreOffice opens and saves the workbook (recalculating it, writing its own
    XML): importing what it saved changes nothing and refuses nothing."""
    saved = tmp_path / "saved"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(saved),
                    str(built)], check=True, capture_output=True, timeout=180)
    digests = _digests(small_plan)
    result = cli("import", saved / WORKBOOK, small_plan)
    assert result.code == 0, result.stdout
    assert "nothing written" in result.stdout
    assert _digests(small_plan) == digests


# --- hostile and broken input (issue 24) ---------------------------------------------


@pytest.mark.parametrize(("sheet", "key", "column", "value", "said"), [
    ("Metrics", "ae-four-hour", 4, -0.05, "must be at least 0; found -5"),  # the standard
    ("Metrics", "ae-four-hour", 8, 1.25, "must be at most 100; found 125"),  # 2020/21
    # vacancies 2020/21 (a negative WTE in post would first fail the check of its
    # places against it, workbook-total)
    ("Workforce", "nursing", 4, -250, "must be at least 0; found -250"),
    ("Finance", None, "C4", -326000, "must be at least 0; found -326000"),  # income
    ("Finance", None, "C4", 326000.5, "should be a whole number, but is 326000.5"),
])
def test_a_figure_impossible_for_its_unit_is_refused_at_its_cell(
        cli, built, small_plan, tmp_path, sheet, key, column, value, said) -> None:
    """A negative percentage, one over 100, a negative count: the schemas bound them by
    their unit, and the refusal names the cell, not only the YAML."""
    def at(ws) -> int:
        if sheet == "Workforce":
            return next(r for r in range(4, ws.max_row + 1)
                        if ws.cell(r, 2).value == "Vacancies (WTE)")
        return _row(ws, key)

    def edit(wb) -> None:
        if key is None:
            wb[sheet][column] = value
        else:
            wb[sheet].cell(at(wb[sheet]), column).value = value

    out = _refused(cli, built, small_plan, tmp_path, edit)
    ws = load_workbook(built)[sheet]
    cell = column if key is None else ws.cell(at(ws), column).coordinate
    first = out.splitlines()[0]
    assert first.startswith(f"{tmp_path}/edited.xlsx: {sheet}!{cell}: error[workbook-number]: ")
    assert said in first


def test_a_file_that_cannot_be_replaced_leaves_every_file_as_it_was(
        built, small_plan, tmp_path, monkeypatch) -> None:
    """Two files change; the second cannot be replaced (os.replace fails on it): the
    first, already replaced, is put back, and no temporary file is left."""
    import os

    from lscplan.workbook_import import import_workbook

    def edit(wb) -> None:
        wb["Finance"]["C4"] = 326000
        wb["Metrics"].cell(_row(wb["Metrics"], "ae-four-hour"), 9).value = 0.915

    edited = _edited(built, tmp_path, edit)
    digests = _digests(small_plan)
    real, replaced = os.replace, []

    def replace(src, dst, *args, **kwargs):
        if Path(dst).parent == small_plan and Path(dst).name.endswith(".yaml"):
            replaced.append(Path(dst).name)
            if Path(dst).name == "metrics.yaml" and len(replaced) == 2:
                raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        import_workbook(edited, small_plan)
    assert replaced == ["finance.yaml", "metrics.yaml", "finance.yaml"]  # the last: put back
    assert _digests(small_plan) == digests
    assert not [p.name for p in small_plan.iterdir() if p.name.endswith(".tmp")]

