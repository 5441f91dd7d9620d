"""Derived allocation figures: a row's movement and increase and the table's totals may
be left out of finance.yaml; the model derives them and every output shows them as it
shows the given ones. Given figures (as published) are still checked."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from helpers import edit, evaluate, render_document
from openpyxl import load_workbook

from lscplan import chartcache, diff, documents, render, workbook
from lscplan.pipeline import check

INFO = render.BuildInfo("0.1", None, "lscplan test")
DERIVED = re.compile(r"^ +(movement|increase_percent): .*\n", re.M)
TOTALS = re.compile(r"^(  total:\n    label: .*\n)((?:    \w+: .*\n)+)", re.M)


def strip_derived(plan_dir: Path) -> None:
    """Leave out every figure of the allocations table that can be derived."""
    path = plan_dir / "finance.yaml"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\ntrajectory:", 1)
    head = TOTALS.sub(r"\1", DERIVED.sub("", head + "\n"))
    assert "movement" not in head and "increase_percent" not in head
    path.write_text(head + "trajectory:" + rest, encoding="utf-8")


def _checked(plan_dir: Path):
    checked = check(plan_dir)
    assert checked.plan is not None and checked.report.ok(), list(checked.report)
    return checked.plan


def _allocations_html(plan) -> str:
    doc = next(d for d in documents.for_plan(plan) if d.id == "ltp-submission")
    html = render_document(plan, doc, INFO)
    found = re.findall(r'<table class="allocations">.*?</table>', html, re.S)
    assert len(found) == 1
    return found[0]


def _allocation_values(plan) -> list:
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    sheets = workbook.layout(documents.plan_on(plan, doc), doc)
    data = workbook.write(sheets, doc.title, plan.system.author, doc.date)
    wb = load_workbook(io.BytesIO(data))
    sheet = wb["Allocations"]
    out = []
    for row in sheet.iter_rows(min_row=4):
        if str(row[0].value).startswith("Check:"):  # a published total's check
            continue
        for cell in row[:7]:
            value = cell.value
            if isinstance(value, str) and value.startswith("="):
                value = evaluate(wb, "Allocations", value)
            out.append(value if not isinstance(value, float) else round(value, 6))
    return out


@pytest.mark.parametrize("which", ["small_plan", "bundled_plan"])
def test_left_out_figures_are_derived_and_shown_as_given(which, request, tmp_path) -> None:
    given_dir = request.getfixturevalue(which)
    given = _checked(given_dir)
    derived_dir = tmp_path / "derived"
    shutil.copytree(given_dir, derived_dir)
    strip_derived(derived_dir)
    derived = _checked(derived_dir)
    a, b = given.finance.allocations, derived.finance.allocations
    assert all(r.given_movement is None and r.given_percent is None for r in b.rows)
    assert not b.total.given("baseline") and b.total.given_percent is None
    for r, s in zip((*a.rows, a.total), (*b.rows, b.total), strict=True):
        assert (r.baseline, r.allocation, r.published_movement, r.published_percent) == (
            s.baseline, s.allocation, s.published_movement, s.published_percent)
    assert _allocation_values(given) == _allocation_values(derived)
    counted = [[f[:3] for f in p.illustrative_figures()] for p in (given, derived)]
    assert counted[0] == counted[1]
    with chartcache.missing():  # the charts' figures are compared, not drawn
        assert _allocations_html(given) == _allocations_html(derived)
        result = diff.diff(given, derived)  # the documents rendered on both sides too
    assert (result.changes, result.consequences, result.documents) == ((), (), ())


def test_a_derived_figure_is_a_formula_in_the_workbook(small_plan) -> None:
    strip_derived(small_plan)
    plan = _checked(small_plan)
    doc = next(d for d in documents.for_plan(plan) if "xlsx" in d.formats)
    sheet = next(s for s in workbook.layout(documents.plan_on(plan, doc), doc)
                 if s.name == "Allocations")
    assert isinstance(sheet.cells[(4, 4)], workbook.Formula)  # movement, derived
    assert sheet.cells[(4, 4)].formula == "=C4-B4"
    assert sheet.cells[(6, 2)].formula == "=SUM(B4:B5)"  # the total baseline
    assert isinstance(sheet.cells[(4, 2)], workbook.Figure)  # the baseline, given


def test_a_wrong_given_figure_still_errors_at_its_line(small_plan) -> None:
    """Among derived figures, one given wrongly is reported at its own line."""
    strip_derived(small_plan)
    edit(small_plan / "finance.yaml", "      allocation: 210000\n",
         "      allocation: 210000\n      increase_percent: 5.1\n")
    edit(small_plan / "finance.yaml", "    label: Healthier Example\n",
         "    label: Healthier Example\n    allocation: 315001\n")
    checked = check(small_plan)
    found = sorted((d.rule, d.location.file, d.location.line) for d in checked.report
                   if d.severity == "error")
    lines = (small_plan / "finance.yaml").read_text(encoding="utf-8").splitlines()
    assert found == [("allocation-percent", "finance.yaml",
                      lines.index("      increase_percent: 5.1") + 1),
                     ("allocation-total", "finance.yaml",
                      lines.index("    allocation: 315001") + 1)]
