"""``diff``: two models compared by entity id. Each test edits a copy of the starter
plan (the old side) and compares; both sides must pass their checks."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import edit

from lscplan.diff import DiffResult, diff, word_diff
from lscplan.diff_wording import change_message as said
from lscplan.diff_wording import consequence_message, placed
from lscplan.pipeline import check
from lscplan.resources import starter_dir

Edit = tuple[str, str, str]


def _model(plan_dir: Path):
    checked = check(plan_dir)
    assert checked.plan is not None and not checked.report.errors, [
        d.message for d in checked.report.errors]
    return checked.plan


#: The model of each plan compared from, by its files' contents: most tests compare
#: edits of the same starter plan, checked once then (a model is never changed).
_BASES: dict[str, object] = {}


def _base_model(plan_dir: Path):
    digest = hashlib.sha256()
    for path in sorted(p for p in plan_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(plan_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    key = digest.hexdigest()
    if key not in _BASES:
        _BASES[key] = _model(plan_dir)
    return _BASES[key]


@pytest.fixture
def compare(small_plan: Path, tmp_path: Path) -> Callable[..., DiffResult]:
    """Apply edits ``(file, old, new)`` to a copy of the starter plan and diff the two."""

    def run(*edits: Edit, then: Callable[[Path], None] | None = None) -> DiffResult:
        new = tmp_path / "new"
        shutil.copytree(small_plan, new)
        for file, old, replacement in edits:
            edit(new / file, old, replacement)
        if then:
            then(new)
        return diff(_base_model(small_plan), _model(new))

    return run


def moved(result: DiffResult, change) -> list:
    """The derived figures shown under ``change``."""
    return [q for q, _ in placed(result, change)]


def keys(result: DiffResult) -> list[tuple]:
    return [(c.op, c.entity, c.id, c.field) for c in result.changes]


def test_the_same_plan_has_no_changes(compare) -> None:
    result = compare()
    assert result.changes == ()
    assert not result
    assert result.summary == {"total": 0, "by_op": {"added": 0, "removed": 0, "changed": 0},
                              "by_entity": {}, "consequences": 0,
                              "provenance": {"sourced": 0, "illustrative": 0, "resourced": 0}}


# --- one change of each kind to each kind of entity ---------------------------------------

CASES: list[tuple[str, list[Edit], list[tuple]]] = [
    ("system name", [("plan.yaml", "name: Healthier Example\n", "name: Healthier Place\n")],
     [("changed", "system", None, "name")]),
    ("source added", [("plan.yaml", "population:\n", "  - id: new-source\n    title: A new "
                       "source\n    published: early 2019\npopulation:\n")],
     [("added", "source", "new-source", None)]),
    ("population figure", [("plan.yaml", "people: 500000", "people: 510000")],
     [("changed", "population", "2019", "people")]),
    ("ICP renamed", [("plan.yaml", "name: North Place", "name: Northern Place")],
     [("changed", "icp", "north-place", "name")]),
    ("ICP population removed", [("plan.yaml", """    population:
      people: 300000
      year: 2019
      provenance: illustrative
""", "")], [("removed", "icp", "north-place", "population")]),
    ("ICP description added", [("plan.yaml", "    name: South Place\n",
                                "    name: South Place\n    description: The south.\n")],
     [("added", "icp", "south-place", "description")]),
    ("organisation added", [("plan.yaml", "executives:", "  - id: new-trust\n    name: New "
                             "Trust\n    type: trust\nexecutives:")],
     [("added", "organisation", "new-trust", None)]),
    ("organisation removed", [("plan.yaml", """  - id: example-council
    name: Example County Council
    type: upper-tier-council
""", "")], [("removed", "organisation", "example-council", None)]),
    ("executive role", [("plan.yaml", "role: Chief Officer\n", "role: Accountable Officer\n")],
     [("changed", "executive", "alex-morgan", "role")]),
    ("governance", [("plan.yaml", "programmes: 3", "programmes: 4")],
     [("changed", "governance", None, "programmes")]),
    ("submission deadline", [("plan.yaml", 'deadline: "2019-11-15"', 'deadline: "2019-11-29"')],
     [("changed", "submission", None, "deadline")]),
    ("submission component", [("plan.yaml", "title: Metrics plan", "title: The metrics plan")],
     [("changed", "submission-component", "metrics-plan", "title")]),
    ("glossary definition", [("plan.yaml", "The partnership of NHS", "The partnership of all NHS")],
     [("changed", "glossary", "Integrated care system (ICS)", "definition")]),
    ("glossary term no longer public", [("plan.yaml", "    public: true\n", "")],
     [("changed", "glossary", "Integrated care system (ICS)", "public")]),
    ("glossary term added", [("plan.yaml", "glossary:\n", "glossary:\n  - term: PCN\n    "
                              "definition: Primary care network.\n    provenance: "
                              "example-briefing\n")],
     [("added", "glossary", "PCN", None)]),
    ("vision statement", [("vision.yaml", "will live long", "will live longer")],
     [("changed", "vision", None, "statement")]),
    ("ambition added", [("vision.yaml", "intents:", "  - id: best-care\n    text: We will give "
                         "the best care\nintents:")],
     [("added", "ambition", "best-care", None)]),
    ("intent text", [("vision.yaml", "Support our communities", "Support our people")],
     [("changed", "intent", "support-communities", "text")]),
    ("Long Term Plan theme", [("vision.yaml", "the best start in life", "a good start in life")],
     [("changed", "ltp-theme", "best-start", "text")]),
    ("case for change", [("vision.yaml", "We spend more than we receive.",
                          "We spend more than we are given.")],
     [("changed", "case-for-change", "financial-gap", "text")]),
    ("vision public summary", [("vision.yaml", "a long and healthy life", "a long, healthy life")],
     [("changed", "vision", None, "public_summary")]),
    ("priority statement", [("priorities.yaml", "Maximise the benefits", "Maximise the gains")],
     [("changed", "priority", "neighbourhoods", "statement")]),
    ("priority lead removed", [("priorities.yaml", """    lead:
      name: Dr Alex Morgan
      role: Chief Officer
""", "")], [("removed", "priority", "financial-balance", "lead")]),
    ("priority lead role", [("priorities.yaml", "      role: Chief Officer",
                             "      role: Chief Executive")],
     [("changed", "priority", "financial-balance", "lead.role")]),
    ("portfolio summary", [("portfolios/finance.yaml", "Back to balance.", "Back in balance.")],
     [("changed", "portfolio", "finance", "summary")]),
    ("portfolio sponsor", [("portfolios/out-of-hospital.yaml", "  role: Chief Officer",
                            "  role: Senior Responsible Officer")],
     [("changed", "portfolio", "out-of-hospital", "sponsor.role")]),
    ("portfolio narrative", [("portfolios/out-of-hospital.yaml", "will work together",
                              "will work closely together")],
     [("changed", "portfolio", "out-of-hospital", "narrative")]),
    ("programme retitled", [("portfolios/finance.yaml", "title: System efficiency",
                             "title: System-wide efficiency")],
     [("changed", "programme", "system-efficiency", "title")]),
    ("programme added", [("portfolios/finance.yaml", "metrics:", "  - id: estates\n    title: "
                          "Estates\nmetrics:")],
     [("added", "programme", "estates", None)]),
    ("programme removed", [("portfolios/out-of-hospital.yaml", """  - id: primary-care-networks
    title: Primary care networks
""", "")], [("removed", "programme", "primary-care-networks", None)]),
    ("programme description removed", [("portfolios/out-of-hospital.yaml",
                                        "    description: Joined-up teams for 30,000 to 50,000 "
                                        "people.\n", "")],
     [("removed", "programme", "neighbourhood-teams", "description")]),
    ("metric title", [("metrics.yaml", "title: A&E four-hour standard",
                       "title: A&E four-hour performance")],
     [("changed", "metric", "ae-four-hour", "title")]),
    ("metric standard", [("metrics.yaml", "text: 95% within four hours",
                          "text: 95% of patients within four hours")],
     [("changed", "metric", "ae-four-hour", "targets.national.text")]),
    ("metric local ambition moved later", [("metrics.yaml", "by: 2025", "by: 2030")],
     [("added", "metric", "ae-four-hour", "targets.local-2030"),
      ("removed", "metric", "ae-four-hour", "targets.local-2025")]),
    ("metric public phrase removed", [("metrics.yaml",
                                       "    public_phrase: people at A&E seen within four "
                                       "hours\n", "")],
     [("removed", "metric", "ae-four-hour", "public_phrase")]),
    ("allocations table title", [("finance.yaml", "title: Core CCG allocations",
                                  "title: CCG core allocations")],
     [("changed", "allocations", None, "title")]),
    ("context figure", [("finance.yaml", "value: 50000", "value: 55000")],
     [("changed", "context-figure", "forecast-shortfall", "value")]),
    ("context figure note", [("finance.yaml", "unit: gbp-thousands\n",
                              "unit: gbp-thousands\n    note: Before savings.\n")],
     [("added", "context-figure", "forecast-shortfall", "note")]),
    ("activity title", [("activity.yaml", "title: A&E attendances",
                         "title: Emergency department attendances")],
     [("changed", "activity", "ae-attendances", "title")]),
    ("staff group title", [("workforce.yaml", "title: Registered nurses and midwives",
                            "title: Nurses and midwives")],
     [("changed", "staff-group", "nursing", "title")]),
    ("engagement description", [("engagement.yaml", "People told us how they use technology.",
                                  "People told us how they use digital services.")],
     [("changed", "engagement", "digital-survey", "description")]),
    ("engagement figure", [("engagement.yaml", "value: 400", "value: 450")],
     [("changed", "engagement", "digital-survey", "figures.Survey responses.value")]),
    ("engagement partner added", [("engagement.yaml", "partners:\n", "partners:\n  - id: "
                                   "citizens-panel\n    name: Citizens' panel\n")],
     [("added", "partner", "citizens-panel", None)]),
    ("board paper title", [("board/governing-body-update.yaml", "title: Update on the Example",
                            "title: Progress on the Example")],
     [("changed", "board-paper", "governing-body-update", "title")]),
    ("board paper meeting date", [("board/governing-body-update.yaml", '"2019-11-19"',
                                   '"2019-11-26"')],
     [("changed", "board-paper", "governing-body-update", "meeting_date")]),
    ("board paper recommendation", [("board/governing-body-update.yaml",
                                     "  - To note progress with the plan.\n",
                                     "  - To note progress with the plan.\n  - To approve the "
                                     "summary.\n")],
     [("added", "board-paper", "governing-body-update", "recommendations")]),
    ("board paper risks", [("board/governing-body-update.yaml", "required: false",
                            "required: true")],
     [("changed", "board-paper", "governing-body-update",
       "impact_assessment.required")]),
    ("board paper objective", [("board/governing-body-update.yaml", "supported: false",
                                "supported: true")],
     [("removed", "board-paper", "governing-body-update", "strategic_objectives"),
      ("added", "board-paper", "governing-body-update", "strategic_objectives")]),
    ("board paper body", [("board/governing-body-update.yaml", "has three components",
                           "has three parts")],
     [("changed", "board-paper", "governing-body-update", "body")]),
    ("sign-off agreed", [("summary.yaml", "    body: Trust Board\n",
                          "    body: Trust Board\n    agreed: \"2019-11-14\"\n")],
     [("added", "sign-off", "example-hospitals", "agreed")]),
    ("summary key message", [("summary.yaml", "Care joined up around people",
                              "Care joined up for people")],
     [("removed", "summary", None, "key_messages"),
      ("added", "summary", None, "key_messages")]),
    ("impact finding", [("impact.yaml", "live shorter lives", "die younger")],
     [("changed", "impact-finding", "deprivation", "impact")]),
    ("board paper extracts", [("board/governing-body-update.yaml", "extracts: [allocations-table, ",
                               "extracts: ["),
                              ("board/governing-body-update.yaml",
                               "  {extract:allocations-table}\n", "")],
     [("changed", "board-paper", "governing-body-update", "body"),
      ("removed", "board-paper", "governing-body-update", "extracts")]),
]


@pytest.mark.parametrize(("edits", "expected"), [(e, x) for _, e, x in CASES],
                         ids=[name for name, _, _ in CASES])
def test_each_entity_and_change_kind(compare, edits: list[Edit], expected: list[tuple]) -> None:
    result = compare(*edits)
    assert keys(result) == expected
    assert not result.consequences


def test_changed_records_carry_old_and_new(compare) -> None:
    result = compare(("plan.yaml", "people: 500000", "people: 510000"))
    (change,) = result.changes
    assert (change.old, change.new) == (500000, 510000)
    assert said(change) == "population 2019, people: 500,000 → 510,000"


# --- messages in the plan's own terms -------------------------------------------------------


def test_metric_year_value(compare) -> None:
    result = compare(("metrics.yaml", "2021/22: 95.0", "2021/22: 96.0"))
    (change,) = result.changes
    assert (change.op, change.entity, change.id, change.field) == (
        "changed", "metric", "ae-four-hour", "values.2021/22")
    assert (change.old, change.new) == (95.0, 96.0)
    assert said(change) == "metric `ae-four-hour`, 2021/22: 95.0% → 96.0% (improves)"
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [("change", 10.0, 11.0)]
    assert consequence_message(moved(result, change)[0]) == (
        "change from baseline: +10.0pp → +11.0pp")


def test_priority_retitled(compare) -> None:
    result = compare(("priorities.yaml", "title: Financial balance",
                         "title: Financial sustainability"))
    (change,) = result.changes
    assert said(change) == ("priority 2 `financial-balance` retitled: “Financial balance” → "
                              "“Financial sustainability”")
    assert change.words is None  # a title is short: old and new whole


def test_programme_removed_from_its_portfolio(compare) -> None:
    result = compare(("portfolios/out-of-hospital.yaml", """  - id: primary-care-networks
    title: Primary care networks
""", ""))
    (change,) = result.changes
    assert said(change) == ("programme `primary-care-networks` removed from portfolio "
                              "`out-of-hospital`")
    assert change.old == {"title": "Primary care networks", "description": None,
                          "provenance": "example-briefing", "portfolio": "out-of-hospital"}
    assert change.new is None


def test_programme_moved_between_portfolios(compare) -> None:
    result = compare(
        ("portfolios/out-of-hospital.yaml", """  - id: primary-care-networks
    title: Primary care networks
""", ""),
        ("portfolios/finance.yaml", "metrics:", "  - id: primary-care-networks\n    title: "
         "Primary care networks\nmetrics:"))
    (change,) = result.changes
    assert (change.entity, change.id, change.field) == (
        "programme", "primary-care-networks", "portfolio")
    assert said(change) == ("programme `primary-care-networks` moved from portfolio "
                              "`out-of-hospital` to portfolio `finance`")


def test_metric_standard_removed_is_one_record(compare) -> None:
    result = compare(("metrics.yaml", """      - kind: national
        value: 95
        text: 95% within four hours
        provenance: example-briefing
""", ""))
    (change,) = result.changes
    assert (change.op, change.field) == ("removed", "targets.national")
    assert change.old == {"value": 95, "text": "95% within four hours",
                          "provenance": "example-briefing"}
    assert [q.field for q in moved(result, change)] == ["meets_standard"]
    assert (moved(result, change)[0].old, moved(result, change)[0].new) == (True, None)


def test_format_1_standard_is_the_same_national_target(compare) -> None:
    # rewriting format 1's `standard` as a target of kind national is no change
    targets = "    targets:  # national standards, local ambitions; `by` dates one"
    result = compare(("metrics.yaml", targets + """ (after the period too)
      - kind: national
        value: 95
        text: 95% within four hours
        provenance: example-briefing
""", """    standard:
      value: 95
      text: 95% within four hours
      provenance: example-briefing
    targets:
"""))
    assert not result.changes and not result.consequences


def test_metric_national_target_moves_meets_standard(compare) -> None:
    result = compare(("metrics.yaml", "        value: 95\n", "        value: 96\n"))
    (change,) = result.changes
    assert (change.field, change.unit) == ("targets.national.value", "percent")
    assert said(change) == "metric `ae-four-hour`, national standard value: 95% → 96%"
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("meets_standard", True, False)]


def test_metric_baseline_moves_the_change_from_baseline(compare) -> None:
    result = compare(("metrics.yaml", "value: 85.0", "value: 80.0"))
    (change,) = result.changes
    assert (change.field, change.old, change.new) == ("baseline.value", 85.0, 80.0)
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [("change", 10.0, 15.0)]


# --- consequences: derived figures grouped with the source change -----------------------------


def test_allocation_change_carries_its_consequences(compare) -> None:
    result = compare(
        ("finance.yaml", """      allocation: 105000
      movement: 5000
      increase_percent: 5.0""", """      allocation: 106000
      movement: 6000
      increase_percent: 6.0"""),
        ("finance.yaml", """    allocation: 315000
    movement: 15000
    increase_percent: 5.0""", """    allocation: 316000
    movement: 16000
    increase_percent: 5.3"""))
    (change,) = result.changes
    assert (change.entity, change.id, change.field, change.old, change.new) == (
        "allocation", "north-ccg", "allocation", 105000, 106000)
    assert [(q.entity, q.id, q.field, q.old, q.new) for q in moved(result, change)] == [
        ("allocation", "north-ccg", "movement", 5000, 6000),
        ("allocation", "north-ccg", "percent", 5.0, 6.0),
        ("allocations", None, "total.allocation", 315000, 316000),
        ("allocations", None, "total.movement", 15000, 16000),
        ("allocations", None, "total.percent", 5.0, 5.3),
    ]
    assert consequence_message(moved(result, change)[2]) == (
        "system allocation total: £315,000k → £316,000k (+£1,000k)")
    assert result.summary["consequences"] == 5
    assert result.summary["total"] == 1


def test_two_allocation_changes_share_the_total_once(compare) -> None:
    result = compare(
        ("finance.yaml", """      baseline: 100000
      allocation: 105000
      movement: 5000""", """      baseline: 101000
      allocation: 106050
      movement: 5050"""),
        ("finance.yaml", """      baseline: 200000
      allocation: 210000
      movement: 10000""", """      baseline: 199000
      allocation: 208950
      movement: 9950"""))
    assert keys(result) == [
        ("changed", "allocation", "north-ccg", "baseline"),
        ("changed", "allocation", "north-ccg", "allocation"),
        ("changed", "allocation", "south-ccg", "baseline"),
        ("changed", "allocation", "south-ccg", "allocation"),
    ]
    fields = [q.field for q in result.consequences]
    assert fields.count("movement") == 2  # each row's own movement, with its row
    assert not [f for f in fields if f.startswith("total.")]  # the totals did not move


def test_trajectory_income_moves_the_surplus(compare) -> None:
    result = compare(("finance.yaml", "2020/21: {income: 325000,",
                         "2020/21: {income: 330000,"))
    (change,) = result.changes
    assert (change.entity, change.id, change.field) == ("trajectory", None,
                                                        "years.2020/21.income")
    assert said(change) == (
        "the financial trajectory, 2020/21 income: £325,000k → £330,000k")
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("surplus.2020/21", -5000, 0), ("balance_year", "2021/22", "2020/21")]


def test_efficiency_moves_its_share_of_spend(compare) -> None:
    result = compare(("finance.yaml", "2020/21: 9500", "2020/21: 9900"))
    (change,) = result.changes
    assert (change.entity, change.field) == ("efficiency", "years.2020/21")
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("percent.2020/21", 2.9, 3.0)]


def test_activity_moves_the_system_total(compare) -> None:
    result = compare(
        ("activity.yaml", "north-place: {2019/20: 60000,", "north-place: {2019/20: 61000,"),
        ("activity.yaml", "system: {2019/20: 100000,", "system: {2019/20: 101000,"))
    (change,) = result.changes
    assert (change.entity, change.id, change.field) == (
        "activity", "ae-attendances", "by_icp.north-place.2019/20")
    assert said(change) == (
        "activity `ae-attendances`, north-place 2019/20: 60,000 attendances → 61,000 attendances")
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("system.2019/20", 100000, 101000)]


def test_staff_group_added_moves_the_workforce_total(compare) -> None:
    result = compare(("workforce.yaml", "staff_groups:\n", """staff_groups:
  - id: medical
    title: Doctors
    provenance: illustrative
    wte: {2019/20: 500, 2020/21: 510, 2021/22: 520}
"""))
    (change,) = result.changes
    assert (change.op, change.entity, change.id) == ("added", "staff-group", "medical")
    assert said(change) == "staff group `medical` added: “Doctors”"
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("total.2019/20", 3000, 3500), ("total.2020/21", 3100, 3610),
        ("total.2021/22", 3200, 3720)]


def test_staff_group_wte_moves_rate_and_total(compare) -> None:
    # the group's places and staffing types move with it, so they still add up
    result = compare(("workforce.yaml", "wte: {2019/20: 3000,", "wte: {2019/20: 3100,"),
                     ("workforce.yaml", "north-place: {2019/20: 1800,",
                      "north-place: {2019/20: 1900,"),
                     ("workforce.yaml", "substantive: {2019/20: 2700,",
                      "substantive: {2019/20: 2800,"))
    change, *parts = result.changes
    assert change.field == "wte.2019/20"
    assert [p.field for p in parts] == ["by_place.north-place.2019/20",
                                        "by_type.substantive.2019/20"]
    assert [(q.field, q.old, q.new) for q in moved(result, change)] == [
        ("vacancy_rate.2019/20", 9.1, 8.8), ("total.2019/20", 3000, 3100)]


def test_period_shortened(compare) -> None:
    def drop_last_year(plan: Path) -> None:
        for path in plan.rglob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"\n\s*2021/22: \{[^}]*\}", "", text)
            text = re.sub(r",\s*2021/22: [^,}\n]+", "", text)
            text = re.sub(r"\n\s*2021/22: [^\n]+", "", text)
            path.write_text(text, encoding="utf-8")

    result = compare(("plan.yaml", "last: 2021/22", "last: 2020/21"), then=drop_last_year)
    assert ("changed", "period", None, "last") in keys(result)
    assert ("removed", "metric", "ae-four-hour", "values.2021/22") in keys(result)
    assert ("removed", "trajectory", None, "years.2021/22") in keys(result)
    metric = next(c for c in result.changes if c.id == "ae-four-hour")
    assert said(metric) == "metric `ae-four-hour`, 2021/22 removed (was 95.0%)"
    assert [(q.field, q.old, q.new) for q in moved(result, metric)] == [
        ("change", 10.0, 5.0), ("meets_standard", True, False)]
    # every derived figure is grouped with a source change
    assert {c.entity for c in result.changes} <= {"period", "metric", "trajectory",
                                                  "efficiency", "activity", "staff-group",
                                                  "commitment"}


# --- identity: ids, not positions ---------------------------------------------------------------


def _swap(path: Path, first: str, second: str) -> None:
    """Swap two adjacent blocks of a file's text."""
    text = path.read_text(encoding="utf-8")
    assert first + second in text
    path.write_text(text.replace(first + second, second + first), encoding="utf-8")


def test_reordering_is_not_a_change(compare) -> None:
    def reorder(plan: Path) -> None:
        metrics = (plan / "metrics.yaml").read_text(encoding="utf-8")
        head, rest = metrics.split("  - id: ae-four-hour\n")
        first, second = rest.split("  - id: financial-balance\n")
        (plan / "metrics.yaml").write_text(
            head + "  - id: financial-balance\n" + second.rstrip("\n") + "\n"
            + "  - id: ae-four-hour\n" + first, encoding="utf-8")
        _swap(plan / "plan.yaml", """  - id: north-ccg
    name: NHS North CCG
    type: ccg
    icp: north-place
""", """  - id: south-ccg
    name: NHS South CCG
    type: ccg
    icp: south-place
""")
        _swap(plan / "finance.yaml", """    - organisation: north-ccg
      baseline: 100000
      allocation: 105000
      movement: 5000
      increase_percent: 5.0
""", """    - organisation: south-ccg
      baseline: 200000
      allocation: 210000
      movement: 10000
      increase_percent: 5.0
""")
        _swap(plan / "portfolios/out-of-hospital.yaml", """  - id: neighbourhood-teams
    title: Neighbourhood teams
    description: Joined-up teams for 30,000 to 50,000 people.
""", """  - id: primary-care-networks
    title: Primary care networks
""")
        edit(plan / "board/governing-body-update.yaml",
             "extracts: [allocations-table, {metric-chart: ae-four-hour}]",
             "extracts: [{metric-chart: ae-four-hour}, allocations-table]")
        health = "  - text: Better Health - improve population health\n    supported: true\n"
        care = "  - text: Better Care - improve outcomes\n    supported: false\n"
        _swap(plan / "board/governing-body-update.yaml", health, care)
        north = "      north-place: {2019/20: 60000, 2020/21: 59000, 2021/22: 58000}\n"
        edit(plan / "activity.yaml", north + "      south-place: {2019/20: 40000, "
             "2020/21: 39500, 2021/22: 39000}",
             "      south-place: {2021/22: 39000, 2020/21: 39500, 2019/20: 40000}\n"
             + north.rstrip("\n"))
        # keys in another order, text reflowed: the same plan
        edit(plan / "metrics.yaml", """    unit: percent
    direction: higher-is-better""", """    direction: higher-is-better
    unit: percent""")
        edit(plan / "portfolios/out-of-hospital.yaml",
             "  Teams in **neighbourhoods** will work together. See\n"
             "  [the strategy](https://example.org/strategy).",
             "  Teams in **neighbourhoods**\n"
             "  will work together.   See [the strategy](https://example.org/strategy).")

    result = compare(then=reorder)
    assert result.changes == ()


def test_a_renamed_id_is_paired(compare) -> None:
    result = compare(("portfolios/finance.yaml", "id: system-efficiency",
                      "id: efficiency-programme"))
    assert keys(result) == [("changed", "programme", "efficiency-programme", "id")]
    assert said(result.changes[0]) == (
        "programme `efficiency-programme` renamed from `system-efficiency`")


def test_a_renamed_and_retitled_entity_is_paired_and_its_references_follow(compare) -> None:
    result = compare(("metrics.yaml", "  - id: ae-four-hour", "  - id: ae-4h"),
                     ("metrics.yaml", "title: A&E four-hour standard", "title: A&E 4h standard"),
                     ("portfolios/out-of-hospital.yaml", "metrics: [ae-four-hour,",
                      "metrics: [ae-4h,"),
                     ("board/governing-body-update.yaml", "{metric-chart: ae-four-hour}",
                      "{metric-chart: ae-4h}"),
                     ("board/governing-body-update.yaml", "{extract:metric-chart:ae-four-hour}",
                      "{extract:metric-chart:ae-4h}"),
                     ("actuals.yaml", "metric: ae-four-hour", "metric: ae-4h"),
                     ("actuals.yaml", "metric: ae-four-hour", "metric: ae-4h"))
    # the body's mark of the chart is text: it changes with the id; so does the id of
    # the metric's actuals series (metric/place), whose reference to the metric follows
    assert keys(result) == [("changed", "metric", "ae-4h", "id"),
                            ("changed", "metric", "ae-4h", "title"),
                            ("changed", "actual-series", "ae-4h/north-place", "id"),
                            ("changed", "actual-series", "ae-4h/south-place", "id"),
                            ("changed", "board-paper", "governing-body-update", "body")]


def test_a_new_entity_unlike_the_one_removed_is_not_a_rename(compare) -> None:
    result = compare(("portfolios/finance.yaml", """  - id: system-efficiency
    title: System efficiency""", """  - id: estates
    title: Making better use of our buildings and land across the system"""))
    assert [c.op for c in result.changes] == ["added", "removed"]


def test_adding_a_portfolio(compare) -> None:
    def add(plan: Path) -> None:
        (plan / "portfolios/cancer.yaml").write_text("""id: cancer
title: Cancer
kind: portfolio
priorities: [neighbourhoods]
provenance: example-briefing
summary: Earlier diagnosis.
narrative: |
  We will find cancer earlier.
programmes:
  - id: early-diagnosis
    title: Early diagnosis
metrics: [ae-four-hour]
""", encoding="utf-8")
        edit(plan / "priorities.yaml", "portfolios: [out-of-hospital]",
             "portfolios: [out-of-hospital, cancer]")

    result = compare(then=add)
    assert keys(result) == [("added", "priority", "neighbourhoods", "portfolios"),
                            ("added", "portfolio", "cancer", None),
                            ("added", "programme", "early-diagnosis", None)]
    assert (result.changes[0].old, result.changes[0].new, result.changes[0].item) == (
        None, "cancer", True)
    assert said(result.changes[0]) == "priority 1 `neighbourhoods`, portfolios: + `cancer`"
    assert said(result.changes[2]) == "programme `early-diagnosis` added to portfolio `cancer`"
    assert result.summary["by_op"] == {"added": 3, "removed": 0, "changed": 0}
    assert result.summary["by_entity"]["portfolio"] == {"added": 1, "removed": 0, "changed": 0}


def test_adding_a_board_paper_and_moving_an_engagement(compare) -> None:
    def change(plan: Path) -> None:
        paper = (plan / "board/governing-body-update.yaml").read_text(encoding="utf-8")
        (plan / "board/second-update.yaml").write_text(
            paper.replace("id: governing-body-update", "id: second-update"), encoding="utf-8")
        edit(plan / "engagement.yaml", "undertaken:\n", "undertaken:\n  - id: "
             "public-summary-engagement\n    title: Engagement on the public summary\n    "
             "when: Winter 2019\n    description: We shared the plan.\n    provenance: "
             "example-briefing\n")
        edit(plan / "engagement.yaml", """planned:
  - id: public-summary-engagement
    title: Engagement on the public summary
    when: Winter 2019
    description: We will share the plan with local people.
    provenance: example-briefing
""", "planned: []\n")

    result = compare(then=change)
    assert keys(result) == [
        ("changed", "engagement", "public-summary-engagement", "stage"),
        ("changed", "engagement", "public-summary-engagement", "description"),
        ("added", "board-paper", "second-update", None),
    ]


# --- long text: a word-level diff ------------------------------------------------------------


def test_long_text_gets_a_word_diff(compare) -> None:
    result = compare(("board/governing-body-update.yaml", "The plan has three components.",
                         "The plan now has three main components."))
    (change,) = result.changes
    assert said(change) == "board paper `governing-body-update`, body reworded"
    assert change.words[:4] == (("=", "## Context\n\nThe plan "), ("+", "now "),
                                ("=", "has three "), ("+", "main "))
    assert change.words[4][0] == "=" and change.words[4][1].startswith("components. What")
    assert len(change.words) == 5


def test_word_diff_replaces_words_and_ignores_reflow() -> None:
    assert word_diff("a b c d", "a x c d") == (("=", "a "), ("-", "b "), ("+", "x "),
                                              ("=", "c d"))
    assert word_diff("one two\nthree", "one   two three") == (("=", "one two three"),)
    assert word_diff("first para.\n\nsecond", "first para.\n\nsecond!") == (
        ("=", "first para.\n\nsecond"), ("+", "!"))


def test_diff_records_are_json_safe(compare) -> None:
    import json

    result = compare(("portfolios/finance.yaml", "id: system-efficiency", "id: other-efficiency"),
                     ("metrics.yaml", "2021/22: 95.0", "2021/22: 96.0"))
    payload = json.loads(json.dumps(result.as_dict()))
    assert set(payload) == {"changes", "consequences", "diagnostics", "documents", "failing",
                            "reorders", "summary", "sides", "version", "documents_withheld"}
    assert set(payload["changes"][0]) == {"op", "entity", "id", "field", "old", "new", "unit",
                                          "item", "words", "old_unit", "where"}
    assert set(payload["consequences"][0]) == {"entity", "id", "field", "old", "new", "unit",
                                               "causes"}


def test_a_derived_figure_no_change_explains_is_still_shown() -> None:
    from lscplan.diff import Derived, _credit
    from lscplan.diff_report import text_diff

    orphan = Derived("workforce", None, "total.2019/20", 1, 2,
                     (("staff-group", "nursing", "wte"),), "wte")
    (q,) = _credit([], [orphan])
    assert (q.entity, q.field, q.causes) == ("workforce", "total.2019/20", ())
    shown = text_diff(DiffResult((), consequences=(q,)))
    assert "workforce total 2019/20: 1 WTE → 2 WTE (+1 WTE) (derived" in shown
    from lscplan.diff_report import html_diff, markdown_diff
    assert "workforce total 2019/20: 1 WTE → 2 WTE (+1 WTE)" in html_diff(
        DiffResult((), consequences=(q,)))
    assert "| ~ | workforce total 2019/20 (derived) |" in markdown_diff(
        DiffResult((), consequences=(q,)))


def test_text_compares_as_markdown_reads() -> None:
    from lscplan.diff_text import same as _same

    assert _same("one two\nthree", "one   two three\n")
    assert _same("para one.\n\n  para two.", "para one.\n\npara two.")
    assert not _same("para one.\n\npara two.", "para one. para two.")
    assert not _same("Items:\n- a\n- b", "Items: - a - b")
    assert not _same("## Context\nText", "## Context Text")


# --- issue 13: each consequence credited to the changes that moved it ------------------------


def test_a_total_two_changes_moved_is_credited_to_both_once(compare) -> None:
    result = compare(
        ("finance.yaml", """      allocation: 105000
      movement: 5000
      increase_percent: 5.0""", """      allocation: 105500
      movement: 5500
      increase_percent: 5.5"""),
        ("finance.yaml", """      allocation: 210000
      movement: 10000
      increase_percent: 5.0""", """      allocation: 210500
      movement: 10500
      increase_percent: 5.3"""),
        ("finance.yaml", """    allocation: 315000
    movement: 15000
    increase_percent: 5.0""", """    allocation: 316000
    movement: 16000
    increase_percent: 5.3"""))
    north, south = result.changes
    total = next(q for q in result.consequences if q.field == "total.allocation")
    assert total.causes == (north.key, south.key)
    assert total not in moved(result, north)
    assert [(q.field, by) for q, by in placed(result, south) if by] == [
        ("total.allocation", "moved by allocation `north-ccg`, allocation and allocation "
                             "`south-ccg`, allocation"),
        ("total.movement", "moved by allocation `north-ccg`, allocation and allocation "
                           "`south-ccg`, allocation"),
        ("total.percent", "moved by allocation `north-ccg`, allocation and allocation "
                          "`south-ccg`, allocation")]
    from lscplan.diff_report import text_diff
    assert text_diff(result).count("system allocation total") == 1


def test_a_metric_target_is_credited_to_its_last_year_only(compare) -> None:
    result = compare(("metrics.yaml", "2020/21: 90.0\n      2021/22: 95.0",
                      "2020/21: 91.0\n      2021/22: 94.0"))
    earlier, last = result.changes
    assert (earlier.field, last.field) == ("values.2020/21", "values.2021/22")
    assert moved(result, earlier) == []
    assert [q.field for q in moved(result, last)] == ["change", "meets_standard"]


def test_activity_system_totals_sit_under_their_own_year(compare) -> None:
    result = compare(
        ("activity.yaml", "north-place: {2019/20: 60000, 2020/21: 59000,",
         "north-place: {2019/20: 61000, 2020/21: 59500,"),
        ("activity.yaml", "system: {2019/20: 100000, 2020/21: 98500,",
         "system: {2019/20: 101000, 2020/21: 99000,"))
    first, second = result.changes
    assert [q.field for q in moved(result, first)] == ["system.2019/20"]
    assert [q.field for q in moved(result, second)] == ["system.2020/21"]


def test_priorities_are_listed_by_number_not_id(compare) -> None:
    result = compare(("priorities.yaml", "Maximise the benefits", "Maximise the gains"),
                     ("priorities.yaml", "title: Financial balance", "title: Money"))
    assert [c.id for c in result.changes] == ["neighbourhoods", "financial-balance"]


def test_a_list_change_is_its_items(compare) -> None:
    from lscplan.diff_report import markdown_diff

    result = compare(("metrics.yaml", "priorities: [neighbourhoods]",
                      "priorities: [neighbourhoods, financial-balance]"))
    (item,) = result.changes
    assert (item.op, item.field, item.old, item.new, item.item) == (
        "added", "priorities", None, "financial-balance", True)
    assert said(item) == "metric `ae-four-hour`, priorities: + `financial-balance`"
    row = next(r for r in markdown_diff(result).splitlines() if "`priorities`" in r)
    assert row == ("| + | metric `ae-four-hour`<br><sub>metrics.yaml:3</sub> | `priorities` "
                   "|  | financial-balance |")


def test_figures_carry_their_unit_in_every_cell(compare) -> None:
    from lscplan.diff_report import markdown_diff

    result = compare(("finance.yaml", "2020/21: {income: 325000,", "2020/21: {income: 330000,"))
    markdown = markdown_diff(result)
    assert "| £325,000k | £330,000k |" in markdown
    assert "| surplus 2020/21 |  | −£5,000k | £0k (+£5,000k) |" in markdown


# --- issue 13: text, renames, order and documents -------------------------------------------


def test_punctuation_is_not_stuck_to_words() -> None:
    assert word_diff("We serve our communities.", "We serve our people.") == (
        ("=", "We serve our "), ("-", "communities"), ("+", "people"), ("=", "."))


def test_a_paragraph_split_is_marked(compare) -> None:
    from lscplan.diff_report import text_diff

    result = compare(("board/governing-body-update.yaml", "The plan has three components.",
                      "The plan\n\n  has three components."))
    (change,) = result.changes
    assert ("+", "\n\n") in change.words
    assert said(change) == ("board paper `governing-body-update`, body: split into more "
                            "paragraphs")
    assert "The plan{+¶+}has three components." in text_diff(result)


def test_a_reorder_that_changes_a_document_is_reported(compare) -> None:
    def reorder(plan: Path) -> None:
        health = "  - text: Better Health - improve population health\n    supported: true\n"
        care = "  - text: Better Care - improve outcomes\n    supported: false\n"
        _swap(plan / "board/governing-body-update.yaml", health, care)

    result = compare(then=reorder)
    assert result.changes == ()
    (order,) = result.reorders
    assert (order.entity, order.id, order.field) == (
        "board-paper", "governing-body-update", "strategic_objectives")
    assert [(d.id, d.op) for d in result.documents] == [
        ("board-governing-body-update", "changed")]
    assert bool(result)


def test_a_board_papers_text_reaches_only_its_own_document(compare) -> None:
    result = compare(("board/governing-body-update.yaml", "has three components",
                      "has three parts"))
    assert [(d.id, d.op) for d in result.documents] == [
        ("board-governing-body-update", "changed")]


def test_a_metric_change_reaches_the_documents_that_show_it(compare) -> None:
    metric = compare(("metrics.yaml", "2021/22: 95.0", "2021/22: 96.0"))
    assert {d.id for d in metric.documents} == {
        "ltp-submission", "public-summary", "board-governing-body-update"}


@pytest.mark.slow
def test_renaming_every_metric_of_the_bundled_plan_reads_as_renames(
        bundled_plan: Path, tmp_path: Path) -> None:
    new = tmp_path / "renamed"
    shutil.copytree(bundled_plan, new)
    ids = re.findall(r"^  - id: (\S+)", (new / "metrics.yaml").read_text(encoding="utf-8"),
                     re.M)
    for path in new.rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").split("\n")
        for metric_id in ids:  # every reference but the national metric it reports
            lines = [line if "national_metric:" in line else re.sub(
                rf"(?<![\w-]){re.escape(metric_id)}(?![\w-])", f"{metric_id}-x", line)
                for line in lines]
        path.write_text("\n".join(lines), encoding="utf-8")
    result = diff(_model(bundled_plan), _model(new), documents=False)
    renames = [c for c in result.changes if c.field == "id" and c.entity == "metric"]
    assert len(renames) == len(ids) >= 20
    assert {c.op for c in result.changes if c.entity == "metric"} == {"changed"}


def test_a_new_order_no_document_shows_is_not_reported(
        compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lscplan.diff.compare_documents", lambda old, new, *themes, **options: ())
    result = compare(("board/governing-body-update.yaml",
                      "extracts: [allocations-table, {metric-chart: ae-four-hour}]",
                      "extracts: [{metric-chart: ae-four-hour}, allocations-table]"))
    assert (result.changes, result.reorders, result.documents) == ((), (), ())
    assert not result


def test_a_source_date_change_is_a_change(compare) -> None:
    # diff walked a hand-written list of each kind's fields, which left out a source's
    # date; it walks the kinds' declaration now, so every field is compared
    result = compare(("plan.yaml", "    published: early 2019\n",
                      '    published: early 2019\n    date: "2019-02-01"\n'))
    assert keys(result) == [("added", "source", "example-briefing", "date")]


def test_a_kind_with_no_view_is_compared_by_its_declared_fields() -> None:
    # a new file kind needs nothing in diff: its entities' fields come from kinds.py
    from lscplan.diagnostics import Location
    from lscplan.diff_entities import fields_of
    from lscplan.kinds import EntityKind
    from lscplan.model import Record

    kind = EntityKind("risk", "risk", "Risks", ("risks",), provenance=("",))
    loc = Location("risks.yaml", 3, 5, "/risks/0")
    risk = Record({"id": "workforce-gap", "likelihood": 4, "impact": 5,
                   "mitigations": ("Recruit", "Retain"),
                   "owner": Record({"name": "Chief nurse"}, loc)}, loc)
    assert fields_of(kind, risk) == {"likelihood": 4, "impact": 5,
                                     "mitigations": ["Recruit", "Retain"],
                                     "owner": {"name": "Chief nurse"}}


def test_a_boards_members_change_by_item(compare) -> None:
    result = compare(("plan.yaml", "members: [north-ccg, south-ccg]", "members: [north-ccg]"))
    (change,) = result.changes
    assert (change.op, change.entity, change.id, change.field, change.old) == (
        "removed", "board", "joint-committee", "members", "south-ccg")


# --- actuals: new and changed months, and the icons they move ---------------------------------


def test_a_new_month_of_actuals_is_an_added_figure(compare) -> None:
    result = compare(("actuals.yaml", '      "2019/20 Q2": 29.8\n',
                      '      "2019/20 Q2": 29.8\n      "2019/20 Q3": 29.5\n'))
    assert keys(result) == [("added", "actual-series", "ambulance-response",
                             "values.2019/20 Q3")]
    assert result.changes[0].new == 29.5


def test_a_changed_actual_shows_the_icons_it_moved(compare) -> None:
    # North Place's September 2019: 3,600 of 4,752 seen within four hours, below its
    # lower process limit; the system's, summed from the places, falls below its too
    result = compare(("actuals.yaml", '      "2019-09": 4140\n', '      "2019-09": 3600\n'))
    # a ratio's value is derived: the numerator is the change, not the value as well
    assert keys(result) == [("changed", "actual-series", "ae-four-hour/north-place",
                             "numerator.2019-09")]
    moved = {(q.id, q.field): (q.old, q.new) for q in result.consequences}
    assert moved == {("ae-four-hour", "variation"): ("improvement_high", "concern_low"),
                     ("ae-four-hour/north-place", "variation"):
                         ("improvement_high", "concern_low")}
    cause = result.changes[0].key
    assert all(q.causes == (cause,) for q in result.consequences)


def test_a_changed_trajectory_moves_the_assurance(compare) -> None:
    # the plan's 2019/20 figure is what the assurance is judged against
    result = compare(("metrics.yaml", "      2019/20: 87.0\n", "      2019/20: 80.0\n"))
    moved = {(q.id, q.field): (q.old, q.new) for q in result.consequences
             if q.entity == "actual-series"}
    assert moved[("ae-four-hour", "assurance")] == ("fail", "pass")
    assert all(q.causes for q in result.consequences)



def test_a_target_parts_own_provenance_is_a_provenance_change(small_plan) -> None:
    """A target's wording given a provenance of its own is a new field of the target;
    its moving from illustrative to a source is that part's provenance change, said
    and counted as one."""
    plain = "        text: 97% within four hours\n"
    own = "        text: {{value: 97% within four hours, provenance: {}}}\n".format
    edit(small_plan / "metrics.yaml", plain, own("illustrative"))
    old = _model(small_plan)
    assert [(c.op, c.field) for c in diff(check(starter_dir()).plan, old).changes] == [
        ("added", "targets.local-2025.wording.provenance")]
    edit(small_plan / "metrics.yaml", own("illustrative"), own("example-briefing"))
    result = diff(old, _model(small_plan))
    (change,) = result.changes
    assert (change.op, change.field) == ("changed", "targets.local-2025.wording.provenance")
    assert said(change) == ("metric `ae-four-hour`, local ambition by 2025 wording "
                            "provenance: “illustrative” → “example-briefing”")
    assert result.provenance == {"sourced": 1, "illustrative": 0, "resourced": 0}


def test_an_engagements_public_words_and_end_date_are_compared(compare) -> None:
    """An engagement's ``public_summary`` and a planned one's ``until`` are its own fields
    and diff reports them (a view that listed its fields by hand left both out)."""
    result = compare(("engagement.yaml", "    description: We will share the plan with "
                      "local people.\n",
                      "    description: We will share the plan with local people.\n"
                      "    until: \"2019-12-20\"\n"
                      "    public_summary: We will ask you what you think of the plan.\n"))
    assert keys(result) == [
        ("added", "engagement", "public-summary-engagement", "public_summary"),
        ("added", "engagement", "public-summary-engagement", "until")]
