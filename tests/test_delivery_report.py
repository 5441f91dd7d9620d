"""The delivery report (``delivery-report``): written only for a plan with actuals, dated
at its month, with a summary, the key, each series' XmR chart with its icons, commentary
and data; and board papers' ``delivery`` and ``delivery-chart`` extracts, which show
nothing of a month after the paper's date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import edit, render_document

from lscplan import documents, render
from lscplan.pipeline import check
from lscplan.resources import bundled_plan_dir, starter_dir

INFO = render.BuildInfo("0.1", None, "lscplan test")


def _doc(plan, doc_id: str):
    return next(d for d in documents.for_plan(plan) if d.id == doc_id)


@pytest.fixture(scope="module")
def starter():
    return check(starter_dir()).plan


@pytest.fixture(scope="module")
def report(starter) -> str:
    return render_document(starter, _doc(starter, "delivery-report"), INFO)


def test_the_report_is_written_only_with_actuals(starter, small_plan: Path) -> None:
    ids = [d.id for d in documents.for_plan(starter)]
    assert ids[:3] == ["ltp-submission", "public-summary", "delivery-report"]
    (small_plan / "actuals.yaml").unlink()
    assert "delivery-report" not in [d.id for d in documents.for_plan(check(small_plan).plan)]


def test_the_report_is_dated_at_its_month(starter) -> None:
    doc = _doc(starter, "delivery-report")
    assert doc.date == "2019-09-30" and doc.title.endswith("September 2019")
    bundled = check(bundled_plan_dir()).plan
    doc = _doc(bundled, "delivery-report")
    # March 2019's statistics were published on 11 April 2019: the report is no older
    assert doc.date == "2019-04-11" and doc.title.endswith("March 2019")
    html = render_document(bundled, doc, INFO, draw=False)
    assert "NHS England, A&amp;E Attendances and Emergency Admissions" in html
    assert html.count('class="delivery-series"') == 5
    # issue 28: the system series says which places it sums, which it leaves out, and
    # (the metric's own description) why: its residents use a trust outside the partnership
    assert ("the figures of Central Lancashire, Pennine Lancashire, Fylde Coast and Morecambe"
            " Bay summed (West Lancashire has no series of its own, so is not in this sum)"
            ) in html
    assert html.count("Southport and Ormskirk Hospital NHS Trust, outside the partnership") == 1


def test_a_system_series_summed_from_every_place_says_so(report: str) -> None:
    assert "the figures of North Place and South Place summed</dd>" in report


def test_summary_charts_icons_and_data(report: str) -> None:
    assert "process limits are computed from the points up to Sep 2019" in report
    summary = report[report.index('<table class="delivery-summary'):]
    summary = summary[:summary.index("</table>")]
    assert summary.count("<tr>") == 6  # the heading and five series
    for heading in ("Metric", "Latest", "Plan for the year", "Target", "Variation",
                    "Assurance"):
        assert f">{heading}</th>" in summary
    assert "87% in 2019/20" in summary
    # every series: its chart, its two icons (each with a text alternative), its data
    assert report.count('<section class="delivery-series"') == 5
    for series in ("ae-four-hour", "ae-four-hour-north-place", "ae-four-hour-south-place",
                   "ambulance-response", "ae-attendances-north-place"):
        assert f'aria-labelledby="summary-table-series-{series}-xmr-title"' in report
    icons = re.findall(r'<svg[^>]*aria-label="([^"]+)"', report)
    assert any(label.startswith("Special cause variation") for label in icons)
    assert any(label.startswith("Assurance:") for label in icons)
    assert report.count('<table class="spc-data compact"') == 5
    north = report[report.index('id="summary-table-series-ae-four-hour-north-place"'):]
    assert "Winter pressure shows every December to February" in north.split(
        '<section class="delivery-series"')[0]
    # numerator and denominator columns for a ratio; none for plain values
    assert ">Numerator</th>" in north.split("</table>")[0]
    amb = report[report.index('id="summary-table-series-ambulance-response"'):]
    assert ">Numerator</th>" not in amb.split("</table>")[0]
    assert ">2019/20 Q2</th>" in amb
    # illustrative series are marked where their values are read, not in their heading
    assert "Illustrative: no source document gives these figures" in report
    headings = re.findall(r"<h3[^>]*>(.*?)</h3>", report, re.S)
    assert headings and not [h for h in headings if 'class="illus"' in h]


PAPER = "board/governing-body-update.yaml"


def _paper(plan_dir: Path, date: str) -> str:
    edit(plan_dir / PAPER, 'paper_date: "2019-11-04"', f'paper_date: "{date}"')
    edit(plan_dir / PAPER, "  {extract:metric-chart:ae-four-hour}\n",
         "  {extract:metric-chart:ae-four-hour}\n\n  ## Delivery\n\n"
         "  {extract:delivery}\n\n  {extract:delivery-chart:ambulance-response}\n")
    edit(plan_dir / PAPER, "extracts: [allocations-table, {metric-chart: ae-four-hour}]",
         "extracts: [allocations-table, {metric-chart: ae-four-hour}, delivery, "
         "{delivery-chart: ambulance-response}]")
    checked = check(plan_dir)
    assert not checked.report.errors, checked.report.errors
    plan = checked.plan
    return render_document(plan, _doc(plan, "board-governing-body-update"), INFO,
                           draw=False)


def test_a_paper_shows_the_delivery_up_to_its_date(small_plan: Path) -> None:
    html = _paper(small_plan, "2018-10-15")
    assert "Delivery against the plan as of Oct 2018" in html
    assert ">Oct 2018<" in html or "Oct 2018" in html
    for later in ("Nov 2018", "Dec 2018", "Sep 2019", "2018/19 Q3"):
        assert later not in html, later
    # the one chart: the ambulance series up to its last quarter ended by then
    assert "to 2018/19 Q2" in html


def test_a_paper_before_any_actuals_shows_none(small_plan: Path) -> None:
    html = _paper(small_plan, "2017-05-01")
    assert html.count("The plan has no actuals up to this document's date.") == 2
    assert "2017-10" not in html and "Oct 2017" not in html


def test_an_unknown_metric_in_a_delivery_chart_is_refused(small_plan: Path) -> None:
    edit(small_plan / PAPER, "  {extract:metric-chart:ae-four-hour}\n",
         "  {extract:metric-chart:ae-four-hour}\n\n  {extract:delivery-chart:nothing}\n")
    edit(small_plan / PAPER, "extracts: [allocations-table, {metric-chart: ae-four-hour}]",
         "extracts: [allocations-table, {metric-chart: ae-four-hour}, "
         "{delivery-chart: nothing}]")
    (found,) = check(small_plan).report.errors
    assert found.rule == "reference" and "'nothing'" in found.message
    assert found.location.file == PAPER
