"""An organisation serving several places: its allocation split by shares per place,
so the places' figures add up to the system's total (issue 26)."""

from __future__ import annotations

from pathlib import Path

from helpers import edit

from lscplan import documents, formatting, render
from lscplan.pipeline import check

INFO = render.BuildInfo("0.1", None, "lscplan test")
SOUTH = "    icp: south-place\n"


def _places_total(plan) -> float:
    return sum(plan.place_allocations(i.id).allocation for i in plan.system.icps
               if plan.place_allocations(i.id))


def test_a_ccg_serving_two_places_without_shares_is_counted_whole_in_each(small_plan: Path):
    """Reproduces the issue: a CCG serving two places had its whole allocation under
    each, so the places summed to more than the total; now counted whole it says so."""
    edit(small_plan / "plan.yaml", SOUTH, "    places: [south-place, north-place]\n")
    result = check(small_plan)
    plan = result.plan
    assert _places_total(plan) == 105000 + 2 * 210000  # whole in each: more than the total
    assert [d.rule for d in list(result.report) if d.rule == "place-shares-missing"] == [
        "place-shares-missing"]
    html = render.render_html(plan, documents.for_plan(plan)[0], INFO)
    north = html[html.index('id="places-north-place"'):html.index('id="places-south-place"')]
    assert ("includes the whole of NHS South CCG's allocation, which also serves South Place"
            in north)


def test_shares_split_an_allocation_so_places_add_up_to_the_total(small_plan: Path):
    edit(small_plan / "plan.yaml", SOUTH,
         "    places: {south-place: 70%, north-place: 30%}\n"
         "    shares_provenance: illustrative\n")
    result = check(small_plan)
    assert result.report.ok(), result.report.errors
    assert not [d for d in list(result.report) if d.rule.startswith("place-shares")]
    plan = result.plan
    assert plan.organisation("south-ccg").places == ("south-place", "north-place")
    shares = plan.organisation("south-ccg").shares
    assert (shares.of("south-place"), shares.of("north-place"), shares.total) == (70, 30, 100)
    assert plan.place_allocations("north-place").allocation == 105000 + 210000 * 30 / 100
    assert plan.place_allocations("south-place").allocation == 210000 * 70 / 100
    assert _places_total(plan) == plan.finance.allocations.total.allocation
    html = render.render_html(plan, documents.for_plan(plan)[0], INFO)
    north = html[html.index('id="places-north-place"'):html.index('id="places-south-place"')]
    assert formatting.money(105000 + 63000) in north
    assert "includes 30%" in north and "of NHS South CCG's allocation" in north
    assert "whole of" not in north
    # the shares are illustrative figures: counted and listed in the register
    assert ("plan.yaml", "shares of NHS South CCG's allocation", 2) in [
        (f, what, n) for f, what, n, _ in plan.illustrative_figures()]


def test_shares_that_do_not_add_up_to_100_are_an_error_where_written(small_plan: Path):
    edit(small_plan / "plan.yaml", SOUTH,
         "    places: {south-place: 70%, north-place: 40%}\n"
         "    shares_provenance: illustrative\n")
    result = check(small_plan)
    assert not result.report.ok()
    (d,) = [d for d in list(result.report) if d.rule == "place-shares"]
    assert (d.location.file, d.location.line) == ("plan.yaml", 39)
    assert "110%" in d.message and "100%" in d.message


def test_a_share_for_an_unknown_place_is_reported_at_that_place(small_plan: Path):
    edit(small_plan / "plan.yaml", SOUTH,
         "    places:\n      south-place: 70%\n      west-place: 30%\n"
         "    shares_provenance: illustrative\n")
    result = check(small_plan)
    (d,) = [d for d in result.report.errors if d.rule == "reference"]
    assert (d.location.file, d.location.line) == ("plan.yaml", 41)
    assert "'west-place'" in d.message
