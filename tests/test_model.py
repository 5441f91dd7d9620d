"""The model: derived figures computed once, as published tables round them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import edit

from lscplan import model, render
from lscplan.model import percent_change, round_half_up, year_range
from lscplan.pipeline import check


@pytest.fixture
def plan(small_plan: Path):
    checked = check(small_plan)
    assert checked.plan is not None
    return checked.plan


def test_round_half_up_matches_published_tables() -> None:
    assert round_half_up(5.65) == 5.7
    assert round_half_up(5.75) == 5.8
    assert percent_change(228427, 241524) == 5.7
    assert percent_change(2456431, 2601966) == 5.9
    assert percent_change(0, 10) is None


def test_year_range() -> None:
    assert year_range("2019/20", "2023/24") == (
        "2019/20", "2020/21", "2021/22", "2022/23", "2023/24")
    assert year_range("1999/00", "2000/01") == ("1999/00", "2000/01")


def test_allocations_derived(plan) -> None:
    table = plan.finance.allocations
    assert [r.movement for r in table.rows] == [5000, 10000]
    assert table.total.percent == 5.0
    assert table.sum_allocation == 315000


def test_trajectory_and_balance(plan) -> None:
    traj = plan.finance.trajectory
    assert [y.surplus for y in traj.years] == [-12000, -5000, 0]
    assert traj.balance_year == "2021/22"
    assert plan.finance.efficiency_percent("2021/22") == 3.0


def test_activity_system_is_the_sum_of_icps(plan) -> None:
    pod = plan.activity[0]
    assert pod.system.values == {"2019/20": 100000, "2020/21": 98500, "2021/22": 97000}
    assert pod.system.growth_percent == -3.0


def test_metric_derived(plan) -> None:
    metric = plan.metric("ae-four-hour")
    assert metric.target == 95.0
    assert metric.change == 10.0
    assert metric.improves and metric.meets_standard
    assert metric.illustrative


def _target(kind: str, value: float, by: str | None = None) -> model.Target:
    return model.Target(kind, value, f"{value}", "illustrative", by, loc=None)


def test_targets_national_and_local_by_year(plan) -> None:
    metric = plan.metric("ae-four-hour")  # 87, 90, 95 over 2019/20 to 2021/22
    national, local = metric.targets
    assert (national.label, national.by, local.label, local.by) == (
        "National standard", None, "Local ambition", "2025")
    assert metric.standard is national and local.after("2021/22")
    assert metric.reaches(local) is None and local.sentence == "97% within four hours by 2025"
    # a national standard due within the period is the one the period's end is held to
    due = _target("national", 96, "2020/21")
    later = _target("national", 80, "2030")
    moved = dataclasses.replace(metric, targets=(national, due, later))
    assert moved.standard is due and moved.meets_standard is False  # 90 in 2020/21
    assert moved.reaches(national) is True and moved.reaches(later) is None
    assert due.year_in(metric.values.years) == "2020/21"
    assert _target("local", 1, "2020").year_in(metric.values.years) == "2020/21"
    assert _target("local", 1, "2021").year_in(metric.values.years) == "2021/22"
    assert not _target("local", 1, "2021").after("2021/22")
    assert _target("local", 1, "2022").after("2021/22")
    only_later = dataclasses.replace(metric, targets=(later,))
    assert only_later.standard is None and only_later.meets_standard is None


def test_format_1_standard_reads_as_a_national_target(small_plan: Path) -> None:
    path = small_plan / "metrics.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    targets:")
    path.write_text(text[:start] + "    standard: {value: 95, text: 95% within four hours, "
                    "provenance: example-briefing}\n" + text[text.index("    baseline:"):],
                    encoding="utf-8")
    checked = check(small_plan)
    assert not checked.report.errors
    (target,) = checked.plan.metric("ae-four-hour").targets
    assert (target.kind, target.value, target.by, target.provenance) == (
        "national", 95, None, "example-briefing")
    assert checked.plan.metric("ae-four-hour").meets_standard is True


def test_golden_thread_lookups(plan) -> None:
    priority = plan.priority("neighbourhoods")
    assert [p.id for p in plan.portfolios_for(priority)] == ["out-of-hospital"]
    assert [m.id for m in plan.metrics_for(priority)] == ["ae-four-hour", "ambulance-response"]
    assert [p.id for p in plan.programmes] == [
        "system-efficiency", "neighbourhood-teams", "primary-care-networks"]


def test_workforce_vacancy_rate(plan) -> None:
    group = plan.workforce.groups[0]
    assert group.vacancy_rate("2019/20") == 9.1
    assert plan.workforce.total.values["2021/22"] == 3200


def test_illustrative_figures_are_counted(plan) -> None:
    found = {(file, what): n for file, what, n, _ in plan.illustrative_figures()}
    assert found[("finance.yaml", "system financial trajectory")] == 6
    assert found[("metrics.yaml", "metric A&E four-hour standard")] == 4
    assert found[("metrics.yaml", "Local ambition for metric A&E four-hour standard")] == 1


def test_period_length_in_words_and_the_default_terms(small_plan: Path) -> None:
    plan = check(small_plan).plan
    assert (plan.period.adjective, plan.period.duration) == ("three-year", "three years")
    assert plan.terms.place.plural == "places" and plan.terms.place.short_plural == "places"
    assert model.Terms().place.short_plural == "ICPs"
    assert model.Terms().priority.singular == "priority"


def test_a_generic_kind_shows_only_what_the_plan_knew_on_a_date(bundled_plan) -> None:
    # the Records of a kind with no class of its own (Plan.more) are dated like the
    # typed model: an item citing a later source is left out, at any depth
    import dataclasses

    from lscplan.model import Record

    plan = check(bundled_plan).plan
    later = sorted(plan.later_sources("2019-02-28"))[0]
    loc = plan.system.status_loc
    early = Record({"id": "early", "provenance": "illustrative", "actions": (
        Record({"id": "a", "provenance": later}, loc),
        Record({"id": "b", "provenance": "illustrative"}, loc))}, loc)
    late = Record({"id": "late", "provenance": later, "actions": ()}, loc)
    dated = dataclasses.replace(plan, more={"risks": (early, late)}).as_of("2019-02-28")
    (kept,) = dated.risks
    assert kept.id == "early" and [a.id for a in kept.actions] == ["b"]
    assert late in list(dataclasses.replace(plan, more={"risks": (early, late)})
                        .postdating("2019-02-28"))


def test_risk_scores_are_derived_and_rated(plan) -> None:
    (risk,) = plan.risks
    assert (risk.scores.score, risk.scores.rating) == (16, "extreme")
    assert (risk.scores.target_score, risk.scores.target_rating) == (8, "high")
    assert [model.risk_rating(s) for s in (1, 3, 4, 6, 8, 12, 15, 25)] == [
        "low", "low", "moderate", "moderate", "high", "high", "extreme", "extreme"]


def test_an_organisation_serves_the_places_it_lists(small_plan: Path) -> None:
    plan = check(small_plan).plan
    assert plan.organisation("example-hospitals").places == ("north-place", "south-place")
    assert plan.organisation("north-ccg").places == ("north-place",)  # the one `icp`
    assert plan.organisation("example-council").places == ()  # the whole system
    # a CCG serving two places is a CCG of each
    edit(small_plan / "plan.yaml", "    icp: south-place\n",
         "    places: [south-place, north-place]\n")
    plan = check(small_plan).plan
    assert [c.id for c in plan.system.ccgs_of("north-place")] == ["north-ccg", "south-ccg"]
    assert [c.id for c in plan.system.ccgs_of("south-place")] == ["south-ccg"]


def test_workforce_per_place_and_by_staffing_type(plan) -> None:
    group = plan.workforce.groups[0]
    assert group.by_place["south-place"].values["2021/22"] == 1300
    assert list(group.by_type) == ["substantive", "bank", "agency"]
    assert group.place_sum.values == group.wte.values == group.type_sum.values
    assert group.by_type["agency"].illustrative  # the group's provenance
    assert plan.workforce.place_totals["north-place"].values["2019/20"] == 1800
    assert plan.workforce.type_totals["bank"].values["2021/22"] == 190


def test_workforce_without_places_or_types_has_none(small_plan: Path) -> None:
    text = (small_plan / "workforce.yaml").read_text(encoding="utf-8")
    (small_plan / "workforce.yaml").write_text(text[:text.index("    by_place:")],
                                               encoding="utf-8")
    plan = check(small_plan).plan
    group = plan.workforce.groups[0]
    assert (group.by_place, group.by_type, group.place_sum) == ({}, {}, None)
    assert not plan.workforce.by_place and plan.workforce.place_totals is None


def test_the_plan_at_each_date_is_the_plan_as_it_stood_then(bundled_plan) -> None:
    # Plan.as_of works each plan out once for the days that leave out the same sources
    # and passages: asked in any order, every day still gets its own day's plan, here
    # across a passage dated by a day of its own (no source is published then)
    edit(bundled_plan / "portfolios" / "adult-mental-health.yaml",
         "  The workstream builds on", "  {from:2019-06-15} The workstream builds on")
    plan = check(bundled_plan).plan
    sources = sorted({s.date for s in plan.system.sources if s.date})
    days = [*sources, "2019-06-14", "2019-06-15", "2018-01-01", "2030-01-01"]
    days += [d[:8] + f"{int(d[8:]) - 1:02d}" for d in sources if d[8:] != "01"]
    for day in [*days, *reversed(days)]:
        expected = model._without_references(
            model._without(plan, plan.later_sources(day), plan.known_on(day)), plan)
        # the actuals are dated by their months, not by their source's date
        expected = dataclasses.replace(expected, more={**expected.more, **{
            name: cut(plan.more.get(name), day) for name, cut in model.DATED_PARTS.items()}})
        got = plan.as_of(day)
        assert dataclasses.replace(got, engagement=expected.engagement) == expected, day
    narrative = {d: plan.as_of(d).portfolio("adult-mental-health").narrative
                 for d in ("2019-06-14", "2019-06-15")}
    assert "builds on" not in narrative["2019-06-14"]
    assert "builds on" in narrative["2019-06-15"]


def test_the_plan_at_a_date_drops_references_to_what_it_leaves_out(small_plan: Path
                                                                     ) -> None:
    # issue 23: a priority citing a later source is left out of the documents, and so
    # is every reference to it (the portfolio serving it, the metric measuring it)
    edit(small_plan / "plan.yaml", "    published: early 2019\n",
         "    published: early 2019\n  - id: later\n    title: Later\n    published: March 2022\n"
         "    date: \"2022-03-01\"\n")
    edit(small_plan / "priorities.yaml", "    public_summary: More care will be close to "
         "your home.\n", "    public_summary: More care will be close to your home.\n"
         "    provenance: later\n")
    plan = check(small_plan).plan
    assert "neighbourhoods" in plan.portfolio("out-of-hospital").priorities
    cut = plan.as_of(plan.system.date)
    assert [p.id for p in cut.priorities] == ["financial-balance"]
    assert cut.portfolio("out-of-hospital").priorities == ()
    assert all("neighbourhoods" not in m.priorities for m in cut.metrics)
    assert cut.portfolio("finance").priorities == ("financial-balance",)


@pytest.mark.parametrize(("text", "by", "sentence"), [
    ("97% within four hours", "2025", "97% within four hours by 2025"),
    ("Suicide down 10%", "2023/24", "Suicide down 10% by 2023/24"),
    ("suicide down 10% over five years", "2023/24",
     "suicide down 10% over five years, by 2023/24"),
    ("5% by 2030.", "2030", "5% by 2030"),
    ("halve the gap within two years", "2021/22",
     "halve the gap within two years, by 2021/22"),
    ("95% within four hours", None, "95% within four hours"),
])
def test_a_targets_sentence_reads_whatever_its_wording(text, by, sentence) -> None:
    """The year follows a text that says no time; a comma sets it off from one that
    does; a text naming the year itself is printed as written."""
    target = model.Target("local", 1, text, "illustrative", by, loc=None)
    assert target.sentence == sentence
    assert render.target_sentence(target) == f"Our local ambition: {sentence}."


def test_a_target_relative_to_the_baseline_is_computed_and_shown_both_ways(small_plan):
    """``change: -10%`` instead of ``value``: the value is the baseline's less 10%, and
    the target says so in words."""
    edit(small_plan / "metrics.yaml",
         "        value: 97  # or relative to the baseline: change: +10%\n",
         "        change: \"-10%\"\n")
    checked = check(small_plan)
    assert checked.report.errors == []
    target = checked.plan.metric("ae-four-hour").targets[1]
    assert target.value == pytest.approx(76.5)  # the baseline, 85.0, less 10%
    assert target.change == -10
    assert target.relative == "10% below the 2018/19 baseline"


def test_a_source_current_before_it_was_published_may_be_cited_earlier(small_plan):
    """A source published after the plan's date, whose wording was ``current`` before
    it, is cited by the plan's documents (no postdates warning)."""
    edit(small_plan / "plan.yaml",
         "    published: early 2019\n",
         "    published: June 2022\n    date: \"2022-06-01\"\n    current: \"2019-04-01\"\n")
    checked = check(small_plan)
    assert checked.report.errors == []
    assert not [d for d in checked.report.warnings if d.rule == "postdates"]
    assert checked.plan.later_sources(checked.plan.system.date) == frozenset()
    edit(small_plan / "plan.yaml", "    current: \"2019-04-01\"\n", "")
    assert [d for d in check(small_plan).report.warnings if d.rule == "postdates"]


def test_the_framework_map_is_answered_area_by_area(small_plan: Path) -> None:
    """What answers each chapter and area of the framework comes from the ``answers`` of
    portfolios, metrics and commitments; a chapter with areas is answered area by area
    (naming the chapter itself does not answer its areas), one without areas as a whole."""
    edit(small_plan / "framework.yaml", "        title: Reducing pressure on emergency hospital "
         "services\n", "        title: Reducing pressure on emergency hospital services\n"
         "      - id: personalised-care\n        title: Personalised care\n")
    edit(small_plan / "portfolios" / "finance.yaml", "answers: [taxpayers-investment]",
         "answers: [new-service-model]")
    fw = check(small_plan).plan.framework_map
    assert fw is not None and fw.title == "NHS Long Term Plan Implementation Framework"
    assert fw.source is not None and fw.source.publisher == "NHS England"
    entries = {e.id: e for e in fw.entries}
    assert [e.id for e in fw.entries] == ["new-service-model", "out-of-hospital-care",
                                          "urgent-emergency-care", "personalised-care",
                                          "taxpayers-investment"]
    assert entries["new-service-model"].heading == "2. Delivering a new service model for the " \
        "21st century"
    assert [(a.heading, a.items) for a in entries["out-of-hospital-care"].by] == [
        ("Portfolios", (("Out of hospital care", False),)),
        # an invented entry, marked where it is shown
        ("Long Term Plan commitments", (("Two-hour community crisis response", True),))]
    assert [(a.heading, a.titles) for a in entries["new-service-model"].by] == [
        ("Portfolios", ("Finance",))]
    assert [e.id for e in fw.unanswered] == ["personalised-care", "taxpayers-investment"]
    assert [(c.id, [a.id for a in areas]) for c, areas in fw.unanswered_by_chapter] == [
        ("new-service-model", ["personalised-care"]), ("taxpayers-investment", [])]


#: The starter plan's local ambition for A&E, relative to its (illustrative) baseline by
#: a change and with a wording that cite a source, due by an illustrative date.
PARTS_SOURCED = ("        value: 97  # or relative to the baseline: change: +10%\n"
                 "        text: 97% within four hours\n",
                 "        change: {value: +10%, provenance: example-briefing}\n"
                 "        text: {value: 97% within four hours, provenance: example-briefing}\n")


def test_a_targets_value_wording_and_date_carry_their_own_provenance(small_plan):
    """A part given as ``{value, provenance}`` has that provenance, the others the
    target's; a value computed from an illustrative baseline is illustrative though
    its change is sourced; the register lists exactly the illustrative parts."""
    edit(small_plan / "metrics.yaml", *PARTS_SOURCED)
    checked = check(small_plan)
    assert checked.report.errors == []
    target = checked.plan.metric("ae-four-hour").targets[1]
    assert target.provenance_of("change") == target.provenance_of("text") == "example-briefing"
    assert target.provenance_of("by") == "illustrative"  # the target's
    assert [(p.label, p.provenance) for p in target.parts] == [
        ("Local ambition change", "example-briefing"),
        ("Local ambition value (computed from the illustrative baseline)", "illustrative"),
        ("Local ambition wording", "example-briefing"),
        ("Local ambition date", "illustrative")]
    assert target.illustrative and not target.wholly_illustrative
    assert target.illustrative_words == ("its value and date are illustrative, computed "
                                         "from the illustrative baseline")
    listed = [(what, count) for _f, what, count, _loc in checked.plan.illustrative_figures()
              if "ambition" in what]
    assert listed == [
        ("Local ambition value (computed from the illustrative baseline) for metric A&E "
         "four-hour standard", 1),
        ("Local ambition date for metric A&E four-hour standard", 1)]


def test_a_target_whose_provenance_covers_it_is_listed_whole(plan):
    """Without a part of its own, a target is one entry of the register, as before."""
    target = plan.metric("ae-four-hour").targets[1]
    assert not target.split and target.wholly_illustrative
    assert [p.label for p in target.parts] == ["Local ambition"]
    assert target.illustrative_words is None


def _model_classes() -> list[type]:
    from lscplan import actuals

    found = [obj for obj in (*vars(model).values(), *vars(actuals).values())
             if isinstance(obj, type) and dataclasses.is_dataclass(obj)]
    return sorted(set(found), key=lambda cls: cls.__name__)


def test_where_an_entity_is_written_is_declared_once_and_never_compared() -> None:
    """Every class of the model that knows where it is written has ``loc`` from
    ``Located`` alone (its own fields are all it declares), by keyword and not
    compared: the same entity written elsewhere is equal, and hashes the same."""
    from lscplan.diagnostics import Located, Location

    located = [cls for cls in _model_classes()
               if "loc" in {f.name for f in dataclasses.fields(cls)} and cls is not Located]
    assert len(located) > 40
    for cls in located:
        assert issubclass(cls, Located), cls
        assert "loc" not in vars(cls).get("__annotations__", {}), f"{cls.__name__} declares loc"
        (loc,) = [f for f in dataclasses.fields(cls) if f.name == "loc"]
        assert loc.kw_only and not loc.compare, cls
    here, there = Location("metrics.yaml", 3, 1), Location("metrics.yaml", 30, 5)
    one, other = (model.Period("2019/20", "2023/24", loc=at) for at in (here, there))
    assert one == other and hash(one) == hash(other)
    assert model.Series({"2019/20": 1.0}, "x", loc=here) == model.Series(
        {"2019/20": 1.0}, "x", loc=there)
    with pytest.raises(TypeError):
        model.Period("2019/20", "2023/24", here)  # type: ignore[misc]


def test_what_carries_a_provenance_is_sourced() -> None:
    """``illustrative`` is worked out in one place (``Sourced``) for every class with
    a provenance of its own, but a metric's (its values or its baseline)."""
    with_provenance = [cls for cls in _model_classes()
                       if "provenance" in {f.name for f in dataclasses.fields(cls)}]
    assert [cls.__name__ for cls in with_provenance
            if not issubclass(cls, model.Sourced)] == ["ActualSeries", "Metric"]
