"""The workbook (``lscplan.workbook``): its sheets, figures as numbers with number
formats, formulas that give the model's values, illustrative figures marked, defined
names, the cover, and the same bytes from the same sources."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers import edit, evaluate
from openpyxl import load_workbook

from lscplan import documents, kinds, workbook
from lscplan.model import ILLUSTRATIVE
from lscplan.pipeline import check

SHEETS = ["Cover", "Allocations", "Finance", "Efficiency", "Activity", "Workforce",
          "Metrics", "Actuals"]


def _plan(plan_dir: Path):
    checked = check(plan_dir)
    assert checked.plan is not None and checked.report.ok(), checked.report
    return checked.plan


def _submission(plan):
    return next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)


def _book(plan_dir: Path):
    plan = _plan(plan_dir)
    doc = _submission(plan)
    sheets = workbook.layout(documents.plan_on(plan, doc), doc)
    data = workbook.write(sheets, doc.title, plan.system.author, doc.date)
    return plan, doc, sheets, data, load_workbook(io.BytesIO(data))


def _close(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str) or isinstance(a, bool):
        return a == b
    return abs(a - b) <= 1e-9 * max(1, abs(b))


@pytest.mark.parametrize("which", ["small_plan", "bundled_plan"])
def test_every_formula_gives_the_models_value(which, request) -> None:
    """Totals, movements and percentages are formulas; computed over the figures as
    written (fractions for percentages), each equals the model's own derived figure."""
    plan_dir = request.getfixturevalue(which)
    _p, _doc, sheets, _data, wb = _book(plan_dir)
    count = 0
    for sheet in sheets:
        for (row, col), cell in sheet.cells.items():
            if isinstance(cell, workbook.Formula):
                written = wb[sheet.name].cell(row, col).value
                assert written == cell.formula
                value = evaluate(wb, sheet.name, written)
                assert _close(value, cell.expected), (sheet.name, row, col, written)
                count += 1
    assert count > 20


@pytest.mark.parametrize("which", ["small_plan", "bundled_plan"])
def test_every_formula_is_saved_with_its_value(which, request) -> None:
    """A reader that does not calculate (openpyxl's ``data_only``, pandas, a viewer)
    reads every formula's value: the model's figure, and what the formula gives."""
    plan_dir = request.getfixturevalue(which)
    _p, _doc, sheets, data, wb = _book(plan_dir)
    values = load_workbook(io.BytesIO(data), data_only=True)
    count = 0
    for sheet in sheets:
        for (row, col), cell in sheet.cells.items():
            if isinstance(cell, workbook.Formula):
                got = values[sheet.name].cell(row, col).value
                where = (sheet.name, workbook.ref(row, col), cell.formula, got)
                if cell.expected == "":
                    assert got in ("", None), where
                    continue
                assert got is not None, where
                assert _close(got, cell.expected), where
                assert _close(got, evaluate(wb, sheet.name, cell.formula)), where
                if isinstance(got, float):  # as a spreadsheet keeps it: 15 digits
                    assert got == float(f"{got:.15g}"), where
                count += 1
    assert count > 20


def test_formulas_against_the_model_itself(small_plan: Path) -> None:
    """Spot checks that the expected values are the model's, not the layout's own."""
    plan, _doc, _sheets, _data, wb = _book(small_plan)
    fin = wb["Finance"]
    traj = plan.finance.trajectory
    assert [evaluate(wb, "Finance", fin.cell(6, 2 + i).value) for i in range(3)] == [
        y.surplus for y in traj.years] == [-12000, -5000, 0]
    eff = wb["Efficiency"]
    assert evaluate(wb, "Efficiency", eff["B6"].value) == pytest.approx(
        plan.finance.efficiency_percent("2019/20") / 100)
    alloc = wb["Allocations"]
    last = alloc.max_row
    assert alloc.cell(last, 1).value.startswith("Check: the total against the sum of the 2")
    assert evaluate(wb, "Allocations", alloc.cell(last, 2).value) == "agrees"
    alloc.cell(last - 2, 2).value += 1500  # a place's figure changed: the total is stale
    assert evaluate(wb, "Allocations", alloc.cell(last, 2).value) == "differs by -1,500"
    metrics = wb["Metrics"]
    headers = [c.value for c in metrics[3]]
    change = headers.index("Change from baseline") + 1
    ae = plan.metric("ae-four-hour")
    row = next(r for r in range(4, metrics.max_row + 1)
               if metrics.cell(r, len(headers)).value == "ae-four-hour")
    assert evaluate(wb, "Metrics", metrics.cell(row, change).value) == pytest.approx(ae.change)


def test_figures_are_numbers_with_formats_and_provenance(bundled_plan: Path) -> None:
    _p, _doc, sheets, _data, wb = _book(bundled_plan)
    figures = 0
    for sheet in sheets:
        ws = wb[sheet.name]
        for (row, col), cell in sheet.figures():
            xc = ws.cell(row, col)
            assert isinstance(xc.value, int | float) and not isinstance(xc.value, bool)
            assert xc.number_format == cell.fmt != "General"
            assert xc.protection.locked is False  # the only cells one can edit
            shaded = xc.fill.fgColor.rgb.endswith("FFF2CC")
            assert shaded == cell.illustrative
            figures += 1
    assert figures > 400
    # no figure is text anywhere: every number-looking string is a label or an id
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=4):
            for xc in row:
                if isinstance(xc.value, str) and not xc.value.startswith("="):
                    assert not xc.value.replace(",", "").replace(".", "").isdigit()
    # percentages are stored as fractions: the A&E standard of 95% is 0.95
    metrics = wb["Metrics"]
    row = next(r for r in range(4, metrics.max_row + 1)
               if metrics.cell(r, metrics.max_column).value == "ae-four-hour")
    assert metrics.cell(row, 4).value == 0.95 and metrics.cell(row, 4).number_format == "0.0%"
    # the provenance column: illustrative rows say so; the allocations cite their source
    alloc = wb["Allocations"]
    assert alloc["H4"].value == "hosc-briefing-2019"
    assert "hosc-briefing-2019" in alloc["A2"].value
    assert wb["Finance"]["G4"].value == ILLUSTRATIVE
    assert workbook.ILLUSTRATIVE_NOTE in wb["Finance"]["A2"].value


def test_sheets_headers_names_and_cover(bundled_plan: Path) -> None:
    plan, doc, sheets, _data, wb = _book(bundled_plan)
    assert wb.sheetnames == [*SHEETS, workbook.ABOUT_SHEET]
    # the figures as built (for import to tell whose change), on a sheet one can see
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    assert workbook.built_figures(wb) == {
        (s.name, workbook.ref(*pos)): c.cell_value for s in sheets for pos, c in s.figures()}
    years = list(plan.period.years)
    finance = wb["Finance"]
    assert [c.value for c in finance[3]] == ["Measure", *years, "Provenance"]
    assert finance.freeze_panes == "B4"
    for name in SHEETS[1:]:
        assert wb[name].freeze_panes is not None and wb[name].freeze_panes.endswith("4")
    names = set(wb.defined_names)
    assert {"AllocationsTable", "FinancialTrajectory", "EfficiencySavings",
            "ActivityByPlace", "WorkforceInPost", "WorkforceVacancies",
            "MetricsPlan", "Actuals"} <= names
    assert wb.defined_names["FinancialTrajectory"].attr_text == "'Finance'!$A$3:$G$6"
    cover = {row[0].value: row[1].value for row in wb["Cover"].iter_rows(max_col=2)
             if row[0].value}
    assert wb["Cover"]["A1"].value == doc.title == "ICS Strategic Plan 2019/20 to 2023/24"
    assert cover["Version"] == plan.system.version
    assert cover["Status"] == "Draft"
    assert cover["Date"].date().isoformat() == plan.system.date
    assert cover["Draft"] == "Contains illustrative figures"
    assert "are illustrative" in cover["Illustrative figures"]
    # activity: a row per place, the published system total, its check
    activity = wb["Activity"]
    place_ids = [activity.cell(r, activity.max_column).value
                 for r in range(4, 4 + len(plan.activity[0].by_icp) + 2)]
    assert place_ids == [*plan.activity[0].by_icp, "system", None]


def test_no_total_is_held_twice(bundled_plan: Path, small_plan: Path) -> None:
    """One total per table: a published total is not repeated as a sum beside it but
    checked against its parts, a cell that reads "agrees" (or "differs by ...")."""
    for plan_dir in (bundled_plan, small_plan):
        plan, _doc, sheets, data, wb = _book(plan_dir)
        values = load_workbook(io.BytesIO(data), data_only=True)
        checks = 0
        for sheet in sheets:
            totals: dict[tuple[str, str], int] = {}
            for (row, col), cell in sheet.cells.items():
                if isinstance(cell, workbook.Text) and cell.style == "total" and col == 1:
                    measure = sheet.cells.get((row, 2))
                    key = (cell.value, measure.value.split(" (")[0]
                           if isinstance(measure, workbook.Text) else "")
                    totals[key] = totals.get(key, 0) + 1
                if isinstance(cell, workbook.Check):
                    assert values[sheet.name].cell(row, col).value == "agrees"
                    checks += 1
            assert all(n == 1 for n in totals.values()), (sheet.name, totals)
        published = sum(1 for p in plan.activity if p.published_system is not None)
        assert checks >= published + (plan.workforce.published_total is not None) > 0
        labels = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        if plan.workforce.published_total is not None:
            assert "WTE in post (sum of the staff groups)" not in labels
        assert not any(isinstance(v, str) and v.startswith("Sum of the") for v in labels)


def test_the_about_sheet_says_what_import_reads(bundled_plan: Path) -> None:
    """No very hidden sheet: what import needs is on a visible, protected sheet that
    says in plain words what it is; the cover is not a manual (no command on it)."""
    _p, _doc, sheets, _data, wb = _book(bundled_plan)
    about = wb[workbook.ABOUT_SHEET]
    assert about.sheet_state == "visible" and about.protection.sheet
    text = " ".join(str(c.value) for row in about.iter_rows(max_row=12) for c in row
                    if c.value is not None)
    assert "lscplan import ltp-submission.xlsx PLAN_DIR" in text
    assert "Every figure as it was when the workbook was built" in text
    figures = sum(1 for s in sheets for _ in s.figures())
    assert len(workbook.built_figures(wb)) == figures > 400
    cover = " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row
                     if c.value is not None)
    assert "lscplan import" not in cover and workbook.ABOUT_SHEET in cover


def test_the_plan_as_of_its_date(bundled_plan: Path) -> None:
    """Like the documents, the workbook leaves out what cites a later source."""
    plan, _doc, _sheets, _data, wb = _book(bundled_plan)
    later = plan.later_sources(plan.system.date)
    assert later
    sources = [wb["Cover"].cell(r, 1).value for r in range(1, wb["Cover"].max_row + 1)]
    assert not later & set(sources)


def test_same_sources_same_bytes(cli_process, cli, small_plan: Path, tmp_path: Path) -> None:
    """Two builds a while apart (new processes: their own hash seeds) write the same
    workbook: the plan's date is the date inside it and on every zip entry; a figure
    changed changes it."""
    one, two = tmp_path / "one", tmp_path / "two"
    assert cli_process("build", small_plan, "--out", one, "--no-pdf", "-q").code == 0
    assert cli_process("build", small_plan, "--out", two, "--no-pdf", "-q").code == 0
    first = (one / "ltp-submission.xlsx").read_bytes()
    assert first == (two / "ltp-submission.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2019, 11, 15, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2019-11-15T00:00:00Z" in core and core.count("2019-11-15T00:00:00Z") == 2
    edit(small_plan / "finance.yaml", "2019/20: 9000", "2019/20: 9100")
    assert cli("build", small_plan, "--out", two, "--no-pdf", "-q").code == 0
    assert (two / "ltp-submission.xlsx").read_bytes() != first


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_computes_the_same_values(small_plan: Path, tmp_path: Path) -> None:
    """A spreadsheet application (LibreOffice, headless) opens the workbook and its
    formulas give the model's figures."""
    _p, _doc, sheets, data, _wb = _book(small_plan)
    source = tmp_path / "in" / "ltp-submission.xlsx"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                    str(source)], check=True, capture_output=True, timeout=180)
    values = load_workbook(out / "ltp-submission.xlsx", data_only=True)
    for sheet in sheets:
        for (row, col), cell in sheet.cells.items():
            if isinstance(cell, workbook.Formula):
                got = values[sheet.name].cell(row, col).value
                expected = cell.expected
                if expected == "":
                    assert got in ("", None)
                else:
                    assert _close(got, expected), (sheet.name, row, col, got, expected)


def test_the_actuals_sheet_holds_the_real_ae_months(bundled_plan: Path) -> None:
    """A row per month of each place's A&E series: numerator and denominator as
    NHS England published them, the four-hour percentage a formula over them."""
    plan, _doc, _sheets, _data, wb = _book(bundled_plan)
    ws = wb["Actuals"]
    # the place column headed in the plan's own word (the default term's short form)
    assert [c.value for c in ws[3]] == ["Series", "ICP", "Period", "Value", "Numerator",
                                        "Denominator", "Provenance", "Id"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == 4 * 36
    first = rows[0]
    series = next(s for s in plan.actuals.series if s.place == "central-lancashire")
    assert first[1:3] == ("Central Lancashire", "2016-04")
    assert first[4:6] == (series.numerator["2016-04"], series.denominator["2016-04"])
    assert first[3] == "=100*E4/F4" and first[6] == "nhse-ae-statistics"
    assert "NHS England, A&E Attendances and Emergency Admissions" in ws["A2"].value


def test_no_actuals_sheet_without_actuals(small_plan: Path) -> None:
    (small_plan / "actuals.yaml").unlink()
    assert "Actuals" not in _book(small_plan)[4].sheetnames


def test_metrics_provenance_is_in_each_row(bundled_plan: Path) -> None:
    """The Metrics sheet's rows differ in provenance: the note under the title names
    no one source for them all but counts the illustrative rows, and each row names
    its own source, in full, in its Provenance column."""
    plan, _doc, _sheets, _data, wb = _book(bundled_plan)
    metrics = wb["Metrics"]
    note = metrics["A2"].value
    assert not note.startswith("Sources:")
    rows = {r for r in range(4, metrics.max_row + 1) if metrics.cell(r, 6).value is not None}
    shaded = {r for r in rows
              if all(metrics.cell(r, c).fill.fgColor.rgb.endswith("FFF2CC")
                     for c in range(4, metrics.max_column - 3)
                     if isinstance(metrics.cell(r, c).value, int | float))}
    assert f"{len(shaded)} of the {len(rows)} rows are illustrative" in note
    headers = [c.value for c in metrics[3]]
    prov = headers.index("Provenance") + 1
    sources = {s.id: s for s in plan.system.sources}
    for r in rows:
        text = metrics.cell(r, prov).value
        assert text == ILLUSTRATIVE or any(f"{s.title} ({s.published}), {i}" in text
                                           for i, s in sources.items()), text
        assert (r in shaded) == (text == ILLUSTRATIVE)
    assert metrics.cell(min(rows), prov).alignment.wrap_text


def test_the_cover_says_when_the_plans_date_is_illustrative(small_plan: Path) -> None:
    edit(small_plan / "plan.yaml", 'date: "2019-11-15"  #',
         'date: {value: "2019-11-15", provenance: illustrative}  #')
    *_, wb = _book(small_plan)
    cover = {row[0].value: row[1].value for row in wb["Cover"].iter_rows(max_col=2)
             if row[0].value}
    assert cover["Date (illustrative)"].date().isoformat() == "2019-11-15"
    assert cover["Draft"] == ("Contains illustrative figures; "
                              "the plan date is illustrative")


def test_the_finance_sheets_write_the_unit_their_kinds_declare(small_plan: Path,
                                                                monkeypatch) -> None:
    """Allocations, Finance and Efficiency take their unit from ``kinds`` (£'000 as
    declared today): declared in another, their titles and number formats follow."""
    plan = _plan(small_plan)
    sheets = {s.name: s for s in workbook.layout(plan, _submission(plan))}
    assert "(£'000)" in sheets["Allocations"].cells[workbook.TITLE_ROW, 1].value
    assert sheets["Finance"].cells[workbook.TITLE_ROW, 1].value == \
        "System financial trajectory (£'000)"
    def swapped(unit):
        if isinstance(unit, tuple):
            return tuple(swapped(u) for u in unit)
        return "percent" if unit == "gbp-thousands" else unit

    files = tuple(dataclasses.replace(f, entities=tuple(
        dataclasses.replace(e, figures=tuple(dataclasses.replace(g, unit=swapped(g.unit))
                                             for g in e.figures)) for e in f.entities))
        if f.path == "finance.yaml" else f for f in kinds.FILES)
    monkeypatch.setattr(kinds, "FILES", files)
    monkeypatch.setattr(kinds, "ENTITY_KINDS", tuple(k for f in files for k in f.entities))
    sheets = {s.name: s for s in workbook.layout(plan, _submission(plan))}
    assert sheets["Finance"].cells[workbook.TITLE_ROW, 1].value == \
        "System financial trajectory (%)"
    assert sheets["Efficiency"].cells[workbook.TITLE_ROW, 1].value.startswith(
        "Efficiency savings (%)")
    assert sheets["Allocations"].cells[workbook.TITLE_ROW, 1].value.endswith("(%)")
    income = sheets["Finance"].cells[workbook.FIRST_ROW, 2]
    assert income.fmt.endswith("%")
