"""Units a plan declares (plan.yaml ``units``) beside the built-in ones: read into the
model, checked where they are named, and written with their label, symbol and decimal
places in sentences, tables, chart axes, the workbook and ``diff``."""

from __future__ import annotations

import io
import re
from pathlib import Path

from helpers import edit, render_document
from openpyxl import load_workbook

from lscplan import charts, diff_wording, documents, formatting, render, workbook
from lscplan.diff import diff
from lscplan.formatting import Unit
from lscplan.pipeline import check

BIRTHS = Unit("rate-per-1000-births", "per 1,000 births", "", 1, declared=True)
MINUTES = Unit("minutes", "minutes", " min", 0, declared=True)


def _plan(plan_dir: Path):
    checked = check(plan_dir)
    assert checked.report.errors == [], checked.report.errors
    return checked.plan


def test_a_declared_unit_is_read_and_resolved_where_it_is_named(small_plan: Path) -> None:
    plan = _plan(small_plan)
    assert [(u.id, u.label, u.symbol, u.decimals, u.declared) for u in plan.units] == [
        ("minutes", "minutes", " min", 0, True)]
    m = plan.metric("ambulance-response")
    assert m.unit == "minutes" and m.unit.declared and m.unit.symbol == " min"
    assert (m.unit.loc.file, m.unit.loc.line) == ("metrics.yaml", 51)  # its `unit:` line
    builtin = plan.metric("ae-four-hour").unit
    assert builtin == "percent" and not builtin.declared and builtin.label == "%"


def test_a_unit_neither_built_in_nor_declared_is_refused_where_named(small_plan: Path
                                                                     ) -> None:
    edit(small_plan / "activity.yaml", "unit: attendances", "unit: hours")
    errors = check(small_plan).report.errors
    assert [(e.rule, e.location.file, e.location.line) for e in errors] == [
        ("reference", "activity.yaml", 5)]
    assert errors[0].message == (
        "activity 'ae-attendances' is in the unit 'hours', which is neither built in for "
        "activity nor declared in plan.yaml `units`; the units it may name: attendances, "
        "admissions, appointments, contacts, episodes, minutes")
    edit(small_plan / "plan.yaml", "units:  #", "units:\n  - {id: hours, label: hours}\n  #")
    assert check(small_plan).report.errors == []


def test_figures_are_written_with_the_declared_label_symbol_and_decimals() -> None:
    assert formatting.value(12.34, BIRTHS) == "12.3 per 1,000 births"
    assert formatting.cell(12, BIRTHS) == "12.0"
    assert formatting.value(27.6, MINUTES) == "28 min"
    assert formatting.cell(1234, MINUTES) == "1,234"
    assert formatting.unit_label(BIRTHS) == "per 1,000 births"
    # the built-in units as before
    assert formatting.value(18, "weeks") == "18 weeks"
    assert formatting.value(87.5, "percent") == "87.5%"
    assert formatting.cell(87.0, "percent") == "87%"


def test_chart_axes_use_the_symbol_and_value_labels_the_decimals() -> None:
    line = charts.trajectory_chart("t", "Response", ("2019/20", "2020/21"),
                                   (charts.Line("Response", (31, 18), False),), MINUTES,
                                   "A description.")
    ticks = re.findall(r">([0-9,.]+ min)<", line)
    assert ticks and all(t.endswith(" min") for t in ticks)
    bar = charts.bar_chart("b", "Births", ("Baseline", "Target"), (12.25, 10), BIRTHS,
                           "A description.")
    assert "12.2" in bar or "12.3" in bar  # the value label to one decimal place
    # a chart is remembered by its unit's repr, not its id alone
    args = ("t", "T", ("2019/20",), (charts.Line("T", (5,), False),))
    one = render._trajectory_svg(*args, Unit("x", "x", " a", 0, True), "d")
    two = render._trajectory_svg(*args, Unit("x", "x", " b", 0, True), "d")
    assert one != two


def test_documents_name_the_declared_unit(small_plan: Path) -> None:
    plan = _plan(small_plan)
    doc = next(d for d in documents.for_plan(plan) if d.id == "ltp-submission")
    html = render_document(plan, doc, render.BuildInfo("0.1", None, "test"))
    assert "falls from 31 min in 2018/19 (baseline) to 18 min in 2021/22" in html
    assert "Data: Ambulance response, category 2 (minutes)" in html
    assert "<td>minutes</td>" in html  # the metrics table's unit column


def test_the_workbook_formats_declared_units(small_plan: Path) -> None:
    assert workbook.number_format(MINUTES, [31, 27.5]) == '#,##0" min"'
    assert workbook.number_format(BIRTHS, [12]) == "#,##0.0"
    assert workbook.number_format("number", [1.25]) == "#,##0.00"
    plan = _plan(small_plan)
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    data = workbook.write(workbook.layout(documents.plan_on(plan, doc), doc), doc.title,
                          plan.system.author, doc.date)
    sheet = load_workbook(io.BytesIO(data))["Metrics"]
    row = next(r for r in range(1, sheet.max_row + 1)
               if sheet.cell(r, 1).value == "Ambulance response, category 2")
    assert sheet.cell(row, 2).value == "minutes"
    assert sheet.cell(row, 6).value == 31 and sheet.cell(row, 6).number_format == '#,##0" min"'


def test_diff_writes_figures_in_the_declared_unit(small_plan: Path, tmp_path: Path) -> None:
    assert diff_wording.figure(27, MINUTES) == "27 min"
    assert diff_wording.figure(12, BIRTHS) == "12.0 per 1,000 births"
    assert diff_wording.delta(12, 11.5, BIRTHS) == "−0.5 per 1,000 births"
    old = _plan(small_plan)
    edit(small_plan / "metrics.yaml", "2020/21: 22", "2020/21: 21")
    edit(small_plan / "plan.yaml", 'symbol: " min", decimals: 0', 'symbol: " mins", decimals: 0')
    changes = diff(old, _plan(small_plan)).changes
    messages = [diff_wording.change_message(c) for c in changes]
    assert "metric `ambulance-response`, 2020/21: 22 mins → 21 mins (improves)" in messages
    assert any(c.entity == "unit" and c.field == "symbol" for c in changes)


def test_check_messages_write_figures_in_their_declared_unit(small_plan: Path) -> None:
    edit(small_plan / "metrics.yaml", "2020/21: 22", "2020/21: 29")
    warnings = check(small_plan).report.warnings
    assert any(d.rule == "trajectory-direction" and "from 2019/20 (27 min) to 2020/21 "
               "(29 min)" in d.message for d in warnings), [d.message for d in warnings]
