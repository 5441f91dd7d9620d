"""Enablers: a portfolio that says ``enabler: true`` serves every priority instead of
naming some; the golden-thread rule accepts it both ways, and the documents show the
enablers in a group of their own, in the plan's own word for them."""

from __future__ import annotations

from pathlib import Path

from helpers import edit, render_document

from lscplan import chartcache, documents, render
from lscplan.pipeline import check

FINANCE = "portfolios/finance.yaml"


def _enabler(plan_dir: Path) -> None:
    """The starter plan's finance portfolio as an enabler (its priority still lists it)."""
    edit(plan_dir / FINANCE, "priorities: [financial-balance]", "enabler: true")


def _submission(plan) -> str:
    doc = next(d for d in documents.for_plan(plan) if d.id == "ltp-submission")
    with chartcache.missing():  # the tests read the text: charts are not drawn
        return render_document(plan, doc, render.BuildInfo("0.1", None, "test"))


def test_an_enabler_names_no_priority_and_the_golden_thread_accepts_it(small_plan: Path
                                                                       ) -> None:
    _enabler(small_plan)
    checked = check(small_plan)
    assert checked.report.errors == []
    finance = checked.plan.portfolio("finance")
    assert finance.enabler and finance.priorities == ()
    assert checked.plan.enablers == (finance,)
    # nor must a priority list it
    edit(small_plan / "priorities.yaml", "portfolios: [finance]", "portfolios: [out-of-hospital]")
    edit(small_plan / "portfolios/out-of-hospital.yaml", "priorities: [neighbourhoods]",
         "priorities: [neighbourhoods, financial-balance]")
    assert check(small_plan).report.errors == []


def test_an_enabler_naming_priorities_too_is_refused(small_plan: Path) -> None:
    edit(small_plan / FINANCE, "priorities: [financial-balance]",
         "enabler: true\npriorities: [financial-balance]")
    errors = check(small_plan).report.errors
    assert [(e.rule, e.location.file, e.location.line) for e in errors] == [
        ("golden-thread", FINANCE, 1)]
    assert errors[0].message == (
        "portfolio 'finance' says `enabler: true` (it serves every priority) and also names "
        "'financial-balance' in `priorities`: leave out `priorities`, or `enabler` to serve "
        "only those")


def test_a_portfolio_names_its_priorities_unless_it_is_an_enabler(small_plan: Path) -> None:
    edit(small_plan / FINANCE, "priorities: [financial-balance]\n", "")
    errors = check(small_plan).report.errors
    assert [(e.rule, e.location.file) for e in errors] == [("schema", FINANCE)]
    assert "priorities" in errors[0].message
    edit(small_plan / FINANCE, "kind: portfolio", "kind: portfolio\nenabler: false")
    assert [e.rule for e in check(small_plan).report.errors] == ["schema"]


def test_the_submission_groups_the_enablers_in_the_plans_own_word(small_plan: Path) -> None:
    _enabler(small_plan)
    html = _submission(check(small_plan).plan)
    assert '<section class="enablers" id="portfolio-enablers">\n<h4>Enablers</h4>' in html
    assert "<h5>Finance</h5>" in html  # within the group
    assert "Portfolio · Enabler: serves every priority</p>" in html
    assert '<th scope="row">Enablers</th>\n<td>Serve every priority</td>' in html
    assert ('<th scope="rowgroup" rowspan="1">Enablers: every priority</th><td>Finance</td>'
            in html)
    edit(small_plan / "plan.yaml", "terms:  #",
         "terms:\n  enabler: {singular: support function, plural: support functions}\n  #")
    html = _submission(check(small_plan).plan)
    assert "<h4>Support functions</h4>" in html and "Enablers" not in html
    assert "Support function: serves every priority" in html


def test_without_enablers_the_documents_are_as_before(small_plan: Path) -> None:
    html = _submission(check(small_plan).plan)
    assert 'class="enablers"' not in html and "Enabler" not in html


def test_an_enablers_metric_need_name_no_priority(small_plan: Path) -> None:
    """A metric the finance enabler lists leaves out ``priorities``: it checks, and the
    metrics plan shows it under the enabler, not under a priority."""
    _enabler(small_plan)
    edit(small_plan / "metrics.yaml",
         "    priorities: [financial-balance]  # an enabler's metric may leave this out\n", "")
    # the priority it measured is measured by another metric now
    edit(small_plan / "metrics.yaml", "priorities: [neighbourhoods]",
         "priorities: [neighbourhoods, financial-balance]")
    checked = check(small_plan)
    assert checked.report.errors == [], [d.message for d in checked.report.errors]
    plan = checked.plan
    assert plan.enabler_metrics(plan.portfolio("finance")) == (plan.metric("financial-balance"),)
    html = _submission(plan)
    section = html[html.index('id="metrics-finance"'):]
    assert "Enabler: Finance" in section[:300]
    assert "System financial position" in section[:section.index("</table>")]
    for pr in plan.priorities:
        assert "System financial position" not in html[
            html.index(f'id="metrics-{pr.id}"'):html.index('id="metrics-finance"')]
