"""Reading a workbook back (``lscplan.workbook_import``): the comparison with the
workbook lscplan writes, the refusals with their cells, and the YAML rewritten only
where a number changed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lscplan import documents, workbook
from lscplan.errors import WorkbookInvalid
from lscplan.pipeline import check
from lscplan.workbook_import import (
    MAX_UNPACKED_BYTES,
    _open,
    _scalar_text,
    _yaml_number,
    compare,
    import_workbook,
    rewrite,
)


def _built(plan_dir: Path):
    plan = check(plan_dir).plan
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    sheets = workbook.layout(plan, doc)
    data = workbook.write(sheets, doc.title, plan.system.author, doc.date)
    return plan, sheets, load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("which", ["small_plan", "bundled_plan"])
def test_an_unedited_workbook_changes_nothing(which, request) -> None:
    plan, sheets, wb = _built(request.getfixturevalue(which))
    assert compare(sheets, wb, "x.xlsx", plan.period.years) == ([], [])


def _rules(problems) -> list[tuple[str, str]]:
    return [(p.location.pointer, p.rule) for p in problems]


def test_refusals_name_sheet_and_cell(small_plan: Path) -> None:
    plan, sheets, wb = _built(small_plan)
    wb["Finance"]["B4"] = "316,000"  # text in a number cell
    wb["Finance"]["C4"] = None  # a figure emptied
    wb["Finance"]["D5"] = "=C5*1.01"  # a formula where a figure is wanted
    wb["Finance"]["B6"] = "=B4-B5+1"  # a changed formula
    wb["Finance"]["C6"] = 5  # a formula overwritten
    wb["Finance"]["F3"] = "2022/23"  # a year it does not know
    wb["Finance"]["A1"] = "Our trajectory"  # a label
    last = wb["Activity"].max_row
    wb["Activity"].cell(last + 1, 1, "Walk-in centre")  # a row it does not know
    wb["Allocations"]["I4"] = "someone-else-ccg"  # an id changed
    wb.create_sheet("Notes")["A1"] = "my notes"
    ignored: list = []
    problems, _changes = compare(sheets, wb, "x.xlsx", plan.period.years, ignored)
    assert _rules(problems) == [
        ("Allocations!I4", "workbook-unknown"),
        ("Finance!A1", "workbook-text"),
        ("Finance!B4", "workbook-number"),
        ("Finance!C4", "workbook-number"),
        ("Finance!D5", "workbook-number"),
        ("Finance!B6", "workbook-formula"),
        ("Finance!C6", "workbook-formula"),
    ]
    # what is not lscplan's is left alone, and said: a sheet, a column, a row
    assert _rules(ignored) == [
        ("Notes!A1", "workbook-ignored"),
        ("Finance!F:F", "workbook-ignored"),
        (f"Activity!{last + 1}:{last + 1}", "workbook-ignored"),
    ]
    said = {p.location.pointer: p.message for p in problems}
    assert said["Finance!B4"].startswith("text, not a number ('316,000')")
    assert "=B4-B5 became =B4-B5+1" in said["Finance!B6"]
    assert problems[0].location.file == "x.xlsx"


def test_lscplans_cells_are_found_where_inserted_rows_and_columns_moved_them(
        small_plan: Path) -> None:
    """Rows and columns inserted (formulas moved with them, as a spreadsheet does):
    lscplan's figures, formulas and checks are compared where they now are; a figure
    changed is reported at its new cell; a row of lscplan's deleted is refused."""
    from helpers import insert

    plan, sheets, wb = _built(small_plan)
    insert(wb, "Workforce", row=5)  # inside the staff groups' rows
    insert(wb, "Workforce", col=4)  # between the first two years
    ws = wb["Workforce"]
    ws["D3"], ws["D4"], ws["A5"], ws["C5"] = "My working", "=C4*2", "Working row", 7
    ignored: list = []
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years, ignored)
    assert problems == [] and changes == []
    assert _rules(ignored) == [("Workforce!5:5", "workbook-ignored"),
                               ("Workforce!D:D", "workbook-ignored")]
    ws["E4"] = ws["E4"].value + 10  # 2020/21 of the first group, moved from D4
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert [(c.sheet, c.cell, c.target.path[-1]) for c in changes] == [
        ("Workforce", "E4", "2020/21")]
    assert _rules(problems)  # its places no longer add up: the check says so
    assert {rule for _, rule in _rules(problems)} == {"workbook-total"}
    _plan, _sheets, wb = _built(small_plan)
    wb["Workforce"].delete_rows(6)  # a row of lscplan's gone: refused, at its place
    problems, _ = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert ("Workforce!A6", "workbook-unknown") in _rules(problems)
    assert "lscplan's row 6 is missing" in problems[0].message


def test_a_value_far_away_is_one_cell(small_plan: Path) -> None:
    """A value typed at the sheet's last cell is one column left alone, not a walk
    over seventeen billion empty cells."""
    plan, sheets, wb = _built(small_plan)
    wb["Finance"]["XFD1048576"] = 1
    ignored: list = []
    problems, _ = compare(sheets, wb, "x.xlsx", plan.period.years, ignored)
    assert problems == []
    assert _rules(ignored) == [("Finance!XFD:XFD", "workbook-ignored")]


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNPACKED_BYTES + 1))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(WorkbookInvalid) as refused:
        _open(bomb)
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-file" and "too large" in problem.message


def test_changes_are_figures_in_yaml_units(small_plan: Path) -> None:
    plan, sheets, wb = _built(small_plan)
    wb["Finance"]["B4"] = 316000
    metrics = wb["Metrics"]
    row = next(r for r in range(4, metrics.max_row + 1)
               if metrics.cell(r, metrics.max_column).value == "ae-four-hour")
    metrics.cell(row, 8).value = 0.875  # 87.5%, the second year
    formulas_kept = wb["Finance"]["B6"].value
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert problems == [] and formulas_kept == "=B4-B5"
    assert [(c.sheet, c.cell, c.target.file, c.target.path, c.old, c.new) for c in changes
            ] == [("Finance", "B4", "finance.yaml", ("trajectory", "years", "2019/20", "income"),
                   315000, 316000),
                  ("Metrics", f"H{row}", "metrics.yaml", ("metrics", "0", "values", "2020/21"),
                   plan.metric("ae-four-hour").values.values["2020/21"], 87.5)]


def test_numbers_convert_exactly() -> None:
    pct = workbook.Target("m.yaml", (), workbook.Decimal("0.01"))
    one = workbook.Target("m.yaml", ())
    assert _yaml_number(0.865, pct, 86.0) == 86.5
    assert _yaml_number(0.92, pct, 92) == 92 and isinstance(_yaml_number(0.92, pct, 92), int)
    assert _yaml_number(0.57, pct, 50.0) == 57.0  # 0.57 * 100 is 56.99999999999999
    assert _yaml_number(1200.0, one, 1000) == 1200
    assert _yaml_number(1200.5, one, 1000) == 1200.5
    assert _scalar_text(1e-05) == "0.00001" and _scalar_text(92.0) == "92.0"
    assert _scalar_text(-1500) == "-1500"


def test_rewrite_changes_only_the_numbers() -> None:
    text = ("# a comment\n"
            "trajectory:\n"
            "  provenance: illustrative  # kept\n"
            "  years:\n"
            "    2019/20: {income: 315000, expenditure: 327000}\n"
            "metrics:\n"
            "  - id: a\n"
            "    values: {2019/20: 86.0,   2020/21: 88.0}  # spaced as it was\n")
    new = rewrite(text, [(("trajectory", "years", "2019/20", "income"), 316000),
                         (("metrics", "0", "values", "2020/21"), 87.5)])
    assert new == text.replace("315000", "316000").replace("88.0}", "87.5}")
    with pytest.raises(LookupError):
        rewrite(text, [(("metrics", "1", "values", "2019/20"), 1)])


def test_a_failure_while_writing_changes_no_file(small_plan: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Two files change; writing the second fails: neither is changed, nothing is left."""
    from lscplan import files
    from lscplan.workbook_import import import_workbook

    _plan, _sheets, wb = _built(small_plan)
    wb["Finance"]["B4"] = 316000
    metrics = wb["Metrics"]
    row = next(r for r in range(4, metrics.max_row + 1)
               if metrics.cell(r, metrics.max_column).value == "ae-four-hour")
    metrics.cell(row, 8).value = 0.875
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    before = {p: p.read_bytes() for p in small_plan.rglob("*.yaml")}
    real, calls = files.Staging.write, []

    def failing(self, name: str, data: bytes) -> None:
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(self, name, data)

    monkeypatch.setattr(files.Staging, "write", failing)
    with pytest.raises(OSError):
        import_workbook(path, small_plan)
    assert calls == ["finance.yaml", "metrics.yaml"]
    assert {p: p.read_bytes() for p in small_plan.rglob("*.yaml")} == before
    assert not list(small_plan.glob(".*.tmp"))
    monkeypatch.setattr(files.Staging, "write", real)
    imported = import_workbook(path, small_plan)
    assert imported.written == ["finance.yaml", "metrics.yaml"]


def test_workforce_by_place_and_staffing_type_round_trip(small_plan: Path, tmp_path: Path
                                                         ) -> None:
    """The per-place and staffing-type rows are figures like any other: moving 50 WTE
    from one place to the other and from agency to bank is written into the YAML, the
    checks (formulas) left alone; a change that breaks the sum is refused at the check
    that says so ("differs by")."""
    plan, sheets, wb = _built(small_plan)
    ws = wb["Workforce"]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(4, ws.max_row + 1)}
    title = "Registered nurses and midwives"
    north, south = (rows[title, f"WTE in post, {p} Place"] for p in ("North", "South"))
    bank, agency = (rows[title, f"WTE in post, {t}"] for t in ("Bank", "Agency"))
    checked = rows[title, "Check: WTE in post against the sum of the places"]
    assert f"-SUM(C{north}:C{south})" in ws.cell(checked, 3).value
    ws.cell(north, 4).value, ws.cell(south, 4).value = 1900, 1200  # 2020/21
    ws.cell(bank, 5).value, ws.cell(agency, 5).value = 220, 40  # 2021/22
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert problems == []
    assert [(c.target.path, c.new) for c in changes] == [
        (("staff_groups", "0", "by_place", "north-place", "2020/21"), 1900),
        (("staff_groups", "0", "by_place", "south-place", "2020/21"), 1200),
        (("staff_groups", "0", "by_type", "bank", "2021/22"), 220),
        (("staff_groups", "0", "by_type", "agency", "2021/22"), 40)]
    book = tmp_path / "edited.xlsx"
    wb.save(book)
    imported = import_workbook(book, small_plan)
    assert imported.written == ["workforce.yaml"]
    text = (small_plan / "workforce.yaml").read_text(encoding="utf-8")
    assert "north-place: {2019/20: 1800, 2020/21: 1900, 2021/22: 1900}" in text
    assert "agency: {2019/20: 100, 2020/21: 80, 2021/22: 40}" in text
    ws.cell(north, 3).value = 1801  # 2019/20: the places no longer add up
    wb.save(book)
    with pytest.raises(WorkbookInvalid) as refused:
        import_workbook(book, small_plan)
    [problem] = refused.value.report.errors
    assert (problem.rule, problem.location.pointer) == ("workbook-total",
                                                        f"Workforce!C{checked}")
    assert problem.message.startswith(f"the total in C{rows[title, 'WTE in post']} "
                                      "(3,000) differs by −1 from the sum of the places (3,001)")


def test_a_workbook_built_before_the_about_sheet_still_says_what_was_built() -> None:
    """Workbooks built before the About sheet kept the figures as built in a very
    hidden sheet, ``lscplan``: import still reads them there."""
    from openpyxl import Workbook

    wb = Workbook()
    old = wb.create_sheet(workbook.OLD_BUILT_SHEET)
    old.sheet_state = "veryHidden"
    old.append(list(workbook.BUILT_HEADINGS))
    old.append(["Finance", "B4", 316000])
    assert workbook.built_figures(wb) == {("Finance", "B4"): 316000}
    old.append(["Finance", "B5", "316,000"])  # altered: the record is not trusted
    assert workbook.built_figures(wb) == {}
