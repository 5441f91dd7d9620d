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
    MAX_FILE_BYTES,
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
    sheets = workbook.layout(documents.plan_on(plan, doc), doc)
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


# --- hostile and broken input (issue 24) ---------------------------------------------


@pytest.mark.parametrize(("value", "said"), [
    (1e300, "1e+300 is too large to be a figure of the plan"),
    (10**20, "100,000,000,000,000,000,000 is too large to be a figure of the plan"),
    (float("inf"), "an infinite number, not a figure"),
    (float("-inf"), "an infinite number, not a figure"),
    (float("nan"), "NaN (not a number), not a figure"),
])
def test_a_number_that_does_not_fit_is_refused_at_its_cell(small_plan: Path, value,
                                                           said: str) -> None:
    plan, sheets, wb = _built(small_plan)
    wb["Finance"]["B4"] = value
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert _rules(problems) == [("Finance!B4", "workbook-number")] and changes == []
    assert problems[0].message.startswith(said)


def test_a_record_as_built_that_does_not_fit_is_no_record(small_plan: Path) -> None:
    """An altered record as built (1E+300 as the figure as built) is not a traceback:
    the figure is compared with the plan instead."""
    plan, sheets, wb = _built(small_plan)
    hidden = wb[workbook.ABOUT_SHEET]
    row = next(r for r in range(1, hidden.max_row + 1)
               if (hidden.cell(r, 1).value, hidden.cell(r, 2).value) == ("Finance", "B4"))
    hidden.cell(row, 3).value = 1e300
    wb["Finance"]["B4"] = 316000
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert problems == [] and [(c.cell, c.new) for c in changes] == [("B4", 316000)]


def _xlsx(small_plan: Path) -> bytes:
    plan = check(small_plan).plan
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    return workbook.write(workbook.layout(documents.plan_on(plan, doc), doc), doc.title,
                          plan.system.author, doc.date)


def _sheet_part(data: bytes, name: str) -> str:
    """The zip entry of the sheet ``name`` (as openpyxl finds it)."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return wb[name]._worksheet_path.lstrip("/")


def _rezipped(data: bytes, path: Path, change: dict, add: dict | None = None) -> Path:
    """The workbook ``data`` with entries changed (name -> function of its text) or
    added, written to ``path``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in change:
                body = change[info.filename](body.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    path.write_bytes(out.getvalue())
    return path


def _cell_value(cell: str, value: str, kind: str | None = None):
    import re

    def change(xml: str) -> str:
        pattern = re.compile(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)', re.S)
        assert pattern.search(xml), cell
        t = f' t="{kind}"' if kind else ""

        def cell_xml(m: re.Match) -> str:
            attrs = re.sub(r' t="[^"]*"', "", m.group(1))
            return f'<c r="{cell}"{attrs}{t}><v>{value}</v></c>'
        return pattern.sub(cell_xml, xml, count=1)
    return change


@pytest.mark.parametrize("stored", ["NaN", "inf", "-Infinity", "1.#IND", "9" * 5000])
def test_a_cell_openpyxl_cannot_read_is_refused_alone(small_plan: Path, tmp_path: Path,
                                                      stored: str) -> None:
    """A NaN (or infinity, or digits past what Python reads) stored in a number cell
    makes openpyxl refuse the whole file: it is refused at its cell instead."""
    data = _xlsx(small_plan)
    path = _rezipped(data, tmp_path / "nan.xlsx",
                     {_sheet_part(data, "Finance"): _cell_value("C4", stored)})
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    assert _rules(refused.value.report.diagnostics) == [("Finance!C4", "workbook-number")]
    assert "not a number a spreadsheet holds" in refused.value.report.diagnostics[0].message


def test_a_stored_1e400_is_refused_at_its_cell(small_plan: Path, tmp_path: Path) -> None:
    """1E+400 reads as infinity: the figure is refused, not a traceback."""
    data = _xlsx(small_plan)
    path = _rezipped(data, tmp_path / "big.xlsx",
                     {_sheet_part(data, "Finance"): _cell_value("C4", "1E+400")})
    plan = check(small_plan).plan
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    problems, _ = compare(workbook.layout(documents.plan_on(plan, doc), doc), _open(path),
                          "big.xlsx", plan.period.years)
    assert _rules(problems) == [("Finance!C4", "workbook-number")]


@pytest.mark.parametrize(("shape", "said"), [
    ("deep", "a cell past the 5,000 rows and 64 columns"),
    ("wide", "the workbook holds more than 100,000 cells"),
])
def test_millions_of_tiny_cells_are_refused_at_the_bound(small_plan: Path, tmp_path: Path,
                                                         shape: str, said: str) -> None:
    """A million cells within the size limits (300,000 rows of four, or as many rows
    of 60 as a sheet may have): reading stops at the first cell past a bound, refused
    there (not 112 s and 3.7 GB)."""
    import resource

    from openpyxl.utils.cell import get_column_letter

    data = _xlsx(small_plan)
    part = _sheet_part(data, "Activity")
    rows, columns = (range(100, 300_100), "ABCD") if shape == "deep" else (
        range(100, 4_900), [get_column_letter(c) for c in range(1, 61)])
    flood = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in columns)
                    + "</row>" for r in rows)

    def flooded(xml: str) -> str:
        return xml.replace("</sheetData>", flood + "</sheetData>")

    path = _rezipped(data, tmp_path / "flood.xlsx", {part: flooded})
    assert path.stat().st_size < MAX_FILE_BYTES
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-size" and problem.message.startswith(said)
    assert problem.location.pointer.startswith("Activity!")
    assert grown < 100 * 1024  # KiB: the flood is never held in memory


def test_a_cell_far_away_in_the_about_sheet_is_refused_before_reading(
        small_plan: Path, tmp_path: Path) -> None:
    """One value at XFD1048576 of the About sheet would make the reader walk
    seventeen billion cells: refused at that cell, before openpyxl reads the file."""
    data = _xlsx(small_plan)
    part = _sheet_part(data, workbook.ABOUT_SHEET)

    def far(xml: str) -> str:
        return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="n">'
                           "<v>1</v></c></row></sheetData>")

    path = _rezipped(data, tmp_path / "far.xlsx", {part: far})
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    assert _rules(refused.value.report.diagnostics) == [
        (f"{workbook.ABOUT_SHEET}!XFD1048576", "workbook-size")]


def test_too_many_sheets_and_strings_are_refused_whole(small_plan: Path, tmp_path: Path
                                                       ) -> None:
    from lscplan.workbook_import import MAX_SHEETS, MAX_STRINGS

    _plan, _sheets, wb = _built(small_plan)
    for n in range(MAX_SHEETS):
        wb.create_sheet(f"Extra {n}")
    wb.save(tmp_path / "sheets.xlsx")
    with pytest.raises(WorkbookInvalid) as refused:
        _open(tmp_path / "sheets.xlsx")
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-size" and f"more than {MAX_SHEETS} sheets" in problem.message

    data = _xlsx(small_plan)
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + "<si><t>x</t></si>" * (MAX_STRINGS + 1) + "</sst>")
    # (XlsxWriter writes a shared-strings part: replaced by the flood)
    path = _rezipped(data, tmp_path / "strings.xlsx",
                     {"xl/sharedStrings.xml": lambda _text: strings})
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-size" and "different texts" in problem.message


def test_a_doctype_is_refused(small_plan: Path, tmp_path: Path) -> None:
    data = _xlsx(small_plan)
    part = _sheet_part(data, "Finance")

    def laughs(xml: str) -> str:
        head = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
                '&a;&a;&a;">]>')
        return xml.replace("?>", "?>" + head, 1) if xml.startswith("<?xml") else head + xml

    path = _rezipped(data, tmp_path / "laughs.xlsx", {part: laughs})
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-file" and "DOCTYPE" in problem.message


@pytest.mark.parametrize("how", ["vba", "content-type"])
def test_a_macro_enabled_workbook_is_refused(small_plan: Path, tmp_path: Path, how: str
                                             ) -> None:
    """.xlsm content renamed .xlsx: refused, saying what it is."""
    data = _xlsx(small_plan)
    if how == "vba":
        path = _rezipped(data, tmp_path / "macros.xlsx", {},
                         {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    else:
        def macro_type(xml: str) -> str:
            return xml.replace(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml")

        path = _rezipped(data, tmp_path / "macros.xlsx", {"[Content_Types].xml": macro_type})
    with pytest.raises(WorkbookInvalid) as refused:
        _open(path)
    (problem,) = refused.value.report.diagnostics
    assert problem.rule == "workbook-file"
    assert problem.message.startswith("a macro-enabled workbook (.xlsm content:")
    assert ("xl/vbaProject.bin" if how == "vba" else "macroEnabled") in problem.message
    assert problem.location.file == "macros.xlsx"


def test_actuals_round_trip(small_plan: Path, tmp_path: Path) -> None:
    """The Actuals sheet: a row per period of each series; a numerator, a denominator
    or a plain value typed over is written into actuals.yaml, the ratio's value (a
    formula) left alone; a percentage over 100 is refused by the check."""
    plan, sheets, wb = _built(small_plan)
    ws = wb["Actuals"]
    rows = {(ws.cell(r, 8).value, ws.cell(r, 3).value): r for r in range(4, ws.max_row + 1)}
    north = rows["ae-four-hour/north-place", "2019-09"]
    assert ws.cell(north, 4).value == f"={100:g}*E{north}/F{north}"
    assert ws.cell(north, 5).value == 4140 and ws.cell(north, 6).value == 4752
    amb = rows["ambulance-response", "2019/20 Q2"]
    assert ws.cell(amb, 4).value == 29.8 and ws.cell(amb, 5).value is None
    assert ("ae-four-hour", "2019-09") not in rows  # the system's is summed, not written
    ws.cell(north, 5).value = 4200
    ws.cell(amb, 4).value = 28.9
    problems, changes = compare(sheets, wb, "x.xlsx", plan.period.years)
    assert problems == []
    assert [(c.target.path, c.new) for c in changes] == [
        (("actuals", "0", "numerator", "2019-09"), 4200),
        (("actuals", "2", "values", "2019/20 Q2"), 28.9)]
    book = tmp_path / "edited.xlsx"
    wb.save(book)
    imported = import_workbook(book, small_plan)
    assert imported.written == ["actuals.yaml"]
    text = (small_plan / "actuals.yaml").read_text(encoding="utf-8")
    assert '      "2019-09": 4200\n' in text and '      "2019/20 Q2": 28.9\n' in text
    plan, sheets, wb = _built(small_plan)  # a workbook of the plan as it now stands
    wb["Actuals"].cell(north, 5).value = 5000  # more seen within four hours than attended
    wb.save(book)
    with pytest.raises(WorkbookInvalid) as refused:  # at its cell, with the check's rule
        import_workbook(book, small_plan)
    (found,) = refused.value.report.errors
    assert found.location.pointer == f"Actuals!E{north}"
    assert "actuals-value" in found.message and "a percentage is from 0 to 100" in found.message


def test_a_standards_own_provenance_round_trips(small_plan: Path, tmp_path: Path) -> None:
    """A national standard whose value carries its own provenance: the Provenance
    column names each part's, the cell is shaded by its value's, and a new value is
    written inside ``{value, provenance}``, which stays; a standard given by ``change``
    is a formula over the baseline, so a number typed over it is refused at its cell."""
    path = small_plan / "metrics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - kind: national\n        value: 95\n",
                                 "      - kind: national\n"
                                 "        value: {value: 95, provenance: illustrative}\n", 1),
                    encoding="utf-8")
    _plan, sheets, wb = _built(small_plan)
    ws = wb["Metrics"]
    assert ws["L4"].value == ("values: illustrative; baseline: illustrative; standard value: "
                              "illustrative; standard wording: Briefing to the Example Health "
                              "Overview and Scrutiny Committee (early 2019), example-briefing")
    metrics = next(s for s in sheets if s.name == "Metrics")
    [standard] = [c for (r, col), c in metrics.figures() if (r, col) == (4, 4)]
    assert standard.illustrative
    ws["D4"].value = 0.96
    book = tmp_path / "edited.xlsx"
    wb.save(book)
    imported = import_workbook(book, small_plan)
    assert imported.written == ["metrics.yaml"]
    assert "value: {value: 96, provenance: illustrative}" in path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - kind: national\n        value: 95\n",
                                 "      - kind: national\n        change: +11.8%\n", 1),
                    encoding="utf-8")
    _plan, sheets, wb = _built(small_plan)
    ws = wb["Metrics"]
    assert ws["D4"].value == "=ROUND(F4*(1+11.8/100),6)"
    ws["D4"].value = 0.96
    wb.save(book)
    with pytest.raises(WorkbookInvalid) as refused:
        import_workbook(book, small_plan)
    [problem] = refused.value.report.errors
    assert (problem.rule, problem.location.pointer) == ("workbook-formula", "Metrics!D4")
    assert problem.message == (
        "a calculated cell (=ROUND(F4*(1+11.8/100),6)) holds 0.96 instead: the standard is "
        "11.8% above the 2018/19 baseline: change the baseline here, or the standard's "
        "`change` in metrics.yaml")
